"""Corpus files as analysts collect them: saved pages, PDF, Word, RSS/Atom, and folders mixing them."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from raw_inputs import maker

from assistant import SAMPLE_DIR
from assistant.corpus import read_corpus
from assistant.errors import CorpusError
from assistant.models import NewsItem

RAW = SAMPLE_DIR / "raw"
BOILERPLATE = ("首页", "下载客户端", "广告", "618", "分享到", "相关阅读", "iOS 18", "网友评论", "沙发", "Cookie",
               "版权所有", "ICP", "track(", "dataLayer", "console.log", "display:block")


def _one(path: Path) -> tuple[NewsItem, dict[str, str], list[str]]:
    result = read_corpus(path)
    [item] = result.items
    [entry] = [e for f in result.files for e in f.items]
    return item, entry.fields, entry.warnings


def test_saved_page_with_heavy_boilerplate(tmp_path: Path) -> None:
    page = tmp_path / "ithome.html"
    page.write_bytes((RAW / "ithome-glm4-0712.html").read_bytes())
    item, fields, _ = _one(page)
    assert (item.title, item.date, item.source, item.url) == (
        "智谱发布 GLM-4-Plus 新版本，推理能力大幅提升", dt.date(2024, 7, 12), "IT之家", "https://www.ithome.com/0/781/123.htm")
    body: str = item.body
    assert body.startswith("IT之家 7 月 12 日消息，智谱 AI 今日发布 GLM-4-Plus 新版本") and "API 调用价格下调 50%" in body
    assert [word for word in BOILERPLATE if word in body] == []
    assert item.date_origin == "page_metadata" and item.input_format == "page"
    assert fields == {"title": "page_metadata", "url": "page_metadata", "source": "page_metadata",
                      "body": "page_text", "date": "page_metadata", "id": "derived"}


def test_page_date_from_the_url_when_the_page_has_none(tmp_path: Path) -> None:
    item, fields, _ = _one(RAW / "xinhua-sdex-carbon.html")
    assert (item.date, fields["date"], item.source) == (dt.date(2024, 7, 18), "url", "新华网")


def test_page_without_any_date_is_refused_naming_the_file(tmp_path: Path) -> None:
    page = tmp_path / "undated.html"
    page.write_text(maker().page_html(title="某论坛帖子：AI 眼镜体验", site="论坛", paragraphs=["体验不错，续航一般。"] * 3),
                    encoding="utf-8")
    with pytest.raises(CorpusError) as err:
        read_corpus(tmp_path)
    assert (err.value.file, err.value.field) == (str(page), "date")
    assert "undated.html" in str(err.value) and "无法确定日期" in str(err.value) and "undated.html.yaml" in str(err.value)
    skipped = read_corpus(tmp_path, skip_bad=True)
    assert skipped.items == [] and [(s.file, s.field) for s in skipped.skipped] == [(str(page), "date")]
    assert skipped.files[0].refused[0].field == "date"


def test_sidecar_and_front_matter_win_over_extraction(tmp_path: Path) -> None:
    page = tmp_path / "glm.html"
    page.write_bytes((RAW / "ithome-glm4-0712.html").read_bytes())
    (tmp_path / "glm.html.yaml").write_text("date: 2024-07-13\nsource: 智谱 AI 官方\ncategory: llm_domestic\n",
                                            encoding="utf-8")
    item, fields, _ = _one(page)
    assert (item.date, item.source, item.category) == (dt.date(2024, 7, 13), "智谱 AI 官方", "llm_domestic")
    assert (fields["date"], fields["source"], fields["title"]) == ("sidecar", "sidecar", "page_metadata")
    assert item.date_origin == "sidecar"


def test_two_column_pdf_is_read_column_by_column(tmp_path: Path) -> None:
    left = ["Left column opens the notice on", "computing power and it goes on", "to describe data centres."]
    right = ["Right column lists the measures", "for standards and it closes", "with the support policies."]
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(maker().two_column_pdf(title="Notice on AI Standards", left=left * 4, right=right * 4,
                                           author="Ministry", created=dt.datetime(2024, 7, 5, tzinfo=dt.UTC)))
    item, fields, _ = _one(pdf)
    body: str = item.body
    assert (item.title, item.source, item.date) == ("Notice on AI Standards", "Ministry", dt.date(2024, 7, 5))
    assert fields["date"] == "document_metadata" and fields["title"] == "document_metadata"  # printed at its head
    assert body.index("data centres.") < body.index("Right column lists")  # the whole left column comes first
    assert "on computing power" in body  # wrapped lines are joined back into sentences
    assert "Left column opens the notice on Right" not in body


def test_sample_policy_pdf_in_chinese(tmp_path: Path) -> None:
    item, fields, _ = _one(RAW / "miit-ai-standards-policy.pdf")
    body: str = item.body
    assert (item.title, item.source, item.date) == ("关于推进人工智能产业标准化工作的指导意见", "工业和信息化部",
                                                    dt.date(2024, 7, 5))
    assert fields["date"] == "text"  # the signature date closing the document
    assert body.startswith("为贯彻落实党中央、国务院关于发展数字经济的决策部署，加快构建")
    assert body.index("标准体系加快形成。") < body.index("二、重点任务。")


def test_scanned_pdf_without_text_layer_is_refused_with_the_reason(tmp_path: Path) -> None:
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(maker().scanned_pdf(pages=2))
    with pytest.raises(CorpusError, match="没有可提取的文字层") as err:
        read_corpus(pdf)
    assert err.value.file == str(pdf) and "扫描件" in str(err.value) and "OCR" in str(err.value)
    (tmp_path / "scan.pdf.yaml").write_text(
        "date: 2024-07-09\ntitle: 扫描件：某地数据要素政策\nsource: 某市数据局\nbody: 某市数据局印发数据要素政策，推进公共数据授权运营。\n",
        encoding="utf-8")
    item, fields, _ = _one(pdf)  # a sidecar can stand in for the missing text layer
    assert item.title == "扫描件：某地数据要素政策" and fields["body"] == "sidecar"


def test_corrupt_pdf_and_docx_are_refused_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7\n garbage")
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 not a zip")
    result = read_corpus(tmp_path, skip_bad=True)
    assert sorted(Path(s.file).name for s in result.skipped) == ["broken.docx", "broken.pdf"]
    assert all("无法解析" in s.reason for s in result.skipped)


def test_word_note(tmp_path: Path) -> None:
    item, fields, _ = _one(RAW / "morning-note-compute.docx")
    body: str = item.body
    assert (item.title, item.source, item.date) == ("晨会纪要：国产算力产业链跟踪（7 月第 4 周）", "银河计算机团队",
                                                    dt.date(2024, 7, 22))
    assert (fields["title"], fields["date"], fields["source"]) == ("heading", "text", "text")
    assert "海光信息 | 新品发布" in body  # table cells are kept


def test_word_note_dated_by_its_properties(tmp_path: Path) -> None:
    note = tmp_path / "note.docx"
    note.write_bytes(maker().docx_note(title="纪要", paragraphs=["本周算力需求旺盛，订单饱满。"], author="张三",
                                       created=dt.datetime(2024, 7, 3, 9, 0, tzinfo=dt.UTC)))
    item, fields, _ = _one(note)
    assert (item.date, item.source, fields["date"]) == (dt.date(2024, 7, 3), "张三", "document_metadata")


def test_rss_entries_become_items_with_the_feed_as_publisher(tmp_path: Path) -> None:
    result = read_corpus(RAW / "jiqizhixin-rss.xml")
    items = {i.title: i for i in result.items}
    fa3 = items["FlashAttention-3 发布：H100 利用率提升至 75%"]
    assert (fa3.date, fa3.source, fa3.url) == (dt.date(2024, 7, 12), "机器之心",
                                               "https://www.jiqizhixin.com/articles/2024-07-12-3")
    assert fa3.body == "FlashAttention-3 利用 Hopper 架构的异步执行与 FP8 低精度，在 H100 上达到 740 TFLOPS，GPU 利用率提升至 75%。"
    assert fa3.date_origin == "feed" and fa3.input_format == "feed"
    assert read_corpus(RAW / "jiqizhixin-rss.xml").items[0].doc_id == result.items[0].doc_id  # stable ids


def test_atom_entry_in_english_is_kept_and_flagged() -> None:
    [item] = read_corpus(RAW / "deepmind-atom.xml").items
    assert item.title.startswith("JEST: data curation") and item.source == "Google DeepMind Blog"
    assert item.date == dt.date(2024, 7, 8) and item.language == "en" and "foreign_language" in item.flags


def test_feed_entry_without_a_date_is_refused_with_its_row(tmp_path: Path) -> None:
    feed = tmp_path / "f.xml"
    feed.write_text(maker().rss_feed(title="某站", link="https://a.example/", entries=[
        {"title": "有日期", "link": "https://a.example/1", "date": "2024-07-02", "description": "正文一。"},
        {"title": "无日期", "link": "https://a.example/p", "date": "", "description": "正文二。"}]), encoding="utf-8")
    result = read_corpus(feed, skip_bad=True)
    assert [i.title for i in result.items] == ["有日期"]
    assert [(s.row, s.field) for s in result.skipped] == [(2, "date")]


def test_mixed_folder_reads_every_form(tmp_path: Path) -> None:
    result = read_corpus(RAW)
    kinds = {f.kind for f in result.files}
    assert kinds == {"page", "pdf", "docx", "feed"}
    assert result.skipped == [] and len(result.items) == 22  # raw.truth.yaml lists them
    assert {i.input_format for i in result.items} == {"page", "pdf", "docx", "feed"}
    assert all(i.date_origin for i in result.items)
    jsonl = tmp_path / "mixed"
    jsonl.mkdir()
    for p in RAW.iterdir():
        (jsonl / p.name).write_bytes(p.read_bytes())
    (jsonl / "extra.jsonl").write_text(json.dumps({"id": "j1", "date": "2024-07-30", "title": "JSONL 条目",
                                                   "body": "JSONL 条目正文。", "source": "某站"}, ensure_ascii=False),
                                       encoding="utf-8")
    (jsonl / "note.md").write_text("---\ndate: 2024-07-29\ntitle: 前言条目\nsource: 某站\n---\n正文。\n", encoding="utf-8")
    mixed = read_corpus(jsonl)
    assert len(mixed.items) == 22 + 2 and {"jsonl", "front_matter"} <= {f.kind for f in mixed.files}


def test_english_item_is_flagged_and_chinese_with_english_names_is_not() -> None:
    items = {i.source: i for i in read_corpus(RAW).items}
    assert items["VentureBeat"].language == "en" and "foreign_language" in items["VentureBeat"].flags
    assert items["IT之家"].language == "zh" and "foreign_language" not in items["IT之家"].flags


@pytest.mark.parametrize("encoding", ["big5", "shift_jis", "gbk"])
def test_saved_page_in_its_declared_encoding(tmp_path: Path, encoding: str) -> None:
    title = {"big5": "台積電擴產先進封裝", "shift_jis": "ソフトバンクが生成AIの新会社", "gbk": "寒武纪发布新一代芯片"}[encoding]
    html = maker().page_html(title=title, site="站点", url="https://a.example/2024/07/09/x.html",
                             paragraphs=[title + "。" + "正文内容。" * 20]).replace('charset="utf-8"', f'charset="{encoding}"')
    page = tmp_path / "p.html"
    page.write_bytes(html.encode(encoding, errors="ignore"))
    item, _fields, _ = _one(page)
    assert item.title == title
