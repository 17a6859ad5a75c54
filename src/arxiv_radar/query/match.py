"""Local topic matching: harvested papers against every topic, and new topics against the store."""

from __future__ import annotations

import logging
from datetime import date
from typing import Iterable, Iterator

from ..model import Paper
from . import explain, to_api
from ..store import Store

log = logging.getLogger(__name__)

__all__ = ["match_papers", "rematch_changed_topics"]


def match_papers(store: Store, topics: dict, papers: Iterable[Paper], day: date) -> dict[str, int]:
    """Match papers against every topic; returns new matches per topic."""
    papers = list(papers)
    added = {}
    for name, topic in topics.items():
        hits = []
        for paper in papers:
            why = explain(topic.ast, paper)
            if why is not None:
                hits.append((paper.id, why))
        added[name] = store.add_matches(name, hits, day)
    return added


def _candidates(store: Store, ast) -> Iterator[Paper]:
    """Stored papers that may match ``ast``: found through the full-text indexes when the
    query allows it (a superset, see query/fts.py), else every paper. Records known only from
    a cv-arxiv-daily row (origin 'legacy': title and first author) are left out either way."""
    from .fts import candidates, compile_fts
    from ..store.codec import row_paper
    from ..store.snapshot import ensure_fts

    ensure_fts(store.conn)  # an interrupted bulk import leaves the index to rebuild
    rowids = candidates(store.conn, compile_fts(ast))
    if rowids is None:
        yield from store.iter_papers(include_legacy=False)
        return
    ordered = sorted(rowids)
    for i in range(0, len(ordered), 500):
        chunk = ordered[i : i + 500]
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT * FROM papers WHERE rowid IN ({marks}) AND origin != 'legacy' ORDER BY id"
        for row in store.conn.execute(sql, chunk):
            yield row_paper(row)


def rematch_changed_topics(store: Store, topics: dict, day: date) -> list[str]:
    """A topic whose definition is new or changed is matched afresh against every stored paper.

    This is how adding a topic back-fills its history with no network request. Candidates
    come from the FTS indexes and the local evaluator confirms each one, so the result is the
    evaluator's, at index speed.
    """
    changed = []
    for name, topic in topics.items():
        definition = to_api(topic.ast)
        key = f"topic-definition:{name}"
        if store.get_state(key) == definition:
            continue
        changed.append(name)
        with store.transaction():
            store.clear_topic(name)
            hits = []
            for paper in _candidates(store, topic.ast):
                why = explain(topic.ast, paper)
                if why is not None:
                    hits.append((paper.id, why))
            store.add_matches(name, hits, day)
            store.set_state(key, definition)
            listed = len(store.matched_ids(name))
        log.info("%s", rematch_message(name, len(hits), listed))
    return changed


def rematch_message(name: str, matched: int, listed: int) -> str:
    """What a re-match did, in the numbers the README will show: matches imported from
    cv-arxiv-daily stay listed though the query cannot re-check them (no abstract in the row)."""
    head = f"topic {name!r} is new or changed: {listed:,} stored {'paper' if listed == 1 else 'papers'} listed"
    kept = listed - matched
    if kept > 0:
        return f"{head} ({matched:,} matched by its query, {kept:,} kept from the cv-arxiv-daily import)"
    return head
