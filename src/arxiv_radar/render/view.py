"""The view model the renderers work on: topics of entries, plus options.

The renderer never sees the database: the caller (pipeline or legacy import) builds these.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from ..model import Paper

__all__ = ["CODE_STATUSES", "SUMMARY_LABELS", "Entry", "PaperSummary", "RenderOptions",
           "RenderedReadme", "TopicView", "FIELD_CAPS", "capped"]

CODE_STATUSES = ("found", "none", "unknown")

# How each AI summary field is labelled, in the order the fields are shown.
SUMMARY_LABELS = {"tldr": "TL;DR", "motivation": "Motivation", "method": "Method", "result": "Result",
                  "conclusion": "Conclusion"}


@dataclass(frozen=True)
class PaperSummary:
    """A paper's AI summary as the outputs show it. The text came from a language model: it is
    untrusted and every renderer escapes it like a title. ``fields`` keep SUMMARY_LABELS' order."""

    fields: tuple[tuple[str, str], ...]  # (field name, text)
    model: str = ""
    language: str = ""

    @property
    def tldr(self) -> str:
        return next((text for name, text in self.fields if name == "tldr"), "")

    @property
    def notes(self) -> tuple[tuple[str, str], ...]:
        """(label, text) of every field but the TL;DR (the site's expandable part)."""
        return tuple((SUMMARY_LABELS.get(name, name), text) for name, text in self.fields if name != "tldr")

    @classmethod
    def of(cls, fields: dict[str, str], model: str = "", language: str = "") -> "PaperSummary":
        ordered = [(k, fields[k]) for k in SUMMARY_LABELS if fields.get(k)]
        return cls(tuple(ordered), model, language)


# What any output shows of one paper at most (characters; authors: names). Far above every
# real arXiv record (abstracts are limited to 1,920 characters, titles rarely pass 300), so
# they only bite on a broken or hostile record: a 2 MB abstract must not reach index.md, a
# feed, a webhook or the site whole. Documented in docs/limits.md.
FIELD_CAPS = {
    "title": 1_000,
    "abstract": 10_000,
    "comment": 2_000,
    "journal_ref": 1_000,
    "doi": 300,
    "report_no": 300,
    "license": 300,
    "author_name": 300,
    "authors": 500,
    "categories": 50,
    "code_url": 2_000,
}


def _cut(text: str | None, limit: int) -> str | None:
    if text is None or len(text) <= limit:
        return text
    return text[: limit - 1] + "…"


def capped(paper: Paper) -> Paper:
    """``paper`` with every text field within FIELD_CAPS (the same object when it already is)."""
    caps = FIELD_CAPS
    long_author = any(len(a.name) > caps["author_name"] for a in paper.authors[: caps["authors"]])
    if (len(paper.title) <= caps["title"] and len(paper.abstract) <= caps["abstract"]
            and len(paper.authors) <= caps["authors"] and not long_author
            and len(paper.categories) <= caps["categories"]
            and all(len(getattr(paper, k) or "") <= caps[k]
                    for k in ("comment", "journal_ref", "doi", "report_no", "license"))):
        return paper
    from dataclasses import replace

    authors = tuple(
        replace(a, name=_cut(a.name, caps["author_name"])) if len(a.name) > caps["author_name"] else a
        for a in paper.authors[: caps["authors"]]
    )
    return paper.with_(
        title=_cut(paper.title, caps["title"]),
        abstract=_cut(paper.abstract, caps["abstract"]),
        authors=authors,
        categories=paper.categories[: caps["categories"]],
        **{k: _cut(getattr(paper, k), caps[k]) for k in ("comment", "journal_ref", "doi", "report_no", "license")},
    )


@dataclass(frozen=True)
class Entry:
    """One paper as shown under one topic.

    ``code_status``: "found" (``code_url`` is the repository), "none" (looked for, nothing
    found), "unknown" (not looked for yet). A ``code_url`` is shown whatever the status says.
    ``authors_complete`` is False for papers imported from a cv-arxiv-daily database, which
    only knows the first author: they always get "et.al.".
    """

    paper: Paper
    code_url: str | None = None
    code_status: str = "unknown"
    authors_complete: bool = True
    summary: PaperSummary | None = None  # AI summary, when `summaries:` made one
    # The reader's relevance score under this topic and why (rank/); None when unranked.
    score: float | None = None
    why: dict | None = None

    def __post_init__(self) -> None:
        if self.code_status not in CODE_STATUSES:
            raise ValueError(f"code_status must be one of {CODE_STATUSES}, not {self.code_status!r}")
        # Every output is built from entries: capping here caps them all.
        paper = capped(self.paper)
        if paper is not self.paper:
            if len(paper.authors) < len(self.paper.authors):
                object.__setattr__(self, "authors_complete", False)  # shown as "et al."
            object.__setattr__(self, "paper", paper)
        if self.code_url is not None and len(self.code_url) > FIELD_CAPS["code_url"]:
            object.__setattr__(self, "code_url", None)


@dataclass(frozen=True)
class TopicView:
    name: str
    entries: tuple[Entry, ...]  # unsorted; the style sorts (render_json keeps this order)


@dataclass(frozen=True)
class RenderOptions:
    date: datetime.date  # the header date
    style: str = "seed"  # "seed" | "cv-arxiv-daily"
    show_abstract: bool = False
    show_tldr: bool = False  # a TL;DR column in the Markdown tables (seed style)
    show_badge: bool = True
    user_name: str | None = None
    repo_name: str | None = None
    readme_max_bytes: int = 400_000
    archive_link_prefix: str = "docs/archive"  # where archive pages live relative to the README
    # (label, URL) pairs shown under the usage line: feeds, the searchable site. URLs are
    # relative to the README, or absolute on the repository's GitHub Pages.
    links: tuple[tuple[str, str], ...] = ()
    # The same for docs/index.md (the Pages front page), relative to its own folder.
    page_links: tuple[tuple[str, str], ...] = ()
    # README table order: "date" (newest first) or "relevance" (scored papers best first).
    sort: str = "date"
    # The "Usage instructions" target, relative to the README and to the gitpage; None leaves
    # the line out (publish sets None when the page does not exist in the user's repository).
    usage_link: str | None = "./docs/README.md#usage"
    gitpage_usage_link: str | None = "./docs/README.md#usage"


@dataclass(frozen=True)
class RenderedReadme:
    """README text plus archive pages (path relative to the README's folder -> text)."""

    text: str
    archives: dict[str, str] = field(default_factory=dict)
