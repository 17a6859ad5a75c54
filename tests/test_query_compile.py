"""to_api round trips, cv-arxiv-daily filter lists, and exclusions."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from arxiv_radar.errors import QuerySyntaxError
from arxiv_radar.model import Paper
from arxiv_radar.query import AndNot, Or, Term, explain, from_filters, matches, parse, to_api, with_exclusions


@pytest.mark.parametrize(
    "query, api",
    [
        ("graphene", "all:graphene"),
        ("ti:foo bar", "ti:foo AND all:bar"),
        ("a OR b AND c", "all:a OR (all:b AND all:c)"),
        ("(a OR b) c ANDNOT d", "((all:a OR all:b) AND all:c) ANDNOT all:d"),
        ("a AND (b AND c)", "all:a AND (all:b AND all:c)"),
        ("ti:(space time)", "ti:space AND ti:time"),
        ("TI:Detect* OR cat:cs.*", "ti:Detect* OR cat:cs.*"),
        ("a AND NOT b", "all:a ANDNOT all:b"),
        ("submittedDate:[20250101 TO 20250131]", "submittedDate:[202501010000 TO 202501312359]"),
        ('au:"del maestro"+AND+ti:"quantum+criticality"', 'au:"del maestro" AND ti:"quantum criticality"'),
    ],
)
def test_to_api_writes_every_operator(query, api):
    assert to_api(parse(query)) == api
    assert parse(api) == parse(query)


def test_round_trip_of_mixed_nesting():
    q = "(ti:a ANDNOT (ti:b OR au:c_d)) OR (abs:\"x y\" AND (cat:cs.CV OR lastUpdatedDate:[20240101 TO 20240102]))"
    node = parse(q)
    assert parse(to_api(node)) == node


def test_to_api_refuses_what_it_cannot_write():
    with pytest.raises(ValueError):
        to_api(Term("ti", ("a(b",)))
    with pytest.raises(ValueError):
        to_api(Term("all", ("ti:x",)))
    with pytest.raises(ValueError):
        to_api(Term("ti", ('"hi"',), phrase=True))


def test_from_filters_cv_arxiv_daily_style():
    node = from_filters(["SLAM", "Visual Odometry"])
    assert node == Or((Term("all", ("SLAM",)), Term("all", ("Visual", "Odometry"), phrase=True)))
    assert to_api(node) == 'all:SLAM OR all:"Visual Odometry"'
    assert parse(to_api(node)) == node
    assert from_filters(["NeRF"]) == Term("all", ("NeRF",))


def test_from_filters_cleans_what_a_query_cannot_hold():
    node = from_filters(['C++ "templates"', "x:y", "(SfM)", "NeRF", "NeRF"])
    assert node == Or(
        (
            Term("all", ("C", "templates"), phrase=True),
            Term("all", ("x:y",), phrase=True),
            Term("all", ("SfM",)),
            Term("all", ("NeRF",)),
        )
    )
    assert parse(to_api(node)) == node


def test_from_filters_rejects_empty_and_junk():
    for bad in ([], ["  "], ["***"], [None]):
        with pytest.raises(QuerySyntaxError):
            from_filters(bad)  # type: ignore[arg-type]
    assert from_filters("SLAM") == Term("all", ("SLAM",))  # a lone YAML string is one filter


def test_filters_match_papers_by_any_phrase_in_any_field():
    node = from_filters(["SLAM", "Visual Odometry", "Structure from Motion"])
    p = Paper(id="2501.00001", title="Fast visual odometries for drones", abstract="We fly.")
    assert matches(node, p)
    assert explain(node, p) == 'ti:"Visual Odometry"'
    assert not matches(node, p.with_(title="Visual stuff and odometry"))
    assert matches(node, p.with_(title="x", comment="Uses SLAM"))


def test_with_exclusions():
    base = parse("cat:cs.CV")
    node = with_exclusions(base, ["survey", "medical imaging"])
    assert node == AndNot(base, Or((Term("all", ("survey",)), Term("all", ("medical", "imaging"), phrase=True))))
    assert to_api(node) == 'cat:cs.CV ANDNOT (all:survey OR all:"medical imaging")'
    assert parse(to_api(node)) == node
    assert with_exclusions(base, []) is base
    when = datetime(2025, 1, 1, tzinfo=timezone.utc)
    p = Paper(id="2501.00002", title="A survey of detectors", categories=("cs.CV",), published=when)
    assert matches(base, p) and not matches(node, p)
    assert not matches(node, p.with_(title="Detectors for medical images"))  # stems: medic imag
    assert matches(node, p.with_(title="Detectors for imaging in medicine"))  # not the phrase
