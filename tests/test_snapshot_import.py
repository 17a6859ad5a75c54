"""import-snapshot: the bulk-metadata file into the store (fast path, rules, FTS, CLI)."""

from __future__ import annotations

import gzip
import json
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from arxiv_radar.cli import main
from arxiv_radar.bulk.snapshot import import_snapshot, snapshot_rows
from arxiv_radar.model import Author, Paper
from arxiv_radar.sources.bulk import paper_from_record
from arxiv_radar.store import Store
from arxiv_radar.store.codec import paper_row
from arxiv_radar.store.snapshot import FTS_PENDING_KEY, SnapshotLoader, ensure_fts

DAY = date(2026, 1, 5)


@pytest.fixture(scope="module")
def bulk_file(fixtures: Path) -> Path:
    return fixtures / "bulk" / "kaggle-arxiv-metadata-snapshot-first150.jsonl"


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "s.sqlite") as s:
        yield s


def _table(store: Store, sql: str) -> list[tuple]:
    return [tuple(r) for r in store.conn.execute(sql)]


def _fts_hits(store: Store, table: str, expr: str) -> set[str]:
    return {
        r[0]
        for r in store.conn.execute(
            f"SELECT p.id FROM {table} f JOIN papers p ON p.rowid = f.rowid WHERE {table} MATCH ?", (expr,)
        )
    }


def test_fast_rows_equal_the_reference_path_on_every_fixture_line(bulk_file: Path) -> None:
    for line in bulk_file.read_bytes().splitlines():
        record = json.loads(line)
        row, versions = snapshot_rows(line)
        paper = paper_from_record(record)
        assert row == paper_row(paper, origin="snapshot")
        assert [v[1] for v in versions] == [v.number for v in paper.versions]


def test_off_shape_lines_take_the_reference_path(bulk_file: Path) -> None:
    record = json.loads(bulk_file.read_text(encoding="utf-8").splitlines()[0])
    odd = dict(record, id="hep-th/9901001v2", authors_parsed=[],
               versions=[{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 -0500"}])
    row, versions = snapshot_rows(json.dumps(odd))
    assert row == paper_row(paper_from_record(odd), origin="snapshot")
    assert row[0] == "hep-th/9901001" and row[9] == "2007-04-03T00:18:42Z"
    assert versions == [("hep-th/9901001", 1, "2007-04-03T00:18:42Z", None)]


def test_fixture_imports_150_papers_with_versions_and_fts(store: Store, bulk_file: Path) -> None:
    report = import_snapshot(bulk_file, store, day=DAY)
    assert (report.lines, report.imported, report.new, report.updated) == (150, 150, 150, 0)
    assert report.malformed == [] and report.complete and report.fts == "batch"
    assert store.paper_count() == 150
    assert _table(store, "SELECT DISTINCT origin, first_seen, changed FROM papers") == [("snapshot", "2026-01-05", "2026-01-05")]
    assert _table(store, "SELECT count(*) FROM events") == [(0,)]  # snapshots announce nothing
    first = store.get_papers(["0704.0001"])["0704.0001"]
    assert first.title.startswith("Calculation of prompt diphoton production")
    assert [v.number for v in first.versions] == [1, 2]
    assert first.published == datetime(2007, 4, 2, 19, 18, 42, tzinfo=timezone.utc)
    # The index is in step with the table, and the triggers are back for later writes.
    assert store.get_state(FTS_PENDING_KEY) is None
    assert "0704.0001" in _fts_hits(store, "papers_fts", "title : diphoton")
    assert "0704.0001" in _fts_hits(store, "papers_meta_fts", 'categories : "hep ph"')
    assert _table(store, "SELECT count(*) FROM papers_fts WHERE papers_fts MATCH 'nadolsky'") == [(1,)]
    store.upsert_papers([Paper(id="2501.00001", title="Zygomorphic flowers", published=first.published)], DAY)
    assert _fts_hits(store, "papers_fts", "zygomorphic") == {"2501.00001"}
    store.conn.execute("INSERT INTO papers_fts (papers_fts, rank) VALUES ('integrity-check', 1)")
    store.conn.execute("INSERT INTO papers_meta_fts (papers_meta_fts, rank) VALUES ('integrity-check', 1)")


def test_reimport_changes_nothing(store: Store, bulk_file: Path) -> None:
    import_snapshot(bulk_file, store, day=DAY)
    dump = lambda: _table(store, "SELECT * FROM papers ORDER BY id") + _table(store, "SELECT * FROM versions ORDER BY 1, 2")  # noqa: E731
    before = dump()
    report = import_snapshot(bulk_file, store, day=date(2026, 2, 1))
    assert (report.new, report.updated, report.unchanged) == (0, 0, 150)
    assert report.fts == "triggers"  # the store was not empty
    assert dump() == before  # not even `changed` moved


def test_parallel_path_gives_the_same_store(tmp_path: Path, bulk_file: Path) -> None:
    with Store.open(tmp_path / "a.sqlite") as a, Store.open(tmp_path / "b.sqlite") as b:
        import_snapshot(bulk_file, a, day=DAY, workers=0)
        report = import_snapshot(bulk_file, b, day=DAY, workers=2, chunk_bytes=20_000)  # many chunks
        assert report.imported == 150
        for sql in ("SELECT * FROM papers ORDER BY id", "SELECT * FROM versions ORDER BY 1, 2"):
            assert _table(a, sql) == _table(b, sql)


def test_malformed_lines_are_reported_with_numbers_and_exit_0(tmp_path: Path, bulk_file: Path) -> None:
    lines = bulk_file.read_text(encoding="utf-8").splitlines()[:10]
    lines[2] = '{"id": "0704.0003", "title": '  # cut short
    lines[5] = json.dumps(dict(json.loads(lines[5]), id="not-an-id"))
    lines.insert(7, "")  # blank lines are skipped, not malformed
    lines[8] = "\x00garbage\x1b[31m"
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "cli.sqlite"
    result = CliRunner().invoke(main, ["import-snapshot", str(path), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "Imported 7 of 10 lines" in result.output and "3 malformed" in result.output
    assert "line 3: not valid JSON" in result.stderr
    assert "line 6:" in result.stderr and "not-an-id" in result.stderr
    assert "line 9: not valid JSON" in result.stderr
    assert "\x1b" not in result.output  # control characters are not echoed to the terminal
    with Store.open(db) as s:
        assert s.paper_count() == 7


def test_gzip_and_truncated_gzip(tmp_path: Path, bulk_file: Path) -> None:
    gz = tmp_path / "snap.jsonl.gz"
    gz.write_bytes(gzip.compress(bulk_file.read_bytes()))
    with Store.open(tmp_path / "gz.sqlite") as s:
        assert import_snapshot(gz, s, day=DAY).imported == 150
    data = gzip.compress(bulk_file.read_bytes())
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(data[: len(data) // 2])
    with Store.open(tmp_path / "cut.sqlite") as s:
        report = import_snapshot(cut, s, day=DAY, chunk_bytes=50_000)
        assert not report.complete
        good = report.imported
        assert 10 < good < 150 and s.paper_count() == good
        line_no, message = report.malformed[-1]
        assert "ends early" in message and line_no == report.lines
    result = CliRunner().invoke(main, ["import-snapshot", str(cut), "--db", str(tmp_path / "cli.sqlite")])
    assert result.exit_code == 1 and "ends early" in result.stderr


def test_harvested_record_is_not_overwritten_by_a_snapshot_line(store: Store, bulk_file: Path) -> None:
    line = bulk_file.read_text(encoding="utf-8").splitlines()[0]  # 0704.0001, v2
    harvested = Paper(
        id="0704.0001", title="Harvested title", abstract="From the API.", authors=(Author("C. Balázs"),),
        categories=("hep-ph",), primary_category="hep-ph",
        published=datetime(2007, 4, 2, 19, 18, 42, tzinfo=timezone.utc), version=2,
        updated=datetime(2007, 7, 24, 20, 10, 27, tzinfo=timezone.utc),
    )
    store.upsert_papers([harvested], date(2025, 1, 1))
    path = Path(store.path).parent / "one.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    report = import_snapshot(path, store, day=DAY)
    assert (report.new, report.updated, report.unchanged) == (0, 0, 1)
    row = store.conn.execute("SELECT title, origin, changed FROM papers WHERE id = '0704.0001'").fetchone()
    assert tuple(row) == ("Harvested title", "arxiv", "2025-01-01")
    # A snapshot line with a newer version does replace it (the store's rule for versions).
    newer = json.loads(line)
    newer["versions"].append({"version": "v3", "created": "Tue, 1 Jan 2008 10:00:00 GMT"})
    path.write_text(json.dumps(newer) + "\n", encoding="utf-8")
    report = import_snapshot(path, store, day=DAY)
    assert report.updated == 1
    row = store.conn.execute("SELECT version, origin, published FROM papers WHERE id = '0704.0001'").fetchone()
    assert tuple(row) == (3, "snapshot", "2007-04-02T19:18:42Z")
    assert _fts_hits(store, "papers_fts", "diphoton") == {"0704.0001"}  # the trigger re-indexed it
    assert _fts_hits(store, "papers_fts", "harvested") == set()


def test_snapshot_replaces_a_legacy_row(store: Store, bulk_file: Path) -> None:
    legacy = Paper(id="0704.0002", title="Sparsity-certifying", published=datetime(2008, 12, 13, tzinfo=timezone.utc))
    store.upsert_papers([legacy], DAY, origin="legacy", authors_complete=False)
    import_snapshot(bulk_file, store, day=DAY)
    row = store.conn.execute("SELECT origin, published, authors_complete FROM papers WHERE id = '0704.0002'").fetchone()
    assert tuple(row) == ("snapshot", "2007-03-31T02:26:18Z", 1)  # the snapshot's v1, not the legacy day


def test_an_interrupted_import_is_repaired(store: Store, bulk_file: Path) -> None:
    rows = [snapshot_rows(line) for line in bulk_file.read_bytes().splitlines()]
    with pytest.raises(RuntimeError):
        with SnapshotLoader(store.conn, DAY, fts="rebuild", rows_per_transaction=50) as loader:
            for lo, hi in ((0, 30), (30, 60), (60, 80)):  # commits after 60 rows; 20 still open
                loader.write([r for r, _ in rows[lo:hi]], [v for _, vs in rows[lo:hi] for v in vs])
            raise RuntimeError("killed")
    # The loader put the triggers back and rebuilt the index even though it failed.
    assert store.get_state(FTS_PENDING_KEY) is None
    assert store.paper_count() == 60  # the committed transaction stayed, the open one rolled back
    assert len(_fts_hits(store, "papers_fts", "the")) > 10
    # A process killed outright leaves the marker: ensure_fts finishes the job.
    store.set_state(FTS_PENDING_KEY, json.dumps([]))
    assert ensure_fts(store.conn) is True and ensure_fts(store.conn) is False


@pytest.mark.parametrize("mode", ["batch", "rebuild", "triggers"])
def test_every_fts_mode_leaves_the_same_index(tmp_path: Path, bulk_file: Path, mode: str) -> None:
    lines = bulk_file.read_text(encoding="utf-8").splitlines()
    # The same id twice, with another title: the later line wins and the index must follow.
    again = dict(json.loads(lines[0]), title="Quixotic replacement title")
    again["versions"].append({"version": "v3", "created": "Tue, 1 Jan 2008 10:00:00 GMT"})
    path = tmp_path / "dup.jsonl"
    path.write_text("\n".join(lines + [json.dumps(again)]) + "\n", encoding="utf-8")
    with Store.open(tmp_path / f"{mode}.sqlite") as s:
        report = import_snapshot(path, s, day=DAY, fts=mode, chunk_bytes=30_000)
        assert (report.fts, report.new, report.updated) == (mode, 150, 1)
        assert _fts_hits(s, "papers_fts", "quixotic") == {"0704.0001"}
        assert "0704.0001" not in _fts_hits(s, "papers_fts", "title : calculation")  # the old title
        assert len(_fts_hits(s, "papers_meta_fts", "categories : math")) > 5
        for table in ("papers_fts", "papers_meta_fts"):
            s.conn.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('integrity-check', 1)")
        names = {r[0] for r in s.conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        assert {"papers_ai", "papers_ad", "papers_au", "papers_meta_ai", "papers_meta_ad", "papers_meta_au"} <= names


def test_an_older_snapshot_line_never_replaces_newer_content(tmp_path: Path, bulk_file: Path, store: Store) -> None:
    first = json.loads(bulk_file.read_text(encoding="utf-8").splitlines()[0])  # 0704.0001, two versions
    newer = tmp_path / "newer.jsonl"
    newer.write_text(json.dumps({**first, "title": "The v2 title"}) + "\n", encoding="utf-8")
    older = tmp_path / "older.jsonl"
    older.write_text(json.dumps({**first, "title": "The v1 title", "versions": first["versions"][:1]}) + "\n",
                     encoding="utf-8")
    import_snapshot(newer, store, day=DAY, workers=0)
    import_snapshot(older, store, day=DAY, workers=0)
    got = store.get_papers([first["id"]])[first["id"]]
    assert (got.version, got.title) == (2, "The v2 title")
    # ...while the same version again may refresh it.
    import_snapshot(newer, store, day=DAY, workers=0)
    assert store.get_papers([first["id"]])[first["id"]].title == "The v2 title"
