"""The static site's HTML, read as text: escaping, relative links only, pagination, determinism."""

from __future__ import annotations

import datetime as dt
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
    return sorted(site.rglob("*.html"))


@pytest.fixture
def site(tmp_path: Path) -> Path:
    out = tmp_path / "docs" / "site"
    build_site(S.views(), S.options(), out, feeds_rel="../feeds", search=False)
    return out


def test_index_and_pages_per_topic_and_month(site: Path) -> None:
    assert (site / "index.html").is_file()
    topic_pages = sorted(p.relative_to(site).as_posix() for p in (site / "topics").rglob("*.html"))
    months = ["2024-01", "2024-02", "2024-03"]
    assert topic_pages == sorted(
        f"topics/{slug}/{page}.html"
        for slug in ("diffusion-models", "language--models", "robot-learning")
        for page in ["index", *months]
    )
    assert (site / "assets" / "site.css").is_file() and (site / "assets" / "site.js").is_file()
    # Paper 6 is in two topics: listed on both pages, counted once overall.
    robot = (site / "topics/robot-learning/index.html").read_text(encoding="utf-8")
    diffusion = (site / "topics/diffusion-models/index.html").read_text(encoding="utf-8")
    assert "arXiv:2401.00007" in robot and "arXiv:2401.00007" in diffusion
    assert "arXiv:2401.00007" in (site / "topics/robot-learning/2024-01.html").read_text(encoding="utf-8")
    assert "30 papers" in (site / "index.html").read_text(encoding="utf-8")
    # A topic's first page links its months, newest first.
    assert robot.index('href="2024-03.html"') < robot.index('href="2024-02.html"') < robot.index('href="2024-01.html"')


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


def test_long_months_are_paginated_and_stale_pages_go(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site(S.views(), S.options(), out, page_size=2, search=False)
    folder = out / "topics" / "robot-learning"
    # Robot learning has 3 papers in February 2024 (papers 13, 16, 19): two pages of two.
    feb = sorted(s.id for s in S.specs() if S.TOPICS[1] in s.topics and s.day.month == 2)
    assert len(feb) == 3
    assert {"2024-02.html", "2024-02-2.html"} <= {p.name for p in folder.iterdir()}
    assert not (folder / "2024-02-3.html").exists()
    first = folder.joinpath("2024-02.html").read_text(encoding="utf-8")
    last = folder.joinpath("2024-02-2.html").read_text(encoding="utf-8")
    assert 'rel="next" href="2024-02-2.html"' in first and 'rel="prev"' not in first
    assert 'rel="prev" href="2024-02.html"' in last and 'rel="next"' not in last
    assert '<ol class="papers" start="3">' in last
    assert f"arXiv:{feb[-1]}" in first and f"arXiv:{feb[0]}" in last  # newest first

    # One topic left and bigger pages: the other topics' pages and extra pages go away.
    result = build_site(S.views()[1:2], S.options(), out, page_size=500, search=False)
    assert sorted(p.relative_to(out).as_posix() for p in (out / "topics").rglob("*")) == [
        "topics/robot-learning",
        "topics/robot-learning/2024-01.html",
        "topics/robot-learning/2024-02.html",
        "topics/robot-learning/2024-03.html",
        "topics/robot-learning/index.html",
    ]
    assert out / "topics/diffusion-models/index.html" in result.removed
    assert out / "topics/robot-learning/2024-02-2.html" in result.removed


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


def _spec(i: int, day: dt.date, title: str, topic: int = 0, code: str | None = None) -> S.Spec:
    return S.Spec(100 + i, f"{day:%y%m}.{90000 + i:05d}", title, "An added paper.", ("New Author",), day,
                  (S.TOPICS[topic],), code)


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_search_index_in_parts(tmp_path: Path) -> None:
    out = tmp_path / "site"
    specs = S.specs() + [_spec(1, dt.date(2022, 5, 4), "An old axolotl study")]
    first = build_site(S.views(specs), S.options(), out)
    assert first.searchable
    # Older years are one part each; the newest year is split by month.
    assert first.parts_built == ["2022", "2024-01", "2024-02", "2024-03"]
    manifest = json.loads((out / "search/manifest.json").read_text(encoding="utf-8"))
    assert [p["name"] for p in manifest["parts"]] == ["2024-03", "2024-02", "2024-01", "2022"]
    assert manifest["docs"] == 31 and sum(p["docs"] for p in manifest["parts"]) == 31
    assert manifest["topics"][2] == ["language--models", "Language & <Models>"]
    jan = next(p for p in manifest["parts"] if p["name"] == "2024-01")
    assert (jan["from"], jan["to"]) == ("2024-01-01", "2024-01-31")

    docs = json.loads((out / "search/2024-01/docs.json").read_text(encoding="utf-8"))
    # January holds papers 0..10 in date order; paper 6 (2024-01-19) is in two topics.
    assert sum(docs["days"]) == (dt.date(2024, 1, 31) - dt.date(1970, 1, 1)).days
    numbers = lambda deltas: [sum(deltas[: i + 1]) for i in range(len(deltas))]  # noqa: E731
    assert 6 in numbers(docs["topics"]["diffusion-models"]) and 6 in numbers(docs["topics"]["robot-learning"])
    assert numbers(docs["code"]) == [0, 4, 8]  # papers 0, 4, 8 have code
    chunk = json.loads((out / "search/2024-03/c0.json").read_text(encoding="utf-8"))
    hostile = next(row for row in chunk if row[0] == "2401.00030")
    assert hostile[1] == S.HOSTILE_TITLE  # raw text in JSON; the page sets it as text
    # "zebrafish" is in four titles; its postings hold paper numbers and title-weighted counts.
    found = {}
    for part in manifest["parts"]:
        for shard in range(part["shards"]):
            terms = json.loads((out / f"search/{part['name']}/t{shard}.json").read_text(encoding="utf-8"))
            if "zebrafish" in terms:
                found[part["name"]] = [int(n) for n in terms["zebrafish"].split(",")]
    assert sum(len(v) // 2 for v in found.values()) == 4
    assert all(w == 5 for v in found.values() for w in v[len(v) // 2 :])


def test_a_daily_run_rebuilds_only_the_changed_parts(tmp_path: Path) -> None:
    out = tmp_path / "site"
    specs = S.specs() + [_spec(1, dt.date(2022, 5, 4), "An old axolotl study")]
    build_site(S.views(specs), S.options(), out)
    before = _files(out)
    again = build_site(S.views(specs), S.options(), out)
    assert again.parts_built == [] and again.written == []
    assert again.pages == sum(rel.endswith(".html") for rel in before)

    # A new paper in the newest month: that part, the landing pages and the manifest change.
    specs.append(_spec(2, dt.date(2024, 3, 30), "A newer axolotl study", topic=1))
    daily = build_site(S.views(specs), S.options(), out)
    assert daily.parts_built == ["2024-03"]
    after = _files(out)
    changed = sorted(rel for rel in after if before.get(rel) != after[rel])
    assert all(rel.startswith(("search/2024-03/", "topics/robot-learning/2024-03")) or rel in (
        "index.html", "search/manifest.json", "search/state.json", "topics/robot-learning/index.html",
        "topics/diffusion-models/index.html", "topics/language--models/index.html") for rel in changed), changed
    assert "topics/robot-learning/2024-03.html" in changed
    assert not any(rel.startswith(("search/2022/", "search/2024-01/", "topics/diffusion-models/2024-03")) for rel in changed)

    # A code link found for an old paper rebuilds that paper's part only.
    specs[-2] = S.Spec(**{**specs[-2].__dict__, "code": "https://github.com/lab/axolotl"})
    later = build_site(S.views(specs), S.options(), out)
    assert later.parts_built == ["2022"]
    assert b"github.com/lab/axolotl" in (out / "topics/diffusion-models/2022-05.html").read_bytes()


def test_damaged_or_missing_files_are_rebuilt_and_full_rebuilds_all(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site(S.views(), S.options(), out)
    good = _files(out)
    (out / "search/2024-02/c0.json").write_bytes(b"[]")
    (out / "topics/robot-learning/2024-01.html").unlink()
    (out / "search/2024-03/stray.json").write_bytes(b"{}")
    fixed = build_site(S.views(), S.options(), out)
    assert fixed.parts_built == ["2024-01", "2024-02"]
    assert _files(out) == good

    (out / "search/state.json").write_text("not json", encoding="utf-8")
    assert build_site(S.views(), S.options(), out).parts_built == ["2024-01", "2024-02", "2024-03"]
    full = build_site(S.views(), S.options(), out, full=True)
    assert full.parts_built == ["2024-01", "2024-02", "2024-03"] and full.written == []
    assert _files(out) == good


def test_the_sweep_removes_only_files_the_site_writes(tmp_path: Path) -> None:
    """A store, notes or anything else someone put in search/ or topics/ survives a build (the
    reviewer's store in site_dir/search/ was deleted); the site's own stale files still go."""
    out = tmp_path / "site"
    build_site(S.views(), S.options(), out)
    good = _files(out)
    foreign = {
        "search/store.sqlite": b"SQLite format 3\x00",
        "search/store.sqlite-wal": b"wal",
        "search/notes/todo.txt": b"mine",
        "search/2024-03/readme.txt": b"mine",
        "search/archive/old.json": b"{}",
        "topics/robot-learning/notes.md": b"mine",
        "topics/robot-learning/drafts/idea.html": b"<p>mine</p>",
    }
    for rel, data in foreign.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)
    stale = ["search/2019/docs.json", "search/2024-03/.c0.json.tmp", "topics/gone/2020-01.html",
             "topics/robot-learning/.index.html.abc123.tmp"]
    for rel in stale:
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(b"old")
    removed = []
    for full in (False, True):
        removed.append(sorted(p.relative_to(out).as_posix() for p in build_site(S.views(), S.options(), out, full=full).removed))
        assert _files(out) == {**good, **foreign}
    assert removed == [sorted(stale), []]


def test_two_builds_of_the_same_papers_are_byte_identical(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    build_site(S.views(), S.options(), a)
    shuffled = [TopicView(v.name, tuple(reversed(v.entries))) for v in S.views()]
    build_site(shuffled, S.options(), b)
    assert _files(a) == _files(b)


def test_month_pages_do_not_show_the_run_date(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site(S.views(), S.options(), out)
    month = _files(out)
    later = build_site(S.views(), S.options().__class__(date=S.DAY + dt.timedelta(days=1)), out)
    assert later.parts_built == []
    assert sorted(p.relative_to(out).as_posix() for p in later.written) == [
        "index.html", "topics/diffusion-models/index.html", "topics/language--models/index.html",
        "topics/robot-learning/index.html",
    ]
    assert all(_files(out)[rel] == data for rel, data in month.items() if "/20" in rel)


def test_pages_stay_under_a_megabyte_with_huge_author_lists(tmp_path: Path) -> None:
    from arxiv_radar.model import Author
    from arxiv_radar.render.site import PAGE_SIZE

    crowd = tuple(Author(f"Collaborator Number{k} Surname{k}") for k in range(3000))
    entries = tuple(
        Entry(paper=Paper(id=f"2403.{i:05d}", title="T " * 100, abstract="word " * 384, authors=crowd,
                          published=dt.datetime(2024, 3, 1, tzinfo=dt.timezone.utc)))
        for i in range(PAGE_SIZE + 1)
    )
    out = tmp_path / "site"
    build_site([TopicView("Big", entries)], S.options(), out, search=False)
    pages = sorted((out / "topics/big").glob("*.html"))
    assert [p.name for p in pages] == ["2024-03-2.html", "2024-03.html", "index.html"]
    assert max(p.stat().st_size for p in pages) < 1_000_000
    text = pages[1].read_text(encoding="utf-8")
    assert "Surname49 et al." in text and "Surname50" not in text


def test_the_pagefind_bundle_of_older_versions_is_removed(tmp_path: Path) -> None:
    out = tmp_path / "site"
    old = out / "pagefind"
    (old / "fragment").mkdir(parents=True)
    (old / "fragment" / "en_1.pf_fragment").write_bytes(b"x")
    (old / "arxiv-radar-source.sha256").write_text("0" * 64 + "\n", encoding="utf-8")
    mine = out / "mine" / "pagefind"
    mine.mkdir(parents=True)  # somebody else's folder of that name elsewhere is left alone
    result = build_site(S.views(), S.options(), out)
    assert not old.exists() and old in result.removed and mine.is_dir()


def test_a_new_summary_rebuilds_its_part_and_new_scores_only_the_for_you_page(tmp_path: Path) -> None:
    from dataclasses import replace

    from arxiv_radar.render.view import PaperSummary

    out = tmp_path / "site"

    def views(score_of=None, summary_of=None):
        return [TopicView(v.name, tuple(
            replace(e, score=(score_of or {}).get(e.paper.id), summary=(summary_of or {}).get(e.paper.id))
            for e in v.entries)) for v in S.views()]

    build_site(views({"2401.00001": 0.5}), S.options(), out)
    rescored = build_site(views({"2401.00001": 0.9}), S.options(), out)
    assert rescored.parts_built == []
    assert sorted(p.relative_to(out).as_posix() for p in rescored.written) == ["topics/diffusion-models/for-you.html"]

    summary = PaperSummary.of({"tldr": "Zebrafish, briefly."})
    summarised = build_site(views({"2401.00001": 0.9}, {"2401.00001": summary}), S.options(), out)
    assert summarised.parts_built == ["2024-01"]
    assert "Zebrafish, briefly." in (out / "topics/diffusion-models/2024-01.html").read_text(encoding="utf-8")


def test_hostile_records_at_every_cap_still_give_pages_under_a_megabyte(tmp_path: Path) -> None:
    # Titles and abstracts at their caps, all "<" (four bytes once escaped): pages are cut by size.
    entries = tuple(
        Entry(paper=Paper(id=f"2403.{i:05d}", title="<" * 1000, abstract="<&" * 5000,
                          published=dt.datetime(2024, 3, 1, tzinfo=dt.timezone.utc)))
        for i in range(40)
    )
    out = tmp_path / "site"
    build_site([TopicView("Big", entries)], S.options(), out)
    pages = sorted(out.rglob("*.html"))
    assert len([p for p in pages if p.name.startswith("2024-03")]) > 1
    assert max(p.stat().st_size for p in pages) < 1_000_000
    assert (out / "index.html").stat().st_size < 300_000
    listed = sum(p.read_text(encoding="utf-8").count('class="paper"') for p in pages if p.name.startswith("2024-03"))
    assert listed == 40
