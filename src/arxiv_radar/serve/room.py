"""What every request of the reading room needs: the store's connections, the guard, the
topics, the templates, and the small parsers of request values.

Reads use one connection per worker thread (WAL lets them run beside a writer); a reader's
action gets a fresh connection, only while no `run` holds the store's lock.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import quote, urlencode

import jinja2
from starlette.requests import Request

from ..model import is_arxiv_id, parse_arxiv_id
from ..ops.lock import held_by_live_process
from ..render.digest import safe_url
from . import data
from .security import Guard

_MAX_PAGE = 400
_TOPICS_TTL = 10.0  # seconds


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


def templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("arxiv_radar.serve", "templates"),
        autoescape=True,  # every paper text is escaped, whatever the template file is called
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["q"] = lambda value: quote(str(value), safe="")
    env.filters["qpath"] = lambda value: quote(str(value), safe="/")
    # Links from outside (code links a service named): http(s) only, never javascript: or data:.
    env.filters["safe_url"] = lambda value: safe_url(value) or ""
    env.globals["urlencode"] = lambda params: urlencode({k: v for k, v in params.items() if v not in (None, "", False)})
    return env


# --------------------------------------------------------------------------- helpers


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def wants_fragment(request: Request) -> bool:
    return request.headers.get("x-requested-with") == "fetch"


def page_of(request: Request) -> int:
    try:
        page = int(request.query_params.get("page", "1"))
    except ValueError:
        raise HTTPError(400, "page must be a whole number")
    if not 1 <= page <= _MAX_PAGE:
        raise HTTPError(400, f"page must be between 1 and {_MAX_PAGE}")
    return page


def day_of(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise HTTPError(400, f"{name} must be a date in the form YYYY-MM-DD")


def flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "") in ("1", "true", "yes", "on")


def paper_id_of(value: str) -> str:
    value = value.strip()
    if not is_arxiv_id(value):
        raise HTTPError(404, "not an arXiv identifier")
    return parse_arxiv_id(value)[0]


def local_next(value: str | None, default: str) -> str:
    """A redirect target that stays on this site (a path, never //host or a scheme)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value and "\n" not in value:
        return value
    return default


def slug(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:60] or "tag"
