"""Why a paper does or does not match a topic, for `arxiv-radar explain`.

Built on the evaluator (``evaluate``): a match is explained by each clause that matched, with
the field it matched in and the stemmed terms it compared (``all:`` names the field the words
were found in); a miss by the first clause that failed, in the order the query is written.

    verdict = why(topic.ast, paper)
    verdict.matches     # bool
    verdict.hits        # [Hit(clause='ti:radar', field='ti', terms=('radar',))]
    verdict.failed      # 'cat:cs.RO: the paper is in cs.CV, cs.AI' (None when it matches)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Paper
from .compile import to_api
from .evaluate import _ALL_PARTS, PaperText, matches
from .nodes import And, AndNot, DateRange, Node, Or, Term
from .text import stems, tokens

__all__ = ["FIELD_NAMES", "Hit", "Verdict", "why"]

FIELD_NAMES = {
    "ti": "title", "au": "authors", "abs": "abstract", "co": "comment", "jr": "journal reference",
    "cat": "categories", "rn": "report number", "id": "arXiv id", "all": "any field",
    "submittedDate": "submission date", "lastUpdatedDate": "last update",
}
# An OR of more alternatives than this is summarised when it fails, not listed.
_LIST_ALTERNATIVES = 4


@dataclass(frozen=True)
class Hit:
    clause: str  # the clause as arXiv would read it, with all: resolved to its field
    field: str  # ti, abs, au, cat, ...
    terms: tuple[str, ...]  # the stemmed words compared (a prefix for a wildcard, a category)

    def detail(self) -> str:
        where = FIELD_NAMES.get(self.field, self.field)
        if self.field in ("cat", "id", "submittedDate", "lastUpdatedDate"):
            return f"{where} {', '.join(self.terms)}"
        shown = " ".join(self.terms)
        kind = "stem" if len(self.terms) == 1 else "stems"
        return f"{kind} '{shown}' found in the {where} ({self.field})"

    def describe(self) -> str:
        return f"{self.clause}: {self.detail()}"


@dataclass
class Verdict:
    matches: bool
    hits: list[Hit] = field(default_factory=list)
    failed: str | None = None


def why(node: Node, paper: Paper | PaperText) -> Verdict:
    pt = PaperText.of(paper)
    if matches(node, pt):
        return Verdict(True, list(dict.fromkeys(_hits(node, pt))))
    return Verdict(False, failed=_failure(node, pt))


def _term_stems(term: Term) -> tuple[str, ...]:
    joined = " ".join(term.words)
    if term.wildcard:
        raw, stemmed = tokens(joined)
        return (*stemmed[:-1], raw[-1] + "*") if raw else ()
    return tuple(stems(joined))


def _term_hit(term: Term, pt: PaperText) -> Hit:
    paper = pt.paper
    if term.field == "cat":
        want = term.words[0].lower()
        found = tuple(c for c in paper.categories
                      if c.lower() == want or c.lower().startswith(want if term.wildcard else want + "."))
        return Hit(to_api(term), "cat", found or paper.categories)
    if term.field == "id":
        return Hit(to_api(term), "id", (paper.id,))
    fieldname = term.field
    if fieldname == "all":
        for part in _ALL_PARTS:
            candidate = Term(part, term.words, term.phrase, term.wildcard)
            if part not in ("cat", "id") and matches(candidate, pt):
                fieldname = part
                break
    shown = Term(fieldname, term.words, term.phrase, term.wildcard)
    return Hit(to_api(shown), fieldname, _term_stems(term))


def _hits(node: Node, pt: PaperText) -> list[Hit]:
    if not matches(node, pt):
        return []
    if isinstance(node, Term):
        return [_term_hit(node, pt)]
    if isinstance(node, DateRange):
        when = pt.paper.updated if node.field == "lastUpdatedDate" and pt.paper.updated else pt.paper.published
        return [Hit(to_api(node), node.field, (f"{when:%Y-%m-%d %H:%M}",))]
    if isinstance(node, (And, Or)):
        return [h for item in node.items for h in _hits(item, pt)]
    if isinstance(node, AndNot):
        return _hits(node.left, pt)
    raise TypeError(f"not a query node: {node!r}")


def _failure(node: Node, pt: PaperText) -> str:
    paper = pt.paper
    if isinstance(node, Term):
        label = to_api(node)
        if node.field == "cat":
            return f"{label}: the paper is in {', '.join(paper.categories) or 'no category'}"
        if node.field == "id":
            return f"{label}: the paper is {paper.id}"
        where = "any field" if node.field == "all" else f"the {FIELD_NAMES.get(node.field, node.field)}"
        terms = " ".join(_term_stems(node))
        kind = "phrase" if len(_term_stems(node)) > 1 else "stem"
        return f"{label}: {kind} '{terms}' not found in {where}"
    if isinstance(node, DateRange):
        return f"{to_api(node)}: the paper was published {paper.published:%Y-%m-%d %H:%M} UTC"
    if isinstance(node, And):
        for item in node.items:
            if not matches(item, pt):
                return _failure(item, pt)
    if isinstance(node, Or):
        if len(node.items) > _LIST_ALTERNATIVES:
            return f"none of the {len(node.items)} alternatives of {_short(to_api(node))} matched"
        return "none of these matched: " + "; ".join(_failure(item, pt) for item in node.items)
    if isinstance(node, AndNot):
        if not matches(node.left, pt):
            return _failure(node.left, pt)
        excluded = "; ".join(h.describe() for h in _hits(node.right, pt))
        return f"excluded by ANDNOT {_short(to_api(node.right))} ({excluded})"
    raise TypeError(f"not a query node: {node!r}")


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
