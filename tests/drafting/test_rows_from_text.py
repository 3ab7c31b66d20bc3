"""Funding cells read from the text when fields are missing, and items that are no financing round (issue 20 item 7)."""

from __future__ import annotations

import pytest

from assistant.drafting.rows import funding_fields, not_a_round


@pytest.mark.parametrize(("title", "body", "company", "round_", "amount", "investors"), [
    ("「星辰智能」获数亿元B轮融资", "近日，星辰智能宣布完成数亿元 B 轮融资，本轮融资由红杉中国领投，高瓴创投跟投。",
     "星辰智能", "B轮", "数亿元", "红杉中国领投，高瓴创投跟投"),
    ("AI 芯片初创公司完成 C 轮融资", "8 月 19 日，深算科技完成 C 轮融资，融资金额数亿元，由国投创业领投。",
     "深算科技", "C 轮", "数亿元", "国投创业领投"),
    ("C 轮 数亿元", "具身智能公司灵犀机器人于 8 月 19 日完成 C 轮融资，融资金额数亿元，投资方包括国投招商。",
     "灵犀机器人", "C 轮", "数亿元", "国投招商"),
    ("清华系量子计算公司完成数亿元 A 轮融资", "据悉，华翊量子近日完成数亿元A 轮融资，投资方为国投创合、北京市科技创新基金。",
     "华翊量子", "A 轮", "数亿元", "国投创合、北京市科技创新基金"),
    ("大模型训练加速平台开发商完成 A++ 轮融资", "据悉，潞晨科技近日完成数亿元A++ 轮融资，投资方为创新工场、蓝驰创投。",
     "潞晨科技", "A++ 轮", "数亿元", "创新工场、蓝驰创投"),
    ("清华系具身大脑团队获天使轮融资", "据悉，千诀科技近日完成数千万元天使轮融资，投资方为联想之星、水木清华校友基金。",
     "千诀科技", "天使轮", "数千万元", "联想之星、水木清华校友基金"),
    ("Groq raises $640 million in Series D led by BlackRock",
     "AI chip startup Groq raised $640 million in a Series D round led by BlackRock Private Equity Partners.",
     "Groq", "D 轮", "$640 million", "BlackRock Private Equity Partners"),
    ("AI 基础设施赛道再获资本青睐：无问芯穹拿下近 5 亿元", "无问芯穹近日完成近 5 亿元 A 轮融资，启明创投领投。",
     "无问芯穹", "A 轮", "近 5 亿元", "启明创投"),
    ("AI 基础设施赛道再获资本青睐：无问芯穹拿下近 5 亿元",
     "无问芯穹于日前宣布完成A 轮融资，融资金额近 5 亿元，参投方包括启明创投、联想创投。",
     "无问芯穹", "A 轮", "近 5 亿元", "启明创投、联想创投"),
])
def test_cells_come_from_title_and_body(title: str, body: str, company: str, round_: str, amount: str,
                                        investors: str) -> None:
    fields, _ = funding_fields(title, body)
    assert (fields["company"], fields["round"], fields["amount"], fields["investors"]) == \
        (company, round_, amount, investors)
    assert not not_a_round(title, body)


def test_a_labelled_legal_name_gives_the_short_name_and_a_new_round_is_a_round() -> None:
    fields, _ = funding_fields("智谱完成新一轮 30 亿元融资", "融资方：北京智谱华章科技有限公司（智谱）\n融资轮次：新一轮")
    assert fields["company"] == "智谱" and fields["round"] == "新一轮" and fields["amount"] == "30 亿元"


def test_a_cell_the_text_does_not_give_is_named_missing_not_guessed() -> None:
    fields, missing = funding_fields("「云图科技」完成 A 轮融资", "云图科技宣布完成 A 轮融资，资金将用于产品研发。")
    assert fields["company"] == "云图科技" and fields["amount"] == "" and "融资金额" in missing
    assert "本轮投资方" in missing


@pytest.mark.parametrize(("title", "body", "why"), [
    ("贝莱德、微软等成立全球 AI 基础设施投资伙伴关系，募资目标 300 亿美元", "宣布成立投资伙伴关系，募资目标 300 亿美元。", "募资"),
    ("AMD 以 49 亿美元收购服务器制造商 ZT Systems", "AMD 宣布将以 49 亿美元收购 ZT Systems。", "收购"),
    ("北京设立 100 亿元人工智能产业投资基金", "北京市人工智能产业投资基金正式设立，总规模 100 亿元。", "基金"),
    ("某市政府投资 50 亿元建设智算中心", "某市政府投资 50 亿元建设智算中心。", "政府"),
    ("华为发布新一代 AI 芯片", "华为发布新一代 AI 芯片。", "未提及"),
])
def test_what_is_no_round_says_why(title: str, body: str, why: str) -> None:
    assert why in not_a_round(title, body)


def test_a_round_whose_investor_is_a_fund_is_still_a_round() -> None:
    assert not not_a_round("鲸鱼机器人完成B 轮融资，融资金额超 1 亿人民币",
                           "本轮投资方：多个国资平台共同设立的上海体育产业基金。")
