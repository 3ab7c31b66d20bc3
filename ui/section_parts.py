"""Pieces of the section review page: regenerate suggestions, review buttons, diff and history."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pandas as pd
import streamlit as st
from editor_parts import flash
from jobs_ui import job_service, watch_jobs
from labels import DECISION_LABELS, ORIGIN_LABELS
from ra_ui import status_label
from section_view import md_escape

from assistant.engine.request import OFFLINE_HONOURS
from assistant.errors import AssistantError, ConcurrentEditError, ReviewError
from assistant.jobs import JobView
from assistant.review import ReviewService, SectionView, UserView, VersionView, allowed
from assistant.review.merging import char_spans
from assistant.settings import get_settings

__all__ = ["PRESETS", "diff_markdown", "render_diff", "render_history", "render_regenerate", "render_review",
           "render_sent_back"]

PRESETS = ("更简洁", "突出国产算力", "自定义")
ENGINE_SHORT = {"offline": "离线引擎", "openai": "模型引擎"}
ENGINE_LABELS = {"offline": "离线引擎（确定性抽取，不调用模型）", "openai": "模型引擎（OpenAI 兼容接口）"}


def render_sent_back(svc: ReviewService, section: SectionView) -> None:
    """The full reason a section was sent back, on the section itself."""
    if section.status not in ("changes_requested", "rejected"):
        return
    last = next((r for r in reversed(svc.reviews(section.pk)) if r.decision != "approve"), None)
    if last is None:
        return
    label = DECISION_LABELS.get(last.decision, last.decision)
    st.error(f"**{label}**（{md_escape(last.reviewer)}，v{last.version_number}，{last.created_at:%Y-%m-%d %H:%M}）：  \n"
             + md_escape(last.comment).replace("\n", "  \n"))


def diff_markdown(old: str, new: str) -> str:
    """Character-level changes as Markdown: deletions struck through on red, insertions on green, all escaped."""
    out: list[str] = []
    for span in char_spans(old, new):
        pieces = span.text.split("\n")
        marked = []
        for piece in pieces:
            text = md_escape(piece)
            if piece and span.tag == "delete":
                text = f":red-background[~~{text}~~]"
            elif piece and span.tag == "insert":
                text = f":green-background[{text}]"
            marked.append(text)
        out.append("  \n".join(marked))
    return "".join(out)


def _engine_name() -> str:
    try:
        return get_settings().resolved_engine
    except (ValueError, TypeError):
        return "offline"


def _announce(job: JobView) -> None:
    """A regenerate job this page watched is done: say so above the section after the page reruns (a failed one
    stays in the watcher with its error and 重试)."""
    if job.state == "done" and job.result and job.result.get("suggestion_id"):
        flash(f"任务 {job.id} 已完成：建议 #{job.result['suggestion_id']} 已生成，请查看差异后采纳或拒绝")


def _new_version(section: SectionView, make: Callable[[], VersionView], said: str) -> None:
    """Make a version (accept a suggestion, restore an old one); the editor's unsaved buffer of the section is
    dropped since its base is gone; a refusal (someone saved meanwhile) is shown in place. ``said`` is the notice,
    with ``{number}`` for the new version's number (the rest is our own text: ids and numbers only)."""
    try:
        version = make()
    except (ConcurrentEditError, ReviewError) as exc:
        st.error(md_escape(str(exc)))
    else:
        st.session_state.pop(f"buf:{section.pk}", None)
        flash(said.format(number=version.number))
        st.rerun()


def render_regenerate(svc: ReviewService, section: SectionView, user: UserView) -> None:
    can = allowed(user, "regenerate")
    engine = _engine_name()
    st.caption(f"当前引擎：{ENGINE_LABELS.get(engine, engine)}。"
               + (f"{OFFLINE_HONOURS}；其他指令会被拒绝并说明原因。" if engine == "offline" else "")
               + "结果先作为建议显示差异，采纳后才成为新版本。")
    preset = st.radio("指令", PRESETS, horizontal=True, key=f"preset_{section.pk}", disabled=not can)
    custom = st.text_input("自定义指令", key=f"instr_{section.pk}", disabled=not can or preset != "自定义")
    instruction = custom.strip() if preset == "自定义" else preset
    if st.button("生成建议", key=f"regen_{section.pk}", disabled=not can or not instruction):
        try:
            job_id = job_service().submit_regenerate(section.pk, instruction, user,
                                                     base_version=section.current_version)
        except AssistantError as exc:  # refused at once: an instruction the engine cannot honour, a full queue
            st.error(md_escape(str(exc)))
        else:
            flash(f"已提交重新生成任务 {job_id}（指令：{md_escape(instruction)}），完成后建议会出现在下方")
            st.rerun()
    watch_jobs(user, kind="regenerate", key=f"regen_jobs_{section.pk}",
               about={"section_pk": section.pk}, on_finished=_announce)
    for suggestion in svc.open_suggestions(section.pk):
        with st.container(border=True):
            origin = f"，来自任务 `{md_escape(suggestion.job_id)}`" if suggestion.job_id else ""
            st.markdown(f"**建议 #{suggestion.id}**：指令“{md_escape(suggestion.instruction)}”，基于 "
                        f"v{suggestion.base_version}，{md_escape(suggestion.author or '系统')} 于 "
                        f"{suggestion.created_at:%Y-%m-%d %H:%M}（{ENGINE_SHORT.get(suggestion.engine, '其他引擎')}）{origin}")
            if suggestion.base_version != section.current_version:
                st.warning(f"本章已有 v{section.current_version}，这条建议基于 v{suggestion.base_version}；"
                           "采纳会被拒绝，请重新生成。")
            st.markdown(diff_markdown(section.markdown, suggestion.markdown) or "（与当前版本相同）")
            left, right = st.columns(2)
            if left.button("采纳为新版本", key=f"accept_sugg_{suggestion.id}", disabled=not allowed(user, "edit"),
                           type="primary"):
                _new_version(section, partial(svc.accept_suggestion, suggestion.id, user),
                             f"已采纳建议 #{suggestion.id}，生成 v{{number}}")
            if right.button("拒绝", key=f"reject_sugg_{suggestion.id}", disabled=not allowed(user, "edit")):
                svc.reject_suggestion(suggestion.id, user)
                flash(f"已拒绝建议 #{suggestion.id}，正文未改变")
                st.rerun()


def render_review(svc: ReviewService, section: SectionView, user: UserView) -> None:
    can = allowed(user, "review")
    version = section.current_version
    st.markdown(f"审批对象：**v{version}**（{status_label(section.status)}，作者 {md_escape(section.author or '系统')}）")
    if not can:
        st.info("你的角色无权审批：只有编辑和管理员可以批准或驳回。")
    own = section.author == user.name and bool(svc.setting("four_eyes"))
    if can and own:
        st.warning("四眼原则：当前版本由你本人撰写，需由另一位编辑批准。")
    comment = st.text_area("审批意见（驳回或要求修改时必填）", key=f"comment_{section.pk}", disabled=not can)
    cols = st.columns(3)
    decisions = (("approve", f"批准 v{version}"), ("request_changes", "要求修改"), ("reject", "驳回"))
    for col, (decision, label) in zip(cols, decisions, strict=True):
        disabled = not can or (decision == "approve" and own)
        if col.button(label, key=f"{decision}_{section.pk}", disabled=disabled):
            try:
                svc.decide(section.pk, version, decision, user, comment)
            except ReviewError as exc:
                st.error(md_escape(str(exc)))
                continue
            flash(f"已记录：{label}")
            st.rerun()


def render_diff(svc: ReviewService, section: SectionView) -> None:
    numbers = svc.version_numbers(section.pk)
    if len(numbers) < 2:
        st.caption("只有一个版本，暂无可对比的内容。")
        return
    left, right = st.columns(2)
    old = left.selectbox("旧版本", numbers, index=len(numbers) - 2, format_func=lambda n: f"v{n}",
                         key=f"diff_old_{section.pk}")
    new = right.selectbox("新版本", numbers, index=len(numbers) - 1, format_func=lambda n: f"v{n}",
                          key=f"diff_new_{section.pk}")
    old_text, new_text = svc.version(section.pk, old).markdown, svc.version(section.pk, new).markdown
    if old_text == new_text:
        st.info("两个版本内容相同。")
        return
    st.caption(f"逐字对比 v{old} → v{new}：删除为红底删除线，新增为绿底")
    st.markdown(diff_markdown(old_text, new_text))
    with st.expander("统一格式 diff"):
        st.code(svc.diff(section.pk, old, new).unified, language="diff")


def render_history(svc: ReviewService, section: SectionView, user: UserView) -> None:
    versions = svc.versions(section.pk)
    st.dataframe(pd.DataFrame([{"版本": f"v{v.number}", "来源": ORIGIN_LABELS.get(v.origin, v.origin),
                                "作者": v.author or "系统", "时间": v.created_at, "指令": v.instruction or ""}
                               for v in versions]), hide_index=True, width="stretch")
    if allowed(user, "edit") and len(versions) > 1:
        older = [v.number for v in versions if v.number != section.current_version]
        pick = st.selectbox("恢复旧版本", older, index=len(older) - 1, format_func=lambda n: f"v{n}",
                            key=f"restore_pick_{section.pk}")
        if st.button(f"把 v{pick} 恢复为新版本", key=f"restore_{section.pk}"):
            _new_version(section, partial(svc.restore, section.pk, int(pick), section.current_version, user),
                         f"已把 v{int(pick)} 恢复为 v{{number}}")
    for review in reversed(svc.reviews(section.pk)):
        st.markdown(f"**{DECISION_LABELS.get(review.decision, review.decision)}** v{review.version_number} · "
                    f"{md_escape(review.reviewer)} · {review.created_at:%Y-%m-%d %H:%M}  \n"
                    + (md_escape(review.comment).replace("\n", "  \n") or "（无意见）"))

