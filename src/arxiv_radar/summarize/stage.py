"""The summaries stage: ask an OpenAI-compatible endpoint for a TL;DR and notes per matched paper,
within a hard token budget, and store what comes back. Writes summaries to the store, never pages.

Which papers: those matched by the configured topics that have an abstract and no summary yet
for (version, model, language, prompt). ``which: top`` takes each topic's highest-ranked papers
first (scores from the ranking stage; newest first where there are none), topics in turn;
``which: all`` every paper newest first. Papers that failed before come after fresh ones, and
are left alone after ``max_attempts`` failed runs.

Nothing here raises for an endpoint problem: a failure, a timeout, a refusal, malformed or
off-schema output leaves the paper without a summary (its abstract stands in), is counted in the
report and tried again next run. Only a missing key or package raises (ConfigError).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..store import Store
from ..store import summaries as _sums
from ..store.scores import scores_for
from ..store.summaries import SummaryKey
from .answer import BadAnswer, parse_answer
from .budget import TokenBudget
from .client import CallFailed, call, make_client
from .prompt import build_prompt, prompt_hash

log = logging.getLogger(__name__)

__all__ = ["SummaryReport", "summarize", "summary_key", "candidates"]

# Failures in a row that stop the stage: the endpoint is down or does not do what is asked.
STOP_AFTER_FAILURES = 3
_MAX_ERRORS = 20


@dataclass
class SummaryReport:
    day: date
    model: str = ""
    language: str = ""
    calls: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    token_cap: int = 0
    summarised: int = 0
    failed: int = 0
    left: int = 0  # papers still without a summary that the next run will try
    given_up: int = 0  # papers that failed max_attempts runs: their abstract stands in
    stopped: str | None = None  # why the stage stopped before every candidate was tried
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "model": self.model,
            "language": self.language,
            "calls": self.calls,
            "tokens_in": self.tokens_in,
            "tokens_out": self.tokens_out,
            "token_cap": self.token_cap,
            "summarised": self.summarised,
            "failed": self.failed,
            "left": self.left,
            "given_up": self.given_up,
            "stopped": self.stopped,
            "errors": list(self.errors),
            "seconds": round(self.seconds, 3),
        }

    def lines(self) -> list[str]:
        from ..ops.report import summary_lines

        return summary_lines(self.as_dict())


def summary_key(cfg) -> SummaryKey:
    return SummaryKey(cfg.model, cfg.language, prompt_hash(cfg.language, list(cfg.fields), cfg.structured_output))


@dataclass(frozen=True)
class _Candidate:
    paper_id: str
    version: int
    attempts: int


def candidates(store: Store, config, key: SummaryKey) -> tuple[list[_Candidate], int]:
    """The papers to summarise, in order, and how many were given up (too many failures)."""
    cfg = config.summaries
    topics = list(config.topics)
    if not topics:
        return [], 0
    marks = ",".join("?" * len(topics))
    rows = store.conn.execute(
        f"SELECT m.topic, p.id, p.version, p.published FROM matches m JOIN papers p ON p.id = m.paper_id "
        f"WHERE m.topic IN ({marks}) AND p.abstract != ''",
        topics,
    ).fetchall()
    done = _sums.summarised_ids(store.conn, key)
    attempts = _sums.attempts_for(store.conn, key)
    info: dict[str, tuple[int, str]] = {}
    per_topic: dict[str, list[str]] = {t: [] for t in topics}
    for topic, pid, version, published in rows:
        if (pid, version) in done:
            continue
        info[pid] = (version, published)
        per_topic[topic].append(pid)

    def newest(pid: str) -> tuple:
        # published descending, then id descending: deterministic for ties.
        return tuple(-ord(c) for c in info[pid][1]), tuple(-ord(c) for c in pid)

    if cfg.which == "all":
        order = sorted(info, key=newest)
    else:
        lists = []
        for topic in topics:
            scores = scores_for(store.conn, topic, per_topic[topic]) if per_topic[topic] else {}
            lists.append(sorted(per_topic[topic], key=lambda pid: (
                pid not in scores, -(scores[pid].score if pid in scores else 0.0), newest(pid))))
        order, seen = [], set()
        for rank in range(max((len(lst) for lst in lists), default=0)):
            for lst in lists:  # each topic's next-best paper in turn
                if rank < len(lst) and lst[rank] not in seen:
                    seen.add(lst[rank])
                    order.append(lst[rank])
    fresh, retry, given_up = [], [], 0
    for pid in order:
        version = info[pid][0]
        tried = attempts.get((pid, version), 0)
        if tried >= cfg.max_attempts:
            given_up += 1
        elif tried:
            retry.append(_Candidate(pid, version, tried))
        else:
            fresh.append(_Candidate(pid, version, 0))
    return fresh + retry, given_up


def _paper_text(store: Store, pid: str) -> tuple[str, str]:
    row = store.conn.execute("SELECT title, abstract FROM papers WHERE id = ?", (pid,)).fetchone()
    return (row["title"], row["abstract"]) if row else ("", "")


def summarize(store: Store, config, *, day: date, env: Mapping[str, str] | None = None,
              client: Any = None) -> SummaryReport:
    """Summarise the next papers within the budget; see the module's docstring."""
    cfg = config.summaries
    started = time.monotonic()
    report = SummaryReport(day, cfg.model, cfg.language, token_cap=cfg.max_tokens_per_run)
    key = summary_key(cfg)
    todo, report.given_up = candidates(store, config, key)
    report.left = len(todo)
    if not todo:
        report.seconds = time.monotonic() - started
        return report
    own_client = client is None
    budget = TokenBudget(cfg.max_tokens_per_run)
    in_a_row = 0
    try:
        for cand in todo:
            if report.summarised >= cfg.max_papers_per_run:
                report.stopped = f"max_papers_per_run ({cfg.max_papers_per_run}) reached"
                break
            if time.monotonic() - started > cfg.time_budget:
                report.stopped = f"time_budget ({cfg.time_budget:g} s) spent"
                break
            title, abstract = _paper_text(store, cand.paper_id)
            prompt = build_prompt(title, abstract, language=cfg.language, fields=list(cfg.fields), ratio=budget.ratio)
            if not budget.allows(prompt.estimate, cfg.max_output_tokens):
                report.stopped = (f"max_tokens_per_run ({cfg.max_tokens_per_run:,}) would be crossed by the next "
                                  f"request (~{prompt.estimate + cfg.max_output_tokens:,} tokens at most)")
                break
            if client is None:  # made at the first request: a run with nothing to send needs no key
                client = make_client(cfg, os.environ if env is None else env)
            try:
                reply = _call_with_retries(client, cfg, prompt, budget, report)
                fields = parse_answer(reply.content, list(cfg.fields))
            except (CallFailed, BadAnswer) as exc:
                reason = exc.reason if isinstance(exc, CallFailed) else str(exc)
                if isinstance(exc, CallFailed) and exc.stop:
                    # The endpoint's problem, not the paper's: no attempt counts against it.
                    _failed(store, report, cand, key, reason, count=False)
                    report.stopped = reason
                    break
                if _failed(store, report, cand, key, reason) >= cfg.max_attempts:
                    report.left -= 1  # given up: its abstract stands in from now on
                    report.given_up += 1
                in_a_row += 1
                if in_a_row >= STOP_AFTER_FAILURES:
                    report.stopped = f"{in_a_row} failures in a row (last: {reason})"
                    break
                continue
            in_a_row = 0
            with store.transaction():
                _sums.save_summary(store.conn, cand.paper_id, cand.version, key, fields,
                                   *(reply.usage or (None, None)))
            report.summarised += 1
            report.left -= 1
    finally:
        report.tokens_in, report.tokens_out = budget.tokens_in, budget.tokens_out
        report.seconds = time.monotonic() - started
        close = getattr(client, "close", None)
        if own_client and callable(close):
            close()
    log.info("%s", report.lines()[0])
    if report.stopped:
        log.info("summaries stopped: %s", report.stopped)
    return report


# The longest Retry-After honoured, and the back-off when the server names none.
MAX_RETRY_WAIT = 120.0


def _call_with_retries(client, cfg, prompt, budget: TokenBudget, report: SummaryReport):
    """One paper's request, retried ``cfg.max_retries`` times when the failure may pass.

    Every attempt is a request: it passes the budget first and is charged after, so retries
    can never take a run past ``max_tokens_per_run``.
    """
    retries = 0
    while True:
        report.calls += 1
        try:
            reply = call(client, cfg, prompt, cfg.max_output_tokens)
        except CallFailed as failed:
            _charge(budget, prompt, cfg, failed.usage, failed.charged)
            wait = failed.wait if failed.wait is not None else min(0.5 * 2 ** retries, 8.0)
            if (failed.retryable and retries < cfg.max_retries and wait <= MAX_RETRY_WAIT
                    and budget.allows(prompt.estimate, cfg.max_output_tokens)):
                retries += 1
                time.sleep(wait)
                continue
            if retries:
                failed.reason += f" after {retries} retr{'y' if retries == 1 else 'ies'}"
            raise
        _charge(budget, prompt, cfg, reply.usage, True)
        return reply


def _charge(budget: TokenBudget, prompt, cfg, usage: tuple[int, int] | None, costly: bool) -> None:
    """Charge what the endpoint reported; unreported, the most the request could have cost."""
    if usage is not None:
        budget.charge(*usage)
        budget.calibrate(prompt.estimate, usage[0], prompt.overhead)
    elif costly:
        budget.charge(prompt.estimate, cfg.max_output_tokens)


def _failed(store: Store, report: SummaryReport, cand: _Candidate, key: SummaryKey, reason: str,
            *, count: bool = True) -> int:
    """Report a failed request and (``count``) record an attempt against the paper; returns the
    paper's failed attempts so far."""
    report.failed += 1
    if len(report.errors) < _MAX_ERRORS:
        report.errors.append(f"{cand.paper_id}: {reason}")
    log.warning("summary of %s failed: %s (tried again next run)", cand.paper_id, reason)
    if not count:
        return cand.attempts
    with store.transaction():
        return _sums.record_attempt(store.conn, cand.paper_id, cand.version, key, reason)
