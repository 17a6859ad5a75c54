"""The mirror's arXiv API: corpus loading, id_list, paging, sorting, errors, XML safety."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlencode
from xml.etree.ElementTree import fromstring

import defusedxml.ElementTree as SafeET
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arxiv_radar.errors import ArxivAPIError, ConfigError
from arxiv_radar.mirror import Corpus, serve_forever, start_mirror
from arxiv_radar.mirror.api import ApiQuery, run_query
from arxiv_radar.model import Author, Paper, Version
from arxiv_radar.sources.atom import parse_feed

UTC = timezone.utc
ATOM = "{http://www.w3.org/2005/Atom}"




def get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.headers["Content-Type"], resp.read()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, err.headers["Content-Type"], err.read()


def query(mirror, **params) -> tuple[int, bytes]:
    status, ctype, body = get(f"{mirror.api_url}?{urlencode(params)}")
    if status in (200, 400):
        assert ctype == "application/atom+xml; charset=utf-8"
    return status, body


def ok(mirror, **params):
    status, body = query(mirror, **params)
    assert status == 200, body
    return parse_feed(body)


# --- corpus ---------------------------------------------------------------------------------


def test_corpus_loads_atom_2026_2016_and_bulk(mirror, fixtures: Path) -> None:
    corpus = mirror.corpus
    assert "0704.0001" in corpus  # bulk
    assert "2202.12139" in corpus  # 2026 Atom
    assert "cond-mat/0603029" in corpus  # 2016 Atom
    assert "astro-ph/0601001" in corpus
    bulk = fixtures / "bulk" / "kaggle-arxiv-metadata-snapshot-first150.jsonl"
    assert len(Corpus.from_files([bulk])) == 150
    assert len(corpus) > 150 + 50
    assert corpus.problem_count == 0


def test_later_files_override_earlier_ones(fixtures: Path, tmp_path: Path) -> None:
    bulk = fixtures / "bulk" / "kaggle-arxiv-metadata-snapshot-first150.jsonl"
    record = json.loads(bulk.read_text(encoding="utf-8").splitlines()[0])
    record["title"] = "A newer title"
    newer = tmp_path / "newer.jsonl"
    newer.write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert Corpus.from_files([bulk, newer]).get("0704.0001").title == "A newer title"
    assert Corpus.from_files([newer, bulk]).get("0704.0001").title.startswith("Calculation")


def test_corpus_refuses_missing_files_and_error_feeds(fixtures: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        Corpus.from_files([tmp_path / "nope.jsonl"])
    with pytest.raises(ConfigError, match="incorrect id format"):
        Corpus.from_files([fixtures / "arxiv-api/2026/id_abc_s0_m100_b79c8dcf6bc3.xml"])
    junk = tmp_path / "junk.txt"
    junk.write_text("hello", encoding="utf-8")
    with pytest.raises(ConfigError, match="neither"):
        Corpus.from_files([junk])


def test_bad_bulk_lines_are_counted_not_fatal(tmp_path: Path, fixtures: Path) -> None:
    bulk = fixtures / "bulk" / "kaggle-arxiv-metadata-snapshot-first150.jsonl"
    lines = bulk.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join([lines[0], "{oops", lines[1]]) + "\n", encoding="utf-8")
    corpus = Corpus.from_files([path])
    assert len(corpus) == 2 and corpus.problem_count == 1
    assert corpus.problems[0].line == 2


# --- id_list --------------------------------------------------------------------------------


def test_id_list_versionless_gives_the_latest_version(mirror) -> None:
    feed = ok(mirror, id_list="0704.0001,0704.0002", max_results=100)
    assert feed.total_results == 2 and feed.items_per_page == 100 and feed.start_index == 0
    assert [p.versioned_id for p in feed.papers] == ["0704.0001v2", "0704.0002v2"]
    first = feed.papers[0]
    corpus_paper = mirror.corpus.get("0704.0001")
    assert first.title == corpus_paper.title
    assert first.authors == corpus_paper.authors
    assert first.published == corpus_paper.published
    assert first.updated == corpus_paper.updated
    assert (first.doi, first.journal_ref, first.comment) == (
        corpus_paper.doi, corpus_paper.journal_ref, corpus_paper.comment,
    )


def test_id_list_with_a_version_shows_that_version(mirror) -> None:
    feed = ok(mirror, id_list="0704.0001v1")
    (paper,) = feed.papers
    assert paper.versioned_id == "0704.0001v1"
    assert paper.updated == paper.published == datetime(2007, 4, 2, 19, 18, 42, tzinfo=UTC)
    assert ok(mirror, id_list="0704.0001v9").total_results == 0


def test_id_list_keeps_the_given_order_and_skips_unknown_ids(mirror) -> None:
    ids = ["0704.0100", "cond-mat/0603029", "0000.0000", "0704.0003", "0704.0100"]
    feed = ok(mirror, id_list=",".join(ids))
    assert [p.id for p in feed.papers] == ["0704.0100", "cond-mat/0603029", "0704.0003"]
    assert feed.total_results == 3
    feed = ok(mirror, id_list=",".join(ids), sortOrder="ascending")
    assert [p.id for p in feed.papers] == ["0704.0003", "cond-mat/0603029", "0704.0100"]


def test_empty_results_are_a_valid_feed(mirror) -> None:
    for params in ({"id_list": "0000.0000"}, {"id_list": "0808.05394"}, {}):
        status, body = query(mirror, **params)
        assert status == 200
        root = SafeET.fromstring(body)
        assert root.find(f"{ATOM}entry") is None
        assert root.find("{http://a9.com/-/spec/opensearch/1.1/}totalResults").text == "0"


# --- paging and sorting ---------------------------------------------------------------------


def bulk_ids(mirror, n: int) -> list[str]:
    ids = sorted(p.id for p in mirror.corpus if p.id.startswith("0704."))
    assert len(ids) >= n
    return ids[:n]


def test_paging_is_consistent(mirror) -> None:
    ids = bulk_ids(mirror, 40)
    whole = ok(mirror, id_list=",".join(ids), max_results=100, sortBy="submittedDate")
    assert whole.total_results == 40 and len(whole.papers) == 40
    pages = []
    for start in range(0, 45, 7):
        page = ok(mirror, id_list=",".join(ids), start=start, max_results=7,
                  sortBy="submittedDate")
        assert page.total_results == 40
        assert page.start_index == start and page.items_per_page == 7
        assert len(page.papers) == max(0, min(7, 40 - start))
        pages.extend(page.papers)
    assert [p.id for p in pages] == [p.id for p in whole.papers]
    beyond = ok(mirror, id_list=",".join(ids), start=500)
    assert beyond.papers == [] and beyond.total_results == 40
    assert ok(mirror, id_list=",".join(ids), max_results=0).papers == []
    # Default page size is arXiv's 10.
    assert len(ok(mirror, id_list=",".join(ids)).papers) == 10


@pytest.mark.parametrize(
    ("sort_by", "key"),
    [("submittedDate", lambda p: p.published), ("lastUpdatedDate", lambda p: p.updated)],
)
def test_sorting(mirror, sort_by, key) -> None:
    ids = bulk_ids(mirror, 60) + ["cond-mat/0603029", "2202.12139", "astro-ph/0601001"]
    for order, reverse in (("ascending", False), ("descending", True)):
        feed = ok(mirror, id_list=",".join(ids), sortBy=sort_by, sortOrder=order,
                  max_results=200)
        got = [key(p) for p in feed.papers]
        assert len(got) == len(ids)
        assert got == sorted(got, reverse=reverse)
        assert got[0] != got[-1]


def test_page_cap_of_2000_entries() -> None:
    base = datetime(2020, 1, 1, tzinfo=UTC)
    papers = [
        Paper(id=f"2001.{i:05d}", title=f"P{i}", published=base + timedelta(minutes=i))
        for i in range(2100)
    ]
    corpus = Corpus(papers)
    ids = tuple((p.id, None) for p in papers)
    total, page = run_query(corpus, ApiQuery(id_list=ids, max_results=30000))
    assert total == 2100 and len(page) == 2000
    total, page = run_query(corpus, ApiQuery(id_list=ids, start=2000, max_results=2000))
    assert total == 2100 and len(page) == 100


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"id_list": "abc"}, "incorrect id format for abc"),
        ({"id_list": "0704.0001,1234.123"}, "incorrect id format for 1234.123"),
        ({"id_list": "arXiv:0704.0001"}, "incorrect id format for arXiv:0704.0001"),
        ({"start": "-1"}, "start must be >= 0"),
        ({"start": "x"}, "start must be an integer"),
        ({"max_results": "not_an_int"}, "max_results must be an integer"),
        ({"max_results": "-1"}, "max_results must be >= 0"),
        ({"max_results": "30001"}, "max_results must be <= 30000"),
        ({"id_list": "0704.0001", "sortBy": "stars"}, "sortBy must be in"),
        ({"id_list": "0704.0001", "sortOrder": "up"}, "sortOrder must be in"),
    ],
)
def test_bad_parameters_answer_400_with_arxivs_error_feed(mirror, params, message) -> None:
    status, body = query(mirror, **params)
    assert status == 400
    with pytest.raises(ArxivAPIError, match=message):
        parse_feed(body)
    entry = SafeET.fromstring(body).find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}id").text.startswith("https://arxiv.org/api/errors#")
    assert entry.find(f"{ATOM}title").text == "Error"
    assert entry.find(f"{ATOM}summary").text.startswith(message)


def test_error_feed_has_the_shape_of_the_recorded_one(mirror, fixtures: Path) -> None:
    recorded = SafeET.fromstring(
        (fixtures / "arxiv-api/2026/id_abc_s0_m100_b79c8dcf6bc3.xml").read_bytes()
    )
    status, body = query(mirror, id_list="abc")
    ours = SafeET.fromstring(body)

    def shape(elem):
        return [(c.tag, sorted(c.attrib), shape(c)) for c in elem]

    def texts(elem):
        return [(e.tag, e.text) for e in elem.iter() if not e.tag.endswith("updated")]

    assert shape(ours) == shape(recorded)
    assert texts(ours) == texts(recorded)


def test_unparseable_search_query_is_a_400(mirror) -> None:
    status, body = query(mirror, search_query='ti:"unclosed AND (')
    assert status == 400
    with pytest.raises(ArxivAPIError, match="search_query"):
        parse_feed(body)


def test_unknown_paths_and_the_request_log(mirror) -> None:
    before = len(mirror.requests)
    t0 = time.monotonic()
    assert get(f"{mirror.url}/nothing/here")[0] == 404
    query(mirror, id_list="0704.0001", max_results="3")
    new = mirror.requests[before:]
    assert [(r.path, r.query, r.status) for r in new] == [
        ("/nothing/here", "", 404),
        ("/api/query", "id_list=0704.0001&max_results=3", 200),
    ]
    assert t0 <= new[0].time <= new[1].time <= time.monotonic()


# --- XML safety -----------------------------------------------------------------------------

HOSTILE = "<script>alert('x')</script> & \x00\x1b]]> \ud800 caf\u00e9 \U0001F600 \ufffe end"
CLEAN = "<script>alert('x')</script> & ]]> café \U0001F600 end"


def test_hostile_text_yields_well_formed_xml(tmp_path: Path) -> None:
    record = {
        "id": "2401.00001",
        "title": HOSTILE,
        "abstract": HOSTILE,
        "comments": HOSTILE,
        "journal-ref": "J. <b>&amp;",
        "doi": '10.1/x"><y a="',
        "authors_parsed": [["O'Brien <b>", "Ann & \x07", "", "Lab \"Q\" <x>"]],
        "categories": 'cs.AI cs."/><evil',
        "versions": [{"version": "v1", "created": "Mon, 1 Jan 2024 00:00:00 GMT"}],
    }
    path = tmp_path / "hostile.jsonl"
    # ensure_ascii keeps the lone surrogate as a \ud800 escape, as a real dump could.
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    with start_mirror([path]) as m:
        status, _, body = get(f"{m.api_url}?id_list=2401.00001")
    assert status == 200
    body.decode("utf-8")  # strict UTF-8
    fromstring(body)  # the stdlib parser agrees it is well-formed
    (paper,) = parse_feed(body).papers
    assert paper.title == CLEAN
    assert paper.abstract == CLEAN and paper.comment == CLEAN
    assert paper.journal_ref == "J. <b>&amp;"
    assert paper.doi == '10.1/x"><y a="'
    assert paper.authors == (Author("Ann & O'Brien <b>", ('Lab "Q" <x>',)),)
    assert paper.categories == ("cs.AI", 'cs."/><evil')
    assert b"<script>" not in body and b"<evil" not in body


def test_atom_roundtrip_of_a_corpus_paper(mirror) -> None:
    # A paper read from a recorded 2026 response comes back out the same.
    original = mirror.corpus.get("astro-ph/0601001")
    (served,) = ok(mirror, id_list="astro-ph/0601001").papers
    assert served == original
    assert served.authors[0] == Author("Andrew Gould", ("Ohio State",))


def test_writer_on_a_paper_without_optional_fields() -> None:
    from arxiv_radar.mirror.atom_writer import write_feed

    p = Paper(id="2401.00002", title="T", published=datetime(2024, 1, 1, tzinfo=UTC),
              versions=(Version(1),))
    body = write_feed([p], search_query="", id_list="2401.00002", start=0, max_results=1,
                      total_results=1)
    (back,) = parse_feed(body).papers
    assert (back.id, back.title, back.authors, back.categories) == ("2401.00002", "T", (), ())
    assert back.updated == back.published


# --- search_query ---------------------------------------------------------------------------
# Expected sets are computed here with plain string checks, independent of arxiv_radar.query.


def _is_del_maestro(p: Paper) -> bool:
    return any("del maestro" in a.name.lower() for a in p.authors)


def _title_has(p: Paper, word: str) -> bool:
    return word in p.title.lower()


RECORDED_2016 = [
    ("search_query=au_del_maestro.xml", "au:del_maestro", _is_del_maestro),
    (
        "search_query=au_del_maestro_AND_ti_checkerboard.xml",
        "au:del_maestro AND ti:checkerboard",
        lambda p: _is_del_maestro(p) and _title_has(p, "checkerboard"),
    ),
    (
        "search_query=au_del_maestro_ANDNOT_ti_checkerboard_OR_ti_Pyrochlore.xml",
        "au:del_maestro ANDNOT (ti:checkerboard OR ti:Pyrochlore)",
        lambda p: _is_del_maestro(p)
        and not (_title_has(p, "checkerboard") or _title_has(p, "pyrochlore")),
    ),
    (
        "search_query=au_del_maestro_AND_ti__quantum_criticality_.xml",
        'au:del_maestro AND ti:"quantum criticality"',
        lambda p: _is_del_maestro(p) and _title_has(p, "quantum criticality"),
    ),
]


@pytest.mark.parametrize(("recording", "search", "predicate"), RECORDED_2016)
def test_search_query_agrees_with_arxiv_and_with_the_corpus(
    mirror, fixtures: Path, recording, search, predicate
) -> None:
    feed = ok(mirror, search_query=search, max_results=500)
    got = {p.id for p in feed.papers}
    assert feed.total_results == len(got) > 0
    # Every paper arXiv itself returned for this query (all are in the corpus) is found ...
    recorded = parse_feed((fixtures / "arxiv-api/2016" / recording).read_bytes())
    assert {p.id for p in recorded.papers} <= got
    # ... and the answer is exactly the corpus papers that satisfy the query.
    assert got == {p.id for p in mirror.corpus if predicate(p)}


def test_or_of_categories(mirror) -> None:
    feed = ok(mirror, search_query="cat:hep-ph OR cat:math.CO", max_results=1000)
    expected = {
        p.id for p in mirror.corpus if {"hep-ph", "math.CO"} & set(p.categories)
    }
    assert {p.id for p in feed.papers} == expected and len(expected) > 5


def test_search_query_filters_id_list(mirror) -> None:
    feed = ok(mirror, search_query="cat:hep-ph", id_list="0704.0001,0704.0002")
    assert [p.id for p in feed.papers] == ["0704.0001"]


def test_submitted_date_range(mirror) -> None:
    lo, hi = datetime(2007, 4, 2, tzinfo=UTC), datetime(2007, 4, 3, tzinfo=UTC)
    # No paper sits on the boundary minute, so inclusive/exclusive ends cannot matter.
    assert not any(hi <= p.published < hi + timedelta(minutes=1) for p in mirror.corpus)
    feed = ok(mirror, search_query="submittedDate:[200704020000 TO 200704030000]",
              max_results=1000, sortBy="submittedDate", sortOrder="ascending")
    expected = sorted((p.published, p.id) for p in mirror.corpus if lo <= p.published < hi)
    assert [(p.published, p.id) for p in feed.papers] == expected and len(expected) > 10

    feed = ok(mirror, search_query="cat:hep-ph AND submittedDate:[200704020000 TO 200704030000]",
              max_results=1000)
    assert {p.id for p in feed.papers} == {
        p.id for p in mirror.corpus if lo <= p.published < hi and "hep-ph" in p.categories
    }


def test_last_updated_date_range(mirror) -> None:
    lo, hi = datetime(2008, 1, 1, tzinfo=UTC), datetime(2009, 1, 1, tzinfo=UTC)
    feed = ok(mirror, search_query="lastUpdatedDate:[200801010000 TO 200901010000]",
              max_results=1000)
    expected = {p.id for p in mirror.corpus if lo <= (p.updated or p.published) < hi}
    assert {p.id for p in feed.papers} == expected and len(expected) > 3


def test_paging_a_search(mirror) -> None:
    whole = ok(mirror, search_query="all:testing", max_results=2000)
    total = whole.total_results
    assert total == len(whole.papers) > 20
    seen = []
    for start in range(0, total, 9):
        page = ok(mirror, search_query="all:testing", start=start, max_results=9)
        assert page.total_results == total
        seen.extend(p.id for p in page.papers)
    assert seen == [p.id for p in whole.papers]
    assert len(set(seen)) == total


@pytest.mark.parametrize(
    "recording",
    [
        "id_2104.12255v1_s0_m100_6ae69987ffe1.xml",
        "id_astro-ph_0601001_s0_m100_3150dca9dc76.xml",
        "id_0808.05394_1707.08567_s0_m100_42e5aa0ec3af.xml",
        "q_testing_s0_m10_bc5a6c384fe9.xml",
    ],
)
def test_entries_are_serialized_like_arxiv_2026(mirror, fixtures: Path, recording: str) -> None:
    recorded = SafeET.fromstring((fixtures / "arxiv-api/2026" / recording).read_bytes())

    def items(entry):
        # Element order, attributes and text; arXiv sometimes keeps leading blanks in a summary.
        return [(e.tag, e.attrib, " ".join((e.text or "").split())) for e in entry.iter()]

    entries = recorded.findall(f"{ATOM}entry")
    assert entries
    for entry in entries:
        versioned = entry.find(f"{ATOM}id").text.split("/abs/", 1)[1]
        status, body = query(mirror, id_list=versioned)
        (served,) = SafeET.fromstring(body).findall(f"{ATOM}entry")
        assert items(served) == items(entry)

    # The feed head has the same elements in the same order (values differ: ids, times, host).
    status, body = query(mirror, id_list="2202.12139")
    head = [c.tag for c in SafeET.fromstring(body) if c.tag != f"{ATOM}entry"]
    assert head == [c.tag for c in recorded if c.tag != f"{ATOM}entry"]


def test_serve_forever_prints_its_url_and_serves_until_stopped(fixtures: Path) -> None:
    import threading

    lines: list[str] = []
    stop = threading.Event()
    bulk = fixtures / "bulk" / "kaggle-arxiv-metadata-snapshot-first150.jsonl"
    thread = threading.Thread(
        target=serve_forever, args=([bulk],), kwargs={"echo": lines.append, "stop": stop}
    )
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not any("http://" in line for line in lines) and time.monotonic() < deadline:
            time.sleep(0.01)
        url = next(line for line in lines if "http://" in line).split()[-1]
        assert url.startswith("http://127.0.0.1:") and url.endswith("/api/query")
        status, _, body = get(f"{url}?id_list=0704.0002")
        assert status == 200 and parse_feed(body).papers[0].id == "0704.0002"
        assert "150 papers" in lines[0]
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()


@settings(max_examples=200, deadline=None)
@given(title=st.text(), author=st.text(), category=st.text())
def test_any_text_gives_well_formed_xml(title: str, author: str, category: str) -> None:
    from arxiv_radar.mirror.atom_writer import clean_xml_text, write_feed

    def norm(text: str) -> str:
        return " ".join(clean_xml_text(text).split())

    p = Paper(id="2401.00003", title=title, abstract=title, authors=(Author(author or "x"),),
              categories=(category,), primary_category=category,
              published=datetime(2024, 1, 1, tzinfo=UTC))
    body = write_feed([p], search_query=title, id_list="", start=0, max_results=1,
                      total_results=1)
    fromstring(body)
    (back,) = parse_feed(body).papers
    assert back.title == norm(title) and back.abstract == norm(title)
    assert [a.name for a in back.authors] == ([norm(author or "x")] if norm(author or "x") else [])
