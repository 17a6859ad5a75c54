"""From the AST back to arXiv, and from cv-arxiv-daily's keyword lists to the AST.

``to_api`` writes every operator and every nested group out explicitly, so arXiv (whose Lucene
has no real precedence and defaults to OR) is sent exactly the query we evaluate locally, and
``parse(to_api(node)) == node``. The string is not URL-encoded; the HTTP client does that.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from arxiv_radar.errors import QuerySyntaxError

from .nodes import DATE_FIELDS, FIELDS, And, AndNot, DateRange, Node, Or, Term
from .text import words as text_words

__all__ = ["to_api", "from_filters", "with_exclusions"]

# A bare value may not hold what would end it or change its meaning when read back.
_BAD_IN_WORD = re.compile(r'[\s()"\[\]+*]')
_BAD_IN_PHRASE = re.compile(r'["+]')
_KNOWN_PREFIX = re.compile(
    r"(?i)(?:" + "|".join((*FIELDS, *DATE_FIELDS)) + r"):"
)
# Characters a filter cannot carry into a query; none of them is a letter or digit, so
# dropping them does not change what the filter matches.
_FILTER_JUNK = re.compile(r'["()\[\]+*]')


def _value(term: Term) -> str:
    if term.phrase:
        for w in term.words:
            if _BAD_IN_PHRASE.search(w):
                raise ValueError(f"phrase word {w!r} cannot be written in an arXiv query")
        return '"' + " ".join(term.words) + '"'
    word = term.words[0]
    if _BAD_IN_WORD.search(word) or _KNOWN_PREFIX.match(word):
        raise ValueError(f"word {word!r} cannot be written in an arXiv query")
    return word + ("*" if term.wildcard else "")


def _render(node: Node) -> str:
    if isinstance(node, Term):
        return f"{node.field}:{_value(node)}"
    if isinstance(node, DateRange):
        return f"{node.field}:[{node.start:%Y%m%d%H%M} TO {node.end:%Y%m%d%H%M}]"
    if isinstance(node, And):
        return " AND ".join(_wrap(n) for n in node.items)
    if isinstance(node, Or):
        return " OR ".join(_wrap(n) for n in node.items)
    if isinstance(node, AndNot):
        return f"{_wrap(node.left)} ANDNOT {_wrap(node.right)}"
    raise TypeError(f"not a query node: {node!r}")


def _wrap(node: Node) -> str:
    text = _render(node)
    return f"({text})" if isinstance(node, (And, Or, AndNot)) else text


def to_api(node: Node) -> str:
    """The arXiv API ``search_query`` for ``node``, e.g. ``au:del_maestro ANDNOT (ti:a OR ti:b)``."""
    return _render(node)


def _filter_term(text: object, what: str) -> Term:
    if not isinstance(text, str):
        raise QuerySyntaxError(f"{what} must be text, not {type(text).__name__}: {text!r}", str(text), 0)
    pieces = _FILTER_JUNK.sub(" ", text).split()
    if not text_words(" ".join(pieces)):
        raise QuerySyntaxError(f"{what} {text!r} has no letters or digits to search for", text, 0)
    if len(pieces) == 1 and ":" not in pieces[0]:
        return Term("all", (pieces[0],))
    # Several words, or one holding a colon that would read as a field prefix: a phrase.
    return Term("all", tuple(pieces), phrase=True)


def _any_of(items: Iterable[object], what: str) -> Node:
    if isinstance(items, str):
        items = [items]  # a lone string in YAML is one filter, not its letters
    terms = list(dict.fromkeys(_filter_term(t, what) for t in items))
    if not terms:
        raise QuerySyntaxError(f"an empty {what} list matches nothing", "", 0)
    return terms[0] if len(terms) == 1 else Or(tuple(terms))


def from_filters(filters: list[str]) -> Node:
    """cv-arxiv-daily's ``filters:``: any of the phrases, in any field.

    One word becomes a term (``all:SLAM``), several a phrase (``all:"Visual Odometry"``).
    """
    return _any_of(filters, "filter")


def with_exclusions(node: Node, exclude: list[str]) -> Node:
    """``node ANDNOT (any of exclude)``; ``node`` itself when there is nothing to exclude."""
    if not exclude:
        return node
    return AndNot(node, _any_of(exclude, "exclusion"))
