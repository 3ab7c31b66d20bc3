"""Corpus and model text is data: the UI never hands Streamlit raw HTML to render."""

from __future__ import annotations

import ast
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "ui"
RAW_HTML_CALLS = {"html"}  # st.html renders raw HTML
RAW_HTML_KWARGS = {"unsafe_allow_html"}


def _offences(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in RAW_HTML_CALLS:
            found.append(f"{path.name}:{node.lineno} calls .{func.attr}()")
        for kw in node.keywords:
            if kw.arg in RAW_HTML_KWARGS:
                found.append(f"{path.name}:{node.lineno} passes {kw.arg}")
    return found


def test_no_page_renders_raw_html() -> None:
    files = sorted(UI.rglob("*.py"))
    assert files, "the UI package was not found"
    assert [o for f in files for o in _offences(f)] == []  # the session cookie too: set by a server route now
