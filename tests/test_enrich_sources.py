"""The optional sources: the Papers with Code relaunch and GitHub stars, on loopback."""

from __future__ import annotations

import logging
from datetime import date, datetime, timezone

import pytest

from arxiv_radar.enrich import EnrichSettings, enrich
from arxiv_radar.enrich.paperswithcode import pick_repository
from arxiv_radar.model import Author, Paper
from arxiv_radar.store import Store

DAY = date(2026, 8, 19)
TOKEN = "ghp_secret_token_value_never_logged"


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "s.sqlite") as s:
        yield s


def paper(pid: str, abstract: str = "No links here.") -> Paper:
    when = datetime(2026, 8, 18, tzinfo=timezone.utc)
    return Paper(id=pid, title=pid, abstract=abstract, authors=(Author("A"),), categories=("cs.CV",),
                 primary_category="cs.CV", published=when, updated=when)


def add(store, papers):
    store.upsert_papers(papers, DAY)
    store.add_matches("T", [(p.id, None) for p in papers], DAY)
    return [p.id for p in papers]


def test_papers_with_code_official_repository_first(httpserver, store):
    ids = add(store, [paper("2608.00001"), paper("2608.00002")])
    httpserver.expect_request("/api/v1/papers/", query_string={"arxiv_id": "2608.00001"}).respond_with_json(
        {"count": 1, "next": None, "results": [{"id": "some-paper", "arxiv_id": "2608.00001"}]})
    httpserver.expect_request("/api/v1/papers/some-paper/repositories/").respond_with_json(
        {"count": 2, "results": [
            {"url": "https://github.com/fan/fork", "stars": 900, "is_official": False},
            {"url": "https://github.com/author/official/", "stars": 12, "is_official": True},
        ]})
    httpserver.expect_request("/api/v1/papers/", query_string={"arxiv_id": "2608.00002"}).respond_with_json(
        {"count": 0, "next": None, "results": []})
    settings = EnrichSettings(huggingface=False, paperswithcode=True, pwc_url=httpserver.url_for("/api/v1"),
                              per_host_interval=0, timeout=0.5)

    report = enrich(store, day=DAY, settings=settings)

    links = store.link_summaries(ids)
    assert (links["2608.00001"].url, links["2608.00001"].source, links["2608.00001"].stars) == (
        "https://github.com/author/official", "paperswithcode", 12)
    assert links["2608.00002"].status == "none"
    assert report.answers["paperswithcode"] == {"found": 1, "none": 1}


def test_papers_with_code_failure_is_unknown(httpserver, store):
    ids = add(store, [paper("2608.00003")])
    httpserver.expect_request("/api/v1/papers/").respond_with_json({"detail": "oops"})
    settings = EnrichSettings(huggingface=False, paperswithcode=True, pwc_url=httpserver.url_for("/api/v1"),
                              per_host_interval=0, timeout=0.5)
    enrich(store, day=DAY, settings=settings)
    assert store.link_summaries(ids)["2608.00003"].status == "unknown"


def test_pick_repository_ignores_junk():
    assert pick_repository([None, {"url": 3}, {"url": "https://example.org/x"}]) is None
    assert pick_repository([{"url": "https://github.com/a/b", "stars": None}]) == ("https://github.com/a/b", None)


def test_github_stars_for_links_found_elsewhere(httpserver, store, monkeypatch, caplog):
    monkeypatch.setenv("ARXIV_RADAR_GITHUB_TOKEN", TOKEN)
    ids = add(store, [paper("2608.00010", "Code: https://github.com/HITsz-TMG/ViSA."),
                      paper("2608.00011", "Code: https://github.com/gone/away")])
    httpserver.expect_request("/repos/HITsz-TMG/ViSA", headers={"Authorization": f"Bearer {TOKEN}"}).respond_with_json(
        {"full_name": "HITsz-TMG/ViSA", "stargazers_count": 42})
    httpserver.expect_request("/repos/gone/away").respond_with_data("Not Found", status=404)
    settings = EnrichSettings(huggingface=False, github_stars=True, github_url=httpserver.url_for(""),
                              per_host_interval=0, timeout=0.5)

    with caplog.at_level(logging.DEBUG):
        report = enrich(store, day=DAY, settings=settings)

    links = store.link_summaries(ids)
    assert (links["2608.00010"].stars, links["2608.00010"].source) == (42, "abstract")
    assert links["2608.00011"].stars is None and links["2608.00011"].status == "found"
    assert report.stars_updated == 1
    assert TOKEN not in caplog.text and TOKEN not in repr(report.as_dict())
    # Known stars are not asked for again.
    before = len(httpserver.log)
    enrich(store, day=DAY, settings=settings)
    assert [r.path for r, _ in httpserver.log[before:]] == ["/repos/gone/away"]


def test_github_stars_need_a_token(httpserver, store, monkeypatch):
    monkeypatch.delenv("ARXIV_RADAR_GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    add(store, [paper("2608.00012", "Code: https://github.com/a/b")])
    settings = EnrichSettings(huggingface=False, github_stars=True, github_url=httpserver.url_for(""))
    report = enrich(store, day=DAY, settings=settings)
    assert len(httpserver.log) == 0 and "token" in report.stopped["github"]


def test_github_rate_limit_stops_the_source(httpserver, store, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    add(store, [paper(f"2608.0002{i}", f"Code: https://github.com/o/r{i}") for i in range(4)])
    httpserver.expect_request("/repos/o/r0").respond_with_data("rate limited", status=403)
    httpserver.expect_request("/repos/o/r1").respond_with_data("rate limited", status=403)
    httpserver.expect_request("/repos/o/r2").respond_with_data("rate limited", status=403)
    httpserver.expect_request("/repos/o/r3").respond_with_data("rate limited", status=403)
    settings = EnrichSettings(huggingface=False, github_stars=True, github_url=httpserver.url_for(""),
                              per_host_interval=0, concurrency=1)
    report = enrich(store, day=DAY, settings=settings)
    assert len(httpserver.log) == 1 and "403" in report.stopped["github"]


def test_an_unexpected_transport_error_stops_the_source_not_the_run(store):
    import httpx

    def explode(request):
        raise RuntimeError("socket guard says no")

    ids = add(store, [paper("2608.00030"), paper("2608.00031")])
    settings = EnrichSettings(hf_url="http://hf.invalid", per_host_interval=0, concurrency=1)
    report = enrich(store, day=DAY, settings=settings, transport=httpx.MockTransport(explode))
    assert report.requests["huggingface"] == 1 and "RuntimeError" in report.stopped["huggingface"]
    assert {s.status for s in store.link_summaries(ids).values()} == {"unknown"}


def test_a_crash_in_the_network_part_leaves_papers_unknown_not_none(store, monkeypatch):
    import arxiv_radar.enrich.stage as stage

    add(store, [paper("2502.00001")])

    async def crash(*args, **kwargs):
        raise KeyboardInterrupt  # e.g. the run is killed while Hugging Face is being asked

    monkeypatch.setattr(stage, "_network", crash)
    with pytest.raises(KeyboardInterrupt):
        enrich(store, day=date(2026, 2, 2), settings=EnrichSettings(huggingface=True))
    summary = store.link_summaries(["2502.00001"])["2502.00001"]
    assert summary.status == "unknown"  # the abstract's "none" alone must not render as null
