"""User accounts: argon2 password hashes, the password policy, sign-in, and the admin operations the CLI and UI call.

One normal form of a name everywhere: ``normalise_user_name`` (NFKC, trimmed) is what is stored and looked up;
``name_key`` (that form, case and look-alike letters folded) is what the sign-in throttle counts on, so ``ａdmin``,
``Admin`` and ``admin`` share one lock.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from assistant.errors import InputError, PermissionDenied, ReviewError
from assistant.review import audit
from assistant.review.db import ROLES, AuditLog, User, utcnow
from assistant.review.policy import require
from assistant.review.views import UserView
from assistant.safety import normalise_for_matching, strip_control

__all__ = ["ANONYMOUS", "MAX_NAME_LENGTH", "MIN_PASSWORD_LENGTH", "acting_user", "add_user", "authenticate",
           "check_password", "hash_password", "list_users", "lookup_name", "name_key", "normalise_user_name",
           "set_active", "user_view", "verify_password"]

MIN_PASSWORD_LENGTH = 10
MIN_PASSWORD_SCORE = 3  # zxcvbn 0-4: 3 = "safely unguessable" against an online attack that is throttled
ANONYMOUS = "*unknown*"  # audit object id of failed sign-ins with names no account has, counted per window
ANONYMOUS_WINDOW = dt.timedelta(minutes=15)
MAX_NAME_LENGTH = 80  # users.name is VARCHAR(80): checked here, before PostgreSQL would raise
# After NFKC: letters and digits of any script, and . _ - @ — no spaces, no control or format characters.
_NAME = re.compile(r"^[^\W][\w.@-]*$")
_hasher = PasswordHasher()
# Verifying against a real hash for unknown names keeps sign-in time the same whether the name exists or not.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def user_view(user: User) -> UserView:
    return UserView(id=user.id, name=user.name, role=user.role, active=user.active)


def normalise_user_name(name: str) -> str:
    """The one stored form of a user name (NFKC, trimmed); refuses what could pass for another name.

    ``ｅ１`` becomes ``e1``; a zero-width space, a bidi override, a newline or any other control/format character
    is refused; so is a name mixing look-alike scripts (Latin with Cyrillic or Greek letters).
    """
    text = unicodedata.normalize("NFKC", name).strip()
    if not text:
        raise InputError("用户名不能为空", field="name")
    if len(text) > MAX_NAME_LENGTH:
        raise InputError(f"用户名最多 {MAX_NAME_LENGTH} 个字符（收到 {len(text)} 个）", field="name")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Co", "Cs") for ch in text):
        raise InputError("用户名不能含控制字符或不可见字符", field="name")
    if not _NAME.match(text):
        raise InputError("用户名只能含字母、数字和 . _ - @，且以字母或数字开头", field="name")
    scripts = {unicodedata.name(ch, "?").split(" ")[0] for ch in text if ch.isalpha()}
    if "LATIN" in scripts and scripts & {"CYRILLIC", "GREEK"}:
        raise InputError("用户名混用了拉丁字母与形近的西里尔/希腊字母", field="name")
    return text


def _skeleton(name: str) -> str:
    return normalise_for_matching(name).casefold()


def lookup_name(name: str) -> str:
    """The form a typed name is looked up by: NFKC and trimmed, like the stored one (never refused here, so a
    sign-in with an impossible name fails like a wrong password)."""
    return unicodedata.normalize("NFKC", name).strip()


def name_key(name: str) -> str:
    """The sign-in throttle's key: the looked-up form with case and look-alike letters folded, bounded."""
    return _skeleton(lookup_name(name))[:120]


def check_password(password: str, name: str = "") -> None:
    """The password policy: at least MIN_PASSWORD_LENGTH characters, not one repeated character or blanks, and
    not guessable (zxcvbn: common passwords, keyboard runs, dates, the user's own name)."""
    from zxcvbn import zxcvbn  # late: loading its dictionaries takes a moment

    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(f"密码至少 {MIN_PASSWORD_LENGTH} 个字符", field="password")
    if not password.strip() or len(set(password)) == 1:
        raise InputError("密码不能全是空白或同一个字符", field="password")
    result = zxcvbn(password[:100], user_inputs=[name] if name else [])
    if result["score"] < MIN_PASSWORD_SCORE:
        raise InputError("密码过于常见或容易猜到（如 12345678、password123、键盘连排、含用户名），请换一个更长、"
                         "不常见的密码", field="password")


def _validate(name: str, role: str, password: str) -> None:
    normalise_user_name(name)
    if role not in ROLES:
        raise InputError(f"角色必须是 {', '.join(ROLES)} 之一，收到 {role!r}", field="role")
    check_password(password, lookup_name(name))


def add_user(engine: Engine, name: str, role: str, password: str, *, actor: UserView | None = None) -> UserView:
    """Create a user. ``actor=None`` means the local admin CLI; a signed-in actor must be an admin."""
    if actor is not None:
        require(actor, "manage_users")
    _validate(name, role, password)
    name = normalise_user_name(name)
    try:
        with Session(engine) as session, session.begin():
            actor = acting_user(session, actor, "manage_users") if actor is not None else None
            twin = next((u for u in session.scalars(select(User.name)) if _skeleton(u) == _skeleton(name)), None)
            if twin is not None:
                raise ReviewError(f"用户 {name} 已存在或与已有用户 {twin} 形近易混淆")
            user = User(name=name, role=role, password_hash=hash_password(password), active=True)
            session.add(user)
            session.flush()
            audit.record(session, actor, "user_add", "user", user.id, role=role, name=user.name)
            view = user_view(user)
    except IntegrityError:
        raise ReviewError(f"用户 {name} 已存在") from None
    except DataError:  # never let the driver print the row (it holds the new password hash)
        raise ReviewError(f"用户 {name} 无法保存：字段超出数据库限制") from None
    return view


def set_active(engine: Engine, name: str, active: bool, *, actor: UserView | None = None) -> UserView:
    if actor is not None:
        require(actor, "manage_users")
    name = lookup_name(name)
    if len(name) > MAX_NAME_LENGTH or strip_control(name)[1]:
        raise ReviewError(f"用户 {strip_control(name)[0][:MAX_NAME_LENGTH]} 不存在")
    with Session(engine) as session, session.begin():
        if actor is not None:  # the role in the UserView handed in is not trusted: read it again
            actor = acting_user(session, actor, "manage_users")
        user = session.scalar(select(User).where(User.name == name))
        if user is None:
            raise ReviewError(f"用户 {name} 不存在")
        user.active = active
        audit.record(session, actor, "user_activate" if active else "user_deactivate", "user", user.id)
        return user_view(user)


def list_users(engine: Engine) -> list[UserView]:
    with Session(engine) as session:
        return [user_view(u) for u in session.scalars(select(User).order_by(User.name))]


def authenticate(engine: Engine, name: str, password: str) -> UserView | None:
    """The signed-in user, or None for a wrong name, wrong password or a deactivated account."""
    name = lookup_name(name)
    # A name no account can have is never sent as a query parameter (PostgreSQL refuses NUL in text).
    possible = len(name) <= MAX_NAME_LENGTH and strip_control(name)[1] == 0
    with Session(engine) as session, session.begin():
        user = session.scalar(select(User).where(User.name == name)) if possible else None
        ok = verify_password(user.password_hash if user else _DUMMY_HASH, password)
        if user is None:
            _record_anonymous_failure(session)
            return None
        if not ok or not user.active:
            audit.record(session, None, "login_failed", "user", user.id, name=user.name)
            return None
        view = user_view(user)
        audit.record(session, view, "login", "user", user.id)
        return view


def _record_anonymous_failure(session: Session) -> None:
    """Failed sign-ins with names no account has are counted, not each audited: one audit row per window (the
    attempts themselves are in ``sign_in_attempts``, which the throttle reads), so a flood of guesses cannot
    bury the log."""
    since = utcnow() - ANONYMOUS_WINDOW
    recent = session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.action == "login_failed_unknown", AuditLog.object_id == ANONYMOUS, AuditLog.created_at > since))
    if not recent:
        audit.record(session, None, "login_failed_unknown", "user", ANONYMOUS,
                     window_minutes=int(ANONYMOUS_WINDOW.total_seconds() // 60))


def acting_user(session: Session, user: UserView, action: str) -> UserView:
    """Re-read the user so a role change or deactivation counts at once, then check the role for ``action``."""
    row = session.get(User, user.id)
    if row is None:
        raise PermissionDenied(f"用户 {user.name} 不存在")
    fresh = user_view(row)
    require(fresh, action)
    return fresh
