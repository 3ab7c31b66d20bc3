"""Write-then-rename: a crash mid-write leaves the previous file (or none), never half of one."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from assistant.errors import DiskFullError

__all__ = ["NO_SPACE", "atomic_write_bytes", "atomic_write_text", "disk_full"]

NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT})


def disk_full(exc: OSError, path: Path | str) -> DiskFullError | None:
    """A ``DiskFullError`` naming ``path`` when ``exc`` is a full disk or quota, else None."""
    return DiskFullError(str(getattr(exc, "filename", None) or path)) if exc.errno in NO_SPACE else None


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path`` and rename it over ``path`` (the temp is removed on error)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise disk_full(exc, path) or exc from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; the review UI or a worker may run as another user
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        full = disk_full(exc, path)
        if full is None:
            raise
        raise full from exc  # the previous file (if any) is untouched: the rename never happened
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))
