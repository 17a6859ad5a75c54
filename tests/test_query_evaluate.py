"""Local evaluation of queries over papers, and the explanations given for matches."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from arxiv_radar.model import Author, Paper
from arxiv_radar.query import PaperText, explain, matches, parse


def paper(**kw) -> Paper:
    base = dict(
        id="2501.01234",
        title="Detecting Deepfakes with Multimodal LLMs",
        abstract="We study deepfake detection using MLLMs and large language models.",
        authors=(Author("Adrian Del Maestro"), Author("Ana Sánchez")),
        categories=("cs.CV", "cs.LG"),
        primary_category="cs.CV",
        published=datetime(2025, 1, 15, 12, 30, tzinfo=timezone.utc),
        updated=datetime(2025, 2, 1, 8, 0, tzinfo=timezone.utc),
        comment="Code at https://github.com/x/y",
        journal_ref="Phys. Rev. B 74, 024520 (2006)",
        report_no="MIT-CTP-1234",
    )
    base.update(kw)
    return Paper(**base)


P = paper()


def ok(query: str, p: Paper = P) -> bool:
    return matches(parse(query), p)


def test_stemmed_words_and_case():
    assert ok("abs:MLLM")  # the abstract says "MLLMs"
    assert ok("ti:MLLMs", paper(title="An MLLM for video"))  # and the other way round
    assert ok("ti:llm")  # the title says "LLMs"
    assert not ok("ti:mllm")
    assert ok("ti:detect")  # "Detecting"
    assert ok("TI:DEEPFAKE")


def test_phrases_are_consecutive_and_stemmed():
    assert ok('abs:"large language model"')  # paper: "large language models"
    assert ok('abs:"deepfake detection"')
    assert not ok('abs:"detection deepfake"')
    assert not ok('abs:"deepfake models"')  # both words present, not adjacent


def test_phrases_do_not_cross_field_boundaries():
    # Title ends "LLMs", abstract starts "We": not a phrase in all:.
    assert ok("all:LLMs AND all:we")
    assert not ok('all:"LLMs we"')
    # Authors are separate values: "Maestro Ana" spans two people.
    assert ok("au:maestro AND au:ana")
    assert not ok('au:"maestro ana"')
    assert ok("au:del_maestro") and ok('au:"Adrian Del Maestro"')


def test_diacritics_fold_both_ways():
    assert ok("au:sanchez")
    assert ok("au:Sánchez", paper(authors=(Author("Ana Sanchez"),)))


def test_wildcards():
    assert ok("ti:detect*")
    assert ok("ti:multimod*")
    assert ok("abs:stud*")  # "study"
    assert ok('au:del_mae*')
    assert not ok("ti:detectx*")
    # The stems are tried too, as arXiv expands wildcards over its stemmed index.
    assert ok("ti:deepfak*") and ok("abs:studi*")


def test_fields_are_kept_apart():
    assert ok("co:github") and not ok("ti:github")
    assert ok("jr:024520") and ok('jr:"Phys Rev B"')
    assert ok("rn:MIT-CTP-1234") and ok("rn:ctp")
    for field in ("ti", "abs", "co", "jr", "rn", "cat", "id"):
        assert not ok(f"{field}:sanchez")


def test_all_covers_every_field():
    for word in ("deepfakes", "sanchez", "github", "024520", "CTP", "cs.LG", "2501.01234"):
        assert ok(f"all:{word}"), word
        assert ok(word), word
    assert not ok("all:pineapple")


def test_categories_exact_archive_and_wildcard():
    assert ok("cat:cs.CV") and ok("cat:cs.cv")
    assert not ok("cat:cs.C")  # exact, not a prefix
    assert ok("cat:cs") and ok("cat:cs.*")
    assert not ok("cat:math") and not ok("cat:c")
    cm = paper(categories=("cond-mat.str-el",))
    assert ok("cat:cond-mat", cm) and ok("cat:cond-mat.*", cm) and not ok("cat:cond", cm)


def test_ids_ignore_versions():
    assert ok("id:2501.01234") and ok("id:2501.01234v3") and ok("id:2501.*")
    assert not ok("id:2501.0123")
    old = paper(id="cond-mat/0603029")
    assert ok("id:cond-mat/0603029", old)
    assert ok("id:arXiv:2501.01234")  # the colon inside a value is not a prefix

def test_boolean_logic():
    assert ok("ti:deepfake AND abs:MLLM")
    assert not ok("ti:deepfake AND abs:pineapple")
    assert ok("ti:pineapple OR abs:MLLM")
    assert ok("ti:deepfake ANDNOT ti:pineapple")
    assert not ok("ti:deepfake ANDNOT (ti:pineapple OR abs:detection)")
    assert ok("ti:deepfake detection")  # juxtaposition is AND; "detection" is in the abstract
    assert not ok("ti:deepfake pineapple")


def test_date_ranges_are_inclusive_to_the_minute():
    # published 2025-01-15 12:30 UTC; updated 2025-02-01 08:00 UTC
    assert ok("submittedDate:[202501151230 TO 202501151230]")
    assert ok("submittedDate:[20250115 TO 20250115]")
    assert not ok("submittedDate:[202501151231 TO 202501312359]")
    assert not ok("submittedDate:[202501010000 TO 202501151229]")
    assert ok("lastUpdatedDate:[20250201 TO 20250201]")
    assert not ok("lastUpdatedDate:[20250115 TO 20250131]")
    # Never updated: the last update is the submission.
    assert ok("lastUpdatedDate:[20250115 TO 20250115]", paper(updated=None))


def test_empty_optional_fields_match_nothing():
    bare = Paper(id="2501.00001", title="Only a title")
    assert ok("ti:title", bare)
    for q in ("co:a", "jr:a", "rn:a", "au:a", "abs:a", "cat:cs", 'all:"title only"'):
        assert not ok(q, bare), q


def test_explain_names_the_clauses_and_the_field():
    assert explain(parse('"deepfake detection"'), P) == 'abs:"deepfake detection"'
    assert explain(parse("deepfakes"), P) == "ti:deepfakes"  # title named before abstract
    assert explain(parse("ti:pineapple OR abs:MLLM OR au:sanchez"), P) == "abs:MLLM, au:sanchez"
    assert explain(parse("ti:deepfake AND cat:cs.CV ANDNOT ti:pineapple"), P) == "ti:deepfake, cat:cs.CV"
    assert (
        explain(parse("cat:cs AND submittedDate:[20250101 TO 20250131]"), P)
        == "cat:cs, submittedDate:[202501010000 TO 202501312359]"
    )
    assert explain(parse("ti:pineapple"), P) is None
    assert explain(parse("ti:deepfake ANDNOT abs:MLLM"), P) is None


def test_paper_text_is_built_once_and_reused():
    pt = PaperText.of(P)
    assert PaperText.of(pt) is pt
    assert PaperText.of(P) is pt  # the last paper's text is kept for naive callers
    nodes = [parse(q) for q in ("ti:deepfake", "abs:MLLM", '"large language model"', "cat:cs")]
    assert all(matches(n, pt) for n in nodes)
    assert set(pt._fields) >= {"ti", "abs", "all"}
    other = paper(id="2501.09999", title="Something else")
    assert PaperText.of(other) is not pt
    assert not matches(parse("ti:deepfake"), other)


@pytest.mark.parametrize("query", ["ti:deepfake", "au:del_maestro", "abs:\"language models\""])
def test_paper_or_paper_text_give_the_same_answer(query):
    node = parse(query)
    assert matches(node, P) == matches(node, PaperText(P)) is True
