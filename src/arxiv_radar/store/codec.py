"""Paper <-> row conversion. The one place that knows how a Paper is laid out in SQL."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timezone

from ..model import Author, Paper, Version

__all__ = ["iso", "parse_dt", "paper_row", "row_paper", "PAPER_COLUMNS"]

PAPER_COLUMNS = (
    "id", "version", "title", "abstract", "authors", "authors_text", "authors_complete",
    "categories", "primary_category", "published", "updated", "comment", "journal_ref",
    "doi", "report_no", "license", "origin",
)


def iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def parse_dt(text: str | None) -> datetime | None:
    if not text:
        return None
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def paper_row(paper: Paper, *, origin: str, authors_complete: bool = True) -> tuple:
    authors = [[a.name, list(a.affiliations)] for a in paper.authors]
    return (
        paper.id,
        paper.version,
        paper.title,
        paper.abstract,
        json.dumps(authors, ensure_ascii=False),
        ", ".join(a.name for a in paper.authors),
        1 if authors_complete else 0,
        " ".join(paper.categories),
        paper.primary_category or (paper.categories[0] if paper.categories else ""),
        iso(paper.published),
        iso(paper.updated),
        paper.comment,
        paper.journal_ref,
        paper.doi,
        paper.report_no,
        paper.license,
        origin,
    )


def row_paper(row: sqlite3.Row, versions: tuple[Version, ...] = ()) -> Paper:
    authors = tuple(Author(name, tuple(aff)) for name, aff in json.loads(row["authors"]))
    return Paper(
        id=row["id"],
        title=row["title"],
        abstract=row["abstract"],
        authors=authors,
        categories=tuple(row["categories"].split()),
        primary_category=row["primary_category"],
        published=parse_dt(row["published"]),
        updated=parse_dt(row["updated"]),
        version=row["version"],
        versions=versions,
        comment=row["comment"],
        journal_ref=row["journal_ref"],
        doi=row["doi"],
        report_no=row["report_no"],
        license=row["license"],
    )
