"""Requests per daily run and recall: our `auto` plan versus cv-arxiv-daily's one query per topic.

Usage: python bench/harvest_plan.py [--config PATH] [--per-day N] [--seed S]

Builds a synthetic week of cs announcements (five announcement days, Mon-Fri submissions) in
which every topic of the config (by default the cv-arxiv-daily fixture's) gets a varying number
of papers a day, some days more than ten, amid unrelated papers. Then, for each of the five
announcement days, it serves what arXiv would have served that evening through our mirror and
runs:
  - ours: `arxiv-radar run`'s plan and harvest (pipeline.run), with the config's max_results as
    the page size, and
  - baseline: one API query per topic, newest first, max_results papers (what cv-arxiv-daily does);
and prints the requests each made and the recall over the five days (papers of a topic found /
papers of that topic announced).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from arxiv_radar import pipeline
from arxiv_radar.harvest import calendar
from arxiv_radar.config import config_from_dict
from arxiv_radar.mirror import start_mirror
from arxiv_radar.query import matches, to_api
from arxiv_radar.sources import ArxivAPI, PoliteClient
from arxiv_radar.sources.bulk import parse_bulk_line

NY = ZoneInfo("America/New_York")
FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "cv-arxiv-daily" / "2025-03-01" / "config.yaml"
FILLER = ("graph neural networks for molecules", "a survey of reinforcement learning", "language model alignment",
          "protein folding with diffusion", "federated optimisation under noise", "speech enhancement")
# Announcement days of one ordinary week (no arXiv holiday): Sun 15 .. Thu 19 February 2026.
DAYS = [date(2026, 2, d) for d in (15, 16, 17, 18, 19)]


def line(pid: str, title: str, submitted: datetime) -> str:
    return json.dumps({
        "id": pid, "submitter": "A", "authors": "Ada Lovelace, Alan Turing", "title": title,
        "comments": None, "journal-ref": None, "doi": None, "report-no": None, "categories": "cs.CV",
        "license": None, "abstract": f"We study {title.lower()}.",
        "versions": [{"version": "v1", "created": format_datetime(submitted.astimezone(timezone.utc), usegmt=True)}],
        "update_date": submitted.date().isoformat(), "authors_parsed": [["Lovelace", "Ada", ""], ["Turing", "Alan", ""]],
    })


def synthetic_week(topics: dict, per_day: int, rng: random.Random) -> list[tuple[date, str]]:
    """(announcement day, bulk line) for every paper, topic papers and filler."""
    out, n = [], 0
    for day in DAYS:
        a = calendar.announcement_on(day)
        span = (a.window_end - a.window_start).total_seconds()
        for name, topic in topics.items():
            phrases = topic.filters or [name]
            for _ in range(rng.choice([0, 2, 5, 8, 12, 18])):
                n += 1
                t = a.window_start + timedelta(seconds=rng.uniform(0, span - 60))
                out.append((day, line(f"2602.{n:05d}", f"{rng.choice(phrases)} for robots, part {n}", t)))
        for _ in range(per_day):
            n += 1
            t = a.window_start + timedelta(seconds=rng.uniform(0, span - 60))
            out.append((day, line(f"2602.{n:05d}", f"{rng.choice(FILLER).capitalize()} {n}", t)))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", type=Path, default=FIXTURE)
    ap.add_argument("--per-day", type=int, default=300, help="unrelated papers per announcement")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    raw = yaml.safe_load(args.config.read_text(encoding="utf-8"))
    raw = {k: v for k, v in raw.items() if k in ("keywords", "topics", "max_results")}
    rng = random.Random(args.seed)

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        config = config_from_dict({**raw, "request_interval": 0.0, "publish_site": False, "publish_feeds": False,
                                   "enrich": {"huggingface": False}}, base_dir=tmp)
        week = synthetic_week(config.topics, args.per_day, rng)
        papers = [parse_bulk_line(text) for _, text in week]
        truth = {name: {p.id for p in papers if matches(t.ast, p)} for name, t in config.topics.items()}
        found_ours = {name: set() for name in truth}
        found_base = {name: set() for name in truth}
        req_ours, req_base = [], []
        for i, day in enumerate(DAYS):
            corpus = tmp / f"day{i}.jsonl"
            corpus.write_text("\n".join(text for d, text in week if d <= day) + "\n", encoding="utf-8")
            with start_mirror([corpus]) as mirror:
                before = len(mirror.requests)
                client = PoliteClient(min_interval=0.0)
                report = pipeline.run(config, day=day, api_url=mirror.api_url, oai_url=mirror.oai_url, client=client)
                req_ours.append(len(mirror.requests) - before)
                before = len(mirror.requests)
                api = ArxivAPI(client, base_url=mirror.api_url, page_size=config.max_results)
                for name, topic in config.topics.items():
                    got = api.search(to_api(topic.ast), sort_by="submittedDate", sort_order="descending",
                                     limit=config.max_results)
                    found_base[name] |= {p.id for p in got}
                req_base.append(len(mirror.requests) - before)
                client.close()
            assert report.status == "ok", report.failures
        from arxiv_radar.store import Store

        with Store.open(tmp / "arxiv-radar.sqlite") as store:
            for name in truth:
                found_ours[name] = set(store.matched_ids(name))

    def recall(found):
        hit = sum(len(found[n] & truth[n]) for n in truth)
        total = sum(len(truth[n]) for n in truth)
        return hit / total if total else 1.0, hit, total

    print(f"config: {args.config} ({len(truth)} topics, max_results {config.max_results} = page size)")
    print(f"synthetic week: {len(week)} papers over {len(DAYS)} announcements, "
          f"{sum(len(v) for v in truth.values())} topic matches")
    print()
    print("| plan | requests per daily run (5 days) | total requests | recall |")
    print("|---|---|---|---|")
    r, hit, total = recall(found_ours)
    print(f"| arxiv-radar auto | {', '.join(map(str, req_ours))} | {sum(req_ours)} | {r:.1%} ({hit}/{total}) |")
    r, hit, total = recall(found_base)
    print(f"| one query per topic (newest {config.max_results}) | {', '.join(map(str, req_base))} | {sum(req_base)} | "
          f"{r:.1%} ({hit}/{total}) |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
