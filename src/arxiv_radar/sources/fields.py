"""Small text helpers shared by the OAI-PMH and RSS parsers: whitespace, author lists,
category lists, and reading XML safely."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import xml.etree.ElementTree as ET
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeET

from ..errors import FeedParseError
from ..model import Author

__all__ = ["collapse", "local_name", "optional", "parse_xml", "split_authors", "unique_categories"]

# Name suffixes that a comma-separated author list splits off as if they were authors.
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})


def collapse(text: str | None) -> str:
    """Trim and collapse every run of whitespace to one space (arXiv wraps at ~80 columns)."""
    if not text:
        return ""
    return " ".join(text.split())


def optional(text: str | None) -> str | None:
    return collapse(text) or None


def local_name(tag: str) -> str:
    """``{namespace}name`` -> ``name``: some recorded responses omit the metadata namespace."""
    return tag.rsplit("}", 1)[-1]


# Anything that opens a markup declaration other than a comment or CDATA: <!DOCTYPE, <!ENTITY...
_DECLARATION = re.compile(rb"<!(?![-\[])")
_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_PLAIN_ENCODINGS = {b"utf-8", b"utf8", b"us-ascii", b"ascii"}


def _plainly_safe(data: bytes) -> bool:
    """True when the document cannot declare entities: UTF-8 or ASCII, and no DTD at all.

    Without a DTD there are no entity declarations, hence no entity bomb and no external
    entity, so the C parser may read it. Anything else goes through defusedxml's checks.
    """
    if not data.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<"):
        return False  # not ASCII-compatible at all (UTF-16, EBCDIC...): let the strict path judge
    m = _XML_DECL.match(data[:200])
    if m and m.group(1).lower() not in _PLAIN_ENCODINGS:
        return False
    return _DECLARATION.search(data) is None


def safe_fromstring(data: bytes) -> Element:
    """Parse untrusted XML: the fast C parser when no DTD can be present, else defusedxml
    with DTDs forbidden. Raises defusedxml's exceptions or ParseError, for callers to word."""
    if _plainly_safe(data):
        return ET.fromstring(data)
    return SafeET.fromstring(data, forbid_dtd=True)


def parse_xml(data: bytes, what: str) -> Element:
    """Parse XML with DTDs refused (arXiv never sends one); FeedParseError on trouble."""
    if not data or not data.strip():
        raise FeedParseError(f"empty response body where {what} was expected")
    try:
        return safe_fromstring(data)
    except defusedxml.DTDForbidden:
        raise FeedParseError(f"refused {what} with a DTD (arXiv responses never declare one)") from None
    except (defusedxml.EntitiesForbidden, defusedxml.ExternalReferenceForbidden):
        raise FeedParseError(f"refused {what} that declares entities") from None
    except ParseError as exc:
        raise FeedParseError(f"{what} is not well-formed XML: {exc}") from None


def rfc2822_utc(text: str | None) -> datetime | None:
    """An RFC 2822 date ("Mon, 2 Apr 2007 19:18:42 GMT") as aware UTC; None when absent or bad."""
    raw = collapse(text)
    if not raw:
        return None
    try:
        value = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def unique_categories(names: list[str]) -> tuple[str, ...]:
    """Categories in the order given (the first is primary), without duplicates or blanks."""
    seen: dict[str, None] = {}
    for name in names:
        name = name.strip()
        if name:
            seen.setdefault(name, None)
    return tuple(seen)


def _split_top_level(text: str) -> list[str]:
    # Split on commas and the word "and", but not inside parentheses: affiliations such as
    # "(MIT and Harvard, USA)" stay with their author.
    parts: list[str] = []
    buf: list[str] = []
    depth = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        if depth == 0:
            if ch in ",;":
                parts.append("".join(buf))
                buf = []
                i += 1
                continue
            if text.startswith(" and ", i):
                parts.append("".join(buf))
                buf = []
                i += 5
                continue
        buf.append(ch)
        i += 1
    parts.append("".join(buf))
    return [p.strip() for p in parts]


def _name_and_affiliations(part: str) -> tuple[str, list[str]]:
    name: list[str] = []
    affiliations: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in part:
        if ch == "(":
            if depth > 0:
                current.append(ch)
            depth += 1
        elif ch == ")" and depth > 0:
            depth -= 1
            if depth == 0:
                affiliations.append(collapse("".join(current)))
                current = []
            else:
                current.append(ch)
        elif depth > 0:
            current.append(ch)
        else:
            name.append(ch)
    if current:  # an unclosed parenthesis: keep the text rather than lose it
        affiliations.append(collapse("".join(current)))
    return collapse("".join(name)), [a for a in affiliations if a]


# "A. One (1), B. Two (1, 2) ((1) MIT, (2) Oxford)": numbered marks and a legend at the end.
_MARKS = re.compile(r"^\d+(?:\s*,\s*\d+)*$")
_LEGEND = re.compile(r"\((\d+)\)\s*(.*?)\s*,?\s*(?=\(\d+\)|$)")


def _is_legend(text: str) -> bool:
    return bool(re.match(r"^\(\d+\)", text))


def split_authors(text: str | None) -> tuple[Author, ...]:
    """An arXiv author string ("A. One (MIT), B. Two and C. Three") as Authors.

    Parenthesised text after a name becomes its affiliations; numbered marks are resolved
    through a trailing "((1) MIT, (2) Oxford)" legend when there is one, else dropped.
    "Jr." and the like that a comma split off are joined back to the name before them.
    """
    raw: list[tuple[str, list[str]]] = []
    legend: dict[str, str] = {}
    for part in _split_top_level(collapse(text)):
        if not part:
            continue
        name, affiliations = _name_and_affiliations(part)
        for a in [a for a in affiliations if _is_legend(a)]:
            legend.update((n, collapse(v)) for n, v in _LEGEND.findall(a) if collapse(v))
            affiliations.remove(a)
        if not name:
            continue  # a legend block standing alone
        if name.lower() in _SUFFIXES and raw:
            prev_name, prev_affs = raw[-1]
            raw[-1] = (f"{prev_name} {name}", prev_affs + affiliations)
            continue
        raw.append((name, affiliations))
    authors: list[Author] = []
    for name, affiliations in raw:
        resolved: list[str] = []
        for a in affiliations:
            if _MARKS.match(a):
                resolved.extend(legend[n.strip()] for n in a.split(",") if n.strip() in legend)
            else:
                resolved.append(a)
        authors.append(Author(name, tuple(dict.fromkeys(resolved))))
    return tuple(authors)
