"""arXiv's RSS feeds (https://rss.arxiv.org/rss/cs.CV+cs.CL): the latest announcement of some
categories, with each paper's announce type (new, cross, replace, replace-cross).

The format is reference/arxiv-docs/rss_specifications.md. Feeds are rebuilt at midnight US
Eastern after the 20:00 announcement, so the channel's ``<pubDate>`` is the morning after it
("Fri, 23 Feb 2024 00:00:00 -0500" for Thursday's announcement); ``RSSAnnouncement.day`` is the
announcement's own day, the same date ``calendar.Announcement.day`` uses. On days without an
announcement (weekends, holidays) the feed is empty: that is an announcement with ``day`` None
and no items, not an error.

RSS carries no submission times: ``paper.published`` and ``paper.updated`` are the time the
item was announced (an upper bound for a new paper's v1; for replacements, the replacement's
announcement), and ``paper.versions`` is empty. Prefer API or OAI dates when both are known.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from xml.etree.ElementTree import Element

from zoneinfo import ZoneInfo

import httpx

from ..errors import ConfigError, FeedParseError
from ..model import Paper, parse_arxiv_id
from .fields import collapse, local_name, optional, parse_xml, rfc2822_utc, split_authors, unique_categories
from .http import PoliteClient, RetryableResponse

# arXiv's clock (harvest/calendar.py has the whole schedule; sources need only the zone).
NEW_YORK = ZoneInfo("America/New_York")

__all__ = [
    "ANNOUNCE_TYPES",
    "RSS_URL",
    "RSSAnnouncement",
    "RSSItem",
    "RSSReader",
    "announcement_day",
    "parse_rss",
]

RSS_URL = "https://rss.arxiv.org/rss"
ANNOUNCE_TYPES = frozenset({"new", "cross", "replace", "replace-cross"})
_ACCEPT = "application/rss+xml, application/xml;q=0.9, text/xml;q=0.8"
# A category as arXiv spells it: cs, cs.CV, math.QA, q-bio.NC, astro-ph.CO, cond-mat.str-el.
_CATEGORY = re.compile(r"^[A-Za-z]+(?:-[A-Za-z]+)*(?:\.[A-Za-z]+(?:-[A-Za-z]+)*)?$")
_DESC_ID = re.compile(r"arXiv:(\S+)")
_DESC_TYPE = re.compile(r"Announce Type:\s*([A-Za-z-]+)")
_OAI_PREFIX = "oai:arXiv.org:"
# The feed is stamped at midnight after a 20:00 announcement; stepping back six hours from the
# stamp lands on the announcement's day whether the stamp is 20:00, midnight or early morning.
_STAMP_TO_ANNOUNCEMENT = timedelta(hours=6)


@dataclass(frozen=True, slots=True)
class RSSItem:
    """One announced paper. ``announce_type`` is new, cross, replace or replace-cross."""

    paper: Paper
    announce_type: str
    announced: datetime | None = None


@dataclass(slots=True)
class RSSAnnouncement:
    """A feed's content: the announcement ``day`` (None when the feed is empty), its items,
    and the channel's ``<pubDate>`` as UTC (``published``)."""

    day: date | None
    items: list[RSSItem] = field(default_factory=list)
    published: datetime | None = None

    @property
    def papers(self) -> list[Paper]:
        return [item.paper for item in self.items]




def announcement_day(stamp: datetime) -> date:
    """The announcement day of a feed stamped ``stamp`` (see _STAMP_TO_ANNOUNCEMENT)."""
    return (stamp.astimezone(NEW_YORK) - _STAMP_TO_ANNOUNCEMENT).date()


def _item(elem: Element, fallback: datetime | None) -> RSSItem | None:
    f: dict[str, list[Element]] = {}
    for child in elem:
        f.setdefault(local_name(child.tag), []).append(child)

    def text(name: str) -> str | None:
        return f[name][0].text if name in f else None

    description = text("description") or ""
    ident = None
    for candidate in (
        collapse(text("guid")).removeprefix(_OAI_PREFIX),
        (m.group(1) if (m := _DESC_ID.search(description)) else ""),
        collapse(text("link")),
    ):
        try:
            ident = parse_arxiv_id(candidate)
            break
        except ValueError:
            continue
    if ident is None:
        return None
    paper_id, version = ident

    announce_type = collapse(text("announce_type")).lower()
    if not announce_type and (m := _DESC_TYPE.search(description)):
        announce_type = m.group(1).lower()

    # "arXiv:2203.01250v3 Announce Type: replace-cross \nAbstract: We consider ..."
    _, marker, after = description.partition("Abstract:")
    abstract = collapse(after if marker else description)

    cats = unique_categories([c.text or "" for c in f.get("category", [])])
    announced = rfc2822_utc(text("pubDate")) or fallback
    paper = Paper(
        id=paper_id,
        title=collapse(text("title")),
        abstract=abstract,
        authors=split_authors(text("creator")),
        categories=cats,
        primary_category=cats[0] if cats else "",
        published=announced or datetime(1970, 1, 1, tzinfo=timezone.utc),
        updated=announced,
        version=version or 1,
        license=optional(text("rights")),
        doi=optional(text("DOI")),
        journal_ref=optional(text("journal_reference")),
    )
    return RSSItem(paper=paper, announce_type=announce_type or "new", announced=announced)


def parse_rss(data: bytes) -> RSSAnnouncement:
    """Parse an arXiv RSS 2.0 feed. FeedParseError for anything that is not one."""
    root = parse_xml(data, "an RSS feed")
    if local_name(root.tag) != "rss":
        raise FeedParseError(f"expected an RSS feed, got <{local_name(root.tag)}>")
    channel = next((c for c in root if local_name(c.tag) == "channel"), None)
    if channel is None:
        raise FeedParseError("RSS feed without a <channel>")
    published = None
    item_elems: list[Element] = []
    for child in channel:
        name = local_name(child.tag)
        if name == "pubDate":
            published = rfc2822_utc(child.text)
        elif name == "item":
            item_elems.append(child)
    # An item without its own <pubDate> was announced with the channel.
    items = [item for elem in item_elems if (item := _item(elem, published)) is not None]
    if not items:
        return RSSAnnouncement(day=None, items=[], published=published)
    stamp = published or next((i.announced for i in items if i.announced), None)
    return RSSAnnouncement(day=announcement_day(stamp) if stamp else None, items=items,
                           published=published)


class RSSReader:
    """The latest announcement of some categories, through the one polite client."""

    def __init__(self, client: PoliteClient, base_url: str = RSS_URL):
        self.client = client
        self.base_url = base_url.rstrip("/")

    def url_for(self, categories: list[str]) -> str:
        if isinstance(categories, str) or not categories:
            raise ConfigError("RSS needs a list of one or more arXiv categories, e.g. ['cs.CV']")
        for cat in categories:
            if not isinstance(cat, str) or not _CATEGORY.match(cat):
                raise ConfigError(f"not an arXiv category: {cat!r} (expected e.g. cs.CV or q-bio.NC)")
        return f"{self.base_url}/{'+'.join(categories)}"

    def latest(self, categories: list[str]) -> RSSAnnouncement:
        url = self.url_for(categories)
        parsed: list[RSSAnnouncement] = []

        def validate(response: httpx.Response) -> None:
            try:
                parsed.append(parse_rss(response.content))
            except FeedParseError as exc:
                # Truncated or garbled: worth another attempt.
                raise RetryableResponse(str(exc), str(response.url)) from exc

        self.client.get(url, accept=_ACCEPT, validate=validate)
        return parsed[-1]
