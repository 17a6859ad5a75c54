"""Hostile HTTP servers on loopback: a gzip bomb, an endless body, a dripping response.

Hand-made over a raw socket (pytest-httpserver builds whole responses in memory): each serves
every request on its port the same way until stopped.

    with HostileServer(gzip_bomb_response()) as server:
        server.url  # http://127.0.0.1:PORT
"""

from __future__ import annotations

import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator

__all__ = ["HostileServer", "dripping_response", "endless_response", "gzip_bomb", "gzip_bomb_response"]

Responder = Callable[[], Iterator[bytes]]


def gzip_bomb(inflated_gb: int = 2) -> bytes:
    """About 1 MB of gzip per inflated GB of zeros, made in a fraction of a second.

    After a full flush deflate's state is reset, so every further 16 MB of zeros compresses to
    the same bytes: one block is computed and repeated. No trailer: no client gets that far.
    """
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(16 << 20)
    first = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
    return first + block * (inflated_gb * 64 - 1)


def _head(status: str, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status}", *(f"{k}: {v}" for k, v in headers.items()), "Connection: close", "", ""]
    return "\r\n".join(lines).encode("ascii")


def gzip_bomb_response(content_type: str = "application/atom+xml") -> Responder:
    body = gzip_bomb()

    def respond() -> Iterator[bytes]:
        yield _head("200 OK", {"Content-Type": content_type, "Content-Encoding": "gzip",
                               "Content-Length": str(len(body))})
        yield body

    return respond


def endless_response(claimed: int = 1_500_000_000, content_type: str = "application/atom+xml") -> Responder:
    """A plain body of ``claimed`` bytes (1.5 GB by default), sent for as long as the client reads."""
    chunk = b"<feed>" + b"x" * (1 << 20)

    def respond() -> Iterator[bytes]:
        yield _head("200 OK", {"Content-Type": content_type, "Content-Length": str(claimed)})
        sent = 0
        while sent < claimed:
            yield chunk
            sent += len(chunk)

    return respond


def dripping_response(every: float = 0.2, content_type: str = "application/json",
                      status: str = "200 OK") -> Responder:
    """Headers at once, then one byte every ``every`` seconds, for ever: each read succeeds in
    time, only an overall deadline ends it."""

    def respond() -> Iterator[bytes]:
        yield _head(status, {"Content-Type": content_type, "Content-Length": "100000000"})
        while True:
            time.sleep(every)
            yield b" "

    return respond


class HostileServer:
    def __init__(self, responder: Responder):
        self.responder = responder
        self.requests = 0
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(8)
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            try:
                data = b""
                while b"\r\n\r\n" not in data:
                    more = conn.recv(65536)
                    if not more:
                        return
                    data += more
                self.requests += 1
                for part in self.responder():
                    if self._stop.is_set():
                        return
                    conn.sendall(part)
            except OSError:
                return  # the client hung up: what a bounded client does
