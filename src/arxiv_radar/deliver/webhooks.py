"""Webhook payloads (generic JSON, Slack, Discord) and a POST with retries.

Webhook URLs are secrets (Slack and Discord put the token in the path): they are never logged
or stored; logs show :func:`redact` and the delivery log a hash (:func:`channel_name`).
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from ..errors import FetchError
from ..net import ERROR_BODY_BYTES, read_bounded, scrub
from ..render.digest import Digest, DigestItem, clean_text, reading_order, safe_url
from . import DeliveryError

log = logging.getLogger(__name__)

__all__ = [
    "PostResult",
    "channel_name",
    "discord_payload",
    "json_payload",
    "payload_for",
    "post_webhook",
    "redact",
    "slack_payload",
]

# Slack: https://api.slack.com/reference/block-kit/blocks (50 blocks, 3000-char section text,
# 150-char header). Discord: https://discord.com/developers/docs/resources/message (2000-char
# content, 10 embeds, 256-char title, 4096-char description, 6000 characters over all embeds).
SLACK_MAX_BLOCKS = 50
SLACK_SECTION_CHARS = 3000
SLACK_HEADER_CHARS = 150
DISCORD_CONTENT_CHARS = 2000
DISCORD_MAX_EMBEDS = 10
DISCORD_TITLE_CHARS = 256
DISCORD_DESCRIPTION_CHARS = 4096
DISCORD_TOTAL_CHARS = 6000
JSON_MAX_PAPERS = 1000
_TITLE_CHARS = 200
_TLDR_CHARS = 400

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504}) | frozenset(range(505, 600))


def channel_name(url: str) -> str:
    """The delivery-log channel of a webhook: a hash, so the secret URL is not stored."""
    return "webhook:" + hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def redact(url: str) -> str:
    """``https://hooks.slack.com/…`` : enough to tell webhooks apart in a log, no token."""
    try:
        parts = urlsplit(url)
        port = parts.port
        return f"{parts.scheme}://{parts.hostname or '?'}{':' + str(port) if port else ''}/…"
    except ValueError:  # a bad port or bracket: say nothing of it but that it is a webhook
        return "webhook (unreadable URL)"


# --------------------------------------------------------------------------- payloads


def _summary(digest: Digest) -> str:
    new, upd = digest.new_count, digest.updated_count
    parts = [f"{new} new paper{'s' if new != 1 else ''}"] if new or not upd else []
    if upd:
        parts.append(f"{upd} updated")
    return f"arxiv-radar {digest.day.isoformat()}: {', '.join(parts)}"


def _title(item: DigestItem) -> str:
    title = clean_text(item.entry.paper.title) or item.entry.paper.id
    if len(title) > _TITLE_CHARS:
        title = title[: _TITLE_CHARS - 1] + "…"
    if item.updated:
        title += f" (updated v{item.event.version})"  # type: ignore[union-attr]
    return title


def _tldr(item: DigestItem) -> str:
    """The AI summary's TL;DR as one clean line ("" when none); escaped by each format."""
    summary = item.entry.summary
    text = clean_text(summary.tldr) if summary else ""
    return text if len(text) <= _TLDR_CHARS else text[: _TLDR_CHARS - 1] + "…"


def _summary_object(item: DigestItem) -> dict:
    summary = item.entry.summary
    return {
        "model": summary.model,
        "language": summary.language,
        "fields": {name: clean_text(text) for name, text in summary.fields},
    }


def _first_author(item: DigestItem) -> str:
    names = [clean_text(a.name) for a in item.entry.paper.authors]
    names = [n for n in names if n]
    if not names:
        return ""
    return names[0] + (" et al." if len(names) > 1 or not item.entry.authors_complete else "")


def json_payload(digest: Digest) -> dict:
    """Everything a script may want, best-ranked then newest first (at most JSON_MAX_PAPERS papers).

    Scored papers carry ``score`` and ``why`` (rank/); unranked ones have neither key."""
    items = sorted(digest.items, key=reading_order)
    papers = []
    for item in items[:JSON_MAX_PAPERS]:
        p = item.entry.paper
        papers.append(
            {
                "id": p.id,
                "title": clean_text(p.title),
                "url": f"https://arxiv.org/abs/{p.id}",
                "pdf_url": f"https://arxiv.org/pdf/{p.id}",
                "authors": [clean_text(a.name) for a in p.authors],
                "categories": list(p.categories),
                "topics": list(item.topics),
                "event": item.event.kind if item.event else None,
                "version": item.event.version if item.event else p.version,
                "published": p.published.isoformat(),
                "updated": item.date.isoformat(),
                "code_url": safe_url(item.entry.code_url),
                "abstract": clean_text(p.abstract),
            }
        )
        if item.entry.summary is not None:  # only with `summaries:`, so other payloads stay as they were
            papers[-1]["summary"] = _summary_object(item)
        if item.score is not None:  # only when ranked (rank/), likewise
            papers[-1]["score"] = item.score
            papers[-1]["why"] = item.why or {}
    return {
        "source": "arxiv-radar",
        "day": digest.day.isoformat(),
        "text": _summary(digest),
        "new": digest.new_count,
        "updated": digest.updated_count,
        "total": len(items),
        "more": len(items) - len(papers),
        "site_url": safe_url(digest.site_url),
        "papers": papers,
    }


def _slack_escape(text: str) -> str:
    # The three characters Slack's mrkdwn reserves for its own markup.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _item_line(item, escape, link, italic: str) -> str:
    """One paper as a chat line: linked title, first author, code link, "also in" topics.

    ``escape`` and ``link(text, url)`` are the chat's own; ``italic`` its emphasis marker.
    """
    # https, as the JSON payload, the e-mail and the site link (abs_url keeps cv-arxiv-daily's http).
    line = link(escape(_title(item)), f"https://arxiv.org/abs/{item.entry.paper.id}")
    author = _first_author(item)
    if author:
        line += f" — {escape(author)}"
    code = safe_url(item.entry.code_url)
    if code:
        line += " · " + link("code", code)
    if item.also_in:
        line += f" {italic}(also in: {escape(', '.join(clean_text(t) for t in item.also_in))}){italic}"
    tldr = _tldr(item)
    if tldr:  # under the title, on a line of its own
        line += f"\n      {italic}TL;DR:{italic} {escape(tldr)}"
    return line


def slack_payload(digest: Digest) -> dict:
    """``{"text", "blocks"}``: a header, then per topic sections of linked titles."""
    return _slack(digest)[0]


def _slack(digest: Digest) -> tuple[dict, int]:
    summary = _summary(digest)
    header = summary if len(summary) <= SLACK_HEADER_CHARS else summary[: SLACK_HEADER_CHARS - 1] + "…"
    max_sections = SLACK_MAX_BLOCKS - 2  # the header and the closing "N more" note
    sections: list[str] = []
    shown = 0
    stop = False
    for topic, items in digest.groups():
        if len(sections) >= max_sections:
            break
        text = f"*{_slack_escape(clean_text(topic))}* ({len(items)})"
        for item in items:
            line = "• " + _item_line(item, _slack_escape, lambda text, url: f"<{url}|{text}>", "_")
            if len(text) + 1 + len(line) > SLACK_SECTION_CHARS:
                if len(sections) + 2 > max_sections:  # no room to close this one and open another
                    stop = True
                    break
                sections.append(text)
                text = line
            else:
                text += "\n" + line
            shown += 1
        sections.append(text)
        if stop:
            break
    blocks: list[dict] = [{"type": "header", "text": {"type": "plain_text", "text": header}}]
    blocks += [_slack_section(t) for t in sections]
    more = len(digest.items) - shown
    if more:
        site = safe_url(digest.site_url)
        note = f"{more} more paper{'s' if more != 1 else ''}"
        note += f": <{site}|see the site>" if site else "."
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": note}]})
    return {"text": summary, "blocks": blocks}, shown


def _slack_section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:SLACK_SECTION_CHARS]}}


_DISCORD_MD = re.compile(r"([\\*_~`|\[\]()<>#-])")


def _discord_escape(text: str) -> str:
    return _DISCORD_MD.sub(r"\\\1", text).replace("@", "@\u200b")


def discord_payload(digest: Digest) -> dict:
    """``{"content", "embeds"}``: one embed per topic (at most 10), within Discord's limits."""
    return _discord(digest)[0]


def _discord(digest: Digest) -> tuple[dict, int]:
    embeds: list[dict] = []
    total_chars = 0
    shown = 0
    for topic, items in digest.groups():
        if len(embeds) >= DISCORD_MAX_EMBEDS:
            break
        title = clean_text(topic)[:DISCORD_TITLE_CHARS] or "(topic)"
        room = min(DISCORD_DESCRIPTION_CHARS, DISCORD_TOTAL_CHARS - total_chars - len(title))
        if room <= 0:
            break
        lines: list[str] = []
        used = 0
        for item in items:
            line = _item_line(item, _discord_escape, lambda text, url: f"[{text}]({url})", "*")
            cost = len(line) + (1 if lines else 0)
            if used + cost > room:
                break
            lines.append(line)
            used += cost
        if not lines:
            break
        embeds.append({"title": title, "description": "\n".join(lines)})
        total_chars += len(title) + used
        shown += len(lines)
    content = _summary(digest)
    more = len(digest.items) - shown
    if more:
        site = safe_url(digest.site_url)
        content += f"\n{more} more paper{'s' if more != 1 else ''}" + (f": {site}" if site else ".")
    return {
        "content": content[:DISCORD_CONTENT_CHARS],
        "embeds": embeds,
        # Titles are untrusted: no @everyone / role / user pings, whatever they contain.
        "allowed_mentions": {"parse": []},
    }, shown


def payload_for(fmt: str, digest: Digest) -> tuple[dict, int]:
    """The body for a webhook format, and how many papers it lists (the rest are "N more")."""
    if fmt == "json":
        body = json_payload(digest)
        return body, len(body["papers"])
    if fmt == "slack":
        return _slack(digest)
    if fmt == "discord":
        return _discord(digest)
    raise ValueError(f"unknown webhook format {fmt!r}")


# --------------------------------------------------------------------------- sending


@dataclass(frozen=True)
class PostResult:
    status_code: int
    attempts: int


def _retry_after(response: httpx.Response, default: float) -> float:
    value = response.headers.get("Retry-After", "")
    try:
        return min(max(float(value), 0.0), 30.0)  # a hostile header must not stall the run
    except ValueError:
        return default


def post_webhook(
    url: str,
    body: dict,
    *,
    client: httpx.Client | None = None,
    attempts: int = 3,
    backoff: float = 1.0,
    timeout: float = 15.0,
    sleep: Callable[[float], None] = time.sleep,
) -> PostResult:
    """POST ``body`` as JSON; retry connection errors, 429 and 5xx; raise DeliveryError at the end.

    Waits ``backoff``, then twice that, ... between attempts (or the server's Retry-After).
    """
    own = client is None
    client = client or httpx.Client(timeout=timeout, follow_redirects=False)
    where = redact(url)
    problem = ""
    try:
        for attempt in range(1, attempts + 1):
            delay = backoff * 2 ** (attempt - 1)
            try:
                # Streamed: a success needs only its status; of an error only the start of the
                # body is read, within twice the timeout.
                request = client.build_request("POST", url, json=body, headers={
                    "User-Agent": "arxiv-radar", "Accept-Encoding": "gzip, deflate"})
                started = time.monotonic()
                response = client.send(request, stream=True)
                if response.status_code < 300:
                    response.close()
                    text = ""
                else:
                    text = read_bounded(response, limit=ERROR_BODY_BYTES, deadline=started + 2 * timeout,
                                        what="webhook", truncate=True).decode("utf-8", "replace")
            except (httpx.TransportError, FetchError) as exc:  # FetchError: too slow, corrupt body
                problem = f"{type(exc).__name__}"
            except (httpx.HTTPError, ValueError, TypeError) as exc:
                # A URL httpx cannot use (bad port, bracket): retrying will not help.
                raise DeliveryError(f"webhook {where}: cannot send ({type(exc).__name__})") from None
            else:
                if response.status_code < 300:
                    log.info("webhook %s: delivered (HTTP %d, attempt %d)", where, response.status_code, attempt)
                    return PostResult(response.status_code, attempt)
                problem = f"HTTP {response.status_code}"
                if response.status_code not in RETRY_STATUSES:
                    # 4xx other than 429: the payload or URL is wrong; retrying will not help.
                    # The body may echo the URL and its token: scrubbed, short.
                    detail = scrub(text)
                    raise DeliveryError(f"webhook {where}: {problem} {detail}".rstrip())
                delay = _retry_after(response, delay)
            if attempt < attempts:
                log.warning("webhook %s: %s (attempt %d of %d), retrying in %.1f s", where, problem, attempt, attempts, delay)
                sleep(delay)
    finally:
        if own:
            client.close()
    raise DeliveryError(f"webhook {where}: {problem} after {attempts} attempts")
