"""A stranger's first day at the command line: options where people type them, explain, query
warnings, doctor's URL flags, and a failed first harvest that leaves the page alone."""

from __future__ import annotations

import functools
import json

import pytest
from click.testing import CliRunner

from arxiv_radar import pipeline
from arxiv_radar.cli import main
from arxiv_radar.mirror import start_mirror
from arxiv_radar.sources import PoliteClient

from synthetic import bulk_line, ny, write_corpus

CLOSED = "http://127.0.0.1:9"  # the discard port: nothing listens there

CONFIG = f"""request_interval: 0
hf_url: {CLOSED}
topics:
  Radar:
    query: 'ti:radar AND abs:sonar'
  Sensing:
    query: '(radar OR lidar) ANDNOT abs:underwater'
    categories: [cs.RO]
"""


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    return write_corpus(folder / "c.jsonl", [
        bulk_line("2602.00001", "Radar imaging for robots", [ny(2026, 2, 10, 10, 0)],
                  abstract="We track people with sonar.", categories="cs.RO cs.CV"),
        bulk_line("2602.00002", "Lidar odometry", [ny(2026, 2, 10, 11, 0)],
                  abstract="Underwater lidar.", categories="cs.RO"),
    ])


@pytest.fixture(scope="module")
def arxiv(corpus):
    with start_mirror([corpus]) as m:
        yield m


def urls(m) -> list[str]:
    return ["--api-url", m.api_url, "--oai-url", m.oai_url, "--rss-url", m.rss_url]


def project(tmp_path, text: str = CONFIG):
    cfg = tmp_path / "config.yaml"
    cfg.write_text(text, encoding="utf-8")
    return cfg


@pytest.mark.parametrize("where", ["after", "before"])
def test_quiet_and_report_work_after_the_subcommand_as_the_readme_cron_line_types_them(tmp_path, arxiv, where):
    cfg = project(tmp_path)
    report = tmp_path / "r.json"
    tail = ["-c", str(cfg), *urls(arxiv), "--date", "2026-02-12"]
    args = ["run", "-q", "--report", str(report), *tail] if where == "after" else ["-q", "run", "--report", str(report), *tail]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["status"] == "ok" and data["command"] == "run" and data["harvested"] == 2
    assert result.stdout == ""  # -q: no report table, only warnings on stderr
    assert (tmp_path / "README.md").is_file()


def test_without_quiet_the_report_is_printed(tmp_path, arxiv):
    cfg = project(tmp_path)
    result = invoke("run", "-c", str(cfg), *urls(arxiv), "--date", "2026-02-12")
    assert result.exit_code == 0, result.output
    assert "arxiv-radar run for 2026-02-12: ok" in result.stdout


def test_explain_names_the_clause_field_and_stem_that_matched(tmp_path, arxiv):
    cfg = project(tmp_path)
    assert invoke("run", "-q", "-c", str(cfg), *urls(arxiv), "--date", "2026-02-12").exit_code == 0
    result = invoke("explain", "2602.00001", "-c", str(cfg))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    radar = lines.index("Radar: matches")
    assert lines[radar + 1] == "  matched ti:radar: stem 'radar' found in the title (ti)"
    assert lines[radar + 2] == "  matched abs:sonar: stem 'sonar' found in the abstract (abs)"
    # all: names the field the word was found in; the category clause says which category.
    assert "  matched ti:radar: stem 'radar' found in the title (ti)" in lines[lines.index("Sensing: matches"):]
    assert "  matched cat:cs.RO: categories cs.RO" in lines

    miss = invoke("explain", "2602.00002", "--topic", "Sensing", "-c", str(cfg))
    assert miss.exit_code == 0
    assert "Sensing: does not match" in miss.output
    assert "failed excluded by ANDNOT abs:underwater (abs:underwater: stem 'underwat' found in the abstract (abs))" in miss.output
    assert "Radar" not in miss.output  # --topic: that topic only

    first_failed = invoke("explain", "2602.00002", "--topic", "Radar", "-c", str(cfg))
    assert "failed ti:radar: stem 'radar' not found in the title" in first_failed.output

    absent = invoke("explain", "2602.09999", "-c", str(cfg))
    assert absent.exit_code == 1 and "not in the store" in absent.output
    unknown = invoke("explain", "2602.00001", "--topic", "Nope", "-c", str(cfg))
    assert unknown.exit_code == 2 and "'Radar'" in unknown.output


def test_search_with_a_topic_and_no_query_lists_the_topics_papers(tmp_path, arxiv):
    cfg = project(tmp_path)
    assert invoke("run", "-q", "-c", str(cfg), *urls(arxiv), "--date", "2026-02-12").exit_code == 0
    result = invoke("search", "--topic", "Radar", "-c", str(cfg))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["2602.00001  2026-02-10  Radar imaging for robots  (Jane Doe et al.)"]
    assert invoke("search", "-c", str(cfg)).exit_code == 2


def test_lowercase_and_and_unknown_category_are_warnings_in_run_and_doctor(tmp_path, arxiv):
    cfg = project(tmp_path, CONFIG.replace("ti:radar AND abs:sonar", "ti:radar and abs:sonar")
                  .replace("[cs.RO]", "[cs.RO, cs.XV]"))
    result = invoke("run", "-c", str(cfg), *urls(arxiv), "--date", "2026-02-12")
    assert result.exit_code == 0, result.output
    assert "topic 'Radar': the query joins terms with lowercase 'and'" in result.output
    assert "write AND to combine terms" in result.output
    assert "'cs.XV' is not in arXiv's category taxonomy (did you mean cs.CV?)" in result.output

    cfg.write_text(cfg.read_text(encoding="utf-8").replace("[cs.RO, cs.XV]", "[cs.RO, cs.XV, alg-geom]"), encoding="utf-8")
    doc = invoke("doctor", "--offline", "-c", str(cfg))
    assert doc.exit_code == 0, doc.output  # warnings, not failures
    assert "[warn] topic: Radar: the query joins terms with lowercase 'and'" in doc.output
    assert "[warn] topic: Sensing: 'cs.XV' is not in arXiv's category taxonomy" in doc.output
    assert "[warn] topic: Sensing: 'alg-geom' is a defunct arXiv archive: new papers are filed under math.AG" in doc.output

    clean = project(tmp_path)
    assert "[warn] topic" not in invoke("doctor", "--offline", "-c", str(clean)).output


def test_doctor_takes_the_url_flags_and_an_unreachable_hugging_face_is_a_warning(tmp_path, arxiv):
    cfg = project(tmp_path, CONFIG.replace(f"hf_url: {CLOSED}\n", ""))
    result = invoke("doctor", "-c", str(cfg), *urls(arxiv), "--hf-url", CLOSED, "--timeout", "2")
    assert result.exit_code == 0, result.output
    assert f"[ok] endpoint: arXiv API: {arxiv.api_url}" in result.output
    assert f"[ok] endpoint: arXiv OAI-PMH: {arxiv.oai_url}" in result.output
    assert f"[warn] endpoint: Hugging Face: {CLOSED}/api/daily_papers: no answer" in result.output
    # A required endpoint that does not answer still fails.
    broken = invoke("doctor", "-c", str(cfg), "--api-url", CLOSED + "/api/query", "--oai-url", arxiv.oai_url,
                    "--rss-url", arxiv.rss_url, "--hf-url", CLOSED, "--timeout", "2")
    assert broken.exit_code == 1
    assert "[FAIL] endpoint: arXiv API" in broken.output


def test_doctor_offline_on_a_fresh_init_exits_0(tmp_path):
    assert invoke("init", str(tmp_path)).exit_code == 0
    result = invoke("doctor", "--offline", "-c", str(tmp_path / "config.yaml"))
    assert result.exit_code == 0, result.output


def test_backfill_takes_report_and_says_backfill(tmp_path, arxiv):
    cfg = project(tmp_path)
    report = tmp_path / "b.json"
    result = invoke("backfill", "-c", str(cfg), *urls(arxiv), "--from", "2026-02-10", "--to", "2026-02-11",
                    "--report", str(report), "-q")
    assert result.exit_code == 0, result.output
    assert json.loads(report.read_text(encoding="utf-8"))["command"] == "backfill"
    loud = invoke("backfill", "-c", str(cfg), *urls(arxiv), "--from", "2026-02-10", "--to", "2026-02-11")
    assert "arxiv-radar backfill for 2026-02-11" in loud.stdout and "arxiv-radar run" not in loud.stdout


@pytest.fixture
def fast_failing_client(monkeypatch):
    # The real client, with retries short enough for a test (the CLI builds its own).
    fast = functools.partial(PoliteClient, max_attempts=2, max_retry_seconds=0.5, backoff_initial=0.01, timeout=5)
    monkeypatch.setattr(pipeline, "PoliteClient", fast)


def test_a_first_run_whose_every_request_fails_exits_3_and_writes_no_readme(tmp_path, fast_failing_client):
    cfg = project(tmp_path)
    report = tmp_path / "r.json"
    result = invoke("run", "-c", str(cfg), "--api-url", CLOSED + "/api/query", "--oai-url", CLOSED + "/oai",
                    "--rss-url", CLOSED + "/rss", "--date", "2026-02-12", "--report", str(report))
    assert result.exit_code == 3, result.output
    written = sorted(p.name for p in tmp_path.rglob("*") if p.is_file())
    assert "README.md" not in written and not (tmp_path / "docs").exists()
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["status"] == "partial" and data["written"] == []
    assert any("no output was written" in n for n in data["notes"])
    assert "no output was written" in result.output


def test_a_failed_run_over_a_good_store_renders_from_it_and_says_partial(tmp_path, arxiv, fast_failing_client):
    cfg = project(tmp_path)
    assert invoke("run", "-q", "-c", str(cfg), *urls(arxiv), "--date", "2026-02-12").exit_code == 0
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "2602.00001" in readme
    report = tmp_path / "r.json"
    result = invoke("run", "-c", str(cfg), "--api-url", CLOSED + "/api/query", "--oai-url", CLOSED + "/oai",
                    "--rss-url", CLOSED + "/rss", "--date", "2026-02-16", "--report", str(report))
    assert result.exit_code == 3
    assert "2602.00001" in (tmp_path / "README.md").read_text(encoding="utf-8")
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["status"] == "partial"
    assert any("the harvest was partial: outputs are rendered from the 2 stored papers" in n for n in data["notes"])
    assert "the harvest was partial" in result.output


# --------------------------------------------------------------------------- init --cron


@pytest.mark.parametrize("expr", [
    "30 1 * * 1-5", "0 0 1 JAN SUN", "0 0 * * MON-FRI", "*/15 * * * *", "0 5/2 * * *",
    "0,30 1,13 1-15/2 */3 0,6", "59 23 31 12 6",
])
def test_init_cron_accepts_what_github_accepts(tmp_path, expr):
    result = invoke("init", str(tmp_path / "p"), "--cron", expr)
    assert result.exit_code == 0, result.output
    workflow = next((tmp_path / "p" / ".github" / "workflows").glob("*.yml")).read_text(encoding="utf-8")
    assert expr in workflow


@pytest.mark.parametrize(("expr", "sentence"), [
    ("61 1 * * *", "the minute field takes values 0-59, got '61'"),
    ("0 24 * * *", "the hour field takes values 0-23, got '24'"),
    ("0 1 0 * *", "the day of the month field takes values 1-31, got '0'"),
    ("0 1 * 13 *", "the month field takes values 1-12 or JAN-DEC, got '13'"),
    ("0 1 * * 7", "the day of the week field takes values 0-6 or SUN-SAT, got '7'"),
    ("0 1 * *", "has 4 fields; GitHub wants five: minute (0-59), hour (0-23)"),
    ("5-1 1 * * *", "the minute field's range '5-1' runs backwards (0-59)"),
])
def test_init_cron_names_the_field_and_its_range_in_one_sentence(tmp_path, expr, sentence):
    result = invoke("init", str(tmp_path / "p"), "--cron", expr)
    assert result.exit_code == 2
    assert sentence in result.output
    assert len([line for line in result.output.splitlines() if line.strip()]) == 1
    assert not (tmp_path / "p").exists()


def test_init_cron_says_a_word_about_a_schedule_more_frequent_than_arxiv(tmp_path):
    result = invoke("init", str(tmp_path / "p"), "--cron", "*/15 * * * *")
    assert result.exit_code == 0
    assert "runs up to 96 times a day; arXiv announces once a day" in result.output
    assert "note:" not in invoke("init", str(tmp_path / "q"), "--cron", "30 1 * * 1-5").output


def test_the_usage_line_points_at_a_page_that_exists_or_is_left_out(tmp_path, arxiv):
    cfg = project(tmp_path)
    assert invoke("run", "-q", "-c", str(cfg), *urls(arxiv), "--date", "2026-02-12").exit_code == 0
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "Usage instructions" not in readme and readme.startswith("## Updated on 2026.02.12\n\n")
    (tmp_path / "docs" / "README.md").write_text("## Usage\n", encoding="utf-8")
    assert invoke("render", "-c", str(cfg), "--date", "2026-02-12").exit_code == 0
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "> Usage instructions: [here](./docs/README.md#usage)\n" in readme
    gitpage = tmp_path / "docs" / "index.md"
    if gitpage.exists():  # relative to the page's own folder
        assert "[here](./README.md#usage)" in gitpage.read_text(encoding="utf-8")


def test_render_warns_when_a_cv_arxiv_daily_readme_outgrows_what_github_shows(tmp_path):
    from datetime import date, datetime, timezone

    from arxiv_radar.model import Author, Paper
    from arxiv_radar.store import Store

    cfg = project(tmp_path, "publish_site: false\npublish_feeds: false\n"
                            "topics:\n  Radar:\n    filters: [radar]\n")
    # cv-arxiv-daily rows carry no abstract: long titles make a big README from few papers.
    title = "Radar " + "clutter suppression with sparse arrays " * 25
    papers = [Paper(id=f"2602.{i:05d}", title=f"{title}{i}", authors=(Author("A. Author"),),
                    categories=("eess.SP",), published=datetime(2026, 2, 10, tzinfo=timezone.utc))
              for i in range(1, 601)]
    with Store.open(tmp_path / "arxiv-radar.sqlite") as store:
        store.upsert_papers(papers, date(2026, 2, 10))
    result = invoke("render", "-c", str(cfg), "--style", "cv-arxiv-daily", "--date", "2026-02-12")
    assert result.exit_code == 0, result.output
    size = (tmp_path / "README.md").stat().st_size
    assert size > 512 * 1024
    assert "over the 512 KB GitHub displays" in result.output
    # The seed style keeps under its budget (archive pages), so it has nothing to warn about.
    doctor = invoke("doctor", "--offline", "-c", str(cfg))
    assert doctor.exit_code == 0 and "[warn] outputs:" in doctor.output and "over the 512 KB GitHub displays" in doctor.output
    seed = invoke("render", "-c", str(cfg), "--style", "seed", "--date", "2026-02-12")
    assert "512 KB" not in seed.output
    assert "512 KB" not in invoke("doctor", "--offline", "-c", str(cfg)).output


def test_after_import_legacy_the_rematch_log_counts_what_the_readme_shows(tmp_path):
    db = tmp_path / "legacy.json"
    db.write_text(
        '{"SLAM": {"2110.07546": "|**2021-10-14**|**Active SLAM**|Shumon Koga et.al.|[2110.07546](http://arxiv.org/abs/2110.07546)|null|\\n",'
        ' "2110.06541": "|**2021-10-13**|**Radio SLAM**|Ran Liu et.al.|[2110.06541](http://arxiv.org/abs/2110.06541)|null|\\n"}}',
        encoding="utf-8")
    cfg = project(tmp_path, "publish_site: false\ntopics:\n  SLAM:\n    filters: [SLAM]\n")
    imported = invoke("import-legacy", str(db), "-c", str(cfg), "--date", "2025-03-01")
    assert imported.exit_code == 0 and "Imported 2 rows (2 distinct papers)" in imported.output
    result = invoke("render", "-c", str(cfg), "--date", "2025-03-01")
    assert result.exit_code == 0, result.output
    assert ("topic 'SLAM' is new or changed: 2 stored papers listed "
            "(0 matched by its query, 2 kept from the cv-arxiv-daily import)") in result.output
    assert "matched 0 stored papers" not in result.output
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "2110.07546" in readme and "2110.06541" in readme


def test_one_paper_is_one_paper_not_one_papers(tmp_path):
    corpus = write_corpus(tmp_path / "one.jsonl", [bulk_line("2602.00007", "Radar alone", [ny(2026, 2, 10, 10, 0)])])
    cfg = project(tmp_path, f"request_interval: 0\nhf_url: {CLOSED}\ntopics:\n  Radar:\n    filters: [radar]\n")
    with start_mirror([corpus]) as m:
        result = invoke("run", "-c", str(cfg), *urls(m), "--date", "2026-02-12")
    assert result.exit_code == 0, result.output
    assert "harvested 1 paper: 1 new, 0 updated" in result.stdout
    site = (tmp_path / "docs" / "site" / "index.html").read_text(encoding="utf-8")
    assert "1 paper," in site and "1 paper ·" in site and "1 papers" not in site
    topic = (tmp_path / "docs" / "site" / "topics" / "radar" / "index.html").read_text(encoding="utf-8")
    assert "1 paper, newest first" in topic
    doctor = invoke("doctor", "--offline", "-c", str(cfg))
    assert "1 paper; last run: run for 2026-02-12, ok" in doctor.output
    export = invoke("export", "-c", str(cfg), "--format", "json", "-o", str(tmp_path / "e.json"))
    assert "(1 paper)" in export.output


def test_the_readme_cron_line_runs_as_typed(tmp_path, arxiv):
    # The console script in a fresh process, as cron starts it: no terminal, the URLs from the
    # environment, the line exactly as the README gives it.
    import os
    import subprocess
    import sys
    from pathlib import Path

    project(tmp_path)
    exe = Path(sys.executable).with_name("arxiv-radar")
    env = {**os.environ, "ARXIV_RADAR_API_URL": arxiv.api_url, "ARXIV_RADAR_OAI_URL": arxiv.oai_url,
           "ARXIV_RADAR_RSS_URL": arxiv.rss_url}
    done = subprocess.run([str(exe), "run", "-q", "--report", "run.json", "--date", "2026-02-12"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and "Traceback" not in done.stderr
    assert json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))["status"] == "ok"


def test_quiet_init_prints_nothing_but_notes(tmp_path):
    loud = CliRunner().invoke(main, ["init", str(tmp_path / "a")])
    assert loud.exit_code == 0 and "wrote" in loud.output
    quiet = CliRunner().invoke(main, ["init", str(tmp_path / "b"), "-q", "--repo", "me/papers"])
    assert quiet.exit_code == 0 and quiet.output == ""
    # Without a repository the Pages links cannot be made: that hint is a warning, -q keeps it.
    unnamed = CliRunner().invoke(main, ["init", str(tmp_path / "c"), "-q"])
    assert unnamed.exit_code == 0 and [line[:6] for line in unnamed.output.splitlines()] == ["hint: "]
    assert (tmp_path / "b" / "config.yaml").exists()


def test_no_topics_and_no_config_say_what_to_do(tmp_path):
    empty = tmp_path / "empty.yaml"
    empty.write_text("topics: {}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["run", "-c", str(empty)])
    assert result.exit_code == 2 and "no topics: add at least one" in result.output
    result = CliRunner().invoke(main, ["run", "-c", str(tmp_path / "absent.yaml")])
    assert result.exit_code == 2 and "write one with `arxiv-radar init`" in result.output
