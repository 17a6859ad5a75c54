"""Import records/s and peak RSS of `arxiv-radar import-snapshot` on a generated corpus.

    .venv/bin/python bench/import_snapshot.py [--records 1000000] [--workdir /tmp/arxiv-radar-bench]

Runs the real command line as a child process on a fresh database, end to end (parsing,
upserts, full-text indexes, final checkpoint). Peak RSS is reported two ways: the largest
single process (getrusage RUSAGE_CHILDREN, what /usr/bin/time shows) and the largest sum over
the process tree (the importer plus its parsing workers), sampled every 0.1 s from /proc.
Acceptance threshold (issue): 1M records in under 180 s with peak RSS under 500 MB.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from _common import corpus, machine


def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and its descendants (Linux /proc)."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/statm", encoding="ascii") as fh:
                total += int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            with open(f"/proc/{p}/task/{p}/children", encoding="ascii") as fh:
                stack.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            continue
    return total


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/arxiv-radar-bench"))
    ap.add_argument("--corpus", type=Path, help="an existing bulk file (default: generated)")
    args = ap.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    src = args.corpus or corpus(args.workdir / f"corpus-{args.records}.jsonl", args.records)
    db = args.workdir / "import-bench.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)

    print(f"machine: {machine()}")
    exe = str(Path(sys.executable).parent / "arxiv-radar")
    t0 = time.perf_counter()
    child = subprocess.Popen([exe, "import-snapshot", str(src), "--db", str(db)], stdout=subprocess.PIPE, text=True)
    peak_tree = 0
    while child.poll() is None:
        peak_tree = max(peak_tree, _tree_rss(child.pid))
        time.sleep(0.1)
    wall = time.perf_counter() - t0
    out = child.stdout.read() if child.stdout else ""
    peak_one = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # KiB on Linux
    print(out.strip())
    lines = sum(1 for _ in open(src, "rb")) if src.suffix != ".gz" else args.records
    print(f"load after: {os.getloadavg()[0]:.2f}")
    print(f"import: {lines:,} records in {wall:.1f} s = {lines / wall:,.0f} records/s "
          f"(exit {child.returncode}); peak RSS {peak_one / 1e6:.0f} MB largest process, "
          f"{peak_tree / 1e6:.0f} MB process tree; database {db.stat().st_size / 1e9:.2f} GB")
    ok = wall < 180 and peak_tree < 500e6 and child.returncode == 0
    print(f"threshold (1M in < 180 s, < 500 MB): {'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
