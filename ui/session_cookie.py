"""The session cookie, set and cleared by the server itself, ``HttpOnly`` (and ``Secure`` under TLS).

Streamlit reads cookies (``st.context.cookies``) but cannot set one from a script run (the page talks to it over a
websocket). So the app is served through ``st.App`` (``ui/server.py``) with one extra route, ``POST/DELETE
/api/session``: after sign-in the script hands the browser a one-time ticket (random, 60 s, used once, kept in this
process, ``assistant.review.tickets``); a script-only component (``st.components.v2``, the supported custom-component API) posts the ticket to
that route, which answers with ``Set-Cookie: ra_session=…; HttpOnly; SameSite=Strict``. The session id itself never
reaches page script. Sign-out revokes the server-side session row first; the route then expires the cookie.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from assistant.review.sessions import SESSION_TTL
from assistant.review.tickets import TICKET_TTL_S, issue_ticket, redeem_ticket

__all__ = ["COOKIE", "COOKIE_ROUTE", "TICKET_TTL_S", "cookie_header", "issue_ticket", "redeem_ticket",
           "session_endpoint", "write_cookie"]

COOKIE = "ra_session"
COOKIE_ROUTE = "/api/session"

_JS = """
export default function(component) {
  const { data } = component;
  if (!data || !data.route) return;
  const options = { method: data.ticket ? "POST" : "DELETE", credentials: "same-origin",
                    headers: { "Content-Type": "application/json" } };
  if (data.ticket) options.body = JSON.stringify({ ticket: data.ticket });
  fetch(data.route, options).catch(() => {});
}
"""

_component = st.components.v2.component("ra_session_cookie", js=_JS)


def cookie_header(token: str | None, *, secure: bool) -> str:
    """The ``Set-Cookie`` value: the session for ``SESSION_TTL``, or an expired empty cookie."""
    age = int(SESSION_TTL.total_seconds()) if token else 0
    return (f"{COOKIE}={token or ''}; Path=/; Max-Age={age}; HttpOnly; SameSite=Strict"
            + ("; Secure" if secure else ""))


async def session_endpoint(request: Any) -> Any:
    """``POST {"ticket"}``: set the cookie; ``DELETE``: expire it. Same-origin only (SameSite plus an Origin
    check), so another site cannot plant a session."""
    from starlette.responses import Response

    origin = request.headers.get("origin")
    if origin and origin.rstrip("/") != f"{request.url.scheme}://{request.url.netloc}":
        return Response(status_code=403)
    secure = request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"
    if request.method == "DELETE":
        return Response(status_code=204, headers={"Set-Cookie": cookie_header(None, secure=secure)})
    try:
        body = await request.json()
    except ValueError:
        return Response(status_code=400)
    token = redeem_ticket(str(body.get("ticket", ""))) if isinstance(body, dict) else None
    if token is None:
        return Response(status_code=403)
    return Response(status_code=204, headers={"Set-Cookie": cookie_header(token, secure=secure)})


def write_cookie(token: str | None) -> None:
    """Set the cookie to ``token`` (through a one-time ticket), or clear it (``None``)."""
    ticket = issue_ticket(token) if token else None
    _component(key=f"session_cookie_{ticket or 'clear'}", data={"route": COOKIE_ROUTE, "ticket": ticket})
