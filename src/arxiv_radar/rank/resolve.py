"""Library entries -> stored arXiv papers, by arXiv id, DOI or exact title.

Entries with an arXiv id the store does not hold yet are fetched through the one polite client
(when a fetcher is given; `render` never fetches) and kept as ``snapshot`` records, so they
never show up as "new" in feeds or digests. What cannot be resolved is reported, never fatal.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterable

from ..model import Paper
from ..store import Store
from .library import LibraryEntry, Problem, normalize_title

log = logging.getLogger(__name__)

__all__ = ["Resolved", "resolve", "fetch_missing"]

# ids -> papers found (fetched from arXiv); raises on a failed request.
Fetcher = Callable[[list[str]], Iterable[Paper]]


@dataclass
class Resolved:
    papers: dict[str, date | None] = field(default_factory=dict)  # paper id -> when added (if known)
    by_place: dict[str, str] = field(default_factory=dict)  # entry's place -> paper id
    fetched: list[str] = field(default_factory=list)
    unresolved: list[Problem] = field(default_factory=list)


def _by_doi(store: Store, dois: set[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    if not dois:
        return out
    for row in store.conn.execute("SELECT id, lower(doi) FROM papers WHERE doi IS NOT NULL AND doi != ''"):
        if row[1] in dois:
            out.setdefault(row[1], row[0])
    return out


def _by_title(store: Store, titles: set[str]) -> dict[str, str]:
    """Exact (normalized) title -> id; the earliest stored paper wins a tie, deterministically."""
    out: dict[str, str] = {}
    if not titles:
        return out
    for row in store.conn.execute("SELECT id, title FROM papers ORDER BY published, id"):
        key = normalize_title(row[1])
        if key in titles:
            out.setdefault(key, row[0])
    return out


def fetch_missing(store: Store, ids: set[str], fetch: Fetcher | None, day: date | None) -> tuple[set[str], list[str]]:
    """(the ids now stored, the ids fetched): missing ones come through ``fetch`` (None: none)."""
    known = set(store.get_papers(ids)) if ids else set()
    missing = sorted(ids - known)
    if not missing or fetch is None:
        return known, []
    try:
        got = [p for p in fetch(missing) if p.id in ids]
    except Exception as exc:  # a failed fetch leaves them unresolved for now, never fails the run
        log.warning("library: could not fetch %d paper%s from arXiv: %s", len(missing), "" if len(missing) == 1 else "s", exc)
        return known, []
    if got:
        store.upsert_papers(got, day or date.today(), origin="snapshot")
    fetched = sorted(p.id for p in got)
    return known | set(fetched), fetched


def resolve(store: Store, entries: list[LibraryEntry], *, fetch: Fetcher | None = None,
            day: date | None = None, also: set[str] = frozenset()) -> Resolved:
    """``also``: more ids to fetch when missing (liked and disliked papers), in the same requests."""
    result = Resolved()
    ids = {e.arxiv_id for e in entries if e.arxiv_id}
    known, result.fetched = fetch_missing(store, ids | set(also), fetch, day)
    dois = _by_doi(store, {e.doi for e in entries if e.doi and not (e.arxiv_id and e.arxiv_id in known)})
    titles = _by_title(store, {normalize_title(e.title) for e in entries
                               if e.title and not (e.arxiv_id and e.arxiv_id in known)
                               and not (e.doi and e.doi in dois)})
    for e in entries:
        pid = None
        if e.arxiv_id and e.arxiv_id in known:
            pid = e.arxiv_id
        elif e.doi and e.doi in dois:
            pid = dois[e.doi]
        elif e.title and normalize_title(e.title) in titles:
            pid = titles[normalize_title(e.title)]
        if pid is None:
            what = e.arxiv_id or e.doi or (e.title or "")[:80]
            why = ("not on arXiv or not fetched yet" if e.arxiv_id and fetch is not None
                   else "not in the store (the daily run or `arxiv-radar rank` fetches it)" if e.arxiv_id
                   else "no stored paper has this DOI or title")
            result.unresolved.append(Problem(e.place, f"{what}: {why}"))
            continue
        result.by_place[e.place] = pid
        prev = result.papers.get(pid)
        # A paper listed twice keeps its most recent "added" date.
        result.papers[pid] = max((d for d in (prev, e.added) if d), default=None)
    return result
