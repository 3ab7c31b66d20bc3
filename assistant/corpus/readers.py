"""Format adapters -> raw records: JSONL, CSV (UTF-8 / BOM / GBK), and folders that mix front-matter .md/.html,
saved web pages, PDF, Word and RSS/Atom files (``assistant.corpus.documents`` / ``feeds``).

Readers only parse; cleaning and validation live in ``assistant.corpus.items``. A record that cannot be parsed is
returned as a ``CorpusError`` in its place so that ``--skip-bad`` skips exactly that line or file. Each record
says where every field came from (``origins``); a sidecar ``<file>.yaml`` and front matter win over extraction.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.corpus import bounds, documents, feeds, pdf
from assistant.corpus.clean import html_to_text
from assistant.corpus.record import RawRecord
from assistant.corpus.safe_yaml import YamlRefused, load_mapping
from assistant.errors import CorpusError

__all__ = ["DOCUMENT_SUFFIXES", "FOLDER_SUFFIXES", "RawRecord", "decode_page", "decode_text", "file_kind", "read_file",
           "read_records"]

DOCUMENT_SUFFIXES = (".pdf", ".docx", ".xml", ".rss", ".atom")
FOLDER_SUFFIXES = (".md", ".markdown", ".html", ".htm", ".jsonl", ".ndjson", ".csv", *DOCUMENT_SUFFIXES)
# What a parser may raise on a hostile file besides CorpusError/OSError (lxml's XMLSyntaxError is a SyntaxError)
_PARSE_ERRORS: tuple[type[Exception], ...] = (*bounds.ZIP_ERRORS, RecursionError, MemoryError, SyntaxError)
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


def decode_text(raw: bytes, file: str) -> str:
    """UTF-8 (with or without BOM) first; GB18030 (a superset of GBK) as terminals export it."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CorpusError("编码无法识别（支持 UTF-8、UTF-8 BOM、GBK/GB18030）", file=file)


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "big5": "big5hkscs"}


def decode_page(raw: bytes, file: str) -> str:
    """A saved page in the encoding its ``<meta charset>`` declares (Big5, Shift-JIS, …), else as ``decode_text``."""
    match = _META_CHARSET.search(raw[:4096])
    if match:
        name = match.group(1).decode("ascii", "ignore").lower()
        try:
            return raw.decode(_SUPERSETS.get(name, name)).removeprefix("\ufeff")
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown declaration: fall back to detection
    return decode_text(raw, file)


def _record(file: str, row: int, data: dict[str, Any], kind: str, origin: str) -> RawRecord:
    data = {str(k).strip().lower(): v for k, v in data.items()}
    return RawRecord(file, row, data, kind, {k: origin for k in data})


def _read_jsonl(path: Path) -> list[RawRecord | CorpusError]:
    out: list[RawRecord | CorpusError] = []
    text = decode_text(bounds.read_bounded(path, "jsonl"), str(path))
    # JSON Lines are separated by "\n" only: str.splitlines would also cut at U+2028/U+2029/NEL, which JSON allows
    # raw inside a string (json.dumps(..., ensure_ascii=False) writes them so), and turn a valid line into two.
    for lineno, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            out.append(CorpusError(f"JSON 格式错误: {exc.msg} (第 {exc.colno} 列)", file=str(path), row=lineno))
            continue
        except RecursionError:
            out.append(CorpusError("JSON 嵌套过深", file=str(path), row=lineno))
            continue
        if not isinstance(data, dict):
            out.append(CorpusError("每行必须是一个 JSON 对象", file=str(path), row=lineno))
            continue
        out.append(_record(str(path), lineno, data, "jsonl", "record"))
    return out


def _read_csv(path: Path) -> list[RawRecord | CorpusError]:
    text = decode_text(bounds.read_bounded(path, "csv"), str(path))
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
                data = {h: v for h, v in zip(header, values, strict=False) if v != ""}
                out.append(_record(str(path), start, data, "csv", "record"))
        start = reader.line_num + 1
    return out


def _split_front_matter(path: Path, text: str) -> tuple[dict[str, Any], str] | None:
    match = _FRONT_MATTER.match(text)
    if not match:
        return None
    try:
        meta = load_mapping(match.group(1))
    except YamlRefused as exc:
        raise CorpusError(f"front-matter {exc}", file=str(path), row=1) from exc
    return meta, text[match.end():]


def _front_matter_file(path: Path, text: str, meta: dict[str, Any], body: str) -> RawRecord:
    if path.suffix.lower() in {".html", ".htm"}:
        body = html_to_text(body)
    record = _record(str(path), 1, meta, "front_matter", "front_matter")
    if "body" not in record.data:
        record.data["body"] = body.strip()
        record.origins["body"] = "text"
    return record


def file_kind(path: Path) -> str:
    suffix = path.suffix.lower()
    return {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".pdf": "pdf", ".docx": "docx",
            ".xml": "feed", ".rss": "feed", ".atom": "feed", ".md": "front_matter", ".markdown": "front_matter",
            ".html": "page", ".htm": "page"}.get(suffix, "")


def _read_document(path: Path) -> list[RawRecord | CorpusError]:
    kind = file_kind(path)
    bounds.check_size(path, kind)  # before any reader touches it: a 1 GiB sparse file is never read
    if kind == "feed":
        return feeds.read_feed(path)
    raw = bounds.read_bounded(path, kind)
    if kind in {"front_matter", "page"}:
        text = decode_page(raw, str(path)) if kind == "page" else decode_text(raw, str(path))
        split = _split_front_matter(path, text)
        if split is not None:
            return [_front_matter_file(path, text, *split)]
        if kind == "front_matter":
            return [CorpusError("缺少 YAML front-matter（以 --- 开头和结尾）", file=str(path), row=1)]
        return [documents.read_page(path, text)]
    if kind == "pdf":
        return [pdf.read_pdf(path, raw)]
    return [documents.read_docx(path, raw)]


def _with_sidecar(path: Path, records: list[RawRecord | CorpusError]) -> list[RawRecord | CorpusError]:
    """Fields of ``<file>.yaml`` win over what the file itself gave (extraction or front matter)."""
    sidecar = path.with_name(path.name + ".yaml")
    if not sidecar.is_file():
        return records
    try:
        meta = load_mapping(decode_text(bounds.read_bounded(sidecar, "sidecar"), str(sidecar)))
    except CorpusError as exc:
        return [exc]
    except YamlRefused as exc:
        return [CorpusError(f"sidecar {exc}", file=str(sidecar), row=1)]
    out: list[RawRecord | CorpusError] = []
    for rec in records:
        if isinstance(rec, CorpusError):
            # A file nothing could be read from (a scan) stands only when the sidecar gives every required field.
            if rec.row not in (None, 1) or not {"date", "title", "source", "body"} <= set(meta):
                out.append(rec)
                continue
            rec = RawRecord(str(path), 1, {}, file_kind(path) or "record", {}, (f"未能从文件中提取：{rec.reason}",))
        data = {**rec.data, **meta}
        origins = {**rec.origins, **dict.fromkeys(meta, "sidecar")}
        out.append(RawRecord(rec.file, rec.row, data, rec.kind, origins, rec.warnings, rec.missing))
    return out


def read_file(path: Path) -> list[RawRecord | CorpusError]:
    """Records of one corpus file (one per line, row or feed entry; one for a document), errors in place."""
    kind = file_kind(path)
    try:
        if kind == "jsonl":
            records = _read_jsonl(path)
        elif kind == "csv":
            records = _read_csv(path)
        else:
            records = _read_document(path)
    except CorpusError as exc:
        records = [exc]
    except OSError as exc:
        records = [CorpusError(f"无法读取文件: {exc.strerror or exc}", file=str(path))]
    except _PARSE_ERRORS as exc:
        # the last net under every parser (zip, lxml's XMLSyntaxError is a SyntaxError): a message naming the file
        records = [CorpusError(f"文件无法解析: {type(exc).__name__}", file=str(path), row=1)]
    return _with_sidecar(path, records)


def read_records(path: Path, on_file: Callable[[int, int, Path], None] | None = None
                 ) -> list[RawRecord | CorpusError]:
    """Parse ``path`` (file or folder) into raw records, keeping parse errors in place. ``on_file(done, total,
    file)`` is called after each file of a folder (a month of PDFs takes a while)."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in FOLDER_SUFFIXES)
        out: list[RawRecord | CorpusError] = []
        for done, file in enumerate(files, start=1):
            try:
                bounds.check_inside(file, path)  # a symbolic link out of the folder is never followed
            except CorpusError as exc:
                out.append(exc)
            else:
                out.extend(read_file(file))
            if on_file is not None:
                on_file(done, len(files), file)
        return out
    if not path.is_file():
        raise CorpusError("语料文件或目录不存在", file=str(path))
    if not file_kind(path):
        raise CorpusError(f"不支持的语料格式 {path.suffix.lower()!r}（支持 .jsonl、.csv、.md/.html、.pdf、.docx、"
                          ".xml 或它们的目录）", file=str(path))
    return read_file(path)
