"""`arxiv-radar explain ARXIV_ID`: per topic, does the stored paper match, and why.

The verdict is the query evaluator's (query/why.py) on the paper as stored; the store's own
match list is shown beside it when the two differ (a topic changed since the last run, or a
match kept from a cv-arxiv-daily import, which the evaluator cannot re-check from the row).
"""

from __future__ import annotations

from typing import Any

from ..query.why import why
from ..store import Store
from ..store.matches import IMPORTED

__all__ = ["explain_lines"]


def explain_lines(store: Store, config: Any, paper_id: str, topic: str | None = None) -> tuple[list[str], bool]:
    """The lines to print, and whether the paper is in the store at all."""
    paper = store.get_papers([paper_id]).get(paper_id)
    if paper is None:
        return [f"{paper_id} is not in the store; `arxiv-radar run` or `backfill` harvests it first"], False
    stored = dict(store.conn.execute(
        "SELECT topic, explain FROM matches WHERE paper_id = ?", (paper_id,)).fetchall())
    origin = store.conn.execute("SELECT origin FROM papers WHERE id = ?", (paper_id,)).fetchone()[0]
    lines = [f"{paper.id}v{paper.version}  {paper.title}  ({', '.join(paper.categories) or 'no category'})"]
    if origin == "legacy":
        lines.append("  (known only from a cv-arxiv-daily row: title and first author; no abstract yet)")
    names = [topic] if topic is not None else list(config.topics)
    for name in names:
        verdict = why(config.topics[name].ast, paper)
        lines.append(f"{name}: {'matches' if verdict.matches else 'does not match'}")
        for hit in verdict.hits:
            lines.append(f"  matched {hit.describe()}")
        if verdict.failed:
            lines.append(f"  failed {verdict.failed}")
        if name in stored and not verdict.matches:
            why_stored = stored[name]
            if why_stored == IMPORTED:
                lines.append("  listed all the same: the match was imported from cv-arxiv-daily")
            else:
                lines.append("  listed in the store from an earlier definition; the next run or render drops it")
        elif verdict.matches and name not in stored:
            lines.append("  not listed yet: the next run or render adds it")
    return lines, True
