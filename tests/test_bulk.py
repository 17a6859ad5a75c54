"""Bulk metadata (Kaggle arxiv-metadata-oai-snapshot JSON lines) -> Paper."""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from arxiv_radar.model import Author, Paper, Version
from arxiv_radar.sources.bulk import iter_bulk, parse_bulk_line

UTC = timezone.utc


@pytest.fixture(scope="module")
def bulk_file(fixtures: Path) -> Path:
    return fixtures / "bulk" / "kaggle-arxiv-metadata-snapshot-first150.jsonl"


@pytest.fixture(scope="module")
def lines(bulk_file: Path) -> list[str]:
    return bulk_file.read_text(encoding="utf-8").splitlines()


def test_every_line_of_the_fixture_parses(bulk_file: Path) -> None:
    items = list(iter_bulk(bulk_file))
    assert [n for n, _ in items] == list(range(1, 151))
    errors = [(n, item) for n, item in items if isinstance(item, Exception)]
    assert errors == []
    papers = [item for _, item in items]
    assert len({p.id for p in papers}) == 150
    for p in papers:
        assert p.title and p.title == " ".join(p.title.split())
        assert p.abstract == " ".join(p.abstract.split())
        assert p.published.tzinfo is UTC and p.updated is not None and p.updated.tzinfo is UTC
        assert p.published <= p.updated
        assert p.version == p.versions[-1].number == len(p.versions)
        assert p.categories and p.primary_category == p.categories[0]
        assert p.authors and all(a.name == " ".join(a.name.split()) for a in p.authors)


def test_first_line_by_hand(lines: list[str]) -> None:
    p = parse_bulk_line(lines[0])
    assert p.id == "0704.0001"
    assert p.title == (
        "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    )
    # The `authors` string says Bal\'azs; authors_parsed already has the Unicode name.
    assert [a.name for a in p.authors] == [
        "C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C. -P. Yuan",
    ]
    assert p.categories == ("hep-ph",) and p.primary_category == "hep-ph"
    assert p.versions == (
        Version(1, datetime(2007, 4, 2, 19, 18, 42, tzinfo=UTC)),
        Version(2, datetime(2007, 7, 24, 20, 10, 27, tzinfo=UTC)),
    )
    assert p.published == datetime(2007, 4, 2, 19, 18, 42, tzinfo=UTC)
    assert p.updated == datetime(2007, 7, 24, 20, 10, 27, tzinfo=UTC)
    assert p.version == 2 and p.versioned_id == "0704.0001v2"
    assert p.comment == "37 pages, 15 figures; published version"
    assert p.journal_ref == "Phys.Rev.D76:013009,2007"
    assert p.doi == "10.1103/PhysRevD.76.013009"
    assert p.report_no == "ANL-HEP-PR-07-12"
    assert p.license is None
    assert p.abstract.startswith("A fully differential calculation in perturbative quantum")
    assert p.abstract.endswith("can be obtained with judicious selection of events.")
    assert "\n" not in p.abstract


def test_second_line_by_hand(lines: list[str]) -> None:
    p = parse_bulk_line(lines[1])
    assert p.id == "0704.0002"
    assert p.title == "Sparsity-certifying Graph Decompositions"
    assert p.authors == (Author("Ileana Streinu"), Author("Louis Theran"))
    assert p.categories == ("math.CO", "cs.CG") and p.primary_category == "math.CO"
    assert p.published == datetime(2007, 3, 31, 2, 26, 18, tzinfo=UTC)
    assert p.updated == datetime(2008, 12, 13, 17, 26, 0, tzinfo=UTC)
    assert p.version == 2
    assert p.comment == "To appear in Graphs and Combinatorics"
    assert p.journal_ref is None and p.doi is None and p.report_no is None
    assert p.license == "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"


def test_suffix_and_affiliations_from_authors_parsed(bulk_file: Path) -> None:
    papers = {item.id: item for _, item in iter_bulk(bulk_file)}
    # ["Evans", "Neal J.", "II"]: the suffix follows the last name.
    assert "Neal J. Evans II" in [a.name for a in papers["0704.0009"].authors]
    # A fourth element is an affiliation; its line break is collapsed.
    iliev = papers["0704.0066"].authors[0]
    assert iliev.name == "Bozhidar Z. Iliev"
    assert iliev.affiliations == (
        "Institute for Nuclear Research and Nuclear Energy, Bulgarian Academy of Sciences, "
        "Sofia, Bulgaria",
    )
    # A collaboration has no first name: no stray space.
    assert papers["0704.0020"].authors[0].name == "The BABAR Collaboration"


def _record(lines: list[str], **changes) -> dict:
    record = json.loads(lines[0])
    record.update(changes)
    return record


def test_malformed_lines_are_reported_with_their_number_and_the_rest_parse(
    lines: list[str], tmp_path: Path
) -> None:
    bad_date = _record(lines, id="0704.9991", versions=[{"version": "v1", "created": "yesterday"}])
    no_id = _record(lines)
    del no_id["id"]
    body = (
        lines[:10]
        + ["{not json"]  # line 11
        + [json.dumps(no_id)]  # line 12
        + [json.dumps(bad_date)]  # line 13
        + [""]  # line 14: blank, skipped silently
        + [json.dumps(_record(lines, id="not an id"))]  # line 15
        + lines[10:]
    )
    path = tmp_path / "broken.jsonl"
    path.write_text("\n".join(body) + "\n", encoding="utf-8")
    # One line that is not UTF-8 at all, at the very end (line 156).
    with path.open("ab") as fh:
        fh.write(b'{"id": "0704.0003", "title": "\xff\xfe"}\n')

    items = list(iter_bulk(path))
    errors = {n: item for n, item in items if isinstance(item, Exception)}
    assert sorted(errors) == [11, 12, 13, 15, 156]
    assert all(isinstance(e, ValueError) for e in errors.values())
    assert "not an id" in str(errors[15])
    papers = [item for _, item in items if isinstance(item, Paper)]
    assert len(papers) == 150
    assert [n for n, item in items if isinstance(item, Paper)][10] == 16


def test_gzip_is_read_transparently(bulk_file: Path, tmp_path: Path) -> None:
    gz = tmp_path / "snapshot.jsonl.gz"
    gz.write_bytes(gzip.compress(bulk_file.read_bytes()))
    assert list(iter_bulk(gz)) == list(iter_bulk(bulk_file))


def test_truncated_gzip_reports_an_error_after_the_good_lines(
    bulk_file: Path, tmp_path: Path
) -> None:
    data = gzip.compress(bulk_file.read_bytes())
    gz = tmp_path / "cut.jsonl.gz"
    gz.write_bytes(data[: len(data) // 2])
    items = list(iter_bulk(gz))
    assert isinstance(items[-1][1], Exception)
    assert all(isinstance(item, Paper) for _, item in items[:-2])
    assert len(items) > 20


def test_withdrawn_papers_keep_their_data(lines: list[str]) -> None:
    record = _record(
        lines,
        comments="This paper has been withdrawn by the author due to an error in eq. 3",
        abstract="  This paper has been withdrawn by the author.\n",
    )
    p = parse_bulk_line(json.dumps(record))
    assert p.comment.startswith("This paper has been withdrawn")
    assert p.abstract == "This paper has been withdrawn by the author."
    assert p.title.startswith("Calculation of prompt diphoton")
    assert p.version == 2 and len(p.authors) == 4


def test_other_date_zones_and_missing_authors_parsed(lines: list[str]) -> None:
    record = _record(
        lines,
        versions=[
            {"version": "v1", "created": "Mon, 2 Apr 2007 21:18:42 +0200"},
            {"version": "v3", "created": "Tue, 24 Jul 2007 20:10:27 GMT"},
        ],
    )
    del record["authors_parsed"]
    p = parse_bulk_line(json.dumps(record))
    assert p.published == datetime(2007, 4, 2, 19, 18, 42, tzinfo=UTC)
    assert p.published.tzinfo is UTC
    assert p.version == 3
    # Without authors_parsed the raw string is split (TeX accents stay as written).
    assert [a.name for a in p.authors] == [
        "C. Bal\\'azs", "E. L. Berger", "P. M. Nadolsky", "C.-P. Yuan",
    ]


def test_old_style_ids_and_bytes_input() -> None:
    line = json.dumps({
        "id": "hep-th/9901001", "title": "T", "authors_parsed": [["Doe", "J.", ""]],
        "categories": "hep-th hep-ph hep-th", "abstract": "a",
        "versions": [{"version": "v1", "created": "Fri, 1 Jan 1999 00:00:01 GMT"}],
    }).encode("utf-8")
    p = parse_bulk_line(line)
    assert p.id == "hep-th/9901001"
    assert p.categories == ("hep-th", "hep-ph")  # duplicates dropped, primary first
    assert p.authors == (Author("J. Doe"),)
