"""Warnings about a topic's query that parse fine but do not do what the user meant.

- a lowercase ``and``, ``or`` or ``not`` between terms: arXiv's search reads them as words to
  find (only AND, OR and ANDNOT are operators), so ``radar and sonar`` asks for a paper with
  the word "and" in it;
- a category that is not in arXiv's taxonomy (``categories.json``, shipped with the package),
  or a defunct archive no new paper is filed under.

``doctor`` lists them; ``run`` and ``backfill`` log them; none of them is fatal.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

from .nodes import And, AndNot, Node, Or, Term

__all__ = ["query_warnings", "category_problem", "taxonomy"]

_LOWERCASE_OPERATORS = {"and": "AND", "or": "OR", "not": "ANDNOT"}


@cache
def taxonomy() -> dict[str, Any]:
    """The shipped taxonomy: ``categories``, ``legacy``, ``subsumed`` and ``archives``."""
    text = resources.files(__package__).joinpath("categories.json").read_text(encoding="utf-8")
    data = json.loads(text)
    return {
        "categories": {c.lower(): c for c in data["categories"]},
        "legacy": set(data["legacy"]),
        "subsumed": dict(data["subsumed"]),
        "archives": set(data["archives"]),
    }


def category_problem(value: str) -> str | None:
    """None when ``value`` (``cs.CV``, ``cs``, ``cs.*``, ``hep-th``) names arXiv categories; else why not."""
    tax = taxonomy()
    want = value.strip()
    if want.endswith("*"):
        # cat:cs.* is every category of the archive; cat:cs.C* those starting with cs.C.
        prefix = want.rstrip("*").lower()
        names = [*tax["categories"], *tax["archives"]]
        if any(name.lower().startswith(prefix) for name in names):
            return None
        return f"{value!r} matches no category in arXiv's taxonomy"
    if want.lower() in tax["categories"] or want in tax["legacy"]:
        return None
    if want in tax["subsumed"]:
        return (f"{value!r} is a defunct arXiv archive: new papers are filed under "
                f"{tax['subsumed'][want]} instead")
    if want in tax["archives"]:
        return None  # a whole archive (cat:cs), which our matcher and arXiv both allow
    known = sorted(tax["categories"].values())
    close = difflib.get_close_matches(want, known, n=1, cutoff=0.6)
    if not close:
        lowered = tax["categories"]
        close = [lowered[c] for c in difflib.get_close_matches(want.lower(), list(lowered), n=1, cutoff=0.6)]
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"{value!r} is not in arXiv's category taxonomy{hint}"


def _terms(node: Node) -> Iterator[Term]:
    if isinstance(node, Term):
        yield node
    elif isinstance(node, (And, Or)):
        for item in node.items:
            yield from _terms(item)
    elif isinstance(node, AndNot):
        yield from _terms(node.left)
        yield from _terms(node.right)


def query_warnings(topic: Any) -> list[str]:
    """Every warning for one configured topic (its ``query``/``filters``, ``categories``)."""
    out: list[str] = []
    if topic.query is not None:
        from .parse import parse

        seen: set[str] = set()
        for term in _terms(parse(topic.query)):
            word = term.words[0]
            if not term.phrase and word in _LOWERCASE_OPERATORS and word not in seen:
                seen.add(word)
                out.append(
                    f"the query joins terms with lowercase {word!r}, which arXiv searches for as a "
                    f"word; write {_LOWERCASE_OPERATORS[word]} to combine terms"
                )
    checked: set[str] = set()
    cat_terms = [t.words[0] + ("*" if t.wildcard else "") for t in _terms(topic.ast) if t.field == "cat"]
    for value in [*topic.categories, *cat_terms]:
        if value in checked:
            continue
        checked.add(value)
        problem = category_problem(value)
        if problem:
            out.append(problem)
    return out
