"""A second month, built here: August 2024 with its own tiny pack, corpus and outline, in which the index members
lose money in aggregate. Nothing of July's outline may be reprinted, and the market review must survive the loss."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
import yaml

from assistant import SAMPLE_DIR
from assistant.drafting import draft_report
from assistant.drafting.orchestrator import report_title
from assistant.models import Report
from assistant.outline import load_outline
from assistant.outline.slots import VIEW_SLOT
from assistant.pack import load_pack
from assistant.pack.model import PackConfig
from assistant.settings import get_settings

pytestmark = pytest.mark.slow

DAYS = ["2023-12-29", "2024-07-31", "2024-08-01", "2024-08-30"]
PRICES = [  # code, name, closes on DAYS, market cap (亿)
    ("884201.WI", "人工智能指数", [5755.55, 5257.12, 5230.0, 5000.0], ""),
    ("801750.SI", "计算机行业指数", [3680.0, 3037.17, 3020.0, 2950.0], ""),
    ("000300.SH", "沪深300", [3431.11, 3442.08, 3420.0, 3321.4], ""),
    ("000977.SZ", "浪潮信息", [30.0, 35.5, 35.0, 33.1], "487.3"),
    ("300033.SZ", "同花顺", [160.0, 120.0, 118.0, 110.25], "592.7"),
    ("688256.SH", "寒武纪-U", [160.0, 264.06, 260.0, 250.0], "1040.0"),
    ("NVDA.O", "英伟达", [49.5, 117.02, 109.2, 119.37], "29300"),
]
FINANCIALS = [  # net profit turns to an aggregate loss: no profit CAGR, a negative PE(TTM)
    ("000977.SZ", "浪潮信息", [("2020A", 630.4, 14.7), ("2023A", 658.7, -20.0), ("TTM", 800.1, -25.0)]),
    ("300033.SZ", "同花顺", [("2020A", 28.4, 17.2), ("2023A", 35.6, -15.0), ("TTM", 36.0, -12.0)]),
    ("688256.SH", "寒武纪-U", [("2020A", 4.6, -4.3), ("2023A", 7.1, -8.5), ("TTM", 5.0, -9.0)]),
    ("NVDA.O", "英伟达", [("2020A", 109.2, 28.0), ("2023A", 269.7, 43.7), ("TTM", 960.0, 530.0)]),
]
ITEMS = [  # id, day, category, title, body
    ("aug-policy", 3, "policy", "国务院印发《关于促进服务消费高质量发展的意见》",
     "国务院印发《关于促进服务消费高质量发展的意见》，提出加快生活服务数字化赋能，推动人工智能等新技术在服务消费领域的应用。"),
    ("aug-ascend", 20, "compute", "华为昇腾新一代 AI 芯片进入量产",
     "华为昇腾新一代 AI 芯片进入量产阶段，面向大模型训练与推理，国产算力供给进一步提升。多家服务器厂商表示将推出适配整机。"),
    ("aug-inspur", 22, "compute", "浪潮信息发布新一代 AI 服务器",
     "浪潮信息发布新一代 AI 服务器，支持多种国产 AI 芯片，单机算力较上一代提升 2 倍，面向大模型训练场景。"),
    ("aug-glm", 29, "llm_domestic", "智谱发布新一代基座大模型 GLM-4-Plus",
     "智谱发布新一代基座大模型 GLM-4-Plus，在语言理解与长文本处理能力上显著提升，并同步开放 API 调用。"),
    ("aug-grok", 14, "llm_foreign", "xAI 发布 Grok-2 大模型",
     "xAI 发布 Grok-2 与 Grok-2 mini 两款大模型，在多项基准测试中表现接近业界头部模型。"),
    ("aug-phone", 15, "product", "AI 手机新品密集发布，端侧大模型加速落地",
     "8 月多家厂商发布搭载端侧大模型的 AI 手机新品，支持本地运行的语音助手与图像编辑功能，端侧 AI 应用加速落地。"),
    ("aug-data", 21, "data_policy", "国家数据局推进公共数据资源开发利用",
     "国家数据局表示将加快推进公共数据资源开发利用，完善数据要素市场制度，培育全国一体化数据市场。"),
    ("aug-fund", 5, "funding", "月之暗面完成新一轮融资，融资金额 3 亿美元",
     "融资方：月之暗面。融资轮次：B 轮。融资金额：3 亿美元。本轮投资方：腾讯、高榕资本。公司专注于大模型研发。"),
]
OUTLINE = """\
title: 端侧 AI 加速落地，国产算力需求延续
theses:
  - headline: 8月板块随大盘调整。
    market: true
    view: 我们认为，板块调整主要受整体市场风险偏好回落影响。
  - headline: 国产算力供给提升，AI 服务器迭代加速。
    evidence: 昇腾 AI 芯片 量产 AI 服务器 浪潮信息
    view: 我们认为，国产 AI 芯片量产将带动国产服务器整机需求。
  - headline: 端侧 AI 应用加速落地。
    evidence: AI 手机 端侧大模型
advice:
  - theme: 国产算力及 AI 服务器
    stocks: [浪潮信息, 寒武纪-U]
risks: [下游需求不及预期风险, 国产芯片量产进度不及预期风险]
"""


def _csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def build_august(root: Path) -> tuple[Path, Path]:
    pack = root / "pack"
    pack.mkdir(parents=True)
    config = {
        "month": "2024-08", "series": "人工智能月报", "industry": "计算机行业", "rating": "推荐",
        "rating_action": "维持评级", "institution": "示例证券研究院",
        "theme_index": {"code": "884201.WI", "name": "人工智能指数"},
        "sector_index": {"code": "801750.SI", "name": "计算机行业指数"},
        "benchmarks": [{"code": "000300.SH", "name": "沪深300"}], "top_n": 3,
        "watchlists": {"domestic": ["000977.SZ", "300033.SZ"], "overseas": ["NVDA.O"]},
        "funds": ["001986"],
        "analysts": [{"name": "张三", "certificate": "S0000000000001", "phone": "010-0000", "email": "a@example.com"}],
    }
    (pack / "pack.yaml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    _csv(pack / "prices.csv", ["date", "code", "name", "close", "market_cap"],
         [[d, c, n, closes[i], cap] for c, n, closes, cap in PRICES for i, d in enumerate(DAYS)])
    _csv(pack / "constituents.csv", ["index_code", "code", "name", "board"],
         [["884201.WI", "000977.SZ", "浪潮信息", "主板"], ["884201.WI", "300033.SZ", "同花顺", "创业板"],
          ["884201.WI", "688256.SH", "寒武纪-U", "科创板"]])
    _csv(pack / "financials.csv", ["code", "name", "period", "revenue", "net_profit", "currency"],
         [[c, n, p, r, np_, "USD" if c == "NVDA.O" else "CNY"] for c, n, rows in FINANCIALS for p, r, np_ in rows])
    _csv(pack / "funds.csv", ["fund_code", "fund_name", "fund_type", "size"],
         [["001986", "前海开源人工智能", "契约型开放式", "6.64"]])
    _csv(pack / "fund_navs.csv", ["date", "fund_code", "nav"],
         [[d, "001986", nav] for d, nav in (("2024-02-29", 1.1), ("2024-05-31", 1.2), ("2024-07-31", 1.24),
                                            ("2024-08-30", 1.2))])
    (pack / "views.yaml").write_text(OUTLINE, encoding="utf-8")
    corpus = root / "corpus.jsonl"
    corpus.write_text("".join(json.dumps({"id": i, "date": f"2024-08-{d:02d}", "title": t, "body": b, "source": "示例网",
                                          "category": c}, ensure_ascii=False) + "\n"
                              for i, d, c, t, b in ITEMS), encoding="utf-8")
    return pack, corpus


@pytest.fixture(scope="module")
def august(tmp_path_factory: pytest.TempPathFactory) -> Report:
    root = tmp_path_factory.mktemp("august")
    pack, corpus = build_august(root)
    return draft_report(pack, corpus, root / "out", get_settings(engine="offline"))


def _july_outline_text() -> list[str]:
    pack = SAMPLE_DIR / "pack"
    july = load_outline(pack, load_pack(pack))
    assert july is not None
    return [july.title, *(t.headline for t in july.theses), *(t.view for t in july.theses),
            *(a.theme for a in july.advice), *(s.name for a in july.advice for s in a.stocks if s.name not in
                                               ("浪潮信息", "寒武纪-U", "同花顺"))]


def test_no_july_thesis_direction_or_stock_is_reprinted(august: Report) -> None:
    text = "\n".join(s.markdown for s in august.sections) + august.title
    assert not [t for t in _july_outline_text() if t in text]
    assert august.title == "端侧 AI 加速落地，国产算力需求延续"
    advice = august.section("investment_advice").markdown  # type: ignore[union-attr]
    assert "1. **国产算力及 AI 服务器**" in advice and "相关标的：浪潮信息、寒武纪-U。" in advice
    assert "英伟达" not in "".join(re.findall(r"相关标的：(.*?)。", advice))
    assert august.section("risk_warnings").markdown == "下游需求不及预期风险；国产芯片量产进度不及预期风险。"  # type: ignore[union-attr]


def test_august_core_views_use_august_evidence_and_leave_the_missing_view_to_the_analyst(august: Report) -> None:
    core = august.section("core_views").markdown  # type: ignore[union-attr]
    bullets = core.splitlines()
    assert "跑输沪深300" in bullets[0] and bullets[0].endswith("我们认为，板块调整主要受整体市场风险偏好回落影响。")
    assert re.search(r"(昇腾|浪潮信息).*\[\d+\]", bullets[1])
    assert bullets[2].startswith("- **端侧 AI 应用加速落地。**") and bullets[2].endswith(VIEW_SLOT)
    held = [f for f in august.checks if f.kind == "view_awaiting_analyst"]
    assert [f.section for f in held] == ["core_views"] and held[0].severity == "blocking"


def test_a_loss_making_month_drafts_the_market_review_with_the_valuation_sentence_adapted(august: Report) -> None:
    market = august.section("market_review")
    assert market is not None and market.status == "draft", market and market.error
    assert "成分股整体净利润（TTM）为亏损，PE(TTM) 不适用" in market.markdown
    assert "净利润复合增长率" not in market.markdown.split("**表")[0].split("### （三）板块估值")[1]
    assert not re.search(r"PE\(TTM\) -", market.markdown)
    assert {f.kind for f in market.findings} >= {"market_fact_missing"}
    assert any("净利润复合增长率" in f.detail for f in market.findings)
    assert any("亏损" in f.detail for f in market.findings)
    # every top mover fell this month: no "涨幅居前" in front of a negative return
    assert not re.search(r"涨幅居前的为[^；。]*（-", market.markdown)
    # and the gainers' table is empty, titled by what it holds, the prose says why
    assert "本月成分股无上涨个股" in market.markdown
    assert not re.search(r"涨幅前[一二三四五六七八九十]", market.markdown)


def test_without_a_title_anywhere_the_title_is_neutral() -> None:
    config = PackConfig.model_validate({"month": "2024-08", "theme_index": {"code": "a", "name": "a"},
                                        "sector_index": {"code": "b", "name": "b"}})
    assert report_title(config, None) == "2024年8月人工智能月报"
