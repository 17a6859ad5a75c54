"""Write papers as arXiv's 2026 API Atom serialization (and its error feed).

The layout copies the recorded responses in fixtures/arxiv-api/2026: namespaces declared on the
root, the opensearch counters before the entries, and inside an entry the order id, title,
updated, links, summary, categories, published, comment, primary_category, journal_ref,
authors, doi. Strings are assembled by hand (not ElementTree) for that exact order and for
speed on 2,000-entry pages; every text goes through ``_text``/``_attr``, which escape markup and
drop the characters XML 1.0 forbids (C0 controls, lone surrogates, U+FFFE/U+FFFF), so a hostile
title still yields a well-formed document.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from datetime import datetime, timezone
from urllib.parse import quote

from arxiv_radar.model import Paper

__all__ = ["atom_datetime", "clean_xml_text", "write_error_feed", "write_feed"]

CONTENT_TYPE = "application/atom+xml; charset=utf-8"
_ARXIV_NS = "http://arxiv.org/schemas/atom"
_ROOT_OPEN = (
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
    f'xmlns:arxiv="{_ARXIV_NS}" xmlns="http://www.w3.org/2005/Atom">\n'
)

# Everything outside XML 1.0's Char production: #x9 | #xA | #xD | [#x20-#xD7FF] |
# [#xE000-#xFFFD] | [#x10000-#x10FFFF].
_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean_xml_text(text: str) -> str:
    """Drop characters that may not appear in an XML 1.0 document."""
    return _FORBIDDEN.sub("", text)


def _text(value: str) -> str:
    value = clean_xml_text(value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(value: str) -> str:
    # Newlines and tabs in attributes would be normalised to spaces by a parser; keep them.
    return (
        _text(value)
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
        .replace("\t", "&#9;")
    )


def atom_datetime(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _entry(paper: Paper) -> str:
    vid = f"{paper.id}v{paper.version}"
    out = [
        "  <entry>\n",
        f"    <id>http://arxiv.org/abs/{_text(vid)}</id>\n",
        f"    <title>{_text(paper.title)}</title>\n",
        f"    <updated>{atom_datetime(paper.updated or paper.published)}</updated>\n",
        f'    <link href="https://arxiv.org/abs/{_attr(vid)}" rel="alternate" type="text/html"/>\n',
        f'    <link href="https://arxiv.org/pdf/{_attr(vid)}" rel="related" '
        'type="application/pdf" title="pdf"/>\n',
        f"    <summary>{_text(paper.abstract)}</summary>\n",
    ]
    for cat in paper.categories:
        out.append(f'    <category term="{_attr(cat)}" scheme="{_ARXIV_NS}"/>\n')
    out.append(f"    <published>{atom_datetime(paper.published)}</published>\n")
    if paper.comment:
        out.append(f"    <arxiv:comment>{_text(paper.comment)}</arxiv:comment>\n")
    if paper.primary_category:
        out.append(f'    <arxiv:primary_category term="{_attr(paper.primary_category)}"/>\n')
    if paper.journal_ref:
        out.append(f"    <arxiv:journal_ref>{_text(paper.journal_ref)}</arxiv:journal_ref>\n")
    for author in paper.authors:
        out.append(f"    <author>\n      <name>{_text(author.name)}</name>\n")
        for aff in author.affiliations:
            out.append(f"      <arxiv:affiliation>{_text(aff)}</arxiv:affiliation>\n")
        out.append("    </author>\n")
    if paper.doi:
        out.append(f"    <arxiv:doi>{_text(paper.doi)}</arxiv:doi>\n")
        out.append(
            f'    <link rel="related" href="https://doi.org/{_attr(paper.doi)}" title="doi"/>\n'
        )
    out.append("  </entry>\n")
    return "".join(out)


def _feed_id(base_url: str, title: str) -> str:
    # arXiv's feed id is an opaque 27-character hash of the query; any stable hash will do.
    digest = base64.b64encode(hashlib.sha1(title.encode("utf-8")).digest()).decode("ascii")
    return f"{base_url}/api/{digest.rstrip('=')}"


def write_feed(
    papers: Iterable[Paper],
    *,
    search_query: str,
    id_list: str,
    start: int,
    max_results: int,
    total_results: int,
    base_url: str = "https://arxiv.org",
    now: datetime | None = None,
) -> bytes:
    """One page of results as UTF-8 bytes, shaped like arXiv's 2026 responses."""
    now = now or datetime.now(timezone.utc)
    title = (
        f"arXiv Query: search_query={search_query}&id_list={id_list}"
        f"&start={start}&max_results={max_results}"
    )
    link = (
        f"{base_url}/api/query?search_query={search_query}&start={start}"
        f"&max_results={max_results}&id_list={id_list}"
    )
    head = [
        _ROOT_OPEN,
        f"  <id>{_text(_feed_id(base_url, title))}</id>\n",
        f"  <title>{_text(title)}</title>\n",
        f"  <updated>{atom_datetime(now)}</updated>\n",
        f'  <link href="{_attr(link)}" type="application/atom+xml"/>\n',
        f"  <opensearch:itemsPerPage>{max_results}</opensearch:itemsPerPage>\n",
        f"  <opensearch:totalResults>{total_results}</opensearch:totalResults>\n",
        f"  <opensearch:startIndex>{start}</opensearch:startIndex>\n",
    ]
    body = "".join(head) + "".join(_entry(p) for p in papers) + "</feed>\n"
    # clean_xml_text removed lone surrogates, so strict UTF-8 encoding cannot fail.
    return body.encode("utf-8")


def _error_anchor(message: str) -> str:
    # "incorrect id format for abc" -> "incorrect_id_format_for_abc", kept URL-safe.
    return quote(clean_xml_text(message).replace(" ", "_"), safe="._-,/:")


def write_error_feed(message: str, *, now: datetime | None = None) -> bytes:
    """arXiv's error feed: one entry whose id points at api/errors and whose summary explains."""
    now_text = atom_datetime(now or datetime.now(timezone.utc))
    href = f"https://arxiv.org/api/errors#{_error_anchor(message)}"
    body = (
        _ROOT_OPEN
        + "  <id>https://arxiv.org/</id>\n"
        "  <title>arXiv Search Results</title>\n"
        f"  <updated>{now_text}</updated>\n"
        "  <opensearch:itemsPerPage>1</opensearch:itemsPerPage>\n"
        "  <opensearch:totalResults>1</opensearch:totalResults>\n"
        "  <opensearch:startIndex>0</opensearch:startIndex>\n"
        "  <entry>\n"
        f"    <id>{_text(href)}</id>\n"
        "    <title>Error</title>\n"
        f"    <updated>{now_text}</updated>\n"
        f'    <link href="{_attr(href)}" rel="alternate" type="text/html"/>\n'
        f"    <summary>{_text(message)}</summary>\n"
        "    <author>\n      <name>arXiv api core</name>\n    </author>\n"
        "  </entry>\n"
        "</feed>\n"
    )
    return body.encode("utf-8")
