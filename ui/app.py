"""研报起草助手 · 审阅界面: the Streamlit entry point (``python -m assistant ui``)."""

from __future__ import annotations

import sys
from pathlib import Path

# Pages import the shared helpers beside this file; streamlit does not guarantee the script dir is on sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parent))

import streamlit as st
from ra_ui import ROLE_LABELS, current_user, service
from session_cookie import write_cookie

from assistant.review.sessions import end_session

st.set_page_config(page_title="研报起草助手 · 审阅", page_icon="📑", layout="wide")

if "cookie_to_write" in st.session_state:  # after sign-in or sign-out: the browser keeps (or drops) the session
    write_cookie(st.session_state.pop("cookie_to_write"))

user = current_user()
if user is None:
    navigation = st.navigation([st.Page("screens/sign_in.py", title="登录", default=True)])
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
    pages = {
        "审阅": [
            st.Page("screens/overview.py", title="报告总览", default=True),
            st.Page("screens/section.py", title="章节审阅"),
            st.Page("screens/tables.py", title="表格与图表"),
            st.Page("screens/export.py", title="导出"),
        ],
        "起草": [st.Page("screens/new_draft.py", title="新建草稿"), st.Page("screens/jobs.py", title="任务")],
    }
    if user.role in ("compliance", "admin"):  # the page checks the role again: a URL alone must not open it
        pages["合规"] = [st.Page("screens/compliance.py", title="合规审查")]
    navigation = st.navigation(pages)
navigation.run()
