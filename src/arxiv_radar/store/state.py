"""Named values (watermarks, last digest) and the run log."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timezone

__all__ = ["get_state", "set_state", "states_with_prefix", "begin_run", "finish_run"]


def get_state(conn: sqlite3.Connection, key: str, default: str | None = None) -> str | None:
    row = conn.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
    return row[0] if row else default


def set_state(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def states_with_prefix(conn: sqlite3.Connection, prefix: str) -> dict[str, str]:
    """Every value whose key starts with ``prefix``, keyed by the rest of the key."""
    rows = conn.execute("SELECT key, value FROM state WHERE substr(key, 1, ?) = ?", (len(prefix), prefix))
    return {key[len(prefix):]: value for key, value in rows}


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def begin_run(conn: sqlite3.Connection, command: str, day: date) -> int:
    cur = conn.execute(
        "INSERT INTO runs (command, day, started) VALUES (?, ?, ?)", (command, day.isoformat(), _now())
    )
    return cur.lastrowid


def finish_run(conn: sqlite3.Connection, run_id: int, status: str, report: dict | None = None) -> None:
    conn.execute(
        "UPDATE runs SET finished = ?, status = ?, report = ? WHERE id = ?",
        (_now(), status, json.dumps(report, ensure_ascii=False, sort_keys=True) if report else None, run_id),
    )
