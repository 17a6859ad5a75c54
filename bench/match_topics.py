"""Matching 10 topics against 1M stored papers: the back-fill a new topic gets.

    .venv/bin/python bench/match_topics.py [--db STORE] [--records 1000000]

Times ``match.rematch_changed_topics`` (FTS candidates + evaluator confirmation) for 10
topics in arXiv syntax, on a copy-free store (the matches are cleared first). The words come
from the generated corpus' vocabulary (its head is real arXiv text); its word order is random,
so two-word phrases are rarer than in real abstracts.
Target (issue): under 10 s for the 10 topics.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path
from types import SimpleNamespace

from _common import corpus, machine, store_with

TOPICS = {
    "dark-matter": 'abs:"dark matter" OR ti:"dark matter"',
    "qcd": 'abs:"perturbative QCD" OR (ti:quark AND cat:hep-ph)',
    "graphene": "all:graphene",
    "magnetism": "ti:magnetic OR ti:magnetization ANDNOT abs:review",
    "entanglement": "abs:entanglement AND abs:qubit*",
    "neutrino": "ti:neutrino* AND cat:hep-ph",
    "superconduct": "abs:superconduct* AND cat:cond-mat*",
    "cosmology-2020": "abs:cosmological AND submittedDate:[20200101 TO 20201231]",
    "author": "au:Nadolsky OR au:Berger",
    "lattice": 'abs:"lattice gauge" OR (ti:lattice AND jr:Phys)',
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/arxiv-radar-bench"))
    ap.add_argument("--db", type=Path, help="an existing store (default: the import bench's corpus)")
    args = ap.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    db = args.db or store_with(args.workdir / "query-bench.sqlite",
                               corpus(args.workdir / f"corpus-{args.records}.jsonl", args.records))

    from arxiv_radar.query.match import rematch_changed_topics
    from arxiv_radar.query import parse
    from arxiv_radar.store import Store

    print(f"machine: {machine()}")
    topics = {name: SimpleNamespace(ast=parse(q)) for name, q in TOPICS.items()}
    with Store.open(db) as store:
        n = store.paper_count()
        for name in topics:  # forget earlier runs: every topic is "new"
            store.conn.execute("DELETE FROM state WHERE key = ?", (f"topic-definition:{name}",))
        store.conn.execute("SELECT count(*) FROM papers_fts WHERE papers_fts MATCH 'warmup'").fetchone()
        total = 0.0
        for name, topic in topics.items():
            t0 = time.perf_counter()
            rematch_changed_topics(store, {name: topic}, date.today())
            dt = time.perf_counter() - t0
            total += dt
            print(f"  {name:15s} {len(store.matched_ids(name)):7,d} matches in {dt:6.2f} s   {TOPICS[name]}")
    print(f"matching 10 topics over {n:,} papers: {total:.1f} s (target < 10 s: {'met' if total < 10 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
