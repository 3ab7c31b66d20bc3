"""The served app: Streamlit's own ASGI app (``st.App``, run by ``streamlit run ui/server.py``) plus two things of
ours around it:

- ``/api/session`` sets and clears the session cookie over HTTP, so it can be ``HttpOnly`` (script on the page
  cannot read it) and ``Secure`` under TLS (``session_cookie``);
- an address that is no page of the app (``/screens/compliance``, a mistyped link) is redirected to the main page
  instead of Streamlit's English "Page not found" dialog.
Everything else is Streamlit's: the script is ``app.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import streamlit as st
from session_cookie import COOKIE_ROUTE, session_endpoint
from starlette.middleware import Middleware
from starlette.responses import RedirectResponse
from starlette.routing import Route

HERE = Path(__file__).resolve().parent
# The pages' addresses are their file names (st.Page's default url_path); "" is the main page.
PAGE_PATHS = frozenset({""} | {p.stem for p in (HERE / "screens").glob("*.py")})


def is_unknown_page(path: str, accept: str) -> bool:
    """A browser asking for an HTML page at an address that is no page (files, Streamlit's and our API pass)."""
    name = path.strip("/")
    if "text/html" not in accept or "." in name.rsplit("/", 1)[-1]:
        return False
    if name.startswith(("_stcore", "static", "media", "component", "api")):
        return False
    return name not in PAGE_PATHS


class UnknownPageRedirect:
    """ASGI middleware: GET of an unknown page address -> 302 to the main page."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
            if is_unknown_page(scope["path"], headers.get("accept", "")):
                await RedirectResponse("/", status_code=302)(scope, receive, send)
                return
        await self.app(scope, receive, send)


app = st.App(str(HERE / "app.py"), routes=[Route(COOKIE_ROUTE, session_endpoint, methods=["POST", "DELETE"])],
             middleware=[Middleware(UnknownPageRedirect)])
