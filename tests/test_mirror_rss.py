"""The mirror's RSS feeds: which announcement the clock shows, the four announce types, empty
days and holidays, category matching, read back with our RSSReader."""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import date, datetime, timedelta, timezone

import defusedxml.ElementTree as SafeET
import pytest

from arxiv_radar.harvest import calendar as cal
from arxiv_radar.mirror import Corpus, start_mirror
from arxiv_radar.model import Author, Paper, Version
from arxiv_radar.sources.http import PoliteClient
from arxiv_radar.sources.rss import RSSReader, parse_rss

UTC = timezone.utc
NY = cal.NEW_YORK


def et(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY).astimezone(UTC)


def paper(pid: str, cats: tuple[str, ...], *dates: datetime, title: str = "") -> Paper:
    versions = tuple(Version(i + 1, d) for i, d in enumerate(dates))
    return Paper(
        id=pid, title=title or f"Paper {pid}", abstract=f"About {pid}.",
        authors=(Author("Ann Author"), Author("Bob Builder")), categories=cats,
        primary_category=cats[0], published=dates[0], updated=dates[-1],
        version=len(dates), versions=versions,
        license="http://creativecommons.org/licenses/by/4.0/",
        doi="10.1/x" if pid.endswith("1") else None,
    )


# Thursday 5 March 2026's announcement covers Wed 4 Mar 14:00 ET - Thu 5 Mar 14:00 ET.
IN = et(2026, 3, 5, 10, 0)
CORPUS = [
    paper("2603.00001", ("cs.CV",), IN),                                    # new
    paper("2603.00002", ("cs.LG", "cs.CV"), et(2026, 3, 4, 14, 0)),         # cross (window start)
    paper("2603.00003", ("cs.CV",), et(2026, 2, 1, 9), IN),                 # replace, v2
    paper("2603.00004", ("math.AP", "cs.CV"), et(2026, 1, 5, 9), et(2026, 2, 1, 9), IN),  # replace-cross, v3
    paper("2603.00005", ("cs.CV",), et(2026, 3, 4, 13, 59)),                # Wednesday's
    paper("2603.00006", ("cs.CV",), et(2026, 3, 5, 14, 0)),                 # Sunday's (window end)
    paper("2603.00007", ("cs.CL",), IN),                                    # other category
    paper("2603.00008", ("cs.CV",), IN, et(2026, 3, 6, 9)),                 # new; v2 comes later
    paper("2603.00009", ("hep-th",), IN),
    paper("2603.00010", ("cs.CV",), et(2026, 3, 6, 9)),                     # Sunday's
    paper("2603.00011", ("cs.CV",), et(2026, 11, 25, 15)),                  # Thanksgiving week
]


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return Corpus(CORPUS)


def feed_at(corpus: Corpus, now: datetime, categories: list[str]):
    with start_mirror(corpus, now=now) as m:
        with PoliteClient(min_interval=0.0, max_attempts=1, max_retry_seconds=0) as client:
            return RSSReader(client, m.rss_url).latest(categories)


def kinds(feed) -> list[tuple[str, str, int]]:
    return [(i.paper.id, i.announce_type, i.paper.version) for i in feed.items]


def test_the_four_announce_types(corpus) -> None:
    feed = feed_at(corpus, et(2026, 3, 6, 9, 0), ["cs.CV"])
    assert feed.day == date(2026, 3, 5)
    assert kinds(feed) == [
        ("2603.00001", "new", 1),
        ("2603.00008", "new", 1),  # as it was announced, not the later v2
        ("2603.00002", "cross", 1),
        ("2603.00003", "replace", 2),
        ("2603.00004", "replace-cross", 3),
    ]
    first = feed.items[0]
    assert first.paper.title == "Paper 2603.00001" and first.paper.abstract == "About 2603.00001."
    assert [a.name for a in first.paper.authors] == ["Ann Author", "Bob Builder"]
    assert first.paper.categories == ("cs.CV",) and first.paper.doi == "10.1/x"
    assert first.paper.license == "http://creativecommons.org/licenses/by/4.0/"
    assert first.announced == et(2026, 3, 6, 0, 0)


def test_several_categories_and_whole_archives(corpus) -> None:
    both = feed_at(corpus, et(2026, 3, 6, 9, 0), ["cs.CV", "cs.CL"])
    assert ("2603.00007", "new", 1) in kinds(both)
    archive = feed_at(corpus, et(2026, 3, 6, 9, 0), ["cs"])
    # With the whole archive, cs.LG's paper is new there, and math.AP's is still a cross-list.
    assert ("2603.00002", "new", 1) in kinds(archive)
    assert ("2603.00004", "replace-cross", 3) in kinds(archive)
    physics = feed_at(corpus, et(2026, 3, 6, 9, 0), ["hep-th"])
    assert kinds(physics) == [("2603.00009", "new", 1)]


def test_the_feed_changes_at_midnight_not_at_the_announcement(corpus) -> None:
    # Thursday 23:00 ET: announced at 20:00, but the feed is rebuilt at midnight.
    before = feed_at(corpus, et(2026, 3, 5, 23, 0), ["cs.CV"])
    assert before.day == date(2026, 3, 4)
    assert [i.paper.id for i in before.items] == ["2603.00005"]
    after = feed_at(corpus, et(2026, 3, 6, 0, 1), ["cs.CV"])
    assert after.day == date(2026, 3, 5)


@pytest.mark.parametrize("now", [et(2026, 3, 7, 12, 0), et(2026, 3, 8, 12, 0)])
def test_weekends_are_empty(corpus, now) -> None:
    feed = feed_at(corpus, now, ["cs.CV"])
    assert feed.day is None and feed.items == []


def test_monday_shows_sunday_across_the_dst_change(corpus) -> None:
    with start_mirror(corpus, now=et(2026, 3, 9, 8, 0)) as m:
        with urllib.request.urlopen(f"{m.rss_url}/cs.CV", timeout=10) as resp:
            assert resp.headers["Content-Type"] == "application/rss+xml; charset=utf-8"
            body = resp.read()
    assert b"<pubDate>Mon, 09 Mar 2026 00:00:00 -0400</pubDate>" in body
    feed = parse_rss(body)
    assert feed.day == date(2026, 3, 8)
    assert kinds(feed) == [("2603.00006", "new", 1), ("2603.00010", "new", 1),
                           ("2603.00008", "replace", 2)]


def test_a_holiday_leaves_its_next_morning_empty(corpus) -> None:
    # Thanksgiving (Thu 26 Nov 2026): no announcement, so Friday's feed is empty, and
    # Sunday's announcement collects Wed 14:00 - Fri 14:00.
    assert feed_at(corpus, et(2026, 11, 27, 9), ["cs.CV"]).items == []
    monday = feed_at(corpus, et(2026, 11, 30, 9), ["cs.CV"])
    assert monday.day == date(2026, 11, 29)
    assert kinds(monday) == [("2603.00011", "new", 1)]


def test_channel_elements_follow_the_specification(corpus) -> None:
    with start_mirror(corpus, now=et(2026, 3, 6, 9, 0)) as m:
        with urllib.request.urlopen(f"{m.rss_url}/cs.CV%2Bcs.CL", timeout=10) as resp:
            root = SafeET.fromstring(resp.read())
    channel = root.find("channel")
    assert channel.findtext("title") == "cs.CV, cs.CL updates on arXiv.org"
    assert channel.findtext("link") == "http://rss.arxiv.org/rss/cs.CV+cs.CL"
    assert channel.findtext("pubDate") == "Fri, 06 Mar 2026 00:00:00 -0500"
    assert [d.text for d in channel.find("skipDays")] == ["Saturday", "Sunday"]
    item = channel.find("item")
    assert item.findtext("guid") == "oai:arXiv.org:2603.00001v1"
    assert item.findtext("description").startswith("arXiv:2603.00001v1 Announce Type: new \nAbstract: ")
    assert item.findtext("{http://arxiv.org/schemas/atom}announce_type") == "new"


@pytest.mark.parametrize("path", ["/rss/+", "/rss/cs.CV+%3Cscript%3E", "/rss/cs.CV+a|b"])
def test_bad_categories_are_a_400(corpus, path) -> None:
    with start_mirror(corpus) as m:
        with pytest.raises(urllib.error.HTTPError) as exc_info:
            urllib.request.urlopen(f"{m.url}{path}", timeout=10)
        exc_info.value.close()
        assert exc_info.value.code == 400
        assert m.requests[-1].status == 400


def test_hostile_text_gives_a_well_formed_feed() -> None:
    evil = paper("2603.00001", ("cs.CV",), IN, title="<script>x</script> & \x00 | \ud800 ok")
    feed = feed_at(Corpus([evil]), et(2026, 3, 6, 9), ["cs.CV"])
    assert feed.items[0].paper.title == "<script>x</script> & | ok"


def test_the_real_clock_is_the_default(corpus) -> None:
    with start_mirror(corpus) as m:
        before = datetime.now(UTC)
        assert before - timedelta(seconds=5) <= m.server.now() <= datetime.now(UTC)
