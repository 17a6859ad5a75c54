"""The arXiv API (export.arxiv.org/api/query): searches, time windows, id lookups.

Results come lazily, page by page, through the one PoliteClient. A page that is garbled, or
empty while totalResults says there is more (a known arXiv hiccup), counts as a failed attempt
and is retried; arXiv's error feed (HTTP 200 since ~2025, HTTP 400 before) is final.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta, timezone

import httpx

from ..errors import ArxivAPIError, FeedParseError
from ..model import Paper, parse_arxiv_id
from .atom import AtomFeed, parse_feed
from ..net import scrub
from .http import ATOM, BadStatus, PoliteClient, RetryableResponse

__all__ = ["ArxivAPI", "ARXIV_API_URL", "MAX_PAGE_SIZE", "MAX_RESULTS_PER_QUERY"]

log = logging.getLogger(__name__)

ARXIV_API_URL = "https://export.arxiv.org/api/query"
# arXiv serves a query's results in slices of at most 2,000 and at most 30,000 in all.
MAX_PAGE_SIZE = 2000
MAX_RESULTS_PER_QUERY = 30_000

_SORT_BY = frozenset({"relevance", "lastUpdatedDate", "submittedDate"})
_SORT_ORDER = frozenset({"ascending", "descending"})
_MINUTE = timedelta(minutes=1)


def _minute(dt: datetime, name: str) -> datetime:
    if dt.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware, got {dt!r}")
    return dt.astimezone(timezone.utc).replace(second=0, microsecond=0)


def _stamp(dt: datetime) -> str:
    return dt.strftime("%Y%m%d%H%M")


class ArxivAPI:
    """Queries against the arXiv API. ``result_limit`` is how many results arXiv will serve
    for one query; ``search_window`` splits its window to stay under it."""

    def __init__(
        self,
        client: PoliteClient,
        base_url: str = ARXIV_API_URL,
        page_size: int = 100,
        *,
        result_limit: int = MAX_RESULTS_PER_QUERY,
    ):
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be 1..{MAX_PAGE_SIZE}, got {page_size}")
        if result_limit < 1:
            raise ValueError("result_limit must be positive")
        self.client = client
        self.base_url = base_url
        self.page_size = page_size
        self.result_limit = result_limit

    # -- one page --------------------------------------------------------------------------
    def _page(self, params: dict[str, str | int]) -> AtomFeed:
        start = int(params["start"])
        parsed: list[AtomFeed] = []

        def validate(response: httpx.Response) -> None:
            try:
                feed = parse_feed(response.content)
            except ArxivAPIError as exc:
                raise ArxivAPIError(scrub(exc), str(response.request.url)) from None
            except FeedParseError as exc:
                raise RetryableResponse(str(exc), str(response.request.url)) from exc
            if not feed.papers and feed.total_results > start:
                raise RetryableResponse(
                    f"empty page at start={start} although totalResults={feed.total_results}",
                    str(response.request.url),
                )
            parsed.append(feed)

        try:
            self.client.get(self.base_url, params=params, accept=ATOM, validate=validate)
        except BadStatus as exc:
            if exc.status == 400:
                raise self._error_from_400(exc) from exc
            raise
        return parsed[-1]

    @staticmethod
    def _error_from_400(exc: BadStatus) -> ArxivAPIError:
        # Until ~2025 arXiv sent its error feed with HTTP 400; read its message if we can.
        try:
            parse_feed(exc.body.encode("utf-8"))
        except ArxivAPIError as api_error:
            return ArxivAPIError(scrub(api_error), exc.url)
        except FeedParseError:
            pass
        return ArxivAPIError(f"arXiv rejected the request (HTTP 400): {exc.url}", exc.url)

    # -- paging ----------------------------------------------------------------------------
    def _feeds(
        self, base: dict[str, str], limit: int | None, page_size: int | None = None
    ) -> Iterator[AtomFeed]:
        """Pages of one query until totalResults (or ``limit``, or arXiv's cap) is reached."""
        size = page_size or self.page_size
        start = 0
        while True:
            want = size if limit is None else min(size, limit - start)
            want = min(want, self.result_limit - start)
            if want <= 0:
                return
            feed = self._page({**base, "start": start, "max_results": want})
            yield feed
            total = feed.total_results
            start += len(feed.papers)
            if start >= total or not feed.papers:
                return
            if start >= self.result_limit:
                log.warning(
                    "arXiv serves at most %d results per query; %d more not fetched for %r",
                    self.result_limit, total - start, base.get("search_query") or base.get("id_list"),
                )
                return

    @staticmethod
    def _unique(feeds: Iterable[AtomFeed], seen: set[str]) -> Iterator[Paper]:
        # Results can shift between pages while new papers arrive; never yield one twice.
        for feed in feeds:
            for paper in feed.papers:
                if paper.id not in seen:
                    seen.add(paper.id)
                    yield paper

    # -- public ----------------------------------------------------------------------------
    def search(
        self,
        query: str,
        *,
        sort_by: str = "submittedDate",
        sort_order: str = "descending",
        limit: int | None = None,
    ) -> Iterator[Paper]:
        """Papers matching an arXiv ``search_query``, lazily, page after page."""
        if sort_by not in _SORT_BY:
            raise ValueError(f"sort_by must be one of {sorted(_SORT_BY)}, got {sort_by!r}")
        if sort_order not in _SORT_ORDER:
            raise ValueError(f"sort_order must be one of {sorted(_SORT_ORDER)}, got {sort_order!r}")
        if limit is not None and limit < 0:
            raise ValueError("limit must be >= 0")
        base = {"search_query": query, "sortBy": sort_by, "sortOrder": sort_order}
        return self._unique(self._feeds(base, limit), set())

    def search_window(
        self, query: str, start: datetime, end: datetime, *, date_field: str = "submittedDate"
    ) -> Iterator[Paper]:
        """Papers matching ``query`` submitted in [start, end], both ends inclusive at minute
        precision as arXiv's ``submittedDate`` range is. Datetimes must be timezone-aware.

        ``date_field="lastUpdatedDate"`` selects by the latest version's date instead, which
        catches replacements (and new papers, whose latest version is their first).

        A window with more results than arXiv serves per query is split in halves until each
        part fits.
        """
        lo, hi = _minute(start, "start"), _minute(end, "end")
        if hi < lo:
            raise ValueError(f"window end {end} is before its start {start}")
        if date_field not in ("submittedDate", "lastUpdatedDate"):
            raise ValueError(f"date_field must be submittedDate or lastUpdatedDate, got {date_field!r}")
        return self._window(query, lo, hi, set(), date_field)

    def _window(
        self, query: str, lo: datetime, hi: datetime, seen: set[str], field: str = "submittedDate"
    ) -> Iterator[Paper]:
        q = f"({query}) AND {field}:[{_stamp(lo)} TO {_stamp(hi)}]"
        base = {"search_query": q, "sortBy": field, "sortOrder": "ascending"}
        feeds = self._feeds(base, None)
        first = next(feeds, None)
        if first is None:
            return
        if first.total_results > self.result_limit and hi > lo:
            feeds.close()
            # Split on whole minutes so the halves neither overlap nor leave a gap.
            minutes = int((hi - lo) / _MINUTE)
            mid = lo + _MINUTE * (minutes // 2)
            log.info("splitting %s..%s (%d results)", lo, hi, first.total_results)
            yield from self._window(query, lo, mid, seen, field)
            yield from self._window(query, mid + _MINUTE, hi, seen, field)
            return
        if first.total_results > self.result_limit:
            log.warning(
                "%d results in the single minute %s; arXiv serves only %d",
                first.total_results, lo, self.result_limit,
            )
        yield from self._unique([first], seen)
        yield from self._unique(feeds, seen)

    def fetch_ids(self, ids: Iterable[str], batch: int = 100) -> Iterator[Paper]:
        """Papers by arXiv id (``2104.12255``, ``2104.12255v1``, ``hep-ex/0406020``), in
        batches of ``batch`` per request. Unknown ids are simply absent from the results.
        Raises ValueError for a string that is not an arXiv id (so one typo cannot make arXiv
        reject a whole batch)."""
        if not 1 <= batch <= MAX_PAGE_SIZE:
            raise ValueError(f"batch must be 1..{MAX_PAGE_SIZE}, got {batch}")
        return self._fetch_ids(ids, batch)

    def _fetch_ids(self, ids: Iterable[str], batch: int) -> Iterator[Paper]:
        chunk: list[str] = []
        seen: set[str] = set()
        for raw in ids:
            base, version = parse_arxiv_id(raw)
            chunk.append(f"{base}v{version}" if version else base)
            if len(chunk) == batch:
                yield from self._id_batch(chunk, seen)
                chunk = []
        if chunk:
            yield from self._id_batch(chunk, seen)

    def _id_batch(self, chunk: list[str], seen: set[str]) -> Iterator[Paper]:
        base = {"search_query": "", "id_list": ",".join(chunk)}
        # One request per batch: ask for as many results as ids.
        yield from self._unique(self._feeds(base, None, max(self.page_size, len(chunk))), seen)
