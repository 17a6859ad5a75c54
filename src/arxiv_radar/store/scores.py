"""Relevance scores per (topic, paper), written by rank/ and read by renderers and the reading room."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterable

__all__ = ["Score", "save_scores", "scores_for", "clear_scores"]


@dataclass(frozen=True)
class Score:
    paper_id: str
    topic: str
    score: float
    method: str
    why: dict = field(default_factory=dict)   # e.g. {"library": [ids...], "terms": [...]}
    model_version: str = ""
    inputs: str = ""


def save_scores(conn: sqlite3.Connection, scores: Iterable[Score]) -> int:
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    rows = [(s.topic, s.paper_id, float(s.score), json.dumps(s.why, ensure_ascii=False, sort_keys=True),
             s.method, s.model_version, s.inputs, now) for s in scores]
    conn.executemany(
        "INSERT INTO scores (topic, paper_id, score, why, method, model_version, inputs, computed) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (topic, paper_id) DO UPDATE SET "
        "score = excluded.score, why = excluded.why, method = excluded.method, "
        "model_version = excluded.model_version, inputs = excluded.inputs, computed = excluded.computed",
        rows,
    )
    return len(rows)


def scores_for(conn: sqlite3.Connection, topic: str, ids: Iterable[str] | None = None) -> dict[str, Score]:
    """paper id -> Score for one topic (all of its scored papers, or only ``ids``)."""
    sql = "SELECT * FROM scores WHERE topic = ?"
    out: dict[str, Score] = {}
    wanted = None if ids is None else set(ids)
    for row in conn.execute(sql, (topic,)):
        if wanted is not None and row["paper_id"] not in wanted:
            continue
        out[row["paper_id"]] = Score(row["paper_id"], row["topic"], row["score"], row["method"],
                                     json.loads(row["why"] or "{}"), row["model_version"], row["inputs"])
    return out


def clear_scores(conn: sqlite3.Connection, topic: str | None = None) -> None:
    if topic is None:
        conn.execute("DELETE FROM scores")
    else:
        conn.execute("DELETE FROM scores WHERE topic = ?", (topic,))
