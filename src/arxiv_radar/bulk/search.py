"""Full-text search over the store, in the topic query language, ranked by BM25 or date.

``search(store, 'ti:transformer AND cat:cs.CV', limit=20)``: the query is compiled to FTS5
(query/fts.py) for candidates and ranking, and every result is confirmed by the local
evaluator, so a search finds exactly what the same query would match as a topic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta, timezone

from ..errors import StoreError
from ..model import Paper
from ..query import matches, parse
from ..query.fts import Fts, Sql, Union, candidates, candidates_between, compile_fts, estimate, rank_expression
from ..store import Store
from ..store.codec import iso, row_paper
from ..store.snapshot import FTS_PENDING_KEY

__all__ = ["search", "filter_conditions", "paper_dict", "ORDERS"]

ORDERS = ("rank", "date")
_PAGE = 200
# The first ranked page: enough for a screen of results after the evaluator's checks, small
# enough that reading its rows costs little.
_FIRST_PAGE = 60
# Up to this many candidates are read and sorted by date at once; more are met by a date walk.
_FEW = 5000
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
    until: date | None = None,
    has_code: bool = False,
    saved: bool = False,
    unread: bool = False,
    offset: int = 0,
) -> list[Paper]:
    """Papers matching ``query`` (arXiv syntax), best first; QuerySyntaxError for a bad query.

    ``topic`` keeps only the papers matched to that topic; ``since``/``until`` those first
    published on or after / on or before that day; ``has_code`` those with a code link found;
    ``saved`` those under a reading-room tag, ``unread`` those not marked read (both need the
    reading-room tables, migration 0009). ``order`` is "rank" (BM25 over title, abstract,
    authors and comments; date order when the query has no full-text term) or "date" (newest
    first). ``offset`` skips that many results (paging).
    """
    if order not in ORDERS:
        raise ValueError(f"order must be one of {ORDERS}, not {order!r}")
    if limit <= 0:
        return []
    node = parse(query)
    _check_index(store)
    plan = compile_fts(node)
    conds, params = filter_conditions(topic=topic, since=since, until=until, has_code=has_code,
                                      saved=saved, unread=unread)
    limit += max(0, offset)
    rank = rank_expression(plan) if order == "rank" else None
    if rank is not None and _is_plain(plan, rank):
        keep, rows = None, _ranked(store, rank, conds, params)
    elif rank is not None and isinstance(plan, Union):
        # Ranked hits first; then candidates the ranking expression cannot see (a word found
        # only in the journal ref or the categories, a date-only branch), newest first. The
        # candidate set (100k rowids for a common word under all:) is built only if the ranked
        # hits run out: the evaluator confirms every row anyway, the set only saves it work.
        keep, rows = None, _ranked_then_rest(store, rank, lambda: candidates(store.conn, plan), conds, params)
    elif rank is not None:
        keep = candidates(store.conn, plan)
        rows = _ranked_then_rest(store, rank, lambda: keep, conds, params)
    elif _walkable(plan) and estimate(store.conn, plan, _FEW + 1) > _FEW:
        # Many candidates (a common word), newest first: walk the date index and check each
        # page against the plan over that page's rowid range, instead of reading 100k rowids.
        keep, rows = None, _walk_by_date(store, plan, conds, params)
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
    return out[max(0, offset):]


def filter_conditions(*, topic: str | None = None, since: date | None = None, until: date | None = None,
                      has_code: bool = False, saved: bool = False, unread: bool = False) -> tuple[list[str], list]:
    """SQL conditions on ``papers p`` (and their parameters) for the search filters."""
    conds: list[str] = []
    params: list = []
    if since is not None:
        conds.append("p.published >= ?")
        params.append(iso(datetime(since.year, since.month, since.day, tzinfo=timezone.utc)))
    if until is not None:
        conds.append("p.published < ?")
        params.append(iso(datetime(until.year, until.month, until.day, tzinfo=timezone.utc) + timedelta(days=1)))
    if topic is not None:
        conds.append("p.id IN (SELECT paper_id FROM matches WHERE topic = ?)")
        params.append(topic)
    if has_code:
        conds.append("p.id IN (SELECT paper_id FROM links WHERE status = 'found' AND kind = 'code' AND url IS NOT NULL)")
    if saved:
        conds.append("p.id IN (SELECT paper_id FROM paper_tags)")
    if unread:
        conds.append("p.id NOT IN (SELECT paper_id FROM reads)")
    return conds, params


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


def _ranked_then_rest(store: Store, expr: str, keep_of: Callable[[], set[int] | None], conds: list[str],
                      params: list) -> Iterator:
    seen: set[int] = set()
    for row in _ranked(store, expr, conds, params):
        seen.add(row["rowid"])
        yield row
    keep = keep_of()
    rest = None if keep is None else keep - seen
    for row in _by_date(store, rest, conds, params):
        if row["rowid"] not in seen:
            yield row


def _where(conds: list[str]) -> str:
    return "".join(f" AND {c}" for c in conds)


def _ranked(store: Store, expr: str, conds: list[str], params: list) -> Iterator:
    """Rows matching ``expr`` in BM25 order, page by page (the evaluator may reject some).

    Ranking is a pass over the full-text index alone: the sort carries (rowid, score) pairs
    and only the page's rows are read from the papers table afterwards. Sorting joined
    ``papers`` rows instead made SQLite copy every candidate's whole row (abstract included)
    into the sorter: 100k candidates of a common word meant ~130 MB moved for 20 results
    (p50 414 ms on 1M papers; see docs/benchmarks.md). The join to ``papers`` stays only when
    a filter (topic, dates, ...) needs its columns, and then selects the rowid alone.
    """
    if conds:
        base = (f"SELECT f.rowid AS r, bm25(papers_fts, {_WEIGHTS}) AS s FROM papers_fts f "
                f"JOIN papers p ON p.rowid = f.rowid WHERE papers_fts MATCH ?{_where(conds)}")
    else:
        base = f"SELECT rowid AS r, bm25(papers_fts, {_WEIGHTS}) AS s FROM papers_fts WHERE papers_fts MATCH ?"
    offset = 0
    size = _FIRST_PAGE
    while True:
        ranked = store.conn.execute(f"{base} ORDER BY s, r LIMIT ? OFFSET ?", [expr, *params, size, offset]).fetchall()
        if ranked:
            marks = ",".join("?" * len(ranked))
            rows = {r["rowid"]: r for r in store.conn.execute(
                f"SELECT p.rowid AS rowid, p.* FROM papers p WHERE p.rowid IN ({marks})", [r[0] for r in ranked])}
            yield from (rows[r[0]] for r in ranked if r[0] in rows)
        if len(ranked) < size:
            return
        offset += size
        size = _PAGE


def _by_date(store: Store, keep: set[int] | None, conds: list[str], params: list, *, pages: bool = False) -> Iterator:
    """Rows newest first: the candidates when they are few, else a walk down the date index
    (the caller drops the rows that are not candidates); ``pages`` yields the walk's pages."""
    if keep is not None and len(keep) <= _FEW:
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
        if pages:
            if page:
                yield page
        else:
            yield from page
        if len(page) < _PAGE:
            return
        last = (page[-1]["published"], page[-1]["id"])


def _walkable(plan) -> bool:
    """Plans whose matches are at least as dense as their densest branch (no intersection),
    so a walk down the date index finds them quickly."""
    if isinstance(plan, (Fts, Sql)):
        return True
    return isinstance(plan, Union) and all(_walkable(item) for item in plan.items)


def _walk_by_date(store: Store, plan, conds: list[str], params: list) -> Iterator:
    """Candidate rows newest first, page by page down the date index."""
    for page in _by_date(store, None, conds, params, pages=True):
        rowids = [r["rowid"] for r in page]
        keep = candidates_between(store.conn, plan, min(rowids), max(rowids))
        yield from (r for r in page if keep is None or r["rowid"] in keep)


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
