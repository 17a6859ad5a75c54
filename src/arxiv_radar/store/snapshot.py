"""The fast path for bulk snapshot imports: whole batches of rows per statement, no reads.

``upsert_papers`` reads each paper before writing it, which is right for a daily harvest of a
few hundred papers and far too slow for millions. Here the same rules are written once as an
``INSERT ... ON CONFLICT DO UPDATE ... WHERE`` and run with ``executemany``:

- a snapshot line never overwrites a harvested ('arxiv') record unless it carries a newer
  version (``_RANK`` in papers.py: arxiv > snapshot > legacy);
- the paper's date stays the earliest one a trusted (non-legacy) record gave, and the version
  never goes down;
- a row whose every column would stay the same is not touched, so re-importing a file changes
  nothing (not even ``changed``) and fires no full-text trigger;
- versions are added with the paper, filling only missing dates and sizes; they are skipped,
  as ``upsert_papers`` skips them, when the stored 'arxiv' record was kept;
- snapshot rows produce no new/updated events (those are for harvested papers).

Full text: into an empty store it is much faster to drop the FTS triggers and index each
batch of new rows with one ``INSERT ... SELECT`` ("batch", the default for an empty store),
or build the index once at the end ("rebuild"), than to index row by row through the
triggers ("triggers", the default otherwise); figures in docs/benchmarks.md. "batch" also
overlaps the indexing with the parsing, which runs in other processes meanwhile. While the triggers are away, their SQL is kept in the ``state`` table
under ``FTS_PENDING_KEY``; ``ensure_fts`` puts them back and rebuilds the index, so an import
that was killed half way leaves a store that the next import (or search) repairs.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import date

from .codec import PAPER_COLUMNS
from .db import transaction

__all__ = ["SnapshotLoader", "ensure_fts", "fts_tables", "FTS_PENDING_KEY", "VERSION_COLUMNS"]

FTS_PENDING_KEY = "snapshot:fts-triggers-dropped"
VERSION_COLUMNS = ("paper_id", "number", "submitted", "size")


def _set_expr(col: str) -> str:
    """The value a column takes when a snapshot row meets a stored one (papers.* = stored)."""
    if col == "version":
        return "max(papers.version, excluded.version)"
    if col == "published":
        # Keep the earliest date a trusted record gave; a legacy row's date is its update day.
        return (
            "CASE WHEN papers.origin <> 'legacy' AND papers.published < excluded.published "
            "THEN papers.published ELSE excluded.published END"
        )
    return f"excluded.{col}"


_COLS = PAPER_COLUMNS[1:]
_UPSERT = (
    f"INSERT INTO papers ({', '.join(PAPER_COLUMNS)}, first_seen, changed) "
    f"VALUES ({', '.join('?' * (len(PAPER_COLUMNS) + 2))}) "
    "ON CONFLICT (id) DO UPDATE SET "
    + ", ".join(f"{c} = {_set_expr(c)}" for c in _COLS)
    + ", changed = excluded.changed "
    # Rank rule first (cheap), then "only if something would change".
    # A newer version always wins; a legacy row always loses; an equal snapshot line refreshes;
    # an older version never replaces newer content.
    "WHERE (excluded.version > papers.version OR papers.origin = 'legacy' "
    "OR (papers.origin = 'snapshot' AND excluded.version = papers.version)) AND ("
    + " OR ".join(f"papers.{c} IS NOT {_set_expr(c)}" for c in _COLS)
    + ")"
)
# Into a store that started empty every paper row is this import's ('snapshot'), so the
# check below always holds: skip it (one b-tree lookup less per version).
_VERSIONS_FRESH = (
    "INSERT INTO versions (paper_id, number, submitted, size) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (paper_id, number) DO UPDATE SET "
    "submitted = coalesce(submitted, excluded.submitted), size = coalesce(size, excluded.size) "
    "WHERE (submitted IS NULL AND excluded.submitted IS NOT NULL) OR (size IS NULL AND excluded.size IS NOT NULL)"
)
# After the paper upsert, the paper's origin is 'snapshot' exactly when this line was allowed
# to write it (new, or it won over a legacy/snapshot/older-version row): only then add versions.
_VERSIONS = (
    "INSERT INTO versions (paper_id, number, submitted, size) "
    "SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM papers WHERE id = ?1 AND origin = 'snapshot') "
    "ON CONFLICT (paper_id, number) DO UPDATE SET "
    "submitted = coalesce(submitted, excluded.submitted), size = coalesce(size, excluded.size) "
    "WHERE (submitted IS NULL AND excluded.submitted IS NOT NULL) OR (size IS NULL AND excluded.size IS NOT NULL)"
)


def fts_tables(conn: sqlite3.Connection) -> list[str]:
    """The FTS5 indexes whose content is the papers table (papers_fts, papers_meta_fts, ...)."""
    return [
        r[0]
        for r in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%fts5%' ORDER BY name"
        )
        if "content = 'papers'" in r[1] or "content='papers'" in r[1]
    ]


def _fts_triggers(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(name, sql) of the triggers on papers that keep an FTS index in step."""
    tables = fts_tables(conn)
    return [
        (name, sql)
        for name, sql in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'papers' ORDER BY name"
        )
        if any(f"INTO {t} " in sql or f"INTO {t}(" in sql for t in tables)
    ]


def ensure_fts(conn: sqlite3.Connection) -> bool:
    """Put back FTS triggers a bulk import dropped and rebuild the index; True if it had to.

    Cheap when nothing is pending (one indexed read), so callers may run it before any search.
    """
    row = conn.execute("SELECT value FROM state WHERE key = ?", (FTS_PENDING_KEY,)).fetchone()
    if row is None:
        return False
    with transaction(conn):
        present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        for name, sql in json.loads(row[0]):
            if name not in present:
                conn.execute(sql)
        for table in fts_tables(conn):
            conn.execute(f"INSERT INTO {table} ({table}) VALUES ('rebuild')")
        conn.execute("DELETE FROM state WHERE key = ?", (FTS_PENDING_KEY,))
    return True


class SnapshotLoader:
    """Write snapshot rows in large transactions; use as a context manager.

    ``fts``: "auto" (rebuild when the store starts empty, triggers otherwise), "rebuild" or
    "triggers". Rows are in ``PAPER_COLUMNS`` order (``codec.paper_row`` with origin
    'snapshot'); versions are ``VERSION_COLUMNS`` tuples.
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        day: date,
        *,
        fts: str = "auto",
        rows_per_transaction: int = 100_000,
        cache_mb: int = 128,
        tune: bool = True,
        hashsize: int = 32 << 20,
    ):
        if fts not in ("auto", "batch", "rebuild", "triggers"):
            raise ValueError(f"fts must be auto, batch, rebuild or triggers, not {fts!r}")
        self.conn = conn
        self.today = day.isoformat()
        self.fts = fts
        self.rows_per_transaction = rows_per_transaction
        self.cache_mb = cache_mb
        self.tune = tune
        self.hashsize = hashsize
        self.changed = 0  # rows inserted or updated
        self.inserted = 0
        self._pending = 0
        self._saved_pragmas: dict[str, object] = {}

    # -- lifecycle ----------------------------------------------------------------------------
    def __enter__(self) -> "SnapshotLoader":
        conn = self.conn
        ensure_fts(conn)  # a previous import that died half way: repair first
        for name in ("cache_size", "temp_store"):
            self._saved_pragmas[name] = conn.execute(f"PRAGMA {name}").fetchone()[0]
        # A big page cache keeps the b-tree interior pages of papers and the FTS segments hot.
        conn.execute(f"PRAGMA cache_size = {-self.cache_mb * 1024}")
        conn.execute("PRAGMA temp_store = MEMORY")
        self._count_before = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
        if self.fts == "auto":
            self.fts = "batch" if self._count_before == 0 else "triggers"
        if self.fts == "batch" and self._count_before:
            raise ValueError("fts='batch' needs an empty store")
        self._indexed = 0  # batch mode: rows up to this rowid are in the FTS indexes
        self._stale = False  # batch mode: a row was updated after being indexed
        self._fts_columns = {
            t: [r[1] for r in conn.execute(f"PRAGMA table_info({t})")] for t in fts_tables(conn)
        }
        self._journal = None
        if self._count_before == 0 and self.tune:
            # Into an empty store, a rollback journal costs almost nothing (pages appended past
            # the end of the file are not journaled) where WAL writes every page twice (log,
            # then checkpoint). Store.open puts WAL back on the next open whatever happens.
            try:
                mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
            except sqlite3.OperationalError:  # another connection is open: stay in WAL
                mode = ""
            if mode.lower() == "delete":
                self._journal = "wal"
        # FTS5 flushes its in-memory terms to a new segment every `hashsize` bytes (1 MB by
        # default); bigger flushes mean fewer segments to merge. Restored on exit.
        self._hashsize = {}
        if self.tune:
            for table in self._fts_columns:
                row = conn.execute(f"SELECT v FROM {table}_config WHERE k = 'hashsize'").fetchone()
                self._hashsize[table] = row[0] if row else None
                conn.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('hashsize', ?)", (self.hashsize,))
        if self.fts in ("rebuild", "batch"):
            with transaction(conn):
                triggers = _fts_triggers(conn)
                conn.execute(
                    "INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (FTS_PENDING_KEY, json.dumps(triggers)),
                )
                for name, _ in triggers:
                    conn.execute(f'DROP TRIGGER IF EXISTS "{name}"')
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        conn = self.conn
        try:
            if conn.in_transaction:
                if exc_type is None:
                    conn.execute("COMMIT")
                else:
                    conn.execute("ROLLBACK")
            if self.fts == "batch" and not self._stale and exc_type is None:
                # Every row was indexed as it came: only the triggers need to come back.
                self._restore_triggers()
            # Even after a failure the index must match the table again before we return.
            ensure_fts(conn)
            self.inserted = conn.execute("SELECT count(*) FROM papers").fetchone()[0] - self._count_before
        finally:
            for name, value in self._saved_pragmas.items():
                conn.execute(f"PRAGMA {name} = {int(value)}")
            for table, value in self._hashsize.items():
                if value is None:
                    conn.execute(f"DELETE FROM {table}_config WHERE k = 'hashsize'")
                else:
                    conn.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('hashsize', ?)", (value,))
            if self._journal:
                conn.execute(f"PRAGMA journal_mode = {self._journal}")
        if exc_type is None:
            # A bulk load leaves the WAL as big as the data; fold it in and truncate it.
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def _restore_triggers(self) -> None:
        conn = self.conn
        row = conn.execute("SELECT value FROM state WHERE key = ?", (FTS_PENDING_KEY,)).fetchone()
        if row is None:
            return
        with transaction(conn):
            for _, sql in json.loads(row[0]):
                conn.execute(sql)
            conn.execute("DELETE FROM state WHERE key = ?", (FTS_PENDING_KEY,))

    def _index_new_rows(self) -> None:
        """Batch mode: add the rows past the last indexed rowid to every FTS index."""
        for table, cols in self._fts_columns.items():
            names = ", ".join(cols)
            self.conn.execute(
                f"INSERT INTO {table} (rowid, {names}) SELECT rowid, {names} FROM papers WHERE rowid > ?",
                (self._indexed,),
            )
        self._indexed = self.conn.execute("SELECT max(rowid) FROM papers").fetchone()[0] or 0

    # -- writing ------------------------------------------------------------------------------
    def write(self, paper_rows: Sequence[tuple], version_rows: Sequence[tuple]) -> int:
        """Upsert a batch; commits whenever ``rows_per_transaction`` rows have been written."""
        conn = self.conn
        if not conn.in_transaction:
            conn.execute("BEGIN IMMEDIATE")
        today = self.today
        # rowcount sums sqlite3_changes() over the batch: rows inserted or updated by the
        # statement itself, not the FTS writes its triggers make.
        changed = conn.executemany(_UPSERT, [row + (today, today) for row in paper_rows]).rowcount
        conn.executemany(_VERSIONS_FRESH if self._count_before == 0 else _VERSIONS, version_rows)
        if self.fts == "batch":
            top = conn.execute("SELECT max(rowid) FROM papers").fetchone()[0] or 0
            if changed > top - self._indexed:
                # Some rows were updates of rows already indexed (an id twice in the file):
                # their index entries are stale now; rebuild everything at the end.
                self._stale = True
            self._index_new_rows()
        self.changed += changed
        self._pending += len(paper_rows)
        if self._pending >= self.rows_per_transaction:
            conn.execute("COMMIT")
            self._pending = 0
        return changed
