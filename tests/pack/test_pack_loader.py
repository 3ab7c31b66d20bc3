"""load_pack on well-formed packs: every accepted header language, encoding and file format gives the same frames."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from assistant.pack import MarketPack, load_pack

from .conftest import PackSpec


def _frames(pack: MarketPack) -> dict[str, pd.DataFrame]:
    return {"prices": pack.prices, "constituents": pack.constituents, "financials": pack.financials,
            "funds": pack.funds, "fund_navs": pack.fund_navs}


def test_english_utf8_pack_loads_typed_frames(spec: PackSpec, tmp_path: Path) -> None:
    pack = load_pack(spec.write(tmp_path))
    prices = pack.prices
    assert list(prices.columns) == ["date", "code", "name", "close", "market_cap"]
    assert str(prices["date"].dtype) == "datetime64[ns]"
    assert prices["close"].dtype == "float64"
    row = prices[(prices["code"] == "688256.SH") & (prices["date"] == pd.Timestamp("2024-07-31"))]
    assert row["close"].tolist() == [235.0]
    assert row["market_cap"].tolist() == [981.0]
    assert prices.loc[prices["code"] == "884201.WI", "market_cap"].isna().all()
    assert pack.funds["fund_code"].tolist() == ["001986", "005729"]
    assert pack.fund_navs["fund_code"].iloc[0] == "001986"
    assert sorted(pack.constituents["board"]) == ["主板", "创业板", "科创板"]
    nvda = pack.financials[pack.financials["code"] == "NVDA.O"]
    assert set(nvda["currency"]) == {"USD"}
    assert nvda.loc[nvda["period"] == "2023A", "revenue"].tolist() == [658.67]
    assert pack.config.funds == ["001986", "005729"]  # written bare in pack.yaml: leading zeros kept
    assert pack.config.month == "2024-07"
    assert pack.files == {name: f"{name}.csv" for name in _frames(pack)}
    assert len(pack.content_hash) == 64
    assert pack.root == tmp_path


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig"])
def test_chinese_headers_in_each_encoding_match_english(spec: PackSpec, tmp_path: Path, encoding: str) -> None:
    english = load_pack(spec.write(tmp_path / "en"))
    chinese = load_pack(spec.write(tmp_path / "zh", headers="zh", encoding=encoding))
    for name, frame in _frames(english).items():
        pd.testing.assert_frame_equal(_frames(chinese)[name], frame, check_dtype=True, obj=name)


def test_xlsx_tables_match_csv(spec: PackSpec, tmp_path: Path) -> None:
    csv_pack = load_pack(spec.write(tmp_path / "csv"))
    every = ("prices", "constituents", "financials", "funds", "fund_navs")
    xlsx_pack = load_pack(spec.write(tmp_path / "xlsx", headers="zh", xlsx=every))
    assert xlsx_pack.files["prices"] == "prices.xlsx"
    for name, frame in _frames(csv_pack).items():
        pd.testing.assert_frame_equal(_frames(xlsx_pack)[name], frame, obj=name)


def test_chinese_file_names_are_found(spec: PackSpec, tmp_path: Path) -> None:
    pack = load_pack(spec.write(tmp_path, names={"prices": "行情", "fund_navs": "基金净值"}))
    assert pack.files["prices"] == "行情.csv"
    assert pack.files["fund_navs"] == "基金净值.csv"


def test_terminal_variants_of_dates_numbers_codes_and_periods(spec: PackSpec, tmp_path: Path) -> None:
    spec.tables["prices"][0]["date"] = "2023/12/29"
    spec.tables["prices"][1]["date"] = "20240628"
    spec.tables["prices"][2]["date"] = "2024-7-1 00:00:00"
    spec.tables["prices"][3]["close"] = "5,257.12"
    spec.tables["funds"][0]["fund_code"] = "001986.OF"
    spec.tables["fund_navs"][0]["fund_code"] = "001986.OF"
    spec.tables["financials"][1]["period"] = "2023年报"
    spec.tables["financials"][2]["period"] = "2024一季报"
    spec.tables["funds"][1]["size"] = "--"
    pack = load_pack(spec.write(tmp_path))
    theme = pack.prices[pack.prices["code"] == "884201.WI"]
    assert theme["date"].dt.strftime("%Y-%m-%d").tolist() == ["2023-12-29", "2024-06-28", "2024-07-01",
                                                              "2024-07-31"]
    assert theme["close"].iloc[3] == pytest.approx(5257.12)
    assert pack.funds["fund_code"].tolist() == ["001986", "005729"]
    assert pack.financials["period"].iloc[:4].tolist() == ["2020A", "2023A", "2024Q1", "TTM"]
    assert pd.isna(pack.funds["size"].iloc[1])


def test_octal_looking_fund_code_keeps_its_zeros(spec: PackSpec, tmp_path: Path) -> None:
    spec.tables["funds"][0]["fund_code"] = "001234"
    for nav in spec.tables["fund_navs"][:4]:
        nav["fund_code"] = "001234"
    spec.config["funds"] = ["001234"]
    spec.yaml_text = None
    root = spec.write(tmp_path)
    text = (root / "pack.yaml").read_text(encoding="utf-8").replace("'001234'", "001234")
    (root / "pack.yaml").write_text(text, encoding="utf-8")
    assert "- 001234" in text  # YAML 1.1 would read this as the octal int 668
    assert load_pack(root).config.funds == ["001234"]


def test_funds_omitted_means_all_funds(spec: PackSpec, tmp_path: Path) -> None:
    del spec.config["funds"]
    assert load_pack(spec.write(tmp_path)).config.funds is None


def test_content_hash_is_stable_and_tracks_every_byte(spec: PackSpec, tmp_path: Path) -> None:
    root = spec.write(tmp_path)
    first = load_pack(root).content_hash
    assert load_pack(root).content_hash == first
    navs = root / "fund_navs.csv"
    navs.write_bytes(navs.read_bytes().replace(b"1.2000", b"1.2001"))
    assert load_pack(root).content_hash != first


def test_loader_writes_nothing(spec: PackSpec, tmp_path: Path) -> None:
    root = spec.write(tmp_path, xlsx=("funds",))
    before = {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in root.rglob("*")}
    load_pack(root)
    after = {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in root.rglob("*")}
    assert after == before
    assert sorted(os.listdir(root)) == sorted(p.name for p in before)


def test_fund_code_stored_as_a_number_in_xlsx_gets_its_zeros_back(spec: PackSpec, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    root = spec.write(tmp_path, headers="zh", xlsx=("funds",))
    workbook = load_workbook(root / "funds.xlsx")
    workbook.active["A2"] = 1986  # what Excel does to 001986 typed into a General cell
    workbook.save(root / "funds.xlsx")
    assert load_pack(root).funds["fund_code"].tolist() == ["001986", "005729"]
