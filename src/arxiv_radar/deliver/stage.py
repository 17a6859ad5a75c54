"""The deliver stage: send each channel (e-mail, every webhook) the papers it has not had yet.

Never raises for a delivery problem: each channel's outcome is in the DeliveryReport, a failed
channel is logged in the store and owed again at the next run, and the run's exit code stays 0.
Re-running a day sends nothing twice (the delivery log's watermark says what was covered).
"""

from __future__ import annotations

import logging
import os
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

import httpx

from ..render.digest import Digest, DigestItem, PaperEvent, reading_order, site_url_for
from ..publish.views import paper_summaries, summary_key_for
from ..render.view import Entry
from ..store import Store
from ..store import deliveries as _log
from ..store.deliveries import Pending
from ..store.summaries import SummaryKey
from ..render.email import build_email
from ..net import scrub
from . import DeliveryError
from .smtp import send_email as smtp_send
from .webhooks import channel_name, payload_for, post_webhook, redact

log = logging.getLogger(__name__)

__all__ = ["ChannelReport", "DeliveryReport", "build_digest", "deliver"]

EMAIL_CHANNEL = "email"


@dataclass
class ChannelReport:
    channel: str  # "email" or "webhook:<hash>" (as in the delivery log)
    target: str  # what a person recognises: the recipients, or the redacted webhook URL
    status: str  # "sent" | "nothing-new" | "failed"
    papers: int = 0  # papers covered (shown + counted as "N more")
    shown: int = 0  # papers listed in the message itself
    attempts: int = 0  # failed runs in a row, this one included (1 on a first try)
    message: str = ""

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class DeliveryReport:
    day: date
    channels: list[ChannelReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.status != "failed" for c in self.channels)

    @property
    def failed(self) -> list[ChannelReport]:
        return [c for c in self.channels if c.status == "failed"]

    def as_dict(self) -> dict:
        return {"day": self.day.isoformat(), "ok": self.ok, "channels": [c.as_dict() for c in self.channels]}


def build_digest(store: Store, topics: list[str], pending: Pending, day: date, site_url: str | None,
                 summary_key: SummaryKey | None = None, *, top: int | None = None,
                 min_score: float | None = None) -> Digest:
    """The view of the pending papers: entries with code links (and AI summaries when
    ``summary_key`` is given), their topics (config order), their scores (rank/). ``top``
    keeps the best N per topic, ``min_score`` drops scored papers below it; what they leave
    out is counted in ``held_back``."""
    ids = pending.paper_ids
    papers = store.get_papers(ids)
    summaries = paper_summaries(store, ids, summary_key)
    links = store.link_summaries(ids)
    complete = store.authors_complete(ids)
    order = {t: i for i, t in enumerate(topics)}
    topics_of = store.topics_of(ids)
    scores = {t: store.scores_for(t, ids) for t in topics}
    items = []
    for pid in ids:
        if pid not in papers:
            continue
        mine = sorted((t for t in topics_of.get(pid, []) if t in order), key=order.__getitem__)
        if not mine:
            continue
        ev = pending.events.get(pid)
        event = PaperEvent(ev.kind, ev.version, date.fromisoformat(ev.day)) if ev else None
        entry = Entry(
            paper=papers[pid],
            code_url=links[pid].url,
            code_status=links[pid].status,
            authors_complete=complete.get(pid, True),
            summary=summaries.get(pid),
        )
        scored = scores.get(mine[0], {}).get(pid)
        items.append(DigestItem(entry, tuple(mine), event,
                                score=scored.score if scored else None, why=scored.why if scored else None))
    kept = _keep_best(items, top, min_score)
    return Digest(day, tuple(kept), tuple(topics), site_url, held_back=len(items) - len(kept))


def _keep_best(items: list[DigestItem], top: int | None, min_score: float | None) -> list[DigestItem]:
    if top is None and min_score is None:
        return items
    by_topic: dict[str, list[DigestItem]] = {}
    for item in items:
        if min_score is not None and item.score is not None and item.score < min_score:
            continue
        by_topic.setdefault(item.topics[0], []).append(item)
    keep = {id(i) for v in by_topic.values() for i in sorted(v, key=reading_order)[:top]}
    return [i for i in items if id(i) in keep]


def deliver(
    store: Store,
    config,
    day: date,
    *,
    env: Mapping[str, str] | None = None,
    site_url: str | None = None,
    smtp_ssl_context: ssl.SSLContext | None = None,
    http_client: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
    webhook_backoff: float = 1.0,
) -> DeliveryReport:
    """Send the e-mail digest and every webhook their pending papers; never raises for them."""
    report = DeliveryReport(day)
    env = os.environ if env is None else env
    site = site_url or site_url_for(config.user_name, config.repo_name)
    topics = list(config.topics)
    key = summary_key_for(config)
    rank_cfg = getattr(config, "rank", None)
    best = (getattr(rank_cfg, "top", None), getattr(rank_cfg, "min_score", None))

    if config.email is not None and config.email.missing_env:
        _not_configured(report, EMAIL_CHANNEL, "e-mail", config.email.missing_env)
    elif config.email is not None:
        cfg = config.email

        def send_email(digest: Digest) -> tuple[int, str]:
            built = build_email(digest, sender=cfg.sender, to=list(cfg.to), templates_dir=config.templates_dir)
            refused = smtp_send(built.message, cfg, env=env, ssl_context=smtp_ssl_context)
            note = f"{len(built.shown)} of {built.total} listed, {built.size} bytes"
            if refused:
                note += f"; refused: {', '.join(sorted(refused))}"
            return len(built.shown), note

        _one_channel(report, store, topics, day, site, EMAIL_CHANNEL, ", ".join(cfg.to), send_email, key, best)

    for i, hook in enumerate(config.webhooks):
        if hook.url is None:
            _not_configured(report, f"webhook:env:{hook.url_env}", f"webhooks[{i}]", [f"url_env: {hook.url_env}"])
            continue

        def send_hook(digest: Digest, hook=hook) -> tuple[int, str]:
            body, shown = payload_for(hook.format, digest)
            result = post_webhook(hook.url, body, client=http_client, sleep=sleep, backoff=webhook_backoff)
            return shown, f"HTTP {result.status_code} after {result.attempts} attempt(s)"

        _one_channel(report, store, topics, day, site, channel_name(hook.url), redact(hook.url), send_hook, key, best)
    return report


def _not_configured(report: DeliveryReport, channel: str, target: str, missing: list[str]) -> None:
    """A channel whose secret is in an unset variable: reported failed, nothing recorded, so
    its papers are still owed once the variable is set."""
    names = ", ".join(m.split(": ", 1)[1] for m in missing)
    rep = ChannelReport(channel, target, "failed", message=f"not sent: environment variable {names} is not set")
    report.channels.append(rep)
    log.warning("%s: %s", target, rep.message)


def _one_channel(
    report: DeliveryReport,
    store: Store,
    topics: list[str],
    day: date,
    site: str | None,
    channel: str,
    target: str,
    send: Callable[[Digest], tuple[int, str]],
    summary_key: SummaryKey | None = None,
    best: tuple[int | None, float | None] = (None, None),
) -> None:
    rep = ChannelReport(channel, target, "failed")
    report.channels.append(rep)
    pending: Pending | None = None
    sent = False
    try:
        pending = _log.pending(store.conn, channel, topics)
        digest = build_digest(store, topics, pending, day, site, summary_key, top=best[0], min_score=best[1])
        if not digest.items:
            rep.status, rep.message = "nothing-new", "no papers since the last delivery"
            log.info("%s (%s): nothing new", channel, target)
            return
        rep.papers = len(digest.items)
        rep.shown, rep.message = send(digest)
        if digest.held_back:
            rep.message += f"; {digest.held_back} below rank.top/min_score left out"
        sent = True
        with store.transaction():
            _log.record_delivery(
                store.conn, channel, day, "ok", upto_seq=pending.upto_seq,
                paper_ids=[i.entry.paper.id for i in digest.items], detail=rep.message,
            )
        rep.status, rep.attempts = "sent", 1
        log.info("%s (%s): sent %d paper%s", channel, target, rep.papers, "" if rep.papers == 1 else "s")
    except Exception as exc:  # a delivery problem of any kind must never fail the run
        rep.status = "failed"
        # Our own messages are already scrubbed; anything else may quote a URL or a secret.
        rep.message = (str(exc) if isinstance(exc, DeliveryError) else
                       f"{type(exc).__name__}: {scrub(exc)}").strip() or type(exc).__name__
        if sent:
            # Rare (the store failed right after sending): the papers will be sent again.
            rep.message = f"sent, but the delivery log could not be written: {rep.message}"
        log.warning("%s (%s): delivery failed: %s", channel, target, rep.message)
        try:
            with store.transaction():
                _log.record_delivery(
                    store.conn, channel, day, "failed",
                    upto_seq=pending.upto_seq if pending else 0,
                    paper_ids=pending.paper_ids if pending else [], detail=rep.message[:2000],
                )
            rep.attempts = _log.failure_streak(store.conn, channel)
        except Exception as log_exc:  # the store itself is failing: report, do not raise
            log.error("%s: could not record the failed delivery: %s", channel, log_exc)
