"""Helpers shared by the Streamlit pages: the service, the signed-in user, safe rendering of untrusted text.

Everything shown from the corpus or a model is data: it is escaped before it reaches st.markdown, and nothing
here ever passes unsafe_allow_html.
"""

from __future__ import annotations

import hashlib
import html
import re
from pathlib import Path
from urllib.parse import urlparse

import streamlit as st
from session_cookie import COOKIE

from assistant.corpus import bounds
from assistant.errors import InputError
from assistant.export.text import neutralize_markdown
from assistant.review import ReviewService, UserView, resolve_database_url
from assistant.review.policy import ROLE_LABELS, STATUS_LABELS
from assistant.review.sessions import session_user

__all__ = [
    "COOKIE",
    "ROLE_LABELS",
    "STATUS_LABELS",
    "client_address",
    "current_user",
    "extract_zip",
    "label_key",
    "literal",
    "report_page",
    "require_user",
    "safe_markdown",
    "safe_url",
    "select_report",
    "service",
    "status_label",
    "unzip_safely",
    "url_number",
]

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~:/$@])")  # Markdown syntax, plus ":"/"/"/"@" (autolinks), "$" (math)


@st.cache_resource(show_spinner=False)
def _service_for(url: str) -> ReviewService:
    return ReviewService.open(url)


def service() -> ReviewService:
    return _service_for(resolve_database_url())




def _cookie_token() -> str | None:
    try:
        token = st.context.cookies.get(COOKIE)
    except (AttributeError, RuntimeError, KeyError):  # AppTest and bare runs have no browser request
        return None
    return token if isinstance(token, str) and token else None


def current_user() -> UserView | None:
    """The signed-in user: this browser session's, else the one of a valid session cookie (reload, new tab).

    The session row is re-checked on every run, so a sign-out in another tab or a deactivation counts at once.
    """
    token = st.session_state.get("session_token") or _cookie_token()
    if token and token != st.session_state.get("signed_out_token"):
        user = session_user(service().engine, token)
        if user is None:
            st.session_state.pop("user", None)
            st.session_state.pop("session_token", None)
            return None
        st.session_state.user, st.session_state.session_token = user.model_dump(), token
        return user
    data = st.session_state.get("user")
    return UserView.model_validate(data) if data else None


def client_address() -> str:
    try:
        address = st.context.ip_address
    except (AttributeError, RuntimeError):
        return ""
    return address if isinstance(address, str) else ""


def require_user() -> UserView:
    user = current_user()
    if user is None:
        st.warning("请先登录")
        st.stop()
    return user  # type: ignore[return-value]


def literal(text: str) -> str:
    """Text shown exactly as written inside markdown (labels, titles, messages): HTML entities and every ASCII
    punctuation character escaped, so neither markup, a link, an image nor a bare-URL autolink (``http\\:\\/\\/``)
    can form."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False)).replace("\n", " ")


def safe_markdown(text: str) -> str:
    """Section markdown rendered as markdown but never as HTML, with no live link, image or bare-URL autolink:
    the one neutraliser export uses (``assistant.export.text.neutralize_markdown``), URLs shown as text."""
    return neutralize_markdown(html.escape(text, quote=False), urls=True)


def safe_url(url: str | None) -> str | None:
    """Only http(s) links are followed; anything else (javascript:, data:) is shown as plain text."""
    if not url:
        return None
    parsed = urlparse(url.strip())
    return url.strip() if parsed.scheme in {"http", "https"} and parsed.netloc else None


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def select_report(svc: ReviewService) -> int | None:
    """A report picker shared by the pages (month, title, import time); remembers the choice in session state."""
    reports = svc.list_reports()
    if not reports:
        st.info("审阅库中还没有报告。请在“新建草稿”页起草，或用 `python -m assistant load OUT_DIR` 导入。")
        return None
    goto = st.session_state.pop("goto", None)
    if goto:
        st.session_state.report_id = goto["report_id"]
        st.session_state.section_pk = goto["section_pk"]
        st.session_state.goto_section = goto["section_pk"]
    ids = [r.id for r in reports]
    labels = {r.id: f"{r.month} · {r.title} · 导入于 {r.created_at:%Y-%m-%d %H:%M}（#{r.id}，"
                    f"{r.approved_count}/{r.section_count} 已批准）" for r in reports}
    current = st.session_state.get("report_id")
    if current is None:  # a new session (a reload, a shared link): the address says which report was open
        current = url_number("report")
    # Seed the widget's state instead of passing index= too (Streamlit warns and may reset the choice); the key
    # carries the labels' fingerprint so changed counts show at once.
    picker = f"report_picker_{label_key(labels)}"
    if goto:
        st.session_state[picker] = goto["report_id"]
    elif st.session_state.get(picker) not in ids:
        st.session_state[picker] = current if current in ids else ids[0]
    chosen = st.selectbox("报告", ids, format_func=lambda i: labels[i], key=picker)
    if chosen != current:
        st.session_state.report_id = chosen
        if not goto:
            st.session_state.pop("section_pk", None)
    st.query_params["report"] = str(chosen)
    return int(chosen)


def url_number(name: str) -> int | None:
    """An id kept in the page address (``?report=3&section=41``), so a reload reopens what was open."""
    value = st.query_params.get(name)
    return int(value) if value is not None and value.isdigit() else None


def label_key(labels: dict[int, str]) -> str:
    """A short fingerprint of a picker's labels (part of its widget key)."""
    return hashlib.blake2s("\n".join(f"{k}={v}" for k, v in labels.items()).encode(), digest_size=4).hexdigest()


def report_page(title: str) -> tuple[UserView, ReviewService, int]:
    """The opening of every report page: signed-in user, the service, the title and the chosen report.

    Stops the page (after the picker's hint) when the store holds no report yet.
    """
    user = require_user()
    svc = service()
    st.title(title)
    report_id = select_report(svc)
    if report_id is None:
        st.stop()
    return user, svc, report_id


def unzip_safely(data: bytes, target: Path, label: str) -> Path:
    """Unpack an uploaded zip after checking every member (``assistant.corpus.bounds.extract_zip``: zip-slip,
    zip bombs and lying directories, encrypted or unsupported members, CRC errors, over-long names, deep nesting);
    each refusal is one ``InputError`` naming the upload and the member."""
    return bounds.extract_zip(data, target, label)


def extract_zip(data: bytes, target: Path) -> Path:
    """Unpack an uploaded pack zip (see ``unzip_safely``). Returns the pack folder (exactly one pack.yaml)."""
    unzip_safely(data, target, "pack.zip")
    found = sorted(target.rglob("pack.yaml"))
    if not found:
        raise InputError("压缩包里没有 pack.yaml", file="pack.zip")
    if len(found) > 1:
        names = "、".join(str(p.relative_to(target)) for p in found[:5])
        raise InputError(f"压缩包里有 {len(found)} 个 pack.yaml（{names}），请每次只上传一个数据包", file="pack.zip")
    return found[0].parent
