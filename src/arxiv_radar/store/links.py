"""Code links per (paper, source), and the summary the outputs show.

A source's answer is "found", "none" (it knows of no code) or "unknown" (it failed or was not
asked). A paper shows ``null`` only when every source it was asked said "none".
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable

from .codec import iso

__all__ = ["LinkSummary", "record_link", "link_rows", "summaries", "SOURCE_ORDER"]

# When several sources found code, the first in this order is shown.
SOURCE_ORDER = ("abstract", "comment", "huggingface", "paperswithcode", "legacy")


@dataclass(frozen=True)
class LinkSummary:
    status: str  # found | none | unknown
    url: str | None = None
    source: str | None = None
    stars: int | None = None
    project_url: str | None = None


def record_link(
    conn: sqlite3.Connection,
    paper_id: str,
    source: str,
    status: str,
    *,
    url: str | None = None,
    kind: str = "code",
    stars: int | None = None,
    project_url: str | None = None,
    checked_at: datetime | None = None,
    next_check: date | None = None,
    detail: str | None = None,
) -> None:
    conn.execute(
        "INSERT INTO links (paper_id, source, status, url, kind, stars, project_url, checked_at, attempts, next_check, detail) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) "
        "ON CONFLICT (paper_id, source) DO UPDATE SET status = excluded.status, url = excluded.url, "
        "kind = excluded.kind, stars = coalesce(excluded.stars, stars), "
        "project_url = coalesce(excluded.project_url, project_url), checked_at = excluded.checked_at, "
        "attempts = attempts + 1, next_check = excluded.next_check, detail = excluded.detail",
        (paper_id, source, status, url, kind, stars, project_url, iso(checked_at), iso(next_check), detail),
    )


def link_rows(conn: sqlite3.Connection, paper_ids: Iterable[str]) -> dict[str, list[sqlite3.Row]]:
    out: dict[str, list[sqlite3.Row]] = {}
    ids = list(paper_ids)
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        for r in conn.execute(f"SELECT * FROM links WHERE paper_id IN ({marks})", chunk):
            out.setdefault(r["paper_id"], []).append(r)
    return out


def summarize(rows: list[sqlite3.Row]) -> LinkSummary:
    if not rows:
        return LinkSummary("unknown")
    rank = {s: i for i, s in enumerate(SOURCE_ORDER)}
    rows = sorted(rows, key=lambda r: rank.get(r["source"], len(rank)))
    project = next((r["project_url"] for r in rows if r["project_url"]), None)
    stars = next((r["stars"] for r in rows if r["stars"] is not None), None)
    for r in rows:
        if r["status"] == "found" and r["kind"] == "code" and r["url"]:
            return LinkSummary("found", r["url"], r["source"], stars, project)
    if any(r["status"] == "unknown" for r in rows):
        return LinkSummary("unknown", None, None, stars, project)
    return LinkSummary("none", None, None, stars, project)


def summaries(conn: sqlite3.Connection, paper_ids: Iterable[str]) -> dict[str, LinkSummary]:
    ids = list(paper_ids)
    rows = link_rows(conn, ids)
    return {pid: summarize(rows.get(pid, [])) for pid in ids}
