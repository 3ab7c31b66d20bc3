"""One-time sign-in tickets: the UI hands the browser a ticket (never the session id), the browser posts it to the
server's cookie route, which redeems it once for the session token and sets the HttpOnly cookie.

Kept in this process, outside ``ui/``: Streamlit re-imports modules of the app's folder when their files change,
which would give the script and the HTTP route two different stores.
"""

from __future__ import annotations

import secrets
import threading
import time

__all__ = ["TICKET_TTL_S", "issue_ticket", "redeem_ticket"]

TICKET_TTL_S = 60.0

_tickets: dict[str, tuple[str, float]] = {}
_lock = threading.Lock()


def issue_ticket(token: str) -> str:
    """A one-time ticket for ``token``, valid ``TICKET_TTL_S`` seconds in this process (hex: it becomes part of a
    Streamlit component key, which must not contain ``__``)."""
    ticket = secrets.token_hex(24)
    now = time.monotonic()
    with _lock:
        for key in [k for k, (_t, at) in _tickets.items() if now - at > TICKET_TTL_S]:
            del _tickets[key]
        _tickets[ticket] = (token, now)
    return ticket


def redeem_ticket(ticket: str) -> str | None:
    """The session token of a fresh ticket, once; ``None`` for an unknown, used or expired one."""
    with _lock:
        entry = _tickets.pop(ticket, None)
    if entry is None or time.monotonic() - entry[1] > TICKET_TTL_S:
        return None
    return entry[0]
