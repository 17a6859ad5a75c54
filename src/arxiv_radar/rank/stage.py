"""The rank stage: score every matched paper of every topic against the reader's library and feedback.

Runs between match and render. Reads the library files, the feedback and the matches; writes
the ``scores`` table, never a page. A topic with no library and no likes gets no scores (and
loses any it had), so everything renders exactly as without ranking. Scores are kept while
their inputs (library, feedback, method, model version) are unchanged: a new paper is scored,
an old score is not recomputed.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..errors import ConfigError
from ..model import Paper
from ..store import Store
from ..store import feedback as _feedback
from ..store import scores as _scores
from . import embed as _embed
from .library import LibraryEntry, Problem, read_file
from .methods import Scored, method_version, resolve_method, score_papers
from .resolve import Fetcher, Resolved, resolve

log = logging.getLogger(__name__)

__all__ = ["RankReport", "TopicRank", "rank", "NEGATIVES"]

# How many other stored papers the classifier sees as negatives (a deterministic sample).
NEGATIVES = 4000


@dataclass
class TopicRank:
    topic: str
    method: str = ""
    library: int = 0  # resolved library papers
    likes: int = 0
    dislikes: int = 0
    candidates: int = 0
    scored: int = 0  # scores (re)computed by this call
    reused: int = 0  # cached scores still valid from before, not recomputed
    note: str = ""

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class RankReport:
    topics: dict[str, TopicRank] = field(default_factory=dict)
    entries: int = 0  # library entries read, all files
    fetched: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # unreadable or unresolved entries, "place: why"

    def as_dict(self) -> dict:
        return {"entries": self.entries, "fetched": self.fetched, "problems": self.problems,
                "topics": {t: r.as_dict() for t, r in self.topics.items()}}

    def lines(self) -> list[str]:
        out = []
        for t, r in self.topics.items():
            if r.note:
                out.append(f"{t}: {r.note}")
            else:
                out.append(f"{t}: {r.scored} scored, {r.reused} reused ({r.method}; library {r.library}, "
                           f"{r.likes} liked, {r.dislikes} disliked)")
        if self.entries or self.fetched:
            out.append(f"library: {self.entries} entries read, {len(self.fetched)} papers fetched from arXiv")
        if self.problems:
            out.append(f"{len(self.problems)} library entries not used:")
            out += [f"  {p}" for p in self.problems[:50]]
            if len(self.problems) > 50:
                out.append(f"  ... and {len(self.problems) - 50} more")
        return out


def _library_paths(config, topic) -> list[Path]:
    paths = topic.library if topic.library is not None else config.library
    return list(paths or [])


def _hash(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode("utf-8")).hexdigest()[:20]


def _stable_sample(ids: list[str], n: int) -> list[str]:
    """The same ``n`` ids for the same set, whatever order the store returns them in."""
    return sorted(ids, key=lambda i: hashlib.sha1(i.encode("utf-8")).digest())[:n]


def _negatives(store: Store, matched: list[str], exclude: set[str]) -> list[str]:
    """Mostly the topic's other papers (what the ranking must tell apart), topped up from the store."""
    own = _stable_sample([i for i in matched if i not in exclude], NEGATIVES)
    if len(own) >= NEGATIVES // 2:
        return own
    others = [r[0] for r in store.conn.execute("SELECT id FROM papers")]
    taken = set(own) | exclude
    return own + _stable_sample([i for i in others if i not in taken], NEGATIVES - len(own))


def rank(store: Store, config, *, fetch: Fetcher | None = None, day: date | None = None,
         topics: list[str] | None = None, force: bool = False) -> RankReport:
    """Score the matches of ``topics`` (default: every configured topic). ``fetch`` gets missing
    library papers from arXiv (None: no network, as in `render`). ``force`` recomputes every score."""
    report = RankReport()
    names = topics if topics is not None else list(config.topics)
    method_name = config.rank.method
    try:
        method = resolve_method(method_name)
    except _embed.EmbedUnavailable as exc:
        raise ConfigError(f"rank.method: {exc}") from None
    mversion = method_version(method)

    # Every file once, every entry resolved once (one fetch for all topics).
    files: dict[Path, tuple[list[LibraryEntry], list[Problem]]] = {}
    for name in names:
        for path in _library_paths(config, config.topics[name]):
            if path not in files:
                files[path] = read_file(path)
    all_entries = [e for entries, _ in files.values() for e in entries]
    report.entries = len(all_entries)
    report.problems = [str(p) for _, problems in files.values() for p in problems]
    # Liked or disliked papers the store lacks (liked from a link) come in the same requests.
    rated = {r[0] for r in store.conn.execute("SELECT DISTINCT paper_id FROM feedback")}
    resolved = resolve(store, all_entries, fetch=fetch, day=day, also=rated) if all_entries or rated else Resolved()
    report.fetched = resolved.fetched
    report.problems += [str(p) for p in resolved.unresolved]

    for name in names:
        tr = TopicRank(name, method=method)
        report.topics[name] = tr
        library: dict[str, date | None] = {}
        for path in _library_paths(config, config.topics[name]):
            for e in files[path][0]:
                pid = resolved.by_place.get(e.place)
                if pid:
                    prev = library.get(pid)
                    library[pid] = max((d for d in (prev, e.added) if d), default=None)
        fb = _feedback.feedback(store.conn, name)
        liked = sorted(pid for pid, v in fb.items() if v > 0)
        disliked = sorted(pid for pid, v in fb.items() if v < 0)
        tr.library, tr.likes, tr.dislikes = len(library), len(liked), len(disliked)
        matched = store.matched_ids(name)
        tr.candidates = len(matched)
        if not library and not liked:
            with store.transaction():
                _scores.clear_scores(store.conn, name)
            tr.note = "no library and no likes: newest first, no scores"
            continue
        inputs = _hash({"library": sorted(library.items()), "liked": liked, "disliked": disliked,
                        "method": method, "version": mversion})
        existing = _scores.scores_for(store.conn, name)
        fresh = {pid for pid, s in existing.items() if s.inputs == inputs and s.method == method}
        todo = matched if force else [pid for pid in matched if pid not in fresh]
        stale = [pid for pid in existing if pid not in set(matched)]
        tr.reused = len(matched) - len(todo)
        if todo:
            scored = _score_topic(store, todo, matched, library, liked, disliked, method)
            tr.scored = len(scored)
        else:
            scored = []
        with store.transaction():
            if stale:
                store.conn.executemany("DELETE FROM scores WHERE topic = ? AND paper_id = ?",
                                       [(name, pid) for pid in stale])
            _scores.save_scores(store.conn, [
                _scores.Score(s.paper_id, name, s.score, method, s.why, mversion, inputs) for s in scored])
    return report


def _score_topic(store: Store, todo: list[str], matched: list[str], library: dict[str, date | None],
                 liked: list[str], disliked: list[str], method: str) -> list[Scored]:
    pos_ids = sorted(set(library) | set(liked))
    papers = store.get_papers(set(todo) | set(pos_ids) | set(disliked))
    positives = [papers[i] for i in pos_ids if i in papers]
    added = [library.get(p.id) for p in positives]
    bad = [papers[i] for i in disliked if i in papers]
    neg_ids = _negatives(store, matched, set(pos_ids) | set(disliked))
    negatives = list(store.get_papers(neg_ids).values())
    negatives.sort(key=lambda p: p.id)
    candidates = [papers[i] for i in todo if i in papers]
    scored = score_papers(candidates, positives, added=added, negatives=negatives, disliked=bad, method=method) \
        if positives else []
    liked_set, disliked_set = set(liked), set(disliked)
    out = []
    for s in scored:
        if s.paper_id in disliked_set:
            out.append(Scored(s.paper_id, 0.0, {**s.why, "feedback": "disliked"}))
        elif s.paper_id in liked_set:
            out.append(Scored(s.paper_id, 1.0, {**s.why, "feedback": "liked"}))
        elif s.paper_id in library:
            out.append(Scored(s.paper_id, 1.0, {**s.why, "feedback": "in your library"}))
        else:
            out.append(s)
    return out
