"""Exports: JSON/JSONL against the store and the documented schema, BibTeX parsed back, the CLI."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from importlib import resources
from pathlib import Path

import bibtexparser  # the test extra; pylatexenc comes with it
import pytest
from click.testing import CliRunner
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

from arxiv_radar.cli import main
from arxiv_radar.publish.export import (
    SCHEMA_VERSION,
    UnknownTopicError,
    bibtex_entry,
    export_to_file,
    iter_records,
    latex_escape,
    select_topics,
    write_export,
)
from arxiv_radar.model import Author, Paper, Version
from arxiv_radar.store import Store

REPO = Path(__file__).resolve().parent.parent
DAY = date(2025, 3, 2)


def utc(*a):
    return datetime(*a, tzinfo=timezone.utc)


HOSTILE = "Hostile {unbalanced and } braces 100% & <script>alert(1)</script> C:\\path #1 a_b ~x^2 $5"

PAPERS = [
    Paper(
        id="2502.19917", version=2, title="Picking the Cream of the Crop: $\\mathcal{O}(n)$ Visual Data",
        abstract="We study MLLMs.\nCode: https://github.com/HITsz-TMG/ViSA",
        authors=(Author("Zhenyu Liu", ("HIT", "Pengcheng Lab")), Author("Danae Sánchez Villegas"), Author("Ben and Jerry Lab")),
        categories=("cs.CV", "cs.CL"), primary_category="cs.CV",
        published=utc(2025, 2, 27, 10, 0), updated=utc(2025, 3, 1, 9, 30),
        versions=(Version(1, utc(2025, 2, 27, 10, 0), "1200kb"), Version(2, utc(2025, 3, 1, 9, 30), "1300kb")),
        comment="15 pages", journal_ref="CVPR 2025 & friends", doi="10.1000/abc_def", report_no="R-1",
        license="http://creativecommons.org/licenses/by/4.0/",
    ),
    Paper(id="2502.00001", title=HOSTILE, authors=(Author("O'Brien, Jr."), Author("Ana {Evil} Ruiz")),
          categories=("cs.LG",), primary_category="cs.LG", published=utc(2025, 2, 27, 10, 0)),
    Paper(id="hep-th/9901001", title="Schr\\\"odinger   strings\n  in {\\'e}tudes", authors=(Author("Ed Witten"),),
          categories=("hep-th",), primary_category="hep-th", published=utc(1999, 1, 4, 0, 0)),
    Paper(id="2503.00002", title="Unmatched paper", categories=("cs.AI",), primary_category="cs.AI",
          published=utc(2025, 3, 1)),
]


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "s.sqlite") as s:
        s.upsert_papers(PAPERS, DAY)
        s.add_matches("Vision", [("2502.19917", "title"), ("hep-th/9901001", None)], DAY)
        s.add_matches("Learning", [("2502.00001", None), ("2502.19917", None)], DAY)
        s.record_link("2502.19917", "huggingface", "found", url="https://github.com/HF/visa", stars=42,
                      project_url="https://visa.github.io", checked_at=utc(2025, 3, 2, 6, 0))
        s.record_link("2502.19917", "abstract", "found", url="https://github.com/HITsz-TMG/ViSA",
                      checked_at=utc(2025, 3, 2, 5, 0))
        s.record_link("2502.00001", "paperswithcode", "none", checked_at=utc(2025, 3, 2, 5, 0))
        yield s


def export_text(store, fmt, topics=("Vision", "Learning"), **kw):
    import io

    buf = io.StringIO()
    write_export(store, buf, fmt, list(topics), **kw)
    return buf.getvalue()


# --- JSON / JSONL --------------------------------------------------------------------------


def test_json_has_every_field_from_the_store(store):
    doc = json.loads(export_text(store, "json", generated_for=DAY))
    assert doc["schema_version"] == SCHEMA_VERSION == 1
    assert doc["generated_for"] == "2025-03-02" and doc["topics"] == ["Vision", "Learning"]
    ids = [p["id"] for p in doc["papers"]]
    # published desc, then id; the unmatched paper is not exported.
    assert ids == ["2502.00001", "2502.19917", "hep-th/9901001"]
    p = doc["papers"][1]
    stored = store.get_papers(["2502.19917"])["2502.19917"]
    assert p["title"] == stored.title and p["abstract"] == stored.abstract
    assert p["authors"] == [{"name": "Zhenyu Liu", "affiliations": ["HIT", "Pengcheng Lab"]},
                            {"name": "Danae Sánchez Villegas", "affiliations": []},
                            {"name": "Ben and Jerry Lab", "affiliations": []}]
    assert p["version"] == 2 and p["categories"] == ["cs.CV", "cs.CL"] and p["primary_category"] == "cs.CV"
    assert p["published"] == "2025-02-27T10:00:00Z" and p["updated"] == "2025-03-01T09:30:00Z"
    assert (p["comment"], p["journal_ref"], p["doi"], p["report_no"]) == ("15 pages", "CVPR 2025 & friends", "10.1000/abc_def", "R-1")
    assert p["license"] == stored.license and p["origin"] == "arxiv" and p["authors_complete"] is True
    assert p["versions"] == [{"version": 1, "submitted": "2025-02-27T10:00:00Z", "size": "1200kb"},
                             {"version": 2, "submitted": "2025-03-01T09:30:00Z", "size": "1300kb"}]
    assert p["topics"] == ["Vision", "Learning"]  # known-topic order, not alphabetical
    code = p["code"]
    # abstract outranks huggingface for the url; stars and project page come from whoever knows them.
    assert (code["status"], code["url"], code["source"]) == ("found", "https://github.com/HITsz-TMG/ViSA", "abstract")
    assert code["stars"] == 42 and code["project_url"] == "https://visa.github.io"
    assert [s["source"] for s in code["sources"]] == ["abstract", "huggingface"]
    assert code["sources"][1] == {"source": "huggingface", "status": "found", "kind": "code",
                                  "url": "https://github.com/HF/visa", "stars": 42,
                                  "project_url": "https://visa.github.io", "checked_at": "2025-03-02T06:00:00Z"}
    assert p["links"] == {"abs": "https://arxiv.org/abs/2502.19917", "pdf": "https://arxiv.org/pdf/2502.19917"}
    none = doc["papers"][0]["code"]
    assert none["status"] == "none" and none["url"] is None and none["stars"] is None
    assert doc["papers"][2]["code"] == {"status": "unknown", "url": None, "source": None, "stars": None,
                                        "project_url": None, "sources": []}
    assert doc["papers"][0]["title"] == HOSTILE  # JSON keeps text exactly


def test_jsonl_lines_are_the_json_papers(store):
    doc = json.loads(export_text(store, "json"))
    text = export_text(store, "jsonl")
    assert text.endswith("\n") and len(text.splitlines()) == 3
    assert [json.loads(line) for line in text.splitlines()] == doc["papers"]


def test_line_separators_in_text_do_not_split_jsonl(store):
    store.upsert_papers([PAPERS[3].with_(abstract="a\u2028b\u2029c\x85d\ne", version=2)], DAY)
    store.add_matches("Vision", [("2503.00002", None)], DAY)
    lines = export_text(store, "jsonl").splitlines()
    assert len(lines) == 4
    assert json.loads(lines[0])["abstract"] == "a\u2028b\u2029c\x85d\ne"


def test_streams_in_batches_keeping_the_order(store):
    many = [Paper(id=f"2401.{i:05d}", title=f"P{i}", published=utc(2024, 1, 1 + i % 3)) for i in range(23)]
    store.upsert_papers(many, DAY)
    store.add_matches("Bulk", [(p.id, None) for p in many], DAY)
    got = [r["id"] for r in iter_records(store, ["Bulk"], batch=5)]
    want = [p.id for p in sorted(many, key=lambda p: p.id)]
    want.sort(key=lambda pid: next(p.published for p in many if p.id == pid), reverse=True)  # stable: id asc within a day
    assert got == want and len(got) == 23


def test_one_topic_export_keeps_other_topics_of_a_paper(store):
    recs = list(iter_records(store, ["Learning"], known_topics=["Vision", "Learning"]))
    assert [r["id"] for r in recs] == ["2502.00001", "2502.19917"]
    assert recs[1]["topics"] == ["Vision", "Learning"]


def test_legacy_record_says_authors_incomplete_and_bibtex_adds_others(store):
    legacy = Paper(id="2101.00001", title="Old row", authors=(Author("First Author"),), published=utc(2021, 1, 1))
    store.upsert_papers([legacy], DAY, origin="legacy", authors_complete=False)
    store.add_matches("Vision", [("2101.00001", None)], DAY)
    rec = next(r for r in iter_records(store, ["Vision"]) if r["id"] == "2101.00001")
    assert rec["origin"] == "legacy" and rec["authors_complete"] is False
    assert "author = {First Author and others}" in bibtex_entry(rec)


def _check(value, schema, root, where="$"):
    """A small JSON Schema check (type, const, enum, pattern, required, properties, items, $ref)."""
    import re

    if "$ref" in schema:
        node = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        return _check(value, node, root, where)
    types = {"string": str, "integer": int, "boolean": bool, "object": dict, "array": list, "null": type(None)}
    if "type" in schema:
        allowed = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        ok = any(isinstance(value, types[t]) and not (t == "integer" and isinstance(value, bool)) for t in allowed)
        assert ok, f"{where}: {value!r} is not {allowed}"
    if "const" in schema:
        assert value == schema["const"], where
    if "enum" in schema:
        assert value in schema["enum"], f"{where}: {value!r} not in {schema['enum']}"
    if "pattern" in schema and isinstance(value, str):
        assert re.search(schema["pattern"], value), f"{where}: {value!r}"
    if isinstance(value, dict) and "properties" in schema:
        # Every required key, nothing unknown (optional keys such as `summary` may be absent).
        assert set(schema["required"]) <= set(value) <= set(schema["properties"]), f"{where}: keys {sorted(value)}"
        for k, sub in schema["properties"].items():
            if k in value:
                _check(value[k], sub, root, f"{where}.{k}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            _check(item, schema["items"], root, f"{where}[{i}]")


def test_json_validates_against_the_shipped_schema_and_the_doc_lists_every_field(store):
    schema = json.loads(resources.files("arxiv_radar.publish").joinpath("export_schema.json").read_text(encoding="utf-8"))
    doc = json.loads(export_text(store, "json", generated_for=DAY))
    _check(doc, schema, schema)
    with pytest.raises(AssertionError):
        _check({**doc, "extra": 1}, schema, schema)  # the checker does check
    md = (REPO / "docs" / "export-schema.md").read_text(encoding="utf-8")
    assert "schema_version: 1" in md
    paper = schema["$defs"]["paper"]["properties"]
    fields = set(paper) | set(paper["code"]["properties"]) | set(paper["code"]["properties"]["sources"]["items"]["properties"])
    for field in fields | set(schema["properties"]):
        assert f"| `{field}` |" in md, f"docs/export-schema.md does not document {field}"


def test_output_is_deterministic(store):
    assert export_text(store, "json") == export_text(store, "json")
    assert export_text(store, "bibtex") == export_text(store, "bibtex")


def test_unknown_topic_lists_known_ones():
    assert select_topics(["A", "B"], None) == ["A", "B"] and select_topics(["A", "B"], "B") == ["B"]
    with pytest.raises(UnknownTopicError, match="known topics: A, B") as err:
        select_topics(["A", "B"], "C")
    assert err.value.exit_code == 2


# --- BibTeX --------------------------------------------------------------------------------


def _decoder():
    # pylatexenc knows no \textbraceleft / \textbraceright and gives U+02C6 for \textasciicircum.
    db = get_default_latex_context_db()
    db.add_context_category("braces", prepend=True, macros=[
        MacroTextSpec("textbraceleft", simplify_repl="{"), MacroTextSpec("textbraceright", simplify_repl="}"),
        MacroTextSpec("textasciicircum", simplify_repl="^"),
    ])
    return LatexNodes2Text(latex_context=db, math_mode="verbatim")


def parse_bib(text):
    lib = bibtexparser.parse_string(text)
    assert not lib.failed_blocks, [b.error for b in lib.failed_blocks]
    return lib


def test_bibtex_parses_back_with_unique_keys_and_fields(store):
    lib = parse_bib(export_text(store, "bibtex"))
    keys = [e.key for e in lib.entries]
    assert keys == ["arXiv:2502.00001", "arXiv:2502.19917", "arXiv:hep-th/9901001"]
    assert len(set(keys)) == len(keys)
    e = lib.entries_dict["arXiv:2502.19917"]
    assert e.entry_type == "misc"
    f = {k: v.value for k, v in e.fields_dict.items()}
    assert f["title"] == "{Picking the Cream of the Crop: $\\mathcal{O}(n)$ Visual Data}"  # case protected, math kept
    assert f["author"] == "Zhenyu Liu and Danae Sánchez Villegas and {Ben and Jerry Lab}"
    assert (f["year"], f["eprint"], f["archivePrefix"], f["primaryClass"]) == ("2025", "2502.19917", "arXiv", "cs.CV")
    assert f["url"] == "https://arxiv.org/abs/2502.19917" and f["doi"] == "10.1000/abc_def"
    assert f["note"] == "CVPR 2025 \\& friends"
    old = {k: v.value for k, v in lib.entries_dict["arXiv:hep-th/9901001"].fields_dict.items()}
    assert old["eprint"] == "hep-th/9901001" and old["title"] == "{Schrödinger strings in études}"


def test_hostile_title_round_trips_and_breaks_nothing(store):
    lib = parse_bib(export_text(store, "bibtex"))
    assert len(lib.entries) == 3  # the hostile entry did not swallow its neighbours
    hostile = lib.entries_dict["arXiv:2502.00001"]
    decoded = _decoder().latex_to_text(hostile.fields_dict["title"].value)
    assert decoded == HOSTILE
    raw = hostile.fields_dict["author"].value
    assert raw == "{O'Brien, Jr.} and Ana \\textbraceleft{}Evil\\textbraceright{} Ruiz"


@pytest.mark.parametrize("title", [
    "{", "}", "}{", "%", "&", "\\", "\\\\", "<script>x</script>", "a $b{$ c", "$x$ and $y$ $",
    "100% of $\\alpha_{1}$ {nested {braces}}", "@misc{evil, title={x}}", "line\nbreak\r\n\t\x00ctl",
    "trailing backslash \\", "~^_#$&", "\\textbf{bold}",
])
def test_any_title_parses_back_to_its_text(title):
    rec = {"id": "2501.00001", "title": title, "authors": [{"name": title, "affiliations": []}],
           "authors_complete": True, "published": "2025-01-01T00:00:00Z", "primary_category": "cs.CV}",
           "links": {"abs": "https://arxiv.org/abs/2501.00001"}, "doi": "10.1/{x}", "journal_ref": title}
    text = bibtex_entry(rec) + "\n" + bibtex_entry({**rec, "id": "2501.00002"})
    lib = parse_bib(text)
    assert [e.key for e in lib.entries] == ["arXiv:2501.00001", "arXiv:2501.00002"]
    f = lib.entries[0].fields_dict
    assert f["primaryClass"].value == "cs.CV" and f["doi"].value == "10.1/x"
    want = " ".join(title.replace("\x00", " ").split())
    got = _decoder().latex_to_text(f["title"].value)
    if "$" not in title:
        assert got == want
    assert not set("{}") & set(_strip_commands(latex_escape(title), title))


def _strip_commands(escaped: str, title: str) -> str:
    """The escaped text minus math spans and the brace pairs of our own commands."""
    import re

    return re.sub(r"\$[^$]*\$|\\text\w+\{\}", "", escaped) if "$" not in title else ""


def test_latex_escape_examples():
    assert latex_escape("$\\mathcal{O}(n)$ & 100%") == "$\\mathcal{O}(n)$ \\& 100\\%"
    assert latex_escape("$a{$ b") == "\\$a\\textbraceleft{}\\$ b"  # unbalanced math is escaped
    assert latex_escape("Schr\\\"odinger \\c{c}a {\\'E}cole") == "Schrödinger ça École"
    assert latex_escape("a_b #1 ~ ^") == "a\\_b \\#1 \\textasciitilde{} \\textasciicircum{}"


# --- CLI -----------------------------------------------------------------------------------


def run_cli(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_cli_each_format_with_db_only_uses_every_store_topic(store, tmp_path):
    db = str(store.path)
    out = run_cli("export", "--db", db, "--format", "json")
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert doc["topics"] == ["Learning", "Vision"] and doc["generated_for"] is None
    assert [p["topics"] for p in doc["papers"]] == [["Learning"], ["Learning", "Vision"], ["Vision"]]
    out = run_cli("export", "--db", db, "--format", "jsonl")
    assert out.exit_code == 0 and [json.loads(x) for x in out.stdout.splitlines()] == doc["papers"]
    out = run_cli("export", "--db", db, "--format", "bibtex", "--topic", "Vision")
    assert out.exit_code == 0
    assert [e.key for e in parse_bib(out.stdout).entries] == ["arXiv:2502.19917", "arXiv:hep-th/9901001"]


def test_cli_generated_for_is_the_last_finished_run_or_date(store):
    run = store.begin_run("run", date(2025, 3, 3))
    store.finish_run(run, "ok")
    store.finish_run(store.begin_run("run", date(2025, 3, 4)), "failed")
    # `links` (and `render`) bring no new papers: the export still stands for the last run.
    store.finish_run(store.begin_run("links", date(2025, 3, 5)), "ok")
    db = str(store.path)
    assert json.loads(run_cli("export", "--db", db, "--format", "json").stdout)["generated_for"] == "2025-03-03"
    store.finish_run(store.begin_run("backfill", date(2025, 3, 6)), "partial")
    assert json.loads(run_cli("export", "--db", db, "--format", "json").stdout)["generated_for"] == "2025-03-06"
    out = run_cli("export", "--db", db, "--format", "json", "--date", "2025-01-31")
    assert json.loads(out.stdout)["generated_for"] == "2025-01-31"


def test_cli_config_order_topic_filter_and_output_file(store, tmp_path):
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"database: {store.path.name}\nkeywords:\n  Vision:\n    filters: [vision]\n"
                   "  Learning:\n    filters: [learning]\n", encoding="utf-8")
    target = tmp_path / "out" / "papers.json"
    out = run_cli("export", "-c", str(cfg), "--format", "json", "-o", str(target))
    assert out.exit_code == 0, out.output
    assert out.stdout == "" and "wrote" in out.stderr
    doc = json.loads(target.read_text(encoding="utf-8"))
    assert doc["topics"] == ["Vision", "Learning"]  # config order
    assert doc["papers"][1]["topics"] == ["Vision", "Learning"]
    mtime = target.stat().st_mtime_ns
    again = run_cli("export", "-c", str(cfg), "--format", "json", "-o", str(target))
    assert again.exit_code == 0 and "unchanged" in again.stderr and target.stat().st_mtime_ns == mtime
    one = run_cli("export", "-c", str(cfg), "--format", "jsonl", "--topic", "Learning")
    assert [json.loads(x)["id"] for x in one.stdout.splitlines()] == ["2502.00001", "2502.19917"]
    assert not [p for p in target.parent.iterdir() if p.name != "papers.json"]  # no temp file left


def test_cli_unknown_topic_is_exit_2_listing_known_topics(store, tmp_path):
    out = run_cli("export", "--db", str(store.path), "--format", "json", "--topic", "Nope", "-o", str(tmp_path / "x.json"))
    assert out.exit_code == 2
    assert "unknown topic 'Nope'" in out.stderr and "Learning, Vision" in out.stderr
    assert "Traceback" not in out.output and not (tmp_path / "x.json").exists()


def test_cli_missing_database_is_an_error_not_a_traceback(tmp_path):
    out = run_cli("export", "--db", str(tmp_path / "none.sqlite"), "--format", "json")
    assert out.exit_code == 2 and "no such database" in out.stderr


def test_export_to_file_replaces_atomically(store, tmp_path):
    target = tmp_path / "p.bib"
    target.write_text("old", encoding="utf-8")
    result = export_to_file(store, target, "bibtex", ["Vision"])
    assert result.papers == 2 and result.changed
    assert target.read_text(encoding="utf-8").startswith("@misc{arXiv:2502.19917,")
