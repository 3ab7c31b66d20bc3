"""Compliance review: findings by section, the sentence beside its cited passage with the offending figures and
phrases highlighted, resolve / send back, re-run the checks on the current texts, and sign off.

Corpus and model text is escaped before any highlight is added; nothing here passes unsafe_allow_html.
"""

from __future__ import annotations

from collections import Counter

import streamlit as st
from jobs_ui import job_service, watch_jobs
from labels import finding_label
from ra_ui import hide_paths, literal, require_user, select_report, service

from assistant.errors import AssistantError
from assistant.jobs import JobView
from assistant.review import allowed
from assistant.review.compliance import ComplianceService, FindingView, open_counts
from assistant.review.highlight import highlight_spans, offending_terms
from assistant.review.policy import REPORT_PARTS, SEVERITY_LABELS, cited_markers
from assistant.review.views import SourceView, UserView

PAGE_ROLES = ("compliance", "admin")


def _marked(text: str, terms: list[str]) -> str:
    """Escape every piece first, then wrap the highlighted ones in a Streamlit colour directive."""
    return "".join(f":red-background[{literal(piece)}]" if hit else literal(piece)
                   for piece, hit in highlight_spans(text, terms))


def _flash(message: str) -> None:
    st.session_state.compliance_flash = message


def _counts_line(counts: dict[str, int], resolved: int) -> str:
    parts = [f"{SEVERITY_LABELS[s]} {counts.get(s, 0)}" for s in SEVERITY_LABELS]
    return " · ".join([*parts, f"已处理 {resolved}"])


def _actions(comp: ComplianceService, finding: FindingView, user: UserView, sendable: bool) -> None:
    can_resolve, can_send = allowed(user, "resolve"), allowed(user, "send_back") and sendable
    note = st.text_input("处理理由 / 退回意见（标记已处理时必填）", key=f"reason_{finding.id}",
                         disabled=not (can_resolve or can_send))
    left, right = st.columns(2)
    if left.button("标记为已处理", key=f"resolve_{finding.id}", disabled=not can_resolve):
        try:
            comp.resolve(finding.id, note, user)
        except AssistantError as exc:
            st.error(literal(str(exc)))
        else:
            _flash(f"问题 #{finding.id} 已标记为已处理")
            st.rerun()
    if right.button("退回编辑", key=f"sendback_{finding.id}", disabled=not can_send):
        try:
            sent = comp.send_back(finding.id, user, note)
        except AssistantError as exc:
            st.error(literal(str(exc)))
        else:
            title = service().section(sent.section_pk).title
            _flash(f"已将“{title or '该章节'}” v{sent.version} 退回给 {sent.editor or '编辑'}（需修改）")
            st.rerun()


def _finding(comp: ComplianceService, finding: FindingView, user: UserView, sources: dict[int, SourceView],
             sendable: bool) -> None:
    evidence = finding.evidence
    markers = [finding.marker] if finding.marker is not None else cited_markers(finding.sentence)
    if not evidence:  # the passage the sentence cites, whichever check raised the finding
        evidence = "\n\n".join(f"[{m}] {sources[m].passage}" for m in markers if m in sources and sources[m].passage)
    in_sentence, in_evidence = offending_terms(finding.sentence, evidence, finding.detail, finding.marker)
    with st.container(border=True):
        version = f" · 基于 v{finding.version}" if finding.version else ""
        st.markdown(f"**{SEVERITY_LABELS.get(finding.severity, finding.severity)}** · "
                    f"{literal(finding_label(finding.kind))} · #{finding.id}{version}：{literal(finding.detail)}")
        left, right = st.columns(2)
        left.caption("报告中的句子")
        left.markdown(_marked(finding.sentence, in_sentence) or "（针对整节或整份报告）")
        right.caption(f"引用原文 [{finding.marker}]" if finding.marker is not None else "引用原文")
        right.markdown(_marked(evidence, in_evidence) or "（无引用原文）")
        if finding.status == "open":
            _actions(comp, finding, user, sendable)
        else:
            when = finding.resolved_at.strftime("%Y-%m-%d %H:%M") if finding.resolved_at else ""
            st.caption(f"已处理：{finding.resolved_by} {when} · 理由：{literal(finding.reason or '')}")


def _signoff(comp: ComplianceService, report_id: int, user: UserView) -> None:
    st.header("合规签字")
    state = comp.signoff_state(report_id)
    if state.current is not None:
        titles = {x.section_id: x.title for x in service().sections(report_id)}
        signed = "、".join(f"{titles.get(k) or REPORT_PARTS.get(k, '其他部分')} v{v}"
                          for k, v in state.current.versions.items())
        st.success(f"已由 {state.current.user} 于 {state.current.created_at:%Y-%m-%d %H:%M} 签字（{signed}）")
    elif state.gate.blockers:
        st.warning("签字前还需：")
        for blocker in state.gate.blockers:
            st.markdown(f"- {literal(blocker)}")
    may = allowed(user, "sign_off")
    if not may:
        st.info("只有合规人员可以签字（管理员不能代签）。")
    comment = st.text_area("签字意见", key="signoff_comment", disabled=not may)
    ready = may and state.gate.allowed and state.current is None
    if st.button("合规签字", key="sign_off", type="primary", disabled=not ready):
        try:
            comp.sign_off(report_id, user, comment)
        except AssistantError as exc:
            st.error(literal(str(exc)))
        else:
            _flash("已签字：报告可以导出")
            st.rerun()
    history = comp.signoffs(report_id)
    if history:
        with st.expander(f"签字记录（{len(history)}）"):
            for s in history:
                status = "有效" if s.valid else "已失效"
                st.markdown(f"- {s.created_at:%Y-%m-%d %H:%M} {literal(s.user)}（{status}）：{literal(s.comment)}")


def _rechecked(job: JobView) -> None:
    """The re-check job this page watched has ended: its outcome above the (now refreshed) findings."""
    result = job.result or {}
    if job.state != "done" or "opened" not in result:
        return
    basis = f"新闻语料 {literal(hide_paths(str(result['corpus'])))}" if result.get("corpus") else "已存来源段落"
    _flash(f"检查完成（任务 {job.id}）：{result['opened']} 个待处理问题，{result.get('kept_resolved', 0)} 个沿用已处理结论"
           f"（核对依据：{basis}）" + (f"。{literal(hide_paths(str(result['note'])))}" if result.get("note") else ""))


def _rerun(report_id: int, user: UserView) -> None:
    """The checks run as a job (a worker does the slow part); the watcher reruns the page when it is done."""
    if st.button("按当前版本重新运行检查", key="rerun_checks", disabled=not allowed(user, "run_checks")):
        try:
            job_id = job_service().submit_recheck(report_id, user)
        except AssistantError as exc:
            st.error(literal(str(exc)))
        else:
            _flash(f"已提交重跑检查任务 {job_id}，完成后本页会自动刷新问题列表")
            st.rerun()
    watch_jobs(user, kind="recheck", key=f"recheck_jobs_{report_id}",
               about={"report_id": report_id}, on_finished=_rechecked)


user = require_user()
st.title("合规审查")
if user.role not in PAGE_ROLES:
    st.warning("只有合规人员和管理员可以打开本页。")
    st.stop()
svc = service()
report_id = select_report(svc)
if report_id is None:
    st.stop()
comp = ComplianceService(svc)
if "compliance_flash" in st.session_state:
    st.success(st.session_state.pop("compliance_flash"))

findings = comp.findings(report_id)
counts = open_counts(findings)
columns = st.columns(4)
for column, severity in zip(columns, SEVERITY_LABELS, strict=False):
    column.metric(f"待处理 · {SEVERITY_LABELS[severity]}", sum(c[severity] for c in counts.values()))
columns[3].metric("已处理", sum(f.status == "resolved" for f in findings))
_rerun(report_id, user)
show_resolved = st.toggle("显示已处理的问题", value=False, key="show_resolved")

sections = svc.sections(report_id)
titles = {**REPORT_PARTS, **{s.section_id: s.title or s.section_id for s in sections}}
order = [s.section_id for s in sections] + sorted({f.section_id for f in findings} - {s.section_id for s in sections})
sources = {s.marker: s for s in svc.sources(report_id)}
if not findings:
    st.info("没有合规问题记录。可以按当前版本重新运行检查。")
for section_id in order:
    group = [f for f in findings if f.section_id == section_id and (show_resolved or f.status == "open")]
    resolved = sum(f.section_id == section_id and f.status == "resolved" for f in findings)
    if not group and not resolved:
        continue
    open_here: Counter[str] = counts.get(section_id, Counter())
    label = f"{literal(titles.get(section_id, section_id))} — {_counts_line(dict(open_here), resolved)}"
    with st.expander(label, expanded=bool(open_here["blocking"])):  # warnings wait behind one click
        for finding in group:
            _finding(comp, finding, user, sources, section_id in {s.section_id for s in sections})
        if not group:
            st.caption("本节问题均已处理（打开“显示已处理的问题”查看）。")

_signoff(comp, report_id, user)
