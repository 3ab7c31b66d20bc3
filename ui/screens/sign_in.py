"""Sign-in: argon2-verified name and password, throttled per user and address; a signed session cookie follows."""

from __future__ import annotations

import streamlit as st
from ra_ui import client_address, literal, service

from assistant.review.sessions import sign_in, start_session

st.title("研报起草助手 · 登录")
with st.form("sign_in"):
    name = st.text_input("用户名")
    password = st.text_input("密码", type="password")
    submitted = st.form_submit_button("登录")
if submitted:
    engine = service().engine
    result = sign_in(engine, name, password, client_address())
    if result.user is None:
        st.error(literal(result.message))
    else:
        st.session_state.user = result.user.model_dump()
        token = start_session(engine, result.user, client_address())
        st.session_state.session_token = token
        st.session_state.cookie_to_write = token
        st.session_state.pop("signed_out_token", None)
        st.rerun()
