"""The daily job end to end through the local mirror: windows, watermarks, versions, outputs."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from arxiv_radar import pipeline
from arxiv_radar.config import config_from_dict
from arxiv_radar.mirror import start_mirror
from arxiv_radar.sources import PoliteClient
from arxiv_radar.store import Store

from synthetic import bulk_line, ny, write_corpus


def make_config(tmp_path, **extra):
    data = {"keywords": {"Radar": {"filters": ["radar"]}}, "max_results": 5, "request_interval": 0.0}
    data.update(extra)
    data = {k: v for k, v in data.items() if v is not None}
    return config_from_dict(data, base_dir=tmp_path)


def fast_client():
    return PoliteClient(min_interval=0.0, max_attempts=2, max_retry_seconds=0.5, backoff_initial=0.01, timeout=5)


def new_events(tmp_path):
    with Store.open(tmp_path / "arxiv-radar.sqlite") as s:
        return [tuple(r) for r in s.conn.execute("select paper_id, kind, version, day from events order by seq")]


# A week of February 2026 without holidays. Announcements (20:00 New York):
#   Sun Feb 8  covers Thu Feb 5 14:00 - Fri Feb 6 14:00
#   Mon Feb 9  covers Fri Feb 6 14:00 - Mon Feb 9 14:00
#   Tue Feb 10 covers Mon 14:00 - Tue 14:00, Wed Feb 11 Tue-Wed, Thu Feb 12 Wed-Thu.
WEEK = {
    "2602.00001": ny(2026, 2, 6, 9, 0),     # announced Sun Feb 8
    "2602.00002": ny(2026, 2, 9, 11, 0),    # announced Mon Feb 9
    "2602.00003": ny(2026, 2, 9, 15, 0),    # announced Tue Feb 10
    "2602.00004": ny(2026, 2, 10, 13, 59),  # announced Tue Feb 10
    "2602.00005": ny(2026, 2, 10, 14, 1),   # announced Wed Feb 11
    "2602.00006": ny(2026, 2, 12, 9, 30),   # announced Thu Feb 12
    "2602.00007": ny(2026, 2, 12, 14, 30),  # after Thursday's cut-off: announced Sun Feb 15
}


@pytest.fixture
def week_mirror(tmp_path):
    lines = [bulk_line(pid, f"Radar paper {pid}", [t]) for pid, t in WEEK.items()]
    lines.append(bulk_line("2602.00099", "Unrelated optics", [ny(2026, 2, 10, 9, 0)]))
    corpus = write_corpus(tmp_path / "week.jsonl", lines)
    with start_mirror([corpus]) as server:
        yield server


def test_missed_days_are_caught_up_exactly_once(tmp_path, week_mirror):
    config = make_config(tmp_path)
    monday = pipeline.run(config, day=date(2026, 2, 9), api_url=week_mirror.api_url, client=fast_client())
    assert monday.status == "ok"
    assert sorted(monday.new) == ["2602.00001", "2602.00002"]
    assert monday.announcements[-2:] == ["2026-02-08", "2026-02-09"]

    thursday = pipeline.run(config, day=date(2026, 2, 12), api_url=week_mirror.api_url, client=fast_client())
    assert thursday.announcements == ["2026-02-10", "2026-02-11", "2026-02-12"]
    assert sorted(thursday.new) == ["2602.00003", "2602.00004", "2602.00005", "2602.00006"]
    events = new_events(tmp_path)
    assert sorted(e[0] for e in events) == [f"2602.0000{i}" for i in range(1, 7)]  # each exactly once
    assert thursday.per_topic["Radar"]["total"] == 6


def test_friday_and_saturday_runs_harvest_nothing_and_rerun_is_byte_identical(tmp_path, week_mirror):
    config = make_config(tmp_path)
    pipeline.run(config, day=date(2026, 2, 12), api_url=week_mirror.api_url, client=fast_client())
    readme = (tmp_path / "README.md").read_bytes()
    js = (tmp_path / "docs" / "cv-arxiv-daily.json").read_bytes()
    again = pipeline.run(config, day=date(2026, 2, 12), api_url=week_mirror.api_url, client=fast_client())
    assert again.harvested == 0 and again.new == []
    assert (tmp_path / "README.md").read_bytes() == readme
    assert (tmp_path / "docs" / "cv-arxiv-daily.json").read_bytes() == js
    friday = pipeline.run(config, day=date(2026, 2, 13), api_url=week_mirror.api_url, client=fast_client())
    assert friday.announcements == [] and friday.harvested == 0
    with Store.open(tmp_path / "arxiv-radar.sqlite") as s:
        assert s.paper_count() == 6
        assert s.conn.execute("select count(*) from matches").fetchone()[0] == 6


def test_replacement_is_an_update_with_first_publication_date(tmp_path):
    pid = "2602.00003"
    v1 = ny(2026, 2, 9, 15, 0)
    first = write_corpus(tmp_path / "v1.jsonl", [bulk_line(pid, "Radar v1 title", [v1])])
    second = write_corpus(tmp_path / "v2.jsonl", [bulk_line(pid, "Radar v2 title", [v1, ny(2026, 2, 16, 10, 0)])])
    config = make_config(tmp_path)
    with start_mirror([first]) as m:
        r1 = pipeline.run(config, day=date(2026, 2, 10), api_url=m.api_url, client=fast_client())
    assert r1.new == [pid]
    with start_mirror([second]) as m:
        r2 = pipeline.run(config, day=date(2026, 2, 17), api_url=m.api_url, client=fast_client())
    assert r2.new == [] and r2.updated == [(pid, 2)]
    assert r2.per_topic["Radar"] == {"new": 0, "updated": 1, "total": 1}
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    rows = [line for line in readme.splitlines() if pid in line]
    assert len(rows) == 1 and "**2026-02-09**" in rows[0] and "Radar v2 title" in rows[0]
    assert [e[1:3] for e in new_events(tmp_path)] == [("new", 1), ("updated", 2)]


def test_unreachable_arxiv_keeps_watermark_and_reports_partial(tmp_path, week_mirror):
    config = make_config(tmp_path)
    closed = "http://127.0.0.1:9/api/query"  # the discard port: nothing listens there
    report = pipeline.run(config, day=date(2026, 2, 12), api_url=closed, client=fast_client())
    assert report.status == "partial" and report.failures
    with Store.open(tmp_path / "arxiv-radar.sqlite") as s:
        assert s.get_state(pipeline.WATERMARK) is None
    # The next run resumes from the old watermark and gets everything.
    report = pipeline.run(config, day=date(2026, 2, 12), api_url=week_mirror.api_url, client=fast_client())
    assert report.status == "ok" and len(report.new) == 6


def test_backfill_fills_a_range_once_and_moves_no_watermark(tmp_path, week_mirror):
    config = make_config(tmp_path)
    r = pipeline.backfill(config, start=date(2026, 2, 10), end=date(2026, 2, 11), api_url=week_mirror.api_url,
                          client=fast_client())
    assert r.announcements == ["2026-02-10", "2026-02-11"]
    assert sorted(r.new) == ["2602.00003", "2602.00004", "2602.00005"]
    again = pipeline.backfill(config, start=date(2026, 2, 10), end=date(2026, 2, 11), api_url=week_mirror.api_url,
                              client=fast_client())
    assert again.new == [] and again.updated == []
    with Store.open(tmp_path / "arxiv-radar.sqlite") as s:
        assert s.get_state(pipeline.WATERMARK) is None
        assert s.paper_count() == 3


def test_json_database_keeps_cv_arxiv_daily_shape(tmp_path, week_mirror):
    config = make_config(tmp_path)
    pipeline.run(config, day=date(2026, 2, 12), api_url=week_mirror.api_url, client=fast_client())
    data = json.loads((tmp_path / "docs" / "cv-arxiv-daily.json").read_text(encoding="utf-8"))
    assert list(data) == ["Radar"]
    assert set(data["Radar"]) == {f"2602.0000{i}" for i in range(1, 7)}
    assert all(row.startswith("|**2026-02-") and row.endswith("|\n") for row in data["Radar"].values())


# --- Category topics: harvested by OAI-PMH set, matched locally ---------------------------

def category_config(tmp_path, source="auto"):
    return make_config(tmp_path, keywords=None, topics={
        "Vision radar": {"filters": ["radar"], "categories": ["cs.CV"]},
        "Any radar": {"query": "ti:radar"},
    }, source=source)


def test_auto_plan_harvests_category_sets_once_and_matches_locally(tmp_path, week_mirror):
    config = category_config(tmp_path)
    report = pipeline.run(config, day=date(2026, 2, 12), api_url=week_mirror.api_url, client=fast_client(),
                          oai_url=week_mirror.oai_url)
    assert report.status == "ok", report.failures
    assert any(line == "oai: set cs" for line in report.plan)
    assert sum(line.startswith("api: ") for line in report.plan) == 1  # only the topic without categories
    assert report.per_topic["Vision radar"]["total"] == 6
    assert report.per_topic["Any radar"]["total"] == 6
    paths = {r.path for r in week_mirror.requests}
    assert "/oai" in paths and "/api/query" in paths


def test_empty_category_harvest_on_an_announcement_day_is_an_error(tmp_path):
    before = write_corpus(tmp_path / "before.jsonl", [
        bulk_line(f"2602.0000{i}", f"Radar {i}", [ny(2026, 2, 1 + i, 10, 0)]) for i in range(1, 5)])
    empty = write_corpus(tmp_path / "empty.jsonl", [
        bulk_line("2601.00001", "Old radar", [ny(2026, 1, 5, 10, 0)])])
    config = category_config(tmp_path, source="oai")
    with start_mirror([before]) as m:
        first = pipeline.run(config, day=date(2026, 2, 6), api_url=m.api_url, oai_url=m.oai_url, client=fast_client())
    assert first.status == "ok" and len(first.new) == 4
    with start_mirror([empty]) as m:
        second = pipeline.run(config, day=date(2026, 2, 10), api_url=m.api_url, oai_url=m.oai_url,
                              client=fast_client())
    assert second.status == "partial"
    assert any("came back empty" in why for _, why in second.failures)
    with Store.open(tmp_path / "arxiv-radar.sqlite") as s:
        assert s.get_state(pipeline.WATERMARK).startswith("2026-02-07")  # still the first run's clock


def test_harvest_reports_progress_per_step(tmp_path, week_mirror):
    from arxiv_radar.harvest.steps import Endpoints, harvest
    from arxiv_radar.harvest.plan import make_plan
    from arxiv_radar.harvest import calendar

    config = category_config(tmp_path)
    clock = calendar.run_clock(date(2026, 2, 12))
    plan = make_plan(config.topics, "auto", clock - timedelta(days=7), clock)
    seen = []
    result = harvest(plan, fast_client(), Endpoints(week_mirror.api_url, week_mirror.oai_url, "", 5),
                     progress=lambda desc, papers, done: seen.append((desc, papers, done)))
    assert [s for s in seen if s[1] == 0 and s[0] != "done"] == [
        (f"{step.kind} {step.label}", 0, i) for i, step in enumerate(plan.steps)]
    assert seen[-1] == ("done", len(result.papers), len(plan.steps))


def test_cross_listed_paper_counts_for_its_cross_listed_category(tmp_path):
    corpus = write_corpus(tmp_path / "x.jsonl", [
        bulk_line("2602.00011", "Radar learning", [ny(2026, 2, 10, 9, 0)], categories="cs.LG cs.CV"),
        bulk_line("2602.00012", "Radar theory", [ny(2026, 2, 10, 9, 30)], categories="math.OC"),
    ])
    config = category_config(tmp_path)
    with start_mirror([corpus]) as m:
        report = pipeline.run(config, day=date(2026, 2, 12), api_url=m.api_url, oai_url=m.oai_url,
                              client=fast_client())
    assert report.status == "ok", report.failures
    with Store.open(tmp_path / "arxiv-radar.sqlite") as s:
        assert s.matched_ids("Vision radar") == ["2602.00011"]  # primary cs.LG, cross-listed to cs.CV
        assert s.matched_ids("Any radar") == ["2602.00011", "2602.00012"]
        assert s.paper_count() == 2  # stored once, listed under both topics


@pytest.mark.parametrize("mirror_now, fresh", [(ny(2026, 2, 13, 2, 0), True), (ny(2026, 2, 12, 21, 0), False)])
def test_rss_serves_the_latest_announcement_and_a_stale_feed_is_not_taken_for_it(tmp_path, mirror_now, fresh):
    lines = [bulk_line(pid, f"Radar paper {pid}", [t]) for pid, t in WEEK.items()]
    corpus = write_corpus(tmp_path / "week.jsonl", lines)
    with start_mirror([corpus], now=mirror_now) as m:
        urls = dict(api_url=m.api_url, oai_url=m.oai_url, rss_url=m.rss_url, client=fast_client())
        wednesday = pipeline.run(category_config(tmp_path, source="oai"), day=date(2026, 2, 11), **urls)
        assert wednesday.status == "ok"
        thursday = pipeline.run(category_config(tmp_path, source="rss"), day=date(2026, 2, 12), **urls)
    assert any(line.startswith("rss: ") for line in thursday.plan)
    if fresh:
        assert thursday.status == "ok" and thursday.new == ["2602.00006"]
    else:
        # (The topic without categories still got it through the API.)
        assert thursday.status == "partial"
        assert any("shows the announcement of 2026-02-11" in why for _, why in thursday.failures)
        with Store.open(tmp_path / "arxiv-radar.sqlite") as s:
            assert s.get_state(pipeline.WATERMARK).startswith("2026-02-12T05")  # Wednesday's clock


def _outputs(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not p.name.startswith("arxiv-radar.sqlite")}


def _scheduled(monkeypatch, when):
    """A run without --date, as the workflow's daily job makes, at the real time ``when``."""
    from arxiv_radar.harvest import calendar

    real_clock, real_today = calendar.run_clock, calendar.today
    monkeypatch.setattr(calendar, "run_clock", lambda day=None, now=None: real_clock(day, now or when))
    monkeypatch.setattr(calendar, "today", lambda now=None: real_today(now or when))


def test_a_day_with_nothing_new_changes_no_output_and_a_past_day_never_turns_the_date_back(
        tmp_path, week_mirror, monkeypatch):
    config = make_config(tmp_path, publish_gitpage=True, publish_feeds=True, user_name="me", repo_name="radar")
    pipeline.run(config, day=date(2026, 2, 12), api_url=week_mirror.api_url, client=fast_client())
    before = _outputs(tmp_path)
    assert "Updated on 2026.02.12" in before["README.md"].decode()
    assert any(k.endswith(".xml") for k in before)
    # Friday's and Saturday's scheduled runs: no announcement, so every output stays byte for byte
    # (README header, Pages page, feeds' build date): the workflow has nothing to commit.
    for when in (ny(2026, 2, 13, 23, 0), ny(2026, 2, 14, 23, 0)):
        _scheduled(monkeypatch, when)
        report = pipeline.run(config, api_url=week_mirror.api_url, client=fast_client())
        assert report.status == "ok" and report.new == [] and report.written == []
        assert _outputs(tmp_path) == before
    # Monday's run has Sunday's paper: now the outputs change, and show Monday.
    _scheduled(monkeypatch, ny(2026, 2, 16, 23, 0))
    monday = pipeline.run(config, api_url=week_mirror.api_url, client=fast_client())
    assert monday.new == ["2602.00007"]
    after = _outputs(tmp_path)
    assert "Updated on 2026.02.16" in after["README.md"].decode()
    atom = next(v for k, v in after.items() if k.endswith("all.atom.xml"))
    assert b"<updated>2026-02-16" in atom
    # A run for a past day: nothing to fetch, a note pointing at backfill, the date not turned back.
    past = pipeline.run(config, day=date(2026, 2, 10), api_url=week_mirror.api_url, client=fast_client())
    assert past.status == "ok" and past.harvested == 0
    notes = " ".join(past.notes)
    assert "already harvested past 2026-02-10" in notes
    assert "backfill --from 2026-02-10 --to 2026-02-10" in notes
    assert "keep that date" in notes
    assert _outputs(tmp_path) == after
    # An explicit later --date is shown even with nothing new (a manual run for that day).
    pipeline.run(config, day=date(2026, 2, 17), api_url=week_mirror.api_url, client=fast_client())
    assert "Updated on 2026.02.17" in (tmp_path / "README.md").read_text(encoding="utf-8")


def test_a_year_without_arxiv_holidays_is_one_note_per_run(tmp_path, week_mirror, monkeypatch):
    config = make_config(tmp_path, lookback_days=400)
    _scheduled(monkeypatch, ny(2028, 1, 5, 23, 0))  # a window over 2027 and 2028, neither listed
    report = pipeline.run(config, api_url=week_mirror.api_url, client=fast_client())
    notes = [n for n in report.notes if "holidays for" in n]
    assert notes == [notes[0]] and "holidays for 2027, 2028 are not known" in notes[0]
    assert "25 Dec and 1 Jan" in notes[0]
