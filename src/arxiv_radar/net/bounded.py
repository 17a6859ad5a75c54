"""Reading an HTTP body with a cap on its decoded size and an overall deadline.

httpx decodes gzip/deflate with no output limit: a 2 MB gzip body that inflates to 2 GB is
inflated whole. Here the raw bytes are streamed and inflated in slices of at most
``_SLICE`` bytes (``zlib``'s ``max_length``), counting what comes out, so memory stays near
the cap whatever the server sends. The deadline is checked between chunks; a server that
sends nothing at all is caught by the client's read timeout.

    with client.stream("GET", url) as response:
        body = read_bounded(response, limit=JSON_MAX_BYTES, deadline=time.monotonic() + 60)
"""

from __future__ import annotations

import time
import zlib
from collections.abc import AsyncIterator, Callable, Iterable, Iterator

import httpx

from ..errors import FetchError

__all__ = [
    "ARXIV_MAX_BYTES",
    "ERROR_BODY_BYTES",
    "JSON_MAX_BYTES",
    "BodyTooLarge",
    "BoundedTransport",
    "CorruptBody",
    "DeadlineExceeded",
    "aread_bounded",
    "read_bounded",
    "with_body",
]

# The largest real arXiv page: an API page of 2,000 entries with long abstracts is a few MB,
# an OAI-PMH page of 1,000 arXivRaw records about as much. 64 MB leaves a wide margin.
ARXIV_MAX_BYTES = 64 * 1024 * 1024
# Enrichment's JSON answers (Hugging Face, GitHub) are a few KB to a few hundred KB.
JSON_MAX_BYTES = 8 * 1024 * 1024
# Of an error response we keep only the start, for a scrubbed one-line message.
ERROR_BODY_BYTES = 16 * 1024
_SLICE = 1024 * 1024
# Only these are asked for (Accept-Encoding below), so only these are decoded.
ACCEPT_ENCODING = "gzip, deflate"


class BodyTooLarge(FetchError):
    """The decoded body passed the cap. Not retryable: the next answer would be as large."""


class DeadlineExceeded(FetchError):
    """The response took longer than the overall deadline (a dripping server). Retryable."""


class CorruptBody(FetchError):
    """A compressed body that does not inflate, or an encoding we did not ask for. Retryable."""


class _Inflater:
    """Decodes one Content-Encoding in bounded slices."""

    def __init__(self, encoding: str):
        codings = [c.strip().lower() for c in encoding.split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
            raise CorruptBody(f"unsupported Content-Encoding {encoding[:40]!r}")
        self.kind = codings[0] if codings else ""
        self._z = None
        if self.kind in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif self.kind == "deflate":
            self._z = None  # decided on the first bytes: zlib-wrapped or raw
        self._first = True

    def feed(self, data: bytes) -> Iterator[bytes]:
        if not self.kind:
            if data:
                yield data
            return
        if self.kind == "deflate" and self._z is None:
            # RFC 9110 says zlib format; some servers send raw deflate.
            raw = not (len(data) >= 2 and (data[0] & 0x0F) == 8 and ((data[0] << 8) | data[1]) % 31 == 0)
            self._z = zlib.decompressobj(-zlib.MAX_WBITS if raw else zlib.MAX_WBITS)
        z = self._z
        try:
            while data:
                out = z.decompress(data, _SLICE)
                if out:
                    yield out
                data = z.unconsumed_tail
                if z.eof:
                    break
        except zlib.error as exc:
            raise CorruptBody(f"corrupt {self.kind} body ({exc})") from None

    def finish(self) -> Iterator[bytes]:
        if self._z is not None and not self._z.eof:
            try:
                tail = self._z.flush(_SLICE)
            except zlib.error as exc:
                raise CorruptBody(f"corrupt {self.kind} body ({exc})") from None
            if tail:
                yield tail


class _Counter:
    def __init__(self, limit: int, deadline: float | None, clock: Callable[[], float], what: str):
        self.limit = limit
        self.deadline = deadline
        self.clock = clock
        self.what = what
        self.size = 0
        self.parts: list[bytes] = []

    def tick(self) -> None:
        if self.deadline is not None and self.clock() > self.deadline:
            raise DeadlineExceeded(f"{self.what}: no complete response before the deadline")

    def add(self, part: bytes) -> None:
        self.size += len(part)
        if self.size > self.limit:
            self.parts.clear()
            raise BodyTooLarge(
                f"{self.what}: response body larger than {self.limit:,} bytes once decoded"
            )
        self.parts.append(part)

    def body(self) -> bytes:
        return b"".join(self.parts)


def _inflater(response: httpx.Response) -> _Inflater:
    return _Inflater(response.headers.get("Content-Encoding", ""))


def read_bounded(
    response: httpx.Response,
    *,
    limit: int,
    deadline: float | None = None,
    clock: Callable[[], float] = time.monotonic,
    what: str = "",
    truncate: bool = False,
) -> bytes:
    """The decoded body of a *streamed* response, at most ``limit`` bytes.

    Raises BodyTooLarge past the cap (or, with ``truncate``, returns the first ``limit``
    bytes and stops reading), DeadlineExceeded when ``clock()`` passes ``deadline``.
    """
    counter = _Counter(limit, deadline, clock, what or "response")
    if response.is_stream_consumed:
        # Already in memory (an httpx.MockTransport in tests builds its responses whole).
        body = response.content
        if len(body) > limit and not truncate:
            raise BodyTooLarge(f"{counter.what}: response body larger than {limit:,} bytes once decoded")
        return body[:limit]
    inflater = _inflater(response)
    try:
        for raw in _raw(response):
            counter.tick()
            for part in inflater.feed(raw):
                if truncate and counter.size + len(part) > limit:
                    counter.add(part[: limit - counter.size])
                    return counter.body()
                counter.add(part)
        for part in inflater.finish():
            if truncate and counter.size + len(part) > limit:
                counter.add(part[: limit - counter.size])
                return counter.body()
            counter.add(part)
        counter.tick()
    finally:
        response.close()
    return counter.body()


def _raw(response: httpx.Response) -> Iterable[bytes]:
    return response.iter_raw()


async def aread_bounded(
    response: httpx.Response,
    *,
    limit: int,
    deadline: float | None = None,
    clock: Callable[[], float] = time.monotonic,
    what: str = "",
) -> bytes:
    """:func:`read_bounded` for a response streamed by an ``httpx.AsyncClient``."""
    counter = _Counter(limit, deadline, clock, what or "response")
    if response.is_stream_consumed:
        body = response.content
        if len(body) > limit:
            raise BodyTooLarge(f"{counter.what}: response body larger than {limit:,} bytes once decoded")
        return body
    inflater = _inflater(response)
    try:
        raw_iter: AsyncIterator[bytes] = response.aiter_raw()
        async for raw in raw_iter:
            counter.tick()
            for part in inflater.feed(raw):
                counter.add(part)
        for part in inflater.finish():
            counter.add(part)
        counter.tick()
    finally:
        await response.aclose()
    return counter.body()


_DROP_HEADERS = {"content-encoding", "content-length", "transfer-encoding"}


def with_body(response: httpx.Response, body: bytes) -> httpx.Response:
    """A complete (non-streamed) copy of ``response`` holding the decoded ``body``."""
    headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in _DROP_HEADERS]
    copy = httpx.Response(
        response.status_code,
        headers=headers,
        content=body,
        request=response.request,
        extensions=response.extensions,
    )
    copy.next_request = response.next_request
    return copy


class BoundedTransport(httpx.BaseTransport):
    """An httpx transport that reads every response through :func:`read_bounded`.

    For clients we hand an ``httpx.Client`` to but do not drive ourselves (the ``openai``
    package reads bodies whole): the body is decoded here under the cap and the deadline, and
    the client gets it already in memory, without its Content-Encoding.
    """

    def __init__(self, *, limit: int, deadline_seconds: float,
                 inner: httpx.BaseTransport | None = None) -> None:
        self.limit = limit
        self.deadline_seconds = deadline_seconds
        self.inner = inner if inner is not None else httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        deadline = time.monotonic() + self.deadline_seconds
        response = self.inner.handle_request(request)
        response.request = request
        body = read_bounded(response, limit=self.limit, deadline=deadline, what=request.url.host)
        headers = [(k, v) for k, v in response.headers.multi_items()
                   if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")]
        return httpx.Response(response.status_code, headers=headers, content=body,
                              request=request, extensions=response.extensions)

    def close(self) -> None:
        self.inner.close()
