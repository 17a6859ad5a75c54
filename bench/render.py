"""Render time for 100k papers: README (seed style, with archive pages) from the view model.

    .venv/bin/python bench/render.py [--papers 100000] [--topics 5]

Papers come from the generated corpus (parsed with the bulk parser) and are spread over
--topics topics; the timing covers ``arxiv_radar.render.render_readme`` only.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from datetime import date

from _common import machine


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--papers", type=int, default=100_000)
    ap.add_argument("--topics", type=int, default=5)
    args = ap.parse_args()
    sys.path.insert(0, __file__.rsplit("/", 1)[0])
    from gen_corpus import DEFAULT_SAMPLE, Generator, load_sample

    from arxiv_radar.render import Entry, RenderOptions, TopicView, render_readme
    from arxiv_radar.sources.bulk import parse_bulk_line

    print(f"machine: {machine()}")
    gen = Generator(load_sample(DEFAULT_SAMPLE), seed=11, vocab_tail=50_000, pool=1_000_000)
    papers = [parse_bulk_line(line) for line in itertools.islice(gen.lines(args.papers), args.papers)]
    views = [
        TopicView(f"Topic {t}", tuple(Entry(p, code_status="unknown") for p in papers[t :: args.topics]))
        for t in range(args.topics)
    ]
    for style in ("seed", "cv-arxiv-daily"):
        opts = RenderOptions(date=date(2026, 1, 5), style=style)
        t0 = time.perf_counter()
        out = render_readme(views, opts)
        dt = time.perf_counter() - t0
        size = len(out.text.encode("utf-8")) + sum(len(a.encode("utf-8")) for a in out.archives.values())
        print(f"  render_readme style={style:15s} {args.papers:,} papers in {dt:6.2f} s "
              f"({args.papers / dt:,.0f} papers/s), {size / 1e6:.1f} MB, {len(out.archives)} archive pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
