"""Time the static site build for N synthetic papers: a full build, then a daily update.

    .venv/bin/python bench/site_build.py 10000 [--daily 200] [--topics 8] [--out DIR] [--no-search]
    .venv/bin/python bench/site_build.py 10000 100000 300000    # one child process per size

Words follow a Zipf law over a 300,000-word vocabulary (like real abstracts: a few very
common words, a long tail of rare ones), 180 words per abstract, 10 per title, 5 authors; one
paper every 30 minutes from 2020-01-01 (100,000 papers span 5.7 years). Each size runs in its
own process, which generates the papers (held in memory, as a real render holds the store's
views), builds the site from scratch, then adds ``--daily`` newer papers and builds again, as
the next day's run does. Peak RSS is the child's own peak plus that of any process it started
(resource.getrusage: RUSAGE_SELF + RUSAGE_CHILDREN), so the whole process tree.

Prints figures; no timing assertions anywhere: this prints figures, it does not judge them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine  # noqa: E402

from arxiv_radar.model import Author, Paper  # noqa: E402
from arxiv_radar.render.site import build_site  # noqa: E402
from arxiv_radar.render.view import Entry, RenderOptions, TopicView  # noqa: E402

VOCABULARY = 300_000


def entries(n: int, seed: int = 1) -> list[Entry]:
    """``n`` papers, oldest first; the first k are the same whatever ``n``."""
    rng = random.Random(seed)
    vocab = [f"w{i:x}" for i in range(VOCABULARY)]
    cum = list(itertools.accumulate(1 / (rank + 1) ** 1.07 for rank in range(VOCABULARY)))
    start = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
    out = []
    for i in range(n):
        words = rng.choices(vocab, cum_weights=cum, k=200)
        paper = Paper(
            id=f"{2001 + (i // 99_999) % 99:04d}.{i % 99_999 + 1:05d}",
            title=" ".join(words[:10]),
            abstract=" ".join(words[20:]),
            authors=tuple(Author(" ".join(words[10 + 2 * k : 12 + 2 * k])) for k in range(5)),
            categories=("cs.CV",),
            published=start + dt.timedelta(minutes=30 * i),
        )
        code = f"https://github.com/lab/repo{i}" if i % 3 == 0 else None
        out.append(Entry(paper=paper, code_url=code, code_status="found" if code else "none"))
    return out


def views(items: list[Entry], topics: int) -> list[TopicView]:
    per_topic: list[list[Entry]] = [[] for _ in range(topics)]
    for i, entry in enumerate(items):
        per_topic[i % topics].append(entry)
        if i % 5 == 0:  # a fifth of the papers are in a second topic
            per_topic[(i + 1) % topics].append(entry)
    return [TopicView(name=f"Topic {t}", entries=tuple(es)) for t, es in enumerate(per_topic)]


def _size(path: Path) -> tuple[int, int, int]:
    files = [p for p in path.rglob("*") if p.is_file()]
    biggest_html = max((p.stat().st_size for p in files if p.suffix == ".html"), default=0)
    return len(files), sum(p.stat().st_size for p in files), biggest_html


def _peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) / 1024


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run_one(n: int, daily: int, topics: int, out: Path, search: bool) -> dict:
    t0 = time.perf_counter()
    items = entries(n + daily)
    generated = time.perf_counter() - t0
    before = _views = views(items[:n], topics)
    loaded = _rss_mb()
    opts = RenderOptions(date=dt.date(2025, 1, 1))

    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    first = build_site(before, opts, out, search=search)
    full = time.perf_counter() - t0
    peak_full = _peak_mb()
    files, size, biggest = _size(out)
    # What a reader's browser loads to show the index page with its search form ready.
    index_bytes = sum((out / rel).stat().st_size for rel in
                      ("index.html", "assets/site.css", "assets/site.js", "search/manifest.json") if (out / rel).exists())
    del before, _views

    after = views(items, topics)
    t0 = time.perf_counter()
    second = build_site(after, RenderOptions(date=dt.date(2025, 1, 2)), out, search=search)
    update = time.perf_counter() - t0
    files2, size2, _ = _size(out)
    changed = len(second.written) + len(second.removed)
    return {
        "papers": n,
        "generate_s": round(generated, 1),
        "rss_with_papers_mb": round(loaded),
        "full_s": round(full, 1),
        "full_timings": {k: round(v, 1) for k, v in first.timings.items()},
        "parts": len(first.parts_built),
        "peak_rss_mb": round(peak_full),
        "files": files,
        "size_mb": round(size / 1e6, 1),
        "biggest_html_kb": round(biggest / 1e3),
        "index_html_kb": round(index_bytes / 1e3, 1),
        "daily": daily,
        "daily_s": round(update, 1),
        "daily_parts_rebuilt": second.parts_built,
        "daily_files_changed": changed,
        "daily_files_total": files2,
        "daily_changed_pct": round(100 * changed / files2, 2),
        "peak_rss_after_daily_mb": round(_peak_mb()),
        "load_at_start": round(load0, 2),
        "load_at_end": round(os.getloadavg()[0], 2),
    }


def _report(r: dict) -> None:
    print(f"papers {r['papers']:,} (generated in {r['generate_s']} s; RSS holding them {r['rss_with_papers_mb']:,} MB)")
    print(f"  full build        {r['full_s']:>7} s   {r['full_timings']}  ({r['parts']} parts)")
    print(f"  peak RSS (tree)   {r['peak_rss_mb']:>7,} MB")
    print(f"  site              {r['files']:>7,} files  {r['size_mb']:,} MB  (largest page {r['biggest_html_kb']} KB,"
          f" index page with its CSS, JS and search manifest {r['index_html_kb']} KB)")
    print(f"  daily +{r['daily']:<9} {r['daily_s']:>7} s   {r['daily_files_changed']:,} of {r['daily_files_total']:,} files"
          f" changed ({r['daily_changed_pct']}%), parts rebuilt {r['daily_parts_rebuilt']}")
    print(f"  load average      {r['load_at_start']} at start, {r['load_at_end']} at end")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, nargs="*", default=[10_000])
    ap.add_argument("--daily", type=int, default=200, help="new papers in the daily update (default 200)")
    ap.add_argument("--topics", type=int, default=8)
    ap.add_argument("--out", type=Path, help="site folder (default: a temporary one, removed)")
    ap.add_argument("--no-search", action="store_true", help="skip the search index")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child:
        tmp = None if args.out else Path(tempfile.mkdtemp(prefix="site-bench-", dir=os.environ.get("BENCH_TMP")))
        out = args.out or tmp / "site"
        try:
            print(json.dumps(run_one(args.n[0], args.daily, args.topics, out, not args.no_search)))
        finally:
            if tmp is not None:
                shutil.rmtree(tmp, ignore_errors=True)
        return

    print(machine())
    for n in args.n:
        cmd = [sys.executable, __file__, str(n), "--child", "--daily", str(args.daily), "--topics", str(args.topics)]
        if args.out:
            cmd += ["--out", str(args.out / str(n))]
        if args.no_search:
            cmd.append("--no-search")
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            sys.exit(proc.returncode)
        _report(json.loads(proc.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    sys.exit(main())
