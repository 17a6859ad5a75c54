"""``GET /rss/<categories>``: arXiv's RSS 2.0 feed (https://rss.arxiv.org/rss/cs.CV+cs.CL).

The format is reference/arxiv-docs/rss_specifications.md. arXiv rebuilds its feeds at midnight
US Eastern after the 20:00 announcement, so at the mirror's clock ``now`` the feed shows the
announcement made the evening before today's New York date, stamped with today's midnight
(``<pubDate>Fri, 28 Feb 2025 00:00:00 -0500</pubDate>`` for Thursday's). A day whose evening
before had no announcement (Saturday, Sunday, the day after a holiday) gets an empty channel.

Which papers an announcement lists, from the corpus and calendar.py's submission window
``[window_start, window_end)`` of that announcement, for the feed's categories (an archive
such as ``cs`` or ``hep-th`` covers its categories):

- ``new``: v1 submitted in the window, primary category in the feed;
- ``cross``: v1 submitted in the window, cross-listed (not primary) in the feed;
- ``replace``: a later version submitted in the window, primary in the feed;
- ``replace-cross``: the same for a cross-listed paper.

Items come in that order, by id within a type; each shows the latest version submitted before
the window closed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from urllib.parse import unquote

from arxiv_radar.harvest import calendar
from arxiv_radar.model import Paper

from .atom_writer import clean_xml_text
from .corpus import Corpus
from .messages import Request, Response

__all__ = ["CONTENT_TYPE", "RSSService", "announced_items"]

CONTENT_TYPE = "application/rss+xml; charset=utf-8"
_CATEGORY = re.compile(r"^[A-Za-z]+(?:-[A-Za-z]+)*(?:\.[A-Za-z]+(?:-[A-Za-z]+)*)?$")
_TYPE_ORDER = {"new": 0, "cross": 1, "replace": 2, "replace-cross": 3}
_MAX_ITEMS = 2000  # "Limit 2000 results" (rss.md)


def _t(value: str | None) -> str:
    value = clean_xml_text(value or "")
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _a(value: str) -> str:
    return _t(value).replace('"', "&quot;")


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def _rfc822(value: datetime) -> str:
    # "Fri, 28 Feb 2025 00:00:00 -0500": the offset is the one the value carries.
    return value.strftime("%a, %d %b %Y %H:%M:%S %z")


def _in_feed(category: str, wanted: list[str]) -> bool:
    c = category.lower()
    return any(c == w or c.startswith(w + ".") for w in wanted)


def _version_dates(paper: Paper) -> list[tuple[int, datetime]]:
    known = {v.number: v.submitted for v in paper.versions}
    if known.get(1) is None:
        known[1] = paper.published
    if paper.version > 1 and known.get(paper.version) is None and paper.updated is not None:
        known[paper.version] = paper.updated
    return sorted((n, _utc(d)) for n, d in known.items() if d is not None)


def announced_items(
    corpus: Corpus, categories: list[str], start: datetime, end: datetime
) -> list[tuple[Paper, str, int]]:
    """(paper, announce type, version shown) for the submissions in ``[start, end)``."""
    wanted = [c.lower() for c in categories]
    found: list[tuple[Paper, str, int]] = []
    for paper in corpus:
        cats = paper.categories or ((paper.primary_category,) if paper.primary_category else ())
        primary = paper.primary_category or (cats[0] if cats else "")
        in_primary = bool(primary) and _in_feed(primary, wanted)
        if not in_primary and not any(_in_feed(c, wanted) for c in cats):
            continue
        dates = _version_dates(paper)
        before_end = [(n, d) for n, d in dates if d < end]
        if not before_end:
            continue
        shown = before_end[-1][0]
        in_window = [n for n, d in before_end if d >= start]
        if not in_window:
            continue
        if 1 in in_window:
            kind = "new" if in_primary else "cross"
        else:
            kind = "replace" if in_primary else "replace-cross"
        found.append((paper, kind, shown))
    found.sort(key=lambda item: (_TYPE_ORDER[item[1]], item[0].id))
    return found[:_MAX_ITEMS]


def _item(paper: Paper, kind: str, version: int, stamp: str) -> str:
    vid = f"{paper.id}v{version}"
    out = [
        "    <item>\n",
        f"      <title>{_t(paper.title)}</title>\n",
        f"      <link>https://arxiv.org/abs/{_t(paper.id)}</link>\n",
        f"      <description>arXiv:{_t(vid)} Announce Type: {kind} \n"
        f"Abstract: {_t(paper.abstract.strip())}</description>\n",
        f'      <guid isPermaLink="false">oai:arXiv.org:{_t(vid)}</guid>\n',
    ]
    out.extend(f"      <category>{_t(c)}</category>\n" for c in paper.categories)
    out.append(f"      <pubDate>{stamp}</pubDate>\n")
    out.append(f"      <arxiv:announce_type>{kind}</arxiv:announce_type>\n")
    if paper.license:
        out.append(f"      <dc:rights>{_t(paper.license)}</dc:rights>\n")
    out.append(f"      <dc:creator>{_t(', '.join(a.name for a in paper.authors))}</dc:creator>\n")
    if paper.doi:
        out.append(f"      <arxiv:DOI>{_t(paper.doi)}</arxiv:DOI>\n")
    if paper.journal_ref:
        out.append(f"      <arxiv:journal_reference>{_t(paper.journal_ref)}</arxiv:journal_reference>\n")
    out.append("    </item>\n")
    return "".join(out)


def write_rss(corpus: Corpus, categories: list[str], now: datetime) -> bytes:
    """The feed for ``categories`` as arXiv would serve it at ``now``."""
    now = _utc(now)
    feed_day = calendar.today(now)
    midnight = calendar.day_start(feed_day).astimezone(calendar.NEW_YORK)
    announcement = calendar.announcement_on(feed_day - timedelta(days=1))
    joined = "+".join(categories)
    names = ", ".join(categories)
    stamp = _rfc822(midnight)
    head = (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:atom="http://www.w3.org/2005/Atom" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" version="2.0">\n'
        "  <channel>\n"
        f"    <title>{_t(names)} updates on arXiv.org</title>\n"
        f"    <link>http://rss.arxiv.org/rss/{_t(joined)}</link>\n"
        f"    <description>{_t(names)} updates on the arXiv.org e-print archive.</description>\n"
        f'    <atom:link href="https://rss.arxiv.org/rss/{_a(joined)}" rel="self" '
        'type="application/rss+xml"/>\n'
        "    <docs>http://www.rssboard.org/rss-specification</docs>\n"
        "    <language>en-us</language>\n"
        f"    <lastBuildDate>{_rfc822(now)}</lastBuildDate>\n"
        "    <managingEditor>rss-help@arxiv.org</managingEditor>\n"
        f"    <pubDate>{stamp}</pubDate>\n"
        "    <skipDays>\n      <day>Saturday</day>\n      <day>Sunday</day>\n    </skipDays>\n"
    )
    items = ""
    if announcement is not None:
        items = "".join(
            _item(paper, kind, version, stamp)
            for paper, kind, version in announced_items(
                corpus, categories, announcement.window_start, announcement.window_end
            )
        )
    return (head + items + "  </channel>\n</rss>\n").encode("utf-8")


class RSSService:
    """The ``/rss/`` prefix route: ``RSSService(corpus, clock)(request) -> Response``."""

    def __init__(self, corpus: Corpus, clock: Callable[[], datetime]):
        self.corpus = corpus
        self.clock = clock

    def __call__(self, request: Request) -> Response:
        tail = unquote(request.path.rstrip("/").rsplit("/rss/", 1)[-1]) if "/rss/" in request.path else ""
        categories = [c for c in tail.split("+") if c]
        if not categories:
            return Response.text(400, "name one or more categories: /rss/cs.CV+cs.CL")
        bad = [c for c in categories if not _CATEGORY.match(c)]
        if bad:
            return Response.text(400, f"not an arXiv category: {bad[0][:60]!r}")
        return Response(200, write_rss(self.corpus, categories, self.clock()), CONTENT_TYPE)
