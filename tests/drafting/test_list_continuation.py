"""Extracts never open on a list continuation without its lead-in (issue 21), and never loop on one."""

from __future__ import annotations

from assistant.drafting.extract import extract


def test_a_continuation_brings_its_lead_in() -> None:
    body = ("为推动产业发展，主要措施包括以下几方面。\n一是加大资金投入，设立专项基金100亿元。\n"
            "二是推出算力券，支持中小企业使用智算中心。\n三是完善数据要素市场。")
    got = extract(body, title="算力券", limit=1)
    assert got[0] == "为推动产业发展，主要措施包括以下几方面。" and "二是推出算力券，支持中小企业使用智算中心。" in got


def test_a_continuation_whose_lead_in_cannot_be_printed_is_left_out_without_looping() -> None:
    body = "重点任务\n二是推出算力券，支持中小企业使用智算中心资源。\n三是完善数据要素市场建设工作。"
    assert extract(body, title="算力券", limit=2) == []


def test_articles_of_a_regulation_start_at_the_first() -> None:
    body = "第一条 为了促进生成式人工智能健康发展，制定本办法。\n第二条 服务提供者应当依法开展训练数据处理活动。"
    got = extract(body, title="服务提供者", limit=1)
    assert got[0].startswith("第一条") and not any(s.startswith("第五条") for s in got)
    assert extract("第五条 服务提供者应当依法开展训练数据处理活动，保存记录。", title="服务提供者") == []
