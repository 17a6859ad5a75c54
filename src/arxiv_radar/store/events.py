"""Reading the new/updated/backfilled events that harvesting records (feeds and digests read these)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Iterable

__all__ = ["EventRow", "latest_events", "max_seq"]


@dataclass(frozen=True)
class EventRow:
    paper_id: str
    kind: str  # "new" | "updated" | "backfilled" (added by a backfill: not announced as news)
    version: int
    day: str  # ISO date of the run that recorded it
    seq: int


def latest_events(conn: sqlite3.Connection, paper_ids: Iterable[str]) -> dict[str, EventRow]:
    """The most recent event of each paper (papers without events are absent)."""
    out: dict[str, EventRow] = {}
    ids = list(dict.fromkeys(paper_ids))
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        # SQLite returns the bare columns of the row holding max(seq) in an aggregate query.
        for r in conn.execute(
            f"SELECT paper_id, kind, version, day, max(seq) FROM events "
            f"WHERE paper_id IN ({marks}) GROUP BY paper_id",
            chunk,
        ):
            out[r[0]] = EventRow(r[0], r[1], r[2], r[3], r[4])
    return out


def max_seq(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0]
