"""The reading room's pages: each handler reads the store and renders HTML, or the same data as
JSON under /api/ (Datasette's model: every page has a JSON twin)."""

from __future__ import annotations

import io
import logging
import sqlite3
from datetime import date

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from ..errors import QuerySyntaxError, StoreError
from ..store import Store
from ..store import reading
from . import data, trends
from .actions import ReaderActions
from .room import HTTPError, Room, day_of, flag, is_api, local_next, page_of, paper_id_of, slug, templates, wants_fragment
from .security import COOKIE

log = logging.getLogger(__name__)

__all__ = ["Pages", "API_ROUTES"]

_MAX_QUERY = 1000


class Pages(ReaderActions):
    """The route handlers, bound to one Room."""

    def __init__(self, room: Room):
        self.room = room
        self.env = templates()

    # ----------------------------------------------------------------- rendering

    def render(self, request: Request, template: str, payload: dict, *, status: int = 200,
               api: dict | None = None) -> Response:
        """JSON under /api/ (``api``, default the page's data), else the page with the layout data."""
        if is_api(request):
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
        if is_api(request) or wants_fragment(request):
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
        page = page_of(request)
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
        day = day_of(request.path_params["day"], "the day")
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
        pid = paper_id_of(request.path_params["pid"])
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
        filters = dict(topic=topic, since=day_of(qp.get("from"), "from"), until=day_of(qp.get("to"), "to"),
                       has_code=flag(request, "code"), saved=flag(request, "saved"), unread=flag(request, "unread"))
        page = page_of(request)
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
            if is_api(request):
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
            "topics": self.room.topics(conn)}, status=400 if error and is_api(request) else 200)

    def for_you(self, request: Request) -> Response:
        conn = self.room.read()
        scored = data.scored_topics(conn)
        topic = request.query_params.get("topic")
        if topic is None:
            topic = scored[0] if scored else ""
        hide_read = flag(request, "hide_read")
        result = data.for_you(conn, topic or None, page=page_of(request), hide_read=hide_read)
        return self.render(request, "for_you.html.j2", {
            "title": "For you", "topic": topic, "scored_topics": scored, "page": page_of(request),
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
        headers = {"content-disposition": f'attachment; filename="arxiv-radar-{slug(name)}.{ext}"'}
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
        if not is_api(request):
            payload["weekly_svg"] = trends.weekly_svg(weekly)
            payload["terms_svg"] = trends.terms_svg(terms)
            payload["palette"] = list(trends.PALETTE)
        return self.render(request, "trends.html.j2", payload)

    def api_paper(self, request: Request) -> Response:
        return self.paper(request)

    def csrf(self, request: Request) -> Response:
        return JSONResponse({"csrf_token": self.room.guard.csrf})

    def api_index(self, request: Request) -> Response:
        return JSONResponse({"name": "arxiv-radar reading room", "docs": "docs/serve-api.md", "routes": API_ROUTES})

    # ----------------------------------------------------------------- login

    def login_form(self, request: Request) -> Response:
        return self.render(request, "login.html.j2", {"title": "Log in", "next": local_next(
            request.query_params.get("next"), "/"), "failed": False})

    async def login(self, request: Request) -> Response:
        form = await request.form()
        nxt = local_next(str(form.get("next") or ""), "/")
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


API_ROUTES = {
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
