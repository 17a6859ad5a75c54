"""ArxivAPI against a small fake arXiv on loopback (pytest-httpserver) and a MockTransport."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone
from xml.sax.saxutils import escape

import httpx
import pytest
from werkzeug import Request, Response

from arxiv_radar.errors import ArxivAPIError, FetchError
from arxiv_radar.sources import ArxivAPI, PoliteClient

T0 = datetime(2024, 3, 1, tzinfo=timezone.utc)


def entry(pid: str, published: datetime, title: str | None = None) -> str:
    stamp = published.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        f"<entry><id>http://arxiv.org/abs/{pid}v1</id>"
        f"<title>{escape(title or 'Paper ' + pid)}</title><updated>{stamp}</updated>"
        f"<summary>About {pid}.</summary><category term=\"cs.LG\" scheme=\"http://arxiv.org/schemas/atom\"/>"
        f"<published>{stamp}</published><arxiv:primary_category term=\"cs.LG\"/>"
        f"<author><name>Author of {pid}</name></author></entry>"
    )


def feed(entries: list[str], total: int, start: int, per_page: int) -> str:
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">'
        "<id>https://arxiv.org/api/x</id><title>arXiv Query</title>"
        "<updated>2026-04-12T22:09:27Z</updated>"
        f"<opensearch:itemsPerPage>{per_page}</opensearch:itemsPerPage>"
        f"<opensearch:totalResults>{total}</opensearch:totalResults>"
        f"<opensearch:startIndex>{start}</opensearch:startIndex>"
        + "".join(entries)
        + "</feed>"
    )


ERROR_FEED = """<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns="http://www.w3.org/2005/Atom">
  <opensearch:totalResults>1</opensearch:totalResults>
  <entry>
    <id>https://arxiv.org/api/errors#incorrect_id_format_for_abc</id>
    <title>Error</title>
    <summary>incorrect id format for abc</summary>
    <updated>2026-04-12T22:59:06Z</updated>
  </entry>
</feed>"""

_WINDOW = re.compile(r"submittedDate:\[(\d{12}) TO (\d{12})\]")


class FakeArxiv:
    """Serves ``papers`` (id -> submission time) like the API does, with scripted faults."""

    def __init__(self, papers: dict[str, datetime], faults: dict[int, object] | None = None):
        self.papers = papers
        self.faults = faults or {}  # request number (0-based) -> Response or "empty"/"truncated"
        self.log: list[tuple[float, dict[str, str]]] = []

    def __call__(self, request: Request) -> Response:
        n = len(self.log)
        args = dict(request.args)
        self.log.append((time.monotonic(), args))
        matches = self.select(args)
        start, size = int(args.get("start", 0)), int(args.get("max_results", 10))
        page = matches[start : start + size]
        fault = self.faults.get(n)
        if isinstance(fault, Response):
            return fault
        body = feed([entry(pid, self.papers[pid]) for pid in page], len(matches), start, size)
        if fault == "empty":
            body = feed([], len(matches), start, size)
        elif fault == "truncated":
            body = body[: len(body) * 2 // 3]
        return Response(body, content_type="application/atom+xml; charset=utf-8")

    def select(self, args: dict[str, str]) -> list[str]:
        if args.get("id_list"):
            wanted = [i.split("v")[0] for i in args["id_list"].split(",")]
            return [i for i in wanted if i in self.papers]
        ids = sorted(self.papers, key=lambda i: self.papers[i])
        m = _WINDOW.search(args.get("search_query", ""))
        if m:
            lo, hi = (datetime.strptime(g, "%Y%m%d%H%M").replace(tzinfo=timezone.utc) for g in m.groups())
            hi += timedelta(minutes=1)  # inclusive to the end of the last minute
            ids = [i for i in ids if lo <= self.papers[i] < hi]
        if args.get("sortOrder") == "descending":
            ids.reverse()
        return ids

    @property
    def starts(self) -> list[int]:
        return [int(a["start"]) for _, a in self.log]

    @property
    def gaps(self) -> list[float]:
        times = [t for t, _ in self.log]
        return [b - a for a, b in zip(times, times[1:])]


def corpus(n: int, step: timedelta = timedelta(hours=1)) -> dict[str, datetime]:
    return {f"2403.{i:05d}": T0 + step * i for i in range(n)}


@pytest.fixture
def client():
    with PoliteClient(min_interval=0.01, max_attempts=3, max_retry_seconds=0,
                      backoff_initial=0.01, jitter=0.0) as c:
        yield c


def serve(httpserver, fake: FakeArxiv) -> str:
    httpserver.expect_request("/api/query").respond_with_handler(fake)
    return httpserver.url_for("/api/query")


# --- paging -----------------------------------------------------------------------------


def test_paging_until_total_results(httpserver, client):
    fake = FakeArxiv(corpus(7))
    api = ArxivAPI(client, serve(httpserver, fake), page_size=3)
    papers = list(api.search("cat:cs.LG"))
    assert [p.id for p in papers] == [f"2403.{i:05d}" for i in reversed(range(7))]
    assert fake.starts == [0, 3, 6]
    first = fake.log[0][1]
    assert first["search_query"] == "cat:cs.LG"
    assert (first["sortBy"], first["sortOrder"], first["max_results"]) == ("submittedDate", "descending", "3")


def test_limit_stops_early_and_asks_only_for_what_is_needed(httpserver, client):
    fake = FakeArxiv(corpus(10))
    api = ArxivAPI(client, serve(httpserver, fake), page_size=4)
    papers = list(api.search("cat:cs.LG", sort_order="ascending", limit=5))
    assert [p.id for p in papers] == [f"2403.{i:05d}" for i in range(5)]
    assert [a["max_results"] for _, a in fake.log] == ["4", "1"]


def test_search_is_lazy(httpserver, client):
    fake = FakeArxiv(corpus(10))
    api = ArxivAPI(client, serve(httpserver, fake), page_size=2)
    results = api.search("cat:cs.LG")
    assert fake.log == []
    next(results)
    assert len(fake.log) == 1


def test_empty_result(httpserver, client):
    fake = FakeArxiv({})
    api = ArxivAPI(client, serve(httpserver, fake))
    assert list(api.search("ti:nothing")) == []
    assert len(fake.log) == 1


def test_interval_floor_between_requests(httpserver):
    fake = FakeArxiv(corpus(4))
    with PoliteClient(min_interval=0.25) as slow_client:
        api = ArxivAPI(slow_client, serve(httpserver, fake), page_size=1)
        assert len(list(api.search("x"))) == 4
    assert len(fake.gaps) == 3
    assert min(fake.gaps) >= 0.25, fake.gaps


# --- faults -----------------------------------------------------------------------------


def test_503_then_200(httpserver, client):
    fake = FakeArxiv(corpus(3), faults={0: Response("busy", status=503)})
    api = ArxivAPI(client, serve(httpserver, fake))
    assert len(list(api.search("x"))) == 3
    assert fake.starts == [0, 0]
    assert client.stats["localhost"] == {"requests": 2, "retries": 1, "failures": 0}


def test_429_retry_after_is_honoured(httpserver, client):
    fake = FakeArxiv(corpus(2), faults={0: Response("slow down", status=429, headers={"Retry-After": "1"})})
    api = ArxivAPI(client, serve(httpserver, fake))
    assert len(list(api.search("x"))) == 2
    assert len(fake.log) == 2
    assert 1.0 <= fake.gaps[0] < 2.5, fake.gaps


def test_http_400_is_an_api_error_not_retried(httpserver, client):
    fake = FakeArxiv(corpus(2), faults={0: Response(ERROR_FEED, status=400)})
    api = ArxivAPI(client, serve(httpserver, fake))
    with pytest.raises(ArxivAPIError, match="incorrect id format for abc") as info:
        list(api.search("x"))
    assert "/api/query" in info.value.url
    assert len(fake.log) == 1


def test_http_400_without_a_feed(httpserver, client):
    fake = FakeArxiv(corpus(2), faults={0: Response("Bad Request", status=400)})
    api = ArxivAPI(client, serve(httpserver, fake))
    with pytest.raises(ArxivAPIError, match="HTTP 400"):
        list(api.search("x"))
    assert len(fake.log) == 1


def test_error_feed_with_200_is_an_api_error_not_retried(httpserver, client, fixtures):
    body = next((fixtures / "arxiv-api" / "2026").glob("id_abc_*.xml")).read_bytes()
    fake = FakeArxiv({}, faults={0: Response(body, content_type="application/atom+xml")})
    api = ArxivAPI(client, serve(httpserver, fake))
    with pytest.raises(ArxivAPIError, match="incorrect id format for abc"):
        list(api.fetch_ids(["2401.00001"]))
    assert len(fake.log) == 1


def test_empty_non_first_page_is_retried(httpserver, client):
    fake = FakeArxiv(corpus(6), faults={1: "empty"})
    api = ArxivAPI(client, serve(httpserver, fake), page_size=3)
    assert len(list(api.search("x"))) == 6
    assert fake.starts == [0, 3, 3]


def test_empty_page_forever_gives_up(httpserver, client):
    fake = FakeArxiv(corpus(6), faults={1: "empty", 2: "empty", 3: "empty"})
    api = ArxivAPI(client, serve(httpserver, fake), page_size=3)
    results = api.search("x")
    assert len([next(results) for _ in range(3)]) == 3
    with pytest.raises(FetchError, match="empty page at start=3 although totalResults=6") as info:
        next(results)
    assert not isinstance(info.value, ArxivAPIError)
    assert fake.starts == [0, 3, 3, 3]


def test_truncated_xml_is_retried(httpserver, client):
    fake = FakeArxiv(corpus(4), faults={0: "truncated"})
    api = ArxivAPI(client, serve(httpserver, fake))
    assert len(list(api.search("x"))) == 4
    assert fake.starts == [0, 0]


def test_exhausted_retries_raise_fetch_error(httpserver, client):
    fake = FakeArxiv(corpus(2), faults={i: Response("down", status=503) for i in range(10)})
    api = ArxivAPI(client, serve(httpserver, fake))
    with pytest.raises(FetchError, match=r"after 3 attempts.*HTTP 503") as info:
        list(api.search("x"))
    assert "localhost" in info.value.url
    assert len(fake.log) == 3


# --- windows ----------------------------------------------------------------------------


def test_window_query_and_bounds(httpserver, client):
    fake = FakeArxiv(corpus(48))  # one paper an hour for two days
    api = ArxivAPI(client, serve(httpserver, fake))
    start = datetime(2024, 3, 1, 10, 0, 30, tzinfo=timezone.utc)
    end = datetime(2024, 3, 1, 15, 59, tzinfo=timezone(timedelta(hours=1)))  # 14:59 UTC
    papers = list(api.search_window("cat:cs.LG", start, end))
    assert [p.published.hour for p in papers] == [10, 11, 12, 13, 14]
    assert fake.log[0][1]["search_query"] == "(cat:cs.LG) AND submittedDate:[202403011000 TO 202403011459]"


def test_window_splits_until_each_part_fits(httpserver, client):
    fake = FakeArxiv(corpus(40, step=timedelta(minutes=37)))
    api = ArxivAPI(client, serve(httpserver, fake), page_size=3, result_limit=5)
    start, end = T0, T0 + timedelta(days=2)
    papers = list(api.search_window("cat:cs.LG", start, end))
    assert sorted(p.id for p in papers) == sorted(fake.papers)  # all of them, once each
    assert len(papers) == len({p.id for p in papers})
    windows: dict[str, list[int]] = {}
    for _, args in fake.log:
        windows.setdefault(args["search_query"], []).append(int(args["start"]))
    sizes = {q: len(fake.select({"search_query": q})) for q in windows}
    # Windows over the limit were probed once and split; the others were paged through.
    for q, starts in windows.items():
        if sizes[q] > 5:
            assert starts == [0], q
        else:
            assert starts == list(range(0, max(sizes[q], 1), 3)), q
    # The leaves neither overlap nor leave a gap: their sizes add up to the whole corpus.
    assert sum(n for n in sizes.values() if n <= 5) == 40
    assert len(windows) > 8


def test_window_rejects_naive_and_reversed_datetimes(client):
    api = ArxivAPI(client, "http://127.0.0.1:9/api/query")
    with pytest.raises(ValueError, match="timezone-aware"):
        list(api.search_window("x", datetime(2024, 1, 1), datetime(2024, 1, 2)))
    with pytest.raises(ValueError, match="before its start"):
        list(api.search_window("x", T0, T0 - timedelta(days=1)))


# --- ids --------------------------------------------------------------------------------


def test_fetch_ids_in_batches(httpserver, client):
    fake = FakeArxiv(corpus(5))
    api = ArxivAPI(client, serve(httpserver, fake))
    ids = ["2403.00000", "arXiv:2403.00001", "2403.00002v1", "2403.00003", "2403.00004", "2403.99999"]
    papers = list(api.fetch_ids(ids, batch=2))
    assert [p.id for p in papers] == [f"2403.{i:05d}" for i in range(5)]
    assert [a["id_list"] for _, a in fake.log] == [
        "2403.00000,2403.00001",
        "2403.00002v1,2403.00003",
        "2403.00004,2403.99999",
    ]
    assert all(a["max_results"] == "100" for _, a in fake.log)


def test_fetch_ids_rejects_non_ids_before_asking(client):
    api = ArxivAPI(client, "http://127.0.0.1:9/api/query")
    with pytest.raises(ValueError, match="not an arXiv identifier"):
        list(api.fetch_ids(["abc"]))


# --- the real arXiv URL, without the network --------------------------------------------


def test_arxiv_url_gets_the_3s_floor_with_min_interval_zero():
    now = [0.0]
    times: list[float] = []
    fake = FakeArxiv(corpus(3))

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.host == "export.arxiv.org"
        times.append(now[0])
        args = dict(request.url.params)
        start, size = int(args["start"]), int(args["max_results"])
        ids = fake.select(args)[start : start + size]
        body = feed([entry(i, fake.papers[i]) for i in ids], 3, start, size)
        return httpx.Response(200, text=body)

    def sleep(seconds: float) -> None:
        now[0] += seconds

    client = PoliteClient(min_interval=0.0, transport=httpx.MockTransport(handler),
                          sleep=sleep, clock=lambda: now[0])
    api = ArxivAPI(client, page_size=1)  # default base_url: https://export.arxiv.org/api/query
    assert len(list(api.search("x"))) == 3
    assert times == [0.0, 3.0, 6.0]
