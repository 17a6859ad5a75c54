"""The static site in real headless Chromium (Debian's package, driven by Playwright).

Served from a sub-path (/myrepo/site/) the way GitHub Pages serves a project site. Skips when
/usr/bin/chromium is absent, except under CI=true, where that is a failure (.ci/run installs it).
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import site_samples as S

from arxiv_radar.render.site import build_site

pytestmark = pytest.mark.chromium

class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("pages")
    result = build_site(S.views(S.parted_specs()), S.options(), root / "myrepo" / "site", feeds_rel="../feeds")
    # The site is built in parts: a year part and the newest year's months.
    assert result.parts_built == ["2021", "2022", "2023", "2024-01", "2024-02", "2024-03"]
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/myrepo/site/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.dialogs = []
    pg.errors = []
    pg.outside = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("request", lambda r: None if r.url.startswith(("http://127.0.0.1", "data:")) else pg.outside.append(r.url))
    yield pg
    context.close()


def _ready(pg) -> None:
    pg.wait_for_function("document.documentElement.dataset.search === 'ready'", timeout=15_000)


def _titles(pg) -> list[str]:
    _ready(pg)
    return pg.locator("#result-list .title").all_inner_texts()


def _expect(specs, **where) -> list[str]:
    """Titles of sample papers matching the given predicates, for comparison as sets."""
    out = []
    for s in specs:
        if all(check(s) for check in where.values()):
            out.append(s.title)
    return sorted(out)


def _type(pg, selector: str, text: str) -> None:
    pg.fill(selector, text)
    # The box searches as you type (debounced); wait until this query's answer is shown.
    pg.wait_for_function(
        "([v]) => document.documentElement.dataset.search === 'ready' && "
        "new URLSearchParams(location.search).get('q') === (v || null)",
        arg=[text],
        timeout=15_000,
    )


def test_search_filters_and_escaping(page, served: str, tmp_path: Path) -> None:
    specs = S.parted_specs()
    page.goto(served + "index.html")
    _ready(page)
    assert page.locator("#search").is_visible()
    listing = page.locator("#listing")
    assert listing.is_visible()
    # The hostile title is in the static list as text, and no script ran.
    assert page.get_by_text(S.HOSTILE_TITLE, exact=True).count() >= 1

    # A query narrows the list to the papers with that word.
    _type(page, "#q", "zebrafish")
    zebra = _expect(specs, q=lambda s: "zebrafish" in s.title)
    assert len(zebra) == 4
    assert sorted(_titles(page)) == zebra
    assert not listing.is_visible()
    assert page.inner_text("#status") == "4 papers match"

    # Topic and has-code combine with the query.
    page.select_option("#topic", "diffusion-models")
    assert sorted(_titles(page)) == _expect(
        specs, q=lambda s: "zebrafish" in s.title, t=lambda s: S.TOPICS[0] in s.topics
    )
    page.check("#code")
    combined = _expect(
        specs,
        q=lambda s: "zebrafish" in s.title,
        t=lambda s: S.TOPICS[0] in s.topics,
        c=lambda s: s.code is not None,
    )
    assert len(combined) == 1 and sorted(_titles(page)) == combined
    code_links = page.locator("#result-list a.code")
    assert code_links.count() == 1 and code_links.get_attribute("href").startswith("https://github.com/")

    # A date range narrows further: filters only, no query, newest first.
    page.select_option("#topic", "")
    page.uncheck("#code")
    _type(page, "#q", "")
    page.fill("#from", "2024-02-10")
    page.fill("#to", "2024-03-10")
    page.locator("#to").dispatch_event("change")
    in_range = [
        s for s in sorted(specs, key=lambda s: s.day, reverse=True)
        if "2024-02-10" <= s.day.isoformat() <= "2024-03-10"
    ]
    assert _titles(page) == [s.title for s in in_range]  # sorted by date, newest first
    page.select_option("#topic", "robot-learning")
    assert _titles(page) == [s.title for s in in_range if S.TOPICS[1] in s.topics]

    # Authors and abstracts are searched too.
    page.select_option("#topic", "")
    page.fill("#from", "")
    page.fill("#to", "")
    page.locator("#to").dispatch_event("change")
    _type(page, "#q", "Quispe")
    assert _titles(page) == _expect(specs, a=lambda s: "Wilma Quispe" in s.authors)
    _type(page, "#q", "photosynthesis")
    assert _titles(page) == _expect(specs, a=lambda s: "Photosynthesis" in s.abstract)
    assert page.locator("#result-list mark").first.inner_text() == "Photosynthesis"

    # The hostile title in search results: text, not markup.
    _type(page, "#q", "hostile")
    assert _titles(page) == [S.HOSTILE_TITLE]
    assert page.locator("#result-list script").count() == 0
    assert page.locator("#result-list b").count() == 0

    shot = tmp_path / "site-desktop.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 5_000
    assert page.dialogs == [] and page.errors == [] and page.outside == []


def test_topic_page_on_a_phone(page, served: str, tmp_path: Path) -> None:
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(served + "topics/robot-learning/index.html")
    _ready(page)
    # The topic is preselected; the static list shows until the reader searches.
    assert page.locator("#topic").input_value() == "robot-learning"
    assert page.locator("#listing .paper").count() == sum(S.TOPICS[1] in s.topics for s in S.parted_specs())
    # Nothing wider than the screen (no sideways scrolling).
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    _type(page, "#q", "zebrafish")
    assert _titles(page) == ["Study 10 zebrafish of embodied systems"]
    # Result links to topic pages stay under the sub-path.
    tag = page.locator("#result-list a.tag").first.get_attribute("href")
    assert "/myrepo/site/topics/robot-learning/index.html" in tag
    shot = tmp_path / "site-phone.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 5_000
    assert page.dialogs == [] and page.errors == [] and page.outside == []


def test_lists_work_without_javascript(browser, served: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        pg = context.new_page()
        pg.goto(served + "topics/diffusion-models/index.html")
        assert not pg.locator("#search").is_visible()  # the search form needs JS
        titles = pg.locator("#listing .paper .title").all_inner_texts()
        expected = sorted((s for s in S.parted_specs() if S.TOPICS[0] in s.topics), key=lambda s: s.day, reverse=True)
        assert titles == [s.title for s in expected]
        pg.click("text=Robot Learning")
        assert pg.url.endswith("/myrepo/site/topics/robot-learning/index.html")
    finally:
        context.close()


def test_over_file_urls_the_search_box_says_how_to_serve_the_site(page, tmp_path: Path) -> None:
    site = tmp_path / "my site"
    build_site(S.views(), S.options(), site, feeds_rel="../feeds")
    page.goto((site / "index.html").as_uri())
    note = page.locator("#search-note")
    note.wait_for(state="visible", timeout=10_000)
    text = note.inner_text()
    assert f"Search needs http: python3 -m http.server -d {site}/ 8000" in text
    assert page.locator("#search").is_hidden()  # no dead form
    topic = next((site / "topics").iterdir()) / "index.html"
    page.goto(topic.as_uri())
    assert f"-d {site}/ 8000" in page.locator("#search-note").inner_text()


def test_one_query_finds_papers_in_an_old_part_and_the_newest_part(page, served: str) -> None:
    page.goto(served + "index.html")
    _ready(page)
    page.select_option("#topic", "diffusion-models")
    page.fill("#from", "2022-01-01")
    page.fill("#to", "2024-03-31")
    page.locator("#to").dispatch_event("change")
    _type(page, "#q", "axolotl")
    # 2022 is a year part, 2024-03 the newest month part; the 2021 paper is before the range
    # and the 2023 one in another topic.
    assert sorted(_titles(page)) == ["A newer axolotl study", "An old axolotl study"]
    assert page.inner_text("#status") == "2 papers match"
    assert page.locator("#result-list mark").first.inner_text() == "Axolotl"
    # Newest first when sorted by date; a prefix ("axol") finds the same papers.
    page.select_option("#sort", "date")
    _type(page, "#q", "axol")
    assert _titles(page) == ["A newer axolotl study", "An old axolotl study"]

    # Ranking across parts, no filters: the one paper with the word in its title comes first
    # (it is in the 2023 part), then the abstract-only ones; by date, newest first.
    page.select_option("#topic", "")
    page.fill("#from", "")
    page.fill("#to", "")
    page.locator("#to").dispatch_event("change")
    page.select_option("#sort", "relevance")
    _type(page, "#q", "regeneration")
    titles = _titles(page)
    assert len(titles) == 4 and titles[0] == "Axolotl regeneration by grasping"
    page.select_option("#sort", "date")
    assert _titles(page) == ["A newer axolotl study", "Axolotl regeneration by grasping", "An old axolotl study",
                             "Axolotl before the range"]
    assert page.dialogs == [] and page.errors == [] and page.outside == []


def test_the_browser_splits_and_folds_words_as_the_indexer_does(page, served: str) -> None:
    from arxiv_radar.render.site_search import bucket, fold, tokens

    page.goto(served + "index.html")
    _ready(page)
    text = "Diffusion MODELS, studies of 3D-scenes: Ärzte naïve series_x 東京大学 glasses bus ℝ² x86 𝐀𝐁s 𝐀s ΟΔΟΣ"
    got = page.evaluate(
        """async ([text]) => {
            const m = await import("./assets/site.js");
            const words = m.tokens(text);
            return { words, folded: words.map(m.fold), buckets: words.map((w) => [m.bucket(w, 7), m.bucket(w, 64)]) };
        }""",
        [text],
    )
    words = tokens(text)
    assert got["words"] == words
    assert got["folded"] == [fold(w) for w in words]
    assert got["buckets"] == [[bucket(w, 7), bucket(w, 64)] for w in words]
