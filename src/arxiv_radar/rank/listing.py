"""Scored papers, best first: what `arxiv-radar rank` prints (and its JSON: id, topic, score, why)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from ..model import Paper
from ..store import Store

__all__ = ["RankedPaper", "clip", "ranked", "score_text", "why_text"]


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


def score_text(score: float) -> str:
    """``score`` to three decimals, rounded down: 0.2999 shows as 0.299, never as a 0.300 that
    would seem to pass a ``min_score: 0.3`` the paper fails."""
    return str(Decimal(repr(float(score))).quantize(Decimal("0.001"), rounding=ROUND_FLOOR))


def clip(text: str, limit: int = 80) -> str:
    """``text`` on one line, cut at a word boundary with an ellipsis when longer than ``limit``."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:-") + "…"


def why_text(why: dict) -> str:
    """One line: "liked" / "like: <library title>; terms: a, b"."""
    parts = []
    if why.get("feedback"):
        parts.append(str(why["feedback"]))
    lib = [str(x.get("title", x.get("id", ""))) for x in why.get("library", []) if isinstance(x, dict)]
    if lib:
        parts.append("close to: " + " | ".join(clip(t) for t in lib))
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
