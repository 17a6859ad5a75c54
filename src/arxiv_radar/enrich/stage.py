"""The enrichment stage: find each paper's code link, record where it came from, lose nothing.

Sources, in order: URLs in the abstract and in the arXiv comment (local, always), the Hugging Face
papers API, optionally the Papers with Code relaunch, and optionally GitHub stars. Every answer is
stored per (paper, source) with its check time. A failing source leaves the paper "unknown"
(asked again next run), never "none" and never dropped; "none" is asked again on a back-off.
Enrichment failures are reported, they never fail the run.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import ssl
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterable

import httpx

from .. import __version__
from ..model import Paper
from ..store import Store
from ..store.links import link_rows
from . import github, huggingface, paperswithcode
from .answer import Answer
from .fetch import Fetcher, NotAsked, SourceFailure
from .schedule import BACKOFF_DAYS, backoff_detail, is_due, next_none_check
from .urls import extract_links

__all__ = ["EnrichSettings", "EnrichReport", "enrich", "source_table", "format_source_table", "LOCAL_SOURCES"]

log = logging.getLogger(__name__)

LOCAL_SOURCES = ("abstract", "comment")
_MAX_ERRORS = 50


@dataclass(frozen=True)
class EnrichSettings:
    hf_url: str = "https://huggingface.co"
    huggingface: bool = True
    paperswithcode: bool = False
    pwc_url: str = "https://paperswithcode.co/api/v1"
    github_stars: bool = False
    github_url: str = "https://api.github.com"
    time_budget: float = 60.0
    concurrency: int = 4
    per_host_interval: float = 0.5  # seconds between requests to one host (120 a minute)
    timeout: float = 10.0
    # A daily listing costs one request; it is asked for a day only when it can answer for at
    # least this many due papers (otherwise the by-id lookup is as cheap and always conclusive).
    min_daily_group: int = 2
    backoff_days: tuple[int, ...] = BACKOFF_DAYS
    contact: str | None = None

    @classmethod
    def from_config(cls, config: Any) -> "EnrichSettings":
        """Settings from a Config (or anything with the same attributes); missing keys keep defaults."""
        d = cls()
        enrich = getattr(config, "enrich", None)

        def pick(name: str, default: Any) -> Any:
            value = getattr(enrich, name, None) if enrich is not None else None
            return default if value is None else value

        return cls(
            hf_url=getattr(config, "hf_url", None) or os.environ.get("ARXIV_RADAR_HF_URL") or d.hf_url,
            huggingface=bool(pick("huggingface", d.huggingface)),
            paperswithcode=bool(pick("paperswithcode", d.paperswithcode)),
            pwc_url=pick("pwc_url", None) or os.environ.get("ARXIV_RADAR_PWC_URL") or d.pwc_url,
            github_stars=bool(pick("github_stars", d.github_stars)),
            github_url=pick("github_url", None) or os.environ.get("ARXIV_RADAR_GITHUB_API_URL") or d.github_url,
            time_budget=float(pick("time_budget", d.time_budget)),
            concurrency=int(pick("concurrency", d.concurrency)),
            per_host_interval=float(pick("per_host_interval", d.per_host_interval)),
            timeout=float(pick("timeout", d.timeout)),
            contact=getattr(config, "contact_email", None),
        )


@dataclass
class EnrichReport:
    day: date
    papers: int = 0
    # source -> status -> answers recorded in this run
    answers: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    not_asked: Counter = field(default_factory=Counter)  # source -> due papers left for next run
    requests: Counter = field(default_factory=Counter)  # source -> requests made
    stopped: dict[str, str] = field(default_factory=dict)  # source -> why it stopped early
    budget_spent: bool = False
    stars_updated: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failures(self) -> int:
        return sum(c.get("unknown", 0) for c in self.answers.values())

    def error(self, text: str) -> None:
        if len(self.errors) < _MAX_ERRORS:
            self.errors.append(text)

    def as_dict(self) -> dict:
        return {
            "day": self.day.isoformat(),
            "papers": self.papers,
            "answers": {s: dict(c) for s, c in sorted(self.answers.items())},
            "not_asked": dict(self.not_asked),
            "requests": dict(self.requests),
            "stopped": dict(self.stopped),
            "budget_spent": self.budget_spent,
            "stars_updated": self.stars_updated,
            "errors": list(self.errors),
            "seconds": round(self.seconds, 3),
            "waiting": self.waiting(),
        }

    def waiting(self) -> dict[str, dict[str, int | None]]:
        """Per network source left short by the time budget: papers still waiting, how many
        it answered in this run, and at that pace how many more runs it takes (None: no pace)."""
        out: dict[str, dict[str, int | None]] = {}
        for source, left in sorted(self.not_asked.items()):
            answered = sum(self.answers.get(source, Counter()).values())
            out[source] = {"papers": left, "answered": answered,
                           "runs": -(-left // answered) if answered else None}
        return out

    def waiting_lines(self) -> list[str]:
        """One line per source with papers waiting: how many, and when they will be done."""
        out = []
        for source, w in self.waiting().items():
            left, answered, runs = w["papers"], w["answered"], w["runs"]
            line = f"{source}: {left:,} paper{'' if left == 1 else 's'} waiting for a code-link check"
            if runs:
                line += (f"; at this run's pace ({answered:,} answered in {self.seconds:.0f} s) about "
                         f"{runs} more run{'' if runs == 1 else 's'}, newest papers first")
            else:
                line += "; none answered in this run, so they are asked again at the next"
            out.append(line)
        return out

    def lines(self) -> list[str]:
        """A short human summary, one fact a line."""
        out = [f"Links for {self.day}: {self.papers} paper{'' if self.papers == 1 else 's'} checked in {self.seconds:.1f} s."]
        for source, counts in sorted(self.answers.items()):
            parts = ", ".join(f"{counts[s]} {s}" for s in ("found", "none", "unknown") if counts.get(s))
            out.append(f"  {source}: {parts or 'nothing new'} ({self.requests.get(source, 0)} requests)")
        out.extend(f"  {line}" for line in self.waiting_lines())
        for source, why in sorted(self.stopped.items()):
            out.append(f"  {source} stopped early: {why}")
        if self.budget_spent:
            out.append("  time budget spent; the rest is asked at the next run")
        if self.stars_updated:
            out.append(f"  github: stars for {self.stars_updated} repositories")
        return out


def _scope(store: Store) -> list[str]:
    """Papers worth enriching: those listed under some topic."""
    return [r[0] for r in store.conn.execute("SELECT DISTINCT paper_id FROM matches ORDER BY paper_id")]


def _rows(store: Store, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    return {pid: {r["source"]: r for r in rs} for pid, rs in link_rows(store.conn, ids).items()}


def _has_code(rows: dict[str, Any]) -> bool:
    return any(r["status"] == "found" and r["kind"] == "code" and r["url"] for r in rows.values())


def _due(rows: dict[str, dict[str, Any]], pid: str, source: str, day: date) -> bool:
    """A network source is asked about papers without code whose answer from it is due."""
    paper_rows = rows.get(pid, {})
    prev = paper_rows.get(source)
    return not _has_code(paper_rows) and is_due(prev["status"] if prev else None, prev["next_check"] if prev else None, day)


def _now() -> datetime:
    return datetime.now(timezone.utc)


class _Recorder:
    """Writes answers with their schedule, and counts them in the report."""

    def __init__(self, store: Store, day: date, report: EnrichReport, steps: tuple[int, ...]):
        self.store, self.day, self.report, self.steps = store, day, report, steps

    def answer(self, pid: str, source: str, answer: Answer, prev: Any | None, *, local: bool = False) -> None:
        next_check: date | None = None
        detail = answer.detail
        if answer.status == "none" and not local:
            next_check, step = next_none_check(
                self.day, prev["status"] if prev else None, prev["detail"] if prev else None, self.steps
            )
            detail = backoff_detail(step, answer.detail)
        elif answer.status == "unknown":
            next_check = self.day  # due again at the next run
            self.report.error(f"{pid} {source}: {answer.detail}")
        self.store.record_link(
            pid, source, answer.status, url=answer.url, kind="code", stars=answer.stars,
            project_url=answer.project_url, checked_at=_now(), next_check=next_check, detail=detail,
        )
        self.report.answers[source][answer.status] += 1

    def not_asked(self, pid: str, source: str, why: str, prev: Any | None) -> None:
        # A paper no source has answered for must not read as "none": without a row of this
        # source, its abstract's "none" alone would render as null. A stored answer stays.
        if prev is None:
            self.store.record_link(pid, source, "unknown", checked_at=None, next_check=self.day,
                                   detail=f"not asked: {why}")
        self.report.not_asked[source] += 1


def _local(papers: dict[str, Paper], rows: dict[str, dict[str, Any]], rec: _Recorder,
           network_sources: tuple[str, ...] = ()) -> None:
    """URLs in abstract and comment. Written only when the answer changed (a new version can add
    a link), so re-running costs no writes. In the same transaction, each network source still
    to be asked gets an "unknown" row: should the network part never happen (a crash, a kill),
    the paper reads as unknown, not as a "none" from its abstract alone."""
    with rec.store.transaction():
        for pid, paper in papers.items():
            for source in network_sources:
                if source not in rows.get(pid, {}):
                    rec.store.record_link(pid, source, "unknown", next_check=rec.day, detail="pending")
            for source, text in (("abstract", paper.abstract), ("comment", paper.comment)):
                found = extract_links(text)
                answer = Answer("found", found.code, None, found.project) if found.code else Answer("none", project_url=found.project)
                prev = rows.get(pid, {}).get(source)
                if (
                    prev is not None
                    and prev["status"] == answer.status
                    and prev["url"] == answer.url
                    and (answer.project_url is None or prev["project_url"] == answer.project_url)
                ):
                    continue
                rec.answer(pid, source, answer, prev, local=True)


async def _ask(rec: _Recorder, rows: dict[str, dict[str, Any]], src: str, pid: str, request) -> None:
    """Record one source's answer about one paper: "unknown" when it failed, nothing new when
    it was not asked (budget spent, source stopped)."""
    prev = rows.get(pid, {}).get(src)
    try:
        answer = await request
    except NotAsked as exc:
        rec.not_asked(pid, src, str(exc), prev)
        return
    except SourceFailure as exc:
        answer = Answer("unknown", detail=str(exc))
    rec.answer(pid, src, answer, prev)


def _hf_day(paper: Paper) -> date:
    # Hugging Face lists a paper on the day after its arXiv submission at the earliest (the
    # announcement comes at 20:00 New York time, past midnight UTC).
    return paper.published.astimezone(timezone.utc).date() + timedelta(days=1)


async def _huggingface(fetcher: Fetcher, s: EnrichSettings, papers: dict[str, Paper],
                       rows: dict[str, dict[str, Any]], rec: _Recorder) -> None:
    src = huggingface.SOURCE
    day = rec.day
    due = [p for pid, p in papers.items() if _due(rows, pid, src, day)]
    due.sort(key=lambda p: (p.published, p.id), reverse=True)  # newest first: most likely to gain code
    pending = {p.id for p in due}
    # Papers whose code was found elsewhere but that Hugging Face never answered for: a listing
    # fetched anyway gives their stars and project page for free.
    extra = {pid for pid in papers if pid not in pending and src not in rows.get(pid, {})}

    groups: dict[date, int] = Counter(_hf_day(p) for p in due)
    days = sorted((d for d, n in groups.items() if n >= s.min_daily_group and d <= day), reverse=True)

    async def one_day(d: date) -> None:
        try:
            answers = await huggingface.fetch_daily(fetcher, s.hf_url, d)
        except NotAsked:
            return
        except SourceFailure as exc:
            # A failed listing answers nothing: its papers are looked up by id below.
            rec.report.error(f"daily listing {d} {src}: {exc}")
            return
        for pid, answer in answers.items():
            if pid in pending or pid in extra:
                pending.discard(pid)
                extra.discard(pid)
                rec.answer(pid, src, answer, rows.get(pid, {}).get(src))

    await asyncio.gather(*(one_day(d) for d in days))

    async def one_paper(p: Paper) -> None:
        await _ask(rec, rows, src, p.id, huggingface.fetch_paper(fetcher, s.hf_url, p.id))

    await asyncio.gather(*(one_paper(p) for p in due if p.id in pending))


async def _paperswithcode(fetcher: Fetcher, s: EnrichSettings, papers: dict[str, Paper],
                          rows: dict[str, dict[str, Any]], rec: _Recorder) -> None:
    src = paperswithcode.SOURCE

    async def one(p: Paper) -> None:
        await _ask(rec, rows, src, p.id, paperswithcode.fetch_paper(fetcher, s.pwc_url, p.id))

    due = [p for pid, p in papers.items() if _due(rows, pid, src, rec.day)]
    due.sort(key=lambda p: (p.published, p.id), reverse=True)
    await asyncio.gather(*(one(p) for p in due))


async def _github_stars(fetcher: Fetcher, s: EnrichSettings, ids: list[str], rec: _Recorder) -> None:
    token = github.token_from_env()
    if not token:
        rec.report.stopped[github.SOURCE] = "no token in ARXIV_RADAR_GITHUB_TOKEN or GITHUB_TOKEN"
        return
    store = rec.store
    wanted: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)  # repo -> [(paper, source)]
    for pid, summary in store.link_summaries(ids).items():
        repo = github.repo_of(summary.url)
        if summary.status == "found" and summary.stars is None and repo:
            wanted[repo].append((pid, summary.source))

    async def one(repo: tuple[str, str]) -> None:
        try:
            stars = await github.fetch_stars(fetcher, s.github_url, repo[0], repo[1], token)
        except NotAsked:
            rec.report.not_asked[github.SOURCE] += 1
            return
        except SourceFailure as exc:
            rec.report.error(f"{repo[0]}/{repo[1]} github: {exc}")
            return
        if stars is None:
            return
        # Only the star count changes: the row keeps its source, status and check time.
        with store.transaction():
            for pid, source in wanted[repo]:
                store.conn.execute("UPDATE links SET stars = ? WHERE paper_id = ? AND source = ?", (stars, pid, source))
        rec.report.stars_updated += 1

    await asyncio.gather(*(one(r) for r in wanted))


@functools.cache
def _tls() -> ssl.SSLContext:
    # Building a TLS context loads the CA bundle (tens of ms); one per process is enough.
    # certifi's bundle, as httpx uses by default.
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


async def _network(store: Store, s: EnrichSettings, ids: list[str], papers: dict[str, Paper],
                   rec: _Recorder, deadline: float, transport: httpx.AsyncBaseTransport | None) -> None:
    agent = f"arxiv-radar/{__version__}" + (f" (mailto:{s.contact})" if s.contact else "")
    async with httpx.AsyncClient(transport=transport, headers={"User-Agent": agent, "Accept-Encoding": "gzip, deflate"},
                                 follow_redirects=True,
                                 verify=_tls()) as client:
        fetcher = Fetcher(client, deadline=deadline, concurrency=s.concurrency,
                          per_host_interval=s.per_host_interval, timeout=s.timeout)
        try:
            if s.huggingface:
                await _huggingface(fetcher, s, papers, _rows(store, ids), rec)
            if s.paperswithcode:
                await _paperswithcode(fetcher, s, papers, _rows(store, ids), rec)
            if s.github_stars:
                await _github_stars(fetcher, s, ids, rec)
        finally:
            rec.report.requests.update(fetcher.requests)
            rec.report.stopped.update(fetcher.stopped)
            rec.report.budget_spent = rec.report.budget_spent or fetcher.budget_spent


def enrich(
    store: Store,
    config: Any = None,
    *,
    day: date,
    paper_ids: Iterable[str] | None = None,
    settings: EnrichSettings | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> EnrichReport:
    """Find code links for ``paper_ids`` (default: every paper matched to a topic) on run day ``day``.

    Never raises for a source's failure: those are in the report, and the papers stay "unknown".
    """
    started = time.monotonic()
    s = settings or EnrichSettings.from_config(config)
    ids = list(dict.fromkeys(paper_ids)) if paper_ids is not None else _scope(store)
    papers = store.get_papers(ids)
    ids = [pid for pid in ids if pid in papers]
    report = EnrichReport(day=day, papers=len(ids))
    rec = _Recorder(store, day, report, s.backoff_days)
    network = tuple(src for src, on in ((huggingface.SOURCE, s.huggingface), (paperswithcode.SOURCE, s.paperswithcode)) if on)
    _local(papers, _rows(store, ids), rec, network)
    if ids and (s.huggingface or s.paperswithcode or s.github_stars):
        asyncio.run(_network(store, s, ids, papers, rec, started + s.time_budget, transport))
    report.seconds = time.monotonic() - started
    # The caller prints the report; the log keeps it for -vv runs.
    for line in report.lines():
        log.debug("%s", line.strip())
    # A backlog (a first run over an imported history) takes several runs: say so every run.
    for line in report.waiting_lines():
        log.info("code links: %s", line)
    return report


def source_table(store: Store, ids: Iterable[str]) -> dict[str, Counter]:
    """Per source: rows found/none/unknown, and "shown" = papers whose displayed link it gave."""
    ids = list(ids)
    table: dict[str, Counter] = defaultdict(Counter)
    for rows in link_rows(store.conn, ids).values():
        for r in rows:
            table[r["source"]][r["status"]] += 1
    for summary in store.link_summaries(ids).values():
        if summary.status == "found":
            table[summary.source]["shown"] += 1
        else:
            table["(no link)"][summary.status] += 1
    return table


def format_source_table(table: dict[str, Counter]) -> str:
    cols = ("shown", "found", "none", "unknown")
    lines = ["| source | " + " | ".join(cols) + " |", "|---|" + "---:|" * len(cols)]
    order = ("abstract", "comment", "huggingface", "paperswithcode", "legacy", "(no link)")
    for source in sorted(table, key=lambda x: (order.index(x) if x in order else len(order), x)):
        lines.append(f"| {source} | " + " | ".join(str(table[source].get(c, 0)) for c in cols) + " |")
    return "\n".join(lines)
