"""Requests per run, before and after the page-size rule, the overlap's cost, and recall.

Usage: python bench/harvest_plan.py [--config PATH] [--per-day N] [--seed S] [--oai-page-size N]

Builds a synthetic week of cs announcements (five announcement days, Mon-Fri submissions) in
which every topic of the config (by default cv-arxiv-daily's own config: 6 topics,
`max_results: 10`) gets a varying number of papers a day, some days more than ten, amid unrelated
papers. For each of the five announcement days it serves what arXiv would have served that
evening through our mirror and runs `arxiv-radar run` (pipeline.run) under several rules:

  - before: the API page size was the config's `max_results`, and no overlap;
  - after, no overlap: pages of 1,000 (API_PAGE_SIZE), `overlap_announcements: 0`;
  - after: pages of 1,000 and the default overlap (the announcement before each window re-read);
  - baseline: one API query per topic, newest `max_results` first (what cv-arxiv-daily does);

then a "busy first week": a first run (no watermark, 7 days of look-back) on the last day, with
twice the topic papers. It prints the requests each made, the seconds of waiting they cost at
arXiv's 3-second interval, and the recall (papers of a topic found / papers of it announced).
A second table repeats the daily runs with the topics limited to cs.CV (harvested as the OAI
set "cs"), to show what the overlap costs there.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import yaml

from arxiv_radar import pipeline
from arxiv_radar.config import config_from_dict
from arxiv_radar.harvest import calendar
from arxiv_radar.mirror import start_mirror
from arxiv_radar.query import matches, to_api
from arxiv_radar.sources import ArxivAPI, PoliteClient
from arxiv_radar.sources.bulk import parse_bulk_line
from arxiv_radar.store import Store

# cv-arxiv-daily's own config.yaml (6 topics, `max_results: 10`), recorded in tests/fixtures.
FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "cv-arxiv-daily" / "2025-03-01" / "config.yaml"
FILLER = ("graph neural networks for molecules", "a survey of reinforcement learning", "language model alignment",
          "protein folding with diffusion", "federated optimisation under noise", "speech enhancement")
# Announcement days of one ordinary week (no arXiv holiday): Sun 15 .. Thu 19 February 2026.
DAYS = [date(2026, 2, d) for d in (15, 16, 17, 18, 19)]
INTERVAL = 3.0  # arXiv's requested pause between requests, seconds


def line(pid: str, title: str, submitted: datetime) -> str:
    return json.dumps({
        "id": pid, "submitter": "A", "authors": "Ada Lovelace, Alan Turing", "title": title,
        "comments": None, "journal-ref": None, "doi": None, "report-no": None, "categories": "cs.CV",
        "license": None, "abstract": f"We study {title.lower()}.",
        "versions": [{"version": "v1", "created": format_datetime(submitted.astimezone(timezone.utc), usegmt=True)}],
        "update_date": submitted.date().isoformat(), "authors_parsed": [["Lovelace", "Ada", ""], ["Turing", "Alan", ""]],
    })


def synthetic_week(topics: dict, per_day: int, rng: random.Random, busy: int = 1) -> list[tuple[date, str]]:
    """(announcement day, bulk line) for every paper, topic papers and filler."""
    out, n = [], 0
    for day in DAYS:
        a = calendar.announcement_on(day)
        span = (a.window_end - a.window_start).total_seconds()
        for name, topic in topics.items():
            phrases = topic.filters or [name]
            for _ in range(busy * rng.choice([0, 2, 5, 8, 12, 18])):
                n += 1
                t = a.window_start + timedelta(seconds=rng.uniform(0, span - 60))
                out.append((day, line(f"2602.{n:05d}", f"{rng.choice(phrases)} for robots, part {n}", t)))
        for _ in range(per_day):
            n += 1
            t = a.window_start + timedelta(seconds=rng.uniform(0, span - 60))
            out.append((day, line(f"2602.{n:05d}", f"{rng.choice(FILLER).capitalize()} {n}", t)))
    return out


_ENDPOINTS = pipeline._endpoints


def _with_page_size(size: int | None):
    """pipeline._endpoints with the API page size forced (the "before" rule), or as shipped."""

    def endpoints(*args, **kwargs):
        made = _ENDPOINTS(*args, **kwargs)
        return replace(made, page_size=size) if size else made

    return endpoints


def run_days(tmp: Path, raw: dict, week, days, *, page_size: int | None, overlap: int, oai_page_size: int,
             lookback: int = 7) -> tuple[list[int], dict[str, set[str]], int]:
    """Run each of ``days`` against what arXiv served that evening: requests per run, the
    topics' matches, and how many papers the runs fetched in all (re-read ones included)."""
    tmp.mkdir(parents=True)
    config = config_from_dict({**raw, "request_interval": 0.0, "publish_site": False, "publish_feeds": False,
                               "publish_readme": False, "publish_gitpage": False, "lookback_days": lookback,
                               "overlap_announcements": overlap, "enrich": {"huggingface": False}},
                              base_dir=tmp, env={})
    requests, fetched = [], 0
    pipeline._endpoints = _with_page_size(page_size)
    try:
        for i, day in enumerate(days):
            corpus = tmp / f"day{i}.jsonl"
            corpus.write_text("\n".join(text for d, text in week if d <= day) + "\n", encoding="utf-8")
            with start_mirror([corpus], oai_page_size=oai_page_size) as mirror:
                client = PoliteClient(min_interval=0.0)
                report = pipeline.run(config, day=day, api_url=mirror.api_url, oai_url=mirror.oai_url, client=client)
                client.close()
                requests.append(len(mirror.requests))
            fetched += report.harvested
            assert report.status == "ok", report.failures
    finally:
        pipeline._endpoints = _ENDPOINTS
    with Store.open(tmp / "arxiv-radar.sqlite") as store:
        found = {name: set(store.matched_ids(name)) for name in config.topics}
    return requests, found, fetched


def baseline(tmp: Path, raw: dict, week) -> tuple[list[int], dict[str, set[str]]]:
    tmp.mkdir(parents=True)
    config = config_from_dict(raw, base_dir=tmp, env={})
    found = {name: set() for name in config.topics}
    requests = []
    for i, day in enumerate(DAYS):
        corpus = tmp / f"base{i}.jsonl"
        corpus.write_text("\n".join(text for d, text in week if d <= day) + "\n", encoding="utf-8")
        with start_mirror([corpus]) as mirror:
            client = PoliteClient(min_interval=0.0)
            api = ArxivAPI(client, base_url=mirror.api_url, page_size=config.max_results)
            for name, topic in config.topics.items():
                got = api.search(to_api(topic.ast), sort_by="submittedDate", sort_order="descending",
                                 limit=config.max_results)
                found[name] |= {p.id for p in got}
            client.close()
            requests.append(len(mirror.requests))
    return requests, found


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", type=Path, default=FIXTURE, help="a config.yaml (default: cv-arxiv-daily's own)")
    ap.add_argument("--per-day", type=int, default=300, help="unrelated papers per announcement")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--oai-page-size", type=int, default=1000, help="records per OAI page in the mirror")
    args = ap.parse_args()
    raw = yaml.safe_load(args.config.read_text(encoding="utf-8"))
    raw = {k: v for k, v in raw.items() if k in ("keywords", "topics", "max_results")}
    max_results = raw.get("max_results", 100)

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        topics = config_from_dict(raw, base_dir=tmp, env={}).topics
        rng = random.Random(args.seed)
        week = synthetic_week(topics, args.per_day, rng)
        busy_week = synthetic_week(topics, args.per_day, random.Random(args.seed), busy=2)

        def truth_of(w):
            papers = [parse_bulk_line(text) for _, text in w]
            return {name: {p.id for p in papers if matches(t.ast, p)} for name, t in topics.items()}

        truth, busy_truth = truth_of(week), truth_of(busy_week)

        def recall(found, t=truth):
            hit = sum(len(found[n] & t[n]) for n in t)
            total = sum(len(t[n]) for n in t)
            return f"{hit / total if total else 1.0:.1%} ({hit}/{total})"

        rows = []
        for label, page, overlap in ((f"before: page = max_results ({max_results}), no overlap", max_results, 0),
                                     ("after: pages of 1,000, no overlap", None, 0),
                                     ("after: pages of 1,000, overlap 1 (default)", None, 1)):
            key = f"{page}-{overlap}"
            daily, found, fetched = run_days(tmp / f"daily-{key}", raw, week, DAYS, page_size=page, overlap=overlap,
                                             oai_page_size=args.oai_page_size)
            first, found_first, _ = run_days(tmp / f"first-{key}", raw, busy_week, DAYS[-1:], page_size=page,
                                             overlap=overlap, oai_page_size=args.oai_page_size)
            rows.append((label, daily, fetched, recall(found), first[0], recall(found_first, busy_truth)))
        base_daily, base_found = baseline(tmp / "baseline", raw, week)

        # Category topics: the same topics limited to cs.CV are harvested as the OAI set "cs".
        key = "topics" if "topics" in raw else "keywords"
        cat_raw = {**raw, key: {n: {**t, "categories": ["cs.CV"]} for n, t in raw[key].items()}}
        oai_rows = []
        for overlap in (0, 1):
            daily, found, fetched = run_days(tmp / f"oai-{overlap}", cat_raw, week, DAYS, page_size=None,
                                             overlap=overlap, oai_page_size=args.oai_page_size)
            oai_rows.append((overlap, daily, fetched, recall(found)))

    n_matches = sum(len(v) for v in truth.values())
    print(f"config: {args.config} ({len(topics)} topics, max_results {max_results})")
    print(f"synthetic week: {len(week)} papers over {len(DAYS)} announcements, {n_matches} topic matches; "
          f"busy first week: {len(busy_week)} papers, {sum(len(v) for v in busy_truth.values())} topic matches")
    print()
    print("| rule | requests per daily run (5 days) | total | wait at 3 s | papers fetched | recall "
          "| busy first run: requests | wait | recall |")
    print("|---|---|---|---|---|---|---|---|---|")
    for label, daily, fetched, rec, first, rec_first in rows:
        wait = sum(max(r - 1, 0) for r in daily) * INTERVAL
        print(f"| {label} | {', '.join(map(str, daily))} | {sum(daily)} | {wait:.0f} s | {fetched} | {rec} | "
              f"{first} | {max(first - 1, 0) * INTERVAL:.0f} s | {rec_first} |")
    wait = sum(max(r - 1, 0) for r in base_daily) * INTERVAL
    print(f"| one query per topic, newest {max_results} (cv-arxiv-daily) | {', '.join(map(str, base_daily))} | "
          f"{sum(base_daily)} | {wait:.0f} s | | {recall(base_found)} | | | |")
    print()
    print(f"Category topics (cs.CV, OAI set cs, {args.oai_page_size} records per OAI page):")
    print()
    print("| overlap_announcements | requests per daily run (5 days) | total | records kept | recall |")
    print("|---|---|---|---|---|")
    for overlap, daily, fetched, rec in oai_rows:
        print(f"| {overlap} | {', '.join(map(str, daily))} | {sum(daily)} | {fetched} | {rec} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
