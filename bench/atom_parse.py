"""Atom parse entries/s: our parser vs feedparser vs the `arxiv` package, on one 2,000-entry file.

    .venv/bin/python bench/atom_parse.py [--entries 2000] [--repeat 5]

The feed is written by our mirror (the 2026 arXiv API shape) from generated bulk records, so
all three parse the same bytes. Each parser extracts every field it offers; best of --repeat.
Target (issue): ours at least 10x faster than feedparser.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time

from _common import machine


def _feed(n: int) -> bytes:
    sys.path.insert(0, __file__.rsplit("/", 1)[0])
    from gen_corpus import DEFAULT_SAMPLE, Generator, load_sample

    from arxiv_radar.mirror.atom_writer import write_feed
    from arxiv_radar.sources.bulk import parse_bulk_line

    gen = Generator(load_sample(DEFAULT_SAMPLE), seed=7, vocab_tail=20_000, pool=200_000)
    papers = [parse_bulk_line(line) for line in itertools.islice(gen.lines(n), n)]
    return write_feed(papers, search_query="cat:cs.CV", id_list="", start=0, max_results=n, total_results=n)


def _best(fn, data: bytes, repeat: int) -> tuple[float, int]:
    best, count = float("inf"), 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        count = fn(data)
        best = min(best, time.perf_counter() - t0)
    return best, count


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    data = _feed(args.entries)
    print(f"machine: {machine()}")
    print(f"feed: {args.entries} entries, {len(data) / 1e6:.1f} MB")

    from arxiv_radar.sources.atom import parse_feed

    def ours(b: bytes) -> int:
        return len(parse_feed(b).papers)

    parsers = {"arxiv-radar parse_feed": ours}
    try:
        import feedparser

        parsers["feedparser"] = lambda b: len(feedparser.parse(b).entries)
    except ImportError:
        print("feedparser not installed: skipped")
    try:
        from arxiv import _feed as arxiv_feed

        parsers["arxiv package (_feed.parse)"] = lambda b: len(arxiv_feed.parse(b).results)
    except (ImportError, AttributeError):
        print("arxiv package not installed: skipped")

    results = {}
    for name, fn in parsers.items():
        secs, count = _best(fn, data, args.repeat if name != "feedparser" else max(1, args.repeat // 2))
        results[name] = secs
        print(f"{name:32s} {count:5d} entries in {secs * 1000:8.1f} ms = {count / secs:10,.0f} entries/s")
    if "feedparser" in results:
        ratio = results["feedparser"] / results["arxiv-radar parse_feed"]
        print(f"ours vs feedparser: {ratio:.2f}x faster (target >= 10x: {'met' if ratio >= 10 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
