"""AI summaries: requests and tokens per run for the seed's topics, and what a typical day costs.

    .venv/bin/python bench/summaries.py [--price-in 0.15] [--price-out 0.60] [--papers-per-day N]

Runs the daily job on the bundled demo (the seed README's two topics, ForgeryDetection and MLLM,
through the local arXiv mirror) with `summaries:` pointed at the loopback fake of the OpenAI API
(tests/fake_openai.py), twice: the second run must make no request. The fake counts about one
token per 4 UTF-8 bytes, as OpenAI's tokenizers do for English, and answers with fields of the
length the prompt asks for (a 35-word TL;DR, 45 words per other field), so the figures are close
to what a real endpoint bills. Prices are US dollars per million tokens (defaults: gpt-4o-mini's
list price); a typical day is --papers-per-day papers (default: the demo's matched papers per
announcement day), capped by max_papers_per_run.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from datetime import date
from importlib import resources
from pathlib import Path

from _common import ROOT, machine

sys.path.insert(0, str(ROOT / "tests"))

WORDS = ("radar detection model images benchmark accuracy method results dataset training video "
         "forgery multimodal language visual reasoning evaluation").split()


def answer(body: dict) -> str:
    from fake_openai import requested_fields

    out = {}
    for i, f in enumerate(requested_fields(body)):
        n = 35 if f == "tldr" else 45
        out[f] = " ".join(WORDS[(i + j) % len(WORDS)] for j in range(n)) + "."
    return json.dumps(out)


def run_once(fields: list[str], out_dir: Path, fake, day: date) -> list[dict]:
    import yaml

    from arxiv_radar import pipeline
    from arxiv_radar.config import config_from_dict
    from arxiv_radar.demo import corpus_path
    from arxiv_radar.mirror import start_mirror

    data = yaml.safe_load(resources.files("arxiv_radar.demo").joinpath("config.yaml").read_text(encoding="utf-8"))
    data.update({"database": "arxiv-radar.sqlite", "lookback_days": 21, "request_interval": 0.0,
                 "enrich": {"huggingface": False}, "publish_site": False, "publish_feeds": False,
                 "summaries": {"model": "gpt-4o-mini", "fields": fields, "max_papers_per_run": 1000}})
    config = config_from_dict(data, base_dir=out_dir)
    reports = []
    with start_mirror([corpus_path()]) as server:
        for _ in range(2):
            before = fake.calls
            t0 = time.perf_counter()
            report = pipeline.run(config, day=day, api_url=server.api_url)
            s = dict(report.summaries)
            s["requests_seen"] = fake.calls - before
            s["wall"] = time.perf_counter() - t0
            s["matched"] = len({pid for t in config.topics for pid in _ids(config, t)})
            s["days"] = len(report.announcements)
            reports.append(s)
    return reports


def _ids(config, topic: str) -> list[str]:
    from arxiv_radar.store import Store

    with Store.open(config.path_of("database")) as store:
        return store.matched_ids(topic)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--price-in", type=float, default=0.15, help="USD per million prompt tokens")
    ap.add_argument("--price-out", type=float, default=0.60, help="USD per million completion tokens")
    ap.add_argument("--papers-per-day", type=float, default=None)
    ap.add_argument("--max-papers-per-run", type=int, default=20)
    args = ap.parse_args()
    logging.disable(logging.WARNING)
    import os

    from fake_openai import FakeOpenAI

    print(f"machine: {machine()}")
    print(f"prices: ${args.price_in:g} per 1M tokens in, ${args.price_out:g} per 1M out")
    day = date(2025, 3, 2)
    for fields in (["tldr"], ["tldr", "motivation", "method", "result", "conclusion"]):
        with FakeOpenAI() as fake, tempfile.TemporaryDirectory(prefix="bench-summaries-") as tmp:
            fake.answer = answer
            os.environ["OPENAI_BASE_URL"] = fake.base_url
            os.environ["OPENAI_API_KEY"] = "sk-bench-not-a-real-key"
            first, second = run_once(fields, Path(tmp), fake, day)
            bodies = [r["body"] for r in fake.requests]
        n = first["summarised"] or 1
        per_in, per_out = first["tokens_in"] / n, first["tokens_out"] / n
        per_day = args.papers_per_day if args.papers_per_day is not None else first["matched"] / max(first["days"], 1)
        price = (per_in * args.price_in + per_out * args.price_out) / 1e6  # one paper
        from arxiv_radar.summarize.prompt import build_prompt, estimate_tokens

        est = sum(estimate_tokens(b["messages"]) for b in bodies) / max(len(bodies), 1)
        print(f"\nfields {fields}:")
        print(f"  first run : {first['matched']} matched papers over {first['days']} announcement days, "
              f"{first['calls']} requests ({first['requests_seen']} seen by the endpoint), "
              f"{first['tokens_in']:,} tokens in, {first['tokens_out']:,} out, {first['wall']:.2f} s")
        print(f"  second run: {second['calls']} requests ({second['requests_seen']} seen), "
              f"{second['tokens_in']} tokens in, {second['tokens_out']} out")
        print(f"  per paper : {per_in:.0f} tokens in (budget estimate {est:.0f}), {per_out:.0f} out")
        for label, papers in (("a typical day", min(per_day, args.max_papers_per_run)),
                              ("a full day (max_papers_per_run)", args.max_papers_per_run)):
            print(f"  {label}: {papers:.1f} papers -> {papers * per_in:,.0f} in + {papers * per_out:,.0f} out "
                  f"= ${papers * price:.4f} (${papers * price * 30:.3f} a month)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
