"""Query AST -> FTS5 plan: each syntax element, the superset property, and injection safety."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arxiv_radar.model import Author, Paper
from arxiv_radar.query import matches, parse
from arxiv_radar.query.fts import Everything, Fts, Intersect, Sql, Union, candidates, compile_fts, fts_string
from arxiv_radar.store import Store

UTC = timezone.utc


def c(q: str):
    return compile_fts(parse(q))


@pytest.mark.parametrize(
    "query, plan",
    [
        ("ti:transformer", Fts("papers_fts", 'title : "transformer"')),
        ("abs:Transformers", Fts("papers_fts", 'abstract : "transformers"')),
        ("au:del_maestro", Fts("papers_fts", 'authors_text : "del maestro"')),
        ('co:"accepted for CVPR"', Fts("papers_fts", 'comment : "accepted for cvpr"')),
        ('co:"accepted at CVPR"', Fts("papers_fts", 'comment : ("accepted" AND "cvpr")')),  # "at" is split out
        ("jr:Phys", Fts("papers_meta_fts", 'journal_ref : "phys"')),
        ("rn:ANL-HEP", Fts("papers_meta_fts", 'report_no : "anl hep"')),
        ("cat:cs.CV", Fts("papers_meta_fts", 'categories : "cs cv"')),
        ("cat:cs.*", Fts("papers_meta_fts", 'categories : "cs"')),
        ("id:0704.0001v2", Fts("papers_meta_fts", 'id : "0704 0001v2"')),
        ("ti:detect*", Fts("papers_fts", 'title : "detec" *')),
        ("ti:deep_lear*", Fts("papers_fts", 'title : "deep" + "lea" *')),
        ("ti:happy*", Fts("papers_fts", 'title : "hap" *')),  # Porter writes happy as happi
        ("ti:GPT-4", Fts("papers_fts", 'title : "gpt"')),  # "4" is too short to trust (see _risky)
        ('ti:"x ray" ', Fts("papers_fts", 'title : "ray"')),
        (
            "all:SLAM",
            Union((Fts("papers_fts", '{title abstract authors_text comment} : "slam"'),
                   Fts("papers_meta_fts", '{journal_ref report_no categories id} : "slam"'))),
        ),
        ("ti:a AND abs:b", Everything()),  # one-letter words: nothing safe to look up
        ("ti:graph AND abs:neural", Fts("papers_fts", '(title : "graph") AND (abstract : "neural")')),
        ("ti:graph OR abs:neural", Fts("papers_fts", '(title : "graph") OR (abstract : "neural")')),
        (
            "ti:graph AND cat:cs.LG",
            Intersect((Fts("papers_fts", 'title : "graph"'), Fts("papers_meta_fts", 'categories : "cs lg"'))),
        ),
        ("ti:graph ANDNOT ti:survey", Fts("papers_fts", 'title : "graph"')),  # the evaluator excludes
        (
            "submittedDate:[202001010000 TO 202012312359]",
            Sql("published >= ? AND published < ?", ("2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z")),
        ),
        (
            "ti:graph AND submittedDate:[20200101 TO 20201231]",
            Intersect((Fts("papers_fts", 'title : "graph"'),
                       Sql("published >= ? AND published < ?", ("2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z")))),
        ),
        ("ti:graph AND lastUpdatedDate:[20200101 TO 20201231]", Fts("papers_fts", 'title : "graph"')),
        ("ti:graph OR submittedDate:[20200101 TO 20201231]", None),
    ],
)
def test_each_syntax_element(query: str, plan) -> None:
    got = c(query)
    if plan is None:
        assert isinstance(got, Union) and any(isinstance(p, Sql) for p in got.items)
    else:
        assert got == plan


def test_fts_strings_cannot_inject_syntax() -> None:
    assert fts_string('a" OR "b') == '"a"" OR ""b"'
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5 (a, tokenize = 'porter unicode61 remove_diacritics 2')")
    conn.executemany("INSERT INTO t VALUES (?)", [("near the title",), ("other text",), ('a" OR "b',)])
    for hostile in ('NEAR(a b)', 'title:x', '{a}:x', 'x^y', '" OR "', "*", "a AND b", "-x", "(", "''"):
        rows = conn.execute("SELECT a FROM t WHERE t MATCH ?", (fts_string(hostile),)).fetchall()
        assert ("other text",) not in rows  # the words are searched as words, never as operators


@pytest.mark.parametrize(
    "query",
    ['ti:"NEAR(a b)"', 'abs:"x^y OR {title}:z"', "co:col:val", 'au:"a"" b"', "ti:AND_OR_NOT", "all:*x", "ti:x)"],
)
def test_hostile_queries_compile_to_valid_fts(query: str) -> None:
    with Store.open(":memory:") as store:
        try:
            plan = compile_fts(parse(query))
        except Exception as exc:  # the parser may refuse it: that is fine, but with our error
            assert type(exc).__name__ == "QuerySyntaxError"
            return
        candidates(store.conn, plan)  # no sqlite3.OperationalError


# -- the superset property on random small corpora ------------------------------------------

# Few words, chosen to collide: plurals, Porter oddities (-logy, -bly, y -> i), short words.
VOCAB = ["topology", "topologies", "topologic", "analog", "analogy", "graph", "graphs", "graphing",
         "is", "i", "a", "as", "us", "ies", "sses", "possibly", "possible", "happy", "happiness",
         "detect", "detection", "detector", "neural", "network", "networks", "x", "ray", "del",
         "maestro", "cs", "lg", "phys", "rev", "café", "naïve"]
CATS = ["cs.LG", "cs.CV", "math.AT", "hep-th", "cond-mat.str-el", "q-bio.NC"]
text = st.lists(st.sampled_from(VOCAB), min_size=0, max_size=8).map(" ".join)
word = st.sampled_from(VOCAB + ["GPT-4", "del_maestro", "X-ray"])
field = st.sampled_from(["ti", "abs", "au", "co", "jr", "rn", "all"])


@st.composite
def papers(draw, n: int):
    out = []
    for i in range(n):
        day = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(days=draw(st.integers(0, 700)))
        out.append(Paper(
            id=f"2001.{i:05d}",
            title=draw(text) or "untitled",
            abstract=draw(text),
            authors=tuple(Author(draw(text) or "anon") for _ in range(draw(st.integers(0, 3)))),
            categories=tuple(dict.fromkeys(draw(st.lists(st.sampled_from(CATS), min_size=1, max_size=3)))),
            published=day,
            updated=day + timedelta(days=draw(st.integers(0, 90))),
            comment=draw(text) or None,
            journal_ref=draw(text) or None,
            report_no=draw(text) or None,
        ))
    return out


@st.composite
def queries(draw, depth: int = 0):
    kind = draw(st.sampled_from(["term", "term", "term", "cat", "date"] + (["and", "or", "andnot"] if depth < 3 else [])))
    if kind == "term":
        f = draw(field)
        if draw(st.booleans()):
            return f'{f}:"{" ".join(draw(st.lists(st.sampled_from(VOCAB), min_size=1, max_size=3)))}"'
        w = draw(word)
        if draw(st.integers(0, 4)) == 0:
            w = w[: draw(st.integers(1, len(w)))] + "*"
        return f"{f}:{w}"
    if kind == "cat":
        cat = draw(st.sampled_from(CATS + ["cs", "hep-th", "cond-mat"]))
        return f"cat:{cat}" + ("*" if draw(st.integers(0, 3)) == 0 else "")
    if kind == "date":
        start = date(2020, 1, 1) + timedelta(days=draw(st.integers(0, 700)))
        end = start + timedelta(days=draw(st.integers(0, 200)))
        f = draw(st.sampled_from(["submittedDate", "lastUpdatedDate"]))
        return f"{f}:[{start:%Y%m%d} TO {end:%Y%m%d}]"
    left, right = draw(queries(depth + 1)), draw(queries(depth + 1))
    op = {"and": "AND", "or": "OR", "andnot": "ANDNOT"}[kind]
    return f"({left}) {op} ({right})"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus=papers(12), qs=st.lists(queries(), min_size=1, max_size=4))
def test_fts_candidates_hold_every_evaluator_match(corpus, qs) -> None:
    with Store.open(":memory:") as store:
        store.upsert_papers(corpus, date(2026, 1, 1))
        rowid = {r[0]: r[1] for r in store.conn.execute("SELECT id, rowid FROM papers")}
        for q in qs:
            try:
                node = parse(q)
            except Exception:
                continue  # e.g. a wildcard cut down to nothing searchable
            found = candidates(store.conn, compile_fts(node))
            if found is None:
                continue  # every paper is a candidate: trivially a superset
            missed = [p.id for p in corpus if matches(node, p) and rowid[p.id] not in found]
            assert not missed, (q, compile_fts(node), missed)
