"""Every failure mode stops with one PackError naming the file, the row as a person counts it, and the column."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import PackError
from assistant.pack import load_pack

from .conftest import PackSpec


def _error(root: Path) -> PackError:
    with pytest.raises(PackError) as caught:
        load_pack(root)
    return caught.value


def _assert_where(err: PackError, file: str, row: int | None, field: str | None) -> None:
    assert err.file is not None and Path(err.file).name == file
    assert err.row == row
    assert err.field == field
    text = str(err)
    assert file in text
    if row is not None:
        assert f"第 {row} 行" in text
    if field is not None:
        assert f"字段 {field}" in text


def test_missing_table_file(spec: PackSpec, tmp_path: Path) -> None:
    root = spec.write(tmp_path)
    (root / "funds.csv").unlink()
    err = _error(root)
    assert Path(err.file or "").name == "funds.csv"
    assert "缺少 funds 表文件" in str(err)


def test_missing_pack_yaml(spec: PackSpec, tmp_path: Path) -> None:
    root = spec.write(tmp_path)
    (root / "pack.yaml").unlink()
    assert Path(_error(root).file or "").name == "pack.yaml"


def test_two_candidate_files_for_one_table(spec: PackSpec, tmp_path: Path) -> None:
    root = spec.write(tmp_path)
    spec.write(tmp_path, xlsx=("funds",))
    assert "多个候选文件" in str(_error(root))


def test_missing_column_names_header_row(spec: PackSpec, tmp_path: Path) -> None:
    for row in spec.tables["prices"]:
        del row["close"]
    err = _error(spec.write(tmp_path, headers="zh"))
    _assert_where(err, "prices.csv", 1, "close")
    assert "收盘价" in str(err)


def test_bad_date_names_line_and_chinese_header(spec: PackSpec, tmp_path: Path) -> None:
    spec.tables["prices"][5]["date"] = "2024-13-45"
    err = _error(spec.write(tmp_path, headers="zh", encoding="gbk"))
    _assert_where(err, "prices.csv", 7, "交易日期")  # header is line 1, so rows[5] is line 7
    assert "2024-13-45" in str(err)


def test_bad_number(spec: PackSpec, tmp_path: Path) -> None:
    spec.tables["fund_navs"][2]["nav"] = "1.2x"
    _assert_where(_error(spec.write(tmp_path)), "fund_navs.csv", 4, "nav")


def test_empty_required_cell(spec: PackSpec, tmp_path: Path) -> None:
    spec.tables["prices"][9]["close"] = ""
    _assert_where(_error(spec.write(tmp_path)), "prices.csv", 11, "close")


def test_non_positive_close(spec: PackSpec, tmp_path: Path) -> None:
    spec.tables["prices"][4]["close"] = "-3"
    _assert_where(_error(spec.write(tmp_path)), "prices.csv", 6, "close")


def test_row_numbers_count_blank_lines(spec: PackSpec, tmp_path: Path) -> None:
    spec.tables["prices"][3]["close"] = "abc"
    root = spec.write(tmp_path)
    lines = (root / "prices.csv").read_text(encoding="utf-8").splitlines()
    (root / "prices.csv").write_text("\n".join([*lines[:2], "", *lines[2:]]) + "\n", encoding="utf-8")
    _assert_where(_error(root), "prices.csv", 6, "close")


def test_bad_cell_in_xlsx_names_sheet_row(spec: PackSpec, tmp_path: Path) -> None:
    spec.tables["funds"][1]["size"] = "很大"
    _assert_where(_error(spec.write(tmp_path, headers="zh", xlsx=("funds",))), "funds.xlsx", 3, "基金规模(亿元)")


def test_duplicate_price_row(spec: PackSpec, tmp_path: Path) -> None:
    spec.tables["prices"].append(dict(spec.tables["prices"][13]))
    err = _error(spec.write(tmp_path))
    last_line = len(spec.tables["prices"]) + 1
    _assert_where(err, "prices.csv", last_line, "date+code")
    assert "与第 15 行重复" in str(err)


def test_duplicate_nav_row(spec: PackSpec, tmp_path: Path) -> None:
    spec.tables["fund_navs"].insert(1, dict(spec.tables["fund_navs"][0]))
    _assert_where(_error(spec.write(tmp_path, headers="zh")), "fund_navs.csv", 3, "日期+基金代码")


def test_duplicate_financials_row(spec: PackSpec, tmp_path: Path) -> None:
    spec.tables["financials"][2]["period"] = "2023A"
    _assert_where(_error(spec.write(tmp_path)), "financials.csv", 4, "code+period")


def test_unknown_board(spec: PackSpec, tmp_path: Path) -> None:
    spec.tables["constituents"][1]["board"] = "创新层"
    err = _error(spec.write(tmp_path, headers="zh"))
    _assert_where(err, "constituents.csv", 3, "上市板")
    assert "创新层" in str(err)


def test_unknown_period(spec: PackSpec, tmp_path: Path) -> None:
    spec.tables["financials"][0]["period"] = "2023Q5"
    _assert_where(_error(spec.write(tmp_path)), "financials.csv", 2, "period")


def test_watchlist_code_without_month_end_close(spec: PackSpec, tmp_path: Path) -> None:
    spec.tables["prices"] = [r for r in spec.tables["prices"]
                             if not (r["code"] == "NVDA.O" and r["date"] == "2024-07-31")]
    err = _error(spec.write(tmp_path))
    # pack.yaml names the code on the line of watchlists.overseas[0]
    line = (tmp_path / "pack.yaml").read_text(encoding="utf-8").splitlines().index("  - NVDA.O") + 1
    _assert_where(err, "pack.yaml", line, "watchlists.overseas[0]")
    assert "2024-07-31" in str(err) and "本月最后交易日" in str(err)


def test_constituent_without_previous_month_close(spec: PackSpec, tmp_path: Path) -> None:
    spec.tables["prices"] = [r for r in spec.tables["prices"]
                             if not (r["code"] == "300033.SZ" and r["date"] == "2024-06-28")]
    err = _error(spec.write(tmp_path, headers="zh"))
    _assert_where(err, "constituents.csv", 3, "代码")
    assert "2024-06-28" in str(err) and "上月最后交易日" in str(err)


def test_benchmark_without_prices(spec: PackSpec, tmp_path: Path) -> None:
    spec.config["benchmarks"].append({"code": "399006.SZ", "name": "创业板指"})
    err = _error(spec.write(tmp_path))
    line = (tmp_path / "pack.yaml").read_text(encoding="utf-8").splitlines().index("- code: 399006.SZ") + 1
    _assert_where(err, "pack.yaml", line, "benchmarks[1].code")


def test_prices_without_the_month(spec: PackSpec, tmp_path: Path) -> None:
    spec.config["month"] = "2024-08"
    err = _error(spec.write(tmp_path))
    _assert_where(err, "prices.csv", None, "date")
    assert "2024-08" in str(err)


def test_listed_fund_without_fund_row(spec: PackSpec, tmp_path: Path) -> None:
    spec.config["funds"] = ["001986", "005729", "159819"]
    err = _error(spec.write(tmp_path))
    line = (tmp_path / "pack.yaml").read_text(encoding="utf-8").splitlines().index("- '159819'") + 1
    _assert_where(err, "pack.yaml", line, "funds[2]")
    assert "159819" in str(err)


def test_pack_yaml_missing_field(spec: PackSpec, tmp_path: Path) -> None:
    del spec.config["theme_index"]
    _assert_where(_error(spec.write(tmp_path)), "pack.yaml", 1, "theme_index")


def test_pack_yaml_missing_nested_field(spec: PackSpec, tmp_path: Path) -> None:
    del spec.config["sector_index"]["code"]
    err = _error(spec.write(tmp_path))
    line = (tmp_path / "pack.yaml").read_text(encoding="utf-8").splitlines().index("sector_index:") + 1
    _assert_where(err, "pack.yaml", line, "sector_index.code")  # points at the mapping lacking the key
    assert "缺少必填字段" in str(err)


def test_pack_yaml_bad_month(spec: PackSpec, tmp_path: Path) -> None:
    spec.config["month"] = "2024-7"
    _assert_where(_error(spec.write(tmp_path)), "pack.yaml", 1, "month")


def test_pack_yaml_syntax_error(spec: PackSpec, tmp_path: Path) -> None:
    spec.yaml_text = "month: 2024-07\ntheme_index: {code: 884201.WI\nsector_index: x\n"
    err = _error(spec.write(tmp_path))
    assert Path(err.file or "").name == "pack.yaml"
    assert err.row == 3
    assert "YAML" in str(err)


def test_unsupported_encoding_names_file(spec: PackSpec, tmp_path: Path) -> None:
    root = spec.write(tmp_path, headers="zh")
    text = (root / "funds.csv").read_text(encoding="utf-8")
    (root / "funds.csv").write_bytes(text.encode("utf-16"))
    err = _error(root)
    _assert_where(err, "funds.csv", None, None)
    assert "编码" in str(err)


def test_latin1_bytes_that_are_not_gb18030(spec: PackSpec, tmp_path: Path) -> None:
    root = spec.write(tmp_path)
    (root / "funds.csv").write_bytes(b"fund_code,fund_name,fund_type,size\n001986,\xff\xfe,x,1\n")
    assert "编码" in str(_error(root))


def test_row_with_too_many_fields(spec: PackSpec, tmp_path: Path) -> None:
    spec.tables["constituents"][1]["board"] = "创业板,多余"
    root = spec.write(tmp_path)
    text = (root / "constituents.csv").read_text(encoding="utf-8").replace('"创业板,多余"', "创业板,多余")
    (root / "constituents.csv").write_text(text, encoding="utf-8")
    err = _error(root)
    assert Path(err.file or "").name == "constituents.csv"
    assert err.row == 3
