"""The held-out month's failure, end to end: a saved page whose title carries ``<img onerror>`` and whose body carries
``<script>`` yields a clean item, and no trace of the markup reaches report.md, report.docx or report.json; an
untranslated English row in a Chinese table is marked （英文） by the offline engine."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import docx
import pytest
from raw_inputs import maker

from assistant import SAMPLE_DIR
from assistant.drafting import draft_report
from assistant.settings import get_settings

pytestmark = pytest.mark.slow

TRACES = ("<img", "onerror", "alert(", "<script", "document.cookie", "&lt;", "javascript:")


def _docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


@pytest.fixture(scope="module")
def drafted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("heldout")
    corpus = base / "corpus"
    corpus.mkdir()
    shutil.copy(SAMPLE_DIR / "corpus.jsonl", corpus / "corpus.jsonl")
    shutil.copy(SAMPLE_DIR / "raw" / "venturebeat-gpt4o-mini.html", corpus)
    page = maker().page_html(
        title="<img src=x onerror=alert(1)>AI 眼镜新品发布", title_tag="&lt;img src=x onerror=alert(1)&gt;AI 眼镜新品发布",
        site="AI 论坛", url="https://bbs.example.com/2024/07/26/glasses.html", published="2024-07-26T10:00:00+08:00",
        paragraphs=["7 月 26 日，多家厂商发布 AI 眼镜新品，支持实时翻译与拍照识物，搭载端侧大模型。"
                    "<script>alert(document.cookie)</script>",
                    "新品 AI 眼镜重量约 40 克，续航 6 小时，售价 1999 元起，产品将于 8 月上市。"])
    (corpus / "glasses.html").write_text(page, encoding="utf-8")
    out = base / "out"
    draft_report(SAMPLE_DIR / "pack", corpus, out, get_settings(engine="offline", embedding="hash"),
                 sections=["llm_dynamics", "product_dynamics", "core_views"])
    return out


def test_markup_in_title_and_body_leaves_no_trace_in_any_output(drafted: Path) -> None:
    outputs = {"report.md": (drafted / "report.md").read_text(encoding="utf-8"),
               "report.json": (drafted / "report.json").read_text(encoding="utf-8"),
               "report.docx": _docx_text(drafted / "report.docx")}
    for name, text in outputs.items():
        assert "AI 眼镜新品发布" in text, name  # the item itself made it into the report
        assert [t for t in TRACES if t in text] == [], name
    sources = json.loads(outputs["report.json"])["sources"]
    [glasses] = [s for s in sources if "眼镜" in s["title"]]
    assert glasses["title"] == "AI 眼镜新品发布" and glasses["date"] == "2024-07-26"


def test_english_row_in_a_chinese_table_is_marked(drafted: Path) -> None:
    markdown = (drafted / "report.md").read_text(encoding="utf-8")
    # a row of its own, or (as another copy of a printed event) on the 其他动态 line: marked either way
    # (the 参考来源 list cites the original title as published)
    lines = [line for line in markdown.splitlines()
             if "OpenAI unveils GPT-4o mini" in line and not line.startswith("- [")]
    assert lines and all("OpenAI unveils GPT-4o mini, a smaller and much cheaper multimodal model（英文）" in line
                         for line in lines)
    chinese_rows = [line for line in markdown.splitlines() if line.startswith("| 7.") and "（英文）" not in line]
    assert chinese_rows  # Chinese rows are not marked
