"""The reading room on the 1M-paper store: search and paper-page latency, then 20 clients for 60 s.

    .venv/bin/python bench/serve_load.py [--db STORE] [--queries 40] [--clients 20] [--seconds 60]

Starts ``arxiv-radar serve`` as a real process on a free loopback port (never another address)
over the bench store (imported with the CLI if missing; its topics matched with
bench/match_topics.py if it has none), then:

1. one client, one request at a time: ``/api/search`` for rare terms (in 10-100 papers) and
   common ones (in 5-20% of papers), drawn from the index like bench/search_latency.py; the
   HTML page of random papers (``/paper/<id>``). Targets: search p50 < 100 ms and p95 < 300 ms,
   a paper page < 50 ms (p50).
2. ``--clients`` threads, each with its own connection, for ``--seconds``: a mix of searches,
   paper pages, topic pages and the home page. Target: no error. The loop is bounded in time
   and stops by itself.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from _common import HERE, corpus, machine, percentile as _pct, store_with


def _terms(db: Path, lo: int, hi: int, k: int, rng: random.Random) -> list[str]:
    import sqlite3

    conn = sqlite3.connect(db)
    conn.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, papers_fts, 'row')")
    rows = [r[0] for r in conn.execute("SELECT term FROM temp.vocab WHERE doc BETWEEN ? AND ? AND length(term) > 3 "
                                       "AND term GLOB '[a-z]*' LIMIT 5000", (lo, hi))]
    conn.close()
    return rng.sample(rows, min(k, len(rows)))


def _ids(db: Path, k: int, rng: random.Random) -> list[str]:
    import sqlite3

    conn = sqlite3.connect(db)
    top = conn.execute("SELECT max(rowid) FROM papers").fetchone()[0]
    out = []
    while len(out) < k:
        row = conn.execute("SELECT id FROM papers WHERE rowid = ?", (rng.randint(1, top),)).fetchone()
        if row:
            out.append(row[0])
    conn.close()
    return out


def _ensure_topics(db: Path) -> None:
    import sqlite3

    conn = sqlite3.connect(db)
    has = conn.execute("SELECT 1 FROM matches LIMIT 1").fetchone()
    conn.close()
    if not has:
        subprocess.run([sys.executable, str(HERE / "match_topics.py"), "--db", str(db)], check=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _timed(client: httpx.Client, url: str, params: dict | None = None) -> float:
    t0 = time.perf_counter()
    r = client.get(url, params=params)
    elapsed = time.perf_counter() - t0
    r.raise_for_status()
    return elapsed


def _row(label: str, times: list[float]) -> str:
    return (f"  {label:34s} p50 {statistics.median(times) * 1000:7.1f} ms  p95 {_pct(times, 95) * 1000:7.1f} ms  "
            f"({len(times)} requests)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/arxiv-radar-bench"))
    ap.add_argument("--db", type=Path)
    ap.add_argument("--queries", type=int, default=40)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60.0, help="length of the load test; 0 skips it")
    args = ap.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    db = args.db or store_with(args.workdir / "query-bench.sqlite",
                               corpus(args.workdir / f"corpus-{args.records}.jsonl", args.records))
    _ensure_topics(db)
    rng = random.Random(7)
    n = 1_000_000 if args.records == 1_000_000 else args.records
    rare = _terms(db, 10, 100, args.queries, rng)
    common = _terms(db, n // 20, n // 5, args.queries, rng)
    ids = _ids(db, args.queries * 2, rng)

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    exe = str(Path(sys.executable).parent / "arxiv-radar")
    server = subprocess.Popen([exe, "-q", "serve", "--db", str(db), "--host", "127.0.0.1", "--port", str(port)],
                              stderr=subprocess.DEVNULL,
                              env={k: v for k, v in os.environ.items() if k != "ARXIV_RADAR_SERVE_TOKEN"})
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    client.get("/api/topics").raise_for_status()
                    break
                except httpx.HTTPError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        print("the server did not start", file=sys.stderr)
                        return 1
                    time.sleep(0.2)
            topics = [t["name"] for t in client.get("/api/topics").json()["topics"]]
            print(f"machine: {machine()}")
            print(f"store: {db} ({os.path.getsize(db) / 1e9:.2f} GB), topics: {len(topics)}")
            print("one client, sequential:")
            for label, terms in (("search rare (10-100 papers)", rare), ("search common (5-20% of papers)", common)):
                for order in ("rank", "date"):
                    times = [_timed(client, "/api/search", {"q": t, "order": order}) for t in terms]
                    print(_row(f"{label} {order}", times))
            _timed(client, f"/paper/{ids[0]}")  # the first page of a thread opens its connection
            print(_row("paper page (HTML, similar papers)", [_timed(client, f"/paper/{pid}") for pid in ids]))
            print(_row("paper (JSON)", [_timed(client, f"/api/paper/{pid}") for pid in ids]))
            if topics:
                print(_row("topic page (HTML)", [_timed(client, f"/topic/{t}") for t in topics * 3]))
            print(_row("home page", [_timed(client, "/") for _ in range(10)]))
            print(_row("trends", [_timed(client, "/trends", {"topic": t}) for t in topics[:3] or [""]]))
            print(f"load average after the sequential part: {os.getloadavg()[0]:.2f}")

        if args.seconds <= 0:  # --seconds 0: the sequential figures only
            return 0
        stop = time.monotonic() + args.seconds
        lock = threading.Lock()
        done: list[float] = []
        errors: list[str] = []

        def worker(seed: int) -> None:
            r = random.Random(seed)
            with httpx.Client(base_url=base, timeout=30) as c:
                while time.monotonic() < stop:
                    pick = r.random()
                    if pick < 0.35:
                        url, params = "/api/search", {"q": r.choice(rare + common)}
                    elif pick < 0.45:
                        url, params = "/search", {"q": r.choice(rare + common), "order": "date"}
                    elif pick < 0.8:
                        url, params = f"/paper/{r.choice(ids)}", None
                    elif pick < 0.95 and topics:
                        url, params = f"/topic/{r.choice(topics)}", {"page": str(r.randint(1, 3))}
                    else:
                        url, params = "/", None
                    t0 = time.perf_counter()
                    try:
                        resp = c.get(url, params=params)
                        ok = resp.status_code == 200
                        why = f"{resp.status_code} {url}"
                    except httpx.HTTPError as exc:
                        ok, why = False, f"{type(exc).__name__} {url}"
                    with lock:
                        (done.append(time.perf_counter() - t0) if ok else errors.append(why))

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.clients)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.monotonic() - t0
        print(f"{args.clients} concurrent clients for {wall:.0f} s: {len(done)} ok, {len(errors)} errors, "
              f"{len(done) / wall:.1f} requests/s; latency p50 {statistics.median(done) * 1000:.0f} ms, "
              f"p95 {_pct(done, 95) * 1000:.0f} ms, max {max(done) * 1000:.0f} ms")
        for why in sorted(set(errors))[:10]:
            print(f"  error: {why}")
        print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        return 1 if errors else 0
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    sys.exit(main())
