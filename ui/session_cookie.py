"""The session cookie, written from a zero-height component in the app's own origin.

Streamlit reads cookies (``st.context.cookies``) but has no API to set one, so a one-line script in a
``components.html`` frame (same origin) sets it on the parent document. This is the only place the UI hands
Streamlit HTML: the script is a constant around the JSON-quoted, itsdangerous-signed session id the server made
(no corpus, model or user text). The value is script-readable, which is acceptable because it only signs in while
its server-side session row is valid, and sign-out revokes that row.
"""

from __future__ import annotations

import json

import streamlit.components.v1 as components

from assistant.review.sessions import SESSION_TTL

__all__ = ["COOKIE", "cookie_script", "write_cookie"]

COOKIE = "ra_session"


def cookie_script(token: str | None) -> str:
    value = json.dumps(token or "").replace("<", "\\u003c")
    age = int(SESSION_TTL.total_seconds()) if token else 0
    return (f"<script>window.parent.document.cookie = '{COOKIE}=' + {value} + "
            f"'; path=/; max-age={age}; SameSite=Strict';</script>")


def write_cookie(token: str | None) -> None:
    """Set the cookie to ``token``, or clear it (``None``)."""
    components.html(cookie_script(token), height=0)
