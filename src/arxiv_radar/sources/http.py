"""The one polite HTTP client: rate gate, one connection, retries with backoff.

arXiv's terms (reference/arxiv-docs/api_tou.md): no more than one request every three seconds,
one connection at a time, for all of arXiv's legacy APIs together. So every host under
arxiv.org shares one gate with a 3 s floor that configuration cannot lower; other hosts get
their own gate with ``min_interval``. The gate wraps every attempt, retries included, and is
measured from the end of the previous request, so a slow response never shortens the pause.

Retries are a small loop rather than ``stamina``: our stop rule is "at least N attempts AND at
least T seconds" (stamina/tenacity stop at whichever comes *first*), and tests need an injected
``sleep``/``clock`` that stamina does not take (its testing mode is process-global and zeroes
the Retry-After wait we want to check). The loop is ~40 lines and does exactly that.
"""

from __future__ import annotations

import logging
import random
import threading
from contextlib import AbstractContextManager, nullcontext
import time
from collections.abc import Callable, Mapping
from datetime import timezone
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from .. import __version__
from ..errors import ConfigError, FetchError
from ..net import ARXIV_MAX_BYTES, ERROR_BODY_BYTES, BodyTooLarge, CorruptBody, DeadlineExceeded, read_bounded, scrub, with_body
from ..net.bounded import ACCEPT_ENCODING

__all__ = [
    "ATOM",
    "BadStatus",
    "PoliteClient",
    "RetryableResponse",
    "is_arxiv_host",
    "parse_retry_after",
    "redact_url",
]

log = logging.getLogger(__name__)

ATOM = "application/atom+xml"
PROJECT_URL = "https://github.com/arxiv-radar/arxiv-radar"
ARXIV_MIN_INTERVAL = 3.0
# Statuses that mean "try again later"; every other 4xx is our mistake and is not retried.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_MAX_REDIRECTS = 5
_SECRET_PARAMS = frozenset(
    {"key", "apikey", "api_key", "token", "access_token", "auth", "password", "secret",
     "signature", "sig", "client_secret"}
)


class RetryableResponse(FetchError):
    """Raised by a ``validate`` callback: this 2xx response is unusable, count it as a failure
    worth retrying (an unexpectedly empty page, a truncated body)."""


class BadStatus(FetchError):
    """A final HTTP status that retrying will not fix (4xx other than 429), or a retryable
    status that outlived every retry. ``body`` is the start of the response text."""

    def __init__(self, message: str, url: str = "", status: int = 0, body: str = ""):
        super().__init__(message, url)
        self.status = status
        self.body = body


def is_arxiv_host(host: str) -> bool:
    host = host.lower().rstrip(".")
    return host == "arxiv.org" or host.endswith(".arxiv.org")


def redact_url(url: str | httpx.URL) -> str:
    """The URL for messages and logs: no user:password, no values of secret-looking params."""
    parts = urlsplit(str(url))
    netloc = parts.netloc.rsplit("@", 1)[-1]
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(k.lower() in _SECRET_PARAMS for k, _ in pairs):
            query = urlencode(
                [(k, "REDACTED" if k.lower() in _SECRET_PARAMS else v) for k, v in pairs]
            )
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if absent
    or unreadable. A date in the past means 0."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if seconds == seconds else None  # NaN is not a delay
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now_ts = time.time() if now is None else now
    return max(0.0, when.timestamp() - now_ts)


def _user_agent(contact: str | None) -> str:
    if contact is None or not contact.strip():
        return f"arxiv-radar/{__version__} (+{PROJECT_URL})"
    contact = contact.strip()
    # A header value with a newline or parenthesis would break (or inject into) the header.
    if any(ord(ch) < 0x21 or ord(ch) == 0x7F or ch in "()<>;," for ch in contact):
        raise ConfigError(f"contact must be a plain e-mail address, got {contact!r}")
    return f"arxiv-radar/{__version__} (+{PROJECT_URL}; mailto:{contact})"


# The process-wide arXiv gate (see PoliteClient._gate_for).
_ARXIV_GATE_LOCK = threading.Lock()
_ARXIV_LAST_DONE: dict[str, float] = {}


class PoliteClient:
    """One HTTP client for the process. Thread-safe: requests are strictly one at a time.

    ``max_attempts`` and ``max_retry_seconds`` together decide when to give up: a request is
    retried until it has had at least ``max_attempts`` attempts AND ``max_retry_seconds`` have
    passed since its first attempt. ``sleep`` and ``clock`` (monotonic seconds) are injectable
    for tests; ``transport`` takes an ``httpx.MockTransport``.
    """

    def __init__(
        self,
        *,
        contact: str | None = None,
        min_interval: float = 0.0,
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        max_attempts: int = 6,
        max_retry_seconds: float = 60.0,
        backoff_initial: float = 2.0,
        backoff_max: float = 60.0,
        jitter: float = 1.0,
        max_retry_after: float = 600.0,
        max_bytes: int = ARXIV_MAX_BYTES,
        deadline: float = 300.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ):
        if min_interval < 0 or timeout <= 0 or connect_timeout <= 0:
            raise ConfigError("min_interval must be >= 0 and timeouts > 0")
        if max_attempts < 1:
            raise ConfigError("max_attempts must be at least 1")
        if max_bytes < 1 or not 0 < deadline < 86_400:
            raise ConfigError("max_bytes must be positive and deadline between 0 and a day")
        # Every response is read streamed, at most ``max_bytes`` once decoded, and must be
        # complete within ``deadline`` seconds of the request (the read timeout alone lets a
        # server that drips a byte a second hold us for ever).
        self.max_bytes = int(max_bytes)
        self.deadline = float(deadline)
        self.min_interval = float(min_interval)
        self.max_attempts = max_attempts
        self.max_retry_seconds = float(max_retry_seconds)
        self.backoff_initial = float(backoff_initial)
        self.backoff_max = float(backoff_max)
        self.jitter = float(jitter)
        self.max_retry_after = float(max_retry_after)
        self.user_agent = _user_agent(contact)
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self._lock = threading.Lock()
        self._last_done: dict[str, float] = {}  # gate key -> clock() when its last request ended
        self._stats: dict[str, dict[str, int]] = {}
        self._client = httpx.Client(
            # Only what net.bounded can inflate within its cap (not br or zstd).
            headers={"User-Agent": self.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            # arXiv: one connection at a time. The lock already serialises; this makes sure
            # the pool never opens a second socket behind our back.
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            follow_redirects=False,  # followed in get(), so every hop passes the gate
            transport=transport,
        )

    # -- lifecycle -------------------------------------------------------------------------
    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- stats -----------------------------------------------------------------------------
    @property
    def stats(self) -> dict[str, dict[str, int]]:
        """Per host: requests sent, retries made, get() calls that failed. A copy."""
        with self._lock:
            return {host: dict(counts) for host, counts in self._stats.items()}

    def _count(self, host: str, what: str) -> None:
        counts = self._stats.setdefault(host, {"requests": 0, "retries": 0, "failures": 0})
        counts[what] += 1

    # -- the gate --------------------------------------------------------------------------
    def interval_for(self, host: str) -> float:
        if is_arxiv_host(host):
            return max(ARXIV_MIN_INTERVAL, self.min_interval)
        return self.min_interval

    @staticmethod
    def _gate_key(host: str) -> str:
        # arXiv's limit is for all of its APIs together, so its hosts share one gate.
        return "arxiv.org" if is_arxiv_host(host) else host.lower()

    def _gate_for(self, key: str) -> tuple[AbstractContextManager, dict[str, float]]:
        # arXiv's limit binds the whole process, not one client object: with the real clock
        # every PoliteClient shares one arXiv gate (an injected test clock keeps its own; the
        # instance lock, taken next, serialises those).
        if key == "arxiv.org" and self._clock is time.monotonic:
            return _ARXIV_GATE_LOCK, _ARXIV_LAST_DONE
        return nullcontext(), self._last_done

    def _send_gated(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        key = self._gate_key(host)
        interval = self.interval_for(host)
        gate_lock, last_done = self._gate_for(key)
        with gate_lock, self._lock:
            last = last_done.get(key)
            if last is not None:
                wait = last + interval - self._clock()
                if wait > 0:
                    self._sleep(wait)
            self._count(host, "requests")
            try:
                # Streamed, and read here within the cap and the deadline.
                started = time.monotonic()
                response = self._client.send(request, stream=True)
                limit = self.max_bytes if response.is_success else ERROR_BODY_BYTES
                body = read_bounded(response, limit=limit, deadline=started + self.deadline,
                                    what=redact_url(request.url), truncate=not response.is_success)
                response = with_body(response, body)
            finally:
                last_done[key] = self._clock()
            return response

    # -- requests --------------------------------------------------------------------------
    def _backoff(self, retry_number: int, retry_after: float | None) -> float:
        exp = min(self.backoff_max, self.backoff_initial * 2 ** (retry_number - 1))
        delay = exp + (self._rng.uniform(0, self.jitter) if self.jitter > 0 else 0.0)
        # The server's own figure wins when it asks for longer.
        return max(delay, retry_after) if retry_after is not None else delay

    def get(
        self,
        url: str,
        params: Mapping[str, str | int] | None = None,
        *,
        accept: str = ATOM,
        headers: Mapping[str, str] | None = None,
        validate: Callable[[httpx.Response], None] | None = None,
    ) -> httpx.Response:
        """GET with the gate, retries and backoff; returns a 2xx response (body read).

        Raises BadStatus for a non-retryable status, FetchError when retries run out (naming
        the URL and the last status or error), and whatever ``validate`` raises other than
        RetryableResponse.
        """
        hdrs = {"Accept": accept, **(headers or {})}
        try:
            request = self._client.build_request("GET", url, params=params, headers=hdrs)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise FetchError(f"cannot request {redact_url(url)}: {exc}", redact_url(url)) from exc
        host = request.url.host
        shown = redact_url(request.url)
        started = self._clock()
        attempt = 0
        redirects = 0
        while True:
            attempt += 1
            retry_after: float | None = None
            try:
                response = self._send_gated(request)
                status = response.status_code
                if response.is_redirect and response.next_request is not None:
                    redirects += 1
                    if redirects > _MAX_REDIRECTS:
                        raise FetchError(f"too many redirects fetching {shown}", shown)
                    request = response.next_request
                    shown = redact_url(request.url)
                    attempt -= 1  # a hop is not a failed attempt
                    continue
                if 200 <= status < 300:
                    if validate is not None:
                        validate(response)
                    return response
                if status not in RETRY_STATUSES:
                    # ``body`` is the service's raw text (at most ERROR_BODY_BYTES) for callers
                    # to parse; a message made from it must go through net.scrub.
                    raise BadStatus(f"HTTP {status} from {shown}", shown, status, response.text)
                problem = f"HTTP {status}"
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
            except RetryableResponse as exc:
                problem = f"unusable response: {exc}"
            except BodyTooLarge:
                # The next answer would be as large: final, and said plainly.
                self._fail(host)
                raise
            except (DeadlineExceeded, CorruptBody) as exc:
                # Too slow, or a corrupt compressed body: arXiv may do better next time.
                problem = str(exc)
            except FetchError:
                # BadStatus, too many redirects, or validate()'s own verdict: final.
                self._fail(host)
                raise
            except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                problem = f"{type(exc).__name__}: {scrub(exc)}" if str(exc) else type(exc).__name__
            except httpx.HTTPError as exc:
                self._fail(host)
                raise FetchError(f"cannot fetch {shown}: {type(exc).__name__}: {scrub(exc)}", shown) from exc

            elapsed = self._clock() - started
            if attempt >= self.max_attempts and elapsed >= self.max_retry_seconds:
                self._fail(host)
                raise FetchError(
                    f"gave up on {shown} after {attempt} attempts in {elapsed:.0f} s; "
                    f"last: {problem}",
                    shown,
                )
            if retry_after is not None and retry_after > self.max_retry_after:
                self._fail(host)
                raise FetchError(
                    f"{shown} asks us to wait {retry_after:.0f} s ({problem}), "
                    f"more than the {self.max_retry_after:.0f} s we allow",
                    shown,
                )
            delay = self._backoff(attempt, retry_after)
            log.info("retrying %s in %.1f s after %s (attempt %d)", shown, delay, problem, attempt)
            with self._lock:
                self._count(host, "retries")
            self._sleep(delay)

    def _fail(self, host: str) -> None:
        with self._lock:
            self._count(host, "failures")
