"""Harvest hardening through the mirror: a watermark per unit, the overlap that catches late
announcements, backfilled papers that are not news, and the API page size."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from arxiv_radar import pipeline
from arxiv_radar.cli import main
from arxiv_radar.config import config_from_dict
from arxiv_radar.harvest import calendar
from arxiv_radar.mirror import start_mirror
from arxiv_radar.sources import PoliteClient
from arxiv_radar.store import Store

from synthetic import bulk_line, ny, write_corpus

# February 2026, no holidays. Announcements (20:00 New York):
#   Mon Feb 9 covers Fri Feb 6 14:00 - Mon Feb 9 14:00; Tue Feb 10 Mon-Tue; Wed Feb 11 Tue-Wed;
#   Thu Feb 12 Wed-Thu.
PAPERS = {
    "2602.00001": ("Radar odometry", ny(2026, 2, 9, 11, 0)),        # announced Mon Feb 9
    "2602.00002": ("Lidar mapping", ny(2026, 2, 9, 12, 0)),         # announced Mon Feb 9
    "2602.00003": ("Radar tracking", ny(2026, 2, 10, 9, 0)),        # announced Tue Feb 10
    "2602.00004": ("Zzbroken sonar", ny(2026, 2, 10, 10, 0)),       # announced Tue Feb 10
    "2602.00005": ("Lidar fusion", ny(2026, 2, 11, 9, 0)),          # announced Wed Feb 11
    "2602.00006": ("Radar imaging", ny(2026, 2, 12, 9, 0)),         # announced Thu Feb 12
}
TOPICS = {
    "Radar": {"filters": ["radar"]},
    "Lidar": {"query": "ti:lidar"},
    "Broken": {"query": "ti:zzbroken"},
}


def fast_client():
    return PoliteClient(min_interval=0.0, max_attempts=2, max_retry_seconds=0.5, backoff_initial=0.01, timeout=5)


def make_config(tmp_path, **extra):
    data = {"topics": TOPICS, "request_interval": 0.0, "enrich": {"huggingface": False}}
    data.update(extra)
    return config_from_dict(data, base_dir=tmp_path, env={})


def watermarks(tmp_path, *, raw: bool = False) -> dict[str, str]:
    """The store's watermarks, units by label ("topic:Radar") unless ``raw`` (with their hash)."""
    from arxiv_radar.harvest.plan import unit_label

    with Store.open(tmp_path / "arxiv-radar.sqlite") as s:
        units = s.states_with_prefix(pipeline.UNIT_WATERMARK)
        return {**{(u if raw else unit_label(u)): v for u, v in units.items()},
                "(all)": s.get_state(pipeline.WATERMARK)}


def events(tmp_path) -> list[tuple]:
    with Store.open(tmp_path / "arxiv-radar.sqlite") as s:
        return [tuple(r) for r in s.conn.execute("select paper_id, kind, version from events order by seq")]


def clock(day: date) -> str:
    return calendar.run_clock(day).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def corpus(tmp_path):
    return write_corpus(tmp_path / "week.jsonl",
                        [bulk_line(pid, title, [t]) for pid, (title, t) in PAPERS.items()])


# --- a watermark per unit ------------------------------------------------------------------

def test_a_query_arxiv_rejects_holds_back_only_its_own_topic(tmp_path, corpus):
    config = make_config(tmp_path)
    mon, tue, thu = date(2026, 2, 9), date(2026, 2, 10), date(2026, 2, 12)
    with start_mirror([corpus]) as m:
        first = pipeline.run(config, day=mon, api_url=m.api_url, client=fast_client())
    assert first.status == "ok"
    assert watermarks(tmp_path) == {"topic:Radar": clock(mon), "topic:Lidar": clock(mon),
                                    "topic:Broken": clock(mon), "(all)": clock(mon)}

    # Tuesday arXiv rejects Broken's query for good: the OR-ed search fails, is asked again
    # topic by topic, and only Broken is held back.
    with start_mirror([corpus], faults="reject=zzbroken") as m:
        second = pipeline.run(config, day=tue, api_url=m.api_url, client=fast_client())
        rejected = [r for r in m.requests if r.fault == "reject"]
    assert second.status == "partial"
    assert [label for label, _ in second.failures] == ["api: ti:zzbroken"]
    assert len(rejected) == 2  # the OR-ed search, then Broken's own
    assert second.new == ["2602.00003"]
    assert any(n.startswith("topic:Broken held back: the next run asks for it again from 2026-02-10 05:00")
               for n in second.notes), second.notes
    assert watermarks(tmp_path) == {"topic:Radar": clock(tue), "topic:Lidar": clock(tue),
                                    "topic:Broken": clock(mon), "(all)": clock(mon)}

    # Thursday arXiv takes it again: Broken catches up from its own watermark (Tuesday's
    # announcement included), the others go on from theirs, in separate searches.
    with start_mirror([corpus]) as m:
        third = pipeline.run(config, day=thu, api_url=m.api_url, client=fast_client())
    assert third.status == "ok", third.failures
    api_steps = [line for line in third.plan if line.startswith("api: ")]
    assert len(api_steps) == 2
    assert sorted(api_steps) == ["api: all:radar OR ti:lidar (from 2026-02-11)", "api: ti:zzbroken (from 2026-02-10)"]
    assert sorted(third.new) == ["2602.00004", "2602.00005", "2602.00006"]
    assert set(watermarks(tmp_path).values()) == {clock(thu)}
    with Store.open(tmp_path / "arxiv-radar.sqlite") as s:
        assert s.matched_ids("Broken") == ["2602.00004"]
    assert sorted(e[0] for e in events(tmp_path)) == sorted(PAPERS)  # each exactly once


def test_the_cli_exits_3_when_one_topic_is_rejected(tmp_path, corpus):
    cfg = tmp_path / "config.yaml"
    cfg.write_text(json.dumps({"topics": TOPICS, "request_interval": 0, "enrich": {"huggingface": False}}),
                   encoding="utf-8")
    with start_mirror([corpus], faults="reject=zzbroken") as m:
        result = CliRunner().invoke(main, ["run", "-c", str(cfg), "--api-url", m.api_url, "--date", "2026-02-10"])
    assert result.exit_code == 3, result.output
    assert watermarks(tmp_path)["topic:Radar"] == clock(date(2026, 2, 10))
    assert "topic:Broken" not in watermarks(tmp_path)


def test_a_store_with_only_the_global_watermark_carries_on_from_it(tmp_path, corpus):
    config = make_config(tmp_path, overlap_announcements=0)
    with Store.open(tmp_path / "arxiv-radar.sqlite") as s:  # as a store before per-unit watermarks
        s.set_state(pipeline.WATERMARK, clock(date(2026, 2, 10)))
    with start_mirror([corpus]) as m:
        report = pipeline.run(config, day=date(2026, 2, 11), api_url=m.api_url, client=fast_client())
    assert report.announcements == ["2026-02-11"]
    assert report.new == ["2602.00005"]
    assert set(watermarks(tmp_path).values()) == {clock(date(2026, 2, 11))}


def _run_days(tmp_path, corpus, days_topics, **extra):
    reports = []
    for day, topics in days_topics:
        config = make_config(tmp_path, topics=topics, **extra)
        with start_mirror([corpus]) as m:
            reports.append(pipeline.run(config, day=day, api_url=m.api_url, client=fast_client()))
    return reports


def test_a_topic_added_later_gets_its_lookback(tmp_path, corpus):
    radar = {"Radar": {"query": "ti:radar"}}
    mon, tue, wed = date(2026, 2, 9), date(2026, 2, 10), date(2026, 2, 11)
    *_, added = _run_days(tmp_path, corpus, [(mon, radar), (tue, radar),
                                             (wed, {**radar, "Lidar": {"query": "ti:lidar"}})],
                          lookback_days=7)
    assert added.status == "ok"
    # Lidar is new: it looks back 7 days (Monday's paper included) in a search of its own,
    # while Radar goes on from its watermark; the two are not OR-ed.
    api = sorted(line for line in added.plan if line.startswith("api: "))
    assert api == ["api: ti:lidar (from 2026-02-05)", "api: ti:radar (from 2026-02-11)"]
    assert sorted(added.new) == ["2602.00002", "2602.00005"]
    with Store.open(tmp_path / "arxiv-radar.sqlite") as s:
        assert s.matched_ids("Lidar") == ["2602.00002", "2602.00005"]
    assert set(watermarks(tmp_path).values()) == {clock(wed)}


def test_a_changed_query_is_a_new_unit_and_gets_its_lookback(tmp_path, corpus):
    from arxiv_radar.harvest.plan import set_unit, topic_unit

    assert topic_unit("Lidar", "ti:lidar") != topic_unit("Lidar", "ti:nothingxyz")
    assert set_unit("cs", ["cs.CV"]) != set_unit("cs", ["cs.CV", "cs.RO"])
    tue, wed = date(2026, 2, 10), date(2026, 2, 11)
    radar = {"Radar": {"query": "ti:radar"}}
    before, after = _run_days(tmp_path, corpus, [(tue, {**radar, "Lidar": {"query": "ti:nothingxyz"}}),
                                                 (wed, {**radar, "Lidar": {"query": "ti:lidar"}})])
    assert "2602.00002" not in before.new
    assert sorted(after.new) == ["2602.00002", "2602.00005"]
    with Store.open(tmp_path / "arxiv-radar.sqlite") as s:
        assert s.matched_ids("Lidar") == ["2602.00002", "2602.00005"]
    # The old query's watermark stays behind (harmless); the new one's moved.
    lidar = sorted((k, v) for k, v in watermarks(tmp_path, raw=True).items() if k.startswith("topic:Lidar#"))
    assert sorted(v for _, v in lidar) == [clock(tue), clock(wed)]


def test_units_with_different_watermarks_are_never_combined(tmp_path):
    from arxiv_radar.harvest.plan import make_plan, unit_label

    topics = make_config(tmp_path, topics={**TOPICS, "Vision": {"filters": ["x"], "categories": ["cs.CV", "hep-th"]}}).topics
    now = calendar.run_clock(date(2026, 2, 12))
    mon, wed = calendar.run_clock(date(2026, 2, 9)), calendar.run_clock(date(2026, 2, 11))
    keys = {unit_label(u): u for u in make_plan(topics, "auto", mon, mon).units}
    plan = make_plan(topics, "auto", mon, now, overlap=1,
                     unit_since={keys["topic:Radar"]: wed, keys["set:physics:hep-th"]: wed})
    by_label = {s.label: s for s in plan.steps}
    assert {tuple(map(unit_label, s.units)) for s in plan.steps} == {("set:cs",), ("set:physics:hep-th",), ("topic:Radar",),
                                            ("topic:Lidar", "topic:Broken")}
    assert [a.day.isoformat() for a in by_label["set cs"].announcements] == ["2026-02-10", "2026-02-11", "2026-02-12"]
    assert [a.day.isoformat() for a in by_label["set physics:hep-th"].announcements] == ["2026-02-12"]
    # Each step re-reads one announcement before its own first one.
    assert by_label["set cs"].start == calendar.announcement_on(date(2026, 2, 9)).window_start
    assert by_label["set physics:hep-th"].start == calendar.announcement_on(date(2026, 2, 11)).window_start


# --- the overlap: papers announced late ----------------------------------------------------

LATE = "2602.00010"  # submitted Mon Feb 9 10:00 (Monday's window) but announced on Tuesday


def _late_corpora(tmp_path):
    monday = [bulk_line("2602.00001", "Radar odometry", [ny(2026, 2, 9, 11, 0)])]
    late = bulk_line(LATE, "Radar held in moderation", [ny(2026, 2, 9, 10, 0)])
    tuesday = monday + [late, bulk_line("2602.00003", "Radar tracking", [ny(2026, 2, 10, 9, 0)])]
    wednesday = tuesday + [bulk_line("2602.00005", "Radar fusion", [ny(2026, 2, 11, 9, 0)])]
    return [write_corpus(tmp_path / f"{n}.jsonl", lines)
            for n, lines in (("mon", monday), ("tue", tuesday), ("wed", wednesday))]


@pytest.mark.parametrize("topics", [
    {"Radar": {"filters": ["radar"]}},                                    # API search
    {"Radar": {"filters": ["radar"], "categories": ["cs.CV"]}},           # OAI set
])
def test_a_paper_announced_a_day_late_is_caught_exactly_once(tmp_path, topics):
    days = [date(2026, 2, 9), date(2026, 2, 10), date(2026, 2, 11)]
    corpora = _late_corpora(tmp_path)
    reports = {}
    for overlap in (0, 2):
        base = tmp_path / f"overlap{overlap}"
        base.mkdir()
        config = config_from_dict({"topics": topics, "request_interval": 0.0, "overlap_announcements": overlap,
                                   "enrich": {"huggingface": False}}, base_dir=base, env={})
        reports[overlap] = []
        for day, corpus in zip(days, corpora):
            with start_mirror([corpus]) as m:
                reports[overlap].append(pipeline.run(config, day=day, api_url=m.api_url, oai_url=m.oai_url,
                                                     client=fast_client()))
    assert all(r.status == "ok" for rs in reports.values() for r in rs)
    # Without the overlap the late paper falls between two windows.
    assert LATE not in {pid for r in reports[0] for pid in r.new}
    # With it, Tuesday's run catches it, and Wednesday's re-reading it changes nothing.
    assert [sorted(r.new) for r in reports[2]] == [["2602.00001"], ["2602.00003", LATE], ["2602.00005"]]
    assert any(line.startswith("overlap: re-reading 2 announcement(s)") for line in reports[2][1].plan)
    assert [e for e in events(tmp_path / "overlap2") if e[0] == LATE] == [(LATE, "new", 1)]


# --- backfilled papers are not news ---------------------------------------------------------

OLD = {"2602.00090": ny(2026, 2, 3, 10, 0), "2602.00091": ny(2026, 2, 4, 10, 0)}  # announced Feb 3 and 4


def _backfill_setup(tmp_path, httpserver):
    lines = [bulk_line(pid, title, [t]) for pid, (title, t) in PAPERS.items() if "Radar" in title]
    lines += [bulk_line(pid, f"Radar from last week {pid}", [t]) for pid, t in OLD.items()]
    corpus = write_corpus(tmp_path / "all.jsonl", lines)
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    data = {"topics": {"Radar": {"filters": ["radar"]}}, "request_interval": 0, "enrich": {"huggingface": False},
            "lookback_days": 1,
            "webhooks": [{"url": httpserver.url_for("/hook"), "format": "json"}]}
    cfg = tmp_path / "config.yaml"
    cfg.write_text(json.dumps(data), encoding="utf-8")
    return corpus, cfg


def _posted_ids(httpserver) -> list[list[str]]:
    return [sorted(p["id"] for p in json.loads(req.data)["papers"]) for req, _ in httpserver.log]


def _feed_ids(tmp_path) -> set[str]:
    text = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "docs" / "feeds").glob("*.xml"))
    assert text
    return {pid for pid in [*PAPERS, *OLD] if f"abs/{pid}" in text}


@pytest.mark.parametrize("notify", [False, True])
def test_backfilled_papers_are_not_sent_as_new_unless_notify(tmp_path, httpserver, notify):
    corpus, cfg = _backfill_setup(tmp_path, httpserver)
    with start_mirror([corpus]) as m:
        cli = CliRunner(env={"ARXIV_RADAR_API_URL": m.api_url})
        assert cli.invoke(main, ["run", "-c", str(cfg), "--date", "2026-02-09"]).exit_code == 0
        args = ["backfill", "-c", str(cfg), "--from", "2026-02-02", "--to", "2026-02-05"] + (["--notify"] if notify else [])
        result = cli.invoke(main, args)
        assert result.exit_code == 0, result.output
        assert cli.invoke(main, ["run", "-c", str(cfg), "--date", "2026-02-10"]).exit_code == 0
    kinds = {pid: kind for pid, kind, _ in events(tmp_path)}
    assert {kinds[pid] for pid in OLD} == {"new" if notify else "backfilled"}
    first, second = _posted_ids(httpserver)
    assert first == ["2602.00001"]
    assert second == sorted(["2602.00003", *(OLD if notify else ())])
    feeds = _feed_ids(tmp_path)
    assert "2602.00003" in feeds
    assert (set(OLD) <= feeds) if notify else not (set(OLD) & feeds)
    # The pages list every paper, backfilled or not.
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert all(pid in readme for pid in OLD)


@pytest.mark.parametrize("notify", [False, True])
def test_a_backfill_past_the_watermark_does_not_swallow_news(tmp_path, httpserver, notify):
    corpus, cfg = _backfill_setup(tmp_path, httpserver)
    with start_mirror([corpus]) as m:
        cli = CliRunner(env={"ARXIV_RADAR_API_URL": m.api_url})
        assert cli.invoke(main, ["run", "-c", str(cfg), "--date", "2026-02-09"]).exit_code == 0
        # From last week (before the watermark) to Thursday (past it).
        args = ["backfill", "-c", str(cfg), "--from", "2026-02-02", "--to", "2026-02-12", "--report",
                str(tmp_path / "backfill.json")] + (["--notify"] if notify else [])
        result = cli.invoke(main, args)
        assert result.exit_code == 0, result.output
        assert cli.invoke(main, ["run", "-c", str(cfg), "--date", "2026-02-12"]).exit_code == 0
        assert cli.invoke(main, ["run", "-c", str(cfg), "--date", "2026-02-13"]).exit_code == 0
    kinds = {pid: kind for pid, kind, _ in events(tmp_path)}
    # Tuesday to Thursday would have been Thursday's run's news: they are news still.
    assert kinds["2602.00003"] == kinds["2602.00006"] == "new"
    assert {kinds[pid] for pid in OLD} == {"new" if notify else "backfilled"}
    notes = json.loads((tmp_path / "backfill.json").read_text(encoding="utf-8"))["notes"]
    assert any("2 papers announced after the watermark recorded as new" in n for n in notes) != notify
    # Sent once, by Thursday's run; Friday's has nothing to send.
    assert _posted_ids(httpserver) == [["2602.00001"], sorted(["2602.00003", "2602.00006", *(OLD if notify else ())])]
    assert {"2602.00003", "2602.00006"} <= _feed_ids(tmp_path)


def test_migration_0006_keeps_events_and_their_numbers(tmp_path):
    import sqlite3

    from arxiv_radar.store.db import migrations

    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path)
    for number, _, sql in migrations():
        if number <= 5:
            conn.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
    conn.execute("INSERT INTO papers (id, version, title, published, first_seen, changed) "
                 "VALUES ('2602.00001', 1, 't', '2026-02-09T16:00:00Z', '2026-02-09', '2026-02-09')")
    conn.execute("INSERT INTO events (seq, paper_id, kind, version, day) VALUES (7, '2602.00001', 'new', 1, '2026-02-09')")
    conn.commit()
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO events (paper_id, kind, version, day) VALUES ('2602.00001', 'backfilled', 2, 'x')")
    conn.close()
    with Store.open(path) as s:
        assert s.schema_version >= 6
        assert [tuple(r) for r in s.conn.execute("select seq, kind from events")] == [(7, "new")]
        s.conn.execute("INSERT INTO events (paper_id, kind, version, day) VALUES ('2602.00001', 'backfilled', 2, 'x')")
        with pytest.raises(sqlite3.IntegrityError):
            s.conn.execute("INSERT INTO events (paper_id, kind, version, day) VALUES ('2602.00001', 'other', 3, 'x')")


# --- the API page size -----------------------------------------------------------------------

def test_api_pages_are_large_whatever_max_results_says(tmp_path):
    lines = [bulk_line(f"2602.{i:05d}", f"Radar paper {i}", [ny(2026, 2, 9, 9, 0)]) for i in range(1, 41)]
    corpus = write_corpus(tmp_path / "many.jsonl", lines)
    config = make_config(tmp_path, topics={"Radar": {"filters": ["radar"]}}, max_results=10)
    with start_mirror([corpus]) as m:
        report = pipeline.run(config, day=date(2026, 2, 9), api_url=m.api_url, client=fast_client())
        api_requests = [r for r in m.requests if r.path == "/api/query"]
    assert report.status == "ok" and len(report.new) == 40  # every paper kept
    assert len(api_requests) == 1 and "max_results=1000" in api_requests[0].query


def test_a_first_delivery_leaves_backfilled_papers_out_too(tmp_path):
    from arxiv_radar.model import Paper
    from arxiv_radar.store import deliveries

    def paper(pid):
        t = ny(2026, 2, 9, 10, 0)
        return Paper(id=pid, title=f"Radar {pid}", published=t, updated=t, version=1)

    with Store.open(tmp_path / "s.sqlite") as s:
        s.upsert_papers([paper("2602.00001")], date(2026, 2, 9))
        s.upsert_papers([paper("2602.00002")], date(2026, 2, 9), new_kind="backfilled")
        s.add_matches("Radar", [("2602.00001", None), ("2602.00002", None)], date(2026, 2, 9))
        owed = deliveries.pending(s.conn, "email", ["Radar"])
        assert owed.first and owed.paper_ids == ["2602.00001"]
        with pytest.raises(ValueError):
            s.upsert_papers([paper("2602.00003")], date(2026, 2, 9), new_kind="other")


def test_a_store_migrated_past_6_without_it_gets_it(tmp_path):
    """Migration numbers land in any order: a store at 8 made by a build without 0006."""
    import sqlite3

    from arxiv_radar.store.db import migrations

    path = tmp_path / "ahead.sqlite"
    conn = sqlite3.connect(path)
    for number, _, sql in migrations():
        if number != 6:
            conn.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
    conn.close()
    for _ in range(2):  # and opening it again changes nothing
        with Store.open(path) as s:
            s.conn.execute("INSERT OR IGNORE INTO papers (id, version, title, published, first_seen, changed) "
                           "VALUES ('2602.00001', 1, 't', '2026-02-09T16:00:00Z', '2026-02-09', '2026-02-09')")
            s.conn.execute("INSERT OR IGNORE INTO events (paper_id, kind, version, day) "
                           "VALUES ('2602.00001', 'backfilled', 1, 'x')")
            assert s.conn.execute("select count(*) from events").fetchone()[0] == 1
