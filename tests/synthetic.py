"""Synthetic papers in the arXiv bulk-metadata format, for harvest tests through the mirror."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

NY = ZoneInfo("America/New_York")


def ny(*args) -> datetime:
    return datetime(*args, tzinfo=NY)


def bulk_line(pid: str, title: str, versions: list[datetime], *, abstract: str = "An abstract.",
              categories: str = "cs.CV", authors: list[tuple[str, str]] | None = None,
              comments: str | None = None) -> str:
    authors = authors or [("Doe", "Jane"), ("Roe", "Richard")]
    return json.dumps({
        "id": pid, "submitter": "Jane Doe",
        "authors": ", ".join(f"{first} {last}" for last, first in authors),
        "title": title, "comments": comments, "journal-ref": None, "doi": None, "report-no": None,
        "categories": categories, "license": None, "abstract": abstract,
        "versions": [{"version": f"v{i + 1}", "created": format_datetime(v.astimezone(timezone.utc), usegmt=True)}
                     for i, v in enumerate(versions)],
        "update_date": versions[-1].date().isoformat(),
        "authors_parsed": [[last, first, ""] for last, first in authors],
    })


def write_corpus(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
