"""Pieces of the section review page: sources beside the text, the editor, review buttons, diff and history."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
from ra_ui import literal, safe_markdown, safe_url, status_label

from assistant.errors import ConcurrentEditError, ReviewError
from assistant.review import ReviewService, SectionView, UserView, allowed

__all__ = ["PRESETS", "apply_pending_reset", "render_body", "render_diff", "render_editor", "render_history",
           "render_regenerate", "render_review", "render_sources"]

PRESETS = ("更简洁", "突出国产算力", "自定义")


def _flash(message: str) -> None:
    st.session_state.flash = message


def _queue_reset(pk: int, number: int, markdown: str) -> None:
    """Widget values can only be replaced before the widget is drawn, so the reset happens on the next run."""
    st.session_state.pending_reset = {"pk": pk, "number": number, "markdown": markdown}


def apply_pending_reset(section: SectionView) -> None:
    pending = st.session_state.pop("pending_reset", None)
    if pending and pending["pk"] == section.pk:
        st.session_state[f"base_{section.pk}"] = pending["number"]
        st.session_state[f"draft_{section.pk}"] = pending["markdown"]
        st.session_state.pop(f"conflict_{section.pk}", None)
    if f"base_{section.pk}" not in st.session_state:
        st.session_state[f"base_{section.pk}"] = section.current_version
        st.session_state[f"draft_{section.pk}"] = section.markdown
    if "flash" in st.session_state:
        st.success(st.session_state.pop("flash"))


def render_body(section: SectionView) -> None:
    st.caption(f"状态：{status_label(section.status)} · 当前版本 v{section.current_version} · "
               f"最后修改 {section.author or '系统'}" + (f" · {section.holder} 正在编辑" if section.holder else ""))
    st.markdown(safe_markdown(section.markdown) or "（本章暂无正文）")


def render_sources(svc: ReviewService, section: SectionView) -> None:
    st.subheader("引用来源")
    sources = svc.section_sources(section)
    if not sources:
        st.caption("本章没有引用。")
    for source in sources:
        with st.expander(f"[{source.marker}] {literal(source.title)}"):
            st.markdown(f"**发布方**：{literal(source.publisher)}  \n**日期**：{source.date or '未知'}"
                        + ("  \n（背景资料，不属于本月新闻）" if source.background else ""))
            url = safe_url(source.url)
            if url:
                st.link_button("打开原文", url)
            elif source.url:
                st.text(f"链接（未启用）：{source.url}")
            st.caption("引用段落")
            st.markdown(literal(source.passage) or "（无段落）")


def _save(svc: ReviewService, section: SectionView, user: UserView, text: str) -> None:
    base = st.session_state[f"base_{section.pk}"]
    try:
        version = svc.save_edit(section.pk, base, text, user)
    except ConcurrentEditError as exc:
        st.session_state[f"conflict_{section.pk}"] = {
            "message": str(exc), "version": exc.current_version, "markdown": exc.current_markdown or "",
            "author": exc.current_author or ""}
        return
    except ReviewError as exc:
        st.error(str(exc))
        return
    _queue_reset(section.pk, version.number, version.markdown)
    _flash(f"已保存为 v{version.number}")
    st.rerun()


def _render_conflict(pk: int, conflict: dict[str, Any]) -> None:
    st.error(conflict["message"])
    st.markdown(f"**{literal(conflict['author'])} 保存的 v{conflict['version']}：**")
    st.code(conflict["markdown"], language=None, wrap_lines=True)
    if st.button(f"我已合并，基于 v{conflict['version']} 保存", key=f"merge_{pk}"):
        st.session_state[f"base_{pk}"] = conflict["version"]
        st.session_state.pop(f"conflict_{pk}", None)
        st.rerun()


def render_editor(svc: ReviewService, section: SectionView, user: UserView) -> None:
    can_edit = allowed(user, "edit")
    base = st.session_state[f"base_{section.pk}"]
    if not can_edit:
        st.info("你的角色只能查看，不能编辑。")
    elif base != section.current_version and f"conflict_{section.pk}" not in st.session_state:
        st.warning(f"你正在基于 v{base} 编辑，但本章已有 v{section.current_version}；保存时会提示合并。")
    text = st.text_area(f"正文（基于 v{base}）", key=f"draft_{section.pk}", height=320, disabled=not can_edit)
    left, right = st.columns(2)
    if left.button("保存为新版本", key=f"save_{section.pk}", disabled=not can_edit, type="primary"):
        _save(svc, section, user, text)
    if right.button("标记我正在编辑", key=f"hold_{section.pk}", disabled=not can_edit):
        svc.begin_edit(section.pk, user)
        st.rerun()
    conflict = st.session_state.get(f"conflict_{section.pk}")
    if conflict:
        _render_conflict(section.pk, conflict)


def render_regenerate(svc: ReviewService, section: SectionView, user: UserView) -> None:
    can = allowed(user, "regenerate")
    preset = st.radio("指令", PRESETS, horizontal=True, key=f"preset_{section.pk}", disabled=not can)
    custom = st.text_input("自定义指令", key=f"instr_{section.pk}", disabled=not can or preset != "自定义")
    instruction = custom.strip() if preset == "自定义" else preset
    if st.button("重新生成", key=f"regen_{section.pk}", disabled=not can or not instruction):
        try:
            with st.spinner("正在重新生成……"):
                version = svc.regenerate(section.pk, instruction, user)
        except ReviewError as exc:
            st.error(str(exc))
            return
        _queue_reset(section.pk, version.number, version.markdown)
        _flash(f"已重新生成为 v{version.number}（指令：{instruction}）")
        st.rerun()


def render_review(svc: ReviewService, section: SectionView, user: UserView) -> None:
    can = allowed(user, "review")
    version = section.current_version
    st.markdown(f"审批对象：**v{version}**（{status_label(section.status)}）")
    if not can:
        st.info("你的角色无权审批：只有编辑和管理员可以批准或驳回。")
    comment = st.text_area("审批意见（驳回或要求修改时必填）", key=f"comment_{section.pk}", disabled=not can)
    cols = st.columns(3)
    decisions = (("approve", f"批准 v{version}"), ("request_changes", "要求修改"), ("reject", "驳回"))
    for col, (decision, label) in zip(cols, decisions, strict=True):
        if col.button(label, key=f"{decision}_{section.pk}", disabled=not can):
            try:
                svc.decide(section.pk, version, decision, user, comment)
            except ReviewError as exc:
                st.error(str(exc))
                continue
            _flash(f"已记录：{label}")
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
    diff = svc.diff(section.pk, old, new)
    if not diff.changed:
        st.info("两个版本内容相同。")
        return
    tags = {"equal": "", "replace": "修改", "delete": "删除", "insert": "新增"}
    st.dataframe(pd.DataFrame([{"": tags[r.tag], f"v{old} 行": r.left_no, f"v{old}": r.left,
                                f"v{new} 行": r.right_no, f"v{new}": r.right} for r in diff.rows]),
                 hide_index=True, width="stretch")
    with st.expander("统一格式 diff"):
        st.code(diff.unified, language="diff")


def render_history(svc: ReviewService, section: SectionView) -> None:
    origins = {"drafted": "起草", "edited": "编辑", "regenerated": "重新生成"}
    st.dataframe(pd.DataFrame([{"版本": f"v{v.number}", "来源": origins.get(v.origin, v.origin),
                                "作者": v.author or "系统", "时间": v.created_at, "指令": v.instruction or ""}
                               for v in svc.versions(section.pk)]), hide_index=True, width="stretch")
    reviews = svc.reviews(section.pk)
    if reviews:
        st.dataframe(pd.DataFrame([{"版本": f"v{r.version_number}", "审批人": r.reviewer, "决定": r.decision,
                                    "意见": r.comment, "时间": r.created_at} for r in reviews]),
                     hide_index=True, width="stretch")
