"""The delivery log: what each channel (e-mail, each webhook) was sent, so nothing goes twice.

Coverage is a watermark on ``events.seq``: a successful delivery covers every event up to its
``upto_seq``. What a channel still owes is the matched papers with an event above its highest
successful watermark; a channel that never succeeded owes every stored match (imported papers
included, which have no events). Papers a backfill added (latest event "backfilled") are owed to
no channel: a backfill is not news (``backfill --notify`` records them as "new" instead). A
failed row changes no watermark, so its papers are simply owed again at the next run.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date
from typing import Iterable

from .events import EventRow, latest_events, max_seq

__all__ = ["Pending", "pending", "record_delivery", "last_success", "failure_streak", "history"]


@dataclass(frozen=True)
class Pending:
    """Papers a channel has not been sent yet."""

    channel: str
    paper_ids: list[str]  # in paper id order
    events: dict[str, EventRow]  # latest event per paper (absent: no event, e.g. legacy import)
    upto_seq: int  # the watermark a successful delivery of these papers records
    first: bool  # no successful delivery on this channel yet
    since_seq: int = 0  # the watermark it starts from (0 on a first delivery)


def last_success(conn: sqlite3.Connection, channel: str) -> int | None:
    """The highest watermark of the channel's successful deliveries (None: never succeeded)."""
    row = conn.execute(
        "SELECT max(upto_seq) FROM deliveries WHERE channel = ? AND status = 'ok'", (channel,)
    ).fetchone()
    return row[0]


def pending(conn: sqlite3.Connection, channel: str, topics: Iterable[str]) -> Pending:
    """Matched papers (of ``topics`` only) not yet covered by a successful delivery on ``channel``."""
    topic_list = list(dict.fromkeys(topics))
    upto = max_seq(conn)  # read first: events added while we work are left for the next run
    since = last_success(conn, channel)
    if not topic_list:
        return Pending(channel, [], {}, upto, since is None, since or 0)
    marks = ",".join("?" * len(topic_list))
    if since is None:
        ids = [
            r[0]
            for r in conn.execute(
                f"SELECT DISTINCT paper_id FROM matches WHERE topic IN ({marks}) ORDER BY paper_id",
                topic_list,
            )
        ]
    else:
        ids = [
            r[0]
            for r in conn.execute(
                f"SELECT DISTINCT e.paper_id FROM events e JOIN matches m ON m.paper_id = e.paper_id "
                f"WHERE e.seq > ? AND e.seq <= ? AND e.kind != 'backfilled' AND m.topic IN ({marks}) "
                f"ORDER BY e.paper_id",
                (since, upto, *topic_list),
            )
        ]
    latest = latest_events(conn, ids)
    ids = [pid for pid in ids if not (pid in latest and latest[pid].kind == "backfilled")]
    events = {pid: ev for pid, ev in latest.items() if ev.seq <= upto and ev.kind != "backfilled"}
    return Pending(channel, ids, events, upto, since is None, since or 0)


def failure_streak(conn: sqlite3.Connection, channel: str) -> int:
    """How many runs in a row the channel has failed (0 after a success)."""
    rows = conn.execute(
        "SELECT status FROM deliveries WHERE channel = ? ORDER BY id DESC LIMIT 1000", (channel,)
    ).fetchall()
    streak = 0
    for (status,) in rows:
        if status == "ok":
            break
        streak += 1
    return streak


def record_delivery(
    conn: sqlite3.Connection,
    channel: str,
    day: date,
    status: str,
    *,
    upto_seq: int,
    paper_ids: Iterable[str],
    detail: str | None = None,
) -> int:
    """Log one delivery; ``attempts`` counts this run plus the failed runs just before it."""
    if status not in ("ok", "failed"):
        raise ValueError(f"status must be 'ok' or 'failed', not {status!r}")
    attempts = failure_streak(conn, channel) + 1
    cur = conn.execute(
        "INSERT INTO deliveries (channel, day, status, upto_seq, paper_ids, attempts, detail) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (channel, day.isoformat(), status, upto_seq, json.dumps(sorted(set(paper_ids))), attempts, detail),
    )
    return cur.lastrowid


def history(conn: sqlite3.Connection, channel: str | None = None) -> list[dict]:
    """Delivery rows, oldest first, as dicts (paper_ids decoded)."""
    sql = "SELECT * FROM deliveries"
    args: tuple = ()
    if channel is not None:
        sql += " WHERE channel = ?"
        args = (channel,)
    out = []
    for r in conn.execute(sql + " ORDER BY id", args):
        row = dict(r)  # the store's connections use sqlite3.Row
        row["paper_ids"] = json.loads(row["paper_ids"])
        out.append(row)
    return out
