"""研报起草助手 · 审阅界面: the Streamlit entry point (``python -m assistant ui``)."""

from __future__ import annotations

import sys
from pathlib import Path

# Pages import the shared helpers beside this file; streamlit does not guarantee the script dir is on sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parent))

import streamlit as st
from chrome import chinese_chrome
from ra_ui import ROLE_LABELS, current_user, service
from session_cookie import write_cookie

from assistant.review.sessions import end_session

st.set_page_config(page_title="研报起草助手 · 审阅", page_icon="📑", layout="wide")
chinese_chrome()  # Streamlit's own English (uploader, placeholders, key hints, tooltips) in Chinese

if "cookie_to_write" in st.session_state:  # after sign-in or sign-out: the browser keeps (or drops) the session
    write_cookie(st.session_state.pop("cookie_to_write"))

# Every page of the app: (file, title, group, roles that see it in the menu; None: everyone). A page outside the
# user's menu is still registered (hidden), so its address opens it and the page itself says who may use it,
# instead of Streamlit's English "Page not found" dialog.
PAGES: list[tuple[str, str, str, tuple[str, ...] | None]] = [
    ("screens/overview.py", "报告总览", "审阅", None),
    ("screens/section.py", "章节审阅", "审阅", None),
    ("screens/tables.py", "表格与图表", "审阅", None),
    ("screens/export.py", "导出", "审阅", None),
    ("screens/new_draft.py", "新建草稿", "起草", ("analyst", "admin")),
    ("screens/jobs.py", "任务", "起草", None),
    ("screens/compliance.py", "合规审查", "合规", ("compliance", "admin")),
]

user = current_user()
if user is None:
    # Any page's address shows the sign-in form and, once signed in, that page (the address is kept).
    navigation = st.navigation([st.Page("screens/sign_in.py", title="登录", default=True)] + [
        st.Page("screens/sign_in.py", title=title, url_path=Path(file).stem, visibility="hidden")
        for file, title, _group, _roles in PAGES[1:]])
else:
    with st.sidebar:
        st.text(f"{user.name}（{ROLE_LABELS.get(user.role, user.role)}）")
        if st.button("退出登录", key="sign_out"):
            svc = service()
            svc.release_holds(user)  # through the service, so the release is in the audit log
            token = st.session_state.get("session_token")
            end_session(svc.engine, token, user)  # server-side: the cookie left in any tab signs nobody in
            st.session_state.clear()
            st.session_state.signed_out_token = token
            st.session_state.cookie_to_write = None
            st.rerun()
    pages: dict[str, list[st.Page]] = {}
    for i, (file, title, group, roles) in enumerate(PAGES):
        # the pages check the role again: a URL alone must not open what the role may not use
        shown = roles is None or user.role in roles
        pages.setdefault(group, []).append(st.Page(file, title=title, default=i == 0,
                                                   visibility="visible" if shown else "hidden"))
    navigation = st.navigation(pages)
navigation.run()
