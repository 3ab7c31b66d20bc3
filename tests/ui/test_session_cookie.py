"""The session cookie is set by the server's ``/api/session`` route: HttpOnly, SameSite=Strict, Secure under TLS,
only for a fresh one-time ticket, only from the app's own origin."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "ui"))

from session_cookie import COOKIE_ROUTE, cookie_header, issue_ticket, redeem_ticket, session_endpoint


@pytest.fixture
def client():  # type: ignore[no-untyped-def]
    from starlette.applications import Starlette
    from starlette.routing import Route
    from starlette.testclient import TestClient

    app = Starlette(routes=[Route(COOKIE_ROUTE, session_endpoint, methods=["POST", "DELETE"])])
    return TestClient(app, base_url="http://testserver")


def test_a_ticket_sets_an_httponly_cookie_once(client) -> None:  # type: ignore[no-untyped-def]
    ticket = issue_ticket("signed-token")
    response = client.post(COOKIE_ROUTE, json={"ticket": ticket})
    header = response.headers["set-cookie"]
    assert response.status_code == 204 and header.startswith("ra_session=signed-token;")
    assert "HttpOnly" in header and "SameSite=Strict" in header and "Secure" not in header
    assert client.post(COOKIE_ROUTE, json={"ticket": ticket}).status_code == 403  # used
    assert client.post(COOKIE_ROUTE, json={"ticket": "guessed"}).status_code == 403
    assert client.post(COOKIE_ROUTE, content=b"not json").status_code == 400


def test_other_origins_are_refused_and_tls_makes_it_secure(client) -> None:  # type: ignore[no-untyped-def]
    ticket = issue_ticket("t")
    assert client.post(COOKIE_ROUTE, json={"ticket": ticket}, headers={"Origin": "https://evil.example"}
                       ).status_code == 403
    response = client.post(COOKIE_ROUTE, json={"ticket": ticket}, headers={"X-Forwarded-Proto": "https"})
    assert "; Secure" in response.headers["set-cookie"]
    cleared = client.delete(COOKIE_ROUTE)
    assert cleared.status_code == 204 and "Max-Age=0" in cleared.headers["set-cookie"]
    assert cookie_header(None, secure=True).startswith("ra_session=;")


def test_tickets_expire(monkeypatch: pytest.MonkeyPatch) -> None:
    ticket = issue_ticket("t")
    from assistant.review import tickets

    clock = tickets.time.monotonic() + tickets.TICKET_TTL_S + 1
    monkeypatch.setattr(tickets.time, "monotonic", lambda: clock)
    assert redeem_ticket(ticket) is None
