"""Concurrent JSON requests for enrichment: bounded, paced per host, inside a time budget.

Every failure becomes one of three exceptions a source module can turn into an answer:
``NotAsked`` (budget spent or the source stopped: nothing was learnt), ``SourceFailure`` (an error,
a timeout, a malformed body: the answer is "unknown"), and ``SourceDown`` (a refused connection
or a rate limit: "unknown", and the source is not asked again in this run).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

import httpx

from ..net import JSON_MAX_BYTES, BodyTooLarge, CorruptBody, DeadlineExceeded, aread_bounded, scrub

__all__ = ["Fetcher", "HostGate", "NotAsked", "SourceFailure", "SourceDown"]

log = logging.getLogger(__name__)


class NotAsked(Exception):
    """The request was not made (time budget spent, or the source was stopped earlier)."""


class SourceFailure(Exception):
    """The request was made and failed: error status, timeout, transport error, bad JSON."""


class SourceDown(SourceFailure):
    """The source refused the connection or rate-limited us: stop asking it in this run."""


class HostGate:
    """A minimum interval between request starts to one host.

    Each caller reserves the next free slot before sleeping, so concurrent callers queue up
    in order instead of all waking at once.
    """

    def __init__(self, interval: float):
        self.interval = max(0.0, interval)
        self._next: dict[str, float] = {}

    def reserve(self, host: str) -> float:
        """Reserve a slot; returns the monotonic time at which it starts."""
        now = time.monotonic()
        slot = max(now, self._next.get(host, 0.0))
        self._next[host] = slot + self.interval
        return slot


class Fetcher:
    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        deadline: float,
        concurrency: int = 4,
        per_host_interval: float = 0.2,
        timeout: float = 10.0,
        max_bytes: int = JSON_MAX_BYTES,
    ):
        self.client = client
        self.deadline = deadline
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._sem = asyncio.Semaphore(max(1, concurrency))
        self._gate = HostGate(per_host_interval)
        self.stopped: dict[str, str] = {}  # source -> why it stopped
        self.requests: Counter[str] = Counter()
        self.budget_spent = False

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def _check(self, source: str) -> None:
        if source in self.stopped:
            raise NotAsked(f"{source} stopped: {self.stopped[source]}")
        if self.remaining() <= 0:
            self.budget_spent = True
            raise NotAsked("time budget spent")

    def stop(self, source: str, why: str) -> None:
        if source not in self.stopped:
            log.warning("enrich: %s stopped for this run: %s", source, why)
            self.stopped[source] = why

    async def get_json(self, source: str, url: str, *, params: dict | None = None,
                       headers: dict | None = None, stop_statuses: tuple[int, ...] = (429,)) -> tuple[int, Any]:
        """(status, decoded JSON) for a 200, (404, None) for a 404; raises otherwise.

        A status in ``stop_statuses`` (a rate limit, a refused token) stops the source for the run.
        """
        self._check(source)
        async with self._sem:
            self._check(source)
            slot = self._gate.reserve(urlsplit(url).netloc)
            if slot >= self.deadline:
                self.budget_spent = True
                raise NotAsked("time budget spent")
            wait = slot - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            self._check(source)
            self.requests[source] += 1
            try:
                # Streamed and bounded: at most max_bytes decoded, within 3 read timeouts.
                request = self.client.build_request("GET", url, params=params, headers=headers,
                                                    timeout=self.timeout)
                started = time.monotonic()
                response = await self.client.send(request, stream=True)
                limit = self.max_bytes if response.status_code == 200 else 0
                content = await aread_bounded(response, limit=limit,
                                              deadline=started + 3 * self.timeout, what=source) if limit else b""
                if not limit:
                    await response.aclose()
            except httpx.ConnectError as exc:
                self.stop(source, f"connection failed ({exc.__class__.__name__})")
                raise SourceDown(f"connection failed: {scrub(exc)}") from exc
            except httpx.TimeoutException as exc:
                raise SourceFailure(f"timeout after {self.timeout:g} s") from exc
            except (BodyTooLarge, DeadlineExceeded, CorruptBody) as exc:
                raise SourceFailure(str(exc)) from exc
            except httpx.HTTPError as exc:
                raise SourceFailure(f"{exc.__class__.__name__}: {scrub(exc)}") from exc
            except Exception as exc:
                # Something below httpx we do not know (a socket guard, a broken proxy setup):
                # it will happen again, and enrichment must never fail the run because of it.
                self.stop(source, f"unexpected {exc.__class__.__name__}")
                raise SourceDown(f"unexpected {exc.__class__.__name__}: {scrub(exc)}") from exc
        status = response.status_code
        if status == 404:
            return 404, None
        if status in stop_statuses:
            why = "rate limited (HTTP 429)" if status == 429 else f"refused (HTTP {status})"
            self.stop(source, why)
            raise SourceDown(why)
        if status != 200:
            raise SourceFailure(f"HTTP {status}")
        try:
            return 200, json.loads(content)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise SourceFailure(f"malformed JSON ({exc.__class__.__name__})") from exc
