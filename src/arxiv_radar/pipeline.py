"""The daily run, stage by stage: plan -> harvest -> store -> match -> rank -> enrich -> summarize -> render -> deliver.

The one place that strings the stages together. Each stage reads what the one before wrote to
the store, so `render`, `links` and `backfill` can run alone.
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Iterator

from .harvest import calendar
from .deliver.stage import deliver
from .harvest.steps import Endpoints, empty_set_harvests, harvest
from .query.match import match_papers, rematch_changed_topics
from .harvest.plan import make_plan, news_start, unit_label, units_of
from .progress import step_progress
from .publish.files import publish
from .sources import PoliteClient
from .store import Store
from .store.codec import iso, parse_dt

log = logging.getLogger(__name__)

__all__ = ["RunReport", "run", "backfill", "render", "WATERMARK"]

# The run clock up to which every announcement has been harvested (set by a run whose every
# step succeeded). In a store from before per-unit watermarks (this and no unit's own) every
# unit starts here, so such a store carries on where it was.
WATERMARK = "harvest.watermark"
# Each harvest unit's own watermark ("harvest.watermark:set:cs#HASH",
# "harvest.watermark:topic:SLAM#HASH"): a unit that fails holds back only itself, and a unit
# without one (a topic added, renamed or whose query changed) is new and gets the look-back.
UNIT_WATERMARK = "harvest.watermark:"


@dataclass
class RunReport:
    day: date
    command: str = "run"
    announcements: list[str] = field(default_factory=list)
    window: tuple[str, str] | None = None
    plan: list[str] = field(default_factory=list)
    harvested: int = 0
    new: list[str] = field(default_factory=list)
    updated: list[tuple[str, int]] = field(default_factory=list)
    per_topic: dict[str, dict[str, int]] = field(default_factory=dict)
    requests: dict[str, dict[str, int]] = field(default_factory=dict)
    failures: list[tuple[str, str]] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    links: dict = field(default_factory=dict)
    delivery: dict = field(default_factory=dict)
    summaries: dict = field(default_factory=dict)  # empty when `summaries:` is off
    ranking: dict = field(default_factory=dict)
    seconds: float = 0.0
    status: str = "ok"  # ok | partial | failed

    def as_dict(self) -> dict:
        out = {
            "command": self.command,
            "day": self.day.isoformat(),
            "announcements": self.announcements,
            "window": list(self.window) if self.window else None,
            "plan": self.plan,
            "harvested": self.harvested,
            "new": self.new,
            "updated": [list(u) for u in self.updated],
            "topics": self.per_topic,
            "requests": self.requests,
            "failures": [list(f) for f in self.failures],
            "written": self.written,
            "notes": self.notes,
            "links": self.links,
            "delivery": self.delivery,
            **({"summaries": self.summaries} if self.summaries else {}),
            "seconds": round(self.seconds, 3),
            "status": self.status,
        }
        if self.ranking:  # only when a library or a like asked for ranking
            out["ranking"] = self.ranking
        return out


def open_store(config, db_path: str | Path | None, *, must_exist: bool = False) -> Store:
    if db_path:
        from .config.models import db_flag_clash
        from .errors import ConfigError

        clash = db_flag_clash(config, db_path)
        if clash:  # --db aimed at the config or an output: refuse before SQLite touches it
            raise ConfigError(clash)
    return Store.open(Path(db_path) if db_path else config.path_of("database"), must_exist=must_exist)


def _client(config, client: PoliteClient | None) -> tuple[PoliteClient, bool]:
    if client is not None:
        return client, False
    return PoliteClient(min_interval=config.request_interval, contact=config.contact_email,
                        max_bytes=config.max_response_mb * 1024 * 1024,
                        deadline=config.request_deadline), True


def _endpoints(config, api_url: str | None, oai_url: str | None = None, rss_url: str | None = None) -> Endpoints:
    # The API page size is fixed for arXiv's sake (steps.API_PAGE_SIZE), not config.max_results.
    return Endpoints(api_url or config.api_url, oai_url or config.oai_url, rss_url or config.rss_url)


def unit_watermarks(store: Store) -> dict[str, datetime]:
    """Each harvest unit's own watermark (units never harvested alone are absent)."""
    found = {}
    for unit, value in store.states_with_prefix(UNIT_WATERMARK).items():
        when = parse_dt(value)
        if when is not None:
            found[unit] = when
    return found


def unit_starts(store: Store, config, clock: datetime) -> tuple[datetime, dict[str, datetime]]:
    """Where a unit without a watermark of its own starts, and the units' own watermarks.

    A store with per-unit watermarks has harvested every unit it knows: one without a
    watermark is new (a topic added, renamed or whose query changed) and looks back
    ``lookback_days`` from ``clock``, like a first run. Only a store from before per-unit
    watermarks, with just the global one, starts every unit from that."""
    own = unit_watermarks(store)
    global_mark = parse_dt(store.get_state(WATERMARK))
    if global_mark is not None and not own:
        return global_mark, own
    return clock - timedelta(days=config.lookback_days), own


def _harvest_into(store: Store, config, report: RunReport, since: datetime, clock: datetime,
                  client: PoliteClient, endpoints: Endpoints, day: date, *, backfill: bool,
                  unit_since: dict[str, datetime] | None = None, notify: bool = True,
                  news_from: datetime | None = None) -> tuple[bool, dict[str, datetime], set[str]]:
    """Plan, harvest, store and match. Returns whether everything planned was fetched, every
    unit of the plan with the watermark it started from, and the units that failed."""
    calendar.set_extra_holidays(config.holidays)
    unknown = calendar.unknown_holiday_years(since.date(), clock.date())
    if unknown:  # one note per run, however many years the window spans
        years = ", ".join(map(str, unknown))
        _note(report, f"arXiv's holidays for {years} are not known: add them under `holidays:` "
                      "(25 Dec and 1 Jan are taken as holidays meanwhile) or another holiday may be "
                      "taken for an announcement day")
    # A backfill's range is exact; a run re-reads the announcement(s) before its window for
    # papers announced late (after moderation), which the store then keeps once.
    overlap = 0 if backfill else config.overlap_announcements
    plan = make_plan(config.topics, config.source, since, clock, backfill=backfill,
                     unit_since=unit_since, overlap=overlap)
    report.plan = plan.describe()
    report.announcements = [a.day.isoformat() for a in plan.announcements]
    if plan.window:
        report.window = (iso(plan.window[0]), iso(plan.window[1]))
    for line in report.plan:
        log.info("plan: %s", line)
    with step_progress(report.command, len(plan.steps)) as progress:
        result = harvest(plan, client, endpoints, backfill=backfill, progress=progress)
    report.harvested = len(result.papers)
    report.failures = list(result.failures)
    upserted = store.upsert_papers(result.papers.values(), day, new_since=plan.reread_from,
                                   new_kind="new" if notify else "backfilled", news_from=news_from)
    report.new, report.updated = upserted.new, upserted.updated
    if upserted.new and not notify:
        news = sum(1 for pid in upserted.new if _first_submitted(result.papers[pid]) >= news_from) if news_from else 0
        old = len(upserted.new) - news
        if old:
            report.notes.append(f"{old} paper{'' if old == 1 else 's'} added as backfilled: the pages list them; feeds, "
                                "e-mail and webhooks do not announce them as new (backfill --notify does)")
        if news:
            report.notes.append(f"{news} paper{'' if news == 1 else 's'} announced after the watermark recorded as new: "
                                "the next run would have announced them, so its feeds, e-mail and webhooks do")
    rematch_changed_topics(store, config.topics, day)
    match_papers(store, config.topics, result.papers.values(), day)
    new_ids, updated_ids = set(upserted.new), {pid for pid, _ in upserted.updated}
    for name in config.topics:
        ids = set(store.matched_ids(name))
        report.per_topic[name] = {"new": len(ids & new_ids), "updated": len(ids & updated_ids), "total": len(ids)}
    empty = [] if backfill else empty_set_harvests(plan, result, store)
    failed_units = set(result.failed_units)
    for step in empty:
        report.failures.append((step.name, "came back empty on an announcement day although earlier announcements had papers"))
        failed_units.update(step.units)
    return result.complete and not empty, plan.units, failed_units


def _first_submitted(paper) -> datetime:
    return paper.versions[0].submitted if paper.versions and paper.versions[0].submitted else paper.published


def library_fetcher(config, client: PoliteClient, api_url: str | None = None):
    """Library papers missing from the store, fetched by id through the polite client."""
    from .sources.arxiv_api import ArxivAPI

    api = ArxivAPI(client, api_url or config.api_url, config.max_results)
    return lambda ids: list(api.fetch_ids(ids))


def _wants_ranking(store: Store, config) -> bool:
    if config.library or any(t.library for t in config.topics.values()):
        return True
    return store.conn.execute("SELECT 1 FROM feedback LIMIT 1").fetchone() is not None \
        or store.conn.execute("SELECT 1 FROM scores LIMIT 1").fetchone() is not None


def _rank(store: Store, config, day: date, fetch=None) -> dict:
    """Scores for the matches; a failure here is reported and never fails the run (papers stay
    unscored and are listed newest first)."""
    if not _wants_ranking(store, config):
        return {}
    from .rank import rank

    try:
        result = rank(store, config, fetch=fetch, day=day)
    except Exception as exc:
        log.warning("ranking skipped: %s", exc)
        return {"error": str(exc)}
    for line in result.lines():
        log.info("rank: %s", line)
    return result.as_dict()


def _enrich(store: Store, config, day: date) -> dict:
    """Code links; a failure here is reported and never fails the run (papers stay "unknown")."""
    from .enrich import enrich

    try:
        return enrich(store, config, day=day).as_dict()
    except Exception as exc:  # the sources already absorb their faults; this is a last guard
        from .net import scrub

        log.warning("code-link enrichment skipped: %s: %s", type(exc).__name__, scrub(exc))
        return {"error": f"{type(exc).__name__}: {scrub(exc)}"}


def _summarize(store: Store, config, day: date) -> dict:
    """AI summaries, when configured; a failure here is reported and never fails the run (the
    papers keep their abstract and are tried again next run)."""
    if config.summaries is None:
        return {}
    from .summarize import summarize

    try:
        return summarize(store, config, day=day).as_dict()
    except Exception as exc:  # a missing key or package, or a last guard
        log.warning("summaries skipped: %s", exc)
        return {"error": str(exc)}


def _deliver(store: Store, config, day: date) -> dict:
    """Every channel; deliver() absorbs each channel's failure, this guards the stage itself."""
    try:
        return deliver(store, config, day).as_dict()
    except Exception as exc:  # a delivery problem of any kind never fails the run
        from .net import scrub

        log.warning("delivery skipped: %s: %s", type(exc).__name__, scrub(exc))
        return {"error": f"{type(exc).__name__}: {scrub(exc)}"}


@contextmanager
def _recorded(config, db_path, client: PoliteClient | None, report: RunReport) -> Iterator[tuple[Store, PoliteClient]]:
    """Open the store and a client, log the run in the store (failed if anything raises)."""
    started = time.monotonic()
    client, own_client = _client(config, client)
    try:
        with open_store(config, db_path) as store:
            run_id = store.begin_run(report.command, report.day)
            try:
                yield store, client
            except BaseException:
                report.status = "failed"
                raise
            finally:
                report.requests = dict(client.stats)
                report.seconds = time.monotonic() - started
                store.finish_run(run_id, report.status, report.as_dict())
    finally:
        if own_client:
            client.close()


def run(config, *, day: date | None = None, db_path=None, api_url: str | None = None,
        oai_url: str | None = None, rss_url: str | None = None,
        client: PoliteClient | None = None) -> RunReport:
    """Harvest every announcement since the watermark (or the look-back on a first run) up to
    the run's clock, store, match, find code links, render, deliver. ``day`` stands for the
    clock: the end of that day in New York. A run whose harvest was incomplete still keeps and
    renders what it got, leaves the watermark where it was, and reports status "partial"."""
    clock = calendar.run_clock(day)
    report = RunReport(day=day or calendar.today())
    with _recorded(config, db_path, client, report) as (store, client):
        start, own = unit_starts(store, config, clock)
        since = parse_dt(store.get_state(WATERMARK)) or clock - timedelta(days=config.lookback_days)
        endpoints = _endpoints(config, api_url, oai_url, rss_url)
        complete, units, failed = _harvest_into(store, config, report, start, clock, client, endpoints,
                                                report.day, backfill=False, unit_since=own)
        if day is not None and clock <= since:
            # A run only moves forward from the watermark: a past day is backfill's job.
            _note(report, f"the store is already harvested past {day.isoformat()} (up to "
                          f"{calendar.today(since).isoformat()}): this run fetched nothing for that day; "
                          f"`arxiv-radar backfill --from {day.isoformat()} --to {day.isoformat()}` fills past days")
        # Every unit that was fully harvested moves on; a failed one is asked again from its
        # own watermark next time. All in one transaction: a killed run moves none.
        moved = {UNIT_WATERMARK + u: iso(clock) for u, start in units.items() if u not in failed and clock > start}
        if complete and clock > since:
            moved[WATERMARK] = iso(clock)
        if moved:
            store.set_states(moved)
        for unit in sorted(failed & set(units)):
            report.notes.append(f"{unit_label(unit)} held back: the next run asks for it again from "
                                f"{units[unit]:%Y-%m-%d %H:%M} UTC; the other topics moved on")
        report.status = "ok" if complete else "partial"
        if not complete and not store.paper_count():
            # Nothing fetched and nothing kept: rendering now would write empty pages over
            # whatever the repository shows. Leave every output as it is.
            _note(report, "the harvest failed and the store holds no paper: no output was written "
                          "(the pages stay as they were); the next run tries again")
            return report
        if not complete:
            _note(report, f"the harvest was partial: outputs are rendered from the {store.paper_count():,} "
                          "stored papers; the next run fetches what is missing")
        report.ranking = _rank(store, config, report.day, library_fetcher(config, client, api_url))
        report.links = _enrich(store, config, report.day)
        # After matching (and ranking): only the papers the outputs list are summarised.
        report.summaries = _summarize(store, config, report.day)
        published = publish(config, store, report.day, pinned=day is not None)
        report.written = [str(p) for p in published.written]
        report.notes += published.warnings
        # Delivery failures are reported, never raised: they leave the exit code alone.
        report.delivery = _deliver(store, config, report.day)
    return report


def _note(report: RunReport, text: str) -> None:
    report.notes.append(text)
    log.warning("%s", text)


def backfill(config, *, start: date, end: date, db_path=None, api_url: str | None = None,
             oai_url: str | None = None, rss_url: str | None = None,
             client: PoliteClient | None = None, notify: bool = False) -> RunReport:
    """Harvest every announcement from ``start`` to ``end`` (New York days, inclusive). The
    watermarks do not move; outputs reflect the backfill at the next run or render. The papers
    it adds are recorded as "backfilled", which feeds, digests and webhooks do not announce as
    new, unless ``notify``, or unless the next run would have announced them: those first
    submitted from where the next run starts (the oldest watermark of the config's units, the
    overlap included) are recorded as "new", so a backfill reaching past the watermark never
    swallows news."""
    report = RunReport(day=end, command="backfill")
    with _recorded(config, db_path, client, report) as (store, client):
        since = calendar.day_start(start) - timedelta(microseconds=1)
        # Where the next run starts: each unit from its watermark, a new one (or every one, in a
        # store never run) looking back from today's clock.
        calendar.set_extra_holidays(config.holidays)
        fallback, own = unit_starts(store, config, calendar.run_clock())
        next_start = min((own.get(u, fallback) for u in units_of(config.topics, config.source)), default=fallback)
        complete, _, _ = _harvest_into(store, config, report, since, calendar.day_end(end), client,
                                       _endpoints(config, api_url, oai_url, rss_url), end, backfill=True,
                                       notify=notify, news_from=news_start(next_start, config.overlap_announcements))
        report.status = "ok" if complete else "partial"
    return report


def render(config, *, day: date | None = None, db_path=None, style: str | None = None,
           full: bool = False) -> list[Path]:
    """Re-render every output from the store, without network. The store must exist: an
    empty one would blank every output. ``full``: rebuild every part of the site. ``day``: the
    date the outputs show (default: today when something in them changed, see publish)."""
    pinned = day is not None
    day = day or calendar.today()
    with open_store(config, db_path, must_exist=True) as store:
        rematch_changed_topics(store, config.topics, day)
        _rank(store, config, day)  # local only: a library paper not stored yet waits for the next run
        return publish(config, store, day, style=style, full=full, pinned=pinned).written
