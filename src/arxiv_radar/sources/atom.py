"""Parse an arXiv API Atom response into papers.

One entry point, ``parse_feed(bytes) -> AtomFeed``. Both serializations arXiv has used must read
the same: the 2016 one (namespaces declared on each element, ``http`` links, opensearch before
the entries, ``<updated>`` of the feed at local midnight) and the 2026 one (namespaces on the
root, ``https`` links, a different element order, the feed's ``<updated>`` is the response time).
Element order never matters here: every child is dispatched on its qualified tag.

Hostile input: a document that could declare entities (any DTD, or an encoding other than
UTF-8) goes through ``defusedxml`` with DTDs forbidden (arXiv responses never carry one), so
entity bombs and external entities are refused with a FeedParseError that says so; the rest,
which cannot declare any, is read by the standard library's C parser, 2.5x faster. Text is returned as text; escaping it is the renderer's job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from xml.etree.ElementTree import Element, ParseError

import defusedxml

from ..errors import ArxivAPIError, FeedParseError
from ..model import Author, Paper, Version, parse_arxiv_id
from .fields import safe_fromstring

__all__ = ["AtomFeed", "parse_feed"]

_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"
_OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
# Older arXiv documentation shows the OpenSearch RSS 1.0 namespace; accept it too.
_OPENSEARCH_OLD = "{http://a9.com/-/spec/opensearchrss/1.0/}"

# Qualified tag names, computed once: the hot loop only compares strings.
_ENTRY = _ATOM + "entry"
_ID = _ATOM + "id"
_TITLE = _ATOM + "title"
_SUMMARY = _ATOM + "summary"
_PUBLISHED = _ATOM + "published"
_UPDATED = _ATOM + "updated"
_AUTHOR = _ATOM + "author"
_NAME = _ATOM + "name"
_CATEGORY = _ATOM + "category"
_AFFILIATION = _ARXIV + "affiliation"
_PRIMARY = _ARXIV + "primary_category"
_COMMENT = _ARXIV + "comment"
_JOURNAL_REF = _ARXIV + "journal_ref"
_DOI = _ARXIV + "doi"

_FEED_COUNTS = {
    _OPENSEARCH + "totalResults": "total_results",
    _OPENSEARCH + "startIndex": "start_index",
    _OPENSEARCH + "itemsPerPage": "items_per_page",
    _OPENSEARCH_OLD + "totalResults": "total_results",
    _OPENSEARCH_OLD + "startIndex": "start_index",
    _OPENSEARCH_OLD + "itemsPerPage": "items_per_page",
}

# An error entry's id looks like http(s)://arxiv.org/api/errors#incorrect_id_format_for_abc.
_ERROR_ID_MARK = "/api/errors"


@dataclass(slots=True)
class AtomFeed:
    """One page of API results: the OpenSearch counters and the papers on this page."""

    total_results: int
    start_index: int
    items_per_page: int
    papers: list[Paper] = field(default_factory=list)


def _collapse(text: str | None) -> str:
    # arXiv wraps titles and abstracts at ~80 columns with a newline and indentation.
    if not text:
        return ""
    stripped = text.strip()
    # Fast path (most 2026 text): isprintable() is False for any whitespace but the ASCII
    # space, so a printable string without double spaces is already collapsed.
    if stripped.isprintable() and "  " not in stripped:
        return stripped
    return " ".join(stripped.split())


def _optional(text: str | None) -> str | None:
    collapsed = _collapse(text)
    return collapsed or None


def _datetime(text: str | None, what: str, entry_id: str) -> datetime:
    raw = (text or "").strip()
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise FeedParseError(f"entry {entry_id}: <{what}> is not a date: {raw[:40]!r}") from None
    if value.tzinfo is None:
        # arXiv always sends an offset; a bare time is taken as UTC rather than local time.
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def _int(text: str | None, what: str) -> int:
    raw = (text or "").strip()
    try:
        value = int(raw)
    except ValueError:
        raise FeedParseError(f"feed: <{what}> is not an integer: {raw[:40]!r}") from None
    if value < 0:
        raise FeedParseError(f"feed: <{what}> is negative: {value}")
    return value


def _parse_xml(data: bytes) -> Element:
    if not data or not data.strip():
        raise FeedParseError("empty response body where an Atom feed was expected")
    try:
        return safe_fromstring(data)
    except defusedxml.DTDForbidden:
        raise FeedParseError(
            "refused XML with a DTD (arXiv responses never declare one; "
            "it could define entity bombs or external entities)"
        ) from None
    except defusedxml.EntitiesForbidden:
        raise FeedParseError("refused XML that declares entities (possible entity bomb)") from None
    except defusedxml.ExternalReferenceForbidden:
        raise FeedParseError("refused XML that references an external entity") from None
    except defusedxml.DefusedXmlException as exc:
        raise FeedParseError(f"refused unsafe XML: {type(exc).__name__}") from None
    except ParseError as exc:
        # ParseError says where ("line 12, column 4"): enough to recognise a truncated body.
        raise FeedParseError(f"malformed XML (truncated or garbled response?): {exc}") from None


def _error_message(entry: Element) -> str:
    summary = entry.find(_SUMMARY)
    text = _collapse(summary.text if summary is not None else None)
    return text or "arXiv returned an error entry without a message"


def _entry_to_paper(entry: Element) -> Paper:
    raw_id = title = abstract = published = updated = None
    comment = journal_ref = doi = primary = None
    authors: list[Author] = []
    categories: list[str] = []

    for child in entry:
        tag = child.tag
        if tag == _ID:
            raw_id = child.text
        elif tag == _TITLE:
            title = child.text
        elif tag == _SUMMARY:
            abstract = child.text
        elif tag == _AUTHOR:
            name = ""
            affiliations: list[str] = []
            for part in child:
                if part.tag == _NAME:
                    name = _collapse(part.text)
                elif part.tag == _AFFILIATION:
                    aff = _collapse(part.text)
                    if aff:
                        affiliations.append(aff)
            if name:
                authors.append(Author(name, tuple(affiliations)))
        elif tag == _CATEGORY:
            term = child.get("term")
            if term:
                categories.append(term.strip())
        elif tag == _PUBLISHED:
            published = child.text
        elif tag == _UPDATED:
            updated = child.text
        elif tag == _PRIMARY:
            primary = child.get("term")
        elif tag == _COMMENT:
            comment = child.text
        elif tag == _JOURNAL_REF:
            journal_ref = child.text
        elif tag == _DOI:
            doi = child.text

    id_text = (raw_id or "").strip()
    if not id_text:
        raise FeedParseError("an entry has no <id>")
    if _ERROR_ID_MARK in id_text:
        raise ArxivAPIError(f"arXiv API error: {_error_message(entry)}")
    try:
        paper_id, version = parse_arxiv_id(id_text)
    except ValueError:
        raise FeedParseError(f"entry <id> is not an arXiv identifier: {id_text[:100]!r}") from None
    if published is None:
        raise FeedParseError(f"entry {id_text} has no <published> date")
    published_at = _datetime(published, "published", id_text)
    updated_at = _datetime(updated, "updated", id_text) if updated is not None else None

    # <updated> is when the version this entry describes was submitted; <published> is v1's.
    versions: tuple[Version, ...] = ()
    if version is None:
        if updated_at is None or updated_at == published_at:
            version = 1
            versions = (Version(1, published_at),)
        else:
            version = 1  # unknown; the model needs a number, and v1 is the only safe claim
    elif version == 1:
        versions = (Version(1, updated_at or published_at),)
    else:
        versions = (Version(1, published_at), Version(version, updated_at))

    primary = (primary or "").strip() or (categories[0] if categories else "")
    ordered = [primary] if primary else []
    for cat in categories:
        if cat not in ordered:
            ordered.append(cat)

    return Paper(
        id=paper_id,
        title=_collapse(title),
        abstract=_collapse(abstract),
        authors=tuple(authors),
        categories=tuple(ordered),
        primary_category=primary,
        published=published_at,
        updated=updated_at,
        version=version,
        versions=versions,
        comment=_optional(comment),
        journal_ref=_optional(journal_ref),
        doi=_optional(doi),
    )


def parse_feed(data: bytes) -> AtomFeed:
    """Read one arXiv API response body.

    Raises ArxivAPIError for arXiv's error feed (its message included), FeedParseError for a
    body that is not a well-formed, safe Atom feed.
    """
    root = _parse_xml(data)
    if root.tag != _ATOM + "feed":
        raise FeedParseError(f"not an Atom feed: root element is {root.tag[:80]!r}")

    counts: dict[str, int] = {}
    papers: list[Paper] = []
    for child in root:
        tag = child.tag
        if tag == _ENTRY:
            papers.append(_entry_to_paper(child))
        elif tag in _FEED_COUNTS:
            key = _FEED_COUNTS[tag]
            counts[key] = _int(child.text, tag.rsplit("}", 1)[-1])

    return AtomFeed(
        total_results=counts.get("total_results", len(papers)),
        start_index=counts.get("start_index", 0),
        items_per_page=counts.get("items_per_page", len(papers)),
        papers=papers,
    )
