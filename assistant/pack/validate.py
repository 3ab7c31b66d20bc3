"""Turn a raw table into a typed frame with English columns, stopping at the first bad cell.

Every PackError names the file, the row as a person sees it (header = row 1) and the file's own header.
Text columns are parsed on their distinct values (a full market has ~250 dates and ~5,300 codes in 1.3 M rows),
then spread back over the rows; numeric columns arrive parsed from the CSV reader unless a cell is not a number.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from assistant.errors import PackError
from assistant.pack.model import BOARDS
from assistant.pack.readers import ROW, RawTable
from assistant.pack.schema import MISSING_TOKENS, SCHEMAS, UNIQUE_KEYS, ColumnSpec

__all__ = ["normalise_fund_code", "normalise_period", "parse_table"]

_FUND_SUFFIX = re.compile(r"\.(OF|SH|SZ)$", re.IGNORECASE)
_PERIOD = re.compile(r"^(\d{4})(A|Q[1-4]|H[12])$")
_CN_PERIODS = {"年报": "A", "年度": "A", "一季报": "Q1", "中报": "H1", "半年报": "H1", "三季报": "Q3"}
_CN_PERIOD = re.compile(r"^(\d{4})年?(" + "|".join(_CN_PERIODS) + r")$")
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")


class _Bad(ValueError):
    """Internal: one distinct cell value cannot be parsed; the caller finds its first row."""


def normalise_fund_code(code: str) -> str:
    """Wind exports fund codes as ``001986.OF``; the report (and pack.yaml) use the bare ``001986``.

    Mainland fund codes have six digits; a shorter all-digit code is one whose leading zeros a spreadsheet
    dropped (a number cell ``1986``), so they are put back.
    """
    bare = _FUND_SUFFIX.sub("", code.strip())
    return bare.zfill(6) if bare.isdigit() and len(bare) < 6 else bare


def normalise_period(period: str) -> str | None:
    """``2023A``, ``2024Q1``, ``2024H1``, ``TTM`` and Chinese forms such as ``2023年报``; None if unknown."""
    text = period.strip().upper().replace(" ", "")
    if text == "TTM" or _PERIOD.match(text):
        return text
    match = _CN_PERIOD.match(period.strip())
    return f"{match.group(1)}{_CN_PERIODS[match.group(2)]}" if match else None


def _date(text: str) -> pd.Timestamp:
    head = text.split(" ")[0].split("T")[0].replace("/", "-").replace(".", "-")
    if re.fullmatch(r"\d{8}", head):
        head = f"{head[:4]}-{head[4:6]}-{head[6:]}"
    stamp = pd.to_datetime(head, format="%Y-%m-%d", errors="coerce") if _DATE.fullmatch(head) else pd.NaT
    if pd.isna(stamp):
        raise _Bad(f"日期无法解析: {text!r}（应为 YYYY-MM-DD）")
    return pd.Timestamp(stamp)


def _period(text: str) -> str:
    period = normalise_period(text)
    if period is None:
        raise _Bad(f"报告期无法识别: {text!r}（应为 2023A、2024Q1、2024H1 或 TTM）")
    return period


def _board(text: str) -> str:
    if text not in BOARDS:
        raise _Bad(f"未知上市板: {text!r}（应为 {'/'.join(BOARDS)}）")
    return text


_PARSERS: dict[str, Callable[[str], object]] = {
    "text": str,
    "code": str,
    "fund_code": normalise_fund_code,
    "date": _date,
    "period": _period,
    "board": _board,
    "currency": str.upper,
}
_EMPTY: dict[str, object] = {"date": pd.NaT, "currency": "CNY"}


def _fail(raw: RawTable, index: int, header: str, message: str) -> PackError:
    return PackError(message, file=str(raw.path), row=int(raw.frame[ROW].iloc[index]), field=header)


def _text_column(raw: RawTable, spec: ColumnSpec, header: str) -> pd.Series:
    codes, uniques = pd.factorize(raw.frame[header], use_na_sentinel=True)
    cleaned = ["" if pd.isna(u) else str(u).strip() for u in uniques]
    missing_ids = {i for i, text in enumerate(cleaned) if text in MISSING_TOKENS}
    if spec.nonempty and (missing_ids or (codes == -1).any()):
        index = int(((codes == -1) | np.isin(codes, list(missing_ids))).argmax())
        raise _fail(raw, index, header, "单元格为空")
    parse, empty = _PARSERS[spec.kind], _EMPTY.get(spec.kind, "")
    parsed: list[object] = []
    for i, text in enumerate(cleaned):
        try:
            parsed.append(empty if i in missing_ids else parse(text))
        except _Bad as bad:
            raise _fail(raw, int((codes == i).argmax()), header, str(bad)) from None
    # Code -1 (a NaN cell) picks the trailing empty value.
    if spec.kind == "date":
        days = pd.DatetimeIndex([*parsed, empty]).astype("datetime64[ns]")
        return pd.Series(days.take(codes), index=raw.frame.index)
    return pd.Series(np.array([*parsed, empty], dtype=object)[codes], index=raw.frame.index, dtype="str")


def _number_column(raw: RawTable, spec: ColumnSpec, header: str) -> pd.Series:
    column = raw.frame[header]
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        numbers = column.astype("float64")
    else:
        numbers = _numbers_from_text(raw, column.astype(object), header)
    if spec.nonempty and numbers.isna().any():
        raise _fail(raw, int(numbers.isna().to_numpy().argmax()), header, "单元格为空")
    return numbers


def _numbers_from_text(raw: RawTable, column: pd.Series, header: str) -> pd.Series:
    text = column.map(lambda v: "" if pd.isna(v) else str(v).strip().replace(",", ""))
    numbers = pd.to_numeric(text.where(~text.isin(MISSING_TOKENS), None), errors="coerce").astype("float64")
    bad = (numbers.isna() & ~text.isin(MISSING_TOKENS)).to_numpy()
    if bad.any():
        index = int(bad.argmax())
        raise _fail(raw, index, header, f"不是数字: {column.iloc[index]!r}")
    return numbers


def _check_positive(raw: RawTable, frame: pd.DataFrame, column: str) -> None:
    bad = (frame[column] <= 0).to_numpy()
    if bad.any():
        index = int(bad.argmax())
        raise _fail(raw, index, raw.headers[column], f"必须为正数: {frame[column].iloc[index]}")


def _check_unique(raw: RawTable, frame: pd.DataFrame) -> None:
    key = list(UNIQUE_KEYS[raw.name])
    duplicated = frame.duplicated(subset=key, keep="first").to_numpy()
    if not duplicated.any():
        return
    index = int(duplicated.argmax())
    row = frame.iloc[index]
    first = int((frame[key] == row[key]).all(axis=1).to_numpy().argmax())
    shown = ", ".join(f"{raw.headers[k]}={_show(row[k])}" for k in key)
    raise PackError(f"重复行（{shown}），与第 {int(frame[ROW].iloc[first])} 行重复", file=str(raw.path),
                    row=int(row[ROW]), field="+".join(raw.headers[k] for k in key))


def _show(value: object) -> str:
    return value.strftime("%Y-%m-%d") if isinstance(value, pd.Timestamp) else str(value)


def _absent(spec: ColumnSpec, index: pd.Index) -> pd.Series:
    if spec.kind == "currency":
        return pd.Series("CNY", index=index, dtype="str")
    return pd.Series(np.nan, index=index, dtype="float64")


def parse_table(raw: RawTable) -> pd.DataFrame:
    """The typed frame: English columns in the order of the schema, plus ``_row``."""
    columns: dict[str, pd.Series] = {}
    for spec in SCHEMAS[raw.name]:
        header = raw.headers.get(spec.name)
        if header is None:
            columns[spec.name] = _absent(spec, raw.frame.index)
        elif spec.kind == "number":
            columns[spec.name] = _number_column(raw, spec, header)
        else:
            columns[spec.name] = _text_column(raw, spec, header)
    columns[ROW] = raw.frame[ROW]
    frame = pd.DataFrame(columns)
    for column in ("close", "nav"):
        if column in raw.headers:
            _check_positive(raw, frame, column)
    _check_unique(raw, frame)
    return frame
