"""The reader's actions: the only writes the reading room makes to the store.

Each is one POST with the CSRF token, one short transaction on a fresh connection, and only
while no `run` holds the store's lock (503 otherwise: nothing is written, reads go on).
"""

from __future__ import annotations

import sqlite3

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from ..store import reading
from ..store.db import transaction
from ..store.feedback import clear_feedback, set_feedback
from . import data
from .room import HTTPError, is_api, local_next, paper_id_of, wants_fragment
from .security import Guard

__all__ = ["ReaderActions", "ACTIONS"]


class ReaderActions:
    """Route handlers for ``POST /actions/{action}`` and ``/api/actions/{action}`` (mixed into Pages)."""


    async def action(self, request: Request) -> Response:
        name = request.path_params["action"]
        if name not in ACTIONS:
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
        return await run_in_threadpool(self._act, request, name, form)

    def _act(self, request: Request, name: str, form: dict) -> Response:
        conn = self.room.write()
        try:
            if name == "delete-tag":
                with transaction(conn):
                    found = reading.delete_tag(conn, form.get("tag", ""))
                if not found:
                    raise HTTPError(404, "no such tag")
                if is_api(request) or wants_fragment(request):
                    return JSONResponse({"ok": True, "deleted": form.get("tag", "")})
                return RedirectResponse(local_next(form.get("next"), "/tags"), status_code=303)
            pid = paper_id_of(form.get("id", ""))
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
        if is_api(request):
            return JSONResponse({"ok": True, "action": name, "paper": _state(state)})
        if wants_fragment(request):
            html = self.env.get_template("_actions.html.j2").render(
                p=state, csrf=self.room.guard.csrf, path=local_next(form.get("next"), f"/paper/{pid}"),
                all_tags=[t for t, _ in reading.tags(rconn)], full=form.get("full") == "1")
            return JSONResponse({"ok": True, "action": name, "paper": _state(state), "html": html})
        return RedirectResponse(local_next(form.get("next"), f"/paper/{pid}"), status_code=303)


ACTIONS = ("tag", "untag", "delete-tag", "like", "dislike", "unlike", "read", "unread", "note")


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

