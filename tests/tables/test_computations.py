"""Edge cases of the computations, on tiny hand-made packs."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from assistant.errors import PackError
from assistant.numerals import chinese_numeral
from assistant.tables import (
    bottom_movers,
    build_context,
    domestic_companies,
    overseas_companies,
    theme_funds,
    top_movers,
)
from assistant.tables.financials import growth
from assistant.tables.fmt import fmt_num, fmt_pct, fmt_pe, fmt_trimmed, short_name

from .helpers import tiny_pack

BASE = [("2023-12-29", "IDX", 100.0), ("2024-06-28", "IDX", 110.0), ("2024-07-31", "IDX", 121.0),
        ("2023-12-29", "SEC", 50.0), ("2024-06-28", "SEC", 50.0), ("2024-07-31", "SEC", 49.0)]


def test_formatting_rules() -> None:
    assert fmt_num(2712.414, thousands=True) == "2,712.41"
    assert fmt_num(float("nan")) == "" and fmt_num(None) == "" and fmt_num(math.inf) == ""
    assert fmt_pct(0.0052) == "0.52%" and fmt_pct(-0.003) == "-0.30%"
    assert fmt_trimmed(6.3) == "6.3" and fmt_trimmed(43.90) == "43.9" and fmt_trimmed(264.06) == "264.06"
    assert fmt_pe(-3.2, negative_as_dash=True) == "-" and fmt_pe(-17.674, negative_as_dash=False) == "-17.67"
    assert [chinese_numeral(n) for n in (3, 10, 12, 20, 25)] == ["三", "十", "十二", "二十", "二十五"]
    assert short_name("计算机行业指数") == "计算机" and short_name("人工智能指数") == "人工智能"


def test_growth_uses_the_absolute_base_and_blanks_a_zero_base() -> None:
    got = growth(pd.Series([-1.0, 3.0, 5.0, 1.0]), pd.Series([-2.0, -1.0, 4.0, 0.0]))
    assert got.iloc[:3].round(4).tolist() == [0.5, 4.0, 0.25]
    assert math.isnan(got.iloc[3])


def test_returns_use_last_close_on_or_before_each_base_date() -> None:
    # S1 is suspended over the June month end: its last close before it (06-20) is the monthly base.
    pack = tiny_pack([*BASE, ("2023-12-29", "S1", 10.0), ("2024-06-20", "S1", 8.0), ("2024-07-31", "S1", 10.0),
                             ("2023-12-29", "S2", 20.0), ("2024-06-28", "S2", 25.0), ("2024-07-31", "S2", 20.0)])
    ctx = build_context(pack)
    assert ctx.end_date == pd.Timestamp("2024-07-31")
    assert ctx.snap.loc["S1", "ret"] == pytest.approx(0.25)
    assert ctx.snap.loc["S2", "ytd"] == pytest.approx(0.0)
    table = top_movers(pack, ctx)
    # only one name rose: the gainers' table holds it alone and says so in its title, the loser is not in it
    assert table.title == "7 月份测试板块涨幅居前的 1 只"
    assert table.rows == [["S1", "S1名", "10", "25.00%", "27.00%"]]
    assert "本月上涨的成分股仅 1 只" in (table.note or "")
    losers = bottom_movers(pack, ctx)
    assert losers.title == "7 月份测试板块跌幅居前的 1 只"
    assert losers.rows == [["S2", "S2名", "20", "-20.00%", "-18.00%"]]


def test_a_month_where_nothing_fell_has_an_empty_losers_table_that_says_so() -> None:
    pack = tiny_pack([*BASE, ("2024-06-28", "S1", 8.0), ("2024-07-31", "S1", 10.0),
                             ("2024-06-28", "S2", 20.0), ("2024-07-31", "S2", 21.0)])
    ctx = build_context(pack)
    assert [r[0] for r in top_movers(pack, ctx).rows] == ["S1", "S2"]
    assert top_movers(pack, ctx).title == "7 月份测试板块涨幅前二"
    losers = bottom_movers(pack, ctx)
    assert losers.rows == [] and "本月下跌的成分股为零" in (losers.note or "")
    assert losers.title == "7 月份测试板块跌幅：本月无下跌个股"


def test_a_code_without_history_gets_blank_cells_not_numbers() -> None:
    pack = tiny_pack([*BASE, ("2024-07-31", "S1", 10.0)], domestic=["S1"])
    row = domestic_companies(pack).rows[0]
    assert row[0] == "S1" and row[9:] == ["", ""]


def test_fund_returns_blank_exactly_where_history_is_too_short() -> None:
    navs = [("2024-01-31", "F1", 1.0), ("2024-04-30", "F1", 1.1), ("2024-06-28", "F1", 1.2),
            ("2024-07-31", "F1", 1.32), ("2024-03-15", "F2", 1.0), ("2024-06-28", "F2", 1.1),
            ("2024-07-31", "F2", 1.21)]
    table = theme_funds(tiny_pack(BASE, navs=navs))
    rows = {r[0]: r for r in table.rows}
    assert rows["F1"][4:] == ["1.32", "10.00", "20.00", "32.00"]
    assert rows["F2"][4:] == ["1.21", "10.00", "21.00", ""]  # launched 03-15: no NAV by 01-31


def test_duplicate_prices_are_a_pack_error_naming_the_file() -> None:
    pack = tiny_pack([*BASE, ("2024-07-31", "IDX", 122.0)])
    with pytest.raises(PackError) as err:
        build_context(pack)
    assert err.value.file == "prices"


def test_overseas_ttm_growth_falls_back_to_q1_when_h1_is_missing() -> None:
    fin = [("O1", "2022A", 100.0, 10.0), ("O1", "2023A", 120.0, 12.0), ("O1", "2022Q1", 20.0, 2.0),
           ("O1", "2023Q1", 25.0, 3.0), ("O1", "2024Q1", 30.0, 5.0)]
    pack = tiny_pack([*BASE, ("2023-12-29", "O1", 10.0), ("2024-06-28", "O1", 10.0), ("2024-07-31", "O1", 11.0)],
                     financials=fin, overseas=["O1"])
    row = overseas_companies(pack).rows[0]
    # TTM now = 12 - 3 + 5 = 14; a year earlier = 10 - 2 + 3 = 11
    assert row[2:6] == ["", "", "", f"{(14 / 11 - 1) * 100:.2f}"]
    assert row[7] == fmt_num(10.0 / 12.0) and row[9] == "10.00"
