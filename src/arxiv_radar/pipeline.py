"""The daily run, stage by stage: plan -> harvest -> store -> match -> (enrich) -> render."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from . import calendar
from .match import match_papers, rematch_changed_topics
from .publish import publish
from .query import to_api
from .sources import ArxivAPI, PoliteClient
from .store import Store

log = logging.getLogger(__name__)

__all__ = ["RunReport", "run", "render"]


@dataclass
class RunReport:
    day: date
    window: tuple[str, str] = ("", "")
    harvested: int = 0
    new: list[str] = field(default_factory=list)
    updated: list[tuple[str, int]] = field(default_factory=list)
    per_topic: dict[str, dict[str, int]] = field(default_factory=dict)
    requests: dict[str, dict[str, int]] = field(default_factory=dict)
    written: list[str] = field(default_factory=list)
    seconds: float = 0.0
    status: str = "ok"

    def as_dict(self) -> dict:
        return {
            "day": self.day.isoformat(),
            "window": list(self.window),
            "harvested": self.harvested,
            "new": self.new,
            "updated": [list(u) for u in self.updated],
            "topics": self.per_topic,
            "requests": self.requests,
            "written": self.written,
            "seconds": round(self.seconds, 3),
            "status": self.status,
        }


def open_store(config, db_path: str | Path | None) -> Store:
    return Store.open(Path(db_path) if db_path else config.path_of("database"))


def run(config, *, day: date, db_path=None, api_url: str | None = None, client: PoliteClient | None = None) -> RunReport:
    """Harvest the look-back window ending with ``day``, store, match and render."""
    started = time.monotonic()
    report = RunReport(day=day)
    end = calendar.day_end(day)
    start = calendar.day_start(day - timedelta(days=config.lookback_days))
    report.window = (start.isoformat(), end.isoformat())
    own_client = client is None
    client = client or PoliteClient(min_interval=config.request_interval, contact=config.contact_email)
    api = ArxivAPI(client, base_url=api_url or config.api_url, page_size=config.max_results)
    with open_store(config, db_path) as store:
        run_id = store.begin_run("run", day)
        try:
            harvested = {}
            for name, topic in config.topics.items():
                query = to_api(topic.ast)
                log.info("topic %s: searching %s", name, query)
                for paper in api.search_window(query, start, end):
                    harvested[paper.id] = paper
            report.harvested = len(harvested)
            result = store.upsert_papers(harvested.values(), day)
            report.new, report.updated = result.new, result.updated
            rematch_changed_topics(store, config.topics, day)
            added = match_papers(store, config.topics, harvested.values(), day)
            for name in config.topics:
                report.per_topic[name] = {"new": added.get(name, 0), "total": len(store.matched_ids(name))}
            written = publish(config, store, day)
            report.written = [str(p) for p in written.written]
        except BaseException:
            report.status = "failed"
            report.requests = dict(client.stats)
            store.finish_run(run_id, "failed", report.as_dict())
            raise
        finally:
            if own_client:
                client.close()
        report.requests = dict(client.stats)
        report.seconds = time.monotonic() - started
        store.finish_run(run_id, report.status, report.as_dict())
    return report


def render(config, *, day: date, db_path=None, style: str | None = None) -> list[Path]:
    """Re-render every output from the store, without network."""
    with open_store(config, db_path) as store:
        rematch_changed_topics(store, config.topics, day)
        return publish(config, store, day, style=style).written
