"""The section editor: typed text is never lost and never silently replaced.

The text lives in a plain session-state buffer per section (``buf:<pk>``: base version, text, generation), not
only in the widget: Streamlit forgets a widget's value when it is not drawn (another section, another page), so
the widget is re-seeded from the buffer whenever it comes back. Every change is also kept in the database per
user (``keep_draft``), which brings typed text back after a reload or a new sign-in. The widget key carries the
section and the base version the text was typed against, so a value the browser still holds for an older base
can never overwrite a merge; within one base, text is replaced through the buffer before the widget is drawn.

A refused save (someone saved meanwhile) runs a three-way merge (base, mine, theirs): non-overlapping changes are
merged into the editor for a final look; overlapping ones are shown side by side and the editor picks per conflict.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import streamlit as st
from autosave import typed_text
from ra_ui import literal

from assistant.errors import ConcurrentEditError, ReviewError
from assistant.review import ReviewService, SectionView, UserView, allowed
from assistant.review.merging import Conflict, MergeResult, merge_texts, resolve

__all__ = ["flash", "render_editor", "show_flash"]

_CHOICES = {"mine": "用我的", "theirs": "用对方的", "both": "两者都保留（我的在前）"}


def flash(message: str) -> None:
    st.session_state.flash = message


def show_flash() -> None:
    if "flash" in st.session_state:
        # shown before it is forgotten: a rerun that interrupts this one at st.success finds it still there
        st.success(st.session_state.flash)
        st.session_state.pop("flash", None)


def _buffer(svc: ReviewService, section: SectionView, user: UserView) -> dict[str, Any]:
    key = f"buf:{section.pk}"
    if key not in st.session_state:
        st.session_state[key] = {"base": section.current_version, "text": section.markdown, "gen": 0,
                                 "offer": svc.kept_draft(section.pk, user) if allowed(user, "edit") else None,
                                 "pending": True}
    buf: dict[str, Any] = st.session_state[key]
    return buf


def _replace(pk: int, base: int, text: str) -> None:
    """Replace the editor's text on the next run (a drawn widget's value cannot be changed in the same run)."""
    buf = st.session_state[f"buf:{pk}"]
    buf.update(base=base, text=text, gen=buf["gen"] + 1, offer=None, pending=True)


def _widget_key(pk: int, buf: dict[str, Any]) -> str:
    """Per section and base version: a value the browser sends for an older base (a click that raced a merge)
    lands on the old key and cannot overwrite the merged text."""
    return f"ed_{pk}_{buf['base']}"


def _typed(svc: ReviewService, pk: int, user: UserView, key: str) -> None:
    """on_change of the text area: copy into the buffer and keep it server-side for this user."""
    buf = st.session_state[f"buf:{pk}"]
    if key != _widget_key(pk, buf) or key not in st.session_state:
        return  # typed against a base the editor has since left (merged or saved)
    text = st.session_state[key]
    buf["text"] = text
    with contextlib.suppress(ReviewError):  # a convenience copy; the text stays in the session buffer anyway
        svc.keep_draft(pk, buf["base"], text, user)


def _autosave(svc: ReviewService, pk: int, user: UserView, buf: dict[str, Any], key: str) -> None:
    """Keep the text as it is typed (debounced in the browser), before the box commits it, and say when."""
    typed = typed_text(key)
    if typed is not None and typed != buf.get("kept"):
        try:
            svc.keep_draft(pk, buf["base"], typed, user)
        except ReviewError:
            st.caption("未能自动暂存；离开编辑框或按 Ctrl+Enter 后会再试")
            return
        buf["kept"], buf["kept_at"] = typed, dt.datetime.now()
    if buf.get("kept_at"):
        st.caption(f"已自动暂存（{buf['kept_at']:%H:%M:%S}），刷新页面也不会丢失")


def _offer_kept(svc: ReviewService, section: SectionView, user: UserView, buf: dict[str, Any]) -> None:
    offer = buf.get("offer")
    if offer is None or offer.markdown in (section.markdown, buf["text"]):
        return
    st.info(f"你上次有未保存的编辑（基于 v{offer.base_version}，{offer.updated_at:%Y-%m-%d %H:%M}，"
            f"{len(offer.markdown)} 字）。")
    left, right = st.columns(2)
    if left.button("恢复未保存的编辑", key=f"offer_take_{section.pk}"):
        _replace(section.pk, offer.base_version, offer.markdown)
        st.rerun()
    if right.button("丢弃未保存的编辑", key=f"offer_drop_{section.pk}"):
        svc.discard_draft(section.pk, user)
        buf["offer"] = None
        st.rerun()


def _save(svc: ReviewService, section: SectionView, user: UserView, text: str) -> None:
    buf = st.session_state[f"buf:{section.pk}"]
    try:
        version = svc.save_edit(section.pk, buf["base"], text, user)
    except ConcurrentEditError as exc:
        _merge_after_conflict(svc, section, user, text, exc)
        return
    except ReviewError as exc:
        st.error(literal(str(exc)))
        return
    unchanged = version.number == buf["base"]  # identical text: the service made no version
    _replace(section.pk, version.number, version.markdown)
    flash("内容与当前版本相同，未生成新版本" if unchanged else f"已保存为 v{version.number}")
    st.rerun()


def _merge_after_conflict(svc: ReviewService, section: SectionView, user: UserView, mine: str,
                          exc: ConcurrentEditError) -> None:
    buf = st.session_state[f"buf:{section.pk}"]
    theirs, number = exc.current_markdown or "", exc.current_version or section.current_version
    result = merge_texts(svc.version(section.pk, buf["base"]).markdown, mine, theirs)
    if result.clean:
        _replace(section.pk, number, result.text)
        svc.keep_draft(section.pk, number, result.text, user)
        flash(f"{exc.current_author} 已保存 v{number}；你们改的是不同的句子，已自动合并到编辑框（基于 v{number}）。"
              "请检查后再保存。")
        st.rerun()
    st.session_state[f"merge:{section.pk}"] = {"result": result, "version": number, "author": exc.current_author,
                                               "mine": mine}


def _render_merge(section: SectionView, state: dict[str, Any]) -> None:
    result: MergeResult = state["result"]
    conflicts = result.conflicts
    st.error(f"{literal(state['author'] or '他人')} 已保存 v{state['version']}，其中 {len(conflicts)} 处与你的修改"
             "重叠。不重叠的修改已合并；请逐处选择保留哪一方，什么都不会被悄悄丢掉。")
    choices: list[str | None] = []
    for i, conflict in enumerate(conflicts, start=1):
        _render_conflict(section.pk, i, conflict, state["author"])
        choices.append(st.radio(f"第 {i} 处采用", list(_CHOICES), format_func=_CHOICES.__getitem__, index=None,
                                horizontal=True, key=f"merge_choice_{section.pk}_{i}"))
    ready = all(c is not None for c in choices)
    if st.button("把合并结果放入编辑框", key=f"merge_apply_{section.pk}", disabled=not ready, type="primary"):
        text = resolve(result, [c for c in choices if c is not None])  # type: ignore[misc]
        _replace(section.pk, state["version"], text)
        st.session_state.pop(f"merge:{section.pk}", None)
        flash(f"已合并到编辑框（基于 v{state['version']}），请检查后保存")
        st.rerun()
    if st.button("放弃合并，保留我的文本继续编辑", key=f"merge_cancel_{section.pk}"):
        st.session_state.pop(f"merge:{section.pk}", None)
        st.rerun()


def _render_conflict(pk: int, i: int, conflict: Conflict, author: str | None) -> None:
    st.markdown(f"**第 {i} 处重叠**")
    base, mine, theirs = st.columns(3)
    base.caption("原文（共同的旧版本）")
    base.text(conflict.base or "（无）")
    mine.caption("我的修改")
    mine.text(conflict.mine or "（删除）")
    theirs.caption(f"{author or '对方'} 的修改")
    theirs.text(conflict.theirs or "（删除）")


def render_editor(svc: ReviewService, section: SectionView, user: UserView) -> None:
    can_edit = allowed(user, "edit")
    buf = _buffer(svc, section, user)
    if not can_edit:
        st.info("你的角色只能查看，不能编辑。")
    else:
        _offer_kept(svc, section, user, buf)
        if buf["base"] != section.current_version and f"merge:{section.pk}" not in st.session_state:
            st.warning(f"你正在基于 v{buf['base']} 编辑，但本章已有 v{section.current_version}；"
                       "保存时会与对方的修改三方合并，你的文本不会丢失。")
    key = _widget_key(section.pk, buf)
    if key not in st.session_state or buf.pop("pending", False):
        st.session_state[key] = buf["text"]
    text = st.text_area(f"正文（基于 v{buf['base']}）", key=key, height=320, disabled=not can_edit,
                        on_change=_typed, args=(svc, section.pk, user, key))
    buf["text"] = text
    if can_edit:
        _autosave(svc, section.pk, user, buf, key)
    left, right = st.columns(2)
    if left.button("保存为新版本", key=f"save_{section.pk}", disabled=not can_edit, type="primary"):
        _save(svc, section, user, text)
    if right.button("标记我正在编辑", key=f"hold_{section.pk}", disabled=not can_edit):
        svc.begin_edit(section.pk, user)
        st.rerun()
    state = st.session_state.get(f"merge:{section.pk}")
    if state:
        _render_merge(section, state)
