"""New draft: the sample data or an uploaded pack zip + corpus (a file, or a zip of a folder of saved pages, PDF,
Word and feed files), drafted with a progress bar per section; the ingestion report is shown afterwards."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import queue
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from ra_ui import extract_zip, literal, require_user, service, unzip_safely

from assistant import SAMPLE_DIR
from assistant.corpus.report import OUTCOME_LABELS
from assistant.errors import AssistantError
from assistant.progress import ProgressEvent
from assistant.review import allowed
from assistant.settings import get_settings

DONE = {"ok", "failed", "skipped"}
CORPUS_SUFFIXES = (".jsonl", ".csv")

user = require_user()
svc = service()
st.title("新建草稿")
can = allowed(user, "import")
if not can:
    st.info("只有分析师和管理员可以起草新报告。")

mode = st.radio("数据来源", ["样例数据", "上传数据包"], horizontal=True, key="draft_mode", disabled=not can)
pack_zip = corpus_file = None
if mode == "上传数据包":
    pack_zip = st.file_uploader("市场数据包（zip，内含 pack.yaml）", type=["zip"], key="pack_zip")
    corpus_file = st.file_uploader("新闻语料（.jsonl / .csv，或把网页、PDF、Word、RSS/Atom 文件夹打包成 zip）",
                                   type=["jsonl", "csv", "zip"], key="corpus_file")


def _inputs(work: Path) -> tuple[Path, Path]:
    if mode == "样例数据":
        return SAMPLE_DIR / "pack", SAMPLE_DIR / "corpus.jsonl"
    if pack_zip is None or corpus_file is None:
        raise AssistantError("请同时上传数据包 zip 和新闻语料文件")
    suffix = Path(corpus_file.name).suffix.lower()
    if suffix == ".zip":
        return extract_zip(pack_zip.getvalue(), work / "pack"), unzip_safely(corpus_file.getvalue(), work / "corpus",
                                                                              corpus_file.name)
    corpus = work / f"corpus{suffix if suffix in CORPUS_SUFFIXES else '.jsonl'}"
    corpus.write_bytes(corpus_file.getvalue())
    return extract_zip(pack_zip.getvalue(), work / "pack"), corpus


def _run_draft(pack_dir: Path, corpus: Path, out_dir: Path) -> Any:
    drafting = importlib.import_module("assistant.drafting")
    events: queue.Queue[ProgressEvent] = queue.Queue()
    bars: dict[str, Any] = {}
    overall = st.progress(0.0, text="准备中……")
    area = st.container()
    # Drafting may call back from worker threads; only this script thread touches Streamlit elements.
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(drafting.draft_report, pack_dir, corpus, out_dir, get_settings(),
                             progress=events.put)
        while True:
            finished = future.done()
            while not events.empty():
                _show(events.get(), bars, overall, area)
            if finished:
                break
            time.sleep(0.2)
        return future.result()


def _show(event: ProgressEvent, bars: dict[str, Any], overall: Any, area: Any) -> None:
    if event.total:
        overall.progress(min(event.done / event.total, 1.0), text=literal(event.message))
    if event.item:
        if event.item not in bars:
            bars[event.item] = area.progress(0.0, text=literal(event.item))
        value = 1.0 if event.status in DONE else 0.5
        mark = {"ok": "✓", "failed": "✗", "skipped": "—"}.get(event.status, "…")
        bars[event.item].progress(value, text=literal(f"{mark} {event.item} {event.message}"))


def _show_ingest_report(path: Path) -> None:
    """The same per-file report ``ingest`` prints: items made, where the fields came from, warnings, refusals."""
    if not path.is_file():
        return
    data = json.loads(path.read_text(encoding="utf-8"))
    totals = data.get("totals", {})
    st.subheader("语料导入报告")
    st.caption(literal(f"文件 {totals.get('files', 0)} 个，条目 {totals.get('items', 0)} 条，拒绝 "
                       f"{totals.get('refused', 0)} 条，近似重复 {totals.get('duplicates_linked', 0)} 条，外文 "
                       f"{totals.get('foreign', 0)} 条，警告 {totals.get('warnings', 0)} 条"))
    rows = []
    for entry in data.get("files", []):
        fields = sorted({f"{k}←{v}" for item in entry["items"] for k, v in item["fields"].items() if k != "body"})
        outcomes = Counter(OUTCOME_LABELS.get(i["outcome"], i["outcome"]) for i in entry["items"] if i["outcome"])
        rows.append({"文件": Path(entry["file"]).name, "格式": entry.get("kind", ""), "条目": len(entry["items"]),
                     "结果": " ".join(f"{k} {n}" for k, n in sorted(outcomes.items())),
                     "标题": "；".join(i["title"] for i in entry["items"][:3]),
                     "字段来源": ", ".join(fields),
                     "警告": "；".join(dict.fromkeys(w for i in entry["items"] for w in i["warnings"])),
                     "拒绝原因": "；".join(r["reason"] for r in entry["refused"])})
    # st.dataframe shows cell text as text: titles from the corpus are never rendered as markup
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


if st.button("开始起草", disabled=not can, type="primary", key="start_draft"):
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out_dir = Path(os.environ.get("RA_UI_OUT_DIR", "out")) / f"draft-{stamp}"
    try:
        with tempfile.TemporaryDirectory(prefix="ra-upload-") as tmp:
            pack_dir, corpus = _inputs(Path(tmp))
            _run_draft(pack_dir, corpus, out_dir)
        report_id = svc.import_report(out_dir, user)
    except (AssistantError, ImportError) as exc:
        st.error(f"起草失败：{exc}")
    else:
        st.session_state.report_id = report_id
        st.success(f"草稿已生成并导入审阅库（报告 #{report_id}，输出目录 {out_dir}）")
        st.page_link("screens/overview.py", label="去报告总览")
        _show_ingest_report(out_dir / "ingest_report.json")
