"""Atomic, explicitly UTF-8 file writes: a reader sees the old file or the new one, never half."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["atomic_write_bytes", "atomic_write_text"]


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> bool:
    """Write ``data`` to ``path`` via a temp file and rename. Returns False when unchanged.

    Leaving an identical file untouched keeps its mtime, so git and Pages see no change.
    """
    path = Path(path)
    try:
        if path.read_bytes() == data:
            return False
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return True


def atomic_write_text(path: str | os.PathLike, text: str) -> bool:
    return atomic_write_bytes(path, text.encode("utf-8"))
