"""Scored papers, best first: what `arxiv-radar rank` prints (and its JSON: id, topic, score, why)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..model import Paper
from ..store import Store

__all__ = ["RankedPaper", "ranked", "why_text"]


@dataclass(frozen=True)
class RankedPaper:
    paper: Paper
    topic: str
    score: float
    why: dict

    def as_dict(self) -> dict:
        p = self.paper
        return {"id": p.id, "topic": self.topic, "score": self.score, "why": self.why,
                "title": " ".join(p.title.split()), "published": p.published.date().isoformat(),
                "url": f"https://arxiv.org/abs/{p.id}"}


def why_text(why: dict) -> str:
    """One line: "liked" / "like: <library title>; terms: a, b"."""
    parts = []
    if why.get("feedback"):
        parts.append(str(why["feedback"]))
    lib = [str(x.get("title", x.get("id", ""))) for x in why.get("library", []) if isinstance(x, dict)]
    if lib:
        parts.append("close to: " + " | ".join(t[:80] for t in lib))
    terms = [str(t) for t in why.get("terms", [])]
    if terms:
        parts.append("terms: " + ", ".join(terms))
    return "; ".join(parts)


def ranked(store: Store, topics: list[str], *, since: date | None = None, until: date | None = None,
           limit: int | None = None) -> list[RankedPaper]:
    """Scored papers of ``topics``, highest score first (ties: newest, then id), within the days."""
    rows: list[tuple[str, str, float, dict]] = []
    for topic in topics:
        for pid, s in store.scores_for(topic).items():
            rows.append((pid, topic, s.score, s.why))
    papers = store.get_papers({r[0] for r in rows})
    out = []
    for pid, topic, score, why in rows:
        p = papers.get(pid)
        if p is None:
            continue
        day = p.published.date()
        if (since and day < since) or (until and day > until):
            continue
        out.append(RankedPaper(p, topic, score, why))
    out.sort(key=lambda r: (-r.score, -r.paper.published.timestamp(), r.paper.id, r.topic))
    return out[:limit] if limit else out
