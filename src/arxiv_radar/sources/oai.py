"""OAI-PMH harvesting from arXiv (https://oaipmh.arxiv.org/oai): a day of a set in few requests.

``OAIHarvester.list_records`` asks for ``ListRecords`` over a datestamp range and follows
resumption tokens until the list ends. Both token styles arXiv has used end the same way:
the legacy server (export.arxiv.org/oai2) sends ``cursor``/``completeListSize`` attributes and an
empty token on the last page; the 2025 rewrite sends opaque tokens without counts, and an empty
``<resumptionToken/>`` (or none) on the last page.

``parse_list_records`` is the pure parser. It reads the metadata formats ``arXivRaw`` (version
history with dates: the default), ``arXiv`` (structured authors with affiliations, created and
updated dates only) and, leniently, ``oai_dc`` (no category codes). OAI-PMH errors become
``OAIError`` (an ArxivAPIError carrying the code), except ``noRecordsMatch``: a day without
records is an empty page, not an error. Deleted records are skipped and counted.

Datestamps are when a record last changed, not when a paper was submitted or announced, so a
day's harvest also brings older papers whose metadata changed; the caller filters by
``published``/``updated`` if it wants only the new ones.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from xml.etree.ElementTree import Element

import httpx

from ..net import scrub
from ..errors import ArxivAPIError, FeedParseError
from ..model import Author, Paper, Version, parse_arxiv_id
from .fields import collapse, local_name, optional, parse_xml, rfc2822_utc, split_authors, unique_categories
from .http import BadStatus, PoliteClient, RetryableResponse

__all__ = ["OAI_URL", "METADATA_PREFIXES", "OAIError", "OAIHarvester", "OAIPage", "parse_list_records"]

log = logging.getLogger(__name__)

OAI_URL = "https://oaipmh.arxiv.org/oai"
METADATA_PREFIXES = frozenset({"arXivRaw", "arXiv", "oai_dc"})
_OAI = "{http://www.openarchives.org/OAI/2.0/}"
_ACCEPT = "text/xml, application/xml"
# A harvest that keeps getting tokens this long is looping on the server's side.
_MAX_PAGES = 10_000


class OAIError(ArxivAPIError):
    """An OAI-PMH ``<error code="...">`` response. Retrying will not help."""

    def __init__(self, code: str, message: str, url: str = ""):
        super().__init__(f"OAI-PMH error {code}: {message}" if message else f"OAI-PMH error {code}", url)
        self.code = code
        self.oai_message = message


@dataclass(slots=True)
class OAIPage:
    """One ListRecords (or GetRecord) response.

    ``token`` is the resumption token to ask for the next page, None on the last page.
    ``complete_list_size`` and ``cursor`` are only sent by the legacy server. ``deleted``
    counts records marked deleted, ``skipped`` records that could not be read (logged).
    """

    papers: list[Paper] = field(default_factory=list)
    token: str | None = None
    complete_list_size: int | None = None
    cursor: int | None = None
    deleted: int = 0
    skipped: int = 0


# -- small readers ------------------------------------------------------------------------------
def _children(elem: Element) -> dict[str, list[Element]]:
    out: dict[str, list[Element]] = {}
    for child in elem:
        out.setdefault(local_name(child.tag), []).append(child)
    return out


def _text(fields: dict[str, list[Element]], name: str) -> str | None:
    elems = fields.get(name)
    return elems[0].text if elems else None


def _day(text: str | None) -> datetime | None:
    raw = (text or "").strip()
    if not raw:
        return None
    try:
        d = date.fromisoformat(raw[:10])
    except ValueError:
        return None
    return datetime(d.year, d.month, d.day, tzinfo=timezone.utc)




def _int_attr(elem: Element, name: str) -> int | None:
    raw = (elem.get(name) or "").strip()
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


class _BadRecord(Exception):
    """A record we cannot turn into a Paper; the page goes on without it."""


def _arxiv_id(text: str | None) -> str:
    try:
        base, _ = parse_arxiv_id(collapse(text))
    except ValueError:
        raise _BadRecord(f"not an arXiv id: {collapse(text)[:60]!r}") from None
    return base


# -- the three metadata formats ----------------------------------------------------------------
def _from_arxiv_raw(meta: Element) -> Paper:
    f = _children(meta)
    paper_id = _arxiv_id(_text(f, "id"))
    versions: list[Version] = []
    for v in f.get("version", []):
        label = (v.get("version") or "").strip().lower()
        if not (label.startswith("v") and label[1:].isdigit()):
            continue
        vf = _children(v)
        versions.append(Version(int(label[1:]), rfc2822_utc(_text(vf, "date")), optional(_text(vf, "size"))))
    versions.sort(key=lambda v: v.number)
    if not versions or versions[0].submitted is None:
        raise _BadRecord(f"{paper_id}: no dated first version")
    cats = unique_categories(collapse(_text(f, "categories")).split())
    return Paper(
        id=paper_id,
        title=collapse(_text(f, "title")),
        abstract=collapse(_text(f, "abstract")),
        authors=split_authors(_text(f, "authors")),
        categories=cats,
        primary_category=cats[0] if cats else "",
        published=versions[0].submitted,
        updated=versions[-1].submitted or versions[0].submitted,
        version=versions[-1].number,
        versions=tuple(versions),
        comment=optional(_text(f, "comments")),
        journal_ref=optional(_text(f, "journal-ref")),
        doi=optional(_text(f, "doi")),
        report_no=optional(_text(f, "report-no")),
        license=optional(_text(f, "license")),
    )


def _author_of(elem: Element) -> Author | None:
    f = _children(elem)
    name = " ".join(
        part for part in (collapse(_text(f, "forenames")), collapse(_text(f, "keyname")),
                          collapse(_text(f, "suffix"))) if part
    )
    if not name:
        return None
    affiliations = tuple(a for a in (collapse(x.text) for x in f.get("affiliation", [])) if a)
    return Author(name, affiliations)


def _from_arxiv(meta: Element) -> Paper:
    f = _children(meta)
    paper_id = _arxiv_id(_text(f, "id"))
    created = _day(_text(f, "created"))
    if created is None:
        raise _BadRecord(f"{paper_id}: no <created> date")
    updated = _day(_text(f, "updated"))
    authors: list[Author] = []
    for group in f.get("authors", []):
        for a in group:
            if local_name(a.tag) == "author" and (author := _author_of(a)) is not None:
                authors.append(author)
    cats = unique_categories(collapse(_text(f, "categories")).split())
    return Paper(
        id=paper_id,
        title=collapse(_text(f, "title")),
        abstract=collapse(_text(f, "abstract")),
        authors=tuple(authors),
        categories=cats,
        primary_category=cats[0] if cats else "",
        # The arXiv format has dates without times, and no version count: v1 is the one
        # version we can name (the same choice as the Atom parser).
        published=created,
        updated=updated or created,
        version=1,
        versions=(Version(1, created),),
        comment=optional(_text(f, "comments")),
        journal_ref=optional(_text(f, "journal-ref")),
        doi=optional(_text(f, "doi")),
        report_no=optional(_text(f, "report-no")),
        license=optional(_text(f, "license")),
    )


def _dc_name(creator: str) -> str:
    # Dublin Core gives "Keyname, Forenames"; the rest of arxiv-radar uses "Forenames Keyname".
    creator = collapse(creator)
    if creator.count(",") == 1:
        last, first = (p.strip() for p in creator.split(","))
        if first and last:
            return f"{first} {last}"
    return creator


def _from_oai_dc(meta: Element, header_id: str | None) -> Paper:
    f = _children(meta)
    paper_id = None
    for ident in f.get("identifier", []):
        try:
            paper_id = parse_arxiv_id(collapse(ident.text))[0]
            break
        except ValueError:
            continue
    if paper_id is None:
        paper_id = _arxiv_id((header_id or "").removeprefix("oai:arXiv.org:"))
    dates = sorted(d for d in (_day(x.text) for x in f.get("date", [])) if d is not None)
    if not dates:
        raise _BadRecord(f"{paper_id}: no <dc:date>")
    abstract = comment = None
    for desc in f.get("description", []):
        text = collapse(desc.text)
        if text.startswith("Comment:"):
            comment = comment or text.removeprefix("Comment:").strip() or None
        elif text and abstract is None:
            abstract = text
    return Paper(
        id=paper_id,
        title=collapse(_text(f, "title")),
        abstract=abstract or "",
        authors=tuple(Author(_dc_name(c.text or "")) for c in f.get("creator", []) if collapse(c.text)),
        # dc:subject holds names ("Computer Science - Information Theory"), not category codes.
        categories=(),
        published=dates[0],
        updated=dates[-1],
        version=1,
        versions=(Version(1, dates[0]),),
        comment=comment,
    )


_FORMATS = {"arXivRaw": _from_arxiv_raw, "arXiv": _from_arxiv}


# -- the envelope ----------------------------------------------------------------------------
def _raise_errors(root: Element, url: str) -> bool:
    """Raise OAIError for the response's errors; True if it is a plain noRecordsMatch."""
    errors = [e for e in root if local_name(e.tag) == "error"]
    if not errors:
        return False
    codes = [(e.get("code") or "unknown").strip() for e in errors]
    if all(code == "noRecordsMatch" for code in codes):
        return True
    first = next(e for e, c in zip(errors, codes) if c != "noRecordsMatch")
    # The server's own words: kept short, without URLs or tokens (net.scrub).
    raise OAIError(scrub((first.get("code") or "unknown").strip(), 60), scrub(collapse(first.text)), url)


def parse_list_records(data: bytes, url: str = "") -> OAIPage:
    """Parse one OAI-PMH ListRecords/GetRecord response into an OAIPage.

    Raises OAIError for an OAI-PMH error other than noRecordsMatch, FeedParseError for a body
    that is not a well-formed OAI-PMH response (or carries a DTD or entities).
    """
    root = parse_xml(data, "an OAI-PMH response")
    if local_name(root.tag) != "OAI-PMH":
        raise FeedParseError(f"expected an OAI-PMH response, got <{local_name(root.tag)}>", url)
    page = OAIPage()
    if _raise_errors(root, url):
        return page
    body = next((c for c in root if local_name(c.tag) in ("ListRecords", "GetRecord")), None)
    if body is None:
        raise FeedParseError("OAI-PMH response without ListRecords, GetRecord or error", url)
    for child in body:
        name = local_name(child.tag)
        if name == "resumptionToken":
            token = (child.text or "").strip()
            page.token = token or None
            page.complete_list_size = _int_attr(child, "completeListSize")
            page.cursor = _int_attr(child, "cursor")
        elif name == "record":
            _read_record(child, page)
    return page


def _read_record(record: Element, page: OAIPage) -> None:
    header = next((c for c in record if local_name(c.tag) == "header"), None)
    if header is None:
        page.skipped += 1
        log.warning("OAI record without a header skipped")
        return
    if header.get("status") == "deleted":
        page.deleted += 1
        return
    header_id = _text(_children(header), "identifier")
    metadata = next((c for c in record if local_name(c.tag) == "metadata"), None)
    meta = next(iter(metadata), None) if metadata is not None else None
    try:
        if meta is None:
            raise _BadRecord("no metadata")
        fmt = local_name(meta.tag)
        if fmt == "dc":
            paper = _from_oai_dc(meta, header_id)
        elif fmt in _FORMATS:
            paper = _FORMATS[fmt](meta)
        else:
            raise _BadRecord(f"unknown metadata format <{fmt}>")
    except _BadRecord as exc:
        page.skipped += 1
        log.warning("OAI record %s skipped: %s", collapse(header_id)[:80], exc)
        return
    page.papers.append(paper)


# -- fetching ------------------------------------------------------------------------------
class OAIHarvester:
    """ListRecords through the one polite client. ``client`` is a PoliteClient (or anything
    with its ``get(url, params=None, *, accept=..., validate=None)``)."""

    def __init__(self, client: PoliteClient, base_url: str = OAI_URL):
        self.client = client
        self.base_url = base_url
        self.deleted = 0  # deleted records seen by the last list_records
        self.skipped = 0
        self.pages = 0

    def _fetch(self, params: dict[str, str]) -> OAIPage:
        parsed: list[OAIPage] = []
        resuming = "resumptionToken" in params

        def validate(response: httpx.Response) -> None:
            try:
                page = parse_list_records(response.content, str(response.url))
            except OAIError:
                raise
            except FeedParseError as exc:
                # A truncated or garbled page is usually a hiccup: let the client retry it.
                raise RetryableResponse(str(exc), str(response.url)) from exc
            if resuming and not (page.papers or page.deleted or page.skipped):
                # A token promised more records; an empty answer to it is a fault, not the end
                # (OAI-PMH allows noRecordsMatch only for a first request).
                raise RetryableResponse("no records in answer to a resumptionToken", str(response.url))
            parsed.append(page)

        try:
            self.client.get(self.base_url, params=params, accept=_ACCEPT, validate=validate)
        except BadStatus as exc:
            # Some OAI-PMH servers send their error documents with a 4xx status.
            page = self._error_page(exc)
            if page is None:
                raise
            return page
        return parsed[-1]

    @staticmethod
    def _error_page(exc: BadStatus) -> OAIPage | None:
        body = (exc.body or "").encode("utf-8")
        if b"<error" not in body:
            return None
        try:
            return parse_list_records(body, exc.url)
        except FeedParseError:
            return None

    def list_records(
        self,
        set_spec: str | None,
        from_: date,
        until: date,
        metadata_prefix: str = "arXivRaw",
    ) -> Iterator[Paper]:
        """Papers whose records changed between ``from_`` and ``until`` (inclusive, UTC
        datestamps) in ``set_spec`` (e.g. "cs", "cs:cs:AI", "physics:hep-th"; None for all)."""
        if metadata_prefix not in METADATA_PREFIXES:
            raise ValueError(f"metadata_prefix must be one of {sorted(METADATA_PREFIXES)}")
        if until < from_:
            raise ValueError(f"until ({until}) is before from ({from_})")
        self.deleted = self.skipped = self.pages = 0
        params: dict[str, str] = {
            "verb": "ListRecords",
            "metadataPrefix": metadata_prefix,
            "from": from_.isoformat(),
            "until": until.isoformat(),
        }
        if set_spec:
            params["set"] = set_spec
        seen_tokens: set[str] = set()
        while True:
            page = self._fetch(params)
            self.pages += 1
            self.deleted += page.deleted
            self.skipped += page.skipped
            yield from page.papers
            if page.token is None:
                return
            if page.token in seen_tokens or self.pages >= _MAX_PAGES:
                raise FeedParseError(
                    f"OAI-PMH resumption token {page.token[:40]!r} repeats: the harvest loops",
                    self.base_url,
                )
            seen_tokens.add(page.token)
            # A resumption request carries the verb and the token only (OAI-PMH 2.0, 3.5).
            params = {"verb": "ListRecords", "resumptionToken": page.token}
