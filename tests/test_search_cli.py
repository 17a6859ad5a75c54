"""`arxiv-radar search` and search(): query syntax, filters, order, JSON, exit codes; and the
FTS-backed back-fill of new topics (match.rematch_changed_topics)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from arxiv_radar.cli import main
from arxiv_radar.bulk.snapshot import import_snapshot
from arxiv_radar.query.match import rematch_changed_topics
from arxiv_radar.query import matches, parse
from arxiv_radar.bulk.search import search
from arxiv_radar.store import Store

DAY = date(2026, 1, 5)


@pytest.fixture(scope="module")
def db(fixtures: Path, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("search") / "s.sqlite"
    with Store.open(path) as store:
        import_snapshot(fixtures / "bulk" / "kaggle-arxiv-metadata-snapshot-first150.jsonl", store, day=DAY)
        store.add_matches("galaxies", [("0704.0009", None), ("0704.0017", None)], DAY)
    return path


def run(*args: str):
    return CliRunner().invoke(main, ["search", *args])


def test_json_lists_versionless_ids_ranked_by_bm25(db: Path) -> None:
    result = run("ti:diphoton", "--db", str(db), "--json")
    assert result.exit_code == 0, result.output
    papers = json.loads(result.stdout)
    assert [p["id"] for p in papers] == ["0704.0001"]
    assert papers[0]["version"] == 2 and papers[0]["authors"][0] == "C. Balázs"
    # Several hits: every one really matches, and the title hit comes before abstract-only ones.
    result = run("all:matter", "--db", str(db), "--json", "--limit", "50")
    ids = [p["id"] for p in json.loads(result.stdout)]
    with Store.open(db, readonly=True) as store:
        papers = store.get_papers(ids)
        everything = list(store.iter_papers())
    expected = {p.id for p in everything if matches(parse("all:matter"), p)}
    assert set(ids) == expected and len(ids) > 4
    # The title weighs most: both papers with "matter" in the title come first.
    assert all("matter" in papers[i].title.lower() for i in ids[:2])
    assert not any("matter" in papers[i].title.lower() for i in ids[2:])


def test_field_prefixes_map_to_columns(db: Path) -> None:
    with Store.open(db, readonly=True) as store:
        by_author = search(store, "au:Nadolsky")
        assert [p.id for p in by_author] == ["0704.0001"]
        assert search(store, "ti:Nadolsky") == []  # not in the title
        cats = search(store, "cat:hep-ph AND abs:quark", limit=100)
        assert cats and all("hep-ph" in p.categories and matches(parse("abs:quark"), p) for p in cats)
        # ANDNOT and wildcards are honoured exactly (the evaluator confirms every hit).
        excluded = search(store, "cat:hep-ph ANDNOT abs:quark", limit=100)
        assert excluded and not {p.id for p in excluded} & {p.id for p in cats}
        assert all(matches(parse("abs:galax*"), p) for p in search(store, "abs:galax*", limit=100))


def test_topic_since_limit_and_date_order(db: Path) -> None:
    result = run("all:the", "--db", str(db), "--json", "--topic", "galaxies", "--limit", "10")
    assert result.exit_code == 0
    assert sorted(p["id"] for p in json.loads(result.stdout)) == ["0704.0009", "0704.0017"]
    result = run("all:the", "--db", str(db), "--json", "--limit", "3")
    assert len(json.loads(result.stdout)) == 3
    result = run("cat:astro-ph", "--db", str(db), "--json", "--order", "date", "--since", "2007-04-01", "--limit", "100")
    papers = json.loads(result.stdout)
    days = [p["published"] for p in papers]
    assert papers and days == sorted(days, reverse=True) and min(days) >= "2007-04-01"
    assert all("astro-ph" in " ".join(p["categories"]) for p in papers)


def test_plain_output_and_no_results(db: Path) -> None:
    result = run("ti:diphoton", "--db", str(db))
    assert result.exit_code == 0 and result.stdout.startswith("0704.0001  2007-04-02  Calculation of prompt")
    result = run("ti:zzzqqqxxx", "--db", str(db))
    assert result.exit_code == 0 and result.stdout == "" and "no papers found" in result.stderr


@pytest.mark.parametrize("query", ["ti:(", "foo:bar", "ti:x AND", '"unclosed', ""])
def test_bad_query_exits_2_with_one_line(db: Path, query: str) -> None:
    result = run(query, "--db", str(db))
    assert result.exit_code == 2
    assert result.stderr.startswith("arxiv-radar: error:") and "Traceback" not in result.output


def test_bad_options_exit_2(db: Path) -> None:
    assert run("ti:x", "--db", str(db), "--since", "yesterday").exit_code == 2
    assert run("ti:x", "--db", str(db), "--limit", "0").exit_code == 2
    assert run("ti:x", "--db", str(db / "missing.sqlite")).exit_code == 2


def test_new_topic_back_fills_from_the_store_through_the_index(db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.sqlite"
    with Store.open(db, readonly=True) as src, Store.open(copy) as dst:
        src.conn.backup(dst.conn)
    topics = {
        "qcd": SimpleNamespace(ast=parse('abs:"perturbative QCD" OR ti:quark*')),
        "astro": SimpleNamespace(ast=parse("cat:astro-ph ANDNOT abs:galaxy")),
        "dated": SimpleNamespace(ast=parse("submittedDate:[20070401 TO 20070402]")),
    }
    with Store.open(copy) as store:
        assert rematch_changed_topics(store, topics, DAY) == ["qcd", "astro", "dated"]
        everything = list(store.iter_papers())
        for name, topic in topics.items():
            want = sorted(p.id for p in everything if matches(topic.ast, p))
            assert store.matched_ids(name) == want and want, name
        assert rematch_changed_topics(store, topics, DAY) == []  # unchanged definitions


def test_back_fill_uses_the_index_not_a_scan(db: Path, tmp_path: Path, monkeypatch) -> None:
    copy = tmp_path / "copy.sqlite"
    with Store.open(db, readonly=True) as src, Store.open(copy) as dst:
        src.conn.backup(dst.conn)
    with Store.open(copy) as store:
        def no_scan(*a, **k):
            raise AssertionError("scanned every paper")

        monkeypatch.setattr(store, "iter_papers", no_scan)
        topics = {"qcd": SimpleNamespace(ast=parse('abs:perturbative AND cat:hep-ph'))}
        assert rematch_changed_topics(store, topics, DAY) == ["qcd"]
        assert store.matched_ids("qcd")
        # A query with nothing to look up in an index still works, by the scan.
        monkeypatch.undo()
        topics = {"dates": SimpleNamespace(ast=parse("ti:a OR submittedDate:[20070401 TO 20070402]"))}
        assert rematch_changed_topics(store, topics, DAY) == ["dates"] and store.matched_ids("dates")
