"""Opening the database, numbered SQL migrations, and transactions."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Iterator

from ..errors import MissingStore, StoreError, current_store, environment_error

__all__ = ["connect", "migrations", "schema_version", "transaction", "LATEST_VERSION"]


def migrations() -> list[tuple[int, str, str]]:
    """(number, name, sql) of every migration shipped in the package, in order."""
    found = []
    for entry in resources.files(__package__).joinpath("migrations").iterdir():
        if entry.name.endswith(".sql"):
            number = int(entry.name.split("_", 1)[0])
            found.append((number, entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


LATEST_VERSION = migrations()[-1][0]


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def connect(path: str | Path, *, migrate: bool = True, readonly: bool = False,
            must_exist: bool = False) -> sqlite3.Connection:
    """Open (creating it unless ``must_exist`` or ``readonly``) and migrate the store at ``path``."""
    path = Path(path)
    current_store.set(str(path))
    if path.is_dir():
        raise StoreError(f"{path}: is a folder, not a store file; point `database` (or --db) at a file")
    if (readonly or must_exist) and not path.exists():
        raise MissingStore(f"{path}: no such database (check --db or the config's `database`; "
                           "`arxiv-radar run` creates it)")
    if readonly:
        uri = f"file:{path.resolve()}?mode=ro"
        conn = sqlite3.connect(uri, uri=True, isolation_level=None)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    conn.row_factory = sqlite3.Row
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        if not readonly:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        version = schema_version(conn)
    except sqlite3.DatabaseError as exc:
        conn.close()
        # One line naming the file and what to do (errors.environment_error words them all).
        raise StoreError(str(environment_error(exc))) from None
    if version > LATEST_VERSION:
        conn.close()
        raise StoreError(
            f"{path}: schema version {version} is newer than this arxiv-radar knows "
            f"({LATEST_VERSION}); upgrade arxiv-radar"
        )
    if migrate and not readonly:
        if version < LATEST_VERSION:
            _migrate(conn, version)
        _apply_skipped(conn, version)
    return conn


def _migrate(conn: sqlite3.Connection, current: int) -> None:
    for number, name, sql in migrations():
        if number <= current:
            continue
        # executescript commits on its own, so the version bump travels inside the script.
        conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")


# Migration numbers are reserved per piece of work and land in any order, so a store may have
# been migrated past a number whose file arrived later (a store at 8 from a build without 6).
# For such migrations, a probe that is true once the migration is in; a store at or past the
# number whose probe is false gets the migration now (user_version is left as it is).
_PROBES = {
    6: "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events' AND sql LIKE '%backfilled%'",
}


def _apply_skipped(conn: sqlite3.Connection, before: int) -> None:
    for number, name, sql in migrations():
        probe = _PROBES.get(number)
        if probe is None or number > before or conn.execute(probe).fetchone():
            continue
        conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\nCOMMIT;")


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception (nested calls join the outer one)."""
    if conn.in_transaction:
        yield conn
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
