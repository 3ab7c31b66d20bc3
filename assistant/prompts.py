"""Prompt files and the one strict renderer.

A prompt file is Markdown with a YAML front matter::

    ---
    id: llm_dynamics
    version: 1
    variables: [month_label, sources]
    ---
    body with {{ month_label }} ...

Only ``{{ name }}`` is a variable. Rendering is a single pass, so braces inside the values (corpus text, table
cells) are copied verbatim and never interpreted. A declared variable that is not given, or a variable used in
the body but not declared, is a ``PromptError``: a prompt never silently renders an empty string.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from assistant import PROJECT_DIR
from assistant.errors import PromptError

__all__ = ["PROMPTS_DIR", "PromptFile", "load_prompt", "render", "render_text"]

PROMPTS_DIR = PROJECT_DIR / "prompts"

_VAR = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)


@dataclass(frozen=True)
class PromptFile:
    id: str
    version: int
    variables: tuple[str, ...]
    body: str
    path: str
    sha256: str  # of the whole file's bytes: drafts record it as the template hash

    def render(self, values: Mapping[str, object]) -> str:
        return render(self.body, values, declared=self.variables, where=self.path)


def render_text(body: str, values: Mapping[str, object], *, where: str = "<text>") -> str:
    """Render a template string whose variables are exactly those it uses (e.g. a lead sentence in YAML)."""
    return render(body, values, declared=tuple(dict.fromkeys(_VAR.findall(body))), where=where)


def render(body: str, values: Mapping[str, object], *, declared: tuple[str, ...], where: str) -> str:
    missing = [name for name in declared if name not in values or values[name] is None]
    if missing:
        raise PromptError(f"提示词 {where} 缺少变量: {', '.join(missing)}")

    def _sub(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in declared:
            raise PromptError(f"提示词 {where} 使用了未声明的变量 {name}")
        return str(values[name])

    return _VAR.sub(_sub, body)


def _parse(path: Path, raw: bytes) -> PromptFile:
    text = raw.decode("utf-8")
    match = _FRONT.match(text)
    if not match:
        raise PromptError(f"提示词 {path} 缺少 front matter (--- id/version/variables ---)")
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise PromptError(f"提示词 {path} 的 front matter 无法解析: {exc}") from exc
    if not isinstance(meta, dict) or "id" not in meta or "version" not in meta:
        raise PromptError(f"提示词 {path} 的 front matter 必须包含 id 与 version")
    variables = tuple(str(v) for v in meta.get("variables") or [])
    body = text[match.end():]
    undeclared = sorted(set(_VAR.findall(body)) - set(variables))
    if undeclared:
        raise PromptError(f"提示词 {path} 使用了未声明的变量: {', '.join(undeclared)}")
    unused = sorted(set(variables) - set(_VAR.findall(body)))
    if unused:
        raise PromptError(f"提示词 {path} 声明了未使用的变量: {', '.join(unused)}")
    return PromptFile(id=str(meta["id"]), version=int(meta["version"]), variables=variables, body=body,
                      path=str(path), sha256=hashlib.sha256(raw).hexdigest())


@lru_cache(maxsize=128)
def _load_cached(path: Path, mtime_ns: int) -> PromptFile:
    return _parse(path, path.read_bytes())


def load_prompt(relative: str, prompts_dir: Path = PROMPTS_DIR) -> PromptFile:
    """Load ``prompts/<relative>``; cached per file modification time so edits are picked up."""
    path = (prompts_dir / relative).resolve()
    if not path.is_file():
        raise PromptError(f"提示词文件不存在: {path}")
    return _load_cached(path, path.stat().st_mtime_ns)
