"""`arxiv-radar import-legacy`: a cv-arxiv-daily JSON database into the store.

Each row becomes a paper (first author only, the row's date standing in for its dates, until a
harvest brings the full record), a topic match, a "legacy" code link, and a per-topic legacy row
that lets the cv-arxiv-daily style reproduce the old files exactly. Unreadable rows are reported
with their topic and key, never skipped silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .legacy_rows import paper_from_legacy, read_legacy_json
from ..store import Store
from ..store.legacy import LegacyRecord, save_legacy_row
from ..store.links import record_link
from ..store.matches import IMPORTED, add_matches
from ..store.papers import upsert_papers

__all__ = ["LegacyImportReport", "import_legacy"]


@dataclass
class LegacyImportReport:
    rows: int = 0
    papers: set[str] = field(default_factory=set)
    topics: dict[str, int] = field(default_factory=dict)
    unreadable: list[tuple[str, str, str]] = field(default_factory=list)  # (topic, key, why)

    @property
    def distinct_papers(self) -> int:
        return len(self.papers)


def import_legacy(path: str | Path, store: Store, day: date) -> LegacyImportReport:
    report = LegacyImportReport()
    positions: dict[str, int] = {}
    with store.transaction() as conn:
        for topic, key, row in read_legacy_json(path):
            report.rows += 1
            if isinstance(row, Exception):
                report.unreadable.append((topic, key, str(row)))
                continue
            paper = paper_from_legacy(row)
            upsert_papers(conn, [paper], day, origin="legacy", authors_complete=False)
            add_matches(conn, topic, [(paper.id, IMPORTED)], day)
            record_link(
                conn, paper.id, "legacy", "found" if row.code_url else "none",
                url=row.code_url,
            )
            position = positions.get(topic, 0)
            positions[topic] = position + 1
            save_legacy_row(conn, LegacyRecord(
                topic, paper.id, key, position, row.date, row.title, row.first_author,
                row.version, row.code_url,
            ))
            report.papers.add(paper.id)
            report.topics[topic] = report.topics.get(topic, 0) + 1
    return report
