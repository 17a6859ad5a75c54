"""The reading room end to end in real headless Chromium (Debian's package, driven by Playwright).

Search, open a paper, tag it, like it, see "For you" change, export the tag; screenshots of
each step go to the test's tmp_path (kept by pytest for the last runs). Skips when
/usr/bin/chromium is absent, except under CI=true, where that is a failure (.ci/run installs it).
"""

from __future__ import annotations

import json
from pathlib import Path

import bibtexparser
import pytest
from serve_support import HOSTILE, make_store, running

from arxiv_radar.serve import create_app

pytestmark = pytest.mark.chromium

@pytest.fixture
def room(tmp_path):
    db = make_store(tmp_path / "room.sqlite")
    with running(create_app(db, topics=["Diffusion", "Graphs"])) as url:
        yield url


def test_search_tag_like_for_you_export(browser, room: str, tmp_path: Path) -> None:
    shots = tmp_path / "screenshots"
    shots.mkdir()
    context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    outside: list[str] = []
    dialogs: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: None if r.url.startswith(room) or r.url.startswith("data:") else outside.append(r.url))

    # For you starts empty, and says what to do.
    page.goto(room + "/for-you")
    assert page.locator("#for-you-state").get_attribute("data-state") == "empty"
    assert "No scores yet: add a library or like papers" in page.inner_text("#for-you-state")
    page.screenshot(path=str(shots / "1-for-you-empty.png"), full_page=True)

    # Search from the header box; the hostile title is text, no script ran.
    page.fill(".quick-search input[name=q]", "ti:robust")
    page.press(".quick-search input[name=q]", "Enter")
    page.wait_for_url("**/search?q=ti%3Arobust")
    titles = page.locator(".papers .paper .title").all_inner_texts()
    assert titles == [f"Robust diffusion {HOSTILE}"]
    page.screenshot(path=str(shots / "2-search.png"), full_page=True)

    # Open the paper.
    page.click(".papers .paper .title")
    page.wait_for_url("**/paper/2609.10005")
    assert page.inner_text("h1") == f"Robust diffusion {HOSTILE}"
    assert "Bletchley Park" in page.inner_text(".authors-full")
    assert page.locator("text=Similar papers").count() == 1

    # Tag it: the page updates in place (no navigation), the tag chip appears.
    url_before = page.url
    page.fill(".paper-page .add-tag input[name=tag]", "reading group")
    page.click(".paper-page .add-tag button")
    page.wait_for_selector(".paper-page .tag-chip a.tag:has-text('reading group')")
    assert page.url == url_before

    # Like it: the button turns into "Liked" in place.
    page.click(".paper-page button[data-action=like]")
    page.wait_for_selector(".paper-page button[data-action=like][aria-pressed=true]")
    assert page.inner_text(".paper-page button[data-action=like]") == "Liked"
    page.screenshot(path=str(shots / "3-paper-tagged-liked.png"), full_page=True)

    # For you has changed: papers like the liked one, not the liked one itself.
    page.goto(room + "/for-you")
    assert page.locator("#for-you-state").get_attribute("data-state") == "liked"
    shown = [a.get_attribute("href") for a in page.locator(".papers .paper a.title").all()]
    assert shown and "/paper/2609.10005" not in shown
    page.screenshot(path=str(shots / "4-for-you-after-like.png"), full_page=True)

    # "Not interested" on the first suggestion takes it out of the list after a reload.
    first = shown[0]
    page.click(".papers .paper:first-child button[data-action=dislike]")
    page.wait_for_selector(".papers .paper:first-child button[data-action=dislike][aria-pressed=true]")
    page.reload()
    assert first not in [a.get_attribute("href") for a in page.locator(".papers .paper a.title").all()]

    # The tag page lists the paper and exports it as BibTeX and JSON.
    page.goto(room + "/tags")
    page.click("text=reading group")
    page.wait_for_url("**/tag/reading%20group")
    assert page.locator(".papers .paper").count() == 1
    page.screenshot(path=str(shots / "5-tag.png"), full_page=True)
    with page.expect_download() as dl:
        page.click("#export-bibtex")
    bib_path = tmp_path / dl.value.suggested_filename
    dl.value.save_as(bib_path)
    assert bib_path.name == "arxiv-radar-reading-group.bib"
    entries = bibtexparser.parse_string(bib_path.read_text(encoding="utf-8")).entries
    assert [e.key for e in entries] == ["arXiv:2609.10005"]
    with page.expect_download() as dl:
        page.click("#export-json")
    json_path = tmp_path / dl.value.suggested_filename
    dl.value.save_as(json_path)
    assert [p["id"] for p in json.loads(json_path.read_text(encoding="utf-8"))["papers"]] == ["2609.10005"]

    # Trends draw two charts.
    page.goto(room + "/trends?topic=Diffusion")
    assert page.locator("svg.chart").count() == 2
    page.screenshot(path=str(shots / "6-trends.png"), full_page=True)

    assert errors == [] and dialogs == [] and outside == []
    assert len(list(shots.glob("*.png"))) == 6 and all(p.stat().st_size > 5000 for p in shots.glob("*.png"))
    context.close()


def test_actions_work_without_javascript(browser, room: str, tmp_path: Path) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(room + "/topic/Graphs")
    card = page.locator(".papers .paper").first
    pid = card.get_attribute("data-id")
    with page.expect_navigation():
        card.locator("button[data-action=read]").click()
    assert page.url == room + "/topic/Graphs"
    card = page.locator(f".papers .paper[data-id='{pid}']")
    assert "is-read" in (card.get_attribute("class") or "")
    assert card.locator("button[data-action=read]").inner_text() == "Read ✓"
    page.screenshot(path=str(tmp_path / "no-js-read.png"), full_page=True)
    context.close()
