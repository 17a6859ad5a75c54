"""Full-text search over the store, in the topic query language, ranked by BM25 or date.

``search(store, 'ti:transformer AND cat:cs.CV', limit=20)``: the query is compiled to FTS5
(query/fts.py) for candidates and ranking, and every result is confirmed by the local
evaluator, so a search finds exactly what the same query would match as a topic.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timezone

from ..errors import StoreError
from ..model import Paper
from ..query import matches, parse
from ..query.fts import candidates, compile_fts, rank_expression
from ..store import Store
from ..store.codec import iso, row_paper
from ..store.snapshot import FTS_PENDING_KEY

__all__ = ["search", "paper_dict", "ORDERS"]

ORDERS = ("rank", "date")
_PAGE = 200
# BM25 column weights (title, abstract, authors_text, comment): a word in the title says more
# about a paper than the same word in its abstract.
_WEIGHTS = "4.0, 1.0, 2.0, 0.5"


def _check_index(store: Store) -> None:
    if store.get_state(FTS_PENDING_KEY) is not None:
        raise StoreError(
            "the full-text index is incomplete (a bulk import was interrupted); "
            "run `arxiv-radar import-snapshot` again to finish it"
        )


def search(
    store: Store,
    query: str,
    *,
    topic: str | None = None,
    since: date | None = None,
    limit: int = 20,
    order: str = "rank",
) -> list[Paper]:
    """Papers matching ``query`` (arXiv syntax), best first; QuerySyntaxError for a bad query.

    ``topic`` keeps only the papers matched to that topic; ``since`` those first published on
    or after that day; ``order`` is "rank" (BM25 over title, abstract, authors and comments;
    date order when the query has no full-text term) or "date" (newest first).
    """
    if order not in ORDERS:
        raise ValueError(f"order must be one of {ORDERS}, not {order!r}")
    if limit <= 0:
        return []
    node = parse(query)
    _check_index(store)
    plan = compile_fts(node)
    conds, params = [], []
    if since is not None:
        conds.append("p.published >= ?")
        params.append(iso(datetime(since.year, since.month, since.day, tzinfo=timezone.utc)))
    if topic is not None:
        conds.append("p.id IN (SELECT paper_id FROM matches WHERE topic = ?)")
        params.append(topic)
    rank = rank_expression(plan) if order == "rank" else None
    if rank is not None and _is_plain(plan, rank):
        keep, rows = None, _ranked(store, rank, conds, params)
    elif rank is not None:
        # Ranked hits first; then candidates the ranking expression cannot see (a word found
        # only in the journal ref or the categories, a date-only branch), newest first.
        keep = candidates(store.conn, plan)
        rows = _ranked_then_rest(store, rank, keep, conds, params)
    else:
        keep = candidates(store.conn, plan)
        rows = _by_date(store, keep, conds, params)
    out: list[Paper] = []
    for row in rows:
        if keep is not None and row["rowid"] not in keep:
            continue
        paper = row_paper(row)
        if matches(node, paper):
            out.append(paper)
            if len(out) >= limit:
                break
    return out


def topic_papers(store: Store, topic: str, *, since: date | None = None, limit: int = 20) -> list[Paper]:
    """The papers matched to ``topic``, newest first (``search --topic NAME`` without a query)."""
    sql = ("SELECT p.* FROM papers p JOIN matches m ON m.paper_id = p.id WHERE m.topic = ?"
           + (" AND p.published >= ?" if since else "") + " ORDER BY p.published DESC, p.id DESC LIMIT ?")
    params: list = [topic]
    if since is not None:
        params.append(iso(datetime(since.year, since.month, since.day, tzinfo=timezone.utc)))
    return [row_paper(row) for row in store.conn.execute(sql, [*params, limit])]


def _is_plain(plan, rank: str) -> bool:
    # The ranking expression is the whole plan: its rows need no second filter.
    return getattr(plan, "expr", None) == rank and getattr(plan, "table", None) == "papers_fts"


def _ranked_then_rest(store: Store, expr: str, keep: set[int] | None, conds: list[str], params: list) -> Iterator:
    seen: set[int] = set()
    for row in _ranked(store, expr, conds, params):
        seen.add(row["rowid"])
        yield row
    rest = None if keep is None else keep - seen
    for row in _by_date(store, rest, conds, params):
        if row["rowid"] not in seen:
            yield row


def _where(conds: list[str]) -> str:
    return "".join(f" AND {c}" for c in conds)


def _ranked(store: Store, expr: str, conds: list[str], params: list) -> Iterator:
    """Rows matching ``expr`` in BM25 order, page by page (the evaluator may reject some)."""
    offset = 0
    while True:
        page = store.conn.execute(
            "SELECT p.rowid AS rowid, p.* FROM papers_fts f JOIN papers p ON p.rowid = f.rowid "
            f"WHERE papers_fts MATCH ?{_where(conds)} ORDER BY bm25(papers_fts, {_WEIGHTS}) LIMIT ? OFFSET ?",
            [expr, *params, _PAGE, offset],
        ).fetchall()
        yield from page
        if len(page) < _PAGE:
            return
        offset += _PAGE


def _by_date(store: Store, keep: set[int] | None, conds: list[str], params: list) -> Iterator:
    """Rows newest first: the candidates when they are few, else a walk down the date index
    (the caller drops the rows that are not candidates)."""
    if keep is not None and len(keep) <= 5000:
        ordered = sorted(keep)
        rows = []
        for i in range(0, len(ordered), 500):
            chunk = ordered[i : i + 500]
            marks = ",".join("?" * len(chunk))
            rows += store.conn.execute(
                f"SELECT p.rowid AS rowid, p.* FROM papers p WHERE p.rowid IN ({marks}){_where(conds)}",
                [*chunk, *params],
            ).fetchall()
        yield from sorted(rows, key=lambda r: (r["published"], r["id"]), reverse=True)
        return
    last = None
    while True:
        extra = " AND (p.published, p.id) < (?, ?)" if last else ""
        page = store.conn.execute(
            f"SELECT p.rowid AS rowid, p.* FROM papers p WHERE 1{_where(conds)}{extra} "
            "ORDER BY p.published DESC, p.id DESC LIMIT ?",
            [*params, *(last or ()), _PAGE],
        ).fetchall()
        yield from page
        if len(page) < _PAGE:
            return
        last = (page[-1]["published"], page[-1]["id"])


def paper_dict(paper: Paper) -> dict:
    """A paper as plain JSON data (for ``search --json``)."""
    return {
        "id": paper.id,
        "version": paper.version,
        "title": paper.title,
        "authors": [a.name for a in paper.authors],
        "abstract": paper.abstract,
        "categories": list(paper.categories),
        "primary_category": paper.primary_category,
        "published": iso(paper.published),
        "updated": iso(paper.updated),
        "comment": paper.comment,
        "journal_ref": paper.journal_ref,
        "doi": paper.doi,
        "url": paper.abs_url,
    }
