"""Search latency p50/p95 for rare and common terms on the 1M-paper store.

    .venv/bin/python bench/search_latency.py [--db STORE] [--queries 50]

Terms are drawn from the index itself (fts5vocab): "rare" ones occur in 10-100 papers,
"common" ones in 5-20% of them. Each query is ``arxiv_radar.search.search(store, term,
limit=20)`` (BM25, evaluator-confirmed), timed end to end. Targets: p50 under 100 ms and p95 under 300 ms for rare and common terms (issue 17).
It also times the ranking SQL alone for common terms, as it was and as it is.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

from _common import corpus, machine, percentile as _pct, store_with


def _terms(conn, lo: int, hi: int, k: int, rng: random.Random) -> list[str]:
    conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocab USING fts5vocab(main, papers_fts, 'row')")
    rows = [r[0] for r in conn.execute("SELECT term FROM temp.vocab WHERE doc BETWEEN ? AND ? AND length(term) > 3 "
                                       "AND term GLOB '[a-z]*' LIMIT 5000", (lo, hi))]
    return rng.sample(rows, min(k, len(rows)))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/arxiv-radar-bench"))
    ap.add_argument("--db", type=Path)
    ap.add_argument("--queries", type=int, default=50)
    args = ap.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    db = args.db or store_with(args.workdir / "query-bench.sqlite",
                               corpus(args.workdir / f"corpus-{args.records}.jsonl", args.records))

    from arxiv_radar.bulk.search import search
    from arxiv_radar.store import Store

    print(f"machine: {machine()}")
    rng = random.Random(3)
    with Store.open(db) as store:
        n = store.paper_count()
        kinds = {
            "rare (10-100 papers)": _terms(store.conn, 10, 100, args.queries, rng),
            "common (5-20% of papers)": _terms(store.conn, n // 20, n // 5, args.queries, rng),
        }
        for kind, terms in kinds.items():
            for order in ("rank", "date"):
                times = []
                for term in terms:
                    t0 = time.perf_counter()
                    search(store, f"all:{term}", limit=20, order=order)
                    times.append(time.perf_counter() - t0)
                if times:
                    print(f"  {kind:26s} order={order:4s} p50 {statistics.median(times) * 1000:7.1f} ms  "
                          f"p95 {_pct(times, 95) * 1000:7.1f} ms  ({len(times)} terms)")
        # Why common terms were slow: the ranking query alone, as it was (whole rows joined into
        # the sorter) and as it is (rowid and score from the index, then the page's rows).
        weights = "4.0, 1.0, 2.0, 0.5"
        plans = {
            "joined rows sorted (before)": "SELECT p.rowid, p.* FROM papers_fts f JOIN papers p ON p.rowid = f.rowid "
                                           f"WHERE papers_fts MATCH ? ORDER BY bm25(papers_fts, {weights}) LIMIT 200",
            "index-only rank pass (now)": f"SELECT rowid, bm25(papers_fts, {weights}) AS s FROM papers_fts "
                                          "WHERE papers_fts MATCH ? ORDER BY s, rowid LIMIT 60",
            "matching rows counted": "SELECT count(*) FROM papers_fts WHERE papers_fts MATCH ?",
        }
        common = kinds["common (5-20% of papers)"][:20]
        for label, sql in plans.items():
            times = []
            for term in common:
                expr = '{title abstract authors_text comment} : "%s"' % term
                t0 = time.perf_counter()
                store.conn.execute(sql, (expr,)).fetchall()
                times.append(time.perf_counter() - t0)
            if times:
                print(f"  common, ranking SQL only: {label:28s} p50 {statistics.median(times) * 1000:7.1f} ms  "
                      f"p95 {_pct(times, 95) * 1000:7.1f} ms")
    print(f"store: {n:,} papers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
