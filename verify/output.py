"""Output files: checked for writability before a long run starts, and written atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class OutputError(Exception):
    """An output place that cannot be written; the message is one line naming the path."""


def check_writable(path: str | Path, what: str, folder: bool = False) -> Path:
    """Create the folder ``path`` (``folder``) or the parent of the file ``path`` and prove it writable by
    creating and removing a temporary file there; raises :class:`OutputError` with a one-line reason."""
    target = Path(path)
    where = target if folder else target.parent
    try:
        if target.exists() and (target.is_dir() != folder):
            raise OutputError(f"{what} {target}: is {'not ' if folder else ''}a folder")
        where.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=where, prefix=".probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise OutputError(f"{what} {target}: cannot write there: {exc.strerror or exc}") from None
    return target


def write_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` to a temporary file beside ``path`` and rename it over ``path``, so that a reader (or
    a kill during the write) never sees a truncated file."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return target
