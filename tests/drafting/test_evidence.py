"""Evidence plumbing: context widening, digest rendering of others/policy/funding, figure slots in export."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from fakes.jobs import char_count

from assistant.corpus import read_corpus
from assistant.drafting.context import PackedContext, Source, pack_context, widen_sources
from assistant.drafting.digest import FUNDING_COLUMNS, POLICY_COLUMNS, render_digest
from assistant.drafting.template import load_template
from assistant.errors import CorpusError
from assistant.export import write_report
from assistant.models import Hit, NewsItem, Report, SectionDraft

BODY = "河南省出台了行动实施方案。这些方案旨在遴选 30 个以上解决方案。同时支持郑州创建试点城市。全年新建 5G 基站 2.9 万个。"


def _hit(doc: str, idx: int, text: str) -> Hit:
    return Hit(doc_id=doc, chunk_id=f"{doc}#{idx}", text=text, score=1.0, title=f"标题{doc}",
               date=dt.date(2024, 7, 10), source="央广网", category="data_policy")


def _item(doc: str, body: str) -> NewsItem:
    return NewsItem(doc_id=doc, date=dt.date(2024, 7, 10), title=f"标题{doc}", body=body, source="央广网")


def test_a_cut_document_is_widened_to_its_whole_item_when_the_budget_allows() -> None:
    chunk = "这些方案旨在遴选 30 个以上解决方案。"
    packed = pack_context([_hit("h", 1, chunk)], budget=1000, count=char_count, items={"h": _item("h", BODY)})
    assert packed.sources[0].passage == BODY and packed.sources[0].whole


def test_a_tight_budget_widens_by_the_sentences_around_the_chunk() -> None:
    chunk = "这些方案旨在遴选 30 个以上解决方案。"
    room = char_count(chunk) + char_count("河南省出台了行动实施方案。") + 1
    packed = pack_context([_hit("h", 1, chunk)], budget=room, count=char_count, items={"h": _item("h", BODY)})
    assert packed.sources[0].passage == "河南省出台了行动实施方案。这些方案旨在遴选 30 个以上解决方案。"
    assert not packed.sources[0].whole


def test_every_kept_document_keeps_its_chunk_before_any_is_widened() -> None:
    items = {"a": _item("a", "甲" * 200 + "。"), "b": _item("b", "乙" * 10 + "。")}
    hits = [_hit("a", 0, "甲" * 20), _hit("b", 0, "乙" * 10 + "。")]
    packed = pack_context(hits, budget=40, count=char_count, items=items)
    assert [s.doc_id for s in packed.sources] == ["a", "b"] and packed.dropped == []


def test_widen_sources_spends_what_the_groups_left() -> None:
    source = Source(number=1, doc_id="h", title="标题h", date=dt.date(2024, 7, 10), source="央广网",
                    passage="这些方案旨在遴选 30 个以上解决方案。")
    packed = PackedContext(sources=[source], tokens=char_count(source.passage))
    wide = widen_sources(packed, {"h": _item("h", BODY)}, budget=1000, count=char_count)
    assert wide.sources[0].passage == BODY and wide.tokens == char_count(BODY)


def _source(n: int, title: str, day: int = 10, background: bool = False) -> Source:
    return Source(number=n, doc_id=f"d{n}", title=title, date=dt.date(2024, 7, day), source="新华网",
                  passage=title, group="相关政策法规" if n < 10 else "企业投融资事件", background=background)


def test_policy_rows_others_and_unprinted_items_are_rendered_or_named() -> None:
    spec = load_template().section("policy_frontier")
    assert tuple(spec.columns) == POLICY_COLUMNS
    packed = PackedContext(sources=[_source(1, "关于印发指南的通知"), _source(2, "联合体成立", day=4),
                                    _source(3, "平台发布", day=11), _source(4, "没有写入的条目")])
    data = {"lead": "", "groups": [{"title": "相关政策法规", "rows": [
        {"source": 1, "level": "中央", "issuer": "工业和信息化部", "name": "关于印发指南的通知", "summary": "提出目标[1]。"}],
        "others": [{"source": 3, "summary": "7 月 11 日，平台发布[3]。"}, {"source": 2, "summary": "联合体成立[2]。"}]}]}
    markdown, findings = render_digest(data, packed, spec, "某研究院")
    assert "| 中央/地方 | 发布机构 | 时间 | 文件名称 | 主要内容 |" in markdown
    assert "| 中央 | 工业和信息化部 | 2024/7/2 |" not in markdown and "| 中央 | 工业和信息化部 | 2024/7/10 |" in markdown
    others = markdown.split("其他相关动态：", 1)[1]
    assert others.index("7 月 4 日，联合体成立[2]。") < others.index("7 月 11 日，平台发布[3]。")
    assert [f.sentence for f in findings if f.kind == "not_printed"] == ["没有写入的条目"]


def test_funding_rows_print_the_seed_columns_and_name_blank_cells() -> None:
    spec = load_template().section("funding")
    assert tuple(spec.columns) == FUNDING_COLUMNS
    packed = PackedContext(sources=[_source(11, "甲公司完成 A 轮融资"), _source(12, "乙公司融资")])
    data = {"groups": [{"title": "企业投融资事件", "rows": [
        {"source": 11, "company": "甲公司", "track": "AI", "intro": "一家公司", "round": "A 轮", "amount": "1 亿人民币",
         "investors": "亚投资本", "missing": []},
        {"source": 12, "company": "乙公司", "track": "", "intro": "", "round": "", "amount": "", "investors": "丙",
         "missing": ["赛道", "简介", "融资轮次", "融资金额"]}], "others": []}]}
    markdown, findings = render_digest(data, packed, spec, "某研究院")
    assert "| 甲公司 | AI | 一家公司 | 2024/7/10 | A 轮 | 1 亿人民币 | 亚投资本[11] |" in markdown
    missing = [f for f in findings if f.kind == "funding_cell_missing"]
    assert len(missing) == 1 and "赛道、简介、融资轮次、融资金额" in missing[0].detail


def test_figure_slots_are_numbered_listed_and_exported(tmp_path: Path) -> None:
    section = SectionDraft(id="tech_frontier", title="（一）前沿技术动态", markdown=(
        "#### 1. PNN\n\nPNN 改变 AI 系统[1]。\n\n图：PNN 训练方法发展时间表[1]\n\n资料来源：新智元，某研究院整理"))
    report = Report(month="2024-07", engine="offline", created_at=dt.datetime(2024, 8, 1, tzinfo=dt.UTC),
                    institution="某研究院", sections=[section])
    paths = write_report(report, tmp_path)
    markdown = paths["md"].read_text(encoding="utf-8")
    assert "**图 1：PNN 训练方法发展时间表**\n\n（图片待插入）\n\n资料来源：新智元，某研究院整理" in markdown
    assert "- 图 1：PNN 训练方法发展时间表" in markdown.split("图表目录", 1)[1]
    import docx

    texts = [p.text for p in docx.Document(str(paths["docx"])).paragraphs]
    at = texts.index("图 1：PNN 训练方法发展时间表")
    assert texts[at + 1] == "（图片待插入）" and texts[at + 2].startswith("资料来源：新智元")


def test_corpus_records_carry_images_and_funding_fields(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"date": "2024-07-25", "title": "百川智能完成A 轮融资", "body": "正文", "source": "证券时报",
                                "company": "百川智能", "round": "A 轮", "investors": "亚投资本",
                                "images": ["图一标题"]}, ensure_ascii=False) + "\n", encoding="utf-8")
    item = read_corpus(path).items[0]
    assert item.fields == {"company": "百川智能", "round": "A 轮", "investors": "亚投资本"}
    assert item.images == ["图一标题"]
    path.write_text(json.dumps({"date": "2024-07-25", "title": "t", "body": "b", "source": "s", "images": [1]}) + "\n",
                    encoding="utf-8")
    with pytest.raises(CorpusError) as err:
        read_corpus(path)
    assert "images" in str(err.value)
