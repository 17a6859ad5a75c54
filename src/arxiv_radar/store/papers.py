"""Storing papers once, with their versions, and the new/updated events that changes produce."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Iterable, Iterator

from ..model import Paper, Version
from .codec import PAPER_COLUMNS, iso, paper_row, parse_dt, row_paper

__all__ = ["UpsertResult", "upsert_papers", "get_papers", "iter_papers", "paper_count", "authors_complete"]

# How much a record can be trusted: a harvested arXiv record beats a bulk snapshot line, which
# beats a row scraped from a cv-arxiv-daily table (first author only, updated date as its date).
_RANK = {"legacy": 0, "snapshot": 1, "arxiv": 2}


@dataclass
class UpsertResult:
    new: list[str] = field(default_factory=list)
    updated: list[tuple[str, int]] = field(default_factory=list)  # (id, new version)
    unchanged: int = 0

    def merge(self, other: "UpsertResult") -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged


_INSERT = f"INSERT INTO papers ({', '.join(PAPER_COLUMNS)}, first_seen, changed) VALUES ({', '.join('?' * (len(PAPER_COLUMNS) + 2))})"
_UPDATE = (
    "UPDATE papers SET "
    + ", ".join(f"{c} = ?" for c in PAPER_COLUMNS[1:])
    + ", changed = ? WHERE id = ?"
)


def _versions_of(paper: Paper) -> tuple[Version, ...]:
    if paper.versions:
        return paper.versions
    # A feed that tells only the latest version: v1 is the publication, vN the update.
    if paper.version == 1:
        return (Version(1, paper.published),)
    return (Version(1, paper.published), Version(paper.version, paper.updated))


def upsert_papers(
    conn: sqlite3.Connection,
    papers: Iterable[Paper],
    day: date,
    *,
    origin: str = "arxiv",
    authors_complete: bool = True,
    new_since: datetime | None = None,
    new_kind: str = "new",
    news_from: datetime | None = None,
) -> UpsertResult:
    """Insert or refresh papers; call inside a transaction. Never creates a second row for a paper.

    ``new_since``: a paper first seen now whose first version is older than this (a replacement
    of a paper announced before we started watching) is an update, not a new paper.
    ``new_kind``: the event a paper first seen now gets: "new", or "backfilled" for a backfill,
    whose papers feeds and digests do not announce.
    ``news_from``: with "backfilled", a paper first submitted at or after this time is recorded
    "new" all the same (the next run would have announced it as news).
    """
    if new_kind not in ("new", "backfilled"):
        raise ValueError(f"new_kind must be 'new' or 'backfilled', not {new_kind!r}")
    result = UpsertResult()
    today = day.isoformat()
    for paper in papers:
        existing = conn.execute(
            "SELECT version, origin, published, " + ", ".join(PAPER_COLUMNS[1:]) + " FROM papers WHERE id = ?",
            (paper.id,),
        ).fetchone()
        row = paper_row(paper, origin=origin, authors_complete=authors_complete)
        if existing is None:
            conn.execute(_INSERT, row + (today, today))
            _store_versions(conn, paper, origin)
            first = paper.versions[0].submitted if paper.versions and paper.versions[0].submitted else paper.published
            if new_since is not None and paper.version > 1 and first < new_since:
                if origin == "arxiv":
                    _event(conn, paper.id, "updated", paper.version, today)
                result.updated.append((paper.id, paper.version))
                continue
            if origin == "arxiv":
                news = new_kind == "backfilled" and news_from is not None and first >= news_from
                _event(conn, paper.id, "new" if news else new_kind, paper.version, today)
            result.new.append(paper.id)
            continue
        better_or_same = _RANK[origin] >= _RANK[existing["origin"]]
        newer = paper.version > existing["version"]
        if not newer and not better_or_same:
            result.unchanged += 1
            continue
        row = list(row)
        # The paper's date is its first publication: keep the earliest one a trusted record gave.
        if existing["origin"] != "legacy" and existing["published"] < row[9]:
            row[9] = existing["published"]
        if existing["version"] > paper.version:
            # An older version (a stale cache, a lagging source) never replaces newer content.
            _store_versions(conn, paper, origin)
            result.unchanged += 1
            continue
        if tuple(existing[c] for c in PAPER_COLUMNS[1:]) == tuple(row[1:]):
            _store_versions(conn, paper, origin)
            result.unchanged += 1
            continue
        conn.execute(_UPDATE, tuple(row[1:]) + (today, paper.id))
        _store_versions(conn, paper, origin)
        if newer and origin == "arxiv" and existing["origin"] != "legacy":
            _event(conn, paper.id, "updated", paper.version, today)
            result.updated.append((paper.id, paper.version))
        else:
            result.unchanged += 1
    return result


def _store_versions(conn: sqlite3.Connection, paper: Paper, origin: str) -> None:
    if origin == "legacy":
        return  # a cv-arxiv-daily row tells no version history
    for v in _versions_of(paper):
        conn.execute(
            "INSERT INTO versions (paper_id, number, submitted, size) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (paper_id, number) DO UPDATE SET "
            "submitted = coalesce(submitted, excluded.submitted), size = coalesce(size, excluded.size)",
            (paper.id, v.number, iso(v.submitted), v.size),
        )


def _event(conn: sqlite3.Connection, paper_id: str, kind: str, version: int, day: str) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO events (paper_id, kind, version, day) VALUES (?, ?, ?, ?)",
        (paper_id, kind, version, day),
    )


def _versions(conn: sqlite3.Connection, ids: list[str]) -> dict[str, tuple[Version, ...]]:
    out: dict[str, list[Version]] = {}
    for chunk in _chunks(ids, 500):
        marks = ",".join("?" * len(chunk))
        for r in conn.execute(
            f"SELECT paper_id, number, submitted, size FROM versions WHERE paper_id IN ({marks}) ORDER BY paper_id, number",
            chunk,
        ):
            out.setdefault(r[0], []).append(Version(r[1], parse_dt(r[2]), r[3]))
    return {k: tuple(v) for k, v in out.items()}


def get_papers(conn: sqlite3.Connection, ids: Iterable[str]) -> dict[str, Paper]:
    ids = list(dict.fromkeys(ids))
    versions = _versions(conn, ids)
    found: dict[str, Paper] = {}
    for chunk in _chunks(ids, 500):
        marks = ",".join("?" * len(chunk))
        for r in conn.execute(f"SELECT * FROM papers WHERE id IN ({marks})", chunk):
            found[r["id"]] = row_paper(r, versions.get(r["id"], ()))
    return found


def authors_complete(conn: sqlite3.Connection, ids: Iterable[str]) -> dict[str, bool]:
    out = {}
    ids = list(ids)
    for chunk in _chunks(ids, 500):
        marks = ",".join("?" * len(chunk))
        for r in conn.execute(f"SELECT id, authors_complete FROM papers WHERE id IN ({marks})", chunk):
            out[r[0]] = bool(r[1])
    return out


def iter_papers(conn: sqlite3.Connection, *, batch: int = 2000, include_legacy: bool = True) -> Iterator[Paper]:
    """Every stored paper, streamed in id order (without version lists, for speed).

    ``include_legacy=False`` leaves out records known only from a cv-arxiv-daily row (title and
    first author): too little to match a topic against.
    """
    last = ""
    where = "" if include_legacy else " AND origin != 'legacy'"
    while True:
        rows = conn.execute(f"SELECT * FROM papers WHERE id > ?{where} ORDER BY id LIMIT ?", (last, batch)).fetchall()
        if not rows:
            return
        for r in rows:
            yield row_paper(r)
        last = rows[-1]["id"]


def paper_count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM papers").fetchone()[0]


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
