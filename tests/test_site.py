"""The static site's HTML, read as text: escaping, relative links only, pagination, determinism."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import site_samples as S

from arxiv_radar.model import Paper
from arxiv_radar.render.site import build_site
from arxiv_radar.render.view import Entry, TopicView


class _Links(HTMLParser):
    """Every URL-valued attribute of a page, as (tag, attribute, value, rel)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str, str, str]] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        for name in ("href", "src", "action", "poster", "srcset", "data"):
            if name in a and a[name] is not None:
                self.urls.append((tag, name, a[name], a.get("rel") or ""))


def _links(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def _pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "pagefind" not in p.parts)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    out = tmp_path / "docs" / "site"
    build_site(S.views(), S.options(), out, feeds_rel="../feeds", search=False)
    return out


def test_index_and_one_page_per_topic(site: Path) -> None:
    assert (site / "index.html").is_file()
    topic_pages = sorted(p.relative_to(site).as_posix() for p in (site / "topics").rglob("*.html"))
    assert topic_pages == [
        "topics/diffusion-models/index.html",
        "topics/language--models/index.html",
        "topics/robot-learning/index.html",
    ]
    assert (site / "assets" / "site.css").is_file() and (site / "assets" / "site.js").is_file()
    # Paper 6 is in two topics: listed on both pages, counted once overall.
    robot = (site / "topics/robot-learning/index.html").read_text(encoding="utf-8")
    diffusion = (site / "topics/diffusion-models/index.html").read_text(encoding="utf-8")
    assert "arXiv:2401.00007" in robot and "arXiv:2401.00007" in diffusion
    assert "30 papers" in (site / "index.html").read_text(encoding="utf-8")


def test_topic_pages_are_newest_first(site: Path) -> None:
    text = (site / "topics/diffusion-models/index.html").read_text(encoding="utf-8")
    dates = [line.split('datetime="')[1][:10] for line in text.splitlines() if 'datetime="' in line]
    assert dates and dates == sorted(dates, reverse=True)


def test_every_field_is_escaped(site: Path) -> None:
    for page in _pages(site):
        text = page.read_text(encoding="utf-8")
        assert "<script>alert" not in text, page
        assert "<b>bold" not in text and "<Models>" not in text, page
    index = (site / "index.html").read_text(encoding="utf-8")
    # The hostile paper is among the newest, shown as text.
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Hostile &#34;title&#34; &amp; &lt;b&gt;bold&lt;/b&gt;" in index
    assert "Language &amp; &lt;Models&gt;" in index


def test_links_are_relative_and_nothing_is_loaded_from_elsewhere(site: Path) -> None:
    for page in _pages(site):
        for tag, attr, value, rel in _links(page).urls:
            parts = urlsplit(value)
            loads = not (tag == "a" or (tag == "link" and rel == "alternate"))
            if loads:
                # Stylesheets, scripts, icons: our own files by relative path (or an inline data: icon).
                assert parts.scheme in ("", "data") and not value.startswith("/"), (page, value)
                if parts.scheme == "":
                    assert (page.parent / parts.path).resolve().is_file(), (page, value)
            elif parts.scheme:
                # Links may leave the site, to arXiv and code hosts only, and never as javascript:.
                assert parts.scheme == "https" and parts.netloc in ("arxiv.org", "github.com"), (page, value)
            else:
                assert not value.startswith("/"), (page, value)  # root-relative breaks under a sub-path
                target = (page.parent / parts.path).resolve()
                if value.endswith(".atom.xml"):
                    assert target.parent == (site.parent / "feeds").resolve(), (page, value)
                else:
                    assert target.is_file(), (page, value)


def test_output_is_deterministic_and_rewrites_nothing_when_unchanged(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    first = build_site(S.views(), S.options(), a, search=False)
    # Entries arrive in store order; the pages must not depend on it.
    shuffled = [TopicView(v.name, tuple(reversed(v.entries))) for v in S.views()]
    build_site(shuffled, S.options(), b, search=False)
    files_a = {p.relative_to(a): p.read_bytes() for p in a.rglob("*") if p.is_file()}
    files_b = {p.relative_to(b): p.read_bytes() for p in b.rglob("*") if p.is_file()}
    assert files_a == files_b
    again = build_site(S.views(), S.options(), a, search=False)
    assert again.written == [] and sorted(again.unchanged) == sorted(first.written)


def test_pagination_and_stale_pages(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site(S.views(), S.options(), out, page_size=4, search=False)
    folder = out / "topics" / "robot-learning"  # 11 papers -> 3 pages
    assert sorted(p.name for p in folder.iterdir()) == ["index.html", "page-2.html", "page-3.html"]
    first = folder.joinpath("index.html").read_text(encoding="utf-8")
    last = folder.joinpath("page-3.html").read_text(encoding="utf-8")
    assert 'rel="next" href="page-2.html"' in first and 'rel="prev"' not in first
    assert 'rel="prev" href="page-2.html"' in last and 'rel="next"' not in last
    assert '<ol class="papers" start="9">' in last

    # One topic left and bigger pages: the other topics' pages and extra pages go away.
    result = build_site(S.views()[1:2], S.options(), out, page_size=500, search=False)
    assert sorted(p.relative_to(out).as_posix() for p in (out / "topics").rglob("*")) == [
        "topics/robot-learning",
        "topics/robot-learning/index.html",
    ]
    assert out / "topics/diffusion-models/index.html" in result.removed


def test_unsafe_code_links_and_control_characters(tmp_path: Path) -> None:
    paper = Paper(
        id="hep-th/9901001",
        title="Bad\x00 title\u2028with\tcontrols",
        published=dt.datetime(1999, 1, 1, tzinfo=dt.timezone.utc),
    )
    views = [TopicView("T", (Entry(paper=paper, code_url="javascript:alert(1)", code_status="found"),))]
    out = tmp_path / "site"
    build_site(views, S.options(), out, search=False)
    text = (out / "topics/t/index.html").read_text(encoding="utf-8")
    assert "javascript:" not in text and 'class="code"' not in text
    assert "Bad title with controls" in text and "\x00" not in text
    assert "https://arxiv.org/abs/hep-th/9901001" in text


def test_search_bundle_is_built_once_per_content(tmp_path: Path) -> None:
    out = tmp_path / "site"
    first = build_site(S.views(), S.options(), out)
    bundle = out / "pagefind"
    assert first.searchable and (bundle / "pagefind.js").is_file()
    assert not list(bundle.glob("pagefind-ui.*"))  # the UIs we do not use are not published
    fragments = [json.loads(gzip.decompress(p.read_bytes())[len(b"pagefind_dcd"):])
                 for p in (bundle / "fragment").iterdir()]
    assert len(fragments) == 30  # one record per paper, though paper 6 is in two topics
    both = next(f for f in fragments if f["meta"]["id"] == "2401.00007")
    assert sorted(both["filters"]["topic"]) == ["diffusion-models", "robot-learning"]
    assert both["filters"]["code"] == ["no"] and both["filters"]["day"] == ["2024-01-19"]
    hostile = next(f for f in fragments if f["meta"]["id"] == "2401.00030")
    assert hostile["meta"]["title"] == S.HOSTILE_TITLE  # raw text; the page sets it as text

    again = build_site(S.views(), S.options(), out)
    assert again.written == [] and again.timings["index"] == 0.0

    # A new paper: the bundle is rebuilt, and stale chunks do not pile up.
    more = S.specs()
    more.append(S.Spec(30, "2404.00001", "A new zebrafish paper", "", ("New Author",),
                       dt.date(2024, 3, 31), (S.TOPICS[0],), None))
    third = build_site(S.views(more), S.options(), out)
    assert third.timings["index"] > 0 and len(list((bundle / "fragment").iterdir())) == 31
    assert (bundle / "pagefind-entry.json") in third.written
