"""Export: Markdown and DOCX downloads, enabled only when ``can_export`` allows it."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st
from ra_ui import literal, report_page
from sqlalchemy.exc import SQLAlchemyError

from assistant.errors import AssistantError
from assistant.review import allowed
from assistant.review.exporting import export_final

user, svc, report_id = report_page("导出")
gate = svc.export_gate(report_id)
may_export = gate.allowed and allowed(user, "export")
if not gate.allowed:
    st.warning("还不能导出：")
    for blocker in gate.blockers:
        st.markdown(f"- {literal(blocker)}")
elif not allowed(user, "export"):
    st.info("你的角色无权导出。")

if st.button("生成导出文件", disabled=not may_export, type="primary", key="build_export"):
    try:
        paths = export_final(svc, report_id, user, Path(tempfile.mkdtemp(prefix="ra-export-")))
        st.session_state.export_files = (report_id, [(Path(p).name, Path(p).read_bytes()) for p in paths.values()])
    except (AssistantError, ImportError) as exc:
        st.error(f"导出失败：{literal(str(exc))}")
    except (OSError, ValueError, SQLAlchemyError) as exc:
        # never a raw traceback on the page: a disk, document or database problem is named, not dumped
        st.error(f"导出失败（{type(exc).__name__}）：请联系管理员查看日志")

built_for, files = st.session_state.get("export_files", (None, []))
files = files if may_export and built_for == report_id else []
mimes = {"md": "text/markdown",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
for name, data in files:
    suffix = Path(name).suffix.lstrip(".")
    if suffix in mimes:
        st.download_button(f"下载 {name}", data, file_name=name, mime=mimes[suffix], key=f"dl_{name}")
