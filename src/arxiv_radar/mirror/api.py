"""``GET /api/query``: arXiv's search API over a Corpus.

Parameters as in arXiv's user manual: ``search_query``, ``id_list`` (with both, the ids are
filtered by the query), ``start``, ``max_results`` (default 10, at most 2,000 entries per page,
more than 30,000 is an error), ``sortBy`` and ``sortOrder``. A bad parameter answers 400 with
arXiv's error feed.

Relevance: we have no ranking, so "relevance" keeps the id_list order when ids were given, and
is newest-first otherwise (ascending reverses it). Deterministic, which is what tests need.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime

from arxiv_radar.errors import QuerySyntaxError
from arxiv_radar.model import Paper, parse_arxiv_id

from .atom_writer import CONTENT_TYPE, write_error_feed, write_feed
from .corpus import Corpus
from .messages import Request, Response

__all__ = [
    "ApiError",
    "ApiQuery",
    "DEFAULT_MAX_RESULTS",
    "MAX_RESULTS_LIMIT",
    "PAGE_LIMIT",
    "handle_query",
    "parse_params",
    "run_query",
]

log = logging.getLogger(__name__)

DEFAULT_MAX_RESULTS = 10
PAGE_LIMIT = 2000  # arXiv returns at most this many entries per response
MAX_RESULTS_LIMIT = 30000  # a larger max_results is an error

SORT_BY = ("relevance", "lastUpdatedDate", "submittedDate")
SORT_ORDER = ("ascending", "descending")

# id_list takes bare identifiers only (no URL, no "arXiv:" prefix), versioned or not.
_BARE_ID = re.compile(
    r"^(?:\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)*(?:\.[A-Za-z]{2}(?:-[a-z]{2})?)?/\d{7})(?:v\d+)?$"
)


class ApiError(Exception):
    """A request arXiv would refuse; the message is what the error feed says."""


@dataclass(frozen=True, slots=True)
class ApiQuery:
    search_query: str = ""
    id_list: tuple[tuple[str, int | None], ...] = ()
    raw_id_list: str = ""
    start: int = 0
    max_results: int = DEFAULT_MAX_RESULTS
    sort_by: str = "relevance"
    sort_order: str = "descending"


def _int_param(params: dict[str, str], name: str, default: int) -> int:
    raw = params.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(f"{name} must be an integer") from None
    if value < 0:
        raise ApiError(f"{name} must be >= 0")
    return value


def parse_params(params: dict[str, str]) -> ApiQuery:
    """Validate the query parameters the way arXiv does. Raises ApiError."""
    start = _int_param(params, "start", 0)
    max_results = _int_param(params, "max_results", DEFAULT_MAX_RESULTS)
    if max_results > MAX_RESULTS_LIMIT:
        raise ApiError(f"max_results must be <= {MAX_RESULTS_LIMIT}")

    raw_ids = params.get("id_list", "").strip()
    ids: list[tuple[str, int | None]] = []
    seen: set[tuple[str, int | None]] = set()
    for token in raw_ids.split(","):
        token = token.strip()
        if not token:
            continue
        if not _BARE_ID.match(token):
            raise ApiError(f"incorrect id format for {token}")
        key = parse_arxiv_id(token)
        if key not in seen:
            seen.add(key)
            ids.append(key)

    sort_by = params.get("sortBy", "").strip() or "relevance"
    if sort_by not in SORT_BY:
        raise ApiError(f"sortBy must be in: {', '.join(SORT_BY)}")
    sort_order = params.get("sortOrder", "").strip() or "descending"
    if sort_order not in SORT_ORDER:
        raise ApiError(f"sortOrder must be in: {', '.join(SORT_ORDER)}")

    return ApiQuery(
        search_query=params.get("search_query", "").strip(),
        id_list=tuple(ids),
        raw_id_list=raw_ids,
        start=start,
        max_results=max_results,
        sort_by=sort_by,
        sort_order=sort_order,
    )


def _at_version(paper: Paper, version: int) -> Paper | None:
    """The paper as its entry for ``version`` shows it (id vN, updated = vN's date)."""
    if version == paper.version:
        return paper
    if version > paper.version or version < 1:
        return None
    submitted: datetime | None = None
    for v in paper.versions:
        if v.number == version:
            submitted = v.submitted
    if submitted is None and version == 1:
        submitted = paper.published
    return paper.with_(version=version, updated=submitted)


def _updated(paper: Paper) -> datetime:
    return paper.updated or paper.published


def run_query(corpus: Corpus, query: ApiQuery) -> tuple[int, list[Paper]]:
    """Evaluate a validated query: (total number of matches, the papers on the asked page)."""
    node = None
    if query.search_query:
        # Imported here so id_list lookups work even without the query package.
        from arxiv_radar.query import matches, parse

        try:
            node = parse(query.search_query)
        except QuerySyntaxError as exc:
            raise ApiError(f"malformed search_query: {exc}") from exc

    if query.id_list:
        candidates: list[Paper] = []
        for paper_id, version in query.id_list:
            paper = corpus.get(paper_id)
            if paper is not None and version is not None:
                paper = _at_version(paper, version)
            if paper is not None:
                candidates.append(paper)
        if node is not None:
            results = [p for p in candidates if matches(node, corpus.searchable(p))]
        else:
            results = candidates
    elif node is not None:
        results = [p for p in corpus if matches(node, corpus.searchable(p))]
    else:
        results = []  # neither parameter: arXiv answers an empty feed

    descending = query.sort_order == "descending"
    if query.sort_by == "submittedDate":
        results.sort(key=lambda p: (p.published, p.id), reverse=descending)
    elif query.sort_by == "lastUpdatedDate":
        results.sort(key=lambda p: (_updated(p), p.id), reverse=descending)
    elif not query.id_list:
        results.sort(key=lambda p: (p.published, p.id), reverse=descending)
    elif not descending:
        results.reverse()

    page_size = min(query.max_results, PAGE_LIMIT)
    return len(results), results[query.start : query.start + page_size]


def error_response(message: str) -> Response:
    return Response(400, write_error_feed(message), CONTENT_TYPE)


def handle_query(corpus: Corpus, request: Request) -> Response:
    """The ``/api/query`` route."""
    params = request.params
    try:
        query = parse_params(params)
        total, page = run_query(corpus, query)
    except ApiError as exc:
        log.info("api error: %s", exc)
        return error_response(str(exc))
    body = write_feed(
        page,
        search_query=query.search_query,
        id_list=query.raw_id_list,
        start=query.start,
        max_results=query.max_results,
        total_results=total,
        base_url=request.base_url or "https://arxiv.org",
    )
    return Response(200, body, CONTENT_TYPE)
