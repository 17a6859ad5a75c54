"""The command line as a user meets it: help, config mistakes, exit codes, run twice."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from arxiv_radar.cli import main
from arxiv_radar.mirror import start_mirror
from arxiv_radar.store import Store

from synthetic import bulk_line, ny, write_corpus


def test_help_lists_the_commands():
    out = CliRunner().invoke(main, ["--help"]).output
    for command in ("run", "demo", "mirror", "render", "backfill", "import-legacy"):
        assert f"  {command}" in out


def test_console_script_is_installed():
    exe = Path(sys.executable).with_name("arxiv-radar")
    out = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("arxiv-radar, version ")


def write(tmp_path, text):
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def run_cli(*args, cwd=None):
    runner = CliRunner()
    return runner.invoke(main, list(args), catch_exceptions=False)


def test_unknown_key_is_exit_2_with_file_key_line_and_suggestion(tmp_path):
    cfg = write(tmp_path, "publish_gitpages: true\nkeywords:\n  SLAM:\n    filters: [SLAM]\n")
    result = run_cli("run", "-c", str(cfg), "--db", str(tmp_path / "s.sqlite"))
    assert result.exit_code == 2
    assert "config.yaml:1: publish_gitpages" in result.output
    assert "publish_gitpage" in result.output.split("publish_gitpages", 1)[1]
    assert "Traceback" not in result.output


def test_wrong_type_names_key_path_and_line(tmp_path):
    cfg = write(tmp_path, "max_results: ten\nkeywords:\n  SLAM:\n    filters: [SLAM]\n")
    result = run_cli("render", "-c", str(cfg))
    assert result.exit_code == 2
    assert "config.yaml:1: max_results" in result.output


def test_unparseable_query_names_topic_and_line(tmp_path):
    cfg = write(tmp_path, "topics:\n  Broken:\n    query: 'ti:(radar AND'\n")
    result = run_cli("run", "-c", str(cfg))
    assert result.exit_code == 2
    assert "config.yaml:3: topics.Broken.query" in result.output


def test_missing_config_file_is_exit_2(tmp_path):
    result = run_cli("run", "-c", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert "nope.yaml" in result.output and "Traceback" not in result.output


def test_bad_date_is_a_usage_error(tmp_path):
    result = run_cli("run", "--date", "2025-13-40")
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output


def test_run_twice_gives_identical_outputs_and_no_duplicates(tmp_path):
    lines = [bulk_line(f"2602.0000{i}", f"Radar Sánchez {i} | <b>pipe</b>", [ny(2026, 2, 9 + i % 3, 10, 0)],
                       authors=[("Sánchez Villegas", "Danae")] + ([("Roe", "R.")] if i % 2 else []))
             for i in range(1, 6)]
    corpus = write_corpus(tmp_path / "c.jsonl", lines)
    cfg = write(tmp_path, "keywords:\n  Radar:\n    filters: [radar]\nshow_abstract: true\nrequest_interval: 0\n")
    with start_mirror([corpus]) as m:
        args = ["run", "-c", str(cfg), "--api-url", m.api_url, "--date", "2026-02-12"]
        first = run_cli(*args)
        assert first.exit_code == 0, first.output
        outputs = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.suffix in (".md", ".json")}
        second = run_cli(*args)
        assert second.exit_code == 0, second.output
    assert outputs and {p: p.read_bytes() for p in outputs} == outputs
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("## Updated on 2026.02.12\n")
    assert "Danae Sánchez Villegas et.al." in readme and "Danae Sánchez Villegas|" in readme
    assert "<b>" not in readme and "&lt;b&gt;" in readme and "\\|" in readme
    with Store.open(tmp_path / "arxiv-radar.sqlite") as s:
        assert s.paper_count() == 5
        assert s.conn.execute("select count(*) from matches").fetchone()[0] == 5
        assert s.conn.execute("select count(*) from versions").fetchone()[0] == 5


def test_api_url_from_environment(tmp_path):
    corpus = write_corpus(tmp_path / "c.jsonl", [bulk_line("2602.00001", "Radar", [ny(2026, 2, 10, 10, 0)])])
    cfg = write(tmp_path, "keywords:\n  Radar:\n    filters: [radar]\nrequest_interval: 0\n")
    with start_mirror([corpus]) as m:
        result = CliRunner(env={"ARXIV_RADAR_API_URL": m.api_url}).invoke(
            main, ["run", "-c", str(cfg), "--date", "2026-02-12"])
        assert result.exit_code == 0, result.output
        assert any(r.path == "/api/query" for r in m.requests)
    assert "2602.00001" in (tmp_path / "README.md").read_text(encoding="utf-8")


def test_links_command_finds_abstract_links_and_reports_failures(tmp_path):
    corpus = write_corpus(tmp_path / "c.jsonl", [
        bulk_line("2602.00001", "Radar", [ny(2026, 2, 10, 10, 0)],
                  abstract="Code: https://github.com/acme/radar/tree/main/src."),
        bulk_line("2602.00002", "Radar two", [ny(2026, 2, 10, 11, 0)]),
    ])
    cfg = write(tmp_path, "keywords:\n  Radar:\n    filters: [radar]\nrequest_interval: 0\n"
                          "hf_url: http://127.0.0.1:9\npublish_site: false\n")
    with start_mirror([corpus]) as m:
        assert run_cli("run", "-c", str(cfg), "--api-url", m.api_url, "--date", "2026-02-12").exit_code == 0
    result = run_cli("links", "-c", str(cfg), "--date", "2026-02-13")
    assert result.exit_code == 0, result.output  # a refused Hugging Face is reported, not fatal
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "**[link](https://github.com/acme/radar)**" in readme
    assert "|?|" in readme  # 2602.00002: Hugging Face could not be asked, so unknown, not null
    with Store.open(tmp_path / "arxiv-radar.sqlite") as s:
        row = s.conn.execute("select source, status from links where paper_id = '2602.00001' and status = 'found'").fetchone()
        assert tuple(row) == ("abstract", "found")


def test_render_with_a_mistyped_db_changes_nothing_and_says_so(tmp_path):
    cfg = write(tmp_path, "keywords:\n  Radar:\n    filters: [radar]\n")
    (tmp_path / "README.md").write_text("my precious README\n", encoding="utf-8")
    result = run_cli("render", "-c", str(cfg), "--db", str(tmp_path / "arxiv-radar.sqlit"))
    assert result.exit_code == 2
    assert "no such database" in result.output
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "my precious README\n"
    assert not (tmp_path / "arxiv-radar.sqlit").exists()


def test_render_rebuilds_a_deleted_site_page_and_full_rebuilds_the_same_bytes(tmp_path):
    corpus = write_corpus(tmp_path / "c.jsonl", [bulk_line("2602.00001", "Radar", [ny(2026, 2, 10, 10, 0)])])
    cfg = write(tmp_path, "keywords:\n  Radar:\n    filters: [radar]\nrequest_interval: 0\n")
    with start_mirror([corpus]) as m:
        assert run_cli("run", "-c", str(cfg), "--api-url", m.api_url, "--date", "2026-02-12").exit_code == 0
    site = tmp_path / "docs" / "site"
    month = site / "topics" / "radar" / "2026-02.html"
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert month in before and (site / "search" / "2026-02" / "docs.json") in before

    again = run_cli("render", "-c", str(cfg), "--date", "2026-02-12")
    assert again.exit_code == 0 and "all outputs already up to date" in again.output
    month.unlink()
    fixed = run_cli("render", "-c", str(cfg), "--date", "2026-02-12")
    assert fixed.exit_code == 0 and "wrote 1 topic pages in" in fixed.output, fixed.output
    full = run_cli("render", "-c", str(cfg), "--date", "2026-02-12", "--full")
    assert full.exit_code == 0 and "all outputs already up to date" in full.output, full.output
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before
