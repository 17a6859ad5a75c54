"""Text a service sent back, made safe to log, report and store.

An error body may echo the request URL (many web frameworks do on a 404), and a webhook's URL
carries its secret token in the path. So nothing a service returns is kept verbatim: URLs,
query strings, e-mail-like ``user@host`` pairs and token-like strings (long runs of letters,
digits and ``-_`` with digits in them, hex and base64 blobs) are replaced, control characters
collapse to spaces, and the result is short. Every stage that talks HTTP (sources, enrich,
deliver, doctor) passes such text through :func:`scrub` before it goes anywhere.
"""

from __future__ import annotations

import re

__all__ = ["scrub", "SCRUB_CHARS"]

SCRUB_CHARS = 200

_URL = re.compile(r"(?i)\b[a-z][a-z0-9+.-]{1,15}://\S*|\bwww\.\S+")
# /path/segments and ?query=strings left without their scheme.
_PATHISH = re.compile(r"(?:/[^\s/]+){2,}/?|\?\S*")
_QUERYISH = re.compile(r"\b[\w.-]+=[^\s&]+(?:&[\w.-]+=[^\s&]*)*")
_EMAILISH = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
# A "word" of 16+ token characters that holds a digit (or is all-hex / base64-ish): an id,
# a key, a signature. Ordinary words and numbers are shorter or have no digits.
_TOKENISH = re.compile(r"[A-Za-z0-9_\-+/=.~]{16,}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def _token(match: re.Match) -> str:
    word = match.group()
    if any(c.isdigit() for c in word) or len(word) >= 32:
        return "[token]"
    return word


def scrub(text: object, limit: int = SCRUB_CHARS) -> str:
    """``text`` without URLs, query strings, e-mail addresses or token-like strings; one line,
    at most ``limit`` characters."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = str(text)[: limit * 20]  # bound the work before the regexes run
    text = _CONTROL.sub(" ", text)
    text = _URL.sub("[url]", text)
    text = _EMAILISH.sub("[address]", text)
    text = _QUERYISH.sub("[query]", text)
    text = _PATHISH.sub("[path]", text)
    text = _TOKENISH.sub(_token, text)
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text
