"""Draft quality against the seed: the offline draft of the July sample keeps what an analyst checks first.

The gold (tests/drafting/data/quality_2024_07.yaml) is hand-derived from the seed report; bench/bench_quality.py
prints the same figures. Targets asserted here are the ones the offline engine reaches.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from assistant import SAMPLE_DIR
from assistant.drafting.extract import extract, split_units
from assistant.drafting.rows import funding_fields, policy_fields
from assistant.evaluation.quality import (
    QualityScore,
    cut_extract,
    evaluate_quality,
    load_gold,
    mid_context_start,
)
from assistant.models import Report, SectionDraft
from assistant.outline import load_outline
from assistant.pack import load_pack

GOLD = Path(__file__).parent / "data" / "quality_2024_07.yaml"
PACK, CORPUS = SAMPLE_DIR / "pack", SAMPLE_DIR / "corpus.jsonl"


@pytest.fixture(scope="module")
def sample(sample_draft: tuple[Report, Path]) -> tuple[Report, Path]:
    return sample_draft  # read only


@pytest.fixture(scope="module")
def score(sample: tuple[Report, Path]) -> QualityScore:
    report = sample[0]
    t5 = next(t for t in report.tables if t.id == "T5")
    outline = load_outline(PACK, load_pack(PACK))
    views = [t.view for t in outline.theses] if outline is not None else []
    return evaluate_quality(report, load_gold(GOLD), overseas_names=[r[1] for r in t5.rows], analyst_views=views)


# ------------------------------------------------------------------ the sample against the seed
@pytest.mark.slow
def test_headline_facts_survive(score: QualityScore) -> None:
    assert score.facts_total == 35
    assert score.facts_kept >= 33, score.facts_missing


@pytest.mark.slow
def test_no_extract_starts_mid_context_or_ends_cut(score: QualityScore) -> None:
    assert score.mid_context == []
    assert score.cut_rows == []


@pytest.mark.slow
def test_funding_table_has_the_seeds_cells(score: QualityScore) -> None:
    assert score.funding_total == 66
    assert score.funding_right >= 0.9 * score.funding_total, score.funding_wrong


@pytest.mark.slow
def test_seed_items_sit_in_their_proper_table(score: QualityScore) -> None:
    assert score.items_total == 53
    assert score.items_placed >= 52, score.items_missing


@pytest.mark.slow
def test_no_opinion_the_analyst_did_not_write(score: QualityScore) -> None:
    assert score.unowned_views == []


@pytest.mark.slow
def test_nothing_retrieved_in_window_is_dropped_silently(sample: tuple[Report, Path]) -> None:
    report, out = sample
    for section in report.sections:
        record = out / "stages" / "retrieval" / f"{section.id}.json"
        if not record.is_file() or section.id in ("core_views", "investment_advice"):
            continue
        packed = json.loads(record.read_text(encoding="utf-8"))["packed"]
        named = {f.sentence for f in section.findings if f.kind == "not_printed"}
        titles = {s.title for s in report.sources}
        for source in packed["sources"]:
            if not source["background"]:
                assert source["title"] in titles or source["title"] in named, (section.id, source["title"])


@pytest.mark.slow
def test_leads_state_only_what_the_rows_show(sample: tuple[Report, Path]) -> None:
    report, _ = sample
    template = Path("prompts/templates/monthly_ai.yaml").read_text(encoding="utf-8")
    for claim in ("开源与轻量化成为主线", "密集落地", "动态频出", "持续突破", "加速落地", "保持活跃", "持续完善"):
        assert claim not in template
    llm = report.section("llm_dynamics")
    assert llm is not None
    lead = llm.markdown.split("\n\n", 1)[0]
    assert "十条" in lead and lead.count("[") == 3
    # the lead's highlights are rows the section prints
    for marker in (m for m in lead.split("[")[1:]):
        assert f"[{marker.split(']')[0]}]" in llm.markdown.split("\n\n", 1)[1]


@pytest.mark.slow
def test_figure_slots_are_numbered_and_listed(sample: tuple[Report, Path]) -> None:
    _, out = sample
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "**图 3：PNN 训练方法发展时间表**" in markdown
    assert markdown.count("（图片待插入）") == 10
    toc = markdown.split("## 图表目录", 1)[1]
    assert "图 12：蚕丛机器人 FlashHub 示例图" in toc


# ------------------------------------------------------------------ the metrics themselves
@pytest.mark.parametrize("text, mid", [
    ("论文将这些非常规计算平台统称为 PNN。", True),
    ("除了这次发布之外，我们很高兴我们的第二代 Blackhole 的流片和通电进展非常顺利。”据介绍", True),
    ("这些方案旨在通过遴选 30 个以上解决方案。", True),
    ("Tenstorrent 首席执行官 JimKeller 表示：“我们很高兴。”", False),
    ("7月21日，《决定》发布。", False),
    ("Cradle 一共由 6 个模块组成：信息收集、自我反思。", False),
])
def test_mid_context_start(text: str, mid: bool) -> None:
    assert mid_context_start(text) is mid


@pytest.mark.parametrize("text, cut", [
    ("报告中提出要健全因地制宜发展新质生产力体制机制；健全促进实体经济和数字经济深度融合制度；[15]", True),
    ("Meta 表示：“直到今天，开源大模型[4]。", True),
    ("《决定》提出要“抓紧打造自主可控的产业链供应链”[14]。", False),
])
def test_cut_extract(text: str, cut: bool) -> None:
    assert cut_extract(text) is cut


def test_scores_name_every_miss() -> None:
    gold = load_gold(GOLD)
    empty = Report(month="2024-07", engine="offline", created_at=dt.datetime(2024, 8, 1, tzinfo=dt.UTC),
                   sections=[SectionDraft(id="investment_advice", title="五、投资建议", markdown="建议关注：英伟达、海光信息。"),
                             SectionDraft(id="core_views", title="核心观点", markdown="- **A**：我们认为行业景气。")])
    score = evaluate_quality(empty, gold, overseas_names=["英伟达"], analyst_views=["我们认为别的。"])
    assert score.facts_kept == 0 and len(score.facts_missing) == 35
    assert score.items_placed == 0 and len(score.items_missing) == 53
    assert score.funding_right == 0 and len(score.funding_wrong) == 66
    assert score.overseas_in_advice == ["英伟达"]
    assert len(score.unowned_views) == 1


# ------------------------------------------------------------------ extraction and rows
def test_quotation_stays_whole_with_its_speaker() -> None:
    body = ("Tenstorrent 推出新芯片 Wormhole。首席执行官 JimKeller 表示：“这很有益。除了这次发布之外，我们很高兴进展顺利。”"
            "据介绍，Wormhole 拥有 72 核心。")
    units = [u.text for u in split_units(body)]
    assert units[1] == "首席执行官 JimKeller 表示：“这很有益。除了这次发布之外，我们很高兴进展顺利。”"
    picked = extract(body, title="Tenstorrent 推出 Wormhole", limit=3)
    assert all(not p.startswith("除了") for p in picked)


def test_reference_brings_its_antecedent_and_lists_stay_whole() -> None:
    body = ("河南省出台了“数据要素×”行动实施方案。这些方案旨在遴选 30 个以上解决方案。\n"
            "“神农大模型 2.0”含有四个专门化的农业专业大模型：\n“神农·固芯”育种大模型：保障粮食安全\n"
            "“神农·筑基”种植大模型：提升效率\n“神农·强牧”养殖大模型：推动转型\n“神农·问穹”遥感气象大模型：减少损失")
    picked = extract(body, title="河南 30 个以上", limit=1)
    assert picked == ["河南省出台了“数据要素×”行动实施方案。", "这些方案旨在遴选 30 个以上解决方案。"]
    listing = next(u.text for u in split_units(body) if "四个" in u.text)
    assert all(name in listing for name in ("固芯", "筑基", "强牧", "问穹"))


def test_unattributed_first_person_is_never_extracted() -> None:
    body = "公司发布新品。我们不知道通用计算需要哪些特征。新品性能提升 40%。"
    assert "我们" not in "".join(extract(body, title="公司发布新品", limit=3))


def test_funding_fields_from_structure_lines_and_body() -> None:
    structured, missing = funding_fields("X 完成融资", "X 完成融资。", {"company": "X", "sector": "AI", "intro": "简介",
                                                                 "round": "A 轮", "amount": "1 亿人民币",
                                                                 "investors": "甲"})
    assert structured["sector"] == "AI" and missing == []
    lines, _ = funding_fields("百川智能完成A 轮融资，融资金额50 亿人民币",
                              "百川智能完成A 轮融资。\n\n融资方：百川智能\n赛道：AI 大模型\n本轮投资方：阿里、腾讯、亚投资本、中金等")
    assert lines["investors"] == "阿里、腾讯、亚投资本、中金等" and lines["round"] == "A 轮"
    body_only, missing = funding_fields("Tenstorrent 完成 1 亿美元融资，现代汽车集团与三星参投",
                                        "AI 芯片公司 Tenstorrent 宣布完成 1 亿美元融资，现代汽车集团和三星 Catalyst 基金等参与投资。")
    assert body_only["company"] == "Tenstorrent" and body_only["amount"] == "1 亿美元"
    assert body_only["investors"] == "现代汽车集团和三星 Catalyst 基金"
    assert "融资轮次" in missing and "赛道" in missing


def test_policy_rows_only_for_documents_an_authority_issued() -> None:
    doc = policy_fields("关于印发国家人工智能产业综合标准化体系建设指南(2024版)的通知",
                        "2024年7月2日，工业和信息化部、国家标准化管理委员会印发《国家人工智能产业综合标准化体系建设指南(2024版)》。",
                        "工业和信息化部")
    assert doc == {"level": "中央", "issuer": "工业和信息化部、国家标准化管理委员会",
                   "name": "关于印发国家人工智能产业综合标准化体系建设指南(2024版)的通知"}
    assert policy_fields("长三角人工智能+产业创新联合体正式成立", "7 月 4 日，联合体正式宣布成立。", "新华网") is None
    assert policy_fields("萝卜快跑无人驾驶出租车快速走红", "百度旗下的萝卜快跑走红。", "澎湃新闻") is None
