"""YAML for front matter and sidecars: the safe loader, refusing anchors and aliases while scanning.

A 1 KB "billion laughs" alias bomb expands to gigabytes in ``yaml.safe_load``; news metadata never needs
references, so the scanner stops at the first ``&anchor`` or ``*alias`` before anything is built.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml

__all__ = ["MAX_YAML_CHARS", "YamlRefused", "load_mapping"]

MAX_YAML_CHARS = 64_000
_SCALAR_FIELDS = frozenset({"id", "doc_id", "date", "title", "body", "source", "url", "category"})


class YamlRefused(ValueError):
    """Front matter or a sidecar that is not a plain YAML mapping."""


class _NoAliasLoader(yaml.SafeLoader):
    def fetch_alias(self) -> None:
        raise YamlRefused(f"不允许 YAML 别名（*alias），第 {self.line + 1} 行")

    def fetch_anchor(self) -> None:
        raise YamlRefused(f"不允许 YAML 锚点（&anchor），第 {self.line + 1} 行")


def load_mapping(text: str) -> dict[str, Any]:
    """A mapping with lower-case string keys and dates as ISO strings; raises YamlRefused with the reason."""
    if len(text) > MAX_YAML_CHARS:
        raise YamlRefused(f"YAML 长度 {len(text):,} 字符，超过上限 {MAX_YAML_CHARS:,}")
    try:
        data = yaml.load(text, Loader=_NoAliasLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise YamlRefused(f"不是有效 YAML: {exc}") from exc
    except RecursionError as exc:
        raise YamlRefused("YAML 嵌套过深") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise YamlRefused("必须是键值表")
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dt.datetime | dt.date):
            value = value.date().isoformat() if isinstance(value, dt.datetime) else value.isoformat()
        name = str(key).strip().lower()
        if isinstance(value, dict | list):
            if name in _SCALAR_FIELDS:
                raise YamlRefused(f"字段 {name} 必须是单个值，不能是列表或嵌套表")
            continue  # tags, authors and the like: not part of the contract
        out[name] = value
    return out
