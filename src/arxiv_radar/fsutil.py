"""Atomic, explicitly UTF-8 file writes: a reader sees the old file or the new one, never half."""

from __future__ import annotations

import filecmp
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

__all__ = ["AtomicFile", "atomic_writer", "atomic_write_bytes", "atomic_write_text"]


class AtomicFile:
    """What :func:`atomic_writer` yields: the open temp file, and afterwards whether the target changed."""

    def __init__(self, fh: IO):
        self.fh = fh
        self.changed = False

    def write(self, data) -> int:
        return self.fh.write(data)


@contextmanager
def atomic_writer(path: str | os.PathLike, *, text: bool = True) -> Iterator[AtomicFile]:
    """Write through a temp file in the target's folder, then rename it over the target.

    An identical result leaves the target untouched (its mtime too), so git and Pages see no
    change; ``.changed`` says which happened. On any exception the target is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        # Name the file the user asked for, not our temporary one.
        raise type(exc)(exc.errno, exc.strerror, str(path)) from None
    try:
        mode = "w" if text else "wb"
        kwargs = {"encoding": "utf-8", "newline": "\n"} if text else {}
        with os.fdopen(fd, mode, **kwargs) as fh:
            out = AtomicFile(fh)
            yield out
            fh.flush()
            os.fsync(fh.fileno())
        if path.is_file() and filecmp.cmp(tmp, path, shallow=False):
            os.unlink(tmp)
            return
        # mkstemp makes 0600 files; outputs are for web servers and readers: keep the old
        # file's mode, or the usual one for a new file.
        try:
            mode = path.stat().st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o666 & ~_UMASK
        os.chmod(tmp, mode)
        os.replace(tmp, path)
        out.changed = True
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _read_umask() -> int:
    # os.umask can only be read by setting it; do it once, before any thread is started.
    current = os.umask(0o022)
    os.umask(current)
    return current


_UMASK = _read_umask()


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> bool:
    """Write ``data`` to ``path`` atomically. Returns False when the file already held it."""
    path = Path(path)
    try:
        if path.read_bytes() == data:
            return False
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        pass
    with atomic_writer(path, text=False) as out:
        out.write(data)
    return out.changed


def atomic_write_text(path: str | os.PathLike, text: str) -> bool:
    return atomic_write_bytes(path, text.encode("utf-8"))
