"""From the query AST to SQLite FTS5: candidate papers from the full-text indexes.

``compile_fts(node)`` gives a ``Plan``: FTS5 MATCH expressions over the two indexes of the
store (``papers_fts``: title, abstract, authors_text, comment; ``papers_meta_fts``:
journal_ref, report_no, categories, id) and SQL date conditions, combined by set algebra.
``candidates(conn, plan)`` runs it and returns the rowids of papers that *may* match; the
local evaluator (``matches``/``explain``) confirms them. The plan is built so that its result
always holds every paper the evaluator accepts (a superset), whatever the two disagree on:

- ``ti: abs: au: co:`` -> a column filter on papers_fts, ``jr: rn: cat: id:`` -> on
  papers_meta_fts, ``all:`` -> both indexes over all eight columns (a union). Phrases and
  multi-token words (``GPT-4``, ``del_maestro``) become FTS5 phrases ``"..."``.
- Every user word is passed as an FTS5 string, ``"..."`` with ``"`` doubled, so no FTS5
  syntax (``NEAR``, ``*``, ``:``, ``^``, ``{}``) in a topic can change the expression.
- Wildcards: FTS5 indexes Porter stems, and stems the prefix too ("tie*" finds no "ties",
  whose stem is "ti"), while the evaluator also compares the written word. So the prefix sent
  is cut to the part Porter never rewrites (``_safe_prefix``): more candidates, none lost.
- Authors are one column in the index, so an ``au:`` phrase can match across two authors
  there and not in the evaluator; ``cat:cs.CV`` is the phrase "cs cv"; both are supersets.
- FTS5's Porter is not quite PyStemmer's (FTS5 also maps "-logy" to "-log" and "-bly" to
  "-bl", and leaves tokens under three letters alone: "is" vs "i"). Where a stemmer
  difference could hide a match, the FTS side is made wider: tokens of up to two letters
  (or whose stem is that short, "ies") are left out of the phrase, which is split there.
- Because of that, no FTS result is ever *exactly* the evaluator's set, so ``ANDNOT`` never
  becomes FTS5 ``NOT``: the right side is dropped here and the evaluator applies it.
- Date ranges have no FTS column: SQL on ``published`` (indexed) or ``updated``; inside an
  AND with a full-text sibling an ``updated`` range (no index) is left to the evaluator.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import timedelta

from .nodes import And, AndNot, DateRange, Node, Or, Term
from .text import stem, words

__all__ = ["Plan", "Fts", "Sql", "Everything", "Union", "Intersect", "compile_fts", "candidates", "fts_string",
           "rank_expression", "estimate", "candidates_between"]

MAIN = "papers_fts"
META = "papers_meta_fts"
_COLUMNS = {
    "ti": (MAIN, "title"),
    "abs": (MAIN, "abstract"),
    "au": (MAIN, "authors_text"),
    "co": (MAIN, "comment"),
    "jr": (META, "journal_ref"),
    "rn": (META, "report_no"),
    "cat": (META, "categories"),
    "id": (META, "id"),
}
_ALL_MAIN = "{title abstract authors_text comment}"
_ALL_META = "{journal_ref report_no categories id}"


@dataclass(frozen=True)
class Fts:
    """An FTS5 MATCH expression over one index."""

    table: str
    expr: str


@dataclass(frozen=True)
class Sql:
    """A condition on the papers table (dates), with its parameters."""

    where: str
    params: tuple


@dataclass(frozen=True)
class Everything:
    """No restriction could be derived: every paper is a candidate."""


@dataclass(frozen=True)
class Union:
    items: tuple


@dataclass(frozen=True)
class Intersect:
    items: tuple


Plan = Fts | Sql | Everything | Union | Intersect


def fts_string(text: str) -> str:
    """``text`` as one FTS5 string literal: nothing in it is read as query syntax."""
    return '"' + text.replace('"', '""') + '"'


def _safe_prefix(prefix: str) -> str:
    """The part of a wildcard prefix that Porter keeps as written in any word it begins.

    Porter rewrites only word endings, and never the part before where the stem of the
    prefix itself first differs from it; one letter more is dropped for the endings it
    rewrites in place (y -> i, "bli" -> "ble").
    """
    s = stem(prefix)
    common = 0
    for a, b in zip(prefix, s):
        if a != b:
            break
        common += 1
    return prefix[: max(1, common - 1)]


def _risky(token: str) -> bool:
    """A token whose match could differ between PyStemmer's Porter and FTS5's.

    FTS5 leaves tokens under three letters unstemmed, PyStemmer does not ("is" -> "i"), so a
    word whose stem is that short ("ies" -> "i") may meet different words in each.
    """
    return len(token) <= 2 or len(stem(token)) <= 2


def _expr(node: Term, columns: str, *, stemmed: bool = True) -> str:
    """``columns : (...)`` for the term, or "" when nothing safe is left to search for.

    ``stemmed=False`` for cat:/id:, which the evaluator compares as strings: no token of
    theirs is risky (the index stems both sides alike).
    """
    text = " ".join(node.words)
    toks = words(text)
    if not toks:
        return ""
    last = None
    # "cat:cs.*": the written text ends between tokens, so its last token is whole.
    if node.wildcard and text[-1:].isalnum():
        toks, last = toks[:-1], _safe_prefix(toks[-1])
    # Consecutive safe tokens stay phrases; a risky token breaks the phrase (and is dropped).
    runs: list[list[str]] = [[]]
    for t in toks:
        if stemmed and _risky(t):
            runs.append([])
        else:
            runs[-1].append(t)
    parts = []
    for i, run in enumerate(runs):
        tail = last is not None and i == len(runs) - 1
        if run and tail:
            parts.append(f"{fts_string(' '.join(run))} + {fts_string(last)} *")
        elif run:
            parts.append(fts_string(" ".join(run)))
        elif tail:
            parts.append(f"{fts_string(last)} *")
    if not parts:
        return ""
    return f"{columns} : ({' AND '.join(parts)})" if len(parts) > 1 else f"{columns} : {parts[0]}"


def _term(node: Term) -> Plan:
    if node.field == "all":
        parts = [p for p in (Fts(MAIN, _expr(node, _ALL_MAIN)), Fts(META, _expr(node, _ALL_META))) if p.expr]
        if len(parts) < 2:  # the meta part can only lose tokens the main part lost too
            return Everything()
        return Union(tuple(parts))
    table, column = _COLUMNS[node.field]
    expr = _expr(node, column, stemmed=node.field not in ("cat", "id"))
    return Fts(table, expr) if expr else Everything()


def _date(node: DateRange) -> Sql:
    stop = node.end + timedelta(minutes=1)  # the end minute is included
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    column = "published"
    if node.field == "lastUpdatedDate":  # the evaluator falls back to published
        column = "coalesce(updated, published)"
    return Sql(f"{column} >= ? AND {column} < ?", (node.start.strftime(fmt), stop.strftime(fmt)))


def _merge(items: list, op: str) -> Plan:
    """Fold FTS expressions on the same index into one (``AND``/``OR``): one index query each."""
    by_table: dict[str, list[Fts]] = {}
    rest = []
    for item in items:
        if isinstance(item, Fts):
            by_table.setdefault(item.table, []).append(item)
        else:
            rest.append(item)
    merged = [
        fs[0] if len(fs) == 1 else Fts(t, f" {op} ".join(f"({f.expr})" for f in fs)) for t, fs in by_table.items()
    ]
    out = merged + rest
    if len(out) == 1:
        return out[0]
    return (Intersect if op == "AND" else Union)(tuple(out))


def compile_fts(node: Node) -> Plan:
    """A plan whose candidates hold every paper ``node`` matches (see the module doc)."""
    if isinstance(node, Term):
        return _term(node)
    if isinstance(node, DateRange):
        return _date(node)
    if isinstance(node, And):
        kept = [s for s in (compile_fts(n) for n in node.items) if not isinstance(s, Everything)]
        # Beside a full-text condition, a published-date range narrows the candidates through
        # its index; an updated-date range has no index (a scan): the evaluator checks it.
        if any(not isinstance(s, Sql) for s in kept):
            kept = [s for s in kept if not (isinstance(s, Sql) and "updated" in s.where)]
        flat = []
        for s in kept:
            flat.extend(s.items if isinstance(s, Intersect) else (s,))
        return _merge(flat, "AND") if flat else Everything()
    if isinstance(node, Or):
        subs = [compile_fts(n) for n in node.items]
        if any(isinstance(s, Everything) for s in subs):
            return Everything()
        flat = []
        for s in subs:  # (a OR b) OR c: one level, so the same index folds into one query
            flat.extend(s.items if isinstance(s, Union) else (s,))
        return _merge(flat, "OR")
    if isinstance(node, AndNot):
        # Dropping the exclusion keeps every match (and more) among the candidates.
        return compile_fts(node.left)
    raise TypeError(f"not a query node: {node!r}")


def rank_expression(plan: Plan) -> str | None:
    """An expression on papers_fts to rank candidates by BM25 with: its full-text terms."""
    if isinstance(plan, Fts):
        return plan.expr if plan.table == MAIN else None
    if isinstance(plan, (Union, Intersect)):
        exprs = [e for e in (rank_expression(p) for p in plan.items) if e]
        if not exprs:
            return None
        return exprs[0] if len(exprs) == 1 else " OR ".join(f"({e})" for e in exprs)
    return None


def candidates(conn: sqlite3.Connection, plan: Plan) -> set[int] | None:
    """Rowids of papers that may match; None means every paper."""
    if isinstance(plan, Everything):
        return None
    if isinstance(plan, Fts):
        sql = f"SELECT rowid FROM {plan.table} WHERE {plan.table} MATCH ?"
        return {r[0] for r in conn.execute(sql, (plan.expr,))}
    if isinstance(plan, Sql):
        return {r[0] for r in conn.execute(f"SELECT rowid FROM papers WHERE {plan.where}", plan.params)}
    if isinstance(plan, Union):
        out: set[int] = set()
        for item in plan.items:
            got = candidates(conn, item)
            if got is None:
                return None
            out |= got
        return out
    if isinstance(plan, Intersect):
        result: set[int] | None = None
        for item in plan.items:
            got = candidates(conn, item)
            if got is None:
                continue
            result = got if result is None else result & got
            if not result:
                return result
        return result
    raise TypeError(f"not a plan: {plan!r}")


def estimate(conn: sqlite3.Connection, plan: Plan, cap: int) -> int:
    """How many candidates ``plan`` has, counted up to ``cap`` (a union counts each branch).

    Counting stops at ``cap``, so a common word costs no more than a rare one here.
    """
    if isinstance(plan, Everything):
        return cap
    if isinstance(plan, Fts):
        sql = f"SELECT count(*) FROM (SELECT 1 FROM {plan.table} WHERE {plan.table} MATCH ? LIMIT ?)"
        return conn.execute(sql, (plan.expr, cap)).fetchone()[0]
    if isinstance(plan, Sql):
        sql = f"SELECT count(*) FROM (SELECT 1 FROM papers WHERE {plan.where} LIMIT ?)"
        return conn.execute(sql, (*plan.params, cap)).fetchone()[0]
    if isinstance(plan, Union):
        return min(cap, sum(estimate(conn, item, cap) for item in plan.items))
    if isinstance(plan, Intersect):
        return min(estimate(conn, item, cap) for item in plan.items)
    raise TypeError(f"not a plan: {plan!r}")


def candidates_between(conn: sqlite3.Connection, plan: Plan, lo: int, hi: int) -> set[int] | None:
    """The candidates of ``plan`` whose rowid is in [lo, hi]; None means all of them.

    FTS5 seeks a rowid range in its posting lists, so a page of newest papers (whose rowids
    are close together: papers are stored in the order they arrive) is checked without
    reading the whole candidate set of a common word.
    """
    if isinstance(plan, Everything):
        return None
    if isinstance(plan, Fts):
        sql = f"SELECT rowid FROM {plan.table} WHERE {plan.table} MATCH ? AND rowid BETWEEN ? AND ?"
        return {r[0] for r in conn.execute(sql, (plan.expr, lo, hi))}
    if isinstance(plan, Sql):
        sql = f"SELECT rowid FROM papers WHERE ({plan.where}) AND rowid BETWEEN ? AND ?"
        return {r[0] for r in conn.execute(sql, (*plan.params, lo, hi))}
    if isinstance(plan, (Union, Intersect)):
        result: set[int] | None = None
        for item in plan.items:
            got = candidates_between(conn, item, lo, hi)
            if isinstance(plan, Union):
                if got is None:
                    return None
                result = got if result is None else result | got
            elif got is not None:
                result = got if result is None else result & got
        return result
    raise TypeError(f"not a plan: {plan!r}")
