"""The site's search index, one part at a time: plain JSON files that static/site.js reads.

Why not Pagefind: measured on the bench corpus (docs/benchmarks.md), Pagefind spends about
1.8 ms and 130 KB of memory per page and writes one file per page, so 100,000 papers cost
minutes and gigabytes even split into bundles, and two builds over the same pages differ in
bytes. This index is built in well under a millisecond per paper, its files are a function of
the papers alone (byte-identical from build to build), and a part's files do not depend on any
other part, so a daily run rewrites only the parts whose papers changed.

A part's folder (``search/<part>/``) holds:

``docs.json``
    one entry per paper in part order (date, then id): ``days`` (days since 1970-01-01,
    delta-coded), ``len`` (words, for ranking), ``code`` and ``topics`` (the papers that have
    a code link / are in each topic, as delta-coded paper numbers).
``c<N>.json``
    the papers ``N*CHUNK .. N*CHUNK+CHUNK-1`` as shown in results: id, title, authors,
    abstract, code link, date, topic slugs. A result list loads only the chunks it shows.
``t<K>.json``
    the inverted index, split in ``shards`` files by a hash of each term's first three
    characters (so a query word and every longer word it prefixes live in one file): term ->
    ``"paper deltas...,weights..."`` (two halves of one comma-separated list of numbers).

Words are lower-cased runs of letters and digits, with a light English plural fold; the same
rules are in static/site.js (``tokens``, ``fold``, ``bucket``), and tests check both agree.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import operator
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["CHUNK", "FORMAT", "PartIndex", "bucket", "fold", "index_part", "shard_count", "tokens"]

FORMAT = 1  # bump when the files' layout changes: every part is rebuilt
# Papers per result chunk: a page of 20 results from all over the site loads up to 20 chunks,
# so they are small (about 16 KB, a third of that gzipped as served).
CHUNK = 16
# Field weights in the ranking: a word in the title counts as five in the abstract.
WEIGHTS = {"title": 5, "authors": 3, "abstract": 1}
_WORD = re.compile(r"[^\W_]+")  # letters and digits of any script; the JS uses [\p{L}\p{N}]+
_EPOCH = dt.date(1970, 1, 1)


def tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def fold(word: str) -> str:
    """Plural to singular for the common English cases, the same in site.js: "models" finds
    "model", "studies" finds "study". Deliberately light: a query and the text are folded
    alike, so a wrong fold ("series" -> "sery") still matches itself."""
    if word[-1:] != "s":  # most words: nothing to fold
        return word
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def bucket(term: str, shards: int) -> int:
    """The shard of a term: a 32-bit hash of its first three code points (site.js: ``bucket``)."""
    h = 0
    for ch in term[:3]:
        h = (h * 31 + ord(ch)) & 0xFFFFFFFF
    return h % shards


def shard_count(papers: int) -> int:
    # A query word loads one shard per part: about 64 papers' worth of postings per shard
    # (some 60 KB, a third of that gzipped as served), at most 256 files for a big part.
    return max(1, min(256, papers // 64))


@dataclass(frozen=True)
class Doc:
    """One paper as the index needs it; every text is already cleaned (plain text)."""

    id: str
    title: str
    authors: str
    abstract: str
    date: str  # YYYY-MM-DD
    code_url: str | None
    topics: tuple[str, ...]  # slugs


@dataclass
class PartIndex:
    """The files of one part: relative path inside the part's folder -> bytes; plus stats."""

    files: dict[str, bytes]
    docs: int
    words: int  # total words (for the site-wide average length)


def _json(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def _deltas(numbers: Iterable[int]) -> list[int]:
    out, last = [], 0
    for n in numbers:
        out.append(n - last)
        last = n
    return out


def _merge(a: list[int], b: list[int]) -> list[int]:
    """Two flat [paper, weight, ...] lists as one, papers in order, weights of a paper added."""
    weights: dict[int, int] = {}
    for flat in (a, b):
        for i in range(0, len(flat), 2):
            weights[flat[i]] = weights.get(flat[i], 0) + flat[i + 1]
    return [x for paper in sorted(weights) for x in (paper, weights[paper])]


def index_part(docs: list[Doc], topic_slugs: list[str]) -> PartIndex:
    """Build a part's files from its papers, given in part order (date, then id)."""
    # The hot loop of a site build (every word of every paper): plain dicts and lists, one
    # flat [paper, weight, paper, weight, ...] list per term; see the bench for its speed.
    postings: dict[str, list[int]] = {}
    lengths: list[int] = []
    days: list[int] = []
    code: list[int] = []
    in_topic: dict[str, list[int]] = {slug: [] for slug in topic_slugs}
    title_w, authors_w = WEIGHTS["title"], WEIGHTS["authors"]
    findall = _WORD.findall
    for n, doc in enumerate(docs):
        words = findall(doc.abstract.lower())
        title = findall(doc.title.lower())
        authors = findall(doc.authors.lower())
        counts = Counter(words)
        for word in title:
            counts[word] += title_w
        for word in authors:
            counts[word] += authors_w
        for word, weight in counts.items():
            plist = postings.get(word)
            if plist is None:
                postings[word] = [n, weight]
            else:
                plist += (n, weight)
        lengths.append(len(words) + len(title) + len(authors))
        days.append((dt.date.fromisoformat(doc.date) - _EPOCH).days)
        if doc.code_url:
            code.append(n)
        for slug in doc.topics:
            if slug in in_topic:
                in_topic[slug].append(n)

    files: dict[str, bytes] = {}
    files["docs.json"] = _json(
        {
            "days": _deltas(days),
            "len": lengths,
            "code": _deltas(code),
            "topics": {slug: _deltas(ns) for slug, ns in in_topic.items() if ns},
        }
    )
    for start in range(0, len(docs), CHUNK):
        rows = [
            [d.id, d.title, d.authors, d.abstract, d.code_url, d.date, list(d.topics)]
            for d in docs[start : start + CHUNK]
        ]
        files[f"c{start // CHUNK}.json"] = _json(rows)
    # Words are folded here, once per distinct word rather than once per paper and word;
    # words that fold alike ("model", "models") have their postings merged.
    terms: dict[str, list[int]] = {}
    for word, flat in postings.items():
        term = fold(word)
        known = terms.get(term)
        terms[term] = flat if known is None else _merge(known, flat)
    del postings
    shards = shard_count(len(docs))
    split: list[dict[str, str]] = [{} for _ in range(shards)]
    for term, flat in terms.items():
        # Stored as [paper deltas..., weights...]: small numbers, short JSON.
        # One string per term: encoding a string is much cheaper than a list of numbers.
        numbers = flat[0::2]
        deltas = map(operator.sub, numbers, [0, *numbers[:-1]])
        split[bucket(term, shards)][term] = ",".join(map(str, itertools.chain(deltas, flat[1::2])))
    for k, terms in enumerate(split):
        files[f"t{k}.json"] = _json(terms)
    return PartIndex(files=files, docs=len(docs), words=sum(lengths))
