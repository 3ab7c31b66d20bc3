"""Sign-in sessions and the sign-in throttle.

The browser holds a session id signed with ``itsdangerous`` (so a forged or altered cookie is refused before
any database read) with an expiry; the session row in the database is what makes sign-out real: a revoked or
expired row signs nobody in, whatever the cookie says. The signing key comes from ``RA_SESSION_SECRET`` or is
generated once and kept in ``app_settings``.

Failed sign-ins are throttled per user name and per client address: after ``FREE_FAILURES`` failures each further
attempt must wait an exponentially growing delay, and ``LOCK_AFTER`` failures within ``WINDOW`` lock the name
(or address) for ``LOCK_FOR``. While throttled or locked the password is not even checked, so guessing gains
nothing. Every refusal is audited.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from assistant.review import audit
from assistant.review.db import AppSetting, AuditLog, AuthSession, SignInAttempt, User, utcnow
from assistant.review.users import authenticate, name_key, user_view
from assistant.review.views import UserView

__all__ = ["COOKIE_NAME", "FREE_FAILURES", "LOCK_AFTER", "LOCK_FOR", "SESSION_TTL", "SignIn", "cookie_header",
           "end_session", "session_user", "sign_in", "start_session", "throttle_wait"]

SESSION_TTL = dt.timedelta(hours=12)
FREE_FAILURES = 2
LOCK_AFTER = 5  # per user name; an address gets ADDRESS_FACTOR times as many (one office, many users)
ADDRESS_FACTOR = 4
WINDOW = dt.timedelta(minutes=15)
LOCK_FOR = dt.timedelta(minutes=15)
MAX_DELAY_S = 60
_SALT = "ra-review-session"
COOKIE_NAME = "ra_session"


@dataclass(frozen=True)
class SignIn:
    user: UserView | None
    message: str = ""
    wait_s: int = 0


def _aware(when: dt.datetime) -> dt.datetime:
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _recent_failures(session: Session, now: dt.datetime, *, name: str | None = None,
                     address: str | None = None) -> list[dt.datetime]:
    """Failure times since the last success (of that name or address) within the window, oldest first."""
    column = SignInAttempt.name if name is not None else SignInAttempt.address
    key = name if name is not None else address
    last_ok = session.scalar(select(func.max(SignInAttempt.created_at)).where(column == key, SignInAttempt.ok))
    since = max(now - WINDOW, _aware(last_ok)) if last_ok else now - WINDOW
    return [_aware(t) for t in session.scalars(
        select(SignInAttempt.created_at).where(column == key, ~SignInAttempt.ok, SignInAttempt.created_at > since)
        .order_by(SignInAttempt.created_at))]


def throttle_wait(failures: list[dt.datetime], now: dt.datetime, lock_after: int) -> int:
    """Seconds to wait before the next attempt is even checked (0 = go ahead)."""
    if not failures:
        return 0
    last = failures[-1]
    if len(failures) >= lock_after:
        return max(0, int((last + LOCK_FOR - now).total_seconds()) + 1)
    if len(failures) < FREE_FAILURES:
        return 0
    delay = min(2 ** (len(failures) - FREE_FAILURES), MAX_DELAY_S)
    return max(0, int((last + dt.timedelta(seconds=delay) - now).total_seconds() + 0.999))


def sign_in(engine: Engine, name: str, password: str, address: str = "", *,
            now: dt.datetime | None = None) -> SignIn:
    """Check name and password unless the name or the address is throttled; every attempt is recorded."""
    now = now or utcnow()
    # the throttle counts on the folded name: a full-width or upper-case variant is the same account's lock
    key, address = name_key(name), (address or "")[:64]
    with Session(engine) as session, session.begin():
        by_name = throttle_wait(_recent_failures(session, now, name=key), now, LOCK_AFTER)
        by_address = (throttle_wait(_recent_failures(session, now, address=address), now,
                                    LOCK_AFTER * ADDRESS_FACTOR) if address else 0)
        wait = max(by_name, by_address)
        subject = key if by_name >= by_address else f"address:{address}"
        if wait:
            session.add(SignInAttempt(name=key, address=address, ok=False, created_at=now))
            locked = wait > MAX_DELAY_S
            action = "login_locked" if locked else "login_throttled"
            # one audit row per name and window: the refused attempts themselves are counted in sign_in_attempts
            if not session.scalar(select(func.count()).select_from(AuditLog).where(
                    AuditLog.action == action, AuditLog.object_id == subject, AuditLog.created_at > now - WINDOW)):
                audit.record(session, None, action, "user", subject, name=key, address=address, wait_s=wait)
            message = (f"登录失败次数过多，账号或地址已临时锁定，请 {max(1, -(-(wait - 1) // 60))} 分钟后再试" if locked
                       else f"登录过于频繁，请 {wait} 秒后再试")
            return SignIn(None, message, wait)
    user = authenticate(engine, name, password)  # audits login / login_failed (unknown names per window)
    with Session(engine) as session, session.begin():
        session.add(SignInAttempt(name=key, address=address, ok=user is not None, created_at=now))
    if user is None:
        return SignIn(None, "用户名或密码错误，或账号已停用")
    return SignIn(user)


# ---------------------------------------------------------------------- sessions
def _secret(session: Session) -> str:
    from_env = os.environ.get("RA_SESSION_SECRET")
    if from_env:
        return from_env
    row = session.get(AppSetting, "session_secret")
    if row is None:
        row = AppSetting(key="session_secret", value=secrets.token_urlsafe(32), updated_at=utcnow())
        session.add(row)
        session.flush()
    return str(row.value)


def _serializer(session: Session) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(_secret(session), salt=_SALT)


def start_session(engine: Engine, user: UserView, address: str = "") -> str:
    """A new session for the signed-in user; returns the signed token the browser keeps."""
    sid = secrets.token_urlsafe(24)
    with Session(engine) as session, session.begin():
        now = utcnow()
        session.add(AuthSession(id=sid, user_id=user.id, address=(address or "")[:64], created_at=now,
                                expires_at=now + SESSION_TTL))
        token = _serializer(session).dumps(sid)
        audit.record(session, user, "session_start", "user", user.id, address=address)
    return str(token)


def _session_id(session: Session, token: str) -> str | None:
    try:
        sid = _serializer(session).loads(token, max_age=int(SESSION_TTL.total_seconds()))
    except (BadSignature, SignatureExpired):
        return None
    return sid if isinstance(sid, str) else None


def session_user(engine: Engine, token: str | None) -> UserView | None:
    """The user of a valid, unexpired, not revoked session whose account is still active; else None."""
    if not token:
        return None
    with Session(engine) as session, session.begin():
        sid = _session_id(session, token)
        row = session.get(AuthSession, sid) if sid else None
        if row is None or row.revoked_at is not None or _aware(row.expires_at) <= utcnow():
            return None
        user = session.get(User, row.user_id)
        return user_view(user) if user is not None and user.active else None


def end_session(engine: Engine, token: str | None, user: UserView | None = None) -> None:
    """Sign-out: the session row is revoked, so the cookie left in any tab no longer signs anyone in."""
    if not token:
        return
    with Session(engine) as session, session.begin():
        sid = _session_id(session, token)
        row = session.get(AuthSession, sid) if sid else None
        if row is not None and row.revoked_at is None:
            row.revoked_at = utcnow()
            audit.record(session, user, "session_end", "user", row.user_id)


def cookie_header(token: str | None, *, secure: bool) -> str:
    """The ``Set-Cookie`` value for a session token (``None``: clear it): HttpOnly so no script can read it,
    SameSite=Strict, and Secure when the app is served over TLS. For a server-side response; a cookie written
    by a script (the UI's present mechanism) can never be HttpOnly."""
    age = int(SESSION_TTL.total_seconds()) if token else 0
    value = token or ""
    if any(c in value for c in ";,\r\n \"\\"):  # itsdangerous tokens are URL-safe; anything else is refused
        raise ValueError("session token is not cookie-safe")
    parts = [f"{COOKIE_NAME}={value}", "Path=/", f"Max-Age={age}", "HttpOnly", "SameSite=Strict"]
    if secure:
        parts.append("Secure")
    return "; ".join(parts)
