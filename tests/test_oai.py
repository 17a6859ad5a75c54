"""OAI-PMH: the recorded responses, arXivRaw, tokens in both styles, errors, paging on loopback."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from werkzeug import Response

from arxiv_radar.errors import ArxivAPIError, FeedParseError, FetchError
from arxiv_radar.model import Author, Version
from arxiv_radar.sources.fields import split_authors
from arxiv_radar.sources.http import PoliteClient
from arxiv_radar.sources.oai import OAIError, OAIHarvester, parse_list_records

UTC = timezone.utc
OAI_FIXTURES = [
    "arxiv-physics-hep-ex.xml",
    "arxiv-single.xml",
    "atomiklabs_ListRecords_oai_dc_set-cs_from-2024-01-25_resumptionToken.xml",
    *(f"sample_arxiv_record{i}.xml" for i in range(7)),
]


def utc(*a: int) -> datetime:
    return datetime(*a, tzinfo=UTC)


# -- synthetic responses, written after the OAI-PMH 2.0 spec and arXivRaw.xsd ------------------
ENVELOPE = """<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
 xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">
<responseDate>2025-03-20T02:10:00Z</responseDate>
<request verb="ListRecords">https://oaipmh.arxiv.org/oai</request>
{body}
</OAI-PMH>"""


def raw_record(pid: str, *, versions=("Mon, 2 Apr 2007 19:18:42 GMT",), title="A title",
               authors="Ann Author", categories="cs.CV cs.LG") -> str:
    vs = "".join(
        f'<version version="v{i}"><date>{d}</date><size>{10 * i}kb</size>'
        f"<source_type>D</source_type></version>"
        for i, d in enumerate(versions, 1)
    )
    return f"""<record><header><identifier>oai:arXiv.org:{pid}</identifier>
<datestamp>2025-03-19</datestamp><setSpec>cs:cs:CV</setSpec></header>
<metadata><arXivRaw xmlns="http://arxiv.org/OAI/arXivRaw/"
 xsi:schemaLocation="http://arxiv.org/OAI/arXivRaw/ http://arxiv.org/OAI/arXivRaw.xsd">
<id>{pid}</id><submitter>Ann Author</submitter>{vs}<title>{title}</title>
<authors>{authors}</authors><categories>{categories}</categories>
<abstract>  Abstract of {pid}.
</abstract></arXivRaw></metadata></record>"""


def list_records(records: str, token: str | None = "", **attrs: str) -> bytes:
    """A ListRecords page; token None leaves the element out, "" writes an empty one."""
    tok = ""
    if token is not None:
        attr = "".join(f' {k}="{v}"' for k, v in attrs.items())
        tok = f"<resumptionToken{attr}>{token}</resumptionToken>" if token else f"<resumptionToken{attr}/>"
    return ENVELOPE.format(body=f"<ListRecords>{records}{tok}</ListRecords>").encode("utf-8")


def oai_error(code: str, message: str) -> bytes:
    return ENVELOPE.format(body=f'<error code="{code}">{message}</error>').encode("utf-8")


RAW_FULL = """<record><header><identifier>oai:arXiv.org:0704.0001</identifier>
<datestamp>2008-11-13</datestamp><setSpec>physics:hep-ph</setSpec></header>
<metadata><arXivRaw xmlns="http://arxiv.org/OAI/arXivRaw/">
<id>0704.0001</id><submitter>Pavel Nadolsky</submitter>
<version version="v1"><date>Mon, 2 Apr 2007 19:18:42 GMT</date><size>37kb</size><source_type>D</source_type></version>
<version version="v2"><date>Tue, 24 Jul 2007 20:10:27 GMT</date><size>37kb</size><source_type>D</source_type></version>
<title>Calculation of prompt diphoton production cross sections at Tevatron and
  LHC energies</title>
<authors>C. Bal\\'azs, E. L. Berger (Argonne), P. M. Nadolsky and C.-P. Yuan (Michigan State U., East Lansing)</authors>
<categories>hep-ph</categories>
<comments>37 pages, 15 figures; published version</comments>
<report-no>ANL-HEP-PR-07-12</report-no>
<journal-ref>Phys.Rev.D76:013009,2007</journal-ref>
<doi>10.1103/PhysRevD.76.013009</doi>
<license>http://arxiv.org/licenses/nonexclusive-distrib/1.0/</license>
<abstract>  A fully differential calculation in perturbative quantum chromodynamics is
presented for the production of massive photon pairs at hadron colliders.
</abstract></arXivRaw></metadata></record>"""


# -- every recorded response parses ------------------------------------------------------------
@pytest.mark.parametrize("name", OAI_FIXTURES)
def test_every_fixture_parses(fixtures, name):
    page = parse_list_records((fixtures / "oai" / name).read_bytes())
    assert page.papers and page.skipped == 0 and page.deleted == 0
    for p in page.papers:
        assert p.id and "v" not in p.id.split(".")[-1]
        assert p.title and "\n" not in p.title and "  " not in p.title
        assert p.abstract and "\n" not in p.abstract
        assert p.authors and all(a.name for a in p.authors)
        assert p.published.tzinfo is not None


def test_arxiv_format_by_hand(fixtures):
    (p,) = parse_list_records((fixtures / "oai" / "arxiv-single.xml").read_bytes()).papers
    assert p.id == "1401.2122"
    assert p.title == "New integrable (3+1)-dimensional systems and contact geometry"
    assert p.authors == (Author("A. Sergyeyev"),)
    assert p.categories == ("math.AP", "hep-th", "math-ph", "math.DG", "math.MP", "nlin.SI")
    assert p.primary_category == "math.AP"
    assert p.published == utc(2014, 1, 9) and p.updated == utc(2017, 10, 23)
    assert p.versions == (Version(1, utc(2014, 1, 9)),)
    assert p.comment.startswith("16 pages, LaTeX, no figures, revised and abridged, in this version (v5)")
    assert p.journal_ref == "Lett. Math. Phys. 108 (2018), no. 2, 359-376"
    assert p.doi == "10.1007/s11005-017-1013-4"
    assert p.license == "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"
    assert p.abstract.startswith("We introduce a novel systematic construction for integrable (3+1)-dimensional dispersionless")
    assert p.abstract.endswith("rational in the spectral parameter.")


def test_arxiv_format_affiliations_report_no_and_missing_namespace(fixtures):
    (p,) = parse_list_records((fixtures / "oai" / "sample_arxiv_record5.xml").read_bytes()).papers
    assert p.authors[0] == Author("Günter Burigana", ("on behalf of Planck Collaboration",))
    # record0's <arXiv> element declares no namespace at all; it must still read.
    (q,) = parse_list_records((fixtures / "oai" / "sample_arxiv_record0.xml").read_bytes()).papers
    assert q.id == "1601.03238" and q.report_no == "YITP-2016-26"
    assert q.authors[0].name == "Planck Collaboration" and q.authors[1].name == "Jieci Wang"
    assert q.license == "https://creativecommons.org/licenses/by/3.0/"


def test_list_records_fixture_has_three_records(fixtures):
    page = parse_list_records((fixtures / "oai" / "arxiv-physics-hep-ex.xml").read_bytes())
    assert [p.id for p in page.papers][:2] == ["1706.05371", "1706.09418"]
    assert len(page.papers) == 3 and page.token is None
    second = page.papers[1]
    assert second.primary_category == "hep-ph" and second.categories == ("hep-ph", "hep-ex")
    assert second.doi == "10.1140/epjc/s10052-017-5414-4"


def test_oai_dc_and_legacy_token(fixtures):
    name = "atomiklabs_ListRecords_oai_dc_set-cs_from-2024-01-25_resumptionToken.xml"
    page = parse_list_records((fixtures / "oai" / name).read_bytes())
    assert page.token == "6960524|1001"
    assert (page.cursor, page.complete_list_size) == (0, 1162)
    first = page.papers[0]
    assert first.id == "1303.2033" and first.title == "Extended Fourier analysis of signals"
    assert first.authors == (Author("Vilnis Liepins"),)
    assert first.published == utc(2013, 3, 8) and first.updated == utc(2024, 1, 23)
    last = page.papers[-1]
    assert last.id == "2401.14040"
    assert [a.name for a in last.authors] == ["Francesco Periti", "Haim Dubossarsky", "Nina Tahmasebi"]
    assert last.comment == "Accepted to the Findings of EACL 2024"
    assert not last.abstract.startswith("Comment:")


# -- arXivRaw (no recorded sample: written after arXivRaw.xsd) ----------------------------------
def test_arxiv_raw_by_hand():
    page = parse_list_records(list_records(RAW_FULL, token=None))
    (p,) = page.papers
    assert p.id == "0704.0001"
    assert p.title == "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    assert p.published == utc(2007, 4, 2, 19, 18, 42)
    assert p.updated == utc(2007, 7, 24, 20, 10, 27)
    assert p.version == 2
    assert p.versions == (Version(1, utc(2007, 4, 2, 19, 18, 42), "37kb"),
                          Version(2, utc(2007, 7, 24, 20, 10, 27), "37kb"))
    assert p.authors == (
        Author("C. Bal\\'azs"),
        Author("E. L. Berger", ("Argonne",)),
        Author("P. M. Nadolsky"),
        Author("C.-P. Yuan", ("Michigan State U., East Lansing",)),
    )
    assert p.categories == ("hep-ph",) and p.primary_category == "hep-ph"
    assert p.report_no == "ANL-HEP-PR-07-12" and p.journal_ref == "Phys.Rev.D76:013009,2007"
    assert p.doi == "10.1103/PhysRevD.76.013009"
    assert p.abstract.startswith("A fully differential calculation") and p.abstract.endswith("colliders.")


def test_arxiv_raw_versions_out_of_order_and_versioned_id():
    rec = raw_record("2502.19917v2", versions=("Wed, 26 Feb 2025 10:00:00 GMT", "Thu, 27 Feb 2025 09:00:00 GMT"))
    # Put v2 before v1, as nothing in the schema forbids.
    head, v1, v2 = rec.split("<version ")[:3]
    v2, tail = v2.split("</version>", 1)
    rec = head + "<version " + v2 + "</version><version " + v1 + tail
    assert rec.index('version="v2"') < rec.index('version="v1"')
    (p,) = parse_list_records(list_records(rec, token=None)).papers
    assert p.id == "2502.19917"
    assert [v.number for v in p.versions] == [1, 2] and p.version == 2
    assert p.published == utc(2025, 2, 26, 10) and p.updated == utc(2025, 2, 27, 9)


def test_split_authors_edge_cases():
    assert split_authors("A. One, B. Two, and C. Three") == (Author("A. One"), Author("B. Two"), Author("C. Three"))
    assert split_authors("John Smith, Jr. and Jane Roe (MIT and Harvard)") == (
        Author("John Smith Jr."), Author("Jane Roe", ("MIT and Harvard",)))
    assert split_authors("A. One (1), B. Two (1, 2) ((1) MIT, (2) Oxford)") == (
        Author("A. One", ("MIT",)), Author("B. Two", ("MIT", "Oxford")))
    assert split_authors("A. One (1), B. Two (2)") == (Author("A. One"), Author("B. Two"))
    assert split_authors("") == ()


def test_deleted_records_are_counted_not_returned():
    deleted = """<record><header status="deleted"><identifier>oai:arXiv.org:1001.0001</identifier>
<datestamp>2025-03-19</datestamp></header></record>"""
    page = parse_list_records(list_records(deleted + raw_record("2503.00001") + deleted, token=None))
    assert [p.id for p in page.papers] == ["2503.00001"]
    assert page.deleted == 2


def test_unreadable_record_is_skipped_not_fatal():
    bad = raw_record("not-an-id")
    page = parse_list_records(list_records(bad + raw_record("2503.00002"), token=None))
    assert [p.id for p in page.papers] == ["2503.00002"] and page.skipped == 1


# -- resumption tokens ---------------------------------------------------------------------------
def test_opaque_token_and_empty_final_token():
    page = parse_list_records(list_records(raw_record("2503.00001"), token="eyJvZmZzZXQiOjEwMDB9"))
    assert page.token == "eyJvZmZzZXQiOjEwMDB9"
    assert page.cursor is None and page.complete_list_size is None
    last = parse_list_records(list_records(raw_record("2503.00002"), token=""))
    assert last.token is None and len(last.papers) == 1
    legacy_last = parse_list_records(list_records(raw_record("2503.00003"), token="", cursor="1000",
                                                  completeListSize="1162"))
    assert legacy_last.token is None and legacy_last.cursor == 1000


# -- errors ---------------------------------------------------------------------------------------
def test_no_records_match_is_an_empty_page():
    page = parse_list_records(oai_error("noRecordsMatch", "No records match the request"))
    assert page.papers == [] and page.token is None


@pytest.mark.parametrize("code", ["badResumptionToken", "badArgument", "cannotDisseminateFormat", "noSetHierarchy"])
def test_oai_errors_raise_with_code_and_message(code):
    with pytest.raises(OAIError) as info:
        parse_list_records(oai_error(code, "The value of the resumptionToken argument is invalid or expired."))
    assert isinstance(info.value, ArxivAPIError)
    assert info.value.code == code
    assert "invalid or expired" in str(info.value) and code in str(info.value)


@pytest.mark.parametrize("body", [
    b"",
    b"<OAI-PMH xmlns='http://www.openarchives.org/OAI/2.0/'><ListRecords><record>",  # truncated
    b"<html><body>Service unavailable</body></html>",
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
    b"<OAI-PMH>&lol2;</OAI-PMH>",
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><OAI-PMH>&xxe;</OAI-PMH>',
])
def test_garbled_and_hostile_bodies_are_feed_parse_errors(body):
    with pytest.raises(FeedParseError):
        parse_list_records(body)


# -- fetching on loopback --------------------------------------------------------------------
@pytest.fixture
def client():
    with PoliteClient(min_interval=0.0, max_attempts=3, max_retry_seconds=0,
                      backoff_initial=0.01, jitter=0.0) as c:
        yield c


def test_paging_across_three_pages(httpserver, client):
    first = {"verb": "ListRecords", "metadataPrefix": "arXivRaw", "set": "cs",
             "from": "2025-03-19", "until": "2025-03-19"}
    httpserver.expect_ordered_request("/oai", query_string=first).respond_with_data(
        list_records(raw_record("2503.00001") + raw_record("2503.00002"), token="a|b/c+1"),
        content_type="text/xml")
    httpserver.expect_ordered_request(
        "/oai", query_string={"verb": "ListRecords", "resumptionToken": "a|b/c+1"}
    ).respond_with_data(list_records(raw_record("2503.00003"), token="page-3"), content_type="text/xml")
    httpserver.expect_ordered_request(
        "/oai", query_string={"verb": "ListRecords", "resumptionToken": "page-3"}
    ).respond_with_data(list_records(raw_record("2503.00004"), token=""), content_type="text/xml")

    harvester = OAIHarvester(client, httpserver.url_for("/oai"))
    got = [p.id for p in harvester.list_records("cs", date(2025, 3, 19), date(2025, 3, 19))]
    assert got == ["2503.00001", "2503.00002", "2503.00003", "2503.00004"]
    assert harvester.pages == 3
    httpserver.check_assertions()


def test_empty_day_yields_nothing(httpserver, client):
    httpserver.expect_request("/oai").respond_with_data(
        oai_error("noRecordsMatch", "No records"), content_type="text/xml")
    harvester = OAIHarvester(client, httpserver.url_for("/oai"))
    assert list(harvester.list_records("cs", date(2025, 3, 22), date(2025, 3, 22))) == []


def test_bad_token_stops_the_harvest_with_its_code(httpserver, client):
    httpserver.expect_ordered_request("/oai").respond_with_data(
        list_records(raw_record("2503.00001"), token="stale"), content_type="text/xml")
    httpserver.expect_ordered_request("/oai").respond_with_data(
        oai_error("badResumptionToken", "expired"), content_type="text/xml")
    harvester = OAIHarvester(client, httpserver.url_for("/oai"))
    it = harvester.list_records("cs", date(2025, 3, 19), date(2025, 3, 19))
    assert next(it).id == "2503.00001"
    with pytest.raises(OAIError) as info:
        next(it)
    assert info.value.code == "badResumptionToken"
    assert len(httpserver.log) == 2  # an OAI error is final: not retried


def test_error_document_with_http_400(httpserver, client):
    httpserver.expect_request("/oai").respond_with_data(
        oai_error("badArgument", "Illegal argument: from"), status=400, content_type="text/xml")
    harvester = OAIHarvester(client, httpserver.url_for("/oai"))
    with pytest.raises(OAIError) as info:
        list(harvester.list_records("cs", date(2025, 3, 19), date(2025, 3, 19)))
    assert info.value.code == "badArgument"


def test_truncated_page_is_retried(httpserver, client):
    good = list_records(raw_record("2503.00001"), token="")
    httpserver.expect_ordered_request("/oai").respond_with_data(good[: len(good) // 2], content_type="text/xml")
    httpserver.expect_ordered_request("/oai").respond_with_data(good, content_type="text/xml")
    harvester = OAIHarvester(client, httpserver.url_for("/oai"))
    assert [p.id for p in harvester.list_records("cs", date(2025, 3, 19), date(2025, 3, 19))] == ["2503.00001"]


def test_503_with_retry_after_is_retried_by_the_client(httpserver, client):
    httpserver.expect_ordered_request("/oai").respond_with_response(
        Response("busy", status=503, headers={"Retry-After": "0"}))
    httpserver.expect_ordered_request("/oai").respond_with_data(
        list_records(raw_record("2503.00001"), token=""), content_type="text/xml")
    harvester = OAIHarvester(client, httpserver.url_for("/oai"))
    assert len(list(harvester.list_records("cs", date(2025, 3, 19), date(2025, 3, 19)))) == 1


def test_a_repeating_token_is_refused(httpserver, client):
    httpserver.expect_request("/oai").respond_with_data(
        list_records(raw_record("2503.00001"), token="same"), content_type="text/xml")
    harvester = OAIHarvester(client, httpserver.url_for("/oai"))
    with pytest.raises(FeedParseError, match="repeats"):
        list(harvester.list_records("cs", date(2025, 3, 19), date(2025, 3, 19)))
    assert len(httpserver.log) == 2  # the second page hands back the token it was asked with


def test_arguments_are_checked_before_any_request(client):
    harvester = OAIHarvester(client, "http://127.0.0.1:9/oai")
    with pytest.raises(ValueError):
        list(harvester.list_records("cs", date(2025, 3, 19), date(2025, 3, 19), metadata_prefix="marc"))
    with pytest.raises(ValueError):
        list(harvester.list_records("cs", date(2025, 3, 20), date(2025, 3, 19)))


def test_fetch_errors_are_fetch_errors(httpserver, client):
    httpserver.expect_request("/oai").respond_with_data("nope", status=503)
    harvester = OAIHarvester(client, httpserver.url_for("/oai"))
    with pytest.raises(FetchError):
        list(harvester.list_records("cs", date(2025, 3, 19), date(2025, 3, 19)))
