"""One exception tree. The CLI turns each into a one-line message and an exit code."""

from __future__ import annotations

import errno
import sqlite3
from contextvars import ContextVar

__all__ = [
    "ArxivRadarError",
    "ConfigError",
    "QuerySyntaxError",
    "FetchError",
    "ArxivAPIError",
    "FeedParseError",
    "HarvestIncomplete",
    "StoreError",
    "MissingStore",
    "LegacyImportError",
    "EnvironmentFault",
    "current_store",
    "environment_error",
]


class ArxivRadarError(Exception):
    """Base of every error arxiv-radar raises on purpose."""

    exit_code = 1


class ConfigError(ArxivRadarError):
    """A mistake in the user's configuration; the message names file, key path and line."""

    exit_code = 2


class QuerySyntaxError(ArxivRadarError):
    """A topic query that does not parse; ``position`` is the 0-based offset in the query."""

    exit_code = 2

    def __init__(self, message: str, query: str = "", position: int | None = None):
        super().__init__(message)
        self.query = query
        self.position = position


class FetchError(ArxivRadarError):
    """A request that failed after every retry, or could not be made at all."""

    def __init__(self, message: str, url: str = ""):
        super().__init__(message)
        self.url = url


class ArxivAPIError(FetchError):
    """arXiv answered with an error feed (bad query, bad id): retrying will not help."""


class FeedParseError(FetchError):
    """A response body that is not the XML we expect (truncated, garbled, hostile)."""


class HarvestIncomplete(ArxivRadarError):
    """Some of a run's harvest could not be fetched; what was fetched is kept."""

    exit_code = 3


class StoreError(ArxivRadarError):
    """The database is too new or damaged."""


class MissingStore(StoreError):
    """A command that reads the store was pointed at a file that does not exist (a usage error)."""

    exit_code = 2


class LegacyImportError(ArxivRadarError):
    """A cv-arxiv-daily database that cannot be read at all."""


class EnvironmentFault(ArxivRadarError):
    """The machine got in the way: a full disk, a read-only folder, a damaged store file.

    Made by :func:`environment_error` from an OSError or an sqlite3 error (exit code 1)."""


# The store the command is working on, set by store.db.connect: sqlite3's errors do not say
# which file they are about, so the one-line message takes the name from here.
current_store: ContextVar[str | None] = ContextVar("current_store", default=None)

_OS_ADVICE = {
    errno.ENOSPC: "the disk is full; free some space and run again",
    errno.EDQUOT: "the disk quota is used up; free some space and run again",
    errno.EACCES: "permission denied; make it (and its folder) writable by this user",
    errno.EPERM: "not permitted; make it (and its folder) writable by this user",
    errno.EROFS: "on a read-only file system; point the config at a writable place",
    errno.EISDIR: "is a folder, not a file; point the config's key (or the flag) at a file",
    errno.ENOTDIR: "part of the path is a file, not a folder; fix the path",
    errno.ENOENT: "no such file or folder; check the path",
    errno.ELOOP: "is a symbolic link (or a loop of them), which arxiv-radar does not follow here; remove it",
    errno.ENAMETOOLONG: "the path is too long; shorten it",
    errno.EMFILE: "too many open files; raise the limit (ulimit -n)",
}

_SQLITE_ADVICE = (
    ("disk is full", "the disk holding the store is full; free some space and run again"),
    ("readonly database", "the store is read-only; make it and its folder writable by this user"),
    ("unable to open database file",
     "cannot open the store: its folder is missing or not writable, or the path is a folder"),
    ("malformed", "the store is damaged; restore it (git checkout -- FILE, or a backup), or move it "
                  "away to start afresh; `arxiv-radar doctor` checks it"),
    ("not a database", "is not an SQLite database; point `database` (or --db) at the store, or "
                       "move the file away"),
    ("database is locked", "another program holds the store; wait for it or close it"),
    ("disk i/o error", "the disk failed while reading or writing the store; check the disk, then run again"),
)


def environment_error(exc: BaseException) -> EnvironmentFault:
    """One line naming the file and what to do, for an OSError or an sqlite3 error."""
    if isinstance(exc, sqlite3.Error):
        name = current_store.get() or "the store"
        text = str(exc).lower()
        for needle, advice in _SQLITE_ADVICE:
            if needle in text:
                return EnvironmentFault(f"{name}: {advice}")
        return EnvironmentFault(f"{name}: SQLite error ({str(exc)[:200]})")
    if isinstance(exc, OSError):
        name = exc.filename if exc.filename is not None else None
        if isinstance(name, bytes):
            name = name.decode("utf-8", "replace")
        advice = _OS_ADVICE.get(exc.errno or 0) or (exc.strerror or type(exc).__name__)
        if exc.errno == errno.EEXIST:
            advice = "a file is in the way where a folder is needed; move it or change the path"
        # No file (a socket, say): the system's own words.
        return EnvironmentFault(f"{name}: {advice}" if name else (exc.strerror or str(exc)[:200] or advice))
    return EnvironmentFault(f"{type(exc).__name__}: {str(exc)[:200]}")
