"""Hostile and careless market data packs: each stops with a PackError naming file, row and column.

Table-driven: every case mutates the small builder pack of ``tests/pack`` and states where the error points.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.errors import PackError
from assistant.pack import load_pack
from tests.pack.conftest import PackSpec

# prices rows: security i (of SECURITIES) on day d (of DAYS) is rows[i * 4 + d], file line i * 4 + d + 2.
_CAMBRICON_MONTH_END = 5 * 4 + 3
_INSPUR_MONTH_END = 3 * 4 + 3


def _set(table: str, index: int, column: str, value: str) -> Callable[[PackSpec], None]:
    def mutate(spec: PackSpec) -> None:
        spec.tables[table][index][column] = value
    return mutate


def _config(**changes: object) -> Callable[[PackSpec], None]:
    def mutate(spec: PackSpec) -> None:
        spec.config.update(changes)
    return mutate


def _empty(table: str) -> Callable[[PackSpec], None]:
    def mutate(spec: PackSpec) -> None:
        header = {key: "" for key in spec.tables[table][0]}
        spec.tables[table] = []
        spec.tables[table + "__header"] = [header]  # consumed by _write
    return mutate


@dataclass(frozen=True)
class Case:
    name: str
    mutate: Callable[[PackSpec], None]
    file: str
    row: int | None
    field: str | None
    says: str


CASES = [
    Case("close 1e308", _set("prices", _CAMBRICON_MONTH_END, "close", "1e308"), "prices.csv",
         _CAMBRICON_MONTH_END + 2, "close", "超出合理范围"),
    Case("close inf", _set("prices", _CAMBRICON_MONTH_END, "close", "inf"), "prices.csv",
         _CAMBRICON_MONTH_END + 2, "close", "有限数"),
    Case("monthly return +373%", _set("prices", _CAMBRICON_MONTH_END, "close", "900"), "prices.csv",
         _CAMBRICON_MONTH_END + 2, "close", "月涨跌幅"),
    Case("negative market cap", _set("prices", _INSPUR_MONTH_END, "market_cap", "-487.3"), "prices.csv",
         _INSPUR_MONTH_END + 2, "market_cap", "总市值必须为正数"),
    Case("revenue inf", _set("financials", 0, "revenue", "inf"), "financials.csv", 2, "revenue", "有限数"),
    Case("negative revenue", _set("financials", 1, "revenue", "-5"), "financials.csv", 3, "revenue", "非负数"),
    Case("negative fund size", _set("funds", 1, "size", "-3.73"), "funds.csv", 3, "size", "基金规模必须为正数"),
    Case("nav inf", _set("fund_navs", 2, "nav", "inf"), "fund_navs.csv", 4, "nav", "有限数"),
    Case("top_n -3", _config(top_n=-3), "pack.yaml", 13, "top_n", "top_n"),
    Case("top_n 0", _config(top_n=0), "pack.yaml", 13, "top_n", "top_n"),
    Case("top_n 1e8", _config(top_n=100_000_000), "pack.yaml", 13, "top_n", "top_n"),
    Case("header-only constituents", _empty("constituents"), "constituents.csv", 2, None, "没有数据行"),
    Case("header-only financials", _empty("financials"), "financials.csv", 2, None, "没有数据行"),
    Case("header-only fund_navs", _empty("fund_navs"), "fund_navs.csv", 2, None, "没有数据行"),
]


def _write(spec: PackSpec, root: Path) -> Path:
    headers = {k[: -len("__header")]: v for k, v in spec.tables.items() if k.endswith("__header")}
    spec.tables = {k: v for k, v in spec.tables.items() if not k.endswith("__header")}
    spec.write(root)
    for table, rows in headers.items():  # a header line and nothing else
        (root / f"{table}.csv").write_text(",".join(rows[0]) + "\n", encoding="utf-8")
    return root


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_implausible_pack_stops_with_file_row_column(case: Case, tmp_path: Path) -> None:
    spec = PackSpec()
    case.mutate(spec)
    root = _write(spec, tmp_path / "pack")
    before = {p.name: p.read_bytes() for p in root.iterdir()}
    with pytest.raises(PackError) as caught:
        load_pack(root)
    err = caught.value
    assert Path(err.file or "").name == case.file
    if case.file != "pack.yaml":
        assert err.row == case.row
    else:
        assert err.row is not None
    assert err.field == case.field
    assert case.says in str(err)
    assert {p.name: p.read_bytes() for p in root.iterdir()} == before  # reading never writes


def test_a_large_real_move_is_allowed_by_the_pack_setting(tmp_path: Path) -> None:
    spec = PackSpec()
    _set("prices", _CAMBRICON_MONTH_END, "close", "900")(spec)
    spec.config["max_monthly_return"] = 500
    pack = load_pack(spec.write(tmp_path / "pack"))
    assert pack.config.max_monthly_return == 500


@pytest.mark.parametrize(("yaml_change", "field", "suggestion"), [
    ({"watchlist": {"domestic": ["000977.SZ"]}}, "watchlist", "watchlists"),
    ({"theme_index": {"code": "884201.WI", "nmae": "人工智能指数"}}, "theme_index.nmae", "name"),
    ({"analysts": [{"name": "吴砚靖", "emial": "a@example.com"}]}, "analysts.0.emial", "email"),
    ({"watchlists": {"domestc": ["000977.SZ"]}}, "watchlists.domestc", "domestic"),
    ({"topn": 10}, "topn", "top_n"),
])
def test_misspelt_pack_yaml_key_is_an_error_with_a_suggestion(
    yaml_change: dict[str, object], field: str, suggestion: str, tmp_path: Path,
) -> None:
    spec = PackSpec()
    spec.config.update(yaml_change)
    with pytest.raises(PackError) as caught:
        load_pack(spec.write(tmp_path / "pack"))
    err = caught.value
    assert Path(err.file or "").name == "pack.yaml"
    assert err.field == field
    assert err.row is not None
    assert repr(suggestion) in str(err)


def test_the_contracts_optional_keys_are_accepted(tmp_path: Path) -> None:
    spec = PackSpec()
    spec.config.update({
        "legal_entity": "中国银河证券股份有限公司",
        "qualification": "本公司具有中国证监会核准的证券投资咨询业务资格",
        "contacts": ["北京市丰台区西营街8号", "(8610) 80927637"],
        "data_vendor": "Wind",
        "title": "人工智能赋能新质生产力",
        "analysts": [{"name": "吴砚靖", "role": "分析师", "phone": "1", "email": "a@example.com",
                      "certificate": "S0130519070001", "title": "负责人", "bio": "…"}],
    })
    assert load_pack(spec.write(tmp_path / "pack")).config.month == "2024-07"


_TRADITIONAL_FUNDS = (
    "fund_code,fund_name,fund_type,size\n"
    "001986,前海開源人工智能主題靈活配置混合型證券投資基金,契約型開放式,6.64\n"
    "005729,南方人工智能主題混合型證券投資基金,契約型開放式,3.73\n"
)
_JAPANESE_FUNDS = (
    "fund_code,fund_name,fund_type,size\n"
    "001986,人工知能テーマ株式ファンド（為替ヘッジなし）,契約型オープン,6.64\n"
    "005729,グローバル・ロボティクス株式ファンド,契約型オープン,3.73\n"
)


@pytest.mark.parametrize(("text", "encoding"), [(_TRADITIONAL_FUNDS, "big5"), (_JAPANESE_FUNDS, "shift_jis")])
def test_an_encoding_outside_the_contract_is_refused(text: str, encoding: str, tmp_path: Path) -> None:
    root = PackSpec().write(tmp_path / "pack")
    (root / "funds.csv").write_bytes(text.encode(encoding))
    with pytest.raises(PackError) as caught:
        load_pack(root)
    assert Path(caught.value.file or "").name == "funds.csv"
    assert "编码" in str(caught.value)


def test_gbk_and_gb18030_packs_still_load(tmp_path: Path) -> None:
    for encoding in ("gbk", "gb18030"):
        pack = load_pack(PackSpec().write(tmp_path / encoding, headers="zh", encoding=encoding))
        assert "浪潮信息" in set(pack.prices["name"])


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _garbage(data: bytes) -> bytes:
    return b"PK\x03\x04" + b"\x00" * 200


def _bad_member(data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            body = source.read(info)
            target.writestr(info, body[: len(body) // 3] if info.filename.startswith("xl/worksheets") else body)
    return buffer.getvalue()


@pytest.mark.parametrize("damage", [_truncated, _garbage, _bad_member], ids=["truncated", "garbage", "bad-sheet"])
def test_corrupt_xlsx_is_refused_with_a_message(damage: Callable[[bytes], bytes], tmp_path: Path) -> None:
    root = PackSpec().write(tmp_path / "pack", xlsx=("funds",))
    path = root / "funds.xlsx"
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(PackError) as caught:
        load_pack(root)
    assert Path(caught.value.file or "").name == "funds.xlsx"
    assert "XLSX" in str(caught.value)
