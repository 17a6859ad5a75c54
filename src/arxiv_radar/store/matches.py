"""Which stored papers belong to which topic."""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Iterable

__all__ = ["IMPORTED", "add_matches", "matched_ids", "clear_topic", "topics_of"]

# The explanation stored for matches imported from a cv-arxiv-daily database: that tool matched
# them against arXiv's full text, which we cannot re-check from the row alone, so they stay.
IMPORTED = "imported from cv-arxiv-daily"


def add_matches(conn: sqlite3.Connection, topic: str, hits: Iterable[tuple[str, str | None]], day: date) -> int:
    """Record (paper id, explanation) hits for a topic; returns how many were not there before."""
    before = conn.total_changes
    conn.executemany(
        "INSERT INTO matches (topic, paper_id, explain, matched_on) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (topic, paper_id) DO NOTHING",
        ((topic, pid, why, day.isoformat()) for pid, why in hits),
    )
    return conn.total_changes - before


def matched_ids(conn: sqlite3.Connection, topic: str) -> list[str]:
    return [r[0] for r in conn.execute("SELECT paper_id FROM matches WHERE topic = ? ORDER BY paper_id", (topic,))]


def clear_topic(conn: sqlite3.Connection, topic: str) -> None:
    """Forget a topic's matches before matching it afresh (imported ones stay)."""
    conn.execute("DELETE FROM matches WHERE topic = ? AND explain IS NOT ?", (topic, IMPORTED))


def topics_of(conn: sqlite3.Connection, paper_ids: Iterable[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    ids = list(paper_ids)
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        for pid, topic in conn.execute(
            f"SELECT paper_id, topic FROM matches WHERE paper_id IN ({marks}) ORDER BY topic", chunk
        ):
            out.setdefault(pid, []).append(topic)
    return out
