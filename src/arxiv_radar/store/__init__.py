"""The SQLite store: every paper once, its versions, topic matches, code links, runs.

``Store`` is a thin facade over the functions of this package; it knows no output format.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Iterable, Iterator

from ..model import Paper
from . import feedback as _feedback
from . import links as _links
from . import matches as _matches
from . import papers as _papers
from . import scores as _scores
from . import state as _state
from .db import LATEST_VERSION, connect, schema_version, transaction
from .links import LinkSummary
from .papers import UpsertResult
from .scores import Score

__all__ = ["Store", "UpsertResult", "LinkSummary", "LATEST_VERSION", "Score"]


class Store:
    def __init__(self, conn: sqlite3.Connection, path: Path | None = None):
        self.conn = conn
        self.path = path

    @classmethod
    def open(cls, path: str | Path, *, readonly: bool = False, must_exist: bool = False) -> "Store":
        return cls(connect(path, readonly=readonly, must_exist=must_exist), Path(path))

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with transaction(self.conn) as conn:
            yield conn

    @property
    def schema_version(self) -> int:
        return schema_version(self.conn)

    # papers
    def upsert_papers(self, papers: Iterable[Paper], day: date, *, origin: str = "arxiv",
                      authors_complete: bool = True, new_since: datetime | None = None,
                      new_kind: str = "new", news_from: datetime | None = None) -> UpsertResult:
        with self.transaction():
            return _papers.upsert_papers(self.conn, papers, day, origin=origin,
                                         authors_complete=authors_complete, new_since=new_since,
                                         new_kind=new_kind, news_from=news_from)

    def get_papers(self, ids: Iterable[str]) -> dict[str, Paper]:
        return _papers.get_papers(self.conn, ids)

    def iter_papers(self, *, include_legacy: bool = True) -> Iterator[Paper]:
        return _papers.iter_papers(self.conn, include_legacy=include_legacy)

    def paper_count(self) -> int:
        return _papers.paper_count(self.conn)

    def authors_complete(self, ids: Iterable[str]) -> dict[str, bool]:
        return _papers.authors_complete(self.conn, ids)

    # matches
    def add_matches(self, topic: str, hits: Iterable[tuple[str, str | None]], day: date) -> int:
        with self.transaction():
            return _matches.add_matches(self.conn, topic, hits, day)

    def matched_ids(self, topic: str) -> list[str]:
        return _matches.matched_ids(self.conn, topic)

    def clear_topic(self, topic: str) -> None:
        with self.transaction():
            _matches.clear_topic(self.conn, topic)

    def topics_of(self, ids: Iterable[str]) -> dict[str, list[str]]:
        return _matches.topics_of(self.conn, ids)

    # links
    def record_link(self, paper_id: str, source: str, status: str, **kw) -> None:
        with self.transaction():
            _links.record_link(self.conn, paper_id, source, status, **kw)

    def link_summaries(self, ids: Iterable[str]) -> dict[str, LinkSummary]:
        return _links.summaries(self.conn, ids)

    # feedback and scores
    def set_feedback(self, ids: Iterable[str], value: int, *, topic: str = "", source: str = "cli") -> int:
        with self.transaction():
            return _feedback.set_feedback(self.conn, ids, value, topic=topic, source=source)

    def clear_feedback(self, ids: Iterable[str], *, topic: str = "") -> int:
        with self.transaction():
            return _feedback.clear_feedback(self.conn, ids, topic=topic)

    def feedback(self, topic: str | None = None) -> dict[str, int]:
        return _feedback.feedback(self.conn, topic)

    def scores_for(self, topic: str, ids: Iterable[str] | None = None) -> dict[str, Score]:
        return _scores.scores_for(self.conn, topic, ids)

    # state and runs
    def get_state(self, key: str, default: str | None = None) -> str | None:
        return _state.get_state(self.conn, key, default)

    def set_state(self, key: str, value: str) -> None:
        with self.transaction():
            _state.set_state(self.conn, key, value)

    def states_with_prefix(self, prefix: str) -> dict[str, str]:
        return _state.states_with_prefix(self.conn, prefix)

    def set_states(self, values: dict[str, str]) -> None:
        """Set several values in one transaction (all or none)."""
        with self.transaction():
            for key, value in values.items():
                _state.set_state(self.conn, key, value)

    def begin_run(self, command: str, day: date) -> int:
        with self.transaction():
            return _state.begin_run(self.conn, command, day)

    def finish_run(self, run_id: int, status: str, report: dict | None = None) -> None:
        with self.transaction():
            _state.finish_run(self.conn, run_id, status, report)
