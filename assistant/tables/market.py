"""Market tables: index performance (IDX), constituent summary (CONS), top and bottom movers (T1, T2)."""

from __future__ import annotations

import pandas as pd

from assistant.models import Table
from assistant.numerals import chinese_numeral
from assistant.pack.model import BOARDS, IndexRef, MarketPack
from assistant.tables.context import PriceContext, build_context
from assistant.tables.fmt import fmt_num, fmt_pct, fmt_trimmed, short_name

__all__ = [
    "bottom_movers",
    "constituent_returns",
    "constituent_summary",
    "index_performance",
    "market_facts",
    "source_line",
    "top_movers",
]


def source_line(pack: MarketPack) -> str:
    return f"资料来源：{pack.config.data_vendor}，{pack.config.institution}"


def _indices(pack: MarketPack) -> list[IndexRef]:
    return [pack.config.theme_index, pack.config.sector_index, *pack.config.benchmarks]


def index_performance(pack: MarketPack, ctx: PriceContext | None = None) -> Table:
    ctx = ctx or build_context(pack)
    snap = ctx.snap
    rows = []
    for ref in _indices(pack):
        got = snap.loc[ref.code] if ref.code in snap.index else None
        values = ("", "", "") if got is None else (
            fmt_num(got["close"]), fmt_pct(got["ret"]), fmt_pct(got["ytd"]))
        rows.append([ref.code, ref.name, *values])
    return Table(
        id="IDX", key="index_performance", title=f"{ctx.month.month} 月主要指数表现",
        columns=["指数代码", "指数名称", f"{ctx.month.month} 月末收盘价", "月涨跌幅", "今年以来涨跌幅"],
        rows=rows, source=source_line(pack))


def constituent_returns(pack: MarketPack, ctx: PriceContext | None = None) -> pd.DataFrame:
    """Theme-index members with their snapshot; ``name`` is the constituent file's short name."""
    ctx = ctx or build_context(pack)
    cons = pack.constituents
    if "index_code" in cons.columns:
        cons = cons[cons["index_code"] == pack.config.theme_index.code]
    members = cons[["code", "name", "board"]].drop_duplicates("code").set_index("code")
    return members.join(ctx.snap.drop(columns="name"), how="left")


def constituent_summary(pack: MarketPack, ctx: PriceContext | None = None) -> Table:
    members = constituent_returns(pack, ctx)
    grouped = members.groupby("board")["market_cap"].agg(["size", "sum"])
    boards = [b for b in BOARDS if b in grouped.index] + [b for b in grouped.index if b not in BOARDS]
    rows = [[b, str(int(grouped.at[b, "size"])), fmt_num(grouped.at[b, "sum"])] for b in boards]
    total_cap = members["market_cap"].sum(min_count=len(members)) if len(members) else float("nan")
    rows.append(["合计", str(len(members)), fmt_num(total_cap)])
    return Table(
        id="CONS", key="constituent_summary", title=f"{pack.config.theme_index.name}成分股上市板分布",
        columns=["上市板", "成分股数（支）", "总市值（亿元）"], rows=rows, source=source_line(pack),
        note="总市值为各成分股月末总市值之和；任一成分股缺少市值时合计留空。")


def _movers(pack: MarketPack, ctx: PriceContext | None, *, top: bool) -> Table:
    ctx = ctx or build_context(pack)
    members = constituent_returns(pack, ctx).dropna(subset=["ret"]).reset_index()
    # a gainers' table holds only names that rose, a losers' table only names that fell
    members = members[members["ret"] > 0] if top else members[members["ret"] < 0]
    ordered = members.sort_values(["ret", "code"], ascending=[not top, True], kind="mergesort")
    picked = ordered.head(pack.config.top_n)
    sector = ctx.snap["ret"].get(pack.config.sector_index.code, float("nan"))
    rows = [[r.code, r.name, fmt_trimmed(r.close), fmt_pct(r.ret), fmt_pct(r.ret - sector)]
            for r in picked.itertuples(index=False)]
    theme = short_name(pack.config.theme_index.name)
    word = "涨幅" if top else "跌幅"
    m, d = ctx.end_date.month, ctx.end_date.day
    # titled by what it holds: "跌幅前十" only when ten names fell, else "跌幅居前的 7 只"
    size = f"前{chinese_numeral(pack.config.top_n)}" if len(rows) == pack.config.top_n else f"居前的 {len(rows)} 只"
    if not rows:
        size = "：本月无上涨个股" if top else "：本月无下跌个股"
    note = "相对收益 = 个股月涨跌幅 - 行业指数月涨跌幅。"
    if len(rows) < pack.config.top_n:
        fell_or_rose = "上涨" if top else "下跌"
        note = (f"本月{fell_or_rose}的成分股{'仅 ' + str(len(rows)) + ' 只' if rows else '为零'}，"
                f"表中只列{fell_or_rose}的个股。" + note)
    return Table(
        id="T1" if top else "T2", key="top_movers" if top else "bottom_movers",
        title=f"{m} 月份{theme}板块{word}{size}",
        columns=["股票代码", "股票简称", f"{m} 月 {d} 日收盘价（元）", "月涨跌幅",
                 f"相对{short_name(pack.config.sector_index.name)}"],
        rows=rows, source=source_line(pack), note=note)


def top_movers(pack: MarketPack, ctx: PriceContext | None = None) -> Table:
    return _movers(pack, ctx, top=True)


def bottom_movers(pack: MarketPack, ctx: PriceContext | None = None) -> Table:
    return _movers(pack, ctx, top=False)


def market_facts(pack: MarketPack, ctx: PriceContext | None = None) -> dict[str, str]:
    """Facts for "(一) 整体行情" and "(二) 代表企业"."""
    ctx = ctx or build_context(pack)
    snap = ctx.snap
    facts = {"month.label": ctx.label, "month.end_date": ctx.end_date.strftime("%Y-%m-%d")}

    def put(prefix: str, ref: IndexRef) -> None:
        row = snap.loc[ref.code] if ref.code in snap.index else None
        facts[f"{prefix}.code"] = ref.code
        facts[f"{prefix}.name"] = ref.name
        facts[f"{prefix}.close"] = "" if row is None else fmt_num(row["close"])
        facts[f"{prefix}.return"] = "" if row is None else fmt_pct(row["ret"])
        facts[f"{prefix}.ytd_return"] = "" if row is None else fmt_pct(row["ytd"])

    put("theme_index", pack.config.theme_index)
    put("sector_index", pack.config.sector_index)
    for ref in pack.config.benchmarks:
        put(f"benchmark.{ref.code}", ref)
    members = constituent_returns(pack, ctx)
    facts["constituents.count"] = str(len(members))
    counts = members["board"].value_counts()
    for board in BOARDS:
        facts[f"constituents.board.{board}"] = str(int(counts.get(board, 0)))
    total = members["market_cap"].sum(min_count=len(members)) if len(members) else float("nan")
    facts["constituents.market_cap"] = fmt_num(total)
    return facts
