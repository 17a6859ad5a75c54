"""arXiv RSS: a sample written after reference/arxiv-docs/rss_specifications.md, empty days,
hostile input, and the reader on loopback."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from arxiv_radar.harvest import calendar as cal
from arxiv_radar.errors import ConfigError, FeedParseError, FetchError
from arxiv_radar.model import Author
from arxiv_radar.sources.http import PoliteClient
from arxiv_radar.sources.rss import RSSReader, parse_rss

UTC = timezone.utc

# Thursday 27 Feb 2025's announcement, as the feed looks the next morning. Element order,
# namespaces and the description layout follow arXiv's specification page.
SAMPLE = """<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     version="2.0">
  <channel>
    <title>cs.CV, cs.CL updates on arXiv.org</title>
    <link>http://rss.arxiv.org/rss/cs.CV+cs.CL</link>
    <description>cs.CV, cs.CL updates on the arXiv.org e-print archive.</description>
    <atom:link href="https://rss.arxiv.org/rss/cs.CV+cs.CL" rel="self" type="application/rss+xml"/>
    <docs>http://www.rssboard.org/rss-specification</docs>
    <language>en-us</language>
    <lastBuildDate>Fri, 28 Feb 2025 05:00:11 +0000</lastBuildDate>
    <managingEditor>rss-help@arxiv.org</managingEditor>
    <pubDate>Fri, 28 Feb 2025 00:00:00 -0500</pubDate>
    <skipDays>
      <day>Saturday</day>
      <day>Sunday</day>
    </skipDays>
    <item>
      <title>Picking the Cream of the Crop: Visual-Centric Data Selection with Collaborative Agents</title>
      <link>https://arxiv.org/abs/2502.19917</link>
      <description>arXiv:2502.19917v1 Announce Type: new 
Abstract: To improve Multimodal Large Language Models' (MLLMs) ability to process images
and complex instructions, researchers predominantly curate large-scale visual instruction
tuning datasets. Code: https://github.com/HITsz-TMG/ViSA</description>
      <guid isPermaLink="false">oai:arXiv.org:2502.19917v1</guid>
      <category>cs.CV</category>
      <category>cs.CL</category>
      <pubDate>Fri, 28 Feb 2025 00:00:00 -0500</pubDate>
      <arxiv:announce_type>new</arxiv:announce_type>
      <dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>
      <dc:creator>Zhenyu Liu, Yunxin Li, Baotian Hu, Wenhan Luo, Yaowei Wang, Min Zhang</dc:creator>
    </item>
    <item>
      <title>Mass concentration in rescaled first order integral functionals</title>
      <link>https://arxiv.org/abs/2203.01250</link>
      <description>arXiv:2203.01250v3 Announce Type: replace-cross 
Abstract: We consider first order local minimization problems of the form $\\min \\int_{\\mathbb{R}^N}f(u,\\nabla u)$ under a mass constraint $\\int_{\\mathbb{R}^N}u=m$.</description>
      <guid isPermaLink="false">oai:arXiv.org:2203.01250v3</guid>
      <category>math.AP</category>
      <category>cs.CV</category>
      <pubDate>Fri, 28 Feb 2025 00:00:00 -0500</pubDate>
      <arxiv:announce_type>replace-cross</arxiv:announce_type>
      <dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>
      <dc:creator>Antonin Monteil, Paul Pegon</dc:creator>
      <arxiv:DOI>10.5802/jep.257</arxiv:DOI>
      <arxiv:journal_reference>Journal de l'\\'Ecole polytechnique - Math\\'ematiques, Tome 11 (2024), pp. 431-472</arxiv:journal_reference>
    </item>
    <item>
      <title>A cross-listed paper &lt;script&gt;alert(1)&lt;/script&gt; | with a pipe</title>
      <link>https://arxiv.org/abs/2502.20001</link>
      <description>arXiv:2502.20001v2 Announce Type: cross 
Abstract: Cross-listed into cs.CL.</description>
      <guid isPermaLink="false">oai:arXiv.org:2502.20001v2</guid>
      <category>cs.LG</category>
      <category>cs.CL</category>
      <pubDate>Fri, 28 Feb 2025 00:00:00 -0500</pubDate>
      <arxiv:announce_type>cross</arxiv:announce_type>
      <dc:rights>http://arxiv.org/licenses/nonexclusive-distrib/1.0/</dc:rights>
      <dc:creator>Ann Author</dc:creator>
    </item>
    <item>
      <title>A replacement</title>
      <link>https://arxiv.org/abs/2411.00001</link>
      <description>arXiv:2411.00001v4 Announce Type: replace 
Abstract: Fourth version.</description>
      <guid isPermaLink="false">oai:arXiv.org:2411.00001v4</guid>
      <category>cs.CL</category>
      <pubDate>Fri, 28 Feb 2025 00:00:00 -0500</pubDate>
      <arxiv:announce_type>replace</arxiv:announce_type>
      <dc:rights>http://creativecommons.org/licenses/by-sa/4.0/</dc:rights>
      <dc:creator>B. One, C. Two</dc:creator>
    </item>
  </channel>
</rss>
"""

# A Saturday: the channel is there, the items are not.
EMPTY = """<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:atom="http://www.w3.org/2005/Atom" version="2.0">
  <channel>
    <title>cs.CV updates on arXiv.org</title>
    <link>http://rss.arxiv.org/rss/cs.CV</link>
    <description>cs.CV updates on the arXiv.org e-print archive.</description>
    <atom:link href="https://rss.arxiv.org/rss/cs.CV" rel="self" type="application/rss+xml"/>
    <docs>http://www.rssboard.org/rss-specification</docs>
    <language>en-us</language>
    <lastBuildDate>Sat, 01 Mar 2025 05:00:02 +0000</lastBuildDate>
    <managingEditor>rss-help@arxiv.org</managingEditor>
    <pubDate>Sat, 01 Mar 2025 00:00:00 -0500</pubDate>
    <skipDays><day>Saturday</day><day>Sunday</day></skipDays>
  </channel>
</rss>
"""


def test_sample_feed_by_hand():
    ann = parse_rss(SAMPLE.encode("utf-8"))
    # Stamped Friday 00:00 ET: the announcement is Thursday's, as the calendar names it.
    assert ann.day == date(2025, 2, 27)
    assert ann.published == datetime(2025, 2, 28, 5, tzinfo=UTC)
    assert cal.last_announcement_before(ann.published).day == ann.day
    assert [i.announce_type for i in ann.items] == ["new", "replace-cross", "cross", "replace"]

    new = ann.items[0].paper
    assert new.id == "2502.19917" and new.version == 1
    assert new.title == "Picking the Cream of the Crop: Visual-Centric Data Selection with Collaborative Agents"
    assert new.abstract.startswith("To improve Multimodal Large Language Models' (MLLMs) ability to process images and")
    assert new.abstract.endswith("Code: https://github.com/HITsz-TMG/ViSA")
    assert "Announce Type" not in new.abstract
    assert new.authors[0] == Author("Zhenyu Liu") and len(new.authors) == 6
    assert new.categories == ("cs.CV", "cs.CL") and new.primary_category == "cs.CV"
    assert new.license == "http://creativecommons.org/licenses/by/4.0/"
    assert new.published == datetime(2025, 2, 28, 5, tzinfo=UTC)

    rc = ann.items[1].paper
    assert (rc.id, rc.version) == ("2203.01250", 3)
    assert rc.doi == "10.5802/jep.257"
    assert rc.journal_ref.startswith("Journal de l'\\'Ecole polytechnique")
    assert [a.name for a in rc.authors] == ["Antonin Monteil", "Paul Pegon"]
    assert rc.abstract.startswith("We consider first order local minimization problems")

    cross = ann.items[2].paper
    assert cross.title == "A cross-listed paper <script>alert(1)</script> | with a pipe"  # text stays text
    assert ann.items[3].paper.versioned_id == "2411.00001v4"
    assert [p.id for p in ann.papers] == ["2502.19917", "2203.01250", "2502.20001", "2411.00001"]


def test_empty_feed_is_no_announcement_not_an_error():
    ann = parse_rss(EMPTY.encode("utf-8"))
    assert ann.day is None and ann.items == []
    assert ann.published == datetime(2025, 3, 1, 5, tzinfo=UTC)


def test_fallbacks_when_guid_and_announce_type_are_missing():
    item = """<item><title>T</title><link>https://arxiv.org/abs/2502.00002v2</link>
<description>arXiv:2502.00002v2 Announce Type: replace
Abstract: Text.</description><category>cs.CV</category></item>"""
    feed = EMPTY.replace("</channel>", item + "</channel>")
    (only,) = parse_rss(feed.encode("utf-8")).items
    assert only.announce_type == "replace"
    assert (only.paper.id, only.paper.version) == ("2502.00002", 2)
    assert only.announced == datetime(2025, 3, 1, 5, tzinfo=UTC)  # the channel's date


def test_summer_stamp_maps_to_the_announcement_day():
    feed = SAMPLE.replace("Fri, 28 Feb 2025 00:00:00 -0500", "Tue, 15 Jul 2025 00:00:00 -0400")
    assert parse_rss(feed.encode("utf-8")).day == date(2025, 7, 14)


@pytest.mark.parametrize("body", [
    b"",
    SAMPLE.encode("utf-8")[:700],
    b"<feed xmlns='http://www.w3.org/2005/Atom'/>",
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><rss>&b;</rss>',
])
def test_not_an_rss_feed(body):
    with pytest.raises(FeedParseError):
        parse_rss(body)


# -- the reader on loopback ---------------------------------------------------------------
@pytest.fixture
def client():
    with PoliteClient(min_interval=0.0, max_attempts=3, max_retry_seconds=0,
                      backoff_initial=0.01, jitter=0.0) as c:
        yield c


def test_reader_builds_the_url_and_parses(httpserver, client):
    httpserver.expect_request("/rss/cs.CV+cs.CL").respond_with_data(
        SAMPLE, content_type="application/rss+xml")
    reader = RSSReader(client, httpserver.url_for("/rss"))
    ann = reader.latest(["cs.CV", "cs.CL"])
    assert ann.day == date(2025, 2, 27) and len(ann.items) == 4
    assert "rss" in httpserver.log[0][0].headers["Accept"]


def test_reader_on_an_empty_day(httpserver, client):
    httpserver.expect_request("/rss/cs.CV").respond_with_data(EMPTY, content_type="application/rss+xml")
    ann = RSSReader(client, httpserver.url_for("/rss")).latest(["cs.CV"])
    assert ann.day is None and ann.items == []


def test_reader_retries_a_truncated_feed(httpserver, client):
    httpserver.expect_ordered_request("/rss/cs.CV").respond_with_data(SAMPLE[:900])
    httpserver.expect_ordered_request("/rss/cs.CV").respond_with_data(SAMPLE)
    ann = RSSReader(client, httpserver.url_for("/rss")).latest(["cs.CV"])
    assert len(ann.items) == 4 and len(httpserver.log) == 2


def test_reader_gives_up_with_a_fetch_error(httpserver, client):
    httpserver.expect_request("/rss/cs.CV").respond_with_data("down", status=503)
    with pytest.raises(FetchError):
        RSSReader(client, httpserver.url_for("/rss")).latest(["cs.CV"])


@pytest.mark.parametrize("cats", [[], "cs.CV", ["cs.CV", "cs CL"], ["../admin"], ["cs.CV?x=1"], ["cs.CV+cs.AI"]])
def test_bad_categories_are_config_errors(client, cats):
    with pytest.raises(ConfigError):
        RSSReader(client, "http://127.0.0.1:9/rss").latest(cats)


def test_category_spellings_accepted(client):
    reader = RSSReader(client, "https://rss.arxiv.org/rss/")
    assert reader.url_for(["q-bio.NC", "cond-mat.str-el", "cs", "astro-ph.CO"]) == (
        "https://rss.arxiv.org/rss/q-bio.NC+cond-mat.str-el+cs+astro-ph.CO")
