"""import-snapshot skips, counts and reports any line it cannot read (nesting, size, types)."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from arxiv_radar.bulk.snapshot import import_snapshot
from arxiv_radar.cli import main
from arxiv_radar.sources.bulk import MAX_LINE_BYTES, iter_bulk
from arxiv_radar.store import Store
from synthetic import bulk_line, ny

DEEP = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"a":' * 100_000 + "1" + "}" * 100_000


def _file(tmp_path: Path, gz: bool = False) -> tuple[Path, dict[int, str]]:
    lines = [
        bulk_line("2602.00001", "Radar one", [ny(2026, 2, 10, 10, 0)]),
        DEEP,                                       # 2: deeper than the parser goes
        DEEP_OBJECT,                                # 3
        '"x' + "y" * (MAX_LINE_BYTES + 10) + '"',   # 4: longer than any real record
        "[1, 2, 3]",                                # 5: not an object
        json.dumps({"id": 7, "title": ["no"], "versions": "v1"}),  # 6: wrong types
        bulk_line("2602.00002", "Radar two", [ny(2026, 2, 10, 10, 0)]),
    ]
    expected = {2: "nested too deeply", 3: "nested too deeply", 4: "longer than", 5: "not a JSON object",
                6: ""}
    data = ("\n".join(lines) + "\n").encode("utf-8")
    path = tmp_path / ("s.jsonl.gz" if gz else "s.jsonl")
    path.write_bytes(gzip.compress(data, 1) if gz else data)
    return path, expected


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
def test_a_100000_deep_line_and_other_unreadable_lines_are_skipped_and_counted(tmp_path, gz):
    path, expected = _file(tmp_path, gz)
    with Store.open(tmp_path / "store.sqlite") as store:
        report = import_snapshot(path, store, day=date(2026, 2, 12))
        assert store.paper_count() == 2
    assert report.malformed_count == len(expected)
    assert report.imported == 2 and report.complete
    reasons = dict(report.malformed)
    assert sorted(reasons) == sorted(expected)
    for line, why in expected.items():
        assert why in reasons[line], (line, reasons[line])


def test_the_cli_reports_the_lines_and_exits_0(tmp_path):
    path, expected = _file(tmp_path)
    result = CliRunner().invoke(main, ["import-snapshot", str(path), "--db", str(tmp_path / "s.sqlite")],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "2 new" in result.output and f"{len(expected)} malformed" in result.output
    assert "line 2: JSON nested too deeply" in result.output
    assert "Traceback" not in result.output and len(result.output) < 5_000


def test_iter_bulk_skips_the_same_lines_without_holding_a_long_one(tmp_path):
    path, expected = _file(tmp_path)
    got = list(iter_bulk(path))
    bad = {n: str(item) for n, item in got if isinstance(item, Exception)}
    assert sorted(bad) == sorted(expected)
    assert [item.id for _, item in got if not isinstance(item, Exception)] == ["2602.00001", "2602.00002"]


def test_a_line_longer_than_a_read_block_is_skipped_in_slices(tmp_path):
    from arxiv_radar.bulk import snapshot

    path = tmp_path / "long.jsonl"
    long_line = '"' + "z" * (MAX_LINE_BYTES * 2) + '"'
    path.write_text(long_line + "\n" + bulk_line("2602.00003", "Radar", [ny(2026, 2, 10, 10, 0)]) + "\n",
                    encoding="utf-8")
    chunks = snapshot._Chunks(path, block=1 << 20)
    try:
        parts = list(chunks)
    finally:
        chunks.close()
    # The long line never came out whole: only its stand-in and the good line.
    assert max(len(data) for data, _ in parts) < MAX_LINE_BYTES
    rows, _, bad, _ = snapshot._parse_chunk(b"".join(d for d, _ in parts), 1)
    assert [r[0] for r in rows] == ["2602.00003"] and bad[0][0] == 1


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
def test_a_lone_surrogate_is_dropped_and_the_paper_kept(tmp_path, gz):
    """A "\\ud800" escape with no partner (or its raw bytes, which json.loads lets through)
    is no text SQLite can store: the import crashed with UnicodeEncodeError. Now that one
    character is dropped and the paper imported; an escaped emoji (a proper pair), Hangul (raw
    bytes starting with 0xED) and a backslash-u in LaTeX are untouched."""
    when = [ny(2026, 2, 10, 10, 0)]
    lines = [
        bulk_line("2602.00011", "Escaped \ud800 title", when),                  # escape
        bulk_line("2602.00012", "Radar", when, authors=[("Roe\udfff", "R")]),   # in authors_parsed
        json.dumps({"id": "2602.00013", "title": "Raw \udc00 bytes", "versions": [{"version": "v1", "created": "Tue, 10 Feb 2026 15:00:00 GMT"}]}, ensure_ascii=False),  # raw
        bulk_line("2602.00014", "Emoji \U0001f600 radar", when),                 # escaped pair: fine
        json.dumps(json.loads(bulk_line("2602.00015", "한국어 레이더", when)), ensure_ascii=False),  # raw Hangul
        bulk_line("2602.00016", r"A text \ud800 in LaTeX", when),               # a backslash, not an escape
    ]
    data = ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
    assert b"\xed\xb0\x80" in data and b"\\ud800" in data
    path = tmp_path / ("s.jsonl.gz" if gz else "s.jsonl")
    path.write_bytes(gzip.compress(data, 1) if gz else data)
    with Store.open(tmp_path / "store.sqlite") as store:
        report = import_snapshot(path, store, day=date(2026, 2, 12))
        papers = store.get_papers([f"2602.000{n}" for n in range(11, 17)])
    assert not report.malformed
    assert papers["2602.00011"].title == "Escaped title"
    assert papers["2602.00012"].authors[0].name.startswith("R") and "\udfff" not in papers["2602.00012"].authors[0].name
    assert papers["2602.00013"].title == "Raw bytes"
    assert papers["2602.00014"].title == "Emoji \U0001f600 radar"
    assert papers["2602.00015"].title == "한국어 레이더"
    assert papers["2602.00016"].title == r"A text \ud800 in LaTeX"
    result = CliRunner().invoke(main, ["import-snapshot", str(path), "--db", str(tmp_path / "cli.sqlite")],
                                catch_exceptions=False)
    assert result.exit_code == 0 and "Traceback" not in result.output
