"""End to end on the bundled sample: pack -> tables -> ingest -> offline draft -> checks -> export, and the CLI."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest

from assistant import SAMPLE_DIR
from assistant.cli import main
from assistant.corpus import read_corpus
from assistant.drafting import draft_report, regenerate_section
from assistant.errors import DraftingError
from assistant.models import Report
from assistant.outline import load_outline
from assistant.outline.slots import ADVICE_SLOT, RISK_SLOT, VIEW_SLOT
from assistant.pack import load_pack
from assistant.progress import ProgressEvent
from assistant.settings import get_settings

pytestmark = pytest.mark.slow

PACK, CORPUS = SAMPLE_DIR / "pack", SAMPLE_DIR / "corpus.jsonl"


@pytest.fixture(scope="module")
def drafted(sample_draft: tuple[Report, Path], tmp_path_factory: pytest.TempPathFactory) -> tuple[Report, Path]:
    """The session's sample draft in a folder of this module's own (its tests re-run and regenerate in it)."""
    report, out = sample_draft
    return report, Path(shutil.copytree(out, tmp_path_factory.mktemp("sample") / "out"))


def test_every_section_is_drafted_and_exported(drafted: tuple[Report, Path]) -> None:
    report, out = drafted
    assert [s.id for s in report.sections] == [
        "core_views", "market_review", "data_policy", "llm_dynamics", "compute_dynamics", "tech_frontier",
        "policy_frontier", "product_dynamics", "funding", "investment_advice", "risk_warnings", "disclosures"]
    assert all(s.status == "draft" and s.markdown.strip() for s in report.sections)
    for name in ("report.md", "report.docx", "report.json", "stages/tables.json", "stages/meta.json",
                 "stages/drafts/core_views.json", "stages/retrieval/llm_dynamics.json", "stages/sources.json"):
        assert (out / name).is_file(), name
    assert not (out / "calls.jsonl").exists()  # the offline engine calls no model
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["engine"] == "offline"
    # the page line of the seed: the pack's licensed company, not the institute that signs the tables
    head = (out / "report.md").read_text(encoding="utf-8").split("## 核心观点")[0]
    assert "> 请务必阅读正文最后的中国银河证券股份有限公司免责声明。" in head


def test_every_marker_resolves_to_a_corpus_item_inside_the_month(drafted: tuple[Report, Path]) -> None:
    report, _ = drafted
    items = {i.doc_id: i for i in read_corpus(CORPUS).items}
    sources = {s.marker: s for s in report.sources}
    assert sources and sorted(sources) == list(range(1, len(sources) + 1))
    for section in report.sections:
        for n in map(int, re.findall(r"\[(\d+)\]", section.markdown)):
            item = items[sources[n].doc_id]
            assert dt.date(2024, 7, 1) <= item.date <= dt.date(2024, 7, 31), (section.id, n)
            assert "instruction_like" not in item.flags


def test_market_numbers_equal_the_computed_tables(drafted: tuple[Report, Path]) -> None:
    report, out = drafted
    facts = json.loads((out / "stages" / "tables.json").read_text(encoding="utf-8"))["facts"]
    text = report.section("market_review").markdown  # type: ignore[union-attr]
    assert f"收盘价为 {facts['theme_index.close']}，月涨跌幅为 {facts['theme_index.return']}" in text
    top = next(t for t in report.tables if t.id == "T1")
    name_col, ret_col = top.columns.index(next(c for c in top.columns if "简称" in c)), \
        top.columns.index(next(c for c in top.columns if "月涨跌幅" in c))
    best = max(top.rows, key=lambda r: float(r[ret_col].rstrip("%")))
    assert f"{best[name_col]}（{best[ret_col]}" in text
    # relative performance and valuation history are derived facts of the tables stage, worded by code
    assert f"跑赢沪深300 {facts['relative.000300.SH']} 个百分点" in text
    assert (f"当前 PE(TTM) 低于上年末（{facts['valuation.year_start_date']}，按上年净利润计）的 "
            f"{facts['valuation.pe_year_start']} 倍") in text


def test_seed_write_ups_are_present_with_sources(drafted: tuple[Report, Path]) -> None:
    report, _ = drafted
    tech = report.section("tech_frontier").markdown  # type: ignore[union-attr]
    product = report.section("product_dynamics").markdown  # type: ignore[union-attr]
    for text, topic in ((tech, "FlashAttention-3"), (tech, "JEST"), (tech, "PNN"), (product, "Mistral")):
        heading = re.search(rf"^#### \d+\. .*{topic}.*$", text, re.MULTILINE)
        assert heading, topic
        body = text[heading.end():].split("\n#### ")[0]
        assert re.search(r"\[\d+\]", body), topic


def test_no_blocking_check_apart_from_source_lines(drafted: tuple[Report, Path]) -> None:
    report, _ = drafted
    blocking = [f for f in report.checks if f.severity == "blocking" and not f.ok]
    assert all(f.sentence.startswith("资料来源") for f in blocking), [(f.kind, f.sentence[:60]) for f in blocking]
    assert not any("忽略" in s.markdown or "保证收益" in s.markdown for s in report.sections)


def test_rerun_reuses_stages_and_cli_runs(drafted: tuple[Report, Path], capsys: pytest.CaptureFixture[str]) -> None:
    _, out = drafted
    events: list[ProgressEvent] = []
    draft_report(PACK, CORPUS, out, get_settings(engine="offline"), progress=events.append)
    assert not [e for e in events if e.stage == "draft"]  # nothing stale, nothing redrafted
    code = main(["draft", "--sample", "--out", str(out), "--engine", "offline", "--sections", "funding",
                 "--force"])
    assert code == 0
    assert "投融资事件" in capsys.readouterr().out


def test_regenerate_section_applies_the_instruction(drafted: tuple[Report, Path]) -> None:
    report, out = drafted
    before = report.section("tech_frontier").markdown  # type: ignore[union-attr]
    shorter = regenerate_section(out, "tech_frontier", "更简洁", get_settings(engine="offline"))
    assert shorter.status == "draft" and len(shorter.markdown) < len(before)
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", shorter.markdown)}
    known = {s.marker for s in report.sources}
    assert markers and markers <= known  # same documents keep their report-global numbers


def test_a_regeneration_that_changes_nothing_is_refused_not_offered(drafted: tuple[Report, Path]) -> None:
    """The funding table lists the month's deals row by row: 更简洁 leaves it as it is, and saying so beats
    offering the editor an identical "suggestion"."""
    report, out = drafted
    current = report.section("funding").markdown  # type: ignore[union-attr]
    same = regenerate_section(out, "funding", "更简洁", get_settings(engine="offline"))
    assert " ".join(same.markdown.split()) == " ".join(current.split())  # what the engine does with it
    with pytest.raises(DraftingError, match=r"按指令“更简洁”重新生成的结果与当前版本相同.*投融资事件"):
        regenerate_section(out, "funding", "更简洁", get_settings(engine="offline"), current_markdown=current)


def test_core_views_carry_the_analysts_theses_with_evidence_and_views_verbatim(drafted: tuple[Report, Path]) -> None:
    report, _ = drafted
    outline = load_outline(PACK, load_pack(PACK))
    assert outline is not None and report.title == outline.title
    core = report.section("core_views").markdown  # type: ignore[union-attr]
    bullets = [ln for ln in core.splitlines() if ln.startswith("- **")]
    assert len(bullets) == len(outline.theses) + 2  # the five theses, then 投资建议 and 风险提示
    for bullet, thesis in zip(bullets, outline.theses, strict=False):
        assert bullet.startswith(f"- **{thesis.headline}**")
        assert bullet.endswith(thesis.view)  # the analyst's words, as written
        evidence = bullet[len(thesis.headline) + 6:-len(thesis.view)]
        if thesis.market:
            assert "0.52%" in evidence and "跑赢沪深300 1.09 个百分点" in evidence
        else:
            assert re.search(r"\[\d+\]", evidence), thesis.headline
    assert "Llama 3.1" in bullets[4] and "GPT-4o" in bullets[4]
    assert not [f for f in report.checks if f.kind == "view_awaiting_analyst"]


def test_investment_advice_lists_the_outlines_stocks_per_direction_and_no_overseas_names(
        drafted: tuple[Report, Path]) -> None:
    report, _ = drafted
    outline = load_outline(PACK, load_pack(PACK))
    assert outline is not None
    advice = report.section("investment_advice").markdown  # type: ignore[union-attr]
    for i, theme in enumerate(outline.advice, start=1):
        line = next(ln for ln in advice.splitlines() if ln.startswith(f"{i}. **{theme.theme}**"))
        assert line.endswith(f"相关标的：{'、'.join(s.name for s in theme.stocks)}。")
    seed = ["科大讯飞", "海康威视", "大华股份", "中科曙光", "工业富联", "网宿科技", "海光信息", "龙芯中科", "华勤技术",
            "润泽科技", "曙光数创", "中科创达", "锐明技术", "万集科技", "千方科技", "金溢科技", "税友股份", "中国软件",
            "万兴科技", "国能日新", "神州数码", "金山办公", "深桑达A", "超图软件", "萤石网络", "彩讯股份", "同花顺",
            "财富趋势", "嘉和美康", "上海钢联", "柏楚电子", "中控技术", "诺瓦星云"]  # the seed's 投资建议, in its order
    assert all(name in advice for name in seed)
    overseas = [r[1] for r in next(t for t in report.tables if t.id == "T5").rows]
    # catalysts may be overseas news (英伟达联合 Mistral AI …); the recommended stocks never are
    listed = "".join(re.findall(r"相关标的：(.*?)。", advice)) + "".join(re.findall(r"建议关注：(.*?)等。", advice))
    assert overseas and listed and not [n for n in overseas if n in listed]
    assert advice.startswith("我们维持计算机行业“推荐”评级")
    risks = report.section("risk_warnings").markdown  # type: ignore[union-attr]
    assert risks == "；".join(outline.risks) + "。"


@pytest.fixture(scope="module")
def unoutlined(drafted: tuple[Report, Path], tmp_path_factory: pytest.TempPathFactory) -> Report:
    """The sample without views.yaml, drafted over the store the first draft filled (nothing re-embedded)."""
    _, first = drafted
    root = tmp_path_factory.mktemp("no_views")
    pack = shutil.copytree(PACK, root / "pack", ignore=shutil.ignore_patterns("views.yaml"))
    return draft_report(pack, CORPUS, root / "out", get_settings(engine="offline", store_dir=first / "store"))


def test_without_an_outline_theses_are_proposed_with_evidence_and_slots_the_checks_hold(
        unoutlined: Report) -> None:
    core = unoutlined.section("core_views").markdown  # type: ignore[union-attr]
    theses = [ln for ln in core.splitlines() if ln.startswith("- **") and not ln.startswith(("- **投资建议",
                                                                                             "- **风险提示"))]
    assert len(theses) >= 3 and all(t.endswith(VIEW_SLOT) for t in theses)
    assert all(re.search(r"\[\d+\]", t) for t in theses[1:])
    assert "我们认为" not in core
    assert unoutlined.title == "2024年7月人工智能月报"  # the July headline is the analyst's, in views.yaml only
    held = [f for f in unoutlined.checks if f.kind == "view_awaiting_analyst"]
    # without the analyst's risks, 风险提示 is a slot too (never the July sample's list)
    assert {f.section for f in held} == {"core_views", "investment_advice", "risk_warnings"}
    assert all(f.severity == "blocking" for f in held)
    assert unoutlined.section("risk_warnings").markdown == f"{RISK_SLOT}。"  # type: ignore[union-attr]
    advice = unoutlined.section("investment_advice").markdown  # type: ignore[union-attr]
    assert "国产算力产业链及生态伙伴" not in advice and ADVICE_SLOT in advice  # no invented directions
    overseas = [r[1] for r in next(t for t in unoutlined.tables if t.id == "T5").rows]
    listed = "".join(re.findall(r"相关标的：(.*?)。", advice))
    assert not [n for n in overseas if n in listed]
