from datetime import date

import feedparser
import pytest

from _delivery_support import DAY1, DAY2, make_config, paper, seeded_store, utc
from arxiv_radar.model import Author
from arxiv_radar.publish.views import build_views, render_options
from arxiv_radar.publish.feeds import feed_events, write_feeds
from arxiv_radar.render.digest import PaperEvent
from arxiv_radar.render.feeds import feed_paths, feed_slugs, render_feeds
from arxiv_radar.render.view import Entry, RenderOptions, TopicView


@pytest.fixture
def setup(tmp_path):
    config = make_config(tmp_path)
    store = seeded_store(tmp_path)
    yield config, store
    store.close()


def parse(text: str):
    d = feedparser.parse(text)
    assert not d.bozo, d.get("bozo_exception")
    return d


def test_write_feeds_files_and_counts(setup):
    config, store = setup
    written = write_feeds(config, store, DAY1)
    feeds = config.feeds_dir
    names = sorted(p.name for p in feeds.iterdir())
    slug = feed_slugs(list(config.topics))
    assert names == sorted(
        ["all.rss.xml", "all.atom.xml"]
        + [f"{slug[t]}.{kind}.xml" for t in config.topics for kind in ("rss", "atom")]
    )
    assert sorted(written) == sorted(feeds.iterdir())
    for kind in ("rss", "atom"):
        all_feed = parse((feeds / f"all.{kind}.xml").read_text(encoding="utf-8"))
        # Paper 1 is in two topics but appears once; the unmatched paper 4 not at all.
        assert [e.id for e in all_feed.entries] == [
            "http://arxiv.org/abs/2502.00003",  # newest first
            "http://arxiv.org/abs/2502.00002",
            "http://arxiv.org/abs/2502.00001",
        ]
        vision = parse((feeds / f"{slug['Vision']}.{kind}.xml").read_text(encoding="utf-8"))
        assert len(vision.entries) == 2
        robots = parse((feeds / f"{slug['Robots & <Agents>']}.{kind}.xml").read_text(encoding="utf-8"))
        assert [e.id for e in robots.entries] == ["http://arxiv.org/abs/2502.00001"]


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_entry_fields(setup, kind):
    config, store = setup
    write_feeds(config, store, DAY1)
    d = parse((config.feeds_dir / f"all.{kind}.xml").read_text(encoding="utf-8"))
    e = next(x for x in d.entries if x.id.endswith("2502.00001"))
    assert e.title == "Seeing robots"
    assert e.link == "http://arxiv.org/abs/2502.00001"
    assert [a["name"] for a in e.authors] == ["Ada Lovelace", "Alan Turing", "Émilie du Châtelet"]
    assert [t.term for t in e.tags] == ["cs.CV", "cs.LG"]
    assert "Abstract of 2502.00001." in e.summary
    # The code link: in the summary for both, and as an Atom rel="related" link.
    assert 'href="https://github.com/x/seeing?a=1&amp;b=2"' in e.summary
    assert "Robots &amp; &lt;Agents&gt;" in e.summary and "Vision" in e.summary
    if kind == "atom":
        related = [link for link in e.links if link.rel == "related"]
        assert [link.href for link in related] == ["https://github.com/x/seeing?a=1&b=2"]
        assert e.published.startswith("2025-02-01")
    assert d.feed.link == "https://someone.github.io/radar/"


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_hostile_text_is_escaped_and_controls_stripped(setup, kind):
    config, store = setup
    write_feeds(config, store, DAY1)
    raw = (config.feeds_dir / f"all.{kind}.xml").read_text(encoding="utf-8")
    assert "<script>" not in raw and "<img" not in raw
    assert not any(c in raw for c in "\x00\x07\x0b\x1b")
    e = next(x for x in parse(raw).entries if x.id.endswith("2502.00002"))
    # The title is text: the reader shows the characters, it does not run them.
    assert e.title == "Attack <script>alert('x')</script> & friends"
    # The summary is HTML in which the abstract's markup is escaped text.
    assert "&lt;img src=x onerror=alert(1)&gt; &amp;" in e.summary
    assert "<img" not in e.summary


def test_updated_paper_is_one_entry_marked_updated(setup):
    config, store = setup
    store.upsert_papers([paper("2502.00001", "Seeing robots", day=1, version=2, updated=utc(2025, 2, 20, 12))], DAY2)
    write_feeds(config, store, DAY2)
    for kind in ("rss", "atom"):
        d = parse((config.feeds_dir / f"all.{kind}.xml").read_text(encoding="utf-8"))
        mine = [e for e in d.entries if e.id == "http://arxiv.org/abs/2502.00001"]
        assert len(mine) == 1
        assert mine[0].title == "Seeing robots (updated v2)"
        assert d.entries[0] is mine[0] or d.entries[0].id == mine[0].id  # newest change first
        if kind == "atom":
            assert mine[0].updated.startswith("2025-02-20")
            assert mine[0].published.startswith("2025-02-01")
        else:
            assert mine[0].published.startswith("Thu, 20 Feb 2025")


def test_a_topic_taken_out_of_the_config_takes_its_feeds_along(setup, tmp_path):
    config, store = setup
    write_feeds(config, store, DAY1)
    mine = config.feeds_dir / "my-notes.xml"
    mine.write_text("<notes/>", encoding="utf-8")  # not ours: never touched
    slug = feed_slugs(list(config.topics))["Language"]
    fewer = make_config(tmp_path, topics={"Vision": {"filters": ["vision"]},
                                          "Robots & <Agents>": {"filters": ["robot"]}})
    write_feeds(fewer, store, DAY1)
    names = {p.name for p in config.feeds_dir.iterdir()}
    assert f"{slug}.rss.xml" not in names and f"{slug}.atom.xml" not in names
    assert {"all.rss.xml", "all.atom.xml", "my-notes.xml"} <= names


def test_rerun_same_day_writes_identical_files(setup):
    config, store = setup
    first = write_feeds(config, store, DAY1)
    before = {p: p.read_bytes() for p in first}
    assert write_feeds(config, store, DAY1) == []  # nothing changed, nothing rewritten
    # Rendering again from scratch gives the same bytes (no wall clock inside).
    views = build_views(store, list(config.topics))
    events = feed_events(store, {e.paper.id for v in views for e in v.entries})
    again = render_feeds(views, render_options(config, DAY1), events)
    for path, data in before.items():
        assert again[path.name].encode("utf-8") == data
    assert "2025-03-03" in (config.feeds_dir / "all.atom.xml").read_text(encoding="utf-8")


def test_cap_and_order():
    opts = RenderOptions(date=date(2025, 3, 3))
    entries = tuple(Entry(paper(f"2502.{i:05d}", day=1 + i % 28)) for i in range(250))
    out = render_feeds([TopicView("T", entries)], opts, {}, max_entries=200)
    d = parse(out["all.atom.xml"])
    assert len(d.entries) == 200
    dates = [e.updated for e in d.entries]
    assert dates == sorted(dates, reverse=True)


def test_empty_feed_is_valid_and_deterministic():
    opts = RenderOptions(date=date(2025, 3, 3))
    a = render_feeds([TopicView("Empty", ())], opts, {})
    b = render_feeds([TopicView("Empty", ())], opts, {})
    assert a == b
    assert parse(a["empty.atom.xml"]).entries == []
    assert parse(a["empty.rss.xml"]).feed.title == "arxiv-radar: Empty"


def test_slugs_are_ascii_unique_and_never_all():
    names = ["Vision", "vision", "all", "三维重建", "Café & Co", "🚀", "a/../../etc"]
    slugs = feed_slugs(names)
    assert len(set(slugs.values())) == len(names)
    assert "all" not in slugs.values()
    assert slugs["Vision"] == "vision" and slugs["vision"] == "vision-1"
    assert slugs["Café & Co"] == "cafe--co"
    for s in slugs.values():
        assert s.isascii() and "/" not in s and s and not s.startswith(".")
    assert feed_paths(["Vision"])["Vision"] == ("vision.rss.xml", "vision.atom.xml")


def test_legacy_entry_without_event_and_first_author_only():
    p = paper("2401.00001", authors=(Author("Only First"),))
    out = render_feeds(
        [TopicView("T", (Entry(p, authors_complete=False),))],
        RenderOptions(date=date(2025, 3, 3)),
        {"other": PaperEvent("updated", 3, date(2025, 3, 3))},
    )
    e = parse(out["t.rss.xml"]).entries[0]
    assert e.title == "Paper 2401.00001"  # no event: not marked updated
    assert "Only First et al." in e.summary
