"""Data-to-text for the market review: sentences whose every number is a placeholder bound to a table cell.

The sentences name securities by the text in the table and leave each figure as ``{T1.<code>.<column>}``, so the
numbers printed are exactly the computed table's cells (filled by ``placeholders.fill_placeholders``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.drafting.context import Source
from assistant.drafting.extract import needs_antecedent
from assistant.drafting.placeholders import cell_placeholder
from assistant.drafting.text import instruction_like
from assistant.models import Table, TableSet
from assistant.pack.model import BOARDS
from assistant.tables.valuation import EXTREME_PE

__all__ = ["MEAGRE_PROFIT", "core_market_facts", "driver_sentence", "market_gaps", "market_sentences", "missing_tables",
           "reports_move"]


# A PE this high (tables.valuation.EXTREME_PE) says the members barely earn: printed with that reason.
MEAGRE_PROFIT = "成分股整体微利，PE 不具参考意义"
# a month may have no gainer or no loser at all: the movers tables are then empty by design, and say so
_MAY_BE_EMPTY = ("T1", "T2", "top_movers", "bottom_movers")


def missing_tables(tables: TableSet, needed: Sequence[str]) -> list[str]:
    """The needed tables (by id or key) that are absent or have no rows (movers tables may be empty)."""
    out = []
    for ref in needed:
        table = tables.table(ref)
        if table is None or (not table.rows and ref not in _MAY_BE_EMPTY):
            out.append(ref)
    return out


def _column(table: Table, *needles: str) -> str | None:
    for needle in needles:
        for col in table.columns:
            if needle in col:
                return col
    return None


def _name_index(table: Table) -> int:
    col = _column(table, "简称", "名称")
    return table.columns.index(col) if col else min(1, len(table.columns) - 1)


def _as_float(value: str) -> float | None:
    try:
        return float(value.replace("%", "").replace(",", ""))
    except ValueError:
        return None


def _pct(table: Table, row: list[str], column: str) -> str:
    """A cell placeholder, with a % sign when the column header carries the unit instead of the cell."""
    value = row[table.columns.index(column)]
    suffix = "%" if "%" in column and not value.endswith("%") else ""
    return cell_placeholder(table, row, column) + suffix


def _named_moves(table: Table, column: str, rows: Sequence[list[str]]) -> str:
    name_at = _name_index(table)
    return "、".join(f"{r[name_at]}（{_pct(table, r, column)}）" for r in rows)


def _ranked(table: Table, column: str, *, reverse: bool) -> list[list[str]]:
    col = table.columns.index(column)
    rows = [r for r in table.rows if col < len(r) and _as_float(r[col]) is not None]
    return sorted(rows, key=lambda r: _as_float(r[col]) or 0.0, reverse=reverse)


def _fact(tables: TableSet, key: str) -> str:
    return tables.facts.get(key, "")


def _benchmark_codes(tables: TableSet) -> list[str]:
    return sorted({k.split(".", 1)[1].rsplit(".", 1)[0] for k in tables.facts
                   if k.startswith("benchmark.") and k.endswith(".return")})


def _relative(tables: TableSet, code: str, name: str) -> str:
    sign = _fact(tables, f"relative.{code}.sign")
    if not sign or not _fact(tables, f"relative.{code}"):
        return ""
    if sign == "0":
        return f"与{name}持平"
    return f"{'跑赢' if sign == '+' else '跑输'}{name} {{fact:relative.{code}}} 个百分点"


def _benchmarks(tables: TableSet) -> str:
    codes = [c for c in _benchmark_codes(tables) if _fact(tables, f"benchmark.{c}.name")
             and _fact(tables, f"benchmark.{c}.return")]
    parts = [f"{{fact:benchmark.{c}.name}}涨跌幅为{{fact:benchmark.{c}.return}}" for c in codes]
    if not parts:
        return ""
    versus = [r for c in codes if (r := _relative(tables, c, f"{{fact:benchmark.{c}.name}}"))]
    tail = f"{{fact:theme_index.name}}{'，'.join(versus)}。" if versus else ""
    return f"同期{'，'.join(parts)}。{tail}"


def _overview(tables: TableSet) -> str:
    out = []
    for prefix in ("theme_index", "sector_index"):
        keys = [f"{prefix}.{k}" for k in ("name", "code", "close", "return")]
        if all(_fact(tables, k) for k in keys):
            out.append(f"{{fact:{prefix}.name}}（{{fact:{prefix}.code}}）截至{{fact:month.label}}末收盘价为 "
                       f"{{fact:{prefix}.close}}，月涨跌幅为 {{fact:{prefix}.return}}。")
    if out:
        out[0] = "A 股" + out[0]
    return "".join(out)


def _cap(tables: TableSet) -> str:
    parts = []
    if _fact(tables, "constituents.market_cap"):
        parts.append("总市值 {fact:constituents.market_cap} 亿")
    if _fact(tables, "constituents.count"):
        parts.append("含成分股 {fact:constituents.count} 支")
    if not parts or not _fact(tables, "theme_index.name"):
        return ""
    return f"A 股{{fact:theme_index.name}}（{{fact:theme_index.code}}）截至 {{fact:month.end_date}} {'，'.join(parts)}。"


def _valuation(tables: TableSet) -> str:
    growth = []
    if _fact(tables, "valuation.revenue_cagr"):
        growth.append("营业收入复合增长率 {fact:valuation.revenue_cagr}")
    if _fact(tables, "valuation.profit_cagr"):
        growth.append("净利润复合增长率 {fact:valuation.profit_cagr}")
    pe, ps = _as_float(_fact(tables, "valuation.pe_ttm")), _as_float(_fact(tables, "valuation.ps_ttm"))
    multiples = []
    if pe is not None and pe >= EXTREME_PE:
        multiples.append(f"平均估值 PE(TTM) {{fact:valuation.pe_ttm}} 倍（{MEAGRE_PROFIT}）")
    elif pe is not None and pe > 0:
        multiples.append("平均估值 PE(TTM) {fact:valuation.pe_ttm} 倍")
    elif pe is not None:
        multiples.append("成分股整体净利润（TTM）为亏损，PE(TTM) 不适用")
    if ps is not None and ps > 0:
        multiples.append("PS(TTM) {fact:valuation.ps_ttm} 倍")
    name = "{fact:theme_index.name}（{fact:theme_index.code}）重要成分股"
    out = f"{name}过去三年整体{'，'.join(growth)}" if growth else ""
    if multiples:
        out += ("，" if out else name) + f"截至 {{fact:month.end_date}} {'，'.join(multiples)}"
    return f"{out}。{_history(tables, pe)}" if out else ""


def _history(tables: TableSet, pe: float | None) -> str:
    """PE(TTM) now against the members' PE at the previous year end, with the direction worded by code."""
    then = _as_float(_fact(tables, "valuation.pe_year_start"))
    if pe is None or pe <= 0 or pe >= EXTREME_PE or then is None or then <= 0 or then >= EXTREME_PE \
            or not _fact(tables, "valuation.year_start_date"):
        return ""
    word = "低于" if pe < then else ("高于" if pe > then else "持平于")
    return (f"当前 PE(TTM) {word}上年末（{{fact:valuation.year_start_date}}，按上年净利润计）的 "
            "{fact:valuation.pe_year_start} 倍。")


def market_gaps(tables: TableSet) -> list[str]:
    """What the market prose had to leave out or reword, in Chinese, for findings (never a failed section)."""
    gaps = []
    labels = {"theme_index.return": "主题指数月涨跌幅", "sector_index.return": "行业指数月涨跌幅",
              "constituents.market_cap": "成分股总市值", "valuation.revenue_cagr": "营业收入复合增长率",
              "valuation.profit_cagr": "净利润复合增长率（基期或末期整体亏损时不可计算）",
              "valuation.pe_ttm": "PE(TTM)", "valuation.ps_ttm": "PS(TTM)"}
    for key, label in labels.items():
        if not _fact(tables, key):
            gaps.append(f"缺少{label}（{{fact:{key}}}），相关句子已省略")
    pe = _as_float(_fact(tables, "valuation.pe_ttm"))
    if pe is not None and pe >= EXTREME_PE:
        gaps.append(f"成分股整体 PE(TTM) 为 {_fact(tables, 'valuation.pe_ttm')} 倍，正文注明“{MEAGRE_PROFIT}”")
    if pe is not None and pe <= 0:
        gaps.append(f"成分股整体净利润（TTM）为亏损，PE(TTM) 为 {_fact(tables, 'valuation.pe_ttm')}，正文改写为“PE(TTM) 不适用”")
    return gaps


def core_market_facts(tables: TableSet) -> tuple[str, list[str]]:
    """The market thesis's evidence for 核心观点: the theme index's month and where it stands against the
    benchmarks, all by placeholder; and what had to be left out."""
    if not (_fact(tables, "theme_index.name") and _fact(tables, "theme_index.return")):
        return "", ["缺少主题指数月涨跌幅，核心观点中的行情论据已省略"]
    head = "{fact:theme_index.name}（{fact:theme_index.code}）{fact:month.label}涨跌幅为 {fact:theme_index.return}"
    codes = [c for c in _benchmark_codes(tables) if _fact(tables, f"benchmark.{c}.name")]
    parts = [f"{{fact:benchmark.{c}.name}}{{fact:benchmark.{c}.return}}" for c in codes]
    versus = [r for c in codes if (r := _relative(tables, c, f"{{fact:benchmark.{c}.name}}"))]
    text = head + (f"，同期{'、'.join(parts)}" if parts else "") + (f"，板块{'，'.join(versus)}" if versus else "")
    return text + "。", []


def _boards(tables: TableSet) -> str:
    parts = [f"{b} {{fact:constituents.board.{b}}} 支" for b in BOARDS if f"constituents.board.{b}" in tables.facts]
    return f"上市板分布为{'，'.join(parts)}。" if parts else ""


def _leaders(table: Table, col: str, rows: Sequence[list[str]], *, gains: bool) -> str:
    """Wording that matches the sign: 涨幅居前 only before gains, 跌幅较小 for the best of the losers."""
    col_at = table.columns.index(col)
    values = [(r, _as_float(r[col_at]) or 0.0) for r in rows]
    if gains:
        up = [r for r, v in values if v > 0]
        down = [r for r, v in values if v <= 0]
        out = [f"涨幅居前的为{_named_moves(table, col, up)}"] if up else []
        if not up and down:
            out.append(f"跌幅较小的为{_named_moves(table, col, down)}")
        return "；".join(out)
    down = [r for r, v in values if v < 0]
    up = [r for r, v in values if v >= 0]
    if down:
        return f"跌幅居前的为{_named_moves(table, col, down)}"
    return f"涨幅较小的为{_named_moves(table, col, up)}" if up else ""


def _movers(tables: TableSet) -> str:
    top, bottom = tables.table("T1"), tables.table("T2")
    out = []
    for table, gains in ((top, True), (bottom, False)):
        col = _column(table, "月涨跌幅", "涨跌幅") if table else None
        if table is not None and not table.rows:  # the movers table of that sign is empty: say it, no table cell
            out.append(f"本月成分股无{'上涨' if gains else '下跌'}个股")
        elif table and col:
            phrase = _leaders(table, col, _ranked(table, col, reverse=gains)[:3], gains=gains)
            out += [phrase] if phrase else []
    return f"个股方面，{'；'.join(out)}。" if out else ""


def _companies(tables: TableSet) -> str:
    out = []
    for ref, label in (("T4", "国内重点公司"), ("T5", "境外重点公司")):
        table = tables.table(ref)
        col = _column(table, "月涨跌幅") if table else None
        if table and col:
            ranked = _ranked(table, col, reverse=True)
            top = ranked[: min(2, max(1, len(ranked) - 1))]
            if top:
                weakest = f"，表现较弱的为{_named_moves(table, col, ranked[-1:])}" if len(ranked) > len(top) else ""
                out.append(f"{label}中，月{_leaders(table, col, top, gains=True)}{weakest}")
    return f"{'；'.join(out)}。" if out else ""


def _funds(tables: TableSet) -> str:
    table = tables.table("T3")
    col = _column(table, "近1月", "近 1 月", "1月") if table else None
    if not table or not col:
        return ""
    ranked = _ranked(table, col, reverse=True)
    if not ranked:
        return ""
    return (f"主题基金方面，{len(table.rows)} 只主题基金中近 1 月回报最高的为"
            f"{_named_moves(table, col, ranked[:2])}。")


def _chart(tables: TableSet, ref: str) -> str:
    # An export marker only for a chart that exists: a dangling marker would fail the whole export.
    return next(("{{chart:" + c.id + "}}" for c in tables.charts if ref in (c.id, c.key)), "")


_MARKET_WORDS = re.compile(r"板块|概念股|成分股|指数|A股|A 股|大盘|市场|股价")
_MOVE_WORDS = re.compile(r"上涨|大涨|走强|反弹|领涨|涨停|拉升|下跌|大跌|走弱|回调|跌停|重挫|领跌")


def _move_sentence(source: Source) -> str:
    """The item's first sentence that speaks of the sector and a move, or ""."""
    if source.background or instruction_like(source.title):
        return ""
    for sentence in re.findall(r"[^。！？\n]+[。！？]?", source.passage):
        text = sentence.strip().rstrip("。！？")
        if 8 <= len(text) <= 150 and _MARKET_WORDS.search(text) and _MOVE_WORDS.search(text) \
                and not needs_antecedent(text):
            return text
    return ""


def reports_move(source: Source) -> bool:
    """Whether an in-window item reports a market move (what the market section's retrieval may keep)."""
    return bool(_move_sentence(source))


def driver_sentence(sources: Sequence[Source]) -> str:
    """What the corpus says moved the market this month: the first sentence of an in-window item that speaks of
    the sector and a move, cited ("行情方面，…[n]。"); "" when no item does (the prose then stays factual)."""
    for source in sources:
        text = _move_sentence(source)
        if text:
            return f"行情方面，{text}[{source.number}]。"
    return ""


def market_sentences(tables: TableSet, sources: Sequence[Source] = ()) -> dict[str, str]:
    """The code-built sentences (with placeholders) the offline market template interpolates."""
    return {
        "driver_sentence": driver_sentence(sources),
        "chart_index": _chart(tables, "F1"),
        "chart_returns": _chart(tables, "F2"),
        "overview_sentence": _overview(tables),
        "benchmarks_sentence": _benchmarks(tables),
        "cap_sentence": _cap(tables),
        "valuation_sentence": _valuation(tables),
        "boards_sentence": _boards(tables),
        "movers_sentence": _movers(tables),
        "companies_sentence": _companies(tables),
        "funds_sentence": _funds(tables),
    }
