"""Source kinds (``source_kinds.yaml``): what kind of source an item is, and whether it may be cited.

Broker research (another firm's report) and internal notes (expert calls, meeting minutes, the team's own notes)
are background only: drafting never cites them (``is_citable``) and the checks block a draft that does.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import ConfigError
from assistant.models import NewsItem

__all__ = ["KINDS_PATH", "SourceKinds", "detect_kind", "is_citable", "kind_label", "load_source_kinds",
           "resolve_kind"]

KINDS_PATH = Path(__file__).with_name("source_kinds.yaml")
_PARTS = ("title", "head", "body", "source")
HEAD_CHARS = 600


@dataclass(frozen=True)
class Cue:
    where: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class SourceKinds:
    labels: dict[str, str]
    citable: dict[str, bool]
    names: dict[str, str]  # any accepted name (id, label, alias), folded -> kind id
    cues: dict[str, tuple[Cue, ...]]
    order: tuple[str, ...]


def _parse(data: Any, path: Path) -> SourceKinds:
    if not isinstance(data, dict) or not isinstance(data.get("kinds"), dict) or "news" not in data["kinds"]:
        raise ConfigError(f"来源类型文件 {path} 缺少 kinds 表（至少含 news）")
    labels: dict[str, str] = {}
    citable: dict[str, bool] = {}
    names: dict[str, str] = {}
    cues: dict[str, tuple[Cue, ...]] = {}
    for kind, spec in data["kinds"].items():
        if not isinstance(spec, dict):
            raise ConfigError(f"来源类型文件 {path}: {kind} 应为映射")
        labels[kind] = str(spec.get("label") or kind)
        citable[kind] = bool(spec.get("citable", True))
        for name in [kind, labels[kind], *(spec.get("names") or [])]:
            names[str(name).strip().lower()] = kind
        parsed = []
        for cue in spec.get("cues") or []:
            where = cue.get("where") if isinstance(cue, dict) else None
            if where not in _PARTS:
                raise ConfigError(f"来源类型文件 {path}: {kind} 的线索 where 应为 {'/'.join(_PARTS)}")
            try:
                parsed.append(Cue(where, re.compile(str(cue.get("pattern")), re.IGNORECASE | re.MULTILINE)))
            except re.error as exc:
                raise ConfigError(f"来源类型文件 {path}: {kind} 的线索 {cue.get('pattern')!r} 不是正则: {exc}") from exc
        cues[kind] = tuple(parsed)
    order = tuple(data.get("detect_order") or [k for k in labels if cues[k]])
    unknown = [k for k in order if k not in labels]
    if unknown:
        raise ConfigError(f"来源类型文件 {path}: detect_order 含未知类型 {', '.join(unknown)}")
    return SourceKinds(labels, citable, names, cues, order)


@functools.lru_cache(maxsize=4)
def load_source_kinds(path: Path = KINDS_PATH) -> SourceKinds:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"无法读取来源类型文件 {path}: {exc}") from exc
    return _parse(data, path)


def resolve_kind(value: str) -> str | None:
    """A kind given by a sidecar/front matter/record (id, label or alias) -> its id; None when not a kind."""
    return load_source_kinds().names.get(str(value).strip().lower())


def detect_kind(title: str, body: str, source: str) -> tuple[str, str]:
    """(kind, the cue that decided it) from the document itself; ("news", "") when no cue matches."""
    kinds = load_source_kinds()
    parts = {"title": title, "head": body[:HEAD_CHARS], "body": body, "source": source}
    for kind in kinds.order:
        for cue in kinds.cues.get(kind, ()):
            match = cue.pattern.search(parts[cue.where])
            if match:
                return kind, f"{cue.where}: {match.group(0)[:40]}"
    return "news", ""


def is_citable(item: NewsItem) -> bool:
    """False for broker research and internal notes (and any kind the data file marks ``citable: false``)."""
    return load_source_kinds().citable.get(item.source_kind, True)


def kind_label(kind: str) -> str:
    return load_source_kinds().labels.get(kind, kind)
