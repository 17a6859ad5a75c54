"""The enrichment stage against a loopback Hugging Face serving the real recorded responses."""

from __future__ import annotations

import json
import re
import socket
import time
from datetime import date, datetime, timedelta, timezone

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from arxiv_radar.enrich import EnrichSettings, enrich
from arxiv_radar.model import Author, Paper
from arxiv_radar.publish.views import build_views
from arxiv_radar.render.seed import seed_row
from arxiv_radar.store import Store

DAY_2025 = date(2025, 6, 10)
DAY_2026 = date(2026, 8, 19)


@pytest.fixture(scope="module")
def server():
    # Threaded, so a stalled handler (the timeout test) does not hold up the next request.
    srv = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    srv.start()
    yield srv
    srv.clear()
    if srv.is_running():
        srv.stop()


@pytest.fixture
def hf(server):
    server.clear()
    yield server
    server.clear()


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "s.sqlite") as s:
        yield s


def listing(fixtures, day: date) -> list:
    return json.loads((fixtures / "hf" / f"daily_papers_date={day.isoformat()}.json").read_text(encoding="utf-8"))


def entry(fixtures, day: date, pid: str) -> dict:
    return next(e for e in listing(fixtures, day) if e["paper"]["id"] == pid)


def as_paper(pid: str, published: datetime, abstract: str = "An abstract without links.") -> Paper:
    return Paper(id=pid, title=f"Paper {pid}", abstract=abstract, authors=(Author("A. Author"),),
                 categories=("cs.CL",), primary_category="cs.CL", published=published, updated=published)


def paper_from_entry(e: dict) -> Paper:
    published = datetime.fromisoformat(e["paper"]["publishedAt"].replace("Z", "+00:00"))
    return as_paper(e["paper"]["id"], published)


def settings_for(server, **kw) -> EnrichSettings:
    # A generous timeout: only the timeout test wants one, and it sets its own.
    base = dict(hf_url=server.url_for("").rstrip("/"), timeout=5, per_host_interval=0.0, time_budget=20, concurrency=4)
    base.update(kw)
    return EnrichSettings(**base)


def add(store: Store, papers, day: date, topic: str = "T") -> list[str]:
    store.upsert_papers(papers, day)
    store.add_matches(topic, [(p.id, None) for p in papers], day)
    return [p.id for p in papers]


def requests_to(server, path: str) -> list:
    return [req for req, _ in server.log if req.path == path]


def rendered_code_cell(store: Store, pid: str, topic: str = "T") -> str:
    (view,) = build_views(store, [topic])
    (e,) = [e for e in view.entries if e.paper.id == pid]
    return seed_row(e).rstrip("\n").rstrip("|").rsplit("|", 1)[1]


def test_daily_listing_recovers_links_stars_and_project_pages(fixtures, hf, store):
    # Every paper of the 2025-06-10 listing published on 06-09 maps to that listing.
    entries = [e for e in listing(fixtures, DAY_2025) if e["paper"]["publishedAt"].startswith("2025-06-09")]
    assert len(entries) >= 10
    hf.expect_request("/api/daily_papers", query_string={"date": "2025-06-10"}).respond_with_data(
        (fixtures / "hf" / "daily_papers_date=2025-06-10.json").read_bytes(), content_type="application/json")
    ids = add(store, [paper_from_entry(e) for e in entries], DAY_2025)

    report = enrich(store, day=DAY_2025, settings=settings_for(hf))

    # One request answered them all: the listing, and no lookup by id.
    assert report.requests["huggingface"] == 1 and len(hf.log) == 1
    links = store.link_summaries(ids)
    assert links["2506.07900"].status == "found"
    assert links["2506.07900"].url == "https://github.com/openbmb/minicpm"
    assert links["2506.07900"].source == "huggingface"
    assert links["2506.07900"].project_url == "https://huggingface.co/collections/openbmb/minicpm4-6841ab29d180257e940baa9b"
    # The trailing slash Hugging Face keeps is cut; the github.io page is a project page.
    assert links["2506.07491"].url == "https://github.com/manycore-research/SpatialLM"
    assert links["2506.07491"].project_url == "https://manycore-research.github.io/SpatialLM"
    # No githubRepo: Hugging Face knows no code, so every source said none and the table says null.
    assert links["2506.08007"].status == "none"
    assert links["2506.08006"].status == "none"
    assert links["2506.08006"].project_url == "https://metadriverse.github.io/dreamland/"
    for e in entries:
        p = e["paper"]
        assert links[p["id"]].status == ("found" if p.get("githubRepo") else "none")
    assert rendered_code_cell(store, "2506.07900") == "**[link](https://github.com/openbmb/minicpm)**"
    assert rendered_code_cell(store, "2506.08007") == "null"
    assert report.answers["huggingface"]["found"] == sum(1 for e in entries if e["paper"].get("githubRepo"))
    assert report.failures == 0


def test_stars_come_from_the_2026_listing(fixtures, hf, store):
    entries = [e for e in listing(fixtures, DAY_2026) if e["paper"]["publishedAt"].startswith("2026-08-18")]
    hf.expect_request("/api/daily_papers", query_string={"date": "2026-08-19"}).respond_with_data(
        (fixtures / "hf" / "daily_papers_date=2026-08-19.json").read_bytes(), content_type="application/json")
    ids = add(store, [paper_from_entry(e) for e in entries], DAY_2026)

    enrich(store, day=DAY_2026, settings=settings_for(hf))

    links = store.link_summaries(ids)
    assert links["2608.17512"].url == "https://github.com/ZJU-OmniAI/Embodied-Omni"
    assert links["2608.17512"].stars == 208
    assert links["2608.17512"].project_url == "https://zju-omniai.github.io/Embodied-Navigator/"
    assert links["2608.17402"].stars == 0  # zero stars is a known count, not a missing one
    assert links["2608.17528"].status == "none"
    assert links["2608.17528"].project_url == "https://microsoft.github.io/agent-lightning/stable/"


def test_absence_from_a_listing_is_not_an_answer(fixtures, hf, store):
    listed = [paper_from_entry(entry(fixtures, DAY_2025, pid)) for pid in ("2506.07900", "2506.07530")]
    # Published the same day, but not in the listing: looked up by id.
    missing = as_paper("2506.09999", datetime(2025, 6, 9, 12, tzinfo=timezone.utc))
    elsewhere = paper_from_entry(entry(fixtures, DAY_2026, "2608.16793"))
    hf.expect_request("/api/daily_papers", query_string={"date": "2025-06-10"}).respond_with_json(listing(fixtures, DAY_2025))
    hf.expect_request("/api/papers/2506.09999").respond_with_data("Not Found", status=404)
    hf.expect_request("/api/papers/2608.16793").respond_with_json(entry(fixtures, DAY_2026, "2608.16793")["paper"])
    ids = add(store, listed + [missing, elsewhere], DAY_2026)

    report = enrich(store, day=DAY_2026, settings=settings_for(hf))

    links = store.link_summaries(ids)
    assert links["2506.07530"].url == "https://github.com/ustcwhy/BitVLA"
    assert links["2506.09999"].status == "none"  # the 404 is Hugging Face's answer
    assert links["2608.16793"].url == "https://github.com/csslc/PixRestore" and links["2608.16793"].stars == 26
    # A lone paper of its day is asked by id, not through a listing.
    assert [r.args.get("date") for r in requests_to(hf, "/api/daily_papers")] == ["2025-06-10"]
    assert len(requests_to(hf, "/api/papers/2506.09999")) == 1
    assert report.failures == 0
    hf.check_assertions()


def _slow(_request):
    time.sleep(1.5)
    return Response("{}", content_type="application/json")


FAILURES = {
    "500": lambda r: r.respond_with_data("upstream broke", status=500),
    "timeout": lambda r: r.respond_with_handler(_slow),
    "malformed JSON": lambda r: r.respond_with_data('{"id": "2608.17512", "githubRepo": ', content_type="application/json"),
    "wrong shape": lambda r: r.respond_with_json(["not", "a", "paper"]),
}


@pytest.mark.parametrize("failure", sorted(FAILURES))
def test_a_failure_leaves_the_paper_unknown_and_the_next_run_retries(fixtures, hf, store, failure):
    good = entry(fixtures, DAY_2026, "2608.17512")
    paper = paper_from_entry(good)
    add(store, [paper], DAY_2026)
    FAILURES[failure](hf.expect_oneshot_request("/api/papers/2608.17512"))

    report = enrich(store, day=DAY_2026, settings=settings_for(hf, timeout=0.3))

    summary = store.link_summaries([paper.id])[paper.id]
    assert summary.status == "unknown"  # never "none", so never rendered null
    assert store.get_papers([paper.id])  # and the paper is still there
    assert rendered_code_cell(store, paper.id) == "?"
    row = store.conn.execute("SELECT * FROM links WHERE paper_id = ? AND source = 'huggingface'", (paper.id,)).fetchone()
    assert row["status"] == "unknown" and row["next_check"] == DAY_2026.isoformat() and row["detail"]
    assert report.failures == 1 and report.errors and "2608.17512 huggingface" in report.errors[0]

    # Next run (the same day even): asked again, and this time it answers.
    hf.expect_request("/api/papers/2608.17512").respond_with_json(good["paper"])
    again = enrich(store, day=DAY_2026, settings=settings_for(hf))
    summary = store.link_summaries([paper.id])[paper.id]
    assert (summary.status, summary.url, summary.stars) == ("found", "https://github.com/ZJU-OmniAI/Embodied-Omni", 208), again.as_dict()
    assert rendered_code_cell(store, paper.id) == "**[link](https://github.com/ZJU-OmniAI/Embodied-Omni)**"
    # Let the stalled handler finish here, so its late log entry does not land in another test.
    until = time.monotonic() + 3
    while failure == "timeout" and len(requests_to(hf, "/api/papers/2608.17512")) < 2 and time.monotonic() < until:
        time.sleep(0.05)


def test_a_failed_listing_falls_back_to_lookups_by_id(fixtures, hf, store):
    pids = ("2608.17512", "2608.17310")
    add(store, [paper_from_entry(entry(fixtures, DAY_2026, p)) for p in pids], DAY_2026)
    hf.expect_request("/api/daily_papers").respond_with_data("<html>oops</html>", content_type="application/json")
    for p in pids:
        hf.expect_request(f"/api/papers/{p}").respond_with_json(entry(fixtures, DAY_2026, p)["paper"])

    report = enrich(store, day=DAY_2026, settings=settings_for(hf))

    assert {s.status for s in store.link_summaries(pids).values()} == {"found"}
    assert len(requests_to(hf, "/api/daily_papers")) == 1
    assert report.failures == 0 and any("daily listing" in e for e in report.errors)


def test_a_refused_connection_stops_the_source_for_the_run(store):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # Nothing listens on the port now: every connection is refused.
    papers = [as_paper(f"2608.1{i:04d}", datetime(2026, 8, 10 + i, tzinfo=timezone.utc)) for i in range(5)]
    ids = add(store, papers, DAY_2026)
    settings = EnrichSettings(hf_url=f"http://127.0.0.1:{port}", timeout=0.5, per_host_interval=0, concurrency=1)

    report = enrich(store, day=DAY_2026, settings=settings)

    assert report.requests["huggingface"] == 1
    assert "connection" in report.stopped["huggingface"]
    assert report.not_asked["huggingface"] == 4
    assert {s.status for s in store.link_summaries(ids).values()} == {"unknown"}


def test_time_budget_spent_leaves_the_rest_unknown_for_next_run(fixtures, hf, store):
    good = entry(fixtures, DAY_2026, "2608.17512")
    add(store, [paper_from_entry(good)], DAY_2026)
    hf.expect_request("/api/papers/2608.17512").respond_with_json(good["paper"])

    report = enrich(store, day=DAY_2026, settings=settings_for(hf, time_budget=0))

    assert len(hf.log) == 0 and report.budget_spent and report.not_asked["huggingface"] == 1
    assert store.link_summaries(["2608.17512"])["2608.17512"].status == "unknown"
    enrich(store, day=DAY_2026, settings=settings_for(hf))
    assert store.link_summaries(["2608.17512"])["2608.17512"].status == "found"


def test_budget_bounds_a_slow_source(fixtures, hf, store):
    papers = [as_paper(f"2608.2{i:04d}", datetime(2026, 7, 1 + i, tzinfo=timezone.utc)) for i in range(20)]
    ids = add(store, papers, DAY_2026)

    def slow_404(_request):
        time.sleep(0.2)
        return Response("no", status=404)

    hf.expect_request("/api/daily_papers").respond_with_json([])
    hf.expect_request(re.compile(r"^/api/papers/")).respond_with_handler(slow_404)
    started = time.monotonic()
    report = enrich(store, day=DAY_2026, settings=settings_for(hf, time_budget=0.5, concurrency=1))
    # Unbounded, the 20 lookups would take 4 s.
    assert time.monotonic() - started < 3
    answered = report.answers["huggingface"]["none"]
    assert 1 <= answered < 20 and answered + report.not_asked["huggingface"] == 20
    statuses = [s.status for s in store.link_summaries(ids).values()]
    assert statuses.count("none") == answered and statuses.count("unknown") == 20 - answered
    # Newest first: the papers answered are the newest ones.
    summaries = store.link_summaries(ids)
    assert [summaries[pid].status for pid in ids[-answered:]] == ["none"] * answered
    # The report says how many wait and, at this run's pace, how many runs they take.
    left = 20 - answered
    runs = -(-left // answered)
    assert report.as_dict()["waiting"] == {"huggingface": {"papers": left, "answered": answered, "runs": runs}}
    (line,) = report.waiting_lines()
    assert line.startswith(f"huggingface: {left} papers waiting for a code-link check; at this run's pace "
                           f"({answered} answered in ")
    assert f"about {runs} more run" in line and any(line in out for out in report.lines())


def test_none_is_rechecked_on_a_backoff_counted_in_run_days(hf, store):
    p = as_paper("2608.30000", datetime(2026, 8, 18, tzinfo=timezone.utc))
    add(store, [p], DAY_2026)
    hf.expect_request("/api/papers/2608.30000").respond_with_data("Not Found", status=404)
    asked_on = []
    day = DAY_2026
    for _ in range(40):
        before = len(requests_to(hf, "/api/papers/2608.30000"))
        enrich(store, day=day, settings=settings_for(hf))
        if len(requests_to(hf, "/api/papers/2608.30000")) > before:
            asked_on.append((day - DAY_2026).days)
        day += timedelta(days=1)
    assert asked_on == [0, 1, 4, 11, 25]
    row = store.conn.execute("SELECT * FROM links WHERE paper_id = ? AND source = 'huggingface'", (p.id,)).fetchone()
    assert row["status"] == "none" and row["next_check"] == (DAY_2026 + timedelta(days=55)).isoformat()
    assert store.link_summaries([p.id])[p.id].status == "none"


def test_code_found_late_is_picked_up_by_the_recheck(fixtures, hf, store):
    good = entry(fixtures, DAY_2026, "2608.17512")
    add(store, [paper_from_entry(good)], DAY_2026)
    hf.expect_oneshot_request("/api/papers/2608.17512").respond_with_data("nf", status=404)
    enrich(store, day=DAY_2026, settings=settings_for(hf))
    assert store.link_summaries(["2608.17512"])["2608.17512"].status == "none"
    hf.expect_request("/api/papers/2608.17512").respond_with_json(good["paper"])
    enrich(store, day=DAY_2026 + timedelta(days=1), settings=settings_for(hf))
    assert store.link_summaries(["2608.17512"])["2608.17512"].url == "https://github.com/ZJU-OmniAI/Embodied-Omni"


def test_papers_with_a_link_in_their_text_are_not_asked(fixtures, hf, store):
    p = as_paper("2608.40000", datetime(2026, 8, 18, tzinfo=timezone.utc), abstract="Code: https://github.com/a/b.")
    q = as_paper("2608.40001", datetime(2026, 8, 18, tzinfo=timezone.utc)).with_(comment=r"Code: \url{https://gitlab.com/g/s/p}")
    add(store, [p, q], DAY_2026)

    report = enrich(store, day=DAY_2026, settings=settings_for(hf))

    assert len(hf.log) == 0 and report.requests == {}
    links = store.link_summaries([p.id, q.id])
    assert (links[p.id].url, links[p.id].source) == ("https://github.com/a/b", "abstract")
    assert (links[q.id].url, links[q.id].source) == ("https://gitlab.com/g/s/p", "comment")
    # A second run writes nothing: the text has not changed.
    before = store.conn.total_changes
    enrich(store, day=DAY_2026, settings=settings_for(hf))
    assert store.conn.total_changes == before


def test_a_new_version_with_a_link_in_its_comment_is_found(hf, store):
    p = as_paper("2608.50000", datetime(2026, 8, 18, tzinfo=timezone.utc))
    add(store, [p], DAY_2026)
    hf.expect_request("/api/papers/2608.50000").respond_with_data("nf", status=404)
    enrich(store, day=DAY_2026, settings=settings_for(hf))
    assert store.link_summaries([p.id])[p.id].status == "none"
    store.upsert_papers([p.with_(version=2, comment="Code: https://github.com/o/late")], DAY_2026)
    enrich(store, day=DAY_2026, settings=settings_for(hf))
    s = store.link_summaries([p.id])[p.id]
    assert (s.url, s.source) == ("https://github.com/o/late", "comment")


def test_hugging_face_off_means_only_text_sources(hf, store):
    p = as_paper("2608.60000", datetime(2026, 8, 18, tzinfo=timezone.utc))
    add(store, [p], DAY_2026)
    report = enrich(store, day=DAY_2026, settings=settings_for(hf, huggingface=False))
    assert len(hf.log) == 0 and report.requests == {}
    assert store.link_summaries([p.id])[p.id].status == "none"


def test_settings_from_config_and_environment(monkeypatch):
    monkeypatch.setenv("ARXIV_RADAR_HF_URL", "http://127.0.0.1:9/hf")

    class Enrich:
        huggingface = False
        paperswithcode = True
        github_stars = True
        time_budget = 5

    class Config:
        enrich = Enrich()
        contact_email = "me@example.org"

    s = EnrichSettings.from_config(Config())
    assert (s.hf_url, s.huggingface, s.paperswithcode, s.github_stars, s.time_budget) == (
        "http://127.0.0.1:9/hf", False, True, True, 5.0)
    assert EnrichSettings.from_config(object()).time_budget == 60.0

    class WithUrl(Config):
        hf_url = "http://127.0.0.1:8/"

    assert EnrichSettings.from_config(WithUrl()).hf_url == "http://127.0.0.1:8/"
