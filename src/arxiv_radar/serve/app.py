"""The reading room: a Starlette app over the store, HTML pages with JSON twins under /api/.

``create_app`` wires the routes (pages.py reads, actions.py writes) behind one middleware that
checks the host and the token, adds the security headers and turns errors into pages or JSON.
Reads use one connection per worker thread (WAL lets them run beside a writer); writes are the
reader's own actions, one short transaction each, refused while a `run` holds the store's lock.
"""

from __future__ import annotations

import inspect
import logging
import sqlite3
from importlib import resources
from pathlib import Path
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..errors import StoreError
from ..store.db import connect
from .pages import Pages
from .room import HTTPError, Room
from .security import Guard

log = logging.getLogger(__name__)

__all__ = ["create_app", "Room"]

_SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    # same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" on form posts.
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}


# --------------------------------------------------------------------------- the app


class _Guarded:
    """ASGI middleware: host check, authentication, security headers, errors as pages or JSON."""

    def __init__(self, app, pages: Pages):
        self.app = app
        self.pages = pages

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope, receive)
        guard = self.pages.room.guard
        path = scope["path"]

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                for k, v in _SECURITY_HEADERS.items():
                    if k.encode() not in present:
                        headers.append((k.encode(), v.encode()))
                message = {**message, "headers": headers}
            await send(message)

        if not guard.host_ok(request.headers.get("host")):
            response = Response("unknown host: the reading room answers on loopback names only\n",
                                status_code=400, media_type="text/plain")
            return await response(scope, receive, send_with_headers)
        public = path.startswith("/static/") or path in ("/login", "/favicon.ico")
        if not public and not guard.authenticated(request.headers, request.cookies):
            if path.startswith("/api/") or scope["method"] not in ("GET", "HEAD"):
                response: Response = JSONResponse({"error": "a token is needed (Authorization: Bearer ...)"},
                                                  status_code=401)
            else:
                response = RedirectResponse("/login?" + urlencode({"next": path}), status_code=303)
            return await response(scope, receive, send_with_headers)
        try:
            await self.app(scope, receive, send_with_headers)
        except HTTPError as exc:
            response = self.pages.error(request, exc.status, exc.message)
            await response(scope, receive, send_with_headers)


def _wrap(pages: Pages, fn):
    """Run a sync handler in the thread pool and turn HTTPError into a page or JSON."""
    if inspect.iscoroutinefunction(fn):
        async def handler(request: Request) -> Response:
            try:
                return await fn(request)
            except HTTPError as exc:
                return pages.error(request, exc.status, exc.message)
        return handler

    def sync_handler(request: Request) -> Response:
        try:
            return fn(request)
        except HTTPError as exc:
            return pages.error(request, exc.status, exc.message)
        except sqlite3.DatabaseError as exc:
            log.warning("store read failed: %s", exc)
            return pages.error(request, 503, "the store could not be read just now; try again")

    return sync_handler


def create_app(db_path: str | Path, *, token: str | None = None, loopback_only: bool = True,
               topics: list[str] | None = None) -> Starlette:
    """The reading-room app over the store at ``db_path`` (migrated to the latest schema first)."""
    db_path = Path(db_path)
    try:
        conn = connect(db_path, must_exist=True)  # migrates (0009 adds the reading-room tables); WAL on
    except sqlite3.OperationalError as exc:  # a run kept the store busy past the timeout
        raise StoreError(f"{db_path}: could not prepare the store for the reading room ({exc}); "
                         "start `arxiv-radar serve` again when the run has finished") from None
    conn.close()
    room = Room(db_path, Guard(token, loopback_only=loopback_only), list(topics or []))
    pages = Pages(room)
    w = lambda fn: _wrap(pages, fn)  # noqa: E731
    reads = [
        ("/", pages.home, "home"), ("/search", pages.search, "search"), ("/for-you", pages.for_you, "for_you"),
        ("/topic/{name:path}", pages.topic, "topic"), ("/day/{day}", pages.day, "day"),
        ("/paper/{pid:path}", pages.paper, "paper"), ("/tags", pages.tags, "tags"),
        ("/tag/{name:path}", pages.tag, "tag"), ("/trends", pages.trends, "trends"),
    ]
    routes = []
    for path, fn, name in reads:
        routes.append(Route(path, w(fn), methods=["GET", "HEAD"], name=name))
        routes.append(Route("/api" + (path if path != "/" else "/"), w(fn), methods=["GET", "HEAD"], name=f"api_{name}"))
    routes[1] = Route("/api/", w(pages.api_index), methods=["GET", "HEAD"], name="api_index")
    routes += [
        Route("/api/topics", w(pages.topics), methods=["GET", "HEAD"]),
        Route("/api/days", w(pages.days), methods=["GET", "HEAD"]),
        Route("/api/csrf", w(pages.csrf), methods=["GET", "HEAD"]),
        Route("/api/actions/{action}", w(pages.action), methods=["POST"]),
        Route("/actions/{action}", w(pages.action), methods=["POST"]),
        Route("/login", w(pages.login_form), methods=["GET", "HEAD"]),
        Route("/login", w(pages.login), methods=["POST"]),
        Route("/logout", w(pages.logout), methods=["POST"]),
        Mount("/static", StaticFiles(directory=str(resources.files("arxiv_radar.serve") / "static")), name="static"),
    ]
    app = Starlette(routes=routes)
    app.state.room = room
    return _Guarded(app, pages)  # type: ignore[return-value]
