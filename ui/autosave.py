"""Typed text kept while it is typed: a script-only Streamlit component (``st.components.v2``, the supported
custom-component API; it mounts in the page, no iframe) listens to the editor's own ``input`` events and, 800 ms
after the last key, sends the text to the server, which keeps it as the user's draft (``keep_draft``). A reload
before the box is left (a text area only commits its value on blur or Ctrl+Enter) then loses nothing. Leaving the
box or Ctrl+Enter cancels a pending send: the box's own commit carries the text, and a late send would interrupt the
run of the click that follows (a lost 保存).

The script is a constant; the only data it receives is the editor's widget key (letters, digits, underscores),
and it reads nothing but that text area's value.
"""

from __future__ import annotations

import re
from typing import Any

import streamlit as st

__all__ = ["AUTOSAVE_MS", "typed_text"]

AUTOSAVE_MS = 800
_SAFE_KEY = re.compile(r"^[A-Za-z0-9_]+$")

_JS = """
export default function(component) {
  const { data, setTriggerValue } = component;
  const selector = ".st-key-" + data.key + " textarea";
  let timer = null;
  const send = (box) => setTriggerValue("typed", { key: data.key, text: box.value });
  const onInput = (event) => {
    const box = event.target;
    if (!(box instanceof HTMLTextAreaElement) || !box.matches(selector)) return;
    clearTimeout(timer);
    timer = setTimeout(() => send(box), data.delay);
  };
  // Leaving the box or Ctrl+Enter commits its value anyway; a send still pending would then arrive just after
  // the user's click on 保存 and interrupt that run, and Streamlit drops the click of an interrupted run.
  const onCommit = (event) => {
    const box = event.target;
    if (!(box instanceof HTMLTextAreaElement) || !box.matches(selector)) return;
    if (event.type === "focusout" || (event.key === "Enter" && (event.ctrlKey || event.metaKey))) clearTimeout(timer);
  };
  document.addEventListener("input", onInput, true);
  document.addEventListener("focusout", onCommit, true);
  document.addEventListener("keydown", onCommit, true);
  return () => {
    clearTimeout(timer);
    document.removeEventListener("input", onInput, true);
    document.removeEventListener("focusout", onCommit, true);
    document.removeEventListener("keydown", onCommit, true);
  };
}
"""

_component = st.components.v2.component("ra_autosave", js=_JS)


def typed_text(widget_key: str) -> str | None:
    """Mount the listener for the text area ``widget_key``; the text typed there since the last run (debounced),
    or ``None`` when nothing new was typed."""
    if not _SAFE_KEY.match(widget_key):
        raise ValueError(f"unexpected widget key {widget_key!r}")
    result: Any = _component(key=f"autosave_{widget_key}", data={"key": widget_key, "delay": AUTOSAVE_MS},
                             on_typed_change=lambda: None)
    typed = getattr(result, "typed", None)
    if isinstance(typed, dict) and typed.get("key") == widget_key and isinstance(typed.get("text"), str):
        return str(typed["text"])
    return None
