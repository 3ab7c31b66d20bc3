"""File adapters for the market data pack: locate a table file, decode it, read it into raw string columns.

Every frame returned here holds the file's cells under the file's own headers (text as Python strings; the
numeric columns of a CSV parsed by the C parser when every cell is a number, else left as text), plus a ``_row``
column with the 1-based row number a person sees in the file (header = row 1), so that validation can point at
the exact line. Parsing into dates and numbers happens in :mod:`assistant.pack.validate`.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

import pandas as pd

from assistant.corpus import bounds
from assistant.errors import PackError
from assistant.pack.schema import MISSING_TOKENS, map_columns, number_headers

__all__ = ["ROW", "TABLE_FILE_NAMES", "RawTable", "decode_csv", "find_table_file", "read_table"]

ROW = "_row"

# Logical table -> accepted file stems (English first; the Chinese names terminal users tend to pick).
TABLE_FILE_NAMES: dict[str, tuple[str, ...]] = {
    "prices": ("prices", "行情", "日行情", "收盘价"),
    "constituents": ("constituents", "成分股", "成份股"),
    "financials": ("financials", "财务数据", "财务"),
    "funds": ("funds", "基金", "基金列表"),
    "fund_navs": ("fund_navs", "基金净值", "净值"),
}
_SUFFIXES = (".csv", ".xlsx")
_BLANK_LINE = re.compile(r"\n[ \t,]*\r?\n")


@dataclass(frozen=True)
class RawTable:
    """One table file as read: string cells under the file's headers, and the file's bytes for hashing."""

    name: str  # logical name, e.g. "prices"
    path: Path
    frame: pd.DataFrame  # the file's columns (numeric ones already parsed in CSV files) plus ``_row``
    headers: dict[str, str]  # English column name -> the file's header
    data: bytes


def find_table_file(root: Path, name: str) -> Path:
    """The one file in ``root`` holding table ``name``; a missing or ambiguous file is a PackError."""
    found = [
        root / f"{stem}{suffix}"
        for stem in TABLE_FILE_NAMES[name]
        for suffix in _SUFFIXES
        if (root / f"{stem}{suffix}").is_file()
    ]
    if not found:
        expected = " / ".join(f"{stem}.csv|.xlsx" for stem in TABLE_FILE_NAMES[name])
        raise PackError(f"数据包缺少 {name} 表文件（应为 {expected}）", file=str(root / f"{name}.csv"))
    if len(found) > 1:
        names = "、".join(p.name for p in found)
        raise PackError(f"{name} 表有多个候选文件（{names}），只能保留一个", file=str(found[0]))
    return found[0]


_ENCODINGS_TEXT = "仅支持 UTF-8、UTF-8 BOM、GBK/GB18030"
# charset-normalizer's names of the GB family (GB2312 and GBK are subsets of GB18030).
_GB_FAMILY = frozenset({"gb18030", "gbk", "gb2312", "hz"})


def _gb_plausible(data: bytes) -> str | None:
    """None when charset-normalizer counts GB18030 among the plausible decodings, else its best guess.

    Almost any byte string decodes as GB18030, so "it decodes" says nothing: a Big5 or Shift-JIS export
    decodes into mojibake. charset-normalizer scores each decoding's mess; GB18030 missing from the
    candidates it keeps means the GB18030 reading is garbage. (Its single best guess is not used as the
    test: on short GBK files it often prefers cp949 with GB18030 a close second.)
    """
    from charset_normalizer import from_bytes  # imported here: only non-UTF-8 files pay for it

    matches = from_bytes(data)
    if any(match.encoding in _GB_FAMILY for match in matches):
        return None
    best = matches.best()
    return best.encoding if best is not None else "未知"


def decode_csv(data: bytes, path: Path) -> str:
    """Decode CSV bytes: UTF-8 (with or without BOM) first, then GB18030 (a superset of GBK), else an error."""
    if b"\x00" in data:
        # NUL bytes mean UTF-16/32 or a binary file; gb18030 would not always reject them.
        raise PackError(f"文件编码无法识别（{_ENCODINGS_TEXT}）", file=str(path))
    try:
        return data.decode("utf-8-sig", errors="strict")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030", errors="strict")
    except UnicodeDecodeError:
        raise PackError(f"文件编码无法识别（{_ENCODINGS_TEXT}）", file=str(path)) from None
    guess = _gb_plausible(data)
    if guess is not None:
        raise PackError(f"文件编码似为 {guess}，不在支持之列（{_ENCODINGS_TEXT}）；请另存为 UTF-8", file=str(path))
    return text


def _csv_frame(text: str, path: Path, name: str) -> tuple[pd.DataFrame, dict[str, str]]:
    try:
        header = pd.read_csv(io.StringIO(text), nrows=0, dtype=object)
    except pd.errors.EmptyDataError as exc:
        raise PackError("文件为空（没有表头）", file=str(path), row=1) from exc
    except pd.errors.ParserError as exc:
        raise PackError(f"CSV 无法解析: {exc}", file=str(path), row=1) from exc
    headers = [str(c) for c in header.columns]
    raw_of = dict(zip(_clean_headers(headers), headers, strict=True))
    mapping = map_columns(name, str(path), list(raw_of))
    numeric = {raw_of[h] for h in number_headers(name, mapping)}
    # Text columns stay Python strings (object): converting 1 M cells to Arrow strings costs more than parsing.
    dtypes: dict[str, Any] = {h: object for h in headers if h not in numeric}
    try:
        frame = pd.read_csv(
            io.StringIO(text), dtype=dtypes, keep_default_na=False, skip_blank_lines=False,
            skipinitialspace=True, na_values={h: sorted(MISSING_TOKENS) for h in numeric},
        )
    except pd.errors.ParserError as exc:
        # The C parser says "Expected 5 fields in line 7, saw 6": line 7 is the row a person sees.
        line = re.search(r"line (\d+)", str(exc))
        raise PackError(f"CSV 无法解析: {exc}", file=str(path), row=int(line.group(1)) if line else None) from exc
    # Header is line 1, so data row i (0-based) is line i + 2; blank lines were kept to keep this exact.
    frame[ROW] = range(2, len(frame) + 2)
    if _BLANK_LINE.search(text):
        frame = _drop_blank_rows(frame)
    return frame, mapping


def _clean_headers(headers: list[str]) -> list[str]:
    return [h.strip().lstrip("\ufeff") for h in headers]


def _drop_blank_rows(frame: pd.DataFrame) -> pd.DataFrame:
    cells = frame.drop(columns=[ROW])
    blank = (cells.isna() | (cells == "")).all(axis=1)
    return frame.loc[~blank].reset_index(drop=True)


def _cell_text(value: Any) -> str:
    """An XLSX cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_frame(data: bytes, path: Path, name: str) -> tuple[pd.DataFrame, dict[str, str]]:
    from openpyxl import load_workbook  # imported here: only packs with .xlsx files pay for it

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (OSError, ValueError, KeyError, BadZipFile, EOFError) as exc:
        raise PackError(f"XLSX 文件损坏或不完整，无法打开（{type(exc).__name__}）；请重新导出", file=str(path)) from None
    try:
        if not workbook.worksheets:
            raise PackError("XLSX 没有工作表", file=str(path))
        rows = [[_cell_text(v) for v in row] for row in workbook.worksheets[0].iter_rows(values_only=True)]
    except (OSError, ValueError, KeyError, BadZipFile, EOFError, SyntaxError) as exc:
        # SyntaxError covers xml.etree's ParseError: a sheet whose XML was cut off
        raise PackError(f"XLSX 文件损坏或不完整，无法读取（{type(exc).__name__}）；请重新导出", file=str(path)) from None
    finally:
        workbook.close()
    if not rows:
        raise PackError("工作表为空（没有表头）", file=str(path), row=1)
    header = _clean_headers(rows[0])
    while header and not header[-1]:
        header.pop()  # trailing empty header cells are formatting, not columns
    mapping = map_columns(name, str(path), header)
    body = [(r + [""] * len(header))[: len(header)] for r in rows[1:]]
    frame = pd.DataFrame(body, columns=header, dtype=object)
    frame[ROW] = range(2, len(frame) + 2)
    return _drop_blank_rows(frame), mapping


def read_table(root: Path, name: str) -> RawTable:
    """Read table ``name`` from the pack folder: cells, row numbers, and which header holds which column."""
    path = find_table_file(root, name)
    kind = "xlsx" if path.suffix == ".xlsx" else "csv"
    data = bounds.read_bounded(path, kind, error=PackError)  # size before reading: a sparse 1 GiB file is refused
    if kind == "xlsx":
        try:  # inflated XML, DTDs, CRCs before openpyxl parses it
            bounds.check_office_zip(data, str(path), error=PackError)
        except PackError as exc:
            raise PackError(f"XLSX 文件损坏或不安全，无法打开：{exc.reason}；请重新导出", file=str(path)) from None
        frame, mapping = _xlsx_frame(data, path, name)
    else:
        frame, mapping = _csv_frame(decode_csv(data, path), path, name)
    frame.columns = [*_clean_headers([str(c) for c in frame.columns[:-1]]), ROW]
    return RawTable(name=name, path=path, frame=frame, headers=mapping, data=data)
