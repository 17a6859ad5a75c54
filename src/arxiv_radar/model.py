"""Plain data: papers, authors, versions, code links, and arXiv identifiers.

This module imports nothing of ours, so every stage can share it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone

__all__ = [
    "Author",
    "CodeLink",
    "Paper",
    "Version",
    "parse_arxiv_id",
    "is_arxiv_id",
]

# New style: 0704.0001 (4 digits until 2014-12), 1501.00001 (5 digits since).
_NEW_ID = r"\d{4}\.\d{4,5}"
# Old style: hep-th/9901001, math.GT/0309136, cond-mat.str-el/0603029.
_OLD_ID = r"[a-z]+(?:-[a-z]+)*(?:\.[A-Za-z]{2}(?:-[a-z]{2})?)?/\d{7}"
_ID_RE = re.compile(
    rf"^(?:https?://(?:export\.|www\.)?arxiv\.org/(?:abs|pdf)/|arxiv:)?"
    rf"(?P<id>{_NEW_ID}|{_OLD_ID})(?:v(?P<v>\d+))?(?:\.pdf)?$",
    re.IGNORECASE,
)


def parse_arxiv_id(text: str) -> tuple[str, int | None]:
    """Split an arXiv identifier, URL or ``arXiv:`` reference into (versionless id, version).

    Raises ValueError for anything that is not an arXiv identifier.
    """
    m = _ID_RE.match(text.strip())
    if not m:
        raise ValueError(f"not an arXiv identifier: {text!r}")
    base = m.group("id")
    if "/" in base:
        archive, number = base.split("/", 1)
        # The archive is lower case, a subject class after the dot keeps its case (math.GT).
        if "." in archive:
            arch, sub = archive.split(".", 1)
            archive = f"{arch.lower()}.{sub}"
        else:
            archive = archive.lower()
        base = f"{archive}/{number}"
    v = m.group("v")
    return base, (int(v) if v else None)


def is_arxiv_id(text: str) -> bool:
    try:
        parse_arxiv_id(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class Author:
    name: str
    affiliations: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Version:
    """One version of a paper; ``submitted`` is when that version was submitted (UTC)."""

    number: int
    submitted: datetime | None = None
    size: str | None = None


@dataclass(frozen=True, slots=True)
class CodeLink:
    """A link found for a paper, with where it came from.

    ``kind`` is "code" (a repository) or "project" (a project page such as *.github.io).
    ``source`` names the finder: "abstract", "comment", "huggingface", "paperswithcode",
    "legacy" (imported from a cv-arxiv-daily database).
    """

    url: str
    source: str
    kind: str = "code"
    stars: int | None = None
    checked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Paper:
    """A paper as arXiv describes it, under its versionless id.

    ``published`` is the first version's submission time and is the paper's date everywhere;
    ``updated`` is the latest version's. All datetimes are timezone-aware UTC.
    ``categories`` lists the primary category first, then cross-lists, without duplicates.
    """

    id: str
    title: str
    abstract: str = ""
    authors: tuple[Author, ...] = ()
    categories: tuple[str, ...] = ()
    primary_category: str = ""
    published: datetime = field(default_factory=lambda: datetime(1970, 1, 1, tzinfo=timezone.utc))
    updated: datetime | None = None
    version: int = 1
    versions: tuple[Version, ...] = ()
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    report_no: str | None = None
    license: str | None = None

    @property
    def versioned_id(self) -> str:
        return f"{self.id}v{self.version}"

    @property
    def abs_url(self) -> str:
        return f"http://arxiv.org/abs/{self.id}"

    @property
    def first_author(self) -> str:
        return self.authors[0].name if self.authors else ""

    def with_(self, **changes) -> "Paper":
        return replace(self, **changes)
