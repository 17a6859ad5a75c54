"""The reading room: a Starlette app over the store, HTML pages with JSON twins under /api/.

Reads use one connection per worker thread (WAL lets them run beside a writer). Writes are
the reader's own actions (tags, likes, read marks, notes): one short transaction each, only
when no `run` holds the store's lock (otherwise 503 and a message, never a half-written store).
"""

from __future__ import annotations

import io
import logging
import re
import sqlite3
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from urllib.parse import quote, urlencode

import jinja2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..errors import QuerySyntaxError, StoreError
from ..ops.lock import held_by_live_process
from ..model import is_arxiv_id, parse_arxiv_id
from ..store import Store
from ..store import reading
from ..store.db import connect, transaction
from ..store.feedback import clear_feedback, set_feedback
from . import data, trends
from .security import COOKIE, Guard

log = logging.getLogger(__name__)

__all__ = ["create_app", "Room"]

_MAX_QUERY = 1000
_MAX_PAGE = 400
_TOPICS_TTL = 10.0  # seconds
_SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    # same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" on form posts.
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}


class HTTPError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Room:
    """What every request needs: where the store is, the guard, the topics, the templates."""

    db_path: Path
    guard: Guard
    configured_topics: list[str] = field(default_factory=list)
    _local: threading.local = field(default_factory=threading.local)
    _topics_cache: tuple | None = None

    def read(self) -> sqlite3.Connection:
        """This thread's read connection (opened once per worker thread, query-only)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.db_path, isolation_level=None, timeout=10, check_same_thread=True)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA query_only = 1")
            # Pages read through the OS cache, shared by every thread's connection (each has its own
            # small page cache otherwise, cold in a fresh worker thread).
            conn.execute("PRAGMA mmap_size = 2147418112")
            self._local.conn = conn
        return conn

    def write(self):
        """A fresh connection for one reader action, after checking that no run holds the store."""
        holder = held_by_live_process(self.db_path)
        if holder is not None:
            raise HTTPError(503, f"the store is being updated by {holder.describe()}; reading works, "
                                 "saving is paused until it finishes: try again in a minute")
        conn = sqlite3.connect(self.db_path, isolation_level=None, timeout=5)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    def topics(self, conn: sqlite3.Connection) -> list[str]:
        return self.topic_counts(conn)[0]

    def topic_counts(self, conn: sqlite3.Connection) -> tuple[list[str], dict[str, int]]:
        """The topics and their paper counts, read again at most every few seconds: every page
        shows them, and on a big store counting the matches costs tens of milliseconds."""
        now = time.monotonic()
        cached = self._topics_cache
        if cached is None or now - cached[0] > _TOPICS_TTL:
            cached = (now, data.topic_names(conn, self.configured_topics), data.store_topics_counts(conn))
            self._topics_cache = cached
        return cached[1], cached[2]


def _templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("arxiv_radar.serve", "templates"),
        autoescape=True,  # every paper text is escaped, whatever the template file is called
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["q"] = lambda value: quote(str(value), safe="")
    env.filters["qpath"] = lambda value: quote(str(value), safe="/")
    env.globals["urlencode"] = lambda params: urlencode({k: v for k, v in params.items() if v not in (None, "", False)})
    return env


# --------------------------------------------------------------------------- helpers


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _wants_fragment(request: Request) -> bool:
    return request.headers.get("x-requested-with") == "fetch"


def _page(request: Request) -> int:
    try:
        page = int(request.query_params.get("page", "1"))
    except ValueError:
        raise HTTPError(400, "page must be a whole number")
    if not 1 <= page <= _MAX_PAGE:
        raise HTTPError(400, f"page must be between 1 and {_MAX_PAGE}")
    return page


def _day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise HTTPError(400, f"{name} must be a date in the form YYYY-MM-DD")


def _flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "") in ("1", "true", "yes", "on")


def _paper_id(value: str) -> str:
    value = value.strip()
    if not is_arxiv_id(value):
        raise HTTPError(404, "not an arXiv identifier")
    return parse_arxiv_id(value)[0]


def _local_next(value: str | None, default: str) -> str:
    """A redirect target that stays on this site (a path, never //host or a scheme)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value and "\n" not in value:
        return value
    return default


def _slug(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:60] or "tag"


class Pages:
    """The route handlers, bound to one Room."""

    def __init__(self, room: Room):
        self.room = room
        self.env = _templates()

    # ----------------------------------------------------------------- rendering

    def render(self, request: Request, template: str, payload: dict, *, status: int = 200,
               api: dict | None = None) -> Response:
        """JSON under /api/ (``api``, default the page's data), else the page with the layout data."""
        if _is_api(request):
            return JSONResponse(payload if api is None else api, status_code=status)
        stranger = template == "login.html.j2"  # not logged in yet: no topics, no CSRF token
        context = {
            **payload,
            "topics_nav": [] if stranger else self.room.topics(self.room.read()),
            "csrf": "" if stranger else self.room.guard.csrf,
            "login": self.room.guard.needs_login and not stranger,
            "path": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
            "request_path": request.url.path,
        }
        html = self.env.get_template(template).render(**context)
        return HTMLResponse(html, status_code=status)

    def error(self, request: Request, status: int, message: str) -> Response:
        if _is_api(request) or _wants_fragment(request):
            return JSONResponse({"error": message}, status_code=status)
        try:
            return self.render(request, "error.html.j2", {"title": f"Error {status}", "status": status,
                                                          "message": message}, status=status)
        except Exception:  # the store itself may be what failed
            return Response(f"{status}: {message}\n", status_code=status, media_type="text/plain")

    # ----------------------------------------------------------------- reading pages

    def home(self, request: Request) -> Response:
        conn = self.room.read()
        names, counts = self.room.topic_counts(conn)
        topics = [{"name": t, "papers": counts.get(t, 0)} for t in names]
        days = data.days(conn)
        newest = []
        if days:
            papers, kind = data.day_papers(conn, date.fromisoformat(days[0]["day"]), limit=30)
            newest = data.cards(conn, papers)
        total = conn.execute("SELECT count(*) FROM papers").fetchone()[0] if not _big(conn) else None
        return self.render(request, "index.html.j2", {
            "title": "arXiv radar", "topics": topics, "days": days, "newest": newest,
            "newest_day": days[0]["day"] if days else None, "tags": _tag_list(conn), "papers_total": total})

    def topic(self, request: Request) -> Response:
        conn = self.room.read()
        name = request.path_params["name"]
        if name not in self.room.topics(conn):
            raise HTTPError(404, "no such topic")
        page = _page(request)
        papers, more = data.topic_papers(conn, name, page=page, size=self.room.topic_counts(conn)[1].get(name))
        return self.render(request, "topic.html.j2", {
            "title": name, "topic": name, "page": page, "more": more,
            "papers": data.cards(conn, papers, topic=name)})

    def topics(self, request: Request) -> Response:
        names, counts = self.room.topic_counts(self.room.read())
        return JSONResponse({"topics": [{"name": t, "papers": counts.get(t, 0)} for t in names]})

    def days(self, request: Request) -> Response:
        return JSONResponse({"days": data.days(self.room.read(), limit=60)})

    def day(self, request: Request) -> Response:
        conn = self.room.read()
        day = _day(request.path_params["day"], "the day")
        papers, kind = data.day_papers(conn, day)
        items = data.cards(conn, papers)
        groups: dict[str, list[dict]] = {}
        for item in items:
            for t in (item["topics"] or [""]):
                groups.setdefault(t, []).append(item)
        order = self.room.topics(conn) + [""]
        return self.render(request, "day.html.j2", {
            "title": f"Papers of {day.isoformat()}", "day": day.isoformat(), "kind": kind,
            "papers": items, "groups": [{"topic": t, "papers": groups[t]} for t in order if t in groups]})

    def paper(self, request: Request) -> Response:
        conn = self.room.read()
        pid = _paper_id(request.path_params["pid"])
        detail = data.paper_detail(conn, pid)
        if detail is None:
            raise HTTPError(404, f"arXiv:{pid} is not in this store")
        detail["similar"] = data.cards(conn, data.similar(conn, pid, limit=8))
        return self.render(request, "paper.html.j2", {"title": detail["title"], "p": detail,
                                                      "all_tags": [t for t, _ in reading.tags(conn)]}, api=detail)

    def search(self, request: Request) -> Response:
        conn = self.room.read()
        qp = request.query_params
        q = qp.get("q", "").strip()
        if len(q) > _MAX_QUERY:
            raise HTTPError(400, f"the query is longer than {_MAX_QUERY} characters")
        topic = qp.get("topic") or None
        if topic is not None and topic not in self.room.topics(conn):
            raise HTTPError(400, "no such topic")
        order = qp.get("order", "rank")
        if order not in ("rank", "date"):
            raise HTTPError(400, "order is rank or date")
        filters = dict(topic=topic, since=_day(qp.get("from"), "from"), until=_day(qp.get("to"), "to"),
                       has_code=_flag(request, "code"), saved=_flag(request, "saved"), unread=_flag(request, "unread"))
        page = _page(request)
        per = data.PAGE
        error = None
        papers: list = []
        try:
            if q:
                from ..bulk.search import search

                papers = search(Store(conn), q, limit=per + 1, offset=(page - 1) * per, order=order, **filters)
            else:
                papers = _browse(conn, filters, limit=per + 1, offset=(page - 1) * per)
        except QuerySyntaxError as exc:
            if _is_api(request):
                raise HTTPError(400, f"query: {exc}")
            error = str(exc)
        except StoreError as exc:
            raise HTTPError(503, str(exc))
        more = len(papers) > per
        params = {"q": q, "topic": topic or "", "from": qp.get("from", ""), "to": qp.get("to", ""),
                  "code": "1" if filters["has_code"] else "", "saved": "1" if filters["saved"] else "",
                  "unread": "1" if filters["unread"] else "", "order": order}
        return self.render(request, "search.html.j2", {
            "title": f"Search: {q}" if q else "Search", "q": q, "params": params, "page": page, "more": more,
            "error": error, "papers": data.cards(conn, papers[:per], topic=topic),
            "topics": self.room.topics(conn)}, status=400 if error and _is_api(request) else 200)

    def for_you(self, request: Request) -> Response:
        conn = self.room.read()
        scored = data.scored_topics(conn)
        topic = request.query_params.get("topic")
        if topic is None:
            topic = scored[0] if scored else ""
        hide_read = _flag(request, "hide_read")
        result = data.for_you(conn, topic or None, page=_page(request), hide_read=hide_read)
        return self.render(request, "for_you.html.j2", {
            "title": "For you", "topic": topic, "scored_topics": scored, "page": _page(request),
            "hide_read": hide_read, **result})

    def tags(self, request: Request) -> Response:
        conn = self.room.read()
        return self.render(request, "tags.html.j2", {"title": "Tags", "tags": _tag_list(conn)})

    def tag(self, request: Request) -> Response:
        conn = self.room.read()
        name = request.path_params["name"]
        if name not in {t for t, _ in reading.tags(conn)}:
            raise HTTPError(404, "no such tag")
        fmt = request.query_params.get("format")
        if fmt in ("bibtex", "json"):
            return self._export(conn, name, fmt)
        if fmt is not None:
            raise HTTPError(400, "format is bibtex or json")
        papers = data.tag_papers(conn, name)
        return self.render(request, "tag.html.j2", {"title": f"Tag: {name}", "tag": name,
                                                    "papers": data.cards(conn, papers)})

    def _export(self, conn: sqlite3.Connection, name: str, fmt: str) -> Response:
        from ..publish.export import records_for_ids, write_bibtex, write_json

        records = records_for_ids(Store(conn), reading.tagged_ids(conn, name))
        out = io.StringIO()
        if fmt == "bibtex":
            write_bibtex(out, records)
            media, ext = "application/x-bibtex; charset=utf-8", "bib"
        else:
            write_json(out, records, [], None)
            media, ext = "application/json; charset=utf-8", "json"
        headers = {"content-disposition": f'attachment; filename="arxiv-radar-{_slug(name)}.{ext}"'}
        return Response(out.getvalue().encode("utf-8"), media_type=media, headers=headers)

    def trends(self, request: Request) -> Response:
        conn = self.room.read()
        topics = self.room.topics(conn)
        topic = request.query_params.get("topic") or (topics[0] if topics else None)
        if topic is not None and topic not in topics:
            raise HTTPError(400, "no such topic")
        try:
            weeks = int(request.query_params.get("weeks", "26"))
        except ValueError:
            raise HTTPError(400, "weeks must be a whole number")
        weeks = max(4, min(weeks, 156))
        weekly = trends.weekly_counts(conn, topics[:8], weeks)
        terms = trends.new_terms(conn, topic)
        payload = {"title": "Trends", "topic": topic, "weeks": weeks, "weekly": weekly, "terms": terms,
                   "topics": topics}
        if not _is_api(request):
            payload["weekly_svg"] = trends.weekly_svg(weekly)
            payload["terms_svg"] = trends.terms_svg(terms)
            payload["palette"] = list(trends.PALETTE)
        return self.render(request, "trends.html.j2", payload)

    def api_paper(self, request: Request) -> Response:
        return self.paper(request)

    def csrf(self, request: Request) -> Response:
        return JSONResponse({"csrf_token": self.room.guard.csrf})

    def api_index(self, request: Request) -> Response:
        return JSONResponse({"name": "arxiv-radar reading room", "docs": "docs/serve-api.md", "routes": _API_ROUTES})

    # ----------------------------------------------------------------- login

    def login_form(self, request: Request) -> Response:
        return self.render(request, "login.html.j2", {"title": "Log in", "next": _local_next(
            request.query_params.get("next"), "/"), "failed": False})

    async def login(self, request: Request) -> Response:
        form = await request.form()
        nxt = _local_next(str(form.get("next") or ""), "/")
        if not self.room.guard.token_ok(str(form.get("token") or "")):
            return self.render(request, "login.html.j2", {"title": "Log in", "next": nxt, "failed": True}, status=401)
        response = RedirectResponse(nxt, status_code=303)
        response.set_cookie(COOKIE, self.room.guard.session, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https", max_age=30 * 24 * 3600)
        return response

    async def logout(self, request: Request) -> Response:
        form = await request.form()
        if not self.room.guard.csrf_ok(str(form.get("csrf_token") or "")):
            raise HTTPError(403, "the form is missing its CSRF token (reload the page)")
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    # ----------------------------------------------------------------- actions (writes)

    async def action(self, request: Request) -> Response:
        name = request.path_params["action"]
        if name not in _ACTIONS:
            raise HTTPError(404, "no such action")
        if not Guard.origin_ok(request.headers.get("origin"), request.headers.get("host")):
            raise HTTPError(403, "a request from another site may not change the store")
        if request.headers.get("content-type", "").startswith("application/json"):
            try:
                body = await request.json()
            except ValueError:
                raise HTTPError(400, "the body is not JSON")
            if not isinstance(body, dict):
                raise HTTPError(400, "the body must be a JSON object")
            form = {k: "" if v is None else str(v) for k, v in body.items()}
        else:
            form = {k: str(v) for k, v in (await request.form()).items()}
        given = request.headers.get("x-csrf-token") or form.get("csrf_token")
        if not self.room.guard.csrf_ok(given):
            raise HTTPError(403, "missing or wrong CSRF token (reload the page; scripts: GET /api/csrf)")
        return await _run_in_thread(self._act, request, name, form)

    def _act(self, request: Request, name: str, form: dict) -> Response:
        conn = self.room.write()
        try:
            if name == "delete-tag":
                with transaction(conn):
                    found = reading.delete_tag(conn, form.get("tag", ""))
                if not found:
                    raise HTTPError(404, "no such tag")
                if _is_api(request) or _wants_fragment(request):
                    return JSONResponse({"ok": True, "deleted": form.get("tag", "")})
                return RedirectResponse(_local_next(form.get("next"), "/tags"), status_code=303)
            pid = _paper_id(form.get("id", ""))
            if conn.execute("SELECT 1 FROM papers WHERE id = ?", (pid,)).fetchone() is None:
                raise HTTPError(404, f"arXiv:{pid} is not in this store")
            topic = form.get("topic", "")
            if topic and conn.execute("SELECT 1 FROM matches WHERE topic = ? LIMIT 1", (topic,)).fetchone() is None \
                    and topic not in self.room.configured_topics:
                raise HTTPError(400, "no such topic")
            try:
                with transaction(conn):
                    _apply(conn, name, pid, form, topic)
            except ValueError as exc:
                raise HTTPError(400, str(exc))
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise HTTPError(503, "the store is busy (a run is writing); nothing was saved: try again in a minute")
            raise
        finally:
            conn.close()
        rconn = self.room.read()
        state = data.paper_detail(rconn, pid)
        if _is_api(request):
            return JSONResponse({"ok": True, "action": name, "paper": _state(state)})
        if _wants_fragment(request):
            html = self.env.get_template("_actions.html.j2").render(
                p=state, csrf=self.room.guard.csrf, path=_local_next(form.get("next"), f"/paper/{pid}"),
                all_tags=[t for t, _ in reading.tags(rconn)], full=form.get("full") == "1")
            return JSONResponse({"ok": True, "action": name, "paper": _state(state), "html": html})
        return RedirectResponse(_local_next(form.get("next"), f"/paper/{pid}"), status_code=303)


_ACTIONS = ("tag", "untag", "delete-tag", "like", "dislike", "unlike", "read", "unread", "note")


def _apply(conn: sqlite3.Connection, name: str, pid: str, form: dict, topic: str) -> None:
    if name == "tag":
        reading.add_tag(conn, pid, form.get("tag", ""))
    elif name == "untag":
        reading.remove_tag(conn, pid, form.get("tag", ""))
    elif name == "like":
        set_feedback(conn, [pid], 1, topic=topic, source="serve")
    elif name == "dislike":
        set_feedback(conn, [pid], -1, topic=topic, source="serve")
    elif name == "unlike":
        clear_feedback(conn, [pid], topic=topic)
    elif name == "read":
        reading.mark_read(conn, pid, True)
    elif name == "unread":
        reading.mark_read(conn, pid, False)
    elif name == "note":
        reading.set_note(conn, pid, form.get("text", ""))


def _state(detail: dict) -> dict:
    return {k: detail[k] for k in ("id", "tags", "read", "feedback", "feedback_by_topic", "note")}


async def _run_in_thread(fn, *args):
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(fn, *args)


def _big(conn: sqlite3.Connection) -> bool:
    # count(*) over a million rows costs ~100 ms: on a big store the home page shows the topics only.
    row = conn.execute("SELECT max(rowid) FROM papers").fetchone()
    return bool(row and row[0] and row[0] > 200_000)


def _tag_list(conn: sqlite3.Connection) -> list[dict]:
    return [{"name": n, "papers": c} for n, c in reading.tags(conn)]


def _browse(conn: sqlite3.Connection, filters: dict, *, limit: int, offset: int) -> list:
    """Newest papers that pass the filters, without a query."""
    from ..bulk.search import filter_conditions
    from ..store.codec import row_paper

    conds, params = filter_conditions(**filters)
    where = " AND ".join(conds) or "1"
    rows = conn.execute(f"SELECT p.* FROM papers p WHERE {where} ORDER BY p.published DESC, p.id DESC "
                        "LIMIT ? OFFSET ?", [*params, limit, offset]).fetchall()
    return [row_paper(r) for r in rows]


_API_ROUTES = {
    "GET /api/search?q=&topic=&from=&to=&code=1&saved=1&unread=1&order=rank|date&page=": "search",
    "GET /api/paper/{id}": "one paper with code links, note, tags, feedback, summary, similar papers",
    "GET /api/topics": "topics with paper counts",
    "GET /api/topic/{name}?page=": "a topic's papers, newest first",
    "GET /api/days": "announcement days with counts",
    "GET /api/day/{YYYY-MM-DD}": "a day's papers",
    "GET /api/for-you?topic=&hide_read=1&page=": "papers ordered by the ranking stage's scores",
    "GET /api/tags": "tags with counts",
    "GET /api/tag/{name}?format=bibtex|json": "a tag's papers, or its export",
    "GET /api/trends?topic=&weeks=": "papers per week per topic, new terms this month",
    "GET /api/csrf": "the CSRF token for POST requests",
    "POST /api/actions/{tag|untag|delete-tag|like|dislike|unlike|read|unread|note}": "a reader's action",
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
    import inspect

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
