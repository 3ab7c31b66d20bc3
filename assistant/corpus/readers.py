"""Format adapters: JSONL, CSV (UTF-8 / BOM / GBK) and folders of front-matter .md/.html files -> raw records.

Readers only parse; field validation lives in ``assistant.corpus.items``. A record that cannot be parsed is
returned as a ``CorpusError`` in its place so that ``--skip-bad`` can skip exactly that line.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import CorpusError

__all__ = ["FOLDER_SUFFIXES", "RawRecord", "decode_text", "read_records"]

FOLDER_SUFFIXES = (".md", ".markdown", ".html", ".htm")
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


@dataclass(frozen=True)
class RawRecord:
    file: str
    row: int
    data: dict[str, Any]


def decode_text(raw: bytes, file: str) -> str:
    """UTF-8 (with or without BOM) first; GB18030 (a superset of GBK) as terminals export it."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CorpusError("编码无法识别（支持 UTF-8、UTF-8 BOM、GBK/GB18030）", file=file)


def _read_jsonl(path: Path) -> list[RawRecord | CorpusError]:
    out: list[RawRecord | CorpusError] = []
    text = decode_text(path.read_bytes(), str(path))
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            out.append(CorpusError(f"JSON 格式错误: {exc.msg} (第 {exc.colno} 列)", file=str(path), row=lineno))
            continue
        if not isinstance(data, dict):
            out.append(CorpusError("每行必须是一个 JSON 对象", file=str(path), row=lineno))
            continue
        out.append(RawRecord(str(path), lineno, data))
    return out


def _read_csv(path: Path) -> list[RawRecord | CorpusError]:
    text = decode_text(path.read_bytes(), str(path))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        return []
    except csv.Error as exc:
        raise CorpusError(f"CSV 表头无法解析: {exc}", file=str(path), row=1) from exc
    out: list[RawRecord | CorpusError] = []
    start = reader.line_num + 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            out.append(CorpusError(f"CSV 格式错误: {exc}", file=str(path), row=start))
            start = reader.line_num + 1
            continue
        if any(v.strip() for v in values):
            if len(values) > len(header):
                out.append(CorpusError(f"列数 {len(values)} 多于表头 {len(header)}", file=str(path), row=start))
            else:
                out.append(RawRecord(str(path), start, {h: v for h, v in zip(header, values, strict=False) if v != ""}))
        start = reader.line_num + 1
    return out


class _TextExtractor(HTMLParser):
    """HTML -> plain text; script/style dropped, block tags become line breaks (sentence boundaries)."""

    _BLOCK = frozenset({"p", "br", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self._skip:
            self._skip -= 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _html_to_text(markup: str) -> str:
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    lines = (" ".join(html.unescape(line).split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def _read_front_matter_file(path: Path) -> RawRecord | CorpusError:
    try:
        text = decode_text(path.read_bytes(), str(path))
    except CorpusError as exc:
        return exc
    match = _FRONT_MATTER.match(text)
    if not match:
        return CorpusError("缺少 YAML front-matter（以 --- 开头和结尾）", file=str(path), row=1)
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        return CorpusError(f"front-matter 不是有效 YAML: {exc}", file=str(path), row=1)
    if not isinstance(meta, dict):
        return CorpusError("front-matter 必须是键值表", file=str(path), row=1)
    body = text[match.end():]
    if path.suffix.lower() in {".html", ".htm"}:
        body = _html_to_text(body)
    data = {str(k).lower(): (v.isoformat() if isinstance(v, dt.date) else v) for k, v in meta.items()}
    data.setdefault("body", body.strip())
    return RawRecord(str(path), 1, data)


def read_records(path: Path) -> list[RawRecord | CorpusError]:
    """Parse ``path`` (file or folder) into raw records, keeping parse errors in place."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in FOLDER_SUFFIXES)
        return [_read_front_matter_file(p) for p in files]
    if not path.is_file():
        raise CorpusError("语料文件或目录不存在", file=str(path))
    suffix = path.suffix.lower()
    if suffix in {".jsonl", ".ndjson", ".json"}:
        return _read_jsonl(path)
    if suffix == ".csv":
        return _read_csv(path)
    if suffix in FOLDER_SUFFIXES:
        return [_read_front_matter_file(path)]
    raise CorpusError(f"不支持的语料格式 {suffix!r}（支持 .jsonl、.csv 或 .md/.html 目录）", file=str(path))
