"""The sample pack reproduces the seed report's market figures cell by cell."""

from __future__ import annotations

import pytest

from assistant.models import TableSet

from . import seed_rows


@pytest.mark.parametrize(("table_id", "block"), [
    ("T1", seed_rows.T1), ("T2", seed_rows.T2), ("T3", seed_rows.T3), ("T4", seed_rows.T4), ("T5", seed_rows.T5),
])
def test_seed_table_cell_by_cell(sample_tables: TableSet, table_id: str, block: str) -> None:
    table = sample_tables.table(table_id)
    assert table is not None
    expected = [row + [""] * (len(table.columns) - len(row)) for row in seed_rows.rows(block)]
    assert table.rows == expected


def test_top_and_bottom_tables_carry_the_seed_headers(sample_tables: TableSet) -> None:
    t1, t2 = sample_tables.table("top_movers"), sample_tables.table("bottom_movers")
    assert t1 is not None and t2 is not None
    assert t1.columns == ["股票代码", "股票简称", "7 月 31 日收盘价（元）", "月涨跌幅", "相对计算机"]
    assert t1.title == "7 月份人工智能板块涨幅前十"
    assert t2.title == "7 月份人工智能板块跌幅前十"
    assert t1.source == "资料来源：Wind，中国银河证券研究院"


def test_funds_launched_in_the_month_get_blank_returns(sample_tables: TableSet) -> None:
    funds = {row[0]: row for row in sample_tables.table("T3").rows}  # type: ignore[union-attr]
    for code in ("014630", "014631", "159702"):
        assert funds[code][4] != "" and funds[code][5:] == ["", "", ""]
    assert funds["001986"][5:] == ["-3.29", "-3.21", "10.47"]


def test_loss_making_company_has_dash_pe_domestic_but_number_overseas(sample_tables: TableSet) -> None:
    t4 = {row[0]: row for row in sample_tables.table("T4").rows}  # type: ignore[union-attr]
    t5 = {row[0]: row for row in sample_tables.table("T5").rows}  # type: ignore[union-attr]
    assert t4["002362.SZ"][7] == "-"  # 汉王科技: negative TTM profit
    assert t4["002415.SZ"][6] == "2,712.41"
    assert t5["2158.HK"][7] == "-17.67"


def test_overall_market_and_constituent_facts(sample_tables: TableSet) -> None:
    f = sample_tables.facts
    assert (f["theme_index.close"], f["theme_index.return"]) == ("5257.12", "0.52%")
    assert (f["sector_index.close"], f["sector_index.return"]) == ("3037.17", "-0.30%")
    assert f["benchmark.000001.SH.return"] == "-0.97%"
    assert f["benchmark.000300.SH.return"] == "-0.57%"
    assert f["benchmark.399006.SZ.return"] == "0.28%"
    assert f["month.label"] == "7月" and f["month.end_date"] == "2024-07-31"
    assert f["constituents.count"] == "71"
    boards = {b: f[f"constituents.board.{b}"] for b in ("主板", "创业板", "科创板", "中小板", "北交所")}
    assert boards == {"主板": "14", "创业板": "30", "科创板": "8", "中小板": "19", "北交所": "0"}
    assert f["constituents.market_cap"] == "13070.32"


def test_valuation_figures_and_method(sample_tables: TableSet) -> None:
    f = sample_tables.facts
    assert [f[f"valuation.{k}"] for k in ("revenue_cagr", "profit_cagr", "pe_ttm", "ps_ttm")] == [
        "13.33%", "-8.33%", "62.33", "3.09"]
    val = sample_tables.table("VAL")
    assert val is not None and "整体法" in val.note
    assert val.rows[0] == ["营业收入复合增长率（2020A-2023A）", "13.33%"]


def test_index_and_constituent_tables(sample_tables: TableSet) -> None:
    idx = sample_tables.table("index_performance")
    assert idx is not None
    assert idx.rows[0][:4] == ["884201.WI", "人工智能指数", "5257.12", "0.52%"]
    assert [r[3] for r in idx.rows] == ["0.52%", "-0.30%", "-0.97%", "-0.57%", "0.28%"]
    cons = sample_tables.table("CONS")
    assert cons is not None and cons.rows[-1] == ["合计", "71", "13070.32"]


def test_tableset_is_tied_to_the_pack(sample_tables: TableSet, sample_pack) -> None:  # type: ignore[no-untyped-def]
    assert sample_tables.pack_hash == sample_pack.content_hash != ""
    assert [t.id for t in sample_tables.tables] == ["IDX", "CONS", "T1", "T2", "VAL", "T3", "T4", "T5"]
