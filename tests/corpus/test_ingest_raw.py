"""Ingesting the raw-corpus sample into a real store: expected items, cross-form duplicates, the ingestion report,
the CLI, and bad files that never abort the folder under --skip-bad nor leave a half-written store."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from raw_inputs import maker

from assistant import SAMPLE_DIR
from assistant.cli import main
from assistant.corpus import link_near_duplicates, read_corpus
from assistant.errors import CorpusError
from assistant.evaluation.ingest_truth import load_truth
from assistant.models import NewsItem
from assistant.progress import ProgressEvent
from assistant.settings import Settings, get_settings
from assistant.store import ingest, open_store

RAW = SAMPLE_DIR / "raw"
TRUTH = load_truth(SAMPLE_DIR / "raw.truth.yaml")  # every item of the folder (issue 21's collected files too)

# (file, title, date, source, date origin, language): what the sample folder must ingest to.
EXPECTED = [
    ("deepmind-atom.xml", "JEST: data curation via joint example selection speeds up multimodal learning",
     "2024-07-08", "Google DeepMind Blog", "feed", "en"),
    ("forum-ai-glasses.htm", "网友热议：AI 眼镜新品发布，续航与隐私成焦点", "2024-07-25", "AI 爱好者社区", "sidecar", "zh"),
    ("ithome-glm4-0712.html", "智谱发布 GLM-4-Plus 新版本，推理能力大幅提升", "2024-07-12", "IT之家", "page_metadata", "zh"),
    ("jiqizhixin-rss.xml", "FlashAttention-3 发布：H100 利用率提升至 75%", "2024-07-12", "机器之心", "feed", "zh"),
    ("jiqizhixin-rss.xml", "上海数据交易所碳板块正式发布上线", "2024-07-18", "机器之心", "feed", "zh"),
    ("miit-ai-standards-policy.pdf", "关于推进人工智能产业标准化工作的指导意见", "2024-07-05", "工业和信息化部", "text", "zh"),
    ("morning-note-compute.docx", "晨会纪要：国产算力产业链跟踪（7 月第 4 周）", "2024-07-22", "银河计算机团队", "text", "zh"),
    ("venturebeat-gpt4o-mini.html", "OpenAI unveils GPT-4o mini, a smaller and much cheaper multimodal model",
     "2024-07-18", "VentureBeat", "page_metadata", "en"),
    ("xinhua-sdex-carbon.html", "上海数据交易所碳板块正式发布上线", "2024-07-18", "新华网", "url", "zh"),
]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return get_settings(store_dir=tmp_path / "store", embedding="hash", chunk_tokens=64, engine="offline")


def test_the_shipped_sample_is_what_the_script_makes(tmp_path: Path) -> None:
    made = maker().sample_files()
    assert sorted(made) == sorted(p.name for p in RAW.iterdir())
    for name, data in made.items():
        if not name.endswith((".pdf", ".docx")):  # binary containers carry build-time ids; text files are exact
            assert (RAW / name).read_bytes() == data, name


def test_sample_folder_ingests_to_the_expected_items(settings: Settings) -> None:
    events: list[ProgressEvent] = []
    report = ingest(RAW, settings, events.append, report_month="2024-07")
    reading = [(e.message, e.done, e.total) for e in events if e.message.startswith("读取 ")]
    files = len({t.file for t in TRUTH})
    assert reading[0] == ("读取 36kr-ai-search-funding.html", 1, files)
    assert reading[-1] == ("读取 xinhua-sdex-carbon.html", files, files)
    store = open_store(settings)
    items = store.all_items()
    assert len(items) == len(TRUTH) and report.added == len(TRUTH) and report.skipped == []
    entries = {(Path(f.file).name, e.title): e for f in report.files for e in f.items}
    assert sorted(entries) == sorted((t.file, t.title) for t in TRUTH)
    by_id = {i.doc_id: i for i in items}
    for file, title, date, source, origin, language in EXPECTED:
        item = by_id[entries[(file, title)].doc_id]
        assert (item.date.isoformat(), item.source, item.date_origin, item.language) == (date, source, origin,
                                                                                         language), file
        assert "<" not in item.title + item.body + item.source
    assert sorted(report.foreign) == sorted(entries[(f, t)].doc_id for f, t, *_r, lang in EXPECTED if lang == "en")


def test_the_same_article_as_page_and_feed_entry_is_one_item_and_the_page_is_kept(settings: Settings) -> None:
    report = ingest(RAW, settings)
    store = open_store(settings)
    sdex = [i for i in store.all_items() if i.title == "上海数据交易所碳板块正式发布上线"]
    page = next(i for i in sdex if i.input_format == "page")
    feed = next(i for i in sdex if i.input_format == "feed")
    assert page.duplicate_of is None and feed.duplicate_of == page.doc_id and report.duplicates_linked == 1
    assert store.chunks.get(where={"doc_id": feed.doc_id})["ids"] == []
    [entry] = [e for f in report.files for e in f.items if e.doc_id == feed.doc_id]
    assert (entry.outcome, entry.duplicate_of) == ("duplicate", page.doc_id)


def test_richer_copy_is_canonical_whatever_the_order() -> None:
    story = "".join(f"第{i}段：上海数据交易所碳板块上线，首批挂牌碳数据产品二十余个，服务企业低碳转型。" for i in range(6))

    def item(doc_id: str, body: str, day: int, url: str) -> NewsItem:
        return NewsItem(doc_id=doc_id, date=dt.date(2024, 7, day), title="上海数据交易所碳板块正式上线", body=body,
                        source="s", url=url)

    summary = item("feed", story[:40], 17, "https://www.news.cn/tech/a.html?utm_source=rss")
    full = item("page", story, 18, "http://news.cn/tech/a.html/")
    linked = {i.doc_id: i.duplicate_of for i in link_near_duplicates([summary, full])}
    assert linked == {"feed": "page", "page": None}


def test_ingest_report_json_lists_files_fields_warnings_and_refusals(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    shutil.copytree(RAW, folder)
    (folder / "scan.pdf").write_bytes(maker().scanned_pdf())
    (folder / "undated.html").write_text(maker().page_html(title="无日期页面", site="某站", paragraphs=["正文。"] * 3),
                                         encoding="utf-8")
    report = ingest(folder, settings, skip_bad=True, report_month="2024-07")
    data = json.loads((settings.store_dir / "ingest_report.json").read_text(encoding="utf-8"))
    assert data["totals"]["added"] == len(TRUTH) and data["totals"]["refused"] == 2
    assert data["totals"]["foreign"] == 2 and data["seconds"]["embedding"] >= 0
    files = {Path(f["file"]).name: f for f in data["files"]}
    assert "没有可提取的文字层" in files["scan.pdf"]["refused"][0]["reason"]
    assert files["undated.html"]["refused"][0]["field"] == "date"
    [page] = files["ithome-glm4-0712.html"]["items"]
    assert page["fields"]["date"] == "page_metadata" and page["outcome"] == "added" and page["language"] == "zh"
    [english] = files["venturebeat-gpt4o-mini.html"]["items"]
    assert "foreign_language" in english["flags"] and any("语言为 en" in w for w in english["warnings"])
    assert report.report_path == settings.store_dir / "ingest_report.json"
    again = ingest(folder, settings, skip_bad=True, report_path=tmp_path / "r2.json")
    outcomes = {e["outcome"] for f in json.loads((tmp_path / "r2.json").read_text())["files"] for e in f["items"]}
    assert outcomes == {"unchanged"} and again.added == 0


def test_bad_files_do_not_abort_the_folder_under_skip_bad_nor_half_write_the_store(settings: Settings,
                                                                                   tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    shutil.copytree(RAW, folder)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    (folder / "bad.jsonl").write_text('{"date": "2024-07-01", "title": "\\ud800", "body": "b", "source": "s"}\n'
                                      + "[" * 50_000 + "\n", encoding="utf-8")
    with pytest.raises(CorpusError):
        ingest(folder, settings)
    assert open_store(settings).item_hashes() == {}  # refused before anything was written
    report = ingest(folder, settings, skip_bad=True)
    assert report.added == len(TRUTH) and len(report.skipped) == 3
    assert sorted((Path(s.file).name, s.row) for s in report.skipped) == [("bad.jsonl", 1), ("bad.jsonl", 2),
                                                                           ("broken.pdf", 1)]


def test_month_warning_for_dates_after_the_report_month(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    rows = [{"date": "2024-09-02", "title": "九月新闻", "body": "九月的新闻正文。", "source": "s"},
            {"date": "1999-12-31", "title": "旧新闻", "body": "很旧的新闻正文。", "source": "s"}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    result = read_corpus(path, report_month="2024-07")
    warnings = {e.title: e.warnings for f in result.files for e in f.items}
    assert any("晚于报告月份 2024-07" in w for w in warnings["九月新闻"])
    assert any("早于 2000 年" in w for w in warnings["旧新闻"])
    assert len(result.items) == 2  # warnings, not refusals


def test_cli_ingest_prints_the_per_file_report(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RA_ENGINE", "offline")
    folder = tmp_path / "corpus"
    shutil.copytree(RAW, folder)
    (folder / "scan.pdf").write_bytes(maker().scanned_pdf())
    report = tmp_path / "report.json"
    rc = main(["ingest", "--corpus", str(folder), "--store", str(tmp_path / "store"), "--embedding", "hash",
               "--skip-bad", "--month", "2024-07", "--report", str(report)])
    out = capsys.readouterr().out
    assert rc == 0 and "逐文件导入报告" in out and "外文条目" in out and "scan.pdf" in out and "文字层" in out
    assert "重复" in out  # the feed copy of the Xinhua page (the narrow test console wraps the cell)
    assert json.loads(report.read_text(encoding="utf-8"))["totals"]["items"] == len(TRUTH)
