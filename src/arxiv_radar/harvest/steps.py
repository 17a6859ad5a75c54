"""Carrying out a plan: each step's requests, with failures recorded instead of raised.

What a step fetched is kept even when a later step fails. The units of a failed step are in
``HarvestResult.failed_units``: the caller leaves their watermarks alone and moves the others.
An OR-ed API search that arXiv rejects (a permanent error) is asked again unit by unit, so one
topic's bad query cannot hold back the topics it was combined with.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Iterable

from ..errors import ArxivAPIError, FetchError
from ..model import Paper
from .plan import Plan, Step, oai_set
from ..progress import StepProgress, no_progress
from ..sources import ArxivAPI, PoliteClient
from ..sources.oai import OAIHarvester
from ..sources.rss import RSSReader

log = logging.getLogger(__name__)

__all__ = ["API_PAGE_SIZE", "Endpoints", "HarvestResult", "harvest", "empty_set_harvests"]


@dataclass
class HarvestResult:
    papers: dict[str, Paper] = field(default_factory=dict)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (step label, why)
    per_step: dict[str, int] = field(default_factory=dict)
    failed_units: set[str] = field(default_factory=set)  # watermark units not (fully) harvested

    @property
    def complete(self) -> bool:
        return not self.failures

    def add(self, step: Step, papers) -> None:
        count = 0
        for paper in papers:
            old = self.papers.get(paper.id)
            if old is None or paper.version >= old.version:
                self.papers[paper.id] = paper
            count += 1
        self.per_step[step.name] = count

    def fail(self, step: Step, why: str) -> None:
        self.failures.append((step.name, why))
        self.failed_units.update(step.units)


# The arXiv API's page size, chosen for arXiv's sake rather than taken from the config: its
# manual allows slices of up to 2,000 and asks for at most about 1,000 per request, and every
# request costs a 3-second pause, so a few large pages beat many small ones.
API_PAGE_SIZE = 1000


@dataclass(frozen=True)
class Endpoints:
    api_url: str
    oai_url: str
    rss_url: str
    page_size: int = API_PAGE_SIZE


def _in_window(paper: Paper, start: datetime, end: datetime, backfill: bool) -> bool:
    first = paper.versions[0].submitted if paper.versions and paper.versions[0].submitted else paper.published
    latest = paper.updated or first
    if backfill:
        return start <= first < end
    return start <= first < end or start <= latest < end


def _counted(papers: Iterable[Paper], step: Step, done: int, progress: StepProgress) -> list[Paper]:
    out = []
    for paper in papers:
        out.append(paper)
        if len(out) % 50 == 0:
            progress(f"{step.kind} {step.label}", len(out), done)
    return out


def _fetch(step: Step, plan: Plan, client: PoliteClient, api: ArxivAPI, endpoints: Endpoints,
           backfill: bool, done: int, progress: StepProgress) -> list[Paper]:
    start, end = step.start, step.end
    if step.kind == "api":
        # The API's date ranges have minute precision and inclusive ends.
        return _counted(api.search_window(step.query, start, end - timedelta(minutes=1),
                                          date_field=step.date_field), step, done, progress)
    if step.kind == "oai":
        oai = OAIHarvester(client, endpoints.oai_url)
        # A record's datestamp is its last change, which for a backfill may be long after
        # the range: ask up to today, then keep what the range announced.
        until = max(plan.clock, datetime.now(timezone.utc)) if backfill else plan.clock
        records = oai.list_records(step.set_spec, (start - timedelta(days=1)).date(),
                                   (until + timedelta(days=1)).date())
        return [p for p in _counted(records, step, done, progress) if _in_window(p, start, end, backfill)]
    if step.kind == "rss":
        announcement = RSSReader(client, endpoints.rss_url).latest(list(step.categories))
        expected = step.announcements[-1].day
        if announcement.items and announcement.day != expected:
            # arXiv rebuilds its feeds at midnight New York time: before that the feed
            # still shows the previous announcement.
            raise FetchError(f"the RSS feed shows the announcement of {announcement.day}, "
                             f"not {expected}'s (feeds are rebuilt at midnight New York time)")
        # RSS items carry no submission times: the API's records have them. The window's
        # overlap keeps a paper this announcement lists although it was submitted earlier.
        ids = [item.paper.id for item in announcement.items]
        fetched = api.fetch_ids(ids) if ids else []
        return [p for p in fetched if _in_window(p, start, end, backfill)]
    raise ValueError(f"unknown step kind {step.kind!r}")


def _alone(step: Step) -> list[Step]:
    """An OR-ed search split into one search per unit."""
    return [replace(step, label=query, query=query, units=(unit,), parts=((unit, query),))
            for unit, query in step.parts]


def harvest(plan: Plan, client: PoliteClient, endpoints: Endpoints, *, backfill: bool = False,
            progress: StepProgress = no_progress) -> HarvestResult:
    result = HarvestResult()
    api = ArxivAPI(client, base_url=endpoints.api_url, page_size=endpoints.page_size)
    # (step, whether finishing it finishes one of the plan's steps: the parts of a split search
    # share their search's place in the progress bar).
    queue = [(step, True) for step in plan.steps]
    done = 0
    while queue:
        step, last = queue.pop(0)
        progress(f"{step.kind} {step.label}", 0, done)
        try:
            papers = _fetch(step, plan, client, api, endpoints, backfill, done, progress)
        except ArxivAPIError as exc:
            if len(step.parts) > 1:
                # arXiv rejected the OR-ed search: ask for each unit alone, so that only the
                # unit whose query it rejects is held back.
                log.warning("%s rejected (%s); asking for each of its %d topics alone",
                            step.name, exc, len(step.parts))
                parts = _alone(step)
                queue[:0] = [(part, last and i == len(parts) - 1) for i, part in enumerate(parts)]
                continue
            log.error("%s failed: %s", step.name, exc)
            result.fail(step, str(exc))
        except FetchError as exc:
            log.error("%s failed: %s", step.name, exc)
            result.fail(step, str(exc))
        else:
            result.add(step, papers)
            log.info("%s: %d paper%s", step.name, len(papers), "" if len(papers) == 1 else "s")
        done += last
    progress("done", len(result.papers), done)
    return result


def empty_set_harvests(plan: Plan, result: HarvestResult, store) -> list[Step]:
    """Category-set steps that came back empty although the store has papers of that set from
    the five announcements before theirs: arXiv (or a proxy) answered, but with nothing, which
    is a fault.
    """
    from . import calendar

    suspicious = []
    failed = dict(result.failures)
    for step in plan.steps:
        if step.kind not in ("oai", "rss") or not step.announcements or result.per_step.get(step.name, 0):
            continue
        if step.name in failed:
            continue
        earlier = []
        t = step.announcements[0].at - timedelta(seconds=1)
        for _ in range(5):
            a = calendar.last_announcement_before(t)
            earlier.append(a)
            t = a.at - timedelta(seconds=1)
        lo, hi = earlier[-1].window_start, earlier[0].window_end
        sets = {oai_set(c) for c in step.categories} if step.kind == "rss" else {step.set_spec}
        rows = store.conn.execute(
            "SELECT categories FROM papers WHERE published >= ? AND published < ?",
            (lo.strftime("%Y-%m-%dT%H:%M:%SZ"), hi.strftime("%Y-%m-%dT%H:%M:%SZ")),
        )
        if any(sets & {oai_set(c) for c in r[0].split()} for r in rows):
            suspicious.append(step)
    return suspicious
