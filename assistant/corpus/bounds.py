"""Bounded reading of untrusted files: limits checked before a reader spends memory or time on them.

A 1 GiB sparse file is refused by its size (``stat``), never read; a zip (a .docx/.xlsx, an upload) is checked
member by member while it is inflated, so a lying central directory, an encrypted member, an unsupported method, a
CRC error, a name too long for the file system, thousands of nested folders or XML that inflates to hundreds of MB
each becomes one ``InputError`` naming the file (``CorpusError`` for corpus files: ``--skip-bad`` skips it). Office
XML carrying a DTD (entity amplification, external entities) is refused outright: Word and Excel never write one.
"""

from __future__ import annotations

import io
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from assistant.errors import CorpusError, InputError

__all__ = ["LIMITS", "ZIP_ERRORS", "Limits", "check_inside", "check_office_zip", "check_pages", "check_size",
           "docx_text", "extract_zip", "read_bounded", "zip_members"]

_MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What one file may cost. Generous for real months (a corpus .jsonl of 100k items is ~250 MB)."""

    file_bytes: dict[str, int]
    default_file_bytes: int = 64 * _MB
    zip_members: int = 5000
    zip_bytes: int = 500 * _MB          # all members of an upload, inflated
    office_members: int = 2000
    office_xml_bytes: int = 64 * _MB    # all XML of one .docx/.xlsx, inflated
    name_bytes: int = 255               # one path component (NAME_MAX)
    path_bytes: int = 1024
    depth: int = 32
    paragraphs: int = 50_000
    pdf_pages: int = 2000

    def for_kind(self, kind: str) -> int:
        return self.file_bytes.get(kind, self.default_file_bytes)


LIMITS = Limits(file_bytes={"jsonl": 512 * _MB, "csv": 512 * _MB, "pdf": 200 * _MB, "docx": 100 * _MB,
                            "xlsx": 100 * _MB, "feed": 64 * _MB, "page": 32 * _MB, "front_matter": 32 * _MB,
                            "sidecar": 1 * _MB})

# Everything zipfile and its decompressors raise on a damaged or hostile archive.
ZIP_ERRORS: tuple[type[Exception], ...] = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError,
                                               NotImplementedError, RuntimeError, ValueError, struct.error, OSError,
                                               KeyError, UnicodeDecodeError)


def _mb(n: int) -> str:
    return f"{n / _MB:,.0f} MB" if n >= _MB else f"{n:,} 字节"


def check_inside(path: Path, root: Path, *, error: type[InputError] = CorpusError) -> None:
    """Refuse a file that is (or passes through) a symbolic link leading outside ``root``."""
    try:
        resolved = path.resolve(strict=True)
        inside = resolved.is_relative_to(root.resolve(strict=True))
    except (OSError, RuntimeError) as exc:  # a dangling link or a loop
        raise error(f"无法解析文件路径（符号链接损坏或循环）: {exc}", file=str(path)) from None
    if not inside:
        raise error("符号链接指向语料目录之外，已拒绝读取", file=str(path))


def check_size(path: Path, kind: str, *, limits: Limits = LIMITS, error: type[InputError] = CorpusError) -> int:
    """The file's size from ``stat``, refused before reading when over the limit for ``kind``."""
    try:
        info = path.stat()
    except OSError as exc:
        raise error(f"无法读取文件: {exc.strerror or exc}", file=str(path)) from None
    if not stat.S_ISREG(info.st_mode):
        raise error("不是普通文件（设备、管道或目录），已拒绝读取", file=str(path))
    limit = limits.for_kind(kind)
    if info.st_size > limit:
        raise error(f"文件 {_mb(info.st_size)}，超过 {kind or '此类'} 文件上限 {_mb(limit)}，未读取", file=str(path))
    return info.st_size


def read_bounded(path: Path, kind: str, *, limits: Limits = LIMITS, error: type[InputError] = CorpusError) -> bytes:
    """The file's bytes, its size checked first; a file that grows while read is still cut at the limit."""
    check_size(path, kind, limits=limits, error=error)
    limit = limits.for_kind(kind)
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise error(f"文件超过 {kind or '此类'} 文件上限 {_mb(limit)}，未读取", file=str(path))
    return data


def check_pages(count: int, file: str, *, limits: Limits = LIMITS) -> None:
    if count > limits.pdf_pages:
        raise CorpusError(f"PDF 共 {count:,} 页，超过上限 {limits.pdf_pages:,} 页，未读取", file=file, row=1)


# ------------------------------------------------------------------ zip archives
_SUPPORTED = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate", zipfile.ZIP_BZIP2: "bzip2",
              zipfile.ZIP_LZMA: "lzma"}
_DTD_MARKS = (b"<!DOCTYPE", b"<!ENTITY", b"<!doctype", b"<!entity")


def _name_problem(name: str, limits: Limits) -> str | None:
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":") or "\\" in name or "\x00" in name:
        return "成员路径不安全（绝对路径、盘符、反斜杠或空字符）"
    parts = PurePosixPath(name).parts
    if ".." in parts:
        return "成员路径不安全（含 ..）"
    if len(parts) > limits.depth:
        return f"成员嵌套 {len(parts)} 层目录，超过上限 {limits.depth} 层"
    if len(name.encode("utf-8")) > limits.path_bytes:
        return f"成员路径 {len(name.encode('utf-8'))} 字节，超过上限 {limits.path_bytes} 字节"
    longest = max((len(p.encode("utf-8")) for p in parts), default=0)
    if longest > limits.name_bytes:
        return f"成员文件名 {longest} 字节，超过文件系统上限 {limits.name_bytes} 字节"
    if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in name):
        return "成员文件名含控制字符"
    return None


def _shown(name: str) -> str:
    """A member name as a message may quote it: bounded, control characters escaped."""
    name = name if len(name) <= 80 else name[:77] + "…"
    return name.encode("unicode_escape").decode("ascii") if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0
                                                                 for c in name) else name


def _open_zip(data: bytes, label: str, error: type[InputError]) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except ZIP_ERRORS as exc:
        raise error(f"不是有效的 zip 压缩包（{type(exc).__name__}）", file=label) from None


def _check_infos(archive: zipfile.ZipFile, label: str, error: type[InputError], *, members: int, total: int,
                 limits: Limits) -> list[zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > members:
        raise error(f"压缩包有 {len(infos):,} 个成员，超过上限 {members:,} 个", file=label)
    seen: set[str] = set()
    declared = 0
    for info in infos:
        problem = _name_problem(info.filename, limits)
        if problem:
            raise error(problem, file=label, field=_shown(info.filename))
        if info.filename in seen:
            raise error("压缩包中有重名成员", file=label, field=_shown(info.filename))
        seen.add(info.filename)
        if info.flag_bits & 0x1:
            raise error("成员已加密，无法读取（请上传未加密的压缩包）", file=label, field=_shown(info.filename))
        if info.compress_type not in _SUPPORTED:
            method = "（AES 加密）" if info.compress_type == 99 else ""
            raise error(f"成员使用不支持的压缩方法 {info.compress_type}{method}，请用普通 zip（deflate）重新打包",
                        file=label, field=_shown(info.filename))
        declared += info.file_size
    if declared > total:
        raise error(f"压缩包声明解压后 {_mb(declared)}，超过上限 {_mb(total)}", file=label)
    return infos


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, error: type[InputError], budget: int,
             *, refuse_dtd: bool = False) -> Iterator[bytes]:
    """The member's bytes in pieces, stopped at its declared size and at ``budget`` (a lying directory); a CRC
    error, a truncated stream or a DTD in office XML raise ``error``."""
    limit = min(info.file_size, budget)
    produced = 0
    tail = b""
    try:
        with archive.open(info) as member:
            while True:
                piece = member.read(1 << 16)
                if not piece:
                    break
                produced += len(piece)
                if produced > limit:
                    why = "超过其声明大小（目录信息不实）" if produced > info.file_size else f"超过上限 {_mb(budget)}"
                    raise error(f"成员解压后{why}，已停止", file=label, field=_shown(info.filename))
                if refuse_dtd and any(m in tail + piece for m in _DTD_MARKS):
                    raise error("XML 含 DTD/实体声明（可能是实体膨胀攻击），已拒绝", file=label,
                                field=_shown(info.filename))
                tail = piece[-16:]
                yield piece
    except InputError:
        raise
    except ZIP_ERRORS as exc:
        reason = "CRC 校验失败（文件损坏）" if "CRC" in str(exc) else f"{type(exc).__name__}"
        raise error(f"成员无法解压：{reason}", file=label, field=_shown(info.filename)) from None
    if produced != info.file_size:
        raise error("成员解压后的大小与目录信息不符（文件损坏或被篡改）", file=label, field=_shown(info.filename))


def zip_members(data: bytes, label: str, *, limits: Limits = LIMITS,
                error: type[InputError] = InputError) -> list[str]:
    """Check a whole archive (names, flags, methods, every member inflated within the limits, CRCs) without
    writing anything; returns the file members' names."""
    with _open_zip(data, label, error) as archive:
        infos = _check_infos(archive, label, error, members=limits.zip_members, total=limits.zip_bytes, limits=limits)
        budget = limits.zip_bytes
        for info in infos:
            for piece in _inflate(archive, info, label, error, budget):
                budget -= len(piece)
        return [i.filename for i in infos if not i.is_dir()]


def extract_zip(data: bytes, target: Path, label: str, *, limits: Limits = LIMITS,
                error: type[InputError] = InputError) -> Path:
    """Unpack an uploaded zip into ``target`` with every check of ``zip_members``; members are written only
    after the whole archive checked out, so a refused upload leaves nothing behind."""
    zip_members(data, label, limits=limits, error=error)
    root = target.resolve()
    with _open_zip(data, label, error) as archive:
        for info in archive.infolist():
            out = (root / info.filename).resolve()
            if not out.is_relative_to(root):
                raise error("压缩包中有不安全的路径", file=label, field=_shown(info.filename))
            if info.is_dir():
                out.mkdir(parents=True, exist_ok=True)
                continue
            out.parent.mkdir(parents=True, exist_ok=True)
            with out.open("wb") as handle:
                for piece in _inflate(archive, info, label, error, limits.zip_bytes):
                    handle.write(piece)
    return target


def check_office_zip(raw: bytes, file: str, *, limits: Limits = LIMITS,
                     error: type[InputError] = CorpusError) -> None:
    """A .docx/.xlsx before python-docx/openpyxl parse it: member count, inflated XML bytes, DTDs, CRCs."""
    with _open_zip(raw, file, error) as archive:
        infos = _check_infos(archive, file, error, members=limits.office_members, total=limits.office_xml_bytes,
                             limits=limits)
        budget = limits.office_xml_bytes
        for info in infos:
            if info.is_dir():
                continue
            xml = info.filename.lower().endswith((".xml", ".rels"))
            for piece in _inflate(archive, info, file, error, budget, refuse_dtd=xml):
                budget -= len(piece)


# ------------------------------------------------------------------ Word text in linear time
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TEXT_TAGS = {_W + "t": None, _W + "tab": "\t", _W + "br": "\n", _W + "cr": "\n"}


def _para_text(p: Any) -> str:
    """A paragraph's text (runs, hyperlinks, tabs, breaks; deleted text is ``w:delText`` and left out), one walk
    over its elements: python-docx's ``Paragraph.text`` compiles two XPath expressions per paragraph."""
    parts: list[str] = []
    for el in p.iter(*_TEXT_TAGS):
        fixed = _TEXT_TAGS[el.tag]
        parts.append(el.text or "" if fixed is None else fixed)
    return "".join(parts).strip()


def _style_id(p: Any) -> str:
    ppr = p.find(_W + "pPr")
    style = ppr.find(_W + "pStyle") if ppr is not None else None
    return str(style.get(_W + "val") or "") if style is not None else ""


def docx_text(document: Any, *, file: str, limits: Limits = LIMITS) -> tuple[list[str], str | None]:
    """Paragraph and table-cell lines in body order, and the first Title/Heading paragraph's text.

    python-docx's ``Paragraph.style`` resolves a paragraph without a style through a scan of every style in the
    document (~5 ms each: 30,000 paragraphs cost a minute) and ``Paragraph.text`` compiles XPath per call; here
    style ids are mapped to names once and each element is visited once.
    """
    styles = {s.style_id: (s.name or "") for s in document.styles}
    lines: list[str] = []
    heading: str | None = None
    count = 0
    for child in document.element.body.iterchildren():
        if child.tag == _W + "p":
            count += 1
            text = _para_text(child)
            if heading is None and text and styles.get(_style_id(child), "").startswith(("Title", "Heading", "标题")):
                heading = text
            lines.append(text)
        elif child.tag == _W + "tbl":
            for row in child.iter(_W + "tr"):
                cells = ["\n".join(_para_text(p) for p in tc.iter(_W + "p")) for tc in row.iterchildren(_W + "tc")]
                count += len(cells)
                lines.append(" | ".join(c.strip() for c in cells))
        if count > limits.paragraphs:
            raise CorpusError(f"Word 文件超过 {limits.paragraphs:,} 个段落/单元格，未读取", file=file, row=1)
    return lines, heading
