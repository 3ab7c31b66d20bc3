"""The ingestion report of a drafted corpus (``ingest_report.json``), as ``ingest`` prints it, for the UI."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pandas as pd
import streamlit as st
from ra_ui import literal

from assistant.corpus.kinds import kind_label
from assistant.corpus.report import OUTCOME_LABELS


def show_ingest_report(path: Path) -> None:
    """Per file: items made, where the fields came from, warnings, refusals."""
    if not path.is_file():
        return
    data = json.loads(path.read_text(encoding="utf-8"))
    totals = data.get("totals", {})
    st.caption(literal(f"文件 {totals.get('files', 0)} 个，条目 {totals.get('items', 0)} 条，拒绝 "
                       f"{totals.get('refused', 0)} 条，近似重复 {totals.get('duplicates_linked', 0)} 条，外文 "
                       f"{totals.get('foreign', 0)} 条，警告 {totals.get('warnings', 0)} 条；来源类型："
                       + ("，".join(f"{kind_label(k)} {n}" for k, n in totals.get("kinds", {}).items()) or "—")
                       + (f"；来源待补 {totals['source_pending']} 条" if totals.get("source_pending") else "")))
    rows = []
    for entry in data.get("files", []):
        fields = sorted({f"{k}←{v}" for item in entry["items"] for k, v in item["fields"].items() if k != "body"})
        outcomes = Counter(OUTCOME_LABELS.get(i["outcome"], i["outcome"]) for i in entry["items"] if i["outcome"])
        rows.append({"文件": Path(entry["file"]).name, "格式": entry.get("kind", ""), "条目": len(entry["items"]),
                     "类型": "、".join(dict.fromkeys(kind_label(i.get("source_kind", "news"))
                                                   + ("（来源待补）" if i.get("source_pending") else "")
                                                   for i in entry["items"])),
                     "结果": " ".join(f"{k} {n}" for k, n in sorted(outcomes.items())),
                     "标题": "；".join(i["title"] for i in entry["items"][:3]),
                     "字段来源": ", ".join(fields),
                     "警告": "；".join(dict.fromkeys(w for i in entry["items"] for w in i["warnings"])),
                     "拒绝原因": "；".join(r["reason"] for r in entry["refused"])})
    # st.dataframe shows cell text as text: titles from the corpus are never rendered as markup
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
