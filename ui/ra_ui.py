"""Helpers shared by the Streamlit pages: the service, the signed-in user, safe rendering of untrusted text.

Everything shown from the corpus or a model is data: it is escaped before it reaches st.markdown, and nothing
here ever passes unsafe_allow_html.
"""

from __future__ import annotations

import hashlib
import html
import logging
import re
from pathlib import Path
from urllib.parse import urlparse

import streamlit as st
from session_cookie import COOKIE

from assistant.corpus import bounds
from assistant.errors import InputError
from assistant.export.text import neutralize_markdown
from assistant.models import Report
from assistant.review import ReportSummary, ReviewService, UserView, resolve_database_url
from assistant.review.policy import ROLE_LABELS, STATUS_LABELS
from assistant.review.sessions import session_user

__all__ = [
    "COOKIE",
    "ROLE_LABELS",
    "STATUS_LABELS",
    "client_address",
    "current_user",
    "extract_zip",
    "hide_paths",
    "label_key",
    "literal",
    "part_titles",
    "report_labels",
    "report_page",
    "report_snapshot",
    "require_user",
    "safe_markdown",
    "safe_url",
    "section_label",
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


@st.cache_resource(max_entries=16, show_spinner=False)
def _snapshot(_svc: ReviewService, url: str, report_id: int) -> Report:
    return _svc.report(report_id)


_TOP_LEVEL = re.compile(r"^[一二三四五六七八九十]+、")


def part_titles(report: Report) -> dict[str, str]:
    """Section id -> the numbered part it belongs to (``二、人工智能产业政策动态`` for ``（一）数据要素…`` and the
    （二）/（三） after it), so sub-sections are never shown without their part; "" for a top-level section."""
    parts: dict[str, str] = {}
    current = ""
    for section in report.sections:
        if section.chapter:
            current = section.chapter
        elif _TOP_LEVEL.match(section.title) or not section.title.startswith("（"):
            current = ""
        parts[section.id] = current
    return parts


def section_label(title: str, part: str) -> str:
    return f"{part} › {title}" if part else title


def report_snapshot(svc: ReviewService, report_id: int) -> Report:
    """The imported report (``report.json`` as stored): immutable per report id, so parsed once per process
    (the July sample's takes ~0.4 s), never changed by the caller."""
    return _snapshot(svc, str(svc.engine.url), report_id)




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


_PATH = re.compile(r"(?<![\w.])(?:[A-Za-z]:\\|/)(?:[^\s/\\:：，,；;（）()\"'“”]+[/\\])+[^\s/\\:：，,；;（）()\"'“”]*")
_log = logging.getLogger(__name__)


def hide_paths(text: str) -> str:
    """Server file paths never reach the page (they say nothing to users and tell an attacker the layout): each is
    replaced by （服务器文件） and the full text is logged for the administrator."""
    shown = _PATH.sub("（服务器文件）", text)
    if shown != text:
        _log.info("message shown without its paths: %s", text)
    return shown


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


def report_labels(reports: list[ReportSummary]) -> dict[int, str]:
    """Month, title, the import's version among same-month same-title imports and its time: twins told apart."""
    order: dict[tuple[str, str], list[int]] = {}
    for r in sorted(reports, key=lambda r: r.id):
        order.setdefault((r.month, r.title), []).append(r.id)
    labels = {}
    for r in reports:
        twins = order[(r.month, r.title)]
        version = f" · 第 {twins.index(r.id) + 1} 版" if len(twins) > 1 else ""
        labels[r.id] = (f"{r.month} · {r.title}{version} · 导入于 {r.created_at:%Y-%m-%d %H:%M}"
                        f"（#{r.id}，{r.approved_count}/{r.section_count} 已批准）")
    return labels


def _report_switched(picker: str) -> None:
    """Switching report is the picker's explicit action: the new choice is the session's, its section resets."""
    st.session_state.report_id = st.session_state[picker]
    st.session_state.pop("section_pk", None)


def select_report(svc: ReviewService) -> int | None:
    """The report picker every report page shares.

    One choice per session: ``session_state.report_id`` (seeded from the address ``?report=`` on a new session,
    i.e. a reload or a shared link) is what every page shows; only the picker's own change switches it. The
    choice is written back to the address so a reload reopens the same report.
    """
    reports = svc.list_reports()
    if not reports:
        st.info("审阅库中还没有报告。请在“新建草稿”页起草，或在命令行导入已起草的报告。")
        return None
    goto = st.session_state.pop("goto", None)
    if goto:
        st.session_state.report_id = goto["report_id"]
        st.session_state.section_pk = goto["section_pk"]
        st.session_state.goto_section = goto["section_pk"]
    ids = [r.id for r in reports]
    labels = report_labels(reports)
    current = st.session_state.get("report_id")
    if current not in ids:  # a new session (a reload, a shared link): the address says which report was open
        current = url_number("report")
    if current not in ids:
        current = ids[0]
    st.session_state.report_id = current
    # Seed the widget's state (never index= as well: Streamlit warns and may reset the choice); the key carries
    # the labels' fingerprint so changed counts show at once.
    picker = f"report_picker_{label_key(labels)}"
    st.session_state[picker] = current
    chosen = st.selectbox("报告", ids, format_func=lambda i: labels[i], key=picker,
                          on_change=_report_switched, args=(picker,))
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
