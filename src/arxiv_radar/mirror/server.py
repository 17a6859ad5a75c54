"""The mirror's HTTP server: stdlib ThreadingHTTPServer, a route table, a request log.

Routes map a path to a ``Handler`` (``Request -> Response``, see messages.py): ``/api/query``
(api.py), ``/oai`` (oai.py) and the prefix route ``/rss/`` for ``/rss/<categories>`` (rss.py).
Fault injection (faults.py) is a wrapper in ``MirrorServer.wrappers`` (each wrapper takes the
handler and returns a new one), so none of them needs to touch the socket code.

The mirror has its own clock, ``MirrorServer.now()``: a fixed ``now`` given at start, or the real
time. RSS uses it to pick the announcement it shows; OAI for its responseDate.

Every request is logged on the server object as ``RequestRecord(time, path, query, status,
fault)`` with ``time`` from ``time.monotonic()`` at arrival, because fault tests check the
spacing of a client's requests; ``fault`` names the injected fault ("" for none).
"""

from __future__ import annotations

import logging
import socket
import socketserver
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple

from arxiv_radar.errors import ConfigError

from . import api
from .corpus import Corpus
from .faults import FaultInjector, FaultSpec
from .messages import Handler, Request, Response
from .oai import DEFAULT_PAGE_SIZE, OAIService
from .rss import RSSService

__all__ = [
    "MirrorHandle",
    "parse_now",
    "MirrorServer",
    "RequestRecord",
    "serve_forever",
    "start_mirror",
]

log = logging.getLogger("arxiv_radar.mirror")

Wrapper = Callable[[Handler], Handler]


class RequestRecord(NamedTuple):
    time: float  # time.monotonic() when the request arrived
    path: str
    query: str
    status: int
    fault: str = ""  # the injected fault's name, "" for a normal answer


class _RequestHandler(BaseHTTPRequestHandler):
    server: "MirrorServer"
    protocol_version = "HTTP/1.1"  # keep-alive: clients such as requests.Session reuse it
    server_version = "arxiv-radar-mirror"
    sys_version = ""
    timeout = 60  # an idle keep-alive connection frees its thread after this long

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        arrived = time.monotonic()
        path, _, query = self.path.partition("?")
        request = Request(
            method="GET",
            path=path,
            query_string=query,
            headers={k.lower(): v for k, v in self.headers.items()},
            base_url=self.server.url,
        )
        response = self.server.dispatch(request)
        # Logged before sending, so a client that has its response always finds it in the log.
        self.server.record(RequestRecord(arrived, path, query, response.status, response.fault))
        self._send(response)

    def do_POST(self) -> None:  # noqa: N802
        arrived = time.monotonic()
        path, _, query = self.path.partition("?")
        self.server.record(RequestRecord(arrived, path, query, 405))
        self._send(Response.text(405, "only GET is served"))

    def _send(self, response: Response) -> None:
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):
            # Typically a client that timed out during an injected stall.
            log.info("client went away before the response was sent")

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (stdlib signature)
        # Route http.server's access log into logging instead of stderr.
        log.debug("%s %s", self.address_string(), format % args)


class MirrorServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer that serves a Corpus and remembers every request."""

    daemon_threads = True

    def __init__(
        self, corpus: Corpus, host: str = "127.0.0.1", port: int = 0, *,
        now: datetime | None = None, oai_page_size: int = DEFAULT_PAGE_SIZE,
        legacy_oai_tokens: bool = False,
    ):
        if ":" in host:  # an IPv6 literal such as ::1
            self.address_family = socket.AF_INET6
        if now is not None and (now.tzinfo is None or now.utcoffset() is None):
            raise ValueError(f"now must be timezone-aware, got {now!r}")
        self.corpus = corpus
        self.fixed_now = now
        self.requests: list[RequestRecord] = []
        self._log_lock = threading.Lock()
        self.routes: dict[str, Handler] = {
            "/api/query": lambda request: api.handle_query(self.corpus, request),
            "/oai": OAIService(corpus, page_size=oai_page_size,
                               legacy_tokens=legacy_oai_tokens, clock=self.now),
            "/rss/": RSSService(corpus, clock=self.now),
        }
        # Applied around the route's handler, first one outermost (fault injection goes here).
        self.wrappers: list[Wrapper] = []
        super().__init__((host, port), _RequestHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn(host), a reverse DNS lookup that can
        # stall without a network; the name is not needed here.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def now(self) -> datetime:
        """The mirror's clock: the fixed ``now`` it was started with, else the real time."""
        return self.fixed_now or datetime.now(timezone.utc)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{port}"

    def dispatch(self, request: Request) -> Response:
        path = request.path.rstrip("/") or "/"
        route = self.routes.get(path)
        if route is None:
            # Keys ending in "/" are prefix routes (e.g. "/rss/" for /rss/<categories>).
            prefixes = [k for k in self.routes if k.endswith("/") and path.startswith(k)]
            route = self.routes[max(prefixes, key=len)] if prefixes else None
        if route is None:
            return Response.text(404, f"no such path: {request.path}")
        handler = route
        for wrap in reversed(self.wrappers):
            handler = wrap(handler)
        try:
            return handler(request)
        except Exception:  # one bad request must not take the server down
            log.exception("error serving %s?%s", request.path, request.query_string)
            return Response.text(500, "internal error in the mirror")

    def record(self, entry: RequestRecord) -> None:
        with self._log_lock:
            self.requests.append(entry)
        log.info(
            "%s (t=%.3f) %s?%s -> %d%s", datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            entry.time, entry.path, entry.query, entry.status,
            f" [fault: {entry.fault}]" if entry.fault else "",
        )


class MirrorHandle:
    """A running mirror: ``url``, ``api_url``, ``oai_url``, ``rss_url``, ``requests``,
    ``faults`` (the FaultInjector or None), ``stop()``; a context manager."""

    def __init__(self, server: MirrorServer, thread: threading.Thread,
                 faults: FaultInjector | None = None):
        self.server = server
        self._thread = thread
        self.faults = faults

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def api_url(self) -> str:
        return f"{self.server.url}/api/query"

    @property
    def oai_url(self) -> str:
        return f"{self.server.url}/oai"

    @property
    def rss_url(self) -> str:
        """The RSS base: append ``/cs.CV+cs.CL``."""
        return f"{self.server.url}/rss"

    @property
    def corpus(self) -> Corpus:
        return self.server.corpus

    @property
    def requests(self) -> list[RequestRecord]:
        return self.server.requests

    def stop(self) -> None:
        if self.faults is not None:
            self.faults.close()  # a stalled handler answers now instead of holding on
        if self._thread.is_alive():
            self.server.shutdown()
            self._thread.join(timeout=10)
        self.server.server_close()

    def __enter__(self) -> "MirrorHandle":
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


def _corpus(corpus_files: Iterable[str | Path] | Corpus) -> Corpus:
    if isinstance(corpus_files, Corpus):
        return corpus_files
    return Corpus.from_files(corpus_files)


def parse_now(text: str | None) -> datetime | None:
    """``--now``: an ISO 8601 date-time (a trailing Z or an offset; without one it is UTC).
    ConfigError for anything else."""
    if text is None or not text.strip():
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(
            f"--now: {text!r} is not an ISO date-time such as 2026-03-05T12:00:00Z"
        ) from None
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def _fault_spec(faults: FaultSpec | str | None) -> FaultSpec | None:
    if isinstance(faults, str):
        faults = FaultSpec.parse(faults)
    return faults if faults is not None and (faults.total_rate > 0 or faults.reject) else None


def start_mirror(
    corpus_files: Iterable[str | Path] | Corpus, host: str = "127.0.0.1", port: int = 0,
    *, faults: FaultSpec | str | None = None, now: datetime | None = None,
    oai_page_size: int = DEFAULT_PAGE_SIZE, legacy_oai_tokens: bool = False,
) -> MirrorHandle:
    """Load the corpus and serve it from a background thread; port 0 picks a free port.

    ``faults``: a FaultSpec (or its text) to inject errors; ``now``: a fixed clock for RSS and
    OAI (aware datetime; default the real time); ``oai_page_size``: records per OAI page;
    ``legacy_oai_tokens``: OAI tokens with cursor/completeListSize, as the pre-2025 server.
    """
    spec = _fault_spec(faults)  # parsed before the socket opens: a bad spec binds nothing
    server = MirrorServer(_corpus(corpus_files), host, port, now=now,
                          oai_page_size=oai_page_size, legacy_oai_tokens=legacy_oai_tokens)
    injector = None
    if spec is not None:
        injector = FaultInjector(spec, server.corpus)
        server.wrappers.append(injector)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05},
        name=f"arxiv-radar-mirror-{server.server_address[1]}", daemon=True,
    )
    thread.start()
    return MirrorHandle(server, thread, injector)


def serve_forever(
    corpus_files: Iterable[str | Path] | Corpus, host: str = "127.0.0.1", port: int = 0,
    *, echo: Callable[[str], None] | None = None, stop: threading.Event | None = None,
    faults: FaultSpec | str | None = None, now: datetime | None = None,
    oai_page_size: int = DEFAULT_PAGE_SIZE, legacy_oai_tokens: bool = False,
) -> None:
    """Serve until Ctrl-C (or until ``stop`` is set): the ``arxiv-radar mirror serve`` command.

    Prints the paper count and the URL once the socket is listening.
    """
    echo = echo or (lambda line: print(line, flush=True))
    stop = stop or threading.Event()
    handle = start_mirror(corpus_files, host, port, faults=faults, now=now,
                          oai_page_size=oai_page_size, legacy_oai_tokens=legacy_oai_tokens)
    try:
        corpus = handle.corpus
        note = f" ({corpus.problem_count} unreadable lines skipped)" if corpus.problem_count else ""
        echo(f"arxiv-radar mirror: {len(corpus)} paper{'' if len(corpus) == 1 else 's'}{note}")
        echo(f"serving the arXiv API at {handle.api_url}")
        echo(f"OAI-PMH at {handle.oai_url}, RSS at {handle.rss_url}/<categories>")
        if handle.faults is not None:
            echo(f"injecting faults: {handle.faults.spec}")
        if handle.server.fixed_now is not None:
            echo(f"mirror clock fixed at {handle.server.fixed_now.isoformat()}")
        # Waiting in short slices keeps the main thread responsive to Ctrl-C.
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        handle.stop()
