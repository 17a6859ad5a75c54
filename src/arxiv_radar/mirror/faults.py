"""Fault injection for the mirror: the ways arXiv misbehaves, at given rates, reproducibly.

A spec is a comma-separated list of ``key=value`` (``arxiv-radar mirror serve --faults SPEC``)::

    429=0.1,429ra=0.05,503=0.1,stall=0.05,truncate=0.05,empty=0.05,seed=42,stall_seconds=5,retry_after=1

Fault rates (each a probability per request, 0..1, together at most 1):

``429``       HTTP 429 without Retry-After.
``429ra``     HTTP 429 with ``Retry-After: <retry_after>``.
``503``       HTTP 503 with ``Retry-After: <retry_after>``.
``stall``     sleep ``stall_seconds`` before answering normally: longer than the client's
              timeout, it looks like a hung server.
``truncate``  the normal 200 answer cut to 25-75 % of its length (with a matching
              Content-Length, as a proxy that lost the upstream connection would send it), so
              the XML is not well-formed.
``empty``     an empty page where there should be results, on non-first pages only:
              ``/api/query`` with ``start>0`` gets a valid feed without entries but with the
              real ``totalResults`` (arXiv's known hiccup); an ``/oai`` request with a
              ``resumptionToken`` gets ``noRecordsMatch`` (what an OAI-PMH server answers when
              its backend returns nothing; the protocol allows it only for a first request, so
              a careful harvester retries). Other requests pass through unharmed.
``400``       HTTP 400 (arXiv's error feed on ``/api/query``). Clients do not retry a 400, so
              this is a permanent failure for the request it hits: keep it at 0 (the default)
              unless that is what you test.

``reject``    not a rate but a term: every ``/api/query`` whose ``search_query`` contains it
              (case-insensitive) gets HTTP 400 with arXiv's error feed, every time: a topic
              query arXiv rejects for good (``reject=ti:brokenterm``).

Settings: ``seed`` (integer; the same seed and the same request sequence give the same faults),
``stall_seconds`` (default 5), ``retry_after`` (seconds, default 1; real servers send whole
seconds, a fraction is allowed for fast tests). An empty spec or ``none`` means no faults.

The decision is one draw of a seeded RNG per request, so a sequential client sees the same
faults on every run. Every request, faulted or not, is in the mirror's request log; a faulted
one carries the fault's name in ``RequestRecord.fault``.
"""

from __future__ import annotations

import math
import random
import threading
from collections import Counter
from dataclasses import dataclass, field

from arxiv_radar.errors import ConfigError

from . import api
from . import oai as oai_route
from .atom_writer import CONTENT_TYPE as ATOM_CONTENT_TYPE, write_feed
from .corpus import Corpus
from .messages import Handler, Request, Response

__all__ = ["FAULT_KINDS", "FaultInjector", "FaultSpec"]

FAULT_KINDS = ("429", "429ra", "503", "stall", "truncate", "empty", "400")
_SETTINGS = ("seed", "stall_seconds", "retry_after")


@dataclass(frozen=True)
class FaultSpec:
    """Parsed ``--faults``: ``rates`` maps a kind of FAULT_KINDS to its probability."""

    rates: dict[str, float] = field(default_factory=dict)
    seed: int | None = None
    stall_seconds: float = 5.0
    retry_after: float = 1.0
    reject: str = ""  # /api/query searches containing this get a 400, always

    def __post_init__(self) -> None:
        for kind, rate in self.rates.items():
            if kind not in FAULT_KINDS:
                raise ConfigError(f"faults: unknown fault {kind!r} (known: {', '.join(FAULT_KINDS)})")
            if not (isinstance(rate, (int, float)) and 0.0 <= rate <= 1.0):
                raise ConfigError(f"faults: the rate of {kind} must be between 0 and 1, got {rate!r}")
        if self.total_rate > 1.0 + 1e-9:
            raise ConfigError(f"faults: the rates add up to {self.total_rate:g}, more than 1")
        if not (math.isfinite(self.stall_seconds) and self.stall_seconds > 0):
            raise ConfigError("faults: stall_seconds must be a positive number")
        if not (math.isfinite(self.retry_after) and self.retry_after >= 0):
            raise ConfigError("faults: retry_after must be a number >= 0")

    @property
    def total_rate(self) -> float:
        return sum(self.rates.values())

    @classmethod
    def parse(cls, text: str) -> "FaultSpec":
        """Read ``"429=0.1,503=0.05,seed=42"``; ConfigError naming the bad part otherwise."""
        text = (text or "").strip()
        if not text or text.lower() == "none":
            return cls()
        rates: dict[str, float] = {}
        seen_rates: set[str] = set()
        settings: dict[str, float | int] = {}
        for item in text.split(","):
            item = item.strip()
            key, sep, value = item.partition("=")
            key, value = key.strip(), value.strip()
            if not sep or not key or not value:
                raise ConfigError(
                    f"faults: {item!r} is not key=value (e.g. 429=0.1,503=0.05,seed=42)"
                )
            if key in seen_rates or key in settings:
                raise ConfigError(f"faults: {key!r} is given twice")
            if key == "reject":
                settings[key] = value  # type: ignore[assignment]
                continue
            if key == "seed":
                try:
                    settings[key] = int(value)
                except ValueError:
                    raise ConfigError(f"faults: seed must be an integer, got {value!r}") from None
                continue
            try:
                number = float(value)
            except ValueError:
                raise ConfigError(f"faults: {key} must be a number, got {value!r}") from None
            if not math.isfinite(number):
                raise ConfigError(f"faults: {key} must be a finite number, got {value!r}")
            if key in _SETTINGS:
                settings[key] = number
            elif key in FAULT_KINDS:
                rates[key] = number
                seen_rates.add(key)
            else:
                raise ConfigError(
                    f"faults: unknown key {key!r}; faults are {', '.join(FAULT_KINDS)}, "
                    f"settings are {', '.join(_SETTINGS)}, reject"
                )
        # A rate of 0 is the same as leaving the fault out; dropping it keeps specs comparable.
        rates = {k: v for k, v in rates.items() if v}
        return cls(rates=rates, **settings)  # type: ignore[arg-type]

    def __str__(self) -> str:
        parts = [f"{k}={self.rates[k]:g}" for k in FAULT_KINDS if self.rates.get(k)]
        if self.seed is not None:
            parts.append(f"seed={self.seed}")
        parts.append(f"stall_seconds={self.stall_seconds:g}")
        parts.append(f"retry_after={self.retry_after:g}")
        if self.reject:
            parts.append(f"reject={self.reject}")
        return ",".join(parts)


def _seconds(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


class FaultInjector:
    """A ``MirrorServer.wrappers`` entry that applies a FaultSpec. ``counts`` tallies the
    faults injected by kind; ``close()`` cuts running stalls short (for shutdown)."""

    def __init__(self, spec: FaultSpec, corpus: Corpus | None = None):
        self.spec = spec
        self.corpus = corpus  # for the real totalResults of an empty API page
        self.counts: Counter[str] = Counter()
        self._rng = random.Random(spec.seed)
        self._lock = threading.Lock()
        self._closing = threading.Event()

    def close(self) -> None:
        self._closing.set()

    def __call__(self, handler: Handler) -> Handler:
        def faulty(request: Request) -> Response:
            if self.spec.reject and request.path.rstrip("/").endswith("/api/query") and \
                    self.spec.reject.lower() in request.params.get("search_query", "").lower():
                response = api.error_response(f"the mirror rejects queries containing {self.spec.reject!r}")
                response.fault = "reject"
                with self._lock:
                    self.counts["reject"] += 1
                return response
            with self._lock:
                draw = self._rng.random()
                cut = self._rng.uniform(0.25, 0.75)
            kind = self._kind(draw)
            response = self._apply(kind, cut, handler, request) if kind else None
            if response is None:
                return handler(request)
            if response.fault:
                with self._lock:
                    self.counts[response.fault] += 1
            return response

        return faulty

    def _kind(self, draw: float) -> str | None:
        edge = 0.0
        for kind in FAULT_KINDS:
            edge += self.spec.rates.get(kind, 0.0)
            if draw < edge:
                return kind
        return None

    def _apply(self, kind: str, cut: float, handler: Handler, request: Request) -> Response | None:
        """The response to send, with ``fault`` set when the fault applied (a truncation of a
        non-200 answer is sent as is); None when the fault does not fit this request."""
        response: Response | None
        if kind in ("429", "429ra"):
            response = Response.text(429, "Rate exceeded.")
        elif kind == "503":
            response = Response.text(503, "Service temporarily unavailable; retry later.")
        elif kind == "400":
            if request.path.rstrip("/").endswith("/api/query"):
                response = api.error_response("the mirror injected a 400 fault")
            else:
                response = Response.text(400, "Bad request (injected fault).")
        elif kind == "stall":
            self._closing.wait(self.spec.stall_seconds)
            response = handler(request)
        elif kind == "truncate":
            response = handler(request)
            if response.status != 200 or len(response.body) < 64:
                return response  # nothing worth cutting; not a fault
            response.body = response.body[: int(len(response.body) * cut)]
        elif kind == "empty":
            response = self._empty(request)
        else:
            response = None
        if response is None:
            return None
        if kind in ("429ra", "503"):
            response.headers["Retry-After"] = _seconds(self.spec.retry_after)
        response.fault = kind
        return response

    def _empty(self, request: Request) -> Response | None:
        path = request.path.rstrip("/")
        params = request.params
        if path.endswith("/api/query") and self.corpus is not None:
            try:
                query = api.parse_params(params)
                total, _ = api.run_query(self.corpus, query)
            except api.ApiError:
                return None
            if query.start == 0 or query.start >= total:
                return None  # a first page, or a page that is empty anyway
            body = write_feed(
                [], search_query=query.search_query, id_list=query.raw_id_list,
                start=query.start, max_results=query.max_results, total_results=total,
                base_url=request.base_url or "https://arxiv.org",
            )
            return Response(200, body, ATOM_CONTENT_TYPE)
        if path.endswith("/oai") and params.get("resumptionToken"):
            return oai_route.error_response(
                request, "noRecordsMatch",
                "The combination of the values of the arguments results in an empty list.",
            )
        return None
