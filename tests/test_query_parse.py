"""The search_query parser: every syntax element, precedence, and errors with positions."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arxiv_radar.errors import QuerySyntaxError
from arxiv_radar.query import And, AndNot, DateRange, Or, Term, parse, to_api


def T(field: str, *words: str, phrase: bool = False, wildcard: bool = False) -> Term:
    return Term(field, tuple(words), phrase, wildcard)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.mark.parametrize("prefix", ["ti", "au", "abs", "co", "jr", "cat", "rn", "id", "all"])
def test_every_field_prefix_in_any_case(prefix):
    assert parse(f"{prefix}:x1") == T(prefix, "x1")
    assert parse(f"{prefix.upper()}:x1") == T(prefix, "x1")


def test_bare_word_is_all():
    assert parse("graphene") == T("all", "graphene")


def test_quoted_phrase_and_underscore_name():
    assert parse('ti:"quantum criticality"') == T("ti", "quantum", "criticality", phrase=True)
    assert parse("au:del_maestro") == T("au", "del_maestro")
    assert parse('"deepfake   detection"') == T("all", "deepfake", "detection", phrase=True)


def test_trailing_wildcard():
    assert parse("ti:detect*") == T("ti", "detect", wildcard=True)
    assert parse("cat:cs.*") == T("cat", "cs.", wildcard=True)


def test_operators():
    a, b, c = T("ti", "a"), T("ti", "b"), T("ti", "c")
    assert parse("ti:a AND ti:b") == And((a, b))
    assert parse("ti:a OR ti:b OR ti:c") == Or((a, b, c))
    assert parse("ti:a ANDNOT ti:b") == AndNot(a, b)
    assert parse("ti:a AND NOT ti:b") == AndNot(a, b)


def test_lower_case_and_is_a_word_as_on_arxiv():
    assert parse("ti:a and ti:b") == And((T("ti", "a"), T("all", "and"), T("ti", "b")))


def test_juxtaposition_means_and():
    assert parse("ti:foo bar") == And((T("ti", "foo"), T("all", "bar")))


def test_plus_is_a_space_as_in_api_urls():
    assert parse('au:del_maestro+AND+ti:"quantum+criticality"') == parse(
        'au:del_maestro AND ti:"quantum criticality"'
    )


def test_precedence_and_binds_tighter_than_or_left_to_right():
    a, b, c, d = (T("all", x) for x in "abcd")
    assert parse("a OR b AND c") == Or((a, And((b, c))))
    assert parse("a AND b OR c") == Or((And((a, b)), c))
    assert parse("a OR b AND c ANDNOT d") == Or((a, AndNot(And((b, c)), d)))
    assert parse("a ANDNOT b AND c") == And((AndNot(a, b), c))
    assert parse("(a OR b) AND c") == And((Or((a, b)), c))


def test_parentheses_and_field_groups():
    assert parse("au:del_maestro ANDNOT (ti:checkerboard OR ti:Pyrochlore)") == AndNot(
        T("au", "del_maestro"), Or((T("ti", "checkerboard"), T("ti", "Pyrochlore")))
    )
    # ti:( ... ) gives its prefix to unprefixed words; an inner prefix wins, as on arXiv.
    assert parse("ti:(space AND au:time)") == And((T("ti", "space"), T("au", "time")))
    assert parse('abs:("hawaii pineapple" OR matrix*)') == Or(
        (T("abs", "hawaii", "pineapple", phrase=True), T("abs", "matrix", wildcard=True))
    )


def test_date_ranges():
    assert parse("submittedDate:[202501010000 TO 202501312359]") == DateRange(
        "submittedDate", utc(2025, 1, 1), utc(2025, 1, 31, 23, 59)
    )
    # Day precision: a whole day at either end.
    assert parse("lastUpdatedDate:[20250101 TO 20250131]") == DateRange(
        "lastUpdatedDate", utc(2025, 1, 1), utc(2025, 1, 31, 23, 59)
    )
    # The quoted form arXiv also accepts, any case of the prefix, and a URL's '+'.
    assert parse('submitteddate:"202301010600 TO 202301030600"') == DateRange(
        "submittedDate", utc(2023, 1, 1, 6), utc(2023, 1, 3, 6)
    )
    assert parse("au:del_maestro+AND+submittedDate:[202301010600+TO+202401010600]") == And(
        (T("au", "del_maestro"), DateRange("submittedDate", utc(2023, 1, 1, 6), utc(2024, 1, 1, 6)))
    )


def test_colon_inside_a_value_is_kept():
    assert parse("ti:foo:bar") == T("ti", "foo:bar")


def _error(query: str) -> QuerySyntaxError:
    with pytest.raises(QuerySyntaxError) as info:
        parse(query)
    err = info.value
    assert err.query == query
    assert f"(position {err.position})" in str(err)
    assert "\n" not in str(err)  # the CLI prints it on one line
    return err


@pytest.mark.parametrize(
    "query, position, words",
    [
        ("", 0, "empty query"),
        ("   ", 0, "empty query"),
        ("(ti:a OR ti:b", 0, "unclosed '('"),
        ("ti:a AND (ti:b OR (ti:c)", 9, "unclosed '('"),
        ("ti:a)", 4, "unmatched ')'"),
        ("ti:a AND", 5, "'AND' has nothing after it"),
        ("ti:a OR", 5, "'OR' has nothing after it"),
        ("ti:a ANDNOT", 5, "'ANDNOT' has nothing after it"),
        ("AND ti:a", 0, "'AND' has nothing before it"),
        ("ti:a AND OR ti:b", 9, "found 'OR'"),
        ("ti:a AND )", 9, "found ')'"),
        ("()", 0, "empty parentheses"),
        ("NOT ti:a", 0, "ANDNOT"),
        ("ti:a OR NOT ti:b", 8, "found 'NOT'"),
        ("xx:foo", 0, "unknown field prefix 'xx:'"),
        ("ti:a AND doi:10.1/x", 9, "unknown field prefix 'doi:'"),
        ("ti: foo", 3, "expected a value right after 'ti:'"),
        ("ti:", 3, "expected a value right after 'ti:'"),
        ("all:ti:x", 4, "cannot follow another"),
        ('ti:"open', 3, "unclosed quote"),
        ('ti:""', 3, "empty phrase"),
        ("*ology", 0, "cannot start with '*'"),
        ("ti:de*tect", 5, "only a trailing *"),
        ("ti:!!!", 3, "no letters or digits"),
        ("cat:\"cs CV\"", 4, "single value"),
        ("[20250101 TO 20250102]", 0, "needs submittedDate"),
        ("ti:[20250101 TO 20250102]", 3, "only submittedDate"),
        ("submittedDate:2025", 14, "takes a range"),
        ("submittedDate:[2025 TO 2026]", 14, "YYYYMMDDHHMM"),
        ("submittedDate:[20250230 TO 20250301]", 15, "'20250230' is not a valid date"),
        ("submittedDate:[20250301 TO 202503012460]", 27, "'202503012460' is not a valid date"),
        ("submittedDate:[20250302 TO 20250301]", 14, "starts after it ends"),
        ("submittedDate:[20250302 TO 20250301", 14, "unclosed '['"),
        ("ti:a]", 4, "unmatched ']'"),
    ],
)
def test_errors_point_at_the_mistake(query, position, words):
    err = _error(query)
    assert err.position == position, str(err)
    assert words in str(err)
    # The marker sits right before the offending text.
    assert f">>>{query[position:]}"[:20] in str(err)


def test_error_display_is_safe_with_control_characters():
    err = _error("ti:a AND \x1b[31m)")
    assert "\x1b" not in str(err)


def test_runaway_nesting_is_a_syntax_error():
    _error("(" * 500 + "a" + ")" * 500)
    _error(" ANDNOT ".join(["a"] * 400))
    _error("a " * 6000)


def test_non_text_is_a_syntax_error():
    with pytest.raises(QuerySyntaxError):
        parse(None)  # type: ignore[arg-type]


QUERY_PIECES = st.sampled_from(
    ["ti:", "au:", "cat:", "all:", "submittedDate:", "AND", "OR", "ANDNOT", "NOT", "(", ")", '"', "[", "]",
     "*", "+", " ", "x", "del_maestro", "TO", "20250101", "cs.*", ":", "é", "\x00", "\n", "xx:"]
)


@settings(max_examples=400, deadline=None, database=None)  # no .hypothesis/ in the tree
@given(st.one_of(st.text(max_size=60), st.lists(QUERY_PIECES, max_size=14).map("".join)))
def test_parse_raises_only_query_syntax_errors(text):
    try:
        node = parse(text)
    except QuerySyntaxError as err:
        assert err.position is not None and 0 <= err.position <= len(text)
    else:
        # Whatever parses also survives the trip to arXiv's syntax and back.
        assert parse(to_api(node)) == node
