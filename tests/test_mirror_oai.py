"""The mirror's OAI-PMH interface: verbs, errors, sets, datestamps, paging with our harvester,
the three metadata formats against arXiv's schemas, hostile text."""

from __future__ import annotations

import math
import urllib.request
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlencode
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
import pytest

from arxiv_radar.errors import FeedParseError
from arxiv_radar.mirror import Corpus, start_mirror
from arxiv_radar.mirror.oai import datestamp, set_specs
from arxiv_radar.model import Author, Paper, Version
from arxiv_radar.sources.http import PoliteClient
from arxiv_radar.sources.oai import OAIError, OAIHarvester, parse_list_records

UTC = timezone.utc
OAI = "{http://www.openarchives.org/OAI/2.0/}"
EVER = (date(1990, 1, 1), date(2100, 1, 1))


def paper(n: int, cats: tuple[str, ...], day: datetime, *, v2: datetime | None = None,
          title: str | None = None) -> Paper:
    versions = (Version(1, day, "10kb"),) + ((Version(2, v2, "12kb"),) if v2 else ())
    return Paper(
        id=f"2603.{n:05d}", title=title or f"Paper {n}", abstract=f"Abstract of paper {n}.",
        authors=(Author("Ada Lovelace", ("Analytical Engines Ltd",)), Author("Alan M. Turing")),
        categories=cats, primary_category=cats[0], published=day, updated=v2 or day,
        version=2 if v2 else 1, versions=versions, comment=f"{n} pages",
        journal_ref="J. Tests 1 (2026)" if n % 3 == 0 else None,
        doi=f"10.1234/t.{n}" if n % 4 == 0 else None,
        license="http://creativecommons.org/licenses/by/4.0/",
    )


T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
SYNTHETIC = [
    paper(1, ("cs.CV",), T0),
    paper(2, ("cs.LG", "cs.CV"), T0 + timedelta(days=1)),
    paper(3, ("hep-th", "gr-qc"), T0 + timedelta(days=1)),
    paper(4, ("astro-ph.CO",), T0 + timedelta(days=2)),
    paper(5, ("math.MP", "math-ph"), T0 + timedelta(days=2)),
    paper(6, ("chao-dyn",), T0, v2=T0 + timedelta(days=3, hours=20)),  # datestamp: its v2
    paper(7, ("math.AP", "cs.CV"), T0 + timedelta(days=3)),
    paper(8, ("stat.ML", "cs.LG"), T0 + timedelta(days=4)),
]


@pytest.fixture(scope="module")
def mirror():
    with start_mirror(Corpus(SYNTHETIC), oai_page_size=3) as handle:
        yield handle


@pytest.fixture()
def harvester(mirror):
    with PoliteClient(min_interval=0.0, max_attempts=1, max_retry_seconds=0) as client:
        yield OAIHarvester(client, mirror.oai_url)


def fetch(mirror, query: str | dict) -> tuple[bytes, Element]:
    qs = query if isinstance(query, str) else urlencode(query)
    with urllib.request.urlopen(f"{mirror.oai_url}?{qs}", timeout=10) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == "text/xml; charset=utf-8"
        body = resp.read()
    return body, SafeET.fromstring(body)


def error_code(root: Element) -> str | None:
    err = root.find(f"{OAI}error")
    return None if err is None else err.get("code")


# --- Identify, formats, sets -----------------------------------------------------------------


def test_identify(mirror) -> None:
    _, root = fetch(mirror, "verb=Identify")
    ident = root.find(f"{OAI}Identify")
    assert ident.findtext(f"{OAI}protocolVersion") == "2.0"
    assert ident.findtext(f"{OAI}granularity") == "YYYY-MM-DD"
    assert ident.findtext(f"{OAI}baseURL") == mirror.oai_url
    assert ident.findtext(f"{OAI}earliestDatestamp") == "2005-09-16"
    assert root.find(f"{OAI}request").get("verb") == "Identify"


def test_list_metadata_formats(mirror) -> None:
    _, root = fetch(mirror, "verb=ListMetadataFormats")
    prefixes = {e.text for e in root.iter(f"{OAI}metadataPrefix")}
    assert prefixes == {"arXiv", "arXivRaw", "oai_dc"}
    _, root = fetch(mirror, "verb=ListMetadataFormats&identifier=oai:arXiv.org:2603.00001")
    assert error_code(root) is None
    _, root = fetch(mirror, "verb=ListMetadataFormats&identifier=oai:arXiv.org:2603.99999")
    assert error_code(root) == "idDoesNotExist"


def test_list_sets(mirror) -> None:
    _, root = fetch(mirror, "verb=ListSets")
    specs = {e.text for e in root.iter(f"{OAI}setSpec")}
    assert {"cs", "math", "physics", "physics:hep-th", "cs:cs:CV", "physics:astro-ph:CO",
            "stat:stat:ML"} <= specs


@pytest.mark.parametrize(
    "categories, specs",
    [
        (["cs.CV"], ("cs:cs:CV",)),
        (["hep-th"], ("physics:hep-th",)),
        (["astro-ph.CO"], ("physics:astro-ph:CO",)),
        (["cond-mat.str-el"], ("physics:cond-mat:str-el",)),
        (["math.MP"], ("math:math:MP", "physics:math-ph")),  # an alias is in both sets
        (["cs.SY", "cs.CV"], ("cs:cs:SY", "eess:eess:SY", "cs:cs:CV")),
        (["chao-dyn"], ("physics:nlin",)),  # a retired archive counts under its successor
        (["q-bio.NC"], ("q-bio:q-bio:NC",)),
        (["not-an-archive.XX"], ()),
    ],
)
def test_set_specs(categories, specs) -> None:
    assert set_specs(categories) == specs


@pytest.mark.parametrize(
    "set_spec, expected",
    [
        ("cs", {1, 2, 7, 8}),
        ("cs:cs:CV", {1, 2, 7}),
        ("physics", {3, 4, 5, 6}),
        ("physics:hep-th", {3}),
        ("physics:astro-ph", {4}),
        ("physics:nlin", {6}),
        ("math", {5, 7}),
        ("physics:math-ph", {5}),
        ("stat", {8}),
    ],
)
def test_selective_harvest_by_set(harvester, set_spec, expected) -> None:
    got = [p.id for p in harvester.list_records(set_spec, *EVER)]
    assert sorted(got) == sorted(f"2603.{n:05d}" for n in expected)


def test_records_carry_their_set_specs(mirror) -> None:
    _, root = fetch(mirror, "verb=GetRecord&metadataPrefix=arXiv&identifier=oai:arXiv.org:2603.00007")
    assert [e.text for e in root.iter(f"{OAI}setSpec")] == ["math:math:AP", "cs:cs:CV"]


# --- datestamps and ranges ----------------------------------------------------------------------


def test_datestamp_is_the_latest_version_day() -> None:
    assert datestamp(SYNTHETIC[0]) == date(2026, 3, 2)
    assert datestamp(SYNTHETIC[5]) == date(2026, 3, 6)  # v2 at 2026-03-06 05:30 UTC


@pytest.mark.parametrize(
    "from_, until, expected",
    [
        (date(2026, 3, 2), date(2026, 3, 2), {1}),
        (date(2026, 3, 3), date(2026, 3, 4), {2, 3, 4, 5}),
        (date(2026, 3, 5), date(2026, 3, 6), {6, 7, 8}),
        (date(2026, 3, 6), date(2026, 3, 6), {6, 8}),
    ],
)
def test_from_until_select_by_datestamp(harvester, from_, until, expected) -> None:
    got = {p.id for p in harvester.list_records(None, from_, until)}
    assert got == {f"2603.{n:05d}" for n in expected}


def test_no_records_in_range_is_an_empty_harvest_not_an_error(mirror, harvester) -> None:
    assert list(harvester.list_records("cs", date(2020, 1, 1), date(2020, 1, 2))) == []
    _, root = fetch(mirror, "verb=ListRecords&metadataPrefix=arXiv&from=2020-01-01&until=2020-01-02")
    assert error_code(root) == "noRecordsMatch"
    # A non-badArgument error echoes the request's arguments.
    assert root.find(f"{OAI}request").get("from") == "2020-01-01"


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, code",
    [
        ("", "badVerb"),
        ("verb=Frobnicate", "badVerb"),
        ("verb=Identify&verb=ListSets", "badVerb"),
        ("verb=Identify&extra=1", "badArgument"),
        ("verb=ListRecords", "badArgument"),  # metadataPrefix missing
        ("verb=ListRecords&metadataPrefix=arXiv&set=cs&set=math", "badArgument"),
        ("verb=ListRecords&metadataPrefix=arXiv&from=2026-3-1", "badArgument"),
        ("verb=ListRecords&metadataPrefix=arXiv&from=2026-02-30", "badArgument"),
        ("verb=ListRecords&metadataPrefix=arXiv&from=2026-03-01T00:00:00Z", "badArgument"),
        ("verb=ListRecords&metadataPrefix=arXiv&from=2026-03-05&until=2026-03-01", "badArgument"),
        ("verb=ListRecords&metadataPrefix=arXiv&set=nonsense", "badArgument"),
        ("verb=ListRecords&metadataPrefix=arXiv&set=cs%7Cmath", "badArgument"),
        ("verb=ListRecords&resumptionToken=abc&metadataPrefix=arXiv", "badArgument"),
        ("verb=GetRecord&identifier=oai:arXiv.org:2603.00001", "badArgument"),
        ("verb=ListRecords&metadataPrefix=marc21", "cannotDisseminateFormat"),
        ("verb=GetRecord&identifier=oai:arXiv.org:2603.00001&metadataPrefix=mods",
         "cannotDisseminateFormat"),
        ("verb=GetRecord&identifier=oai:arXiv.org:2603.99999&metadataPrefix=arXiv", "idDoesNotExist"),
        ("verb=GetRecord&identifier=oai:arXiv.org:2603.00001v1&metadataPrefix=arXiv", "idDoesNotExist"),
        ("verb=GetRecord&identifier=2603.00001&metadataPrefix=arXiv", "idDoesNotExist"),
        ("verb=ListRecords&resumptionToken=not-a-token", "badResumptionToken"),
        ("verb=ListSets&resumptionToken=x", "badResumptionToken"),
    ],
)
def test_errors_have_the_right_codes(mirror, query, code) -> None:
    body, root = fetch(mirror, query)
    assert error_code(root) == code
    if code in ("badVerb", "badArgument"):
        assert root.find(f"{OAI}request").attrib == {}  # not echoed, the request was not understood
    if code != "noRecordsMatch":
        with pytest.raises(OAIError) as exc_info:
            parse_list_records(body)
        assert exc_info.value.code == code


def test_a_tampered_token_is_refused(mirror) -> None:
    _, root = fetch(mirror, "verb=ListRecords&metadataPrefix=arXiv")
    token = root.find(f"{OAI}ListRecords/{OAI}resumptionToken").text
    payload, _, check = token.partition(".")
    forged = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + check
    _, root = fetch(mirror, {"verb": "ListRecords", "resumptionToken": forged})
    assert error_code(root) == "badResumptionToken"


# --- paging ----------------------------------------------------------------------------------


def test_paging_with_opaque_tokens_and_an_empty_final_token(mirror, harvester) -> None:
    papers = list(harvester.list_records(None, *EVER, metadata_prefix="arXivRaw"))
    assert sorted(p.id for p in papers) == sorted(p.id for p in SYNTHETIC)
    assert harvester.pages == math.ceil(len(SYNTHETIC) / 3)
    # The pages by hand: no counts on tokens, and the last page ends with <resumptionToken/>.
    _, root = fetch(mirror, "verb=ListRecords&metadataPrefix=arXiv")
    tokens = []
    while True:
        elem = root.find(f"{OAI}ListRecords/{OAI}resumptionToken")
        if elem is None or not (elem.text or "").strip():
            break
        assert elem.attrib == {}
        tokens.append(elem.text)
        _, root = fetch(mirror, {"verb": "ListRecords", "resumptionToken": elem.text})
    assert elem is not None and elem.text is None and elem.attrib == {}
    assert len(tokens) == 2 and len(set(tokens)) == 2


def test_single_page_lists_have_no_token(mirror) -> None:
    _, root = fetch(mirror, "verb=ListRecords&metadataPrefix=arXiv&set=physics:hep-th")
    assert len(root.findall(f"{OAI}ListRecords/{OAI}record")) == 1
    assert root.find(f"{OAI}ListRecords/{OAI}resumptionToken") is None


def test_legacy_tokens_carry_cursor_and_complete_list_size() -> None:
    with start_mirror(Corpus(SYNTHETIC), oai_page_size=3, legacy_oai_tokens=True) as m:
        with PoliteClient(min_interval=0.0, max_attempts=1, max_retry_seconds=0) as client:
            h = OAIHarvester(client, m.oai_url)
            assert sorted(p.id for p in h.list_records(None, *EVER)) == sorted(p.id for p in SYNTHETIC)
        cursors = []
        _, root = fetch(m, "verb=ListRecords&metadataPrefix=arXivRaw")
        while True:
            page = parse_list_records(SafeET.tostring(root))
            elem = root.find(f"{OAI}ListRecords/{OAI}resumptionToken")
            cursors.append((page.cursor, page.complete_list_size))
            if page.token is None:
                break
            _, root = fetch(m, {"verb": "ListRecords", "resumptionToken": page.token})
        assert cursors == [(0, 8), (3, 8), (6, 8)]
        assert elem is not None and not (elem.text or "").strip()


def test_list_identifiers(mirror) -> None:
    _, root = fetch(mirror, "verb=ListIdentifiers&metadataPrefix=oai_dc&set=cs")
    ids = [e.text for e in root.iter(f"{OAI}identifier")]
    assert ids == ["oai:arXiv.org:2603.00001", "oai:arXiv.org:2603.00002", "oai:arXiv.org:2603.00007"]
    assert root.find(f"{OAI}ListIdentifiers/{OAI}record") is None


# --- the formats -------------------------------------------------------------------------------


def test_arxiv_raw_keeps_versions_with_dates(harvester) -> None:
    got = {p.id: p for p in harvester.list_records(None, *EVER, metadata_prefix="arXivRaw")}
    for want in SYNTHETIC:
        p = got[want.id]
        assert (p.title, p.abstract, p.categories, p.primary_category) == (
            want.title, want.abstract, want.categories, want.primary_category)
        assert [a.name for a in p.authors] == [a.name for a in want.authors]
        assert p.versions == want.versions  # numbers, exact times, sizes
        assert (p.published, p.updated, p.version) == (want.published, want.updated, want.version)
        assert (p.comment, p.journal_ref, p.doi, p.license) == (
            want.comment, want.journal_ref, want.doi, want.license)


def test_arxiv_format_keeps_authors_and_affiliations(harvester) -> None:
    got = {p.id: p for p in harvester.list_records(None, *EVER, metadata_prefix="arXiv")}
    six = got["2603.00006"]
    assert six.authors == SYNTHETIC[5].authors  # structured names with affiliations
    assert six.published == datetime(2026, 3, 2, tzinfo=UTC)
    assert six.updated == datetime(2026, 3, 6, tzinfo=UTC)


def test_oai_dc(harvester) -> None:
    got = {p.id: p for p in harvester.list_records(None, *EVER, metadata_prefix="oai_dc")}
    one = got["2603.00001"]
    assert one.title == "Paper 1" and one.abstract == "Abstract of paper 1."
    assert one.comment == "1 pages"
    assert [a.name for a in one.authors] == ["Ada Lovelace", "Alan M. Turing"]
    assert got["2603.00006"].updated == datetime(2026, 3, 6, tzinfo=UTC)


@pytest.mark.parametrize("prefix", ["arXiv", "arXivRaw"])
def test_metadata_is_valid_against_arxivs_schemas(mirror, fixtures: Path, prefix: str) -> None:
    etree = pytest.importorskip("lxml.etree")
    schema = etree.XMLSchema(etree.parse(str(fixtures / "oai" / "schemas" / f"{prefix}.xsd")))
    body, _ = fetch(mirror, {"verb": "ListRecords", "metadataPrefix": prefix, "set": "cs"})
    doc = etree.fromstring(body)
    metas = doc.findall(f".//{OAI}metadata")
    assert len(metas) == 3
    for meta in metas:
        (record,) = list(meta)
        schema.assertValid(record)


def test_bulk_corpus_roundtrip(fixtures: Path) -> None:
    bulk = Corpus.from_files([fixtures / "bulk" / "kaggle-arxiv-metadata-snapshot-first150.jsonl"])
    with start_mirror(bulk, oai_page_size=40) as m:
        with PoliteClient(min_interval=0.0, max_attempts=1, max_retry_seconds=0) as client:
            h = OAIHarvester(client, m.oai_url)
            got = list(h.list_records(None, *EVER))
    assert h.pages == 4
    assert len(got) == len({p.id for p in got}) == len(bulk)
    for p in got:
        want = bulk.get(p.id)
        assert p.title == want.title and p.categories == want.categories
        assert [(v.number, v.submitted) for v in p.versions] == [
            (v.number, v.submitted) for v in want.versions]


# --- hostile text ------------------------------------------------------------------------------


HOSTILE = "<script>alert('x')</script> & | \x00\x1b]]> \ud800 caf\u00e9 \ufffe end"


@pytest.mark.parametrize("prefix", ["arXiv", "arXivRaw", "oai_dc"])
def test_hostile_text_gives_well_formed_records(prefix: str) -> None:
    evil = paper(9, ("cs.CV",), T0, title=HOSTILE).with_(
        authors=(Author(HOSTILE),), comment=HOSTILE, abstract=HOSTILE)
    with start_mirror(Corpus([evil])) as m:
        body, _ = fetch(m, {"verb": "ListRecords", "metadataPrefix": prefix})
        got = parse_list_records(body).papers
    assert len(got) == 1
    assert got[0].title == "<script>alert('x')</script> & | ]]> café end"
    assert b"<script>" not in body


def test_a_truncated_page_is_a_parse_error(mirror) -> None:
    body, _ = fetch(mirror, "verb=ListRecords&metadataPrefix=arXiv")
    with pytest.raises(FeedParseError):
        parse_list_records(body[: len(body) // 2])
