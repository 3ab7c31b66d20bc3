"""Sign-in: argon2-verified name and password; the user is kept in session state."""

from __future__ import annotations

import streamlit as st
from ra_ui import service

from assistant.review import authenticate

st.title("研报起草助手 · 登录")
with st.form("sign_in"):
    name = st.text_input("用户名")
    password = st.text_input("密码", type="password")
    submitted = st.form_submit_button("登录")
if submitted:
    user = authenticate(service().engine, name, password)
    if user is None:
        st.error("用户名或密码错误，或账号已停用")
    else:
        st.session_state.user = user.model_dump()
        st.rerun()
