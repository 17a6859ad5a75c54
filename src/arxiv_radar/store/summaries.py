"""AI summaries per paper version, model, language and prompt (written by summarize/, read by
publish, deliver and export); and the failed attempts that make a paper be tried again.

The text in ``fields`` came from a language model: it was validated and capped before it was
stored, but it is untrusted all the same, and every output escapes it like a paper's title.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterable

__all__ = [
    "SummaryKey",
    "StoredSummary",
    "save_summary",
    "summarised_ids",
    "latest_summaries",
    "has_summaries",
    "record_attempt",
    "attempts_for",
]

_CHUNK = 500


@dataclass(frozen=True)
class SummaryKey:
    """What a summary depends on, apart from the paper: never asked twice for the same key."""

    model: str
    language: str
    prompt_hash: str


@dataclass(frozen=True)
class StoredSummary:
    paper_id: str
    version: int
    model: str
    language: str
    prompt_hash: str
    fields: dict[str, str] = field(default_factory=dict)
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    created: str = ""


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def save_summary(conn: sqlite3.Connection, paper_id: str, version: int, key: SummaryKey,
                 fields: dict[str, str], prompt_tokens: int | None, completion_tokens: int | None,
                 *, created: str | None = None) -> None:
    """Store one summary (a second save for the same key keeps the first) and clear its failures."""
    conn.execute(
        "INSERT INTO summaries (paper_id, version, model, language, prompt_hash, fields, prompt_tokens, "
        "completion_tokens, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (paper_id, version, model, language, prompt_hash) DO NOTHING",
        (paper_id, version, key.model, key.language, key.prompt_hash,
         json.dumps(fields, ensure_ascii=False, sort_keys=True), prompt_tokens, completion_tokens,
         created or _now()),
    )
    conn.execute(
        "DELETE FROM summary_attempts WHERE paper_id = ? AND version = ? AND model = ? AND language = ? "
        "AND prompt_hash = ?", (paper_id, version, key.model, key.language, key.prompt_hash),
    )


def summarised_ids(conn: sqlite3.Connection, key: SummaryKey) -> set[tuple[str, int]]:
    """(paper id, version) of every summary made for ``key``."""
    rows = conn.execute(
        "SELECT paper_id, version FROM summaries WHERE model = ? AND language = ? AND prompt_hash = ?",
        (key.model, key.language, key.prompt_hash),
    )
    return {(r[0], r[1]) for r in rows}


def latest_summaries(conn: sqlite3.Connection, ids: Iterable[str],
                     key: SummaryKey | None = None) -> dict[str, StoredSummary]:
    """paper id -> the summary to show. With ``key``: one in ``key.language``, preferring the
    paper's current version, then the configured model and prompt, then the newest; so a paper
    whose new version has no summary yet shows its previous one meanwhile. Without: the newest
    of the current version (else of any version), whatever its language."""
    out: dict[str, StoredSummary] = {}
    ids = list(dict.fromkeys(ids))
    if key is None:
        where, prefer, extra = "", "", ()
    else:
        where = "AND s.language = ? "
        prefer = "(s.model = ? AND s.prompt_hash = ?) DESC, "
        extra = (key.language, key.model, key.prompt_hash)
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i : i + _CHUNK]
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(
            "SELECT s.*, (s.version = p.version) AS current FROM summaries s JOIN papers p ON p.id = s.paper_id "
            f"WHERE s.paper_id IN ({marks}) {where}"
            f"ORDER BY s.paper_id, current DESC, {prefer}s.version DESC, s.created DESC, s.model, s.prompt_hash, "
            "s.language",
            (*chunk, *extra),
        )
        for r in rows:
            if r["paper_id"] in out:
                continue
            try:
                fields = json.loads(r["fields"])
            except ValueError:
                continue
            if not isinstance(fields, dict):
                continue
            out[r["paper_id"]] = StoredSummary(
                r["paper_id"], r["version"], r["model"], r["language"], r["prompt_hash"],
                {str(k): str(v) for k, v in fields.items() if isinstance(v, str)},
                r["prompt_tokens"], r["completion_tokens"], r["created"],
            )
    return out


def has_summaries(conn: sqlite3.Connection) -> bool:
    """True once any summary is stored (the table exists from schema version 8 on)."""
    try:
        return conn.execute("SELECT 1 FROM summaries LIMIT 1").fetchone() is not None
    except sqlite3.OperationalError:  # a read-only store of an older schema
        return False


def record_attempt(conn: sqlite3.Connection, paper_id: str, version: int, key: SummaryKey, error: str) -> int:
    """Count a failed attempt for (paper version, key); returns the attempts so far."""
    conn.execute(
        "INSERT INTO summary_attempts (paper_id, version, model, language, prompt_hash, attempts, last_error, "
        "last_tried) VALUES (?, ?, ?, ?, ?, 1, ?, ?) "
        "ON CONFLICT (paper_id, version, model, language, prompt_hash) DO UPDATE SET "
        "attempts = attempts + 1, last_error = excluded.last_error, last_tried = excluded.last_tried",
        (paper_id, version, key.model, key.language, key.prompt_hash, error[:500], _now()),
    )
    row = conn.execute(
        "SELECT attempts FROM summary_attempts WHERE paper_id = ? AND version = ? AND model = ? "
        "AND language = ? AND prompt_hash = ?", (paper_id, version, key.model, key.language, key.prompt_hash),
    ).fetchone()
    return int(row[0]) if row else 0


def attempts_for(conn: sqlite3.Connection, key: SummaryKey) -> dict[tuple[str, int], int]:
    """(paper id, version) -> failed attempts so far, for ``key``."""
    rows = conn.execute(
        "SELECT paper_id, version, attempts FROM summary_attempts WHERE model = ? AND language = ? "
        "AND prompt_hash = ?", (key.model, key.language, key.prompt_hash),
    )
    return {(r[0], r[1]): r[2] for r in rows}
