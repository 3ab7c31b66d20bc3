"""Event importance and themes: policy level, pack names, money and coverage outrank retrieval order."""

from __future__ import annotations

import datetime as dt

from assistant.drafting.importance import cluster_themes, event_groups, money_yi, normalise_name, rank_items
from assistant.models import NewsItem


def _item(doc: str, title: str, body: str = "", *, category: str = "other", source: str = "新华网",
          day: int = 10, flags: list[str] | None = None) -> NewsItem:
    return NewsItem(doc_id=doc, date=dt.date(2024, 7, day), title=title, body=body or title, source=source,
                    category=category, flags=flags or [])


def test_central_policy_outranks_ministry_and_local() -> None:
    items = [
        _item("local", "河南省出台“数据要素×”行动实施方案", category="data_policy"),
        _item("ministry", "工业和信息化部印发国家人工智能产业综合标准化体系建设指南", category="policy"),
        _item("central", "《中共中央关于进一步全面深化改革推进中国式现代化的决定》发布", category="policy"),
    ]
    ranked = rank_items(items)
    assert [r.doc_id for r in ranked] == ["central", "ministry", "local"]
    assert "中央级政策" in ranked[0].reasons and "部委级政策" in ranked[1].reasons and "地方政策" in ranked[2].reasons


def test_pack_names_money_and_independent_sources_raise_the_score() -> None:
    items = [
        _item("plain", "某公司发布行业大模型", category="llm_domestic"),
        _item("pack", "寒武纪发布新一代云端智能芯片", category="compute"),
        _item("money", "某机器人公司完成 B 轮融资，融资金额 50 亿人民币", category="funding"),
        _item("llama-a", "Meta 推出开源大模型 Llama 3.1，405B 版本比肩 GPT-4o", category="llm_foreign",
              source="智通财经", day=23),
        _item("llama-b", "Llama 3.1: Meta 迄今为止规模最大的开源模型", category="llm_foreign",
              source="华尔街见闻", day=23),
    ]
    ranked = {r.doc_id: r for r in rank_items(items, ["寒武纪-U"])}
    assert ranked["pack"].score > ranked["plain"].score
    assert any("寒武纪-U" in r for r in ranked["pack"].reasons)
    assert ranked["money"].score > ranked["plain"].score
    assert ranked["llama-a"].sources == 2 and ranked["llama-a"].event == ranked["llama-b"].event
    assert any("2 家媒体报道" in r for r in ranked["llama-a"].reasons)


def test_instruction_like_items_sink_and_ties_are_deterministic() -> None:
    items = [_item("bad", "网传内部消息", category="llm_domestic", flags=["instruction_like"]),
             _item("b", "甲公司发布大模型", category="llm_domestic", day=11),
             _item("a", "乙公司发布大模型", category="llm_domestic", day=11)]
    ranked = rank_items(items)
    assert [r.doc_id for r in ranked] == ["a", "b", "bad"]
    assert ranked == rank_items(list(reversed(items)))


def test_money_counts_currency_only() -> None:
    assert money_yi("融资金额近 2 亿人民币") == 2.0
    assert money_yi("超 6000 万美元") == 6000 * 1e-4 * 7.0
    assert money_yi("数十亿人民币") == 30.0
    assert money_yi("参数规模 1230 亿参数，用户 700 万") == 0.0


def test_funding_headlines_are_not_one_event() -> None:
    items = [_item("x", "蚌壳智能完成A 轮融资，融资金额1.2 亿人民币", category="funding", source="36氪"),
             _item("y", "逐际动力完成A 轮融资，融资金额近 1 亿人民币", category="funding", source="36氪")]
    heads = event_groups(items)
    assert heads["x"] != heads["y"]


def test_names_normalise_to_headline_form() -> None:
    assert normalise_name("寒武纪-U") == "寒武纪"
    assert normalise_name("腾讯控股") == "腾讯"
    assert normalise_name("云从科技-UW") == "云从科技"


def test_themes_group_by_shared_subject_and_keep_funding_together() -> None:
    items = [
        _item("d1", "河南省出台“数据要素×”行动实施方案", category="data_policy"),
        _item("d2", "济南市将打造数据要素枢纽型城市", category="data_policy", day=12),
        _item("m1", "讯飞星火推出 Spark Pro-128K 大模型", category="llm_domestic"),
        _item("m2", "国内首个体育大模型发布", category="llm_domestic", day=12),
        _item("f1", "蚌壳智能完成A 轮融资，融资金额1.2 亿人民币", category="funding"),
        _item("f2", "逐际动力完成A 轮融资，融资金额近 1 亿人民币", category="funding", day=12),
        _item("o", "巴黎奥运会开幕式在塞纳河上举行", category="other"),
    ]
    themes = cluster_themes(rank_items(items), items)
    by_label = {t.label: set(t.doc_ids) for t in themes}
    assert by_label["数据要素"] == {"d1", "d2"}
    assert by_label["大模型"] == {"m1", "m2"}
    assert by_label["一级市场投融资"] == {"f1", "f2"}
    assert all("o" not in t.doc_ids for t in themes)
    assert themes == sorted(themes, key=lambda t: (-t.score, t.label))
