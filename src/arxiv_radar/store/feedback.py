"""The reader's likes and dislikes (shared by the CLI, the reading room and the ranking stage)."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from typing import Iterable

__all__ = ["set_feedback", "clear_feedback", "feedback"]


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def set_feedback(conn: sqlite3.Connection, ids: Iterable[str], value: int, *, topic: str = "",
                 source: str = "cli") -> int:
    """Record +1 (like) or -1 (dislike) for each versionless id; a later call replaces an earlier."""
    if value not in (-1, 1):
        raise ValueError("feedback is +1 or -1")
    rows = [(pid, topic, value, source, _now()) for pid in ids]
    conn.executemany(
        "INSERT INTO feedback (paper_id, topic, value, source, created) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (paper_id, topic) DO UPDATE SET value = excluded.value, "
        "source = excluded.source, created = excluded.created",
        rows,
    )
    return len(rows)


def clear_feedback(conn: sqlite3.Connection, ids: Iterable[str], *, topic: str = "") -> int:
    cur = conn.executemany("DELETE FROM feedback WHERE paper_id = ? AND topic = ?",
                           [(pid, topic) for pid in ids])
    return cur.rowcount


def feedback(conn: sqlite3.Connection, topic: str | None = None) -> dict[str, int]:
    """paper id -> +1/-1 that applies to ``topic``: its own rows override the global ('') ones.

    With ``topic=None`` only the global rows."""
    out: dict[str, int] = {}
    for row in conn.execute("SELECT paper_id, value FROM feedback WHERE topic = ''"):
        out[row[0]] = row[1]
    if topic:
        for row in conn.execute("SELECT paper_id, value FROM feedback WHERE topic = ?", (topic,)):
            out[row[0]] = row[1]
    return out
