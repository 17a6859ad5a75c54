"""What feeds, e-mail digests and webhooks share: papers with their latest event and topics.

Pure data and helpers; the caller (publish_feeds, deliver/stage) builds these from the store.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from .escape import collapse, md_url
from .view import Entry

__all__ = [
    "Digest",
    "DigestItem",
    "PaperEvent",
    "clean_text",
    "entry_date",
    "is_updated",
    "newest_first",
    "reading_order",
    "safe_url",
    "site_url_for",
]

# Characters XML 1.0 cannot carry at all (collapse() already removed C0/C1 controls): lone
# surrogates and the two non-characters U+FFFE/U+FFFF.
_XML_INVALID = re.compile("[\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class PaperEvent:
    """A paper's latest event: "new" (first stored) or "updated" (a replacement version)."""

    kind: str
    version: int
    day: datetime.date


def is_updated(event: PaperEvent | None) -> bool:
    return event is not None and event.kind == "updated"


def entry_date(entry: Entry, event: PaperEvent | None) -> datetime.datetime:
    """When the entry last changed: the latest version's date for updates, else publication."""
    p = entry.paper
    if is_updated(event) and p.updated is not None:
        return p.updated
    return p.published


def clean_text(text: str | None) -> str:
    """One line of text safe for XML, HTML and mail: controls and invalid code points gone."""
    if not text:
        return ""
    return _XML_INVALID.sub("", collapse(text))


def safe_url(url: str | None) -> str | None:
    """An http(s) URL, or None (javascript:, data:, junk are dropped)."""
    return md_url(url)


def site_url_for(user_name: str | None, repo_name: str | None) -> str | None:
    """The GitHub Pages address of the configured repository, when there is one."""
    if not (user_name and repo_name):
        return None
    return safe_url(f"https://{user_name.strip()}.github.io/{repo_name.strip()}/")


@dataclass(frozen=True)
class DigestItem:
    """One paper of a digest, listed once under ``topics[0]`` (the others are "also in")."""

    entry: Entry
    topics: tuple[str, ...]
    event: PaperEvent | None = None
    # The reader's relevance score under ``topics[0]`` (rank/), None when unranked.
    score: float | None = None
    why: dict | None = None

    @property
    def updated(self) -> bool:
        return is_updated(self.event)

    @property
    def date(self) -> datetime.datetime:
        return entry_date(self.entry, self.event)

    @property
    def also_in(self) -> tuple[str, ...]:
        return self.topics[1:]


@dataclass(frozen=True)
class Digest:
    """The papers one channel has not been sent yet, newest first."""

    day: datetime.date
    items: tuple[DigestItem, ...]
    topic_order: tuple[str, ...]
    site_url: str | None = None
    # Papers left out by rank.top / rank.min_score (covered all the same: never sent later).
    held_back: int = 0

    @property
    def new_count(self) -> int:
        return sum(1 for i in self.items if not i.updated)

    @property
    def updated_count(self) -> int:
        return sum(1 for i in self.items if i.updated)

    def groups(self, items: tuple[DigestItem, ...] | list[DigestItem] | None = None, *,
               every_topic: bool = False) -> list[tuple[str, list[DigestItem]]]:
        """``items`` (default: all) by topic, in config order; within, by score (when ranked),
        then newest first. Under their first topic only, or with ``every_topic`` under each of
        their topics (the e-mail: a reader skimming one topic's section must not miss a paper
        filed first elsewhere)."""
        items = self.items if items is None else items
        by_topic: dict[str, list[DigestItem]] = {t: [] for t in self.topic_order}
        for item in items:
            for topic in (item.topics if every_topic else item.topics[:1]):
                by_topic.setdefault(topic, []).append(item)
        return [(t, sorted(v, key=reading_order)) for t, v in by_topic.items() if v]


def newest_first(item: DigestItem) -> tuple:
    # Negated timestamp, then id descending via a reversed key: deterministic for ties.
    return (-item.date.timestamp(), tuple(-ord(c) for c in item.entry.paper.id))


def reading_order(item: DigestItem) -> tuple:
    """Scored papers first, best first; then the unscored, newest first (so without ranking
    this is exactly ``newest_first``)."""
    if item.score is None:
        return (1, 0.0) + newest_first(item)
    return (0, -item.score) + newest_first(item)
