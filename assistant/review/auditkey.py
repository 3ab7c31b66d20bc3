"""The audit key and the anchor file: what makes the review records impossible to rewrite quietly.

The audit chain and the sign-off hashes are HMAC-SHA256 under a key kept outside the database, so whoever can
write the database but does not hold the key (a database administrator, a copied or restored database file, a
stolen app-role password) cannot recompute them after changing a row. The key comes from ``RA_AUDIT_KEY``, else
the file named by ``audit_key_file``; an embedded SQLite store without either creates ``<database>.audit-key``
(mode 0600) on first use. A PostgreSQL store is shared by several hosts, so a generated per-host key would split
the chain: there the key must be configured, and its absence is one clear error.

The anchor file keeps chain heads (``<row id>:<chain value>``, one JSON line each) outside the database:
``verify`` and every sign-off append the head, and ``verify`` checks that each kept head is still in the chain,
so cutting off the newest rows (which no later row's seal covers) is detected too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import URL, Engine, make_url

from assistant.errors import ConfigError
from assistant.settings import Settings, get_settings

__all__ = ["Head", "anchor_path", "append_anchor", "audit_key", "default_key_file", "forget_keys", "key_id",
           "parse_head", "read_anchors"]

_memory_keys: dict[str, bytes] = {}  # in-memory SQLite databases live as long as the process: so does their key
_KEY_BYTES = 32


@dataclass(frozen=True)
class Head:
    """A chain head: the newest row's id and the chain value after it."""

    row_id: int
    value: str

    def __str__(self) -> str:
        return f"{self.row_id}:{self.value}"


def parse_head(text: str) -> Head:
    row_id, sep, value = text.strip().partition(":")
    if not sep or not row_id.isdigit() or len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        raise ConfigError(f"链头格式应为 <记录 id>:<64 位十六进制>，收到 {text.strip()[:100]!r}")
    return Head(int(row_id), value)


def _url(bind: Engine | URL | str) -> URL:
    if isinstance(bind, Engine):
        return bind.url
    return make_url(bind) if isinstance(bind, str) else bind


def _sqlite_file(url: URL) -> Path | None:
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database).resolve()


def default_key_file(bind: Engine | URL | str) -> Path | None:
    """``<database>.audit-key`` beside an embedded SQLite file; None for PostgreSQL and in-memory SQLite."""
    db = _sqlite_file(_url(bind))
    return db.with_name(db.name + ".audit-key") if db else None


def _read_key(path: Path) -> bytes:
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"审计密钥文件 {path} 无法读取：{exc}") from exc
    if len(text) < 32:
        raise ConfigError(f"审计密钥文件 {path} 内容过短（至少 32 个字符）")
    return text.encode("ascii")


def _create_key(path: Path) -> bytes:
    """A new random key, written with mode 0600 and never over an existing file (two processes may race)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_key(path)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_hex(_KEY_BYTES) + "\n")
    return _read_key(path)


def audit_key(bind: Engine | URL | str, settings: Settings | None = None) -> bytes:
    """The HMAC key for the store at ``bind`` (see the module docstring for where it comes from)."""
    cfg = settings or get_settings()
    if cfg.audit_key is not None:
        value = cfg.audit_key.get_secret_value().strip()
        if len(value) < 32:
            raise ConfigError("RA_AUDIT_KEY 过短：至少 32 个字符（例如 python -c 'import secrets; "
                              "print(secrets.token_hex(32))' 的输出）")
        return value.encode("utf-8")
    url = _url(bind)
    configured = cfg.audit_key_file
    if configured is not None and Path(configured).is_file():
        return _read_key(Path(configured))
    if url.get_backend_name() != "sqlite":
        where = f"（{configured} 不存在）" if configured else ""
        raise ConfigError(f"缺少审计密钥{where}：PostgreSQL 审阅库由多台主机共用，须由管理员生成一把密钥，"
                          "经 RA_AUDIT_KEY 或 audit_key_file（RA_AUDIT_KEY_FILE）交给每台运行界面、工作进程和 verify "
                          "的主机；密钥不存放在数据库中")
    path = Path(configured) if configured is not None else default_key_file(url)
    if path is None:  # in-memory SQLite
        return _memory_keys.setdefault(str(url), secrets.token_hex(_KEY_BYTES).encode("ascii"))
    return _read_key(path) if path.is_file() else _create_key(path)


def forget_keys() -> None:
    """Drop the keys of in-memory databases (tests)."""
    _memory_keys.clear()


def key_id(key: bytes) -> str:
    """A short public fingerprint of the key, stored with each row so a row sealed under another key is named."""
    return hmac.new(key, b"ra-audit-key-id", hashlib.sha256).hexdigest()[:16]


def anchor_path(bind: Engine | URL | str, settings: Settings | None = None) -> Path | None:
    """``audit_anchor_file``, else ``<database>.audit-anchor`` beside an embedded SQLite file; else None."""
    cfg = settings or get_settings()
    if cfg.audit_anchor_file is not None:
        return Path(cfg.audit_anchor_file)
    db = _sqlite_file(_url(bind))
    return db.with_name(db.name + ".audit-anchor") if db else None


def append_anchor(path: Path, head: Head, *, reason: str) -> None:
    """Append one head (O_APPEND, mode 0600): earlier lines are never rewritten by this program."""
    line = json.dumps({"head": str(head), "reason": reason,
                       "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}, ensure_ascii=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as fh:
        fh.write(line + "\n")


def read_anchors(path: Path) -> list[Head]:
    """The heads kept in the anchor file, oldest first; a damaged line is an error naming the line."""
    if not path.is_file():
        return []
    heads: list[Head] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            heads.append(parse_head(str(json.loads(line)["head"])))
        except (ValueError, KeyError, TypeError, ConfigError) as exc:
            raise ConfigError(f"锚点文件 {path} 第 {number} 行无法解析：{exc}") from exc
    return heads
