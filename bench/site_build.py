"""Time the static site build for N synthetic papers: render, Pagefind index, bundle sync.

    .venv/bin/python bench/site_build.py 10000 [--topics 8] [--out DIR] [--no-search]

Words follow a Zipf law over a 300,000-word vocabulary (like real abstracts: a few very
common words, a long tail of rare ones), 180 words per abstract, 10 per title, 5 authors.
Prints one line per phase and the size of what was written. No timing assertions anywhere:
this prints figures, it does not judge them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from arxiv_radar.model import Author, Paper
from arxiv_radar.render.site import build_site
from arxiv_radar.render.view import Entry, RenderOptions, TopicView

VOCABULARY = 300_000


def synthetic(n: int, topics: int, seed: int = 1) -> list[TopicView]:
    rng = random.Random(seed)
    vocab = [f"w{i:x}" for i in range(VOCABULARY)]
    cum = list(itertools.accumulate(1 / (rank + 1) ** 1.07 for rank in range(VOCABULARY)))

    def words(k: int) -> str:
        return " ".join(rng.choices(vocab, cum_weights=cum, k=k))

    start = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
    per_topic: list[list[Entry]] = [[] for _ in range(topics)]
    for i in range(n):
        paper = Paper(
            id=f"{2001 + (i // 99_999) % 99:04d}.{i % 99_999 + 1:05d}",
            title=words(10),
            abstract=words(180),
            authors=tuple(Author(words(2)) for _ in range(5)),
            categories=("cs.CV",),
            published=start + dt.timedelta(minutes=30 * i),
        )
        code = f"https://github.com/lab/repo{i}" if i % 3 == 0 else None
        entry = Entry(paper=paper, code_url=code, code_status="found" if code else "none")
        per_topic[i % topics].append(entry)
        if i % 5 == 0:  # a fifth of the papers are in a second topic
            per_topic[(i + 1) % topics].append(entry)
    return [TopicView(name=f"Topic {t}", entries=tuple(es)) for t, es in enumerate(per_topic)]


def _size(path: Path) -> tuple[int, int]:
    files = [p for p in path.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, nargs="?", default=10_000)
    ap.add_argument("--topics", type=int, default=8)
    ap.add_argument("--out", type=Path, help="site folder (default: a temporary one, removed)")
    ap.add_argument("--no-search", action="store_true", help="skip the Pagefind index")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    views = synthetic(args.n, args.topics)
    print(f"papers            {args.n:>10,}  ({args.topics} topics, {time.perf_counter() - t0:.1f} s to generate)")
    tmp = None
    out = args.out
    if out is None:
        tmp = Path(tempfile.mkdtemp(prefix="site-bench-"))
        out = tmp / "site"
    try:
        opts = RenderOptions(date=dt.date(2025, 1, 1))
        for label in ("first build", "same data again"):
            t0 = time.perf_counter()
            result = build_site(views, opts, out, search=not args.no_search)
            total = time.perf_counter() - t0
            print(f"{label}:")
            for phase in ("render", "records", "index", "sync"):
                if phase in result.timings:
                    print(f"  {phase:<15} {result.timings[phase]:>8.1f} s")
            print(f"  {'total':<15} {total:>8.1f} s   ({len(result.written):,} files written)")
        pages, html_bytes = _size(out / "topics")
        print(f"topic pages       {pages:>10,}  {html_bytes / 1e6:8.1f} MB")
        if (out / "pagefind").is_dir():
            files, size = _size(out / "pagefind")
            print(f"pagefind bundle   {files:>10,}  {size / 1e6:8.1f} MB")
        # Peak memory of children includes the Pagefind binary.
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"pagefind peak RSS {peak:>10,.0f} MB")
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
