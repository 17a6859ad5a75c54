"""One run per store: a lock file next to the database, holding pid, host and start time.

Where ``fcntl`` exists (Linux, macOS) the lock *is* an ``flock`` on that file: the kernel drops
it when the holder dies, even by SIGKILL, so a lock we can take while the file still names
another run is stale by construction, and we take it over with a warning. Elsewhere the file is
created with ``O_EXCL`` and a file naming a pid that no longer lives on this host is stale.

    with store_lock(db_path, command="run"):
        ...  # harvest, store, render
"""

from __future__ import annotations

import errno
import json
import logging
import os
import stat
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..errors import ArxivRadarError

try:
    import fcntl as _fcntl
except ImportError:  # Windows
    _fcntl = None  # type: ignore[assignment]

__all__ = ["LockInfo", "StoreLocked", "UnsafeLock", "lock_path_for", "read_lock", "store_lock", "pid_alive",
           "held_by_live_process"]

log = logging.getLogger(__name__)


class StoreLocked(ArxivRadarError):
    """Another run holds the store's lock."""

    def __init__(self, message: str, holder: LockInfo | None = None):
        super().__init__(message)
        self.holder = holder


class UnsafeLock(ArxivRadarError):
    """The lock path is a symbolic link or not a regular file: never written through."""


# The lock file is never followed through a symbolic link: a link planted at the lock's path
# would otherwise have its target truncated and overwritten.
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _open_lock(path: Path, flags: int) -> int:
    try:
        fd = os.open(path, flags | _NOFOLLOW, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP or (not _NOFOLLOW and path.is_symlink()):
            raise UnsafeLock(f"{path}: the lock file is a symbolic link; remove it (arxiv-radar "
                             "never writes through one)") from None
        raise
    if not _NOFOLLOW and path.is_symlink():  # no O_NOFOLLOW (Windows): check after the fact
        os.close(fd)
        raise UnsafeLock(f"{path}: the lock file is a symbolic link; remove it")
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise UnsafeLock(f"{path}: the lock path is not a regular file; remove it")
    return fd


@dataclass(frozen=True)
class LockInfo:
    pid: int
    host: str
    started: str
    command: str = ""

    def describe(self) -> str:
        what = f"`{self.command}` " if self.command else ""
        return f"{what}pid {self.pid} on {self.host}, started {self.started}"

    def to_json(self) -> str:
        return json.dumps(
            {"pid": self.pid, "host": self.host, "started": self.started, "command": self.command}
        ) + "\n"


def lock_path_for(db_path: str | Path) -> Path:
    """``arxiv-radar.sqlite`` -> ``arxiv-radar.sqlite.lock``, in the same folder."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".lock")


def _parse(text: str) -> LockInfo | None:
    try:
        data = json.loads(text)
        return LockInfo(
            pid=int(data["pid"]), host=str(data["host"]), started=str(data["started"]),
            command=str(data.get("command", "")),
        )
    except (ValueError, KeyError, TypeError):
        return None  # empty or half-written: a run killed while writing it


def read_lock(db_path: str | Path) -> LockInfo | None:
    """What the lock file next to the store says, or None when there is none (or it is garbled).

    Only reads: doctor uses it to tell whether a run holds the store.
    """
    path = lock_path_for(db_path)
    if path.is_symlink():
        return None
    try:
        return _parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists on this host."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    except OSError:
        return False
    return True


def held_by_live_process(db_path: str | Path) -> LockInfo | None:
    """The holder when the lock file names a live process (or another host); never locks.

    Probing with flock could make a real run's non-blocking attempt fail in that instant, so
    this only reads the file and asks whether the pid lives.
    """
    info = read_lock(db_path)
    if info is None:
        return None
    if info.host == socket.gethostname() and not pid_alive(info.pid):
        return None
    return info


def _me(command: str) -> LockInfo:
    return LockInfo(
        pid=os.getpid(),
        host=socket.gethostname(),
        started=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        command=command,
    )


def _write_fd(fd: int, info: LockInfo) -> None:
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, info.to_json().encode("utf-8"))
    os.fsync(fd)


def _read_fd(fd: int) -> str:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", errors="replace")


def _stale_warning(path: Path, old: LockInfo | None, reason: str) -> None:
    who = old.describe() if old else "an unreadable lock file"
    log.warning("taking over the stale lock %s left by %s (%s)", path, who, reason)


def _acquire_flock(path: Path, me: LockInfo) -> int:
    for _ in range(10):
        # O_EXCL tells whether the file was there before us: one left behind means a run died.
        try:
            fd = _open_lock(path, os.O_RDWR | os.O_CREAT | os.O_EXCL)
            created = True
        except FileExistsError:
            try:
                fd = _open_lock(path, os.O_RDWR)
            except FileNotFoundError:
                continue  # released meanwhile
            created = False
        try:
            _fcntl.flock(fd, _fcntl.LOCK_EX | _fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _parse(_read_fd(fd))
            os.close(fd)
            who = holder.describe() if holder else "another run"
            raise StoreLocked(
                f"{path}: the store is in use by {who}; wait for it to finish", holder
            ) from None
        except OSError:
            os.close(fd)
            raise
        # The holder may have unlinked the file between our open and our flock: then we hold
        # a lock on a file nobody else can see. Start again on the current one.
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if not same:
            os.close(fd)
            continue
        if not created:
            _stale_warning(path, _parse(_read_fd(fd)), "its process is gone")
        _write_fd(fd, me)
        return fd
    raise StoreLocked(f"{path}: could not take the lock (it keeps changing hands)")


def _acquire_excl(path: Path, me: LockInfo) -> int:
    for _ in range(10):
        try:
            fd = _open_lock(path, os.O_RDWR | os.O_CREAT | os.O_EXCL)
        except FileExistsError:
            if path.is_symlink():
                raise UnsafeLock(f"{path}: the lock file is a symbolic link; remove it") from None
            try:
                old = _parse(path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                continue  # released meanwhile
            here = socket.gethostname()
            if old is not None and old.host == here and not pid_alive(old.pid):
                _stale_warning(path, old, f"pid {old.pid} is not running")
                try:
                    path.unlink()
                except FileNotFoundError:
                    pass
                continue
            who = old.describe() if old else "another run (unreadable lock file)"
            hint = "" if old is None or old.host == here else "; if no run is active there, delete it"
            raise StoreLocked(f"{path}: the store is in use by {who}{hint}", old) from None
        _write_fd(fd, me)
        return fd
    raise StoreLocked(f"{path}: could not take the lock (it keeps changing hands)")


@contextmanager
def store_lock(db_path: str | Path, *, command: str = "run") -> Iterator[LockInfo]:
    """Hold the store's lock for the duration of the block; raise StoreLocked (exit 1) if taken.

    The lock file is removed on exit; a killed run leaves it behind, and the next run takes it
    over with a warning.
    """
    path = lock_path_for(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    me = _me(command)
    fd = _acquire_flock(path, me) if _fcntl is not None else _acquire_excl(path, me)
    try:
        yield me
    finally:
        # Unlink before unlocking: whoever gets the lock next finds no file of ours.
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        os.close(fd)
