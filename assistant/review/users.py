"""User accounts: argon2 password hashes, sign-in, and the admin operations the CLI and UI call."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.errors import InputError, PermissionDenied, ReviewError
from assistant.review import audit
from assistant.review.db import ROLES, User
from assistant.review.policy import require
from assistant.review.views import UserView

__all__ = ["MIN_PASSWORD_LENGTH", "acting_user", "add_user", "authenticate", "hash_password", "list_users", "set_active",
           "user_view", "verify_password"]

MIN_PASSWORD_LENGTH = 8
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


def _validate(name: str, role: str, password: str) -> None:
    if not name.strip():
        raise InputError("用户名不能为空", field="name")
    if role not in ROLES:
        raise InputError(f"角色必须是 {', '.join(ROLES)} 之一，收到 {role!r}", field="role")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(f"密码至少 {MIN_PASSWORD_LENGTH} 个字符", field="password")


def add_user(engine: Engine, name: str, role: str, password: str, *, actor: UserView | None = None) -> UserView:
    """Create a user. ``actor=None`` means the local admin CLI; a signed-in actor must be an admin."""
    if actor is not None:
        require(actor, "manage_users")
    _validate(name, role, password)
    try:
        with Session(engine) as session, session.begin():
            user = User(name=name.strip(), role=role, password_hash=hash_password(password), active=True)
            session.add(user)
            session.flush()
            audit.record(session, actor, "user_add", "user", user.id, role=role, name=user.name)
            view = user_view(user)
    except IntegrityError as exc:
        raise ReviewError(f"用户 {name} 已存在") from exc
    return view


def set_active(engine: Engine, name: str, active: bool, *, actor: UserView | None = None) -> UserView:
    if actor is not None:
        require(actor, "manage_users")
    with Session(engine) as session, session.begin():
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
    with Session(engine) as session, session.begin():
        user = session.scalar(select(User).where(User.name == name.strip()))
        ok = verify_password(user.password_hash if user else _DUMMY_HASH, password)
        if user is None or not ok or not user.active:
            audit.record(session, None, "login_failed", "user", name.strip()[:120])
            return None
        view = user_view(user)
        audit.record(session, view, "login", "user", user.id)
        return view


def acting_user(session: Session, user: UserView, action: str) -> UserView:
    """Re-read the user so a role change or deactivation counts at once, then check the role for ``action``."""
    row = session.get(User, user.id)
    if row is None:
        raise PermissionDenied(f"用户 {user.name} 不存在")
    fresh = user_view(row)
    require(fresh, action)
    return fresh
