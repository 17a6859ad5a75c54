"""cv-arxiv-daily rows as imported, per topic (see migrations/0003_legacy_rows.sql)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date

__all__ = ["LegacyRecord", "save_legacy_row", "legacy_rows"]


@dataclass(frozen=True)
class LegacyRecord:
    topic: str
    paper_id: str
    key: str
    position: int
    day: date
    title: str
    first_author: str
    version: int | None
    code_url: str | None


def save_legacy_row(conn: sqlite3.Connection, rec: LegacyRecord) -> None:
    # A re-import keeps the first position so that the original order survives.
    conn.execute(
        "INSERT INTO legacy_rows (topic, paper_id, key, position, day, title, first_author, version, code_url) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (topic, paper_id) DO UPDATE SET "
        "key = excluded.key, day = excluded.day, title = excluded.title, "
        "first_author = excluded.first_author, version = excluded.version, code_url = excluded.code_url",
        (rec.topic, rec.paper_id, rec.key, rec.position, rec.day.isoformat(), rec.title,
         rec.first_author, rec.version, rec.code_url),
    )


def legacy_rows(conn: sqlite3.Connection, topic: str) -> dict[str, LegacyRecord]:
    out = {}
    for r in conn.execute("SELECT * FROM legacy_rows WHERE topic = ? ORDER BY position", (topic,)):
        out[r["paper_id"]] = LegacyRecord(
            r["topic"], r["paper_id"], r["key"], r["position"], date.fromisoformat(r["day"]),
            r["title"], r["first_author"], r["version"], r["code_url"],
        )
    return out
