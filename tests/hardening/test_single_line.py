"""Titles are single-line: a line break inside a news title, a source or a pack field never opens a heading, a
list item or a table row in report.md.

Line breaks of every kind are tried (LF, CR, CRLF, U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR, U+0085 NEL):
CommonMark breaks on the first three, ``str.splitlines``, editors and browsers on all of them.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from assistant import SAMPLE_DIR
from assistant.corpus import read_corpus
from assistant.corpus.items import build_item
from assistant.corpus.readers import RawRecord
from assistant.errors import CorpusError
from assistant.export import render_markdown
from assistant.models import SectionDraft
from assistant.pack.model import PackConfig
from assistant.safety import one_line
from tests.export.conftest import build_report

BREAKS = ["\n", "\r\n", "\r", "\u2028", "\u2029", "\x85"]
EVIL = "正常标题\n# 伪造标题\n![x](http://evil/x.png)"
# A heading, at any level, whose text starts with the forged words: what the payload tries to produce.
FORGED_HEADING = re.compile(r"^ {0,3}#{1,6}\s*伪造", re.M)
LIVE_IMAGE = re.compile(r"(?<!\\)!\[[^\]\n]*(?<!\\)\]\((?!charts/)")


def _lines(md: str) -> list[str]:
    """report.md's lines as the most liberal reader splits them (str.splitlines breaks on U+2028 and NEL too)."""
    return md.splitlines()


def _assert_clean(md: str) -> None:
    assert not FORGED_HEADING.search("\n".join(_lines(md)))
    assert not LIVE_IMAGE.search(md), "a live image outside the report's charts"
    assert not any(ch in md for ch in ("\u2028", "\u2029", "\x85", "\r"))


@pytest.mark.parametrize("brk", BREAKS)
def test_one_line_collapses_every_kind_of_line_break(brk: str) -> None:
    assert one_line(f"正常标题 {brk}{brk} # 伪造标题") == "正常标题 # 伪造标题"


@pytest.mark.parametrize("brk", BREAKS)
def test_ingestion_makes_title_and_source_one_line(brk: str) -> None:
    record = RawRecord("news.jsonl", 3, {"date": "2024-07-05", "title": f"正常标题{brk}# 伪造标题",
                                         "source": f"新华网{brk}![x](http://evil/x.png)",
                                         "body": f"第一段。{brk}第二段。"})
    built = build_item(record)
    assert built.item.title == "正常标题 # 伪造标题"
    assert built.item.source == "新华网 ![x](http://evil/x.png)"  # markdown is defused at export, not lost here
    assert any("换行已合并为空格" in w for w in built.warnings)


def test_a_raw_u2028_inside_a_jsonl_string_does_not_split_the_record(tmp_path: Path) -> None:
    item = {"id": "a", "date": "2024-07-05", "title": "标题\u2028# 伪造二", "body": "正文。", "source": "新华网"}
    path = tmp_path / "news.jsonl"
    path.write_text(json.dumps(item, ensure_ascii=False) + "\n", encoding="utf-8")  # U+2028 written raw
    result = read_corpus(path)
    assert [i.title for i in result.items] == ["标题 # 伪造二"] and not result.skipped


def test_a_broken_jsonl_line_is_still_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "news.jsonl"
    path.write_text('{"date": "2024-07-05", "title": "a", "body": "b", "source": "s"}\r\n{"date": "2024\r\n', encoding="utf-8")
    with pytest.raises(CorpusError, match="第 2 行"):
        read_corpus(path)


def test_pack_single_line_fields_collapse_line_breaks() -> None:
    data = yaml.safe_load((SAMPLE_DIR / "pack" / "pack.yaml").read_text(encoding="utf-8"))
    data["institution"] = "中国银河证券研究院\n# 伪造机构"
    data["series"] = "人工智能月报\u2028# 伪造系列"
    data["analysts"][0]["role"] = "分析师\r\n# 伪造角色"
    config = PackConfig.model_validate(data)
    assert config.institution == "中国银河证券研究院 # 伪造机构"
    assert config.series == "人工智能月报 # 伪造系列"
    assert config.analysts[0].role == "分析师 # 伪造角色"


@pytest.mark.parametrize("brk", BREAKS)
def test_export_keeps_every_single_line_context_on_one_line(brk: str) -> None:
    """A crafted report (as an older store or a hand-edited report.json could hand over): every title-like field
    and every single-line Markdown context carries a break; report.md keeps each on its line."""
    report = build_report()
    sources = [report.sources[0].model_copy(update={"title": EVIL.replace("\n", brk)}),
               report.sources[1].model_copy(update={"title": f"标题{brk}# 伪造二", "source": f"新智元{brk}# 伪造源"}),
               *report.sources[2:]]
    table = report.tables[0].model_copy(update={"title": f"表题{brk}# 伪造表"})
    sections = [s.model_copy(update={"title": f"（一）数据{brk}# 伪造节"}) if s.id == "data_policy" else s
                for s in report.sections]
    digest = SectionDraft(id="product_dynamics", title=f"七、产品动态{brk}# 伪造章", markdown=(
        "| 日期 | 具体内容 |\n| --- | --- |\n| 7.12 | **新品\u2028# 伪造格**：发布[1] |\n\n"
        "- 要点\u2029# 伪造项\n\n段落\x85# 伪造段"))  # a model's answer: the other breaks inside section text
    failed = SectionDraft(id="funding2", title="投融资", status="failed", error=f"模型超时{brk}# 伪造错误")
    analysts = [{**report.analysts[0], "role": f"分析师{brk}# 伪造角色"}, *report.analysts[1:]]
    hostile = report.model_copy(update={
        "sources": sources, "tables": [table, *report.tables[1:]], "analysts": analysts,
        "sections": [*sections, digest, failed], "institution": f"中国银河证券研究院{brk}# 伪造机构",
        "series": f"人工智能月报{brk}# 伪造系列"})
    md = render_markdown(hostile)
    _assert_clean(md)
    lines = _lines(md)
    # each title's text survives, whole, on one line
    for start, end in [("正常标题", "evil/x.png"), ("标题", "伪造二"), ("（一）数据", "伪造节"), ("表题", "伪造表"),
                       ("七、产品动态", "伪造章"), ("新品", "伪造格"), ("要点", "伪造项"), ("段落", "伪造段"),
                       ("分析师", "伪造角色"), ("中国银河证券研究院", "伪造机构")]:
        assert any(start in line and end in line for line in lines), (start, end)
        assert not any(end in line and start not in line for line in lines), (start, end)
    assert "模型超时" not in md and "伪造错误" not in md  # a failed section's error is never shown to a reader (issue 20)
    toc = md.split("## 目录", 1)[1].split("\n\n## ", 1)[0]
    assert "（一）数据 # 伪造节" in toc and "七、产品动态 # 伪造章" in toc


def test_drafted_sample_keeps_hostile_titles_and_institution_on_one_line(tmp_path: Path) -> None:
    """End to end: the sample pack and corpus, July titles carrying a forged heading and an image beacon (every
    other one with U+2028), the pack's institution a newline; the offline engine drafts, report.md is clean."""
    from assistant.drafting import draft_report
    from assistant.settings import get_settings

    pack = tmp_path / "pack"
    shutil.copytree(SAMPLE_DIR / "pack", pack)
    text = (pack / "pack.yaml").read_text(encoding="utf-8")
    assert "institution: 中国银河证券研究院" in text
    (pack / "pack.yaml").write_text(text.replace("institution: 中国银河证券研究院",
                                                 'institution: "中国银河证券研究院\\n# 伪造机构"'), encoding="utf-8")
    items = [json.loads(line) for line in (SAMPLE_DIR / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    for i, item in enumerate(items):
        if item["date"].startswith("2024-07"):
            item["title"] += EVIL[4:] if i % 2 else "\u2028# 伪造二"
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps(it, ensure_ascii=False) for it in items) + "\n", encoding="utf-8")
    settings = get_settings(engine="offline", embedding="hash", store_dir=tmp_path / "store", max_concurrency=1)
    draft_report(pack, corpus, tmp_path / "out", settings)
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    _assert_clean(md)
    cited = [line for line in _lines(md) if "伪造标题" in line]
    assert cited and all("evil/x.png" in line for line in cited)  # title, heading text and beacon on one line
    assert any("伪造二" in line for line in _lines(md))
    assert "- 发布机构：中国银河证券研究院 \\# 伪造机构" in md
