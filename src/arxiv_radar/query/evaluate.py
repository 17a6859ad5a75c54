"""Evaluate a query AST against a paper, locally, the way arXiv's search would match it.

Text fields are compared as stemmed, diacritic-folded tokens (see ``text``); a phrase matches
consecutive tokens inside one field value (one author's name, the title, ...), never across two.
``cat:`` and ``id:`` compare identifiers: ``cat:cs`` is the whole archive, ``cat:cs.*`` the same
by wildcard, ``id:`` ignores versions.

Speed matters (a topic set is run over every new paper, and over a million on a rebuild):
``PaperText`` tokenizes a paper once, lazily per field, and each AST is compiled once into
nested closures.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from arxiv_radar.model import Paper, parse_arxiv_id

from .compile import to_api
from .nodes import And, AndNot, DateRange, Node, Or, Term
from .text import stems
from .text import tokens as text_tokens

__all__ = ["PaperText", "matches", "explain"]

# The fields ``all:`` covers, and the order ``explain`` names the one a term was found in.
_ALL_PARTS = ("ti", "au", "abs", "co", "jr", "cat", "rn", "id")


class _FieldText:
    """One field's tokens: per value (segment) sequences, and sets for quick rejection."""

    __slots__ = ("raw", "stem", "stem_set", "_raw_set")

    def __init__(
        self,
        raw: tuple[tuple[str, ...], ...],
        stem: tuple[tuple[str, ...], ...],
        stem_set: frozenset[str] | None = None,
    ):
        self.raw = raw
        self.stem = stem
        self.stem_set = frozenset().union(*stem) if stem_set is None else stem_set
        self._raw_set: frozenset[str] | None = None

    @property
    def raw_set(self) -> frozenset[str]:
        # Only wildcards need the unstemmed words as a set: built on first use.
        if self._raw_set is None:
            self._raw_set = frozenset().union(*self.raw)
        return self._raw_set


def _values(paper: Paper, field: str) -> tuple[str, ...]:
    if field == "ti":
        return (paper.title,)
    if field == "au":
        return tuple(a.name for a in paper.authors)
    if field == "abs":
        return (paper.abstract,)
    if field == "co":
        return (paper.comment,) if paper.comment else ()
    if field == "jr":
        return (paper.journal_ref,) if paper.journal_ref else ()
    if field == "rn":
        return (paper.report_no,) if paper.report_no else ()
    if field == "cat":
        return paper.categories
    if field == "id":
        return (paper.id,)
    raise KeyError(field)


class PaperText:
    """A paper's searchable text, tokenized once (lazily, field by field) and then reused.

    Build one per paper with ``PaperText.of(paper)`` and pass it to ``matches``/``explain`` for
    every topic; passing the Paper itself works too (the last paper's PaperText is kept).
    """

    __slots__ = ("paper", "_fields")

    def __init__(self, paper: Paper):
        self.paper = paper
        self._fields: dict[str, _FieldText] = {}

    @classmethod
    def of(cls, paper: "Paper | PaperText") -> "PaperText":
        global _last
        if isinstance(paper, PaperText):
            return paper
        last = _last
        # Papers are frozen, and we hold the reference, so identity is a safe key.
        if last is not None and last.paper is paper:
            return last
        pt = cls(paper)
        _last = pt
        return pt

    def field(self, name: str) -> _FieldText:
        ft = self._fields.get(name)
        if ft is None:
            if name == "all":
                parts = [self.field(p) for p in _ALL_PARTS]
                ft = _FieldText(
                    tuple(seg for p in parts for seg in p.raw),
                    tuple(seg for p in parts for seg in p.stem),
                    frozenset().union(*(p.stem_set for p in parts)),
                )
            else:
                pairs = [text_tokens(v) for v in _values(self.paper, name) if v]
                ft = _FieldText(tuple(p[0] for p in pairs), tuple(p[1] for p in pairs))
            self._fields[name] = ft
        return ft


_last: PaperText | None = None

_Matcher = Callable[[PaperText], bool]


def _has_sequence(segs: tuple[tuple[str, ...], ...], seq: tuple[str, ...]) -> bool:
    n = len(seq)
    first = seq[0]
    for seg in segs:
        if len(seg) < n:
            continue
        start = 0
        while True:
            try:
                i = seg.index(first, start, len(seg) - n + 1)
            except ValueError:
                break
            if seg[i : i + n] == seq:
                return True
            start = i + 1
    return False


def _has_prefixed_sequence(ft: _FieldText, head: tuple[str, ...], prefix: str) -> bool:
    """``head`` (stems) immediately followed by a token starting with ``prefix``."""
    n = len(head)
    for raw, stem in zip(ft.raw, ft.stem):
        for i in range(len(stem) - n):
            if stem[i : i + n] == head and (raw[i + n].startswith(prefix) or stem[i + n].startswith(prefix)):
                return True
    return False


def _text_matcher(term: Term) -> _Matcher:
    field = term.field
    joined = " ".join(term.words)
    if term.wildcard:
        # The prefix is compared with both the folded words and their stems: arXiv's Lucene
        # expands wildcards over its (stemmed) index, a reader expects the written words.
        raw, stemmed = text_tokens(joined)
        if not raw:
            return lambda pt: False
        prefix, head = raw[-1], stemmed[:-1]
        if not head:
            def match_prefix(pt: PaperText) -> bool:
                ft = pt.field(field)
                return any(t.startswith(prefix) for t in ft.raw_set) or any(
                    t.startswith(prefix) for t in ft.stem_set
                )

            return match_prefix

        def match_prefixed_phrase(pt: PaperText) -> bool:
            ft = pt.field(field)
            if not all(t in ft.stem_set for t in head):
                return False
            return _has_prefixed_sequence(ft, head, prefix)

        return match_prefixed_phrase

    seq = stems(joined)
    if not seq:
        return lambda pt: False
    if len(seq) == 1:
        token = seq[0]
        return lambda pt: token in pt.field(field).stem_set
    needed = frozenset(seq)

    def match_phrase(pt: PaperText) -> bool:
        ft = pt.field(field)
        return needed <= ft.stem_set and _has_sequence(ft.stem, seq)

    return match_phrase


def _category_matcher(term: Term) -> _Matcher:
    want = term.words[0].lower()
    if term.wildcard:
        return lambda pt: any(c.lower().startswith(want) for c in pt.paper.categories)
    archive = want + "."
    # cat:cs matches every cs.* category, as arXiv does; cat:cs.CV only cs.CV.
    return lambda pt: any((c := cat.lower()) == want or c.startswith(archive) for cat in pt.paper.categories)


def _id_matcher(term: Term) -> _Matcher:
    value = term.words[0]
    if term.wildcard:
        want = value.lower()
        return lambda pt: pt.paper.id.lower().startswith(want)
    try:
        want = parse_arxiv_id(value)[0].lower()
    except ValueError:
        want = value.lower()
    return lambda pt: pt.paper.id.lower() == want


def _date_matcher(node: DateRange) -> _Matcher:
    start, stop = node.start, node.end + timedelta(minutes=1)  # the end minute is included
    updated = node.field == "lastUpdatedDate"

    def match_date(pt: PaperText) -> bool:
        p = pt.paper
        when: datetime = (p.updated or p.published) if updated else p.published
        if when.tzinfo is None:  # model promises UTC; be lenient with naive values
            when = when.replace(tzinfo=timezone.utc)
        return start <= when < stop

    return match_date


def _build(node: Node) -> _Matcher:
    if isinstance(node, Term):
        if node.field == "cat":
            return _category_matcher(node)
        if node.field == "id":
            return _id_matcher(node)
        return _text_matcher(node)
    if isinstance(node, And):
        subs = tuple(_build(n) for n in node.items)
        return lambda pt: all(f(pt) for f in subs)
    if isinstance(node, Or):
        subs = tuple(_build(n) for n in node.items)
        return lambda pt: any(f(pt) for f in subs)
    if isinstance(node, AndNot):
        left, right = _build(node.left), _build(node.right)
        return lambda pt: left(pt) and not right(pt)
    if isinstance(node, DateRange):
        return _date_matcher(node)
    raise TypeError(f"not a query node: {node!r}")


# Compiled matchers by node identity; the node is kept alive alongside so ids stay unique.
_compiled: dict[int, tuple[Node, _Matcher]] = {}
_COMPILED_MAX = 4096


def _matcher(node: Node) -> _Matcher:
    hit = _compiled.get(id(node))
    if hit is not None and hit[0] is node:
        return hit[1]
    fn = _build(node)
    if len(_compiled) >= _COMPILED_MAX:
        _compiled.clear()
    _compiled[id(node)] = (node, fn)
    return fn


def matches(node: Node, paper: Paper | PaperText) -> bool:
    """True when ``paper`` satisfies the query ``node``."""
    return _matcher(node)(PaperText.of(paper))


def _label(node: Term | DateRange, field: str | None = None) -> str:
    if isinstance(node, Term) and field is not None:
        node = Term(field, node.words, node.phrase, node.wildcard)
    return to_api(node)


def _explain(node: Node, pt: PaperText) -> list[str] | None:
    if isinstance(node, Term):
        if not _matcher(node)(pt):
            return None
        if node.field != "all":
            return [_label(node)]
        # Name the field the words were found in: more useful than "all:".
        for part in _ALL_PARTS:
            # Text matching in every part, as all: does (cat:/id: alone compare identifiers).
            if _text_matcher(Term(part, node.words, node.phrase, node.wildcard))(pt):
                return [_label(node, part)]
        return [_label(node)]
    if isinstance(node, DateRange):
        return [_label(node)] if _matcher(node)(pt) else None
    if isinstance(node, And):
        out: list[str] = []
        for item in node.items:
            sub = _explain(item, pt)
            if sub is None:
                return None
            out.extend(sub)
        return out
    if isinstance(node, Or):
        out = []
        for item in node.items:
            sub = _explain(item, pt)
            if sub is not None:
                out.extend(sub)
        return out or None
    if isinstance(node, AndNot):
        if _matcher(node.right)(pt):
            return None
        return _explain(node.left, pt)
    raise TypeError(f"not a query node: {node!r}")


def explain(node: Node, paper: Paper | PaperText) -> str | None:
    """None when ``paper`` does not match; else the matching clauses, e.g. ``abs:"deepfake detection"``."""
    parts = _explain(node, PaperText.of(paper))
    if not parts:
        return None
    return ", ".join(dict.fromkeys(parts))  # keep order, drop repeats
