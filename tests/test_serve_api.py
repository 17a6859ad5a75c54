"""The reading room's routes through a real uvicorn on loopback: pages, JSON twins, actions, safety."""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import bibtexparser
import httpx
import pytest
from click.testing import CliRunner
from serve_support import HOSTILE, make_store, running

from arxiv_radar.cli import main
from arxiv_radar.ops.lock import store_lock
from arxiv_radar.serve import ServeConfigError, check_bind, create_app
from arxiv_radar.store import Store
from arxiv_radar.store.scores import Score, save_scores

TOPICS = ["Diffusion", "Graphs"]
PAPER = "2609.10020"  # a diffusion paper with a code link and two versions
HOSTILE_ID = "2609.10005"


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    return make_store(tmp_path_factory.mktemp("serve") / "store.sqlite")


@pytest.fixture(scope="module")
def base(db):
    with running(create_app(db, topics=TOPICS)) as url:
        yield url


@pytest.fixture
def client(base):
    with httpx.Client(base_url=base, follow_redirects=False, timeout=20) as c:
        yield c


@pytest.fixture
def csrf(client) -> str:
    return client.get("/api/csrf").json()["csrf_token"]


def _rows(db: Path, sql: str, *args) -> list:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, args).fetchall()


# ----------------------------------------------------------------------------- reading


@pytest.mark.parametrize("path", [
    "/", "/topic/Diffusion", "/topic/Graphs?page=1", "/day/2026-09-01", f"/paper/{PAPER}", "/paper/hep-th/9901001",
    "/search", "/search?q=diffusion", "/for-you", "/tags", "/trends", "/trends?topic=Graphs",
])
def test_every_page_renders_with_a_json_twin(client, path):
    page = client.get(path)
    assert page.status_code == 200, page.text[:300]
    assert page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    if path != "/":
        twin = client.get("/api" + path)
        assert twin.status_code == 200
        assert twin.headers["content-type"].startswith("application/json")
        assert isinstance(twin.json(), dict)


def test_api_index_topics_days(client):
    index = client.get("/api/").json()
    assert any("/api/search" in route for route in index["routes"])
    topics = client.get("/api/topics").json()["topics"]
    assert [t["name"] for t in topics] == TOPICS and all(t["papers"] > 0 for t in topics)
    days = client.get("/api/days").json()["days"]
    assert days[0] == {"day": "2026-11-01", "papers": 49, "kind": "announced"}  # the run day


def test_topic_lists_newest_first_in_pages(client):
    first = client.get("/api/topic/Diffusion").json()
    dates = [p["published"] for p in first["papers"]]
    assert dates == sorted(dates, reverse=True) and len(dates) == 25 and first["more"] is False or first["more"]
    assert all("Diffusion" in p["topics"] for p in first["papers"])
    assert client.get("/api/topic/Nope").status_code == 404
    assert client.get("/api/topic/Diffusion?page=0").status_code == 400


def test_paper_page_shows_everything(client, db):
    p = client.get(f"/api/paper/{PAPER}").json()
    assert [a["name"] for a in p["authors"]] == ["Ada Lovelace2", "Alan Turing"]
    assert p["authors"][1]["affiliations"] == ["Bletchley Park"]
    assert [v["version"] for v in p["versions"]] == [1, 2]
    assert p["code"][0]["source"] == "comment" and p["code"][0]["url"] == "https://github.com/example/repo"
    assert p["summary"] is None
    assert p["similar"] and PAPER not in [s["id"] for s in p["similar"]]
    html = client.get(f"/paper/{PAPER}").text
    assert "Bletchley Park" in html and "from comment" in html and "Similar papers" in html
    assert client.get("/api/paper/2609.99999").status_code == 404
    assert client.get("/api/paper/not-an-id").status_code == 404
    # A versioned id names the same paper.
    assert client.get(f"/api/paper/{PAPER}v2").json()["id"] == PAPER


def test_summary_shows_when_the_summarize_stage_made_one(client, db):
    from arxiv_radar.store.summaries import SummaryKey, save_summary

    with Store.open(db) as store, store.transaction():
        save_summary(store.conn, PAPER, 2, SummaryKey("tiny-model", "en", "h1"),
                     {"tldr": "It denoises <i>well</i>.", "method": "A score model."}, 10, 5)
    try:
        summary = client.get(f"/api/paper/{PAPER}").json()["summary"]
        assert summary["fields"]["tldr"] == "It denoises <i>well</i>." and summary["model"] == "tiny-model"
        html = client.get(f"/paper/{PAPER}").text
        assert "It denoises &lt;i&gt;well&lt;/i&gt;." in html and "AI summary by tiny-model" in html
        assert "A score model." in html
    finally:
        with sqlite3.connect(db) as conn:
            conn.execute("DELETE FROM summaries")


def test_paper_text_is_escaped_everywhere(client):
    for path in (f"/paper/{HOSTILE_ID}", "/topic/Diffusion", "/search?q=robust", "/day/2026-09-07"):
        html = client.get(path).text
        assert "Robust diffusion" in html, path
        assert "<script>alert" not in html and "<b>bold</b>" not in html, path
        assert "&lt;script&gt;alert(" in html, path
    assert client.get(f"/api/paper/{HOSTILE_ID}").json()["title"] == f"Robust diffusion {HOSTILE}"


def test_search_with_query_language_and_filters(client, db, csrf):
    hits = client.get("/api/search", params={"q": "ti:diffusion"}).json()["papers"]
    assert hits and all("iffusion" in h["title"] for h in hits)
    assert "hep-th/9901001" in [h["id"] for h in hits]
    in_topic = client.get("/api/search", params={"q": "diffusion OR graph", "topic": "Graphs"}).json()["papers"]
    assert in_topic and all("Graphs" in h["topics"] for h in in_topic)
    ranged = client.get("/api/search", params={"q": "paper", "from": "2026-10-01", "to": "2026-10-05",
                                              "order": "date"}).json()["papers"]
    assert ranged and all("2026-10-01" <= h["date"] <= "2026-10-05" for h in ranged)
    assert [h["date"] for h in ranged] == sorted((h["date"] for h in ranged), reverse=True)
    code = client.get("/api/search", params={"q": "paper", "code": "1"}).json()["papers"]
    assert code and all(h["code_url"] for h in code)
    # saved / unread follow what the reader did.
    client.post("/api/actions/tag", json={"id": "2609.10002", "tag": "filters"}, headers={"x-csrf-token": csrf})
    client.post("/api/actions/read", json={"id": "2609.10002"}, headers={"x-csrf-token": csrf})
    saved = client.get("/api/search", params={"q": "diffusion", "saved": "1"}).json()["papers"]
    assert "2609.10002" in [h["id"] for h in saved]
    assert all(h["tags"] for h in saved)
    unread = client.get("/api/search", params={"q": "diffusion", "unread": "1"}).json()["papers"]
    assert unread and "2609.10002" not in [h["id"] for h in unread]
    # No query: the newest papers that pass the filters.
    browse = client.get("/api/search", params={"saved": "1"}).json()["papers"]
    assert "2609.10002" in [h["id"] for h in browse]
    # Paging.
    page2 = client.get("/api/search", params={"q": "paper", "order": "date", "page": "2"}).json()
    page1 = client.get("/api/search", params={"q": "paper", "order": "date"}).json()
    assert page1["more"] and not set(h["id"] for h in page1["papers"]) & set(h["id"] for h in page2["papers"])


def test_bad_searches_are_clear(client):
    bad = client.get("/api/search", params={"q": "ti:("})
    assert bad.status_code == 400 and "query" in bad.json()["error"]
    page = client.get("/search", params={"q": "ti:("})
    assert page.status_code == 200 and 'class="error"' in page.text
    assert client.get("/api/search", params={"q": "x", "from": "yesterday"}).status_code == 400
    assert client.get("/api/search", params={"q": "x", "topic": "Nope"}).status_code == 400
    assert client.get("/api/search", params={"q": "x" * 1001}).status_code == 400
    assert client.get("/api/search", params={"q": "x", "order": "random"}).status_code == 400


def test_trends_draw_svg_and_find_new_terms(client):
    data = client.get("/api/trends", params={"topic": "Diffusion"}).json()
    assert set(data["weekly"]["series"]) == set(TOPICS)
    assert sum(data["weekly"]["series"]["Diffusion"]) > 0
    assert data["terms"]["this_month"] == "2026-10" and data["terms"]["last_month"] == "2026-09"
    assert "mamba" in [t["term"] for t in data["terms"]["terms"]]
    html = client.get("/trends", params={"topic": "Diffusion"}).text
    assert html.count("<svg") == 2 and "<polyline" in html and ">mamba</text>" in html
    assert "<script" not in html.split("<svg", 1)[1]
    assert client.get("/api/trends", params={"topic": "Nope"}).status_code == 400


# ----------------------------------------------------------------------------- actions


def test_actions_write_what_the_reader_says(client, db, csrf):
    h = {"x-csrf-token": csrf}
    pid = "2609.10010"
    r = client.post("/api/actions/tag", json={"id": pid, "tag": "  to   read "}, headers=h).json()
    assert r["ok"] and r["paper"]["tags"] == ["to read"]
    client.post("/api/actions/tag", json={"id": pid, "tag": "survey"}, headers=h)
    assert client.get(f"/api/paper/{pid}").json()["tags"] == ["survey", "to read"]
    assert {t["name"] for t in client.get("/api/tags").json()["tags"]} >= {"to read", "survey"}
    client.post("/api/actions/untag", json={"id": pid, "tag": "survey"}, headers=h)
    assert client.get(f"/api/paper/{pid}").json()["tags"] == ["to read"]
    assert client.post("/api/actions/like", json={"id": pid}, headers=h).json()["paper"]["feedback"] == 1
    assert _rows(db, "SELECT value, source FROM feedback WHERE paper_id = ?", pid) == [(1, "serve")]
    assert client.post("/api/actions/dislike", json={"id": pid, "topic": "Diffusion"}, headers=h).json()[
        "paper"]["feedback_by_topic"] == {"": 1, "Diffusion": -1}
    client.post("/api/actions/unlike", json={"id": pid, "topic": "Diffusion"}, headers=h)
    client.post("/api/actions/unlike", json={"id": pid}, headers=h)
    assert _rows(db, "SELECT * FROM feedback WHERE paper_id = ?", pid) == []
    assert client.post("/api/actions/read", json={"id": pid}, headers=h).json()["paper"]["read"] is True
    assert client.post("/api/actions/unread", json={"id": pid}, headers=h).json()["paper"]["read"] is False
    note = "Line one <b>\nline two"
    assert client.post("/api/actions/note", json={"id": pid, "text": note}, headers=h).json()["paper"]["note"] == note
    assert note.replace("<b>", "&lt;b&gt;") in client.get(f"/paper/{pid}").text
    client.post("/api/actions/note", json={"id": pid, "text": "   "}, headers=h)
    assert _rows(db, "SELECT * FROM notes WHERE paper_id = ?", pid) == []
    client.post("/api/actions/tag", json={"id": pid, "tag": "gone soon"}, headers=h)
    assert client.post("/api/actions/delete-tag", json={"tag": "gone soon"}, headers=h).json()["ok"]
    assert "gone soon" not in {t["name"] for t in client.get("/api/tags").json()["tags"]}
    assert client.get("/api/tag/gone soon").status_code == 404


def test_bad_actions_are_refused(client, csrf):
    h = {"x-csrf-token": csrf}
    assert client.post("/api/actions/tag", json={"id": "2609.99999", "tag": "x"}, headers=h).status_code == 404
    assert client.post("/api/actions/tag", json={"id": PAPER, "tag": " "}, headers=h).status_code == 400
    assert client.post("/api/actions/tag", json={"id": PAPER, "tag": "x" * 101}, headers=h).status_code == 400
    assert client.post("/api/actions/note", json={"id": PAPER, "text": "x" * 20_001}, headers=h).status_code == 400
    assert client.post("/api/actions/like", json={"id": PAPER, "topic": "Nope"}, headers=h).status_code == 400
    assert client.post("/api/actions/explode", json={"id": PAPER}, headers=h).status_code == 404
    assert client.post("/api/actions/like", content=b"[1]", headers={**h, "content-type": "application/json"}).status_code == 400
    # Reading routes do not take POST, actions do not take GET.
    assert client.post("/api/paper/" + PAPER, headers=h).status_code == 405
    assert client.get("/api/actions/like").status_code == 405


def test_writes_without_the_csrf_token_are_refused(client, db, csrf):
    before = _rows(db, "SELECT count(*) FROM paper_tags")
    for headers, body in (({}, {"id": PAPER, "tag": "csrf"}),
                          ({"x-csrf-token": "0" * 64}, {"id": PAPER, "tag": "csrf"}),
                          ({}, {"id": PAPER, "tag": "csrf", "csrf_token": ""})):
        r = client.post("/api/actions/tag", json=body, headers=headers)
        assert r.status_code == 403 and "CSRF" in r.json()["error"]
    form = client.post("/actions/like", data={"id": PAPER})
    assert form.status_code == 403
    # The right token from another site (a foreign Origin) is refused as well.
    foreign = client.post("/actions/like", data={"id": PAPER, "csrf_token": csrf}, headers={"origin": "https://evil.example"})
    assert foreign.status_code == 403
    assert _rows(db, "SELECT count(*) FROM paper_tags") == before
    assert _rows(db, "SELECT count(*) FROM feedback WHERE paper_id = ?", PAPER) == [(0,)]


def test_forms_work_without_javascript(client, db, csrf):
    r = client.post("/actions/tag", data={"id": PAPER, "tag": "nojs", "csrf_token": csrf, "next": "/topic/Diffusion?page=1"})
    assert r.status_code == 303 and r.headers["location"] == "/topic/Diffusion?page=1"
    assert "nojs" in client.get(f"/api/paper/{PAPER}").json()["tags"]
    # A redirect never leaves the site.
    for nxt in ("//evil.example/x", "https://evil.example/", "/\\evil"):
        r = client.post("/actions/read", data={"id": PAPER, "csrf_token": csrf, "next": nxt})
        assert r.headers["location"] == f"/paper/{PAPER}"
    # From the page's script: JSON with the new buttons to swap in.
    r = client.post("/actions/like", data={"id": PAPER, "csrf_token": csrf, "next": "/"}, headers={"x-requested-with": "fetch"})
    assert r.json()["paper"]["feedback"] == 1 and 'action="/actions/unlike"' in r.json()["html"]
    client.post("/api/actions/unlike", json={"id": PAPER}, headers={"x-csrf-token": csrf})


def test_writes_wait_while_a_run_holds_the_store(client, db, csrf):
    with store_lock(db, command="run"):
        r = client.post("/api/actions/tag", json={"id": PAPER, "tag": "during run"}, headers={"x-csrf-token": csrf})
        assert r.status_code == 503 and "`run`" in r.json()["error"] and "try again" in r.json()["error"]
        page = client.post("/actions/like", data={"id": PAPER, "csrf_token": csrf})
        assert page.status_code == 503 and "saving is paused" in page.text
        assert client.get(f"/paper/{PAPER}").status_code == 200  # reads go on
        assert client.get("/api/search", params={"q": "diffusion"}).status_code == 200
    assert "during run" not in client.get(f"/api/paper/{PAPER}").json()["tags"]
    assert client.post("/api/actions/tag", json={"id": PAPER, "tag": "after run"},
                       headers={"x-csrf-token": csrf}).status_code == 200


# ----------------------------------------------------------------------------- tags and export


def test_tag_export_as_bibtex_and_json(client, csrf):
    h = {"x-csrf-token": csrf}
    for pid in (HOSTILE_ID, "hep-th/9901001"):
        client.post("/api/actions/tag", json={"id": pid, "tag": "Reading list/2026"}, headers=h)
    listing = client.get("/api/tag/Reading list/2026").json()
    assert {p["id"] for p in listing["papers"]} == {HOSTILE_ID, "hep-th/9901001"}
    bib = client.get("/tag/Reading list/2026", params={"format": "bibtex"})
    assert bib.status_code == 200 and "attachment" in bib.headers["content-disposition"]
    assert 'filename="arxiv-radar-reading-list-2026.bib"' in bib.headers["content-disposition"]
    entries = bibtexparser.parse_string(bib.text).entries
    assert {e.key for e in entries} == {f"arXiv:{HOSTILE_ID}", "arXiv:hep-th/9901001"}
    assert not bibtexparser.parse_string(bib.text).failed_blocks
    js = client.get("/api/tag/Reading list/2026", params={"format": "json"})
    doc = json.loads(js.text)
    assert doc["schema_version"] == 1 and {p["id"] for p in doc["papers"]} == {HOSTILE_ID, "hep-th/9901001"}
    assert client.get("/api/tag/Reading list/2026", params={"format": "xml"}).status_code == 400


# ----------------------------------------------------------------------------- for you


def test_for_you_empty_then_liked_then_scores(tmp_path):
    db = make_store(tmp_path / "fy.sqlite")
    with running(create_app(db, topics=TOPICS)) as url, httpx.Client(base_url=url) as c:
        csrf = c.get("/api/csrf").json()["csrf_token"]
        empty = c.get("/api/for-you").json()
        assert empty["state"] == "empty" and empty["papers"] == []
        assert "No scores yet: add a library or like papers" in c.get("/for-you").text
        c.post("/api/actions/like", json={"id": "2609.10001"}, headers={"x-csrf-token": csrf})
        liked = c.get("/api/for-you").json()
        assert liked["state"] == "liked" and liked["papers"]
        assert "2609.10001" not in [p["id"] for p in liked["papers"]]
        with Store.open(db) as store, store.transaction():
            save_scores(store.conn, [Score("2609.10020", "Diffusion", 0.9, "test",
                                           {"library": [{"id": "x", "title": "A <b>library</b> paper"}],
                                            "terms": ["diffusion"]}),
                                     Score("2609.10022", "Diffusion", 0.5, "test"),
                                     Score("2609.10024", "Diffusion", 0.7, "test")])
        scored = c.get("/api/for-you", params={"topic": "Diffusion"}).json()
        assert scored["state"] == "scores"
        assert [p["id"] for p in scored["papers"]] == ["2609.10020", "2609.10024", "2609.10022"]
        assert scored["papers"][0]["why"] == "close to: A <b>library</b> paper; terms: diffusion"
        assert scored["papers"][0]["score"] == 0.9
        assert "close to: A &lt;b&gt;library&lt;/b&gt; paper" in c.get("/for-you", params={"topic": "Diffusion"}).text
        # "Not interested" takes a paper out at once, whatever its score.
        c.post("/api/actions/dislike", json={"id": "2609.10020", "topic": "Diffusion"}, headers={"x-csrf-token": csrf})
        after = c.get("/api/for-you", params={"topic": "Diffusion"}).json()
        assert [p["id"] for p in after["papers"]] == ["2609.10024", "2609.10022"]
        c.post("/api/actions/read", json={"id": "2609.10024"}, headers={"x-csrf-token": csrf})
        unread = c.get("/api/for-you", params={"topic": "Diffusion", "hide_read": "1"}).json()
        assert [p["id"] for p in unread["papers"]] == ["2609.10022"]


# ----------------------------------------------------------------------------- safety


def test_token_via_header_or_login_cookie(tmp_path):
    db = make_store(tmp_path / "tok.sqlite")
    token = "s3cret-token-for-tests-only"
    with running(create_app(db, token=token, loopback_only=False)) as url, \
            httpx.Client(base_url=url, follow_redirects=False) as c:
        assert c.get("/api/search", params={"q": "diffusion"}).status_code == 401
        page = c.get("/search")
        assert page.status_code == 303 and page.headers["location"].startswith("/login")
        login_page = c.get("/login").text
        assert "Diffusion" not in login_page and 'name="csrf-token" content=""' in login_page
        assert c.get("/api/search", params={"q": "diffusion"}, headers={"authorization": f"Bearer {token}"}).status_code == 200
        assert c.get("/api/topics", headers={"x-arxiv-radar-token": token}).status_code == 200
        assert c.get("/api/topics", headers={"authorization": "Bearer wrong-token-wrong-token"}).status_code == 401
        assert c.post("/login", data={"token": "wrong", "next": "/"}).status_code == 401
        ok = c.post("/login", data={"token": token, "next": "/tags"})
        assert ok.status_code == 303 and ok.headers["location"] == "/tags"
        cookie = ok.headers["set-cookie"]
        assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower() and token not in cookie
        assert c.get("/tags").status_code == 200  # the cookie jar now holds the session
        csrf = c.get("/api/csrf").json()["csrf_token"]
        assert c.post("/api/actions/like", json={"id": PAPER}, headers={"x-csrf-token": csrf}).status_code == 200
        out = c.post("/logout", data={"csrf_token": csrf})
        assert out.status_code == 303
        c.cookies.clear()
        assert c.get("/tags").status_code == 303


def test_loopback_app_refuses_foreign_host_names(base):
    with httpx.Client(base_url=base) as c:
        assert c.get("/api/topics", headers={"host": "evil.example"}).status_code == 400
        assert c.get("/api/topics", headers={"host": "localhost:1234"}).status_code == 200


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "example.org"])
def test_non_loopback_start_needs_a_token(host, tmp_path, monkeypatch):
    with pytest.raises(ServeConfigError):
        check_bind(host, None)
    check_bind(host, "a-long-enough-token-1234")
    monkeypatch.delenv("ARXIV_RADAR_SERVE_TOKEN", raising=False)
    db = make_store(tmp_path / "s.sqlite")
    result = CliRunner().invoke(main, ["serve", "--db", str(db), "--host", host, "--port", "0"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("arxiv-radar: error:") and "--token" in lines[0]
    assert "Traceback" not in result.output


def test_loopback_needs_no_token_and_short_tokens_are_refused():
    for host in ("127.0.0.1", "localhost", "::1", "127.0.0.2"):
        check_bind(host, None)
    with pytest.raises(ServeConfigError):
        check_bind("127.0.0.1", "short")


def test_serve_refuses_a_missing_store(tmp_path):
    result = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "nope.sqlite")])
    assert result.exit_code == 2 and "no such database" in result.output


def test_both_topic_listing_plans_agree(db):
    from arxiv_radar.serve import data

    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        for page in (1, 2):
            small, more_small = data.topic_papers(conn, "Diffusion", page=page, per_page=10)
            walk, more_walk = data.topic_papers(conn, "Diffusion", page=page, per_page=10, size=10_000)
            assert [p.id for p in small] == [p.id for p in walk] and more_small == more_walk
    finally:
        conn.close()


def test_hostile_topic_and_tag_names_are_escaped(tmp_path):
    from datetime import date as _date

    db = make_store(tmp_path / "h.sqlite")
    evil = '<img src=x onerror=alert(1)>"&'
    with Store.open(db) as store:
        store.add_matches(evil, [("2609.10030", None), ("2609.10032", None)], _date(2026, 11, 1))
    with running(create_app(db)) as url, httpx.Client(base_url=url) as c:
        csrf = c.get("/api/csrf").json()["csrf_token"]
        c.post("/api/actions/tag", json={"id": "2609.10030", "tag": evil}, headers={"x-csrf-token": csrf})
        for path in ("/", "/trends", "/tags", "/paper/2609.10030", "/search"):
            html = c.get(path, params={"topic": evil} if path == "/trends" else None).text
            assert "<img src=x" not in html, path
            assert "&lt;img src=x onerror=alert(1)&gt;" in html, path
        assert evil in [t["name"] for t in c.get("/api/topics").json()["topics"]]


def test_a_code_link_that_is_not_http_is_never_a_link(tmp_path):
    db = make_store(tmp_path / "j.sqlite")
    with Store.open(db) as store:
        store.record_link("2609.10030", "huggingface", "found", url="javascript:alert(6)")
    with running(create_app(db)) as url, httpx.Client(base_url=url) as c:
        for path in ("/paper/2609.10030", "/search"):
            assert 'href="javascript:' not in c.get(path).text, path


def test_tag_names_are_cleaned():
    from arxiv_radar.store.reading import clean_tag

    assert clean_tag("  a\tb\x00c  \n d ") == "a b c d"
    with pytest.raises(ValueError):
        clean_tag("\x00 \n")
    for dots in (".", " .. "):
        with pytest.raises(ValueError):
            clean_tag(dots)


def test_a_tag_with_slashes_and_dots_links_to_itself(tmp_path):
    db = make_store(tmp_path / "t.sqlite")
    with running(create_app(db)) as url, httpx.Client(base_url=url) as c:
        csrf = c.get("/api/csrf").json()["csrf_token"]
        ok = c.post("/api/actions/tag", json={"id": "2609.10030", "tag": "ml/../secret"}, headers={"x-csrf-token": csrf})
        assert ok.status_code == 200
        dots = c.post("/api/actions/tag", json={"id": "2609.10030", "tag": ".."}, headers={"x-csrf-token": csrf})
        assert dots.status_code == 400
        html = c.get("/tags").text
        # One path segment: a browser cannot resolve it to another tag's page or export.
        assert 'href="/tag/ml%2F..%2Fsecret"' in html and 'href="/tag/ml/../secret"' not in html
        page = c.get("/tag/ml%2F..%2Fsecret")
        assert page.status_code == 200 and "2609.10030" in page.text


def test_the_command_serves_in_its_own_process_on_a_free_port(db, tmp_path):
    exe = str(Path(sys.executable).parent / "arxiv-radar")
    env = {k: v for k, v in os.environ.items() if k != "ARXIV_RADAR_SERVE_TOKEN"}
    proc = subprocess.Popen([exe, "serve", "--db", str(db), "--port", "0"], stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stderr.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert found, line
        url = found.group(0)
        for _ in range(100):
            try:
                r = httpx.get(url + "api/topics", timeout=5)
                break
            except httpx.ConnectError:
                time.sleep(0.05)
        assert r.status_code == 200 and [t["name"] for t in r.json()["topics"]] == TOPICS
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    # A port already taken: one line, exit 2.
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([exe, "serve", "--db", str(db), "--port", str(port)], capture_output=True, text=True,
                                timeout=30, env=env)
    assert result.returncode == 2 and result.stderr.strip().count("\n") == 0
    assert "cannot listen on 127.0.0.1 port" in result.stderr
