"""Builders shared by the render tests (no tests here; named test_render_* to stay in our files)."""

from __future__ import annotations

import datetime
import re
from datetime import timezone

from arxiv_radar.model import Author, Paper
from arxiv_radar.render.view import Entry

FIXTURE_DAY = "cv-arxiv-daily/2025-03-01"
CONFIG_TOPICS = ["SLAM", "SFM", "Visual Localization", "Keypoint Detection", "Image Matching", "NeRF"]


def paper(
    pid: str,
    title: str = "A title",
    authors: tuple[str, ...] = ("Ann Author", "Bob Author"),
    day: str = "2025-02-27",
    abstract: str = "",
    updated: str | None = None,
) -> Paper:
    def at(d: str) -> datetime.datetime:
        return datetime.datetime.fromisoformat(d).replace(tzinfo=timezone.utc)

    return Paper(
        id=pid,
        title=title,
        abstract=abstract,
        authors=tuple(Author(a) for a in authors),
        published=at(day),
        updated=at(updated) if updated else None,
    )


def entry(pid: str, *, code: str | None = None, status: str | None = None, complete: bool = True,
          **kw) -> Entry:
    if status is None:
        status = "found" if code else "none"
    return Entry(paper(pid, **kw), code_url=code, code_status=status, authors_complete=complete)


_ESCAPED_OR_PIPE = re.compile(r"\\.|\|", re.DOTALL)


def unescaped_pipes(row: str) -> int:
    """Pipes GFM treats as cell separators: a backslash escapes the next character."""
    return sum(1 for m in _ESCAPED_OR_PIPE.finditer(row) if m.group() == "|")
