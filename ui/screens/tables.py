"""Tables and charts of a report (from its report.json), with CSV and XLSX downloads."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from ra_ui import literal, report_page, report_snapshot
from tables_data import table_csv, table_frame, tables_xlsx

_user, svc, report_id = report_page("表格与图表")
report = report_snapshot(svc, report_id)
if not report.tables:
    st.info("这份报告没有表格。")
else:
    # the files are built when a button is clicked (a callable), not on every run: workbooks take seconds
    st.download_button("下载全部表格（XLSX）", lambda: tables_xlsx(report.tables), file_name=f"{report.month}-tables.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="all_xlsx")
for table in report.tables:
    st.subheader(literal(table.title))
    st.dataframe(table_frame(table), hide_index=True, width="stretch")
    st.caption(literal(table.source))
    left, right = st.columns(2)
    left.download_button("下载 CSV", lambda table=table: table_csv(table), file_name=f"{table.id}.csv", mime="text/csv",
                         key=f"csv_{table.id}")
    right.download_button("下载 XLSX", lambda table=table: tables_xlsx([table]), file_name=f"{table.id}.xlsx", key=f"xlsx_{table.id}",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

out_dir = Path(svc.out_dir(report_id))
for chart in report.charts:
    path = (out_dir / chart.path).resolve()
    st.subheader(literal(chart.title))
    if path.is_file() and path.is_relative_to(out_dir.resolve()):
        st.image(str(path))
    else:
        st.warning(f"图表文件不存在：{literal(str(chart.path))}")
    st.caption(literal(chart.source))
