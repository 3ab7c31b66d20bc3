"""A month's folder as collected (issue 21): publisher, title, date and kind from the document itself, publisher
names not hosts, page furniture out, never a run blocked on one file, and what may never be cited."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from raw_inputs import maker

from assistant import SAMPLE_DIR
from assistant.corpus import read_corpus
from assistant.corpus.furniture import strip_furniture, strip_running_lines
from assistant.corpus.heads import document_title, issuing_body, signature_body
from assistant.corpus.items import PENDING_SOURCE
from assistant.corpus.kinds import detect_kind, is_citable
from assistant.corpus.publishers import dedupe_source, junk_title, publisher_for_host, settle_source
from assistant.errors import CorpusError
from assistant.evaluation.ingest_truth import load_truth, score_ingest
from assistant.models import NewsItem
from assistant.settings import get_settings
from assistant.store import ingest
from assistant.store.manifest import latest_manifest

RAW = SAMPLE_DIR / "raw"
TRUTH = load_truth(SAMPLE_DIR / "raw.truth.yaml")


def _pairs(result) -> list[tuple[str, NewsItem]]:  # type: ignore[no-untyped-def]
    by_id = {i.doc_id: i for i in result.items}
    return [(f.file, by_id[e.doc_id]) for f in result.files for e in f.items]


@pytest.fixture(scope="module")
def sample_read():  # type: ignore[no-untyped-def]
    return read_corpus(RAW, link_duplicates=False)


def test_the_sample_folder_matches_its_hand_written_truth(sample_read) -> None:  # type: ignore[no-untyped-def]
    score = score_ingest(TRUTH, _pairs(sample_read))
    assert score.wrong == [] and score.furniture_left == [], score.line()
    assert score.found == len(TRUTH) and score.per_kind["broker_research"] == 1 and score.per_kind["internal_note"] == 2


def test_no_junk_title_and_no_host_as_publisher_in_the_sample(sample_read) -> None:  # type: ignore[no-untyped-def]
    for item in sample_read.items:
        assert not junk_title(item.title) and "Microsoft Word" not in item.title
        assert publisher_for_host(item.source) is None and "." not in item.source.replace("AI 爱好者", "")
        assert item.source != item.title


def test_a_reshaped_folder_without_sidecars_reads_as_well(tmp_path: Path) -> None:
    """Renamed, nested and reordered files (as a download folder has them), the sidecar removed."""
    folder = tmp_path / "九月资料"
    renames: dict[str, str] = {}
    for k, path in enumerate(sorted(RAW.iterdir(), reverse=True)):
        if path.suffix == ".yaml":
            continue
        new = f"下载 ({k}){path.suffix}" if k % 2 else f"mmexport{1720000000 + k}{path.suffix}"
        target = folder / ("子目录" if k % 3 == 0 else "") / new
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
        renames[new] = path.name
    result = read_corpus(folder, skip_bad=True)
    pairs = [(renames[Path(name).name], item) for name, item in _pairs(result)]
    truth = [t for t in TRUTH if t.file != "forum-ai-glasses.htm"]  # its date and publisher were in the sidecar
    score = score_ingest(truth, pairs)
    assert score.wrong == [] and score.furniture_left == [], score.line()
    [refused] = result.skipped
    assert refused.field == "date" and renames[Path(refused.file).name] == "forum-ai-glasses.htm"


# ---------------------------------------------------------------- documents not tuned to (written for the test)
def test_joint_issuers_printed_date_and_junk_properties(tmp_path: Path) -> None:
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(maker().document_pdf(
        meta_title="新建 Microsoft Word 文档", author="微软用户", created=dt.datetime(2024, 7, 1, tzinfo=dt.UTC),
        footer="第 {n} 页", pages=[[("issuer", "国家发展改革委 国家数据局"), ("number", "发改数据〔2024〕9号"),
                                   ("title", "关于印发《数字经济促进行动方案》的通知"),
                                   ("text", "成文日期：2024年7月18日"),
                                   ("text", "为加快数字经济发展，现将行动方案印发给你们，请认真贯彻落实。")],
                                  [("text", "各地要结合实际抓好落实，重大问题及时报告。")]]))
    [item] = read_corpus(pdf).items
    assert (item.title, item.source, item.date) == ("关于印发《数字经济促进行动方案》的通知", "国家发展改革委、国家数据局",
                                                    dt.date(2024, 7, 18))
    assert item.source_kind == "official" and "第 1 页" not in item.body and "发改数据" not in item.body


def test_word_file_with_default_properties_takes_its_first_line_and_labelled_source(tmp_path: Path) -> None:
    note = tmp_path / "新建 Microsoft Word 文档.docx"
    note.write_bytes(maker().docx_note(
        title="Untitled", author="user", created=dt.datetime(2024, 7, 2, tzinfo=dt.UTC), heading=None,
        paragraphs=["百度文心大模型 4.0 Turbo 发布，推理速度提升", "来源：第一财经 记者：某某",
                    "7 月 5 日，百度在 WAVE SUMMIT 上发布文心大模型 4.0 Turbo，推理速度提升明显。"]))
    [item] = read_corpus(note).items
    assert (item.title, item.source, item.date) == ("百度文心大模型 4.0 Turbo 发布，推理速度提升", "第一财经",
                                                    dt.date(2024, 7, 2))
    assert item.body.startswith("7 月 5 日") and item.source_kind == "news"


def test_pages_name_their_publisher_not_their_host(tmp_path: Path) -> None:
    m = maker()
    (tmp_path / "a.html").write_text(m.page_html(
        title="英伟达发布新一代芯片", site="tech.sina.com.cn", url="https://tech.sina.com.cn/it/2024-07-03/x.shtml",
        published="2024-07-03T08:00:00+08:00", paragraphs=["英伟达发布新一代芯片，性能提升一倍，面向数据中心市场。"] * 3),
        encoding="utf-8")
    (tmp_path / "b.html").write_text(m.wechat_page(
        title="一篇公众号文章", account="新智元", published="2024-07-04 09:00", nickname_var=True,
        paragraphs=["新智元报道 编辑：桃子", "7 月 4 日，某公司发布开源模型，参数规模达到 700 亿，性能超过同类模型。"]),
        encoding="utf-8")
    items = {i.title: i for i in read_corpus(tmp_path).items}
    assert items["英伟达发布新一代芯片"].source == "新浪科技"
    wechat = items["一篇公众号文章"]
    assert wechat.source == "新智元" and "编辑：桃子" not in wechat.body and wechat.body.startswith("7 月 4 日")


def test_sidecar_and_front_matter_set_the_kind_and_an_unknown_kind_names_the_field(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\ndate: 2024-07-05\ntitle: 调研笔记\nsource: 本组\nkind: 纪要\n---\n访谈内容。\n",
                                   encoding="utf-8")
    (tmp_path / "b.md").write_text("---\ndate: 2024-07-05\ntitle: 首次覆盖：某公司\nsource: 新华网\nsource_kind: news\n"
                                   "---\n正文。\n", encoding="utf-8")
    kinds = {i.title: i.source_kind for i in read_corpus(tmp_path).items}
    assert kinds == {"调研笔记": "internal_note", "首次覆盖：某公司": "news"}  # b's title alone reads as broker
    (tmp_path / "c.md").write_text("---\ndate: 2024-07-05\ntitle: t\nsource: s\nkind: 研报吧\n---\n正文。\n",
                                   encoding="utf-8")
    with pytest.raises(CorpusError) as err:
        read_corpus(tmp_path)
    assert err.value.field == "kind" and "研报吧" in err.value.reason


@pytest.mark.parametrize(("title", "body", "source", "kind"), [
    ("某行业周报", "证券研究报告\n行业周报", "", "broker_research"),
    ("某公司点评", "正文……\n分析师：王某 S0570520080001", "", "broker_research"),
    ("某公司深度", "正文", "某某证券研究所", "broker_research"),
    ("AI 芯片专家交流", "正文", "", "internal_note"),
    ("行业动态", "本材料仅供内部参考，请勿外传。", "", "internal_note"),
    ("关于召开临时股东大会的通知", "证券代码：600000 证券简称：某某\n公告编号：2024-01", "", "company"),
    ("2023年国民经济和社会发展统计公报", "正文", "", "release"),
    ("证券时报：AI 板块走强", "正文", "证券时报", "news"),
    ("网传“内部消息”帖子", "正文", "论坛", "news"),
])
def test_kind_cues(title: str, body: str, source: str, kind: str) -> None:
    assert detect_kind(title, body, source)[0] == kind


def test_only_broker_research_and_internal_notes_are_not_citable() -> None:
    base = NewsItem(doc_id="x", date=dt.date(2024, 7, 1), title="t", body="b", source="s")
    citable = {k: is_citable(base.model_copy(update={"source_kind": k}))
               for k in ("news", "official", "company", "release", "broker_research", "internal_note", "other")}
    assert [k for k, ok in citable.items() if not ok] == ["broker_research", "internal_note"]


# ---------------------------------------------------------------- rules as pure functions
def test_publisher_rules() -> None:
    assert dedupe_source("国家互联网信息办公室，国家互联网信息办公室") == "国家互联网信息办公室"
    assert dedupe_source("国家发展改革委、国家数据局") == "国家发展改革委、国家数据局"
    assert settle_source("finance.sina.com.cn") == ("新浪财经", "host_map")
    assert settle_source("https://www.theverge.com/2024/7/1/x") == ("The Verge", "host_map")
    assert settle_source("微信公众平台") == (None, "platform")
    assert settle_source("标题就是来源", title="标题就是来源") == (None, "title")
    assert settle_source("unknown-news.example") == ("unknown-news.example", "host")
    for junk in ("Microsoft Word - 人工智能安全治理框架-定稿0906.docx", "新建 Microsoft Word 文档", "Untitled", "文档1",
                 "PowerPoint 演示文稿", "报告.pdf"):
        assert junk_title(junk), junk
    assert not junk_title("人工智能安全治理框架")


def test_heads_of_official_documents() -> None:
    text = "某市人民政府办公厅文件\n某府办〔2024〕3号\n关于加快发展算力产业的实施意见\n各区人民政府：\n正文。\n某市人民政府办公厅\n2024年7月9日"
    assert issuing_body(text) == "某市人民政府办公厅" and signature_body(text) == "某市人民政府办公厅"
    assert document_title(text) == "关于加快发展算力产业的实施意见"
    assert document_title(text, ["某市人民政府办公厅文件", "关于加快发展算力产业的实施意见"]) == "关于加快发展算力产业的实施意见"


def test_furniture_lines_are_removed_and_prose_is_kept() -> None:
    text = "\n".join(["证券研究报告｜行业点评｜计算机", "机器之心报道 编辑：小舟", "时间：2024年9月11日 15:00—16:00 形式：电话会议",
                      "— 1 —", "第 1 页", "- 2 -", "1/12", "2024/7/12 9:30:00 来源：IT之家 作者：汐元 责编：汐元",
                      "据新华社报道，来源：官方渠道的消息显示，订单增长 30%。", "正文第二段。", "正文第三段。",
                      "免责声明", "本报告仅供参考。"])
    body, removed = strip_furniture(text)
    assert body.split("\n") == ["据新华社报道，来源：官方渠道的消息显示，订单增长 30%。", "正文第二段。", "正文第三段。"]
    assert removed == 10
    pages, running = strip_running_lines(["某市人民政府公报\n甲\n乙\n第 1 页", "某市人民政府公报\n丙\n丁\n第 2 页"])
    assert pages == ["甲\n乙", "丙\n丁"] and running == 4


# ---------------------------------------------------------------- never block a run on one file
def test_a_document_without_a_publisher_is_ingested_as_pending(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "note.docx").write_bytes(maker().docx_note(
        title="文档1", author="Administrator", created=dt.datetime(2024, 7, 8, tzinfo=dt.UTC),
        paragraphs=["国产大模型价格下调，部分模型免费开放调用，开发者数量快速增长。"]))
    (folder / "scan.pdf").write_bytes(maker().scanned_pdf())
    (folder / "rows.jsonl").write_text(json.dumps({"date": "2024-07-01", "title": "t", "body": "b"}) + "\n",
                                       encoding="utf-8")
    settings = get_settings(store_dir=tmp_path / "store", embedding="hash", engine="offline")
    report = ingest(folder, settings, skip_bad=True)
    entries = {Path(f.file).name: f for f in report.files}
    [note] = entries["note.docx"].items
    assert note.source == PENDING_SOURCE and note.source_pending and note.fields["source"] == "pending"
    assert any("来源待补" in w for w in note.warnings)
    assert "文字层" in entries["scan.pdf"].refused[0].reason  # a real reason: listed, the rest still ingests
    assert entries["rows.jsonl"].refused[0].field == "source"  # a JSONL row without a source is a data error
    data = json.loads(report.report_path.read_text(encoding="utf-8"))  # type: ignore[union-attr]
    assert data["totals"]["source_pending"] == 1 and data["totals"]["kinds"] == {"news": 1}
    manifest = latest_manifest(settings.store_dir)
    assert manifest.doc_ids == [note.doc_id] and manifest.path == str(folder)


def test_forum_openers_are_furniture_and_a_post_that_mentions_them_is_not() -> None:
    text = "\n".join(["楼主：数码老张", "发表于 2024-09-11 10:32 | 只看该作者", "发帖人: 张三",
                      "AI 眼镜试用两周，续航一般，翻译功能好用。", "楼主说得对，发表于昨天的评测也提到续航。"])
    body, removed = strip_furniture(text)
    assert body.split("\n") == ["AI 眼镜试用两周，续航一般，翻译功能好用。", "楼主说得对，发表于昨天的评测也提到续航。"]
    assert removed == 3


def test_feed_entries_lose_their_furniture_as_pages_do(tmp_path: Path) -> None:
    feed = tmp_path / "site.xml"
    content = ("<p>机器之心报道</p><p>编辑：小舟</p><p>智谱发布新一代基座模型，推理成本下降一半。</p>"
               "<p>开发者可免费试用两周。</p><p>点击阅读原文</p><p>分享 | 点赞 | 在看</p>")
    feed.write_text(maker().rss_feed(title="机器之心", link="https://jiqizhixin.example/", entries=[
        {"title": "智谱发布新一代基座模型", "link": "https://jiqizhixin.example/a/1", "date": "2024-09-12",
         "description": content}]), encoding="utf-8")
    result = read_corpus(feed)
    [item] = result.items
    assert item.body.split("\n") == ["智谱发布新一代基座模型，推理成本下降一半。", "开发者可免费试用两周。"]
    [entry] = result.files[0].items
    assert [w.split("（")[0] for w in entry.warnings] == ["body: 已去除 4 行版面内容"]  # the ingest report says so
