"""Plausibility over every series (issue 22, item 7): a figure that cannot be real is refused with file, row and
column before any table prints it."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant import SAMPLE_DIR
from assistant.errors import PackError
from assistant.pack import load_pack
from assistant.pack.plausible import price_limit


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    return Path(shutil.copytree(SAMPLE_DIR / "pack", tmp_path / "pack"))


def _edit(path: Path, line_no: int, change: Callable[[list[str]], None]) -> None:
    """Change one data line (1-based, as an editor counts lines) of a CSV."""
    lines = path.read_text(encoding="utf-8").split("\n")
    cells = lines[line_no - 1].split(",")
    change(cells)
    lines[line_no - 1] = ",".join(cells)
    path.write_text("\n".join(lines), encoding="utf-8")


def _line(path: Path, prefix: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1)
                if line.startswith(prefix))


def _times(column: int, factor: float) -> Callable[[list[str]], None]:
    def change(cells: list[str]) -> None:
        cells[column] = f"{float(cells[column]) * factor:.4f}"
    return change


def test_a_main_board_close_times_3_4_on_one_day_is_refused(pack: Path) -> None:
    prices = pack / "prices.csv"
    row = _line(prices, "2024-07-11,600588.SH")
    _edit(prices, row, _times(3, 3.4))
    with pytest.raises(PackError) as caught:
        load_pack(pack)
    error = caught.value
    assert error.file is not None and error.file.endswith("prices.csv") and error.row == row and error.field == "close"
    assert "主板" in error.reason and "±10%" in error.reason and "600588.SH" in error.reason


def test_a_theme_index_times_10_on_the_year_start_base_is_refused(pack: Path) -> None:
    prices = pack / "prices.csv"
    _edit(prices, _line(prices, "2023-12-29,884201.WI"), _times(3, 10))
    with pytest.raises(PackError, match="指数") as caught:
        load_pack(pack)
    assert caught.value.row == _line(prices, "2024-01-02,884201.WI")  # the day after the base shows the jump


def test_a_fund_nav_times_10_is_refused(pack: Path) -> None:
    navs = pack / "fund_navs.csv"
    row = _line(navs, "2024-07-10,001986")
    _edit(navs, row, _times(2, 10))
    with pytest.raises(PackError, match="净值") as caught:
        load_pack(pack)
    assert caught.value.row == row and caught.value.field == "nav"


def test_one_revenue_in_yuan_instead_of_yi_is_refused(pack: Path) -> None:
    financials = pack / "financials.csv"
    row = _line(financials, "600588.SH,用友网络,2021A")
    _edit(financials, row, _times(3, 1e8))
    with pytest.raises(PackError, match="单位") as caught:
        load_pack(pack)
    assert caught.value.row == row and caught.value.field == "revenue"


def test_a_market_cap_in_wan_instead_of_yi_is_refused(pack: Path) -> None:
    prices = pack / "prices.csv"
    row = _line(prices, "2024-07-11,600588.SH")
    _edit(prices, row, _times(4, 1e4))
    with pytest.raises(PackError, match="总市值") as caught:
        load_pack(pack)
    assert caught.value.row == row and caught.value.field == "market_cap"


@pytest.mark.parametrize(("code", "move", "ok"), [
    ("600588.SH", 1.0998, True),   # 主板 limit-up
    ("600588.SH", 1.15, False),
    ("300033.SZ", 1.1995, True),   # 创业板 +20 %
    ("300033.SZ", 1.26, False),
])
def test_real_limit_moves_pass_and_beyond_the_board_limit_fail(pack: Path, code: str, move: float,
                                                               ok: bool) -> None:
    prices = pack / "prices.csv"
    before = float(prices.read_text(encoding="utf-8").split("\n")[_line(prices, f"2024-07-10,{code}") - 1]
                   .split(",")[3])
    row = _line(prices, f"2024-07-11,{code}")
    after = float(prices.read_text(encoding="utf-8").split("\n")[row - 1].split(",")[3])

    def to(cells: list[str]) -> None:
        cells[3] = f"{before * move:.4f}"
    _edit(prices, row, to)
    # the day after moves back: keep it within the limit too (limit-down is -10 %/-20 %)
    _edit(prices, _line(prices, f"2024-07-12,{code}"), lambda c: c.__setitem__(3, f"{max(after, before * move * 0.91):.4f}"))
    if ok:
        load_pack(pack)
    else:
        with pytest.raises(PackError, match=code):
            load_pack(pack)


def test_a_listed_exemption_lets_a_real_move_pass(pack: Path) -> None:
    prices = pack / "prices.csv"
    _edit(prices, _line(prices, "2024-07-11,600588.SH"), _times(3, 1.5))
    _edit(prices, _line(prices, "2024-07-12,600588.SH"), _times(3, 1.5))
    config = pack / "pack.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "plausibility_exempt: [600588.SH]\n", encoding="utf-8")
    load_pack(pack)


def test_price_limits_by_board() -> None:
    assert price_limit("600000.SH", "*ST某某", "主板", ())[0] == 5.0
    assert price_limit("688256.SH", "寒武纪-U", None, ())[0] == 20.0
    assert price_limit("830799.BJ", "某某", None, ())[0] == 30.0
    assert price_limit("000001.SH", "上证综指", None, ())[1] == "指数"
    assert price_limit("NVDA.O", "英伟达", None, ())[1] == "无涨跌幅限制的证券"
