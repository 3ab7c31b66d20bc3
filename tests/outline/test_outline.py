"""views.yaml: strict loading with file, key and line in every error; stocks resolved against the pack."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant import SAMPLE_DIR
from assistant.drafting import draft_report
from assistant.outline import OutlineError, load_outline
from assistant.pack import load_pack
from assistant.pack.model import MarketPack
from assistant.settings import get_settings

PACK = SAMPLE_DIR / "pack"


@pytest.fixture(scope="module")
def pack() -> MarketPack:
    return load_pack(PACK)


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "views.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def _error(tmp_path: Path, pack: MarketPack, text: str) -> OutlineError:
    with pytest.raises(OutlineError) as caught:
        load_outline(_write(tmp_path, text), pack)
    return caught.value


def test_no_views_yaml_is_no_outline(tmp_path: Path, pack: MarketPack) -> None:
    assert load_outline(tmp_path, pack) is None


def test_the_sample_outline_restates_the_seed(pack: MarketPack) -> None:
    outline = load_outline(PACK, pack)
    assert outline is not None and outline.title == "人工智能赋能新质生产力，国产 AI 产业迎来新机遇"
    assert len(outline.theses) == 5 and outline.theses[0].market and all(t.view.startswith("我们认为") for t in
                                                                          outline.theses)
    assert [len(a.stocks) for a in outline.advice] == [6, 4, 17, 2, 4]
    stocks = {s.name: s for a in outline.advice for s in a.stocks}
    assert stocks["科大讯飞"].code == "002230.SZ" and stocks["科大讯飞"].in_pack
    assert stocks["海光信息"].code == "688041.SH" and not stocks["海光信息"].in_pack
    assert stocks["曙光数创"].market == "A股" and {s.market for s in stocks.values()} == {"A股"}
    assert len(outline.risks) == 5


def test_names_codes_and_markets_resolve_against_the_pack(tmp_path: Path, pack: MarketPack) -> None:
    outline = load_outline(_write(tmp_path, """
theses:
  - headline: 算力国产化提速
    stocks: [中科曙光, 002230.SZ, 腾讯控股, NVDA.O]
advice:
  - theme: 海外龙头
    stocks: [{code: NVDA.O, name: 英伟达}, {code: 0700.HK, name: 腾讯控股}]
"""), pack)
    assert outline is not None
    got = [(s.code, s.name, s.market) for s in outline.theses[0].stocks]
    assert got == [("603019.SH", "中科曙光", "A股"), ("002230.SZ", "科大讯飞", "A股"), ("0700.HK", "腾讯控股", "港股"),
                   ("NVDA.O", "英伟达", "美股")]
    assert outline.theses[0].query == "算力国产化提速" and outline.theses[0].view == ""
    assert [s.market for s in outline.advice[0].stocks] == ["美股", "港股"]


@pytest.mark.parametrize(("text", "row", "field", "reason"), [
    ("theses:\n  - headline: 标题\n    view: 观点\n  - view: 没有标题的观点\n", 4, "theses[1].headline", "缺少必填字段"),
    ("theses:\n  - headline: [列表]\n", 2, "theses[0].headline", "应为文本"),
    ("theses:\n  - headline: 标题\n    market: 也许\n", 3, "theses[0].market", "true 或 false"),
    ("advice:\n  - theme: 国产算力\n    stocks: [中科曙光,\n             不存在的公司]\n", 4, "advice[0].stocks[1]",
     "找不到证券 不存在的公司"),
    ("advice:\n  - theme: 国产算力\n    stocks: [{code: 603019.SH, name: 海光信息}]\n", 3, "advice[0].stocks[0]",
     "名称是 中科曙光"),
    ("advice:\n  - theme: 国产算力\n    stocks: [{code: 12345, name: 某公司}]\n", 3, "advice[0].stocks[0]",
     "无法识别的证券代码"),
    ("advice:\n  - theme: 国产算力\n    stocks: [{name: 某公司}]\n", 3, "advice[0].stocks[0]", "{code: …, name: …}"),
    ("title: 标题\nthesis:\n  - headline: 拼错的键\n", 2, "thesis", "未知字段"),
    ("risks: 供应链风险\n", 1, "risks", "应为列表"),
])
def test_malformed_views_name_file_key_and_line(tmp_path: Path, pack: MarketPack, text: str, row: int, field: str,
                                                reason: str) -> None:
    error = _error(tmp_path, pack, text)
    assert error.file == str(tmp_path / "views.yaml")
    assert (error.row, error.field) == (row, field)
    assert reason in error.reason
    assert f"第 {row} 行" in str(error) and field in str(error)


def test_yaml_syntax_errors_and_a_non_mapping_name_the_line(tmp_path: Path, pack: MarketPack) -> None:
    assert _error(tmp_path, pack, "title: a\ntheses: [\n  - b\n").row is not None
    assert _error(tmp_path, pack, "- 只是一个列表\n").row == 1


def test_a_malformed_outline_stops_the_draft_before_anything_is_written(tmp_path: Path) -> None:
    pack_dir = tmp_path / "pack"
    shutil.copytree(PACK, pack_dir)
    (pack_dir / "views.yaml").write_text("theses:\n  - view: 没有标题\n", encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(OutlineError, match=r"theses\[0\]\.headline"):
        draft_report(pack_dir, SAMPLE_DIR / "corpus.jsonl", out, get_settings())
    assert not out.exists()
