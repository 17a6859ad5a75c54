"""Fault injection: the spec syntax, each fault on its own, and THE fault test: a harvest through
30 % faulted responses gives exactly the fault-free result, politely spaced."""

from __future__ import annotations

import threading
import time
from datetime import date, datetime, timedelta, timezone

import httpx
import pytest
from click.testing import CliRunner

from arxiv_radar.cli import main
from arxiv_radar.errors import ConfigError, FeedParseError
from arxiv_radar.mirror import Corpus, FaultInjector, FaultSpec, serve_forever, start_mirror
from arxiv_radar.mirror.messages import Request, Response
from arxiv_radar.model import Author, Paper, Version
from arxiv_radar.sources.arxiv_api import ArxivAPI
from arxiv_radar.sources.atom import parse_feed
from arxiv_radar.sources.http import PoliteClient
from arxiv_radar.sources.oai import OAIHarvester, parse_list_records

UTC = timezone.utc
T0 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)


def make_corpus(n: int = 48) -> Corpus:
    papers = []
    for i in range(1, n + 1):
        published = T0 + timedelta(minutes=47 * i)
        cats = ("cs.CV", "cs.LG") if i % 3 else ("cs.LG", "stat.ML")
        v2 = published + timedelta(days=1) if i % 5 == 0 else None
        versions = (Version(1, published),) + ((Version(2, v2),) if v2 else ())
        papers.append(Paper(
            id=f"2603.{i:05d}", title=f"Paper number {i} on vision", abstract=f"We study {i}.",
            authors=(Author(f"Author {i}", ("Some University",)), Author("Second Author")),
            categories=cats, primary_category=cats[0], published=published,
            updated=v2 or published, version=2 if v2 else 1, versions=versions,
            comment=f"{i} pages", doi=f"10.1/{i}" if i % 4 == 0 else None,
        ))
    return Corpus(papers)


CORPUS = make_corpus()


# --- the spec ---------------------------------------------------------------------------------


def test_parse_a_full_spec() -> None:
    spec = FaultSpec.parse(
        "429=0.1, 429ra=0.05,503=0.1,stall=0.05,truncate=0.05,empty=0.05,400=0.0,"
        "seed=42,stall_seconds=5,retry_after=1"
    )
    assert spec.rates == {"429": 0.1, "429ra": 0.05, "503": 0.1, "stall": 0.05,
                          "truncate": 0.05, "empty": 0.05}  # 400=0.0 is "off"
    assert (spec.seed, spec.stall_seconds, spec.retry_after) == (42, 5.0, 1.0)
    assert spec.total_rate == pytest.approx(0.4)
    # str() is a spec again.
    assert FaultSpec.parse(str(spec)) == spec


@pytest.mark.parametrize("text", ["", "  ", "none", "NONE"])
def test_an_empty_spec_means_no_faults(text: str) -> None:
    spec = FaultSpec.parse(text)
    assert spec.total_rate == 0 and spec.seed is None
    assert (spec.stall_seconds, spec.retry_after) == (5.0, 1.0)


@pytest.mark.parametrize(
    "text, message",
    [
        ("429", "not key=value"),
        ("429=", "not key=value"),
        ("429=0.1,,503=0.1", "not key=value"),
        ("=0.1", "not key=value"),
        ("429=lots", "429 must be a number"),
        ("429=nan", "finite"),
        ("418=0.1", "unknown key '418'"),
        ("429=1.5", "between 0 and 1"),
        ("503=-0.1", "between 0 and 1"),
        ("429=0.6,503=0.6", "add up to 1.2"),
        ("seed=1.5", "seed must be an integer"),
        ("stall_seconds=0", "stall_seconds must be a positive"),
        ("retry_after=-1", "retry_after must be"),
        ("429=0.1,429=0.2", "given twice"),
    ],
)
def test_bad_specs_are_config_errors(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        FaultSpec.parse(text)


def test_the_same_seed_gives_the_same_faults() -> None:
    spec = FaultSpec.parse("429=0.2,503=0.2,truncate=0.2,seed=7")

    def run() -> list[str]:
        injector = FaultInjector(spec)
        handler = injector(lambda request: Response(200, b"<feed>" + b"x" * 100 + b"</feed>"))
        return [handler(Request("GET", "/api/query")).fault for _ in range(200)]

    first = run()
    assert first == run()
    share = sum(1 for f in first if f) / len(first)
    assert 0.45 <= share <= 0.75  # about 60 %


def test_the_cli_refuses_a_bad_spec_with_exit_code_2(tmp_path) -> None:
    result = CliRunner().invoke(main, ["mirror", "serve", "--corpus", __file__, "--faults", "429=2"])
    assert result.exit_code == 2
    assert "faults: the rate of 429 must be between 0 and 1" in result.output


def test_serve_forever_announces_its_faults_and_clock() -> None:
    lines: list[str] = []
    stop = threading.Event()
    thread = threading.Thread(target=serve_forever, args=(CORPUS,), kwargs=dict(
        echo=lines.append, stop=stop, faults="503=0.5,seed=1",
        now=datetime(2026, 3, 6, 12, tzinfo=UTC)))
    thread.start()
    try:
        deadline = time.monotonic() + 5
        while len(lines) < 5 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        stop.set()
        thread.join(5)
    assert any("injecting faults: 503=0.5,seed=1" in line for line in lines)
    assert any("mirror clock fixed at 2026-03-06T12:00:00+00:00" in line for line in lines)
    assert any("/oai" in line and "/rss" in line for line in lines)


# --- each fault alone ---------------------------------------------------------------------------


def only(kind: str, **settings) -> FaultSpec:
    return FaultSpec(rates={kind: 1.0}, seed=1, **settings)


def api_url(m, **params) -> str:
    return str(httpx.URL(m.api_url, params={"search_query": "cat:cs.CV", **params}))


def test_429_with_and_without_retry_after() -> None:
    with start_mirror(CORPUS, faults=only("429")) as m:
        r = httpx.get(api_url(m))
        assert r.status_code == 429 and "Retry-After" not in r.headers
    with start_mirror(CORPUS, faults=only("429ra", retry_after=2)) as m:
        r = httpx.get(api_url(m))
        assert r.status_code == 429 and r.headers["Retry-After"] == "2"
    with start_mirror(CORPUS, faults=only("503", retry_after=0.25)) as m:
        r = httpx.get(f"{m.oai_url}?verb=Identify")
        assert r.status_code == 503 and r.headers["Retry-After"] == "0.25"
        assert m.requests[-1][2:] == ("verb=Identify", 503, "503")


def test_400_is_arxivs_error_feed_on_the_api() -> None:
    with start_mirror(CORPUS, faults=only("400")) as m:
        r = httpx.get(api_url(m))
    assert r.status_code == 400
    with pytest.raises(Exception, match="injected a 400"):
        parse_feed(r.content)


def test_truncate_cuts_the_xml() -> None:
    with start_mirror(CORPUS, faults=only("truncate")) as m:
        r = httpx.get(api_url(m, max_results=5))
        assert r.status_code == 200 and 0 < len(r.content)
        with pytest.raises(FeedParseError):
            parse_feed(r.content)
        r = httpx.get(f"{m.oai_url}?verb=ListRecords&metadataPrefix=arXiv")
        with pytest.raises(FeedParseError):
            parse_list_records(r.content)
        assert [rec.fault for rec in m.requests] == ["truncate", "truncate"]


def test_empty_only_hits_non_first_pages() -> None:
    with start_mirror(CORPUS, faults=only("empty"), oai_page_size=10) as m:
        first = parse_feed(httpx.get(api_url(m, max_results=5)).content)
        assert len(first.papers) == 5
        later = parse_feed(httpx.get(api_url(m, max_results=5, start=5)).content)
        assert later.papers == [] and later.total_results == first.total_results == 32
        r = httpx.get(f"{m.oai_url}?verb=ListRecords&metadataPrefix=arXiv")
        page = parse_list_records(r.content)
        assert len(page.papers) == 10 and page.token
        r = httpx.get(f"{m.oai_url}?verb=ListRecords&resumptionToken={page.token}")
        assert b'<error code="noRecordsMatch">' in r.content
        assert [rec.fault for rec in m.requests] == ["", "empty", "", "empty"]
        assert m.faults.counts == {"empty": 2}


def test_stall_outlasts_the_client_timeout_and_is_logged() -> None:
    with start_mirror(CORPUS, faults=only("stall", stall_seconds=0.6)) as m:
        t0 = time.monotonic()
        with pytest.raises(httpx.ReadTimeout):
            httpx.get(api_url(m), timeout=0.2)
        assert time.monotonic() - t0 < 0.5
        deadline = time.monotonic() + 3
        while not m.requests and time.monotonic() < deadline:
            time.sleep(0.02)
        (record,) = m.requests
        assert record.fault == "stall" and record.time >= t0


# --- THE fault test ---------------------------------------------------------------------------------

INTERVAL = 0.05
PAGE = 2  # many pages, so that many requests meet faults
# 30 % of responses faulted, a mix of every retryable kind.
MIX = "429=0.05,429ra=0.05,503=0.05,stall=0.05,truncate=0.05,empty=0.05"
MIX_NO_EMPTY = "429=0.06,429ra=0.06,503=0.06,stall=0.06,truncate=0.06"
FAULT_SETTINGS = "stall_seconds=1,retry_after=0.1"  # a stall outlasts the client's 0.5 s timeout
# The RNG is seeded, so a run sees the same faults every time; seed 1 happens to give every kind
# at least once in both harvests (the tests check that it still does).
SEED = 1


def polite_client(interval: float) -> PoliteClient:
    return PoliteClient(
        min_interval=interval, timeout=0.5, max_attempts=40, max_retry_seconds=0,
        backoff_initial=0.01, backoff_max=0.05, jitter=0.0,
    )


def with_mirror(faults: str | None, seed: int, work):
    spec = f"{faults},seed={seed},{FAULT_SETTINGS}" if faults else None
    with start_mirror(CORPUS, faults=spec, oai_page_size=PAGE) as m:
        # The fault-free baseline need not wait between requests.
        with polite_client(INTERVAL if faults else 0.0) as client:
            results = work(client, m)
        return results, list(m.requests), m.faults


def api_harvest(faults: str | None, seed: int = SEED):
    """A search and a time window, page by page."""

    def work(client, m):
        api = ArxivAPI(client, m.api_url, page_size=PAGE)
        searched = list(api.search("cat:cs.CV OR cat:stat.ML", sort_by="submittedDate",
                                   sort_order="ascending"))
        window = list(api.search_window("cat:cs.LG", T0 + timedelta(hours=3),
                                        T0 + timedelta(hours=30)))
        return searched, window

    return with_mirror(faults, seed, work)


def oai_harvest(faults: str | None, seed: int = SEED):
    """ListRecords of set cs over March, page by page."""

    def work(client, m):
        return list(OAIHarvester(client, m.oai_url).list_records(
            "cs", date(2026, 3, 1), date(2026, 3, 31), metadata_prefix="arXivRaw"))

    return with_mirror(faults, seed, work)


def assert_polite(requests) -> None:
    times = sorted(r.time for r in requests)
    gaps = [b - a for a, b in zip(times, times[1:])]
    # Arrival times are taken on the mirror with the client's own clock (time.monotonic), and the
    # client's gate counts from the end of the previous request: no gap may be shorter.
    assert min(gaps) >= INTERVAL - 0.002, sorted(gaps)[:5]


@pytest.fixture(scope="module")
def fault_free():
    (searched, window), api_requests, _ = api_harvest(None)
    oai, oai_requests, _ = oai_harvest(None)
    assert all(r.fault == "" and r.status == 200 for r in api_requests + oai_requests)
    return searched, window, oai


def test_fault_free_harvest_is_complete(fault_free) -> None:
    searched, window, oai = fault_free
    assert len(searched) == 48  # cs.CV or stat.ML covers every paper
    assert len(window) == 35  # submitted between 03:00 and 30:00 (every paper has cs.LG)
    assert len(oai) == 48
    for got in fault_free:
        assert len({p.id for p in got}) == len(got)


def check_faulted(results, want, requests, injector, kinds) -> None:
    for got, expected in zip(results, want):
        assert [p.id for p in got] == [p.id for p in expected]  # same papers and order, no dups
        assert got == expected  # every field
    assert set(injector.counts) == set(kinds), injector.counts
    faulted = [r for r in requests if r.fault]
    assert len(faulted) / len(requests) >= 0.2, (len(faulted), len(requests))
    assert_polite(requests)


def test_api_harvest_through_30_percent_faults_equals_the_fault_free_one(fault_free) -> None:
    results, requests, injector = api_harvest(MIX)
    check_faulted(results, fault_free[:2], requests, injector,
                  {"429", "429ra", "503", "stall", "truncate", "empty"})


def test_oai_harvest_through_30_percent_faults_equals_the_fault_free_one(fault_free) -> None:
    oai, requests, injector = oai_harvest(MIX_NO_EMPTY)
    check_faulted([oai], fault_free[2:], requests, injector,
                  {"429", "429ra", "503", "stall", "truncate"})


def test_oai_harvest_survives_empty_resumption_pages(fault_free) -> None:
    oai, requests, injector = oai_harvest(MIX)
    assert injector.counts["empty"] > 0
    check_faulted([oai], fault_free[2:], requests, injector,
                  {"429", "429ra", "503", "stall", "truncate", "empty"})
