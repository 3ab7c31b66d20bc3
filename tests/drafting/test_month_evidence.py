"""A month built here to push what July never does (issue 20 items 6-10): theses whose retrieval finds unrelated
items, two theses wanting the same sentence, names no item supports, funding read from text (company only in the
body, a fund and an acquisition among the rounds), an English-only story, a pack without disclosure keys and an
outline without risks. One offline draft, many assertions."""

from __future__ import annotations

import json
import re

import pytest

from assistant.drafting import draft_report
from assistant.models import Report
from assistant.outline.slots import RISK_SLOT
from assistant.settings import get_settings
from tests.drafting.test_second_month import build_august

pytestmark = pytest.mark.slow

ITEMS = [  # id, day, category, title, body
    ("build", 6, "llm_foreign", "微软 Build 开发者大会发布 Copilot 智能体",
     "微软在 Build 开发者大会上发布 Copilot 智能体，开发者可在 Windows 中调用智能体完成多步任务。"
     "微软表示，Copilot 智能体已接入 Office 全家桶。"),
    ("qwen", 7, "llm_domestic", "阿里开源 Qwen2 系列模型，面向全球开发者",
     "阿里云开源 Qwen2 系列模型，共五个参数规模，面向全球开发者免费商用。Qwen2 在多项评测中表现领先。"),
    ("ascend", 20, "compute", "华为昇腾新一代 AI 芯片进入量产，浪潮信息推出适配服务器",
     "华为昇腾新一代 AI 芯片进入量产阶段，面向大模型训练与推理。浪潮信息同步推出适配昇腾芯片的 AI 服务器。"
     "业内人士表示，国产算力供给将进一步提升。"),
    ("o1", 13, "llm_foreign", "OpenAI releases o1 reasoning models",
     "OpenAI on Thursday released o1, a new family of reasoning models. The models spend more time thinking "
     "before they respond. OpenAI said o1 outperforms GPT-4o on hard math problems."),
    ("round-quoted", 12, "funding", "「星辰智能」获数亿元B轮融资",
     "近日，星辰智能宣布完成数亿元 B 轮融资，本轮融资由红杉中国领投，高瓴创投跟投。公司专注于具身智能机器人研发。"),
    ("round-body", 19, "funding", "AI 芯片初创公司完成 C 轮融资",
     "8 月 19 日，深算科技完成 C 轮融资，融资金额数亿元，由国投创业领投。深算科技是一家 AI 推理芯片研发商。"),
    ("round-bare", 15, "funding", "「云图科技」完成 A 轮融资", "云图科技宣布完成 A 轮融资，资金将用于产品研发。"),
    ("partnership", 21, "funding", "贝莱德、微软等成立 AI 基础设施投资合伙，募资目标 300 亿美元",
     "贝莱德、全球基础设施合作伙伴、微软和 MGX 宣布成立全球人工智能基础设施投资合伙，募资目标 300 亿美元，"
     "投资数据中心及配套能源设施。"),
    ("acquisition", 22, "funding", "某上市公司拟 10 亿元收购 AI 视觉公司",
     "某上市公司公告，拟以 10 亿元现金收购一家 AI 视觉公司 100% 股权。"),
]
OUTLINE = """\
title: 智能体与国产算力
theses:
  - headline: 8月板块随大盘调整。
    market: true
    view: 我们认为，板块调整主要受整体市场风险偏好回落影响。
  - headline: 微软与谷歌开发者大会接连召开，智能体成为主线。
    evidence: 开发者大会 智能体 开发者
    view: 我们认为，微软 Copilot 与谷歌 Gemini 的智能体能力将带动办公软件升级。
  - headline: 国产算力供给提升。
    evidence: 昇腾 AI 芯片 量产 浪潮信息
    view: 我们认为，华为昇腾与英伟达 Blackwell 的竞争将加剧。
  - headline: 国产 AI 服务器迭代加速。
    evidence: 昇腾 AI 服务器 浪潮信息
  - headline: OpenAI 发布推理模型 o1。
    evidence: OpenAI o1 推理模型
advice:
  - theme: 国产算力及 AI 服务器
    evidence: 昇腾 AI 服务器 OpenAI
    stocks: [浪潮信息, 寒武纪-U]
"""


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> Report:
    root = tmp_path_factory.mktemp("evidence_month")
    pack, corpus = build_august(root)
    (pack / "views.yaml").write_text(OUTLINE, encoding="utf-8")  # no risks: the slot, never July's list
    corpus.write_text("".join(json.dumps({"id": i, "date": f"2024-08-{d:02d}", "title": t, "body": b,
                                          "source": "示例网", "category": c}, ensure_ascii=False) + "\n"
                              for i, d, c, t, b in ITEMS), encoding="utf-8")
    return draft_report(pack, corpus, root / "out", get_settings(engine="offline"))


def _bullets(report: Report) -> list[str]:
    return report.section("core_views").markdown.splitlines()  # type: ignore[union-attr]


def _cited_titles(report: Report, line: str) -> set[str]:
    by_marker = {s.marker: s.title for s in report.sources}
    return {by_marker.get(int(n), "") for n in re.findall(r"\[(\d+)\]", line)}


def test_a_thesis_is_backed_only_by_items_that_speak_of_its_names(month: Report) -> None:
    conference = _bullets(month)[1]
    assert conference.startswith("- **微软与谷歌开发者大会接连召开")
    titles = _cited_titles(month, conference)
    assert "微软 Build 开发者大会发布 Copilot 智能体" in titles
    assert not any("Qwen2" in t for t in titles)  # "开发者" matched the query; it names neither vendor
    assert "Qwen2" not in conference


def test_names_the_view_relies_on_without_an_item_get_a_visible_slot(month: Report) -> None:
    conference, compute = _bullets(month)[1], _bullets(month)[2]
    assert "【待分析师补充证据：谷歌、Gemini】" in conference or "【待分析师补充证据：Gemini、谷歌】" in conference
    slot = re.search(r"【待分析师补充证据：([^】]+)】", compute)
    assert slot and set(slot.group(1).split("、")) == {"Blackwell", "英伟达"}
    assert {f.kind for f in month.checks if f.section == "core_views"} >= {"view_awaiting_analyst"}


def test_one_sentence_backs_at_most_one_thesis(month: Report) -> None:
    seen: dict[str, int] = {}
    for i, line in enumerate(_bullets(month)):
        for sentence in re.findall(r"[^。！？]+\[\d+\]", line):
            key = re.sub(r"\[\d+\]|\*\*[^*]+\*\*|^- ", "", sentence).strip()
            assert seen.setdefault(key, i) == i, f"{key} backs two theses"


def test_english_never_stands_unmarked_in_core_views_advice_or_news(month: Report) -> None:
    english = re.compile(r"[A-Za-z]+(?: [A-Za-z0-9,]+){3,}")  # a run of four English words is a sentence
    marked = re.compile(r"英文原文摘录（未翻译）：“[^”]*”|[A-Za-z0-9 ,.-]+（英文）")
    for sid in ("core_views", "investment_advice", "llm_dynamics"):
        text = month.section(sid).markdown  # type: ignore[union-attr]
        assert "OpenAI releases o1" in text
        assert not english.findall(marked.sub("", text)), sid
    core = month.section("core_views").markdown  # type: ignore[union-attr]
    assert "OpenAI releases o1 reasoning models（英文）" in core


def test_funding_cells_are_read_from_the_text_and_non_rounds_leave_the_table(month: Report) -> None:
    funding = month.section("funding").markdown  # type: ignore[union-attr]
    rows = [r for r in funding.splitlines() if r.startswith("| ") and "融资方" not in r and "---" not in r]
    by_company = {r.split(" | ")[0].removeprefix("| "): r for r in rows}
    assert set(by_company) == {"星辰智能", "深算科技", "云图科技"}
    assert "| C 轮 | 数亿元 | 国投创业领投" in by_company["深算科技"]
    assert "B 轮" in by_company["星辰智能"] or "B轮" in by_company["星辰智能"]
    assert "红杉中国领投，高瓴创投跟投" in by_company["星辰智能"]
    assert "| 【待补】 |" in by_company["云图科技"] and " - " not in " ".join(rows)
    table = funding[funding.index("| 融资方"):funding.index("资料来源")]
    assert "五" not in funding.split("\n", 1)[0] and "三起" in funding.split("\n", 1)[0]  # the lead counts rounds
    assert "募资目标" not in table and "收购" not in table
    others = funding.split("其他相关动态", 1)[1]
    assert "募资目标 300 亿美元" in others and "收购" in others
    missing = [f for f in month.section("funding").findings if f.kind == "funding_cell_missing"]  # type: ignore[union-attr]
    assert any("云图科技" in f.sentence and "融资金额" in f.detail for f in missing)


def test_fixed_sections_print_slots_for_what_the_pack_and_outline_do_not_give(month: Report) -> None:
    assert month.section("risk_warnings").markdown.startswith(RISK_SLOT)  # type: ignore[union-attr]
    assert "技术研发进度不及预期风险" not in "\n".join(s.markdown for s in month.sections)
    disclosures = month.section("disclosures").markdown  # type: ignore[union-attr]
    for key in ("legal_entity", "qualification", "contacts"):
        assert f"pack.yaml {key}）】" in disclosures
    blocking = {f.detail for f in month.checks if f.kind == "disclosure_incomplete" and f.severity == "blocking"}
    assert len(blocking) == 3

