"""Ranking quality and speed: our method against newest-first, BM25, zotero-arxiv-daily's and
arxiv-sanity's, on real arXiv metadata with a time split.

    .venv/bin/python bench/ranking.py [--quick] [--json OUT]

Data (the project's recorded real data in tests/fixtures/, sources in tests/fixtures/PROVENANCE.tsv):

- A. cv-arxiv-daily's database of 2025-03-01: 3,949 real papers (2021-08 .. 2025-02) with
  title, first author, date and one or more of 6 topic labels (SLAM, SFM, Visual Localization,
  Keypoint Detection, Image Matching, NeRF). No abstracts: every method sees title + first author.
- B. The first 150 records of arXiv's metadata snapshot (April 2007): full records with
  abstracts, all authors and categories.

Simulated readers (the library is what the reader kept before a date T; the candidates are
everything announced in the weeks after T; the relevant ones are the reader's later papers):

- topic-query reader (A): follows one topic label; library = every paper with that label
  dated before T; candidates = all papers dated in [T, T + 6 weeks); relevant = candidates
  with the label. One reader per label and per T in SPLITS (6 x 4 = 24).
- author-following reader (A): follows one first author with >= 2 papers before T and >= 1
  in the window; library = that author's papers before T; relevant = that author's papers in
  the window (everyone else's papers are the distractors).
- category-scoped reader (B): follows one arXiv archive (hep-ph, math, astro-ph, ...);
  T = the 100th submission of the 150 (ids are in submission order); library = the first 100
  records in that archive (primary category); candidates = the last 50; relevant = those in it.

Methods: newest first (what the arxiv-daily tools do); BM25 (the library's words as one query,
k1 = 1.5, b = 0.75); zotero-arxiv-daily (mean cosine similarity of sentence embeddings to the
library, weighted 1 / (1 + log10(rank + 1)) by recency; WordLlama stands in for its default
GIST-small model, which is not installable offline); arxiv-sanity-lite (its TF-IDF of title +
abstract + authors: 1-2 grams, 10k features, min_df 5, max_df 0.5, sublinear; a LinearSVC,
C = 0.01, balanced, trained with the library against every other stored paper); ours
(rank.methods.score_papers, as the rank stage calls it: `svm` and, with the [embed] extra, the
`auto` choice `svm+embed`).

Speed: train and score 10,000 candidates against a 1,000-paper library (texts built from the
real titles and abstract sentences above; 4,000 negatives as the stage samples them).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import sys
import time
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from _common import machine  # noqa: E402

from arxiv_radar.bulk.legacy_rows import paper_from_legacy, read_legacy_json  # noqa: E402
from arxiv_radar.model import Author, Paper  # noqa: E402
from arxiv_radar.rank import embed as _embed  # noqa: E402
from arxiv_radar.rank.methods import recency_weights, score_papers  # noqa: E402
from arxiv_radar.rank.stage import NEGATIVES  # noqa: E402
from arxiv_radar.sources.bulk import parse_bulk_line  # noqa: E402

FIXTURES = HERE.parent / "tests" / "fixtures"
SPLITS = [date(2023, 9, 1), date(2024, 1, 1), date(2024, 5, 1), date(2024, 9, 1)]
WINDOW = timedelta(weeks=6)
K_NDCG, K_P, K_R = 10, 20, 50


# --------------------------------------------------------------------------- data


def load_cv_daily() -> tuple[dict[str, Paper], dict[str, set[str]]]:
    papers: dict[str, Paper] = {}
    labels: dict[str, set[str]] = defaultdict(set)
    for topic, _key, row in read_legacy_json(FIXTURES / "cv-arxiv-daily" / "2025-03-01" / "docs" / "cv-arxiv-daily.json"):
        if isinstance(row, Exception):
            continue
        p = paper_from_legacy(row)
        papers.setdefault(p.id, p)
        labels[p.id].add(topic)
    return papers, labels


def load_snapshot150() -> list[Paper]:
    lines = (FIXTURES / "bulk" / "kaggle-arxiv-metadata-snapshot-first150.jsonl").read_text(encoding="utf-8").splitlines()
    return [parse_bulk_line(line) for line in lines if line.strip()]


class Case:
    def __init__(self, kind: str, name: str, library: list[Paper], candidates: list[Paper],
                 relevant: set[str], stored: list[Paper]):
        self.kind, self.name = kind, name
        self.library, self.candidates, self.relevant, self.stored = library, candidates, relevant, stored


def cases_cv_daily(quick: bool) -> list[Case]:
    papers, labels = load_cv_daily()
    day = {pid: p.published.date() for pid, p in papers.items()}
    out: list[Case] = []
    for t in (SPLITS[-1:] if quick else SPLITS):
        before = [p for p in papers.values() if day[p.id] < t]
        window = sorted((p for p in papers.values() if t <= day[p.id] < t + WINDOW), key=lambda p: p.id)
        stored = before + window
        for topic in sorted({x for v in labels.values() for x in v}):
            library = [p for p in before if topic in labels[p.id]]
            relevant = {p.id for p in window if topic in labels[p.id]}
            if library and relevant:
                out.append(Case("topic-query", f"{topic} @ {t}", library, window, relevant, stored))
        by_author: dict[str, list[Paper]] = defaultdict(list)
        for p in papers.values():
            if p.first_author:
                by_author[p.first_author].append(p)
        for author, own in sorted(by_author.items()):
            library = [p for p in own if day[p.id] < t]
            relevant = {p.id for p in own if t <= day[p.id] < t + WINDOW}
            if len(library) >= 2 and relevant:
                out.append(Case("author-following", f"{author} @ {t}", library, window, relevant, stored))
    return out


def cases_snapshot() -> list[Case]:
    records = sorted(load_snapshot150(), key=lambda p: p.id)
    first, last = records[:100], records[100:]
    out = []
    archives = sorted({p.primary_category.split(".")[0] for p in records if p.primary_category})
    for arch in archives:
        library = [p for p in first if p.primary_category.split(".")[0] == arch]
        relevant = {p.id for p in last if p.primary_category.split(".")[0] == arch}
        if len(library) >= 3 and len(relevant) >= 2:
            out.append(Case("category-scoped", arch, library, last, relevant, records))
    return out


# --------------------------------------------------------------------------- metrics


def metrics(ranking: list[str], relevant: set[str]) -> dict[str, float]:
    gains = [1.0 if pid in relevant else 0.0 for pid in ranking]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains[:K_NDCG]))
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(relevant), K_NDCG)))
    return {
        "nDCG@10": dcg / ideal if ideal else 0.0,
        "P@20": sum(gains[:K_P]) / K_P,
        "R@50": sum(gains[:K_R]) / len(relevant),
    }


# --------------------------------------------------------------------------- methods


def text_of(p: Paper) -> str:
    return f"{p.title}. {p.abstract}"


def newest_first(case: Case) -> list[str]:
    return [p.id for p in sorted(case.candidates, key=lambda p: (p.published, p.id), reverse=True)]


def bm25(case: Case, k1: float = 1.5, b: float = 0.75) -> list[str]:
    from sklearn.feature_extraction.text import CountVectorizer

    vec = CountVectorizer(stop_words="english", token_pattern=r"(?u)\b[a-zA-Z_][a-zA-Z0-9_\-]+\b")
    docs = vec.fit_transform([text_of(p) for p in case.stored]).tocsr().astype(np.float64)
    n = docs.shape[0]
    df = np.asarray((docs > 0).sum(axis=0)).ravel()
    idf = np.log((n - df + 0.5) / (df + 0.5) + 1.0)
    index = {p.id: i for i, p in enumerate(case.stored)}
    cand = docs[[index[p.id] for p in case.candidates]]
    dl = np.asarray(cand.sum(axis=1)).ravel()
    avgdl = float(np.asarray(docs.sum(axis=1)).mean())
    cand = cand.tocoo()
    w = cand.data * (k1 + 1) / (cand.data + k1 * (1 - b + b * dl[cand.row] / avgdl)) * idf[cand.col]
    import scipy.sparse as sp

    weights = sp.csr_matrix((w, (cand.row, cand.col)), shape=cand.shape)
    query = np.asarray(docs[[index[p.id] for p in case.library]].sum(axis=0)).ravel()
    scores = weights @ query
    return _order(case, scores)


def zotero(case: Case) -> list[str]:
    """zotero-arxiv-daily: similarity to the library, time-decay weighted, newest library paper first."""
    lib = sorted(case.library, key=lambda p: (p.published, p.id), reverse=True)
    e_lib = _embed.embed_texts([text_of(p) for p in lib])
    e_cand = _embed.embed_texts([text_of(p) for p in case.candidates])
    w = 1.0 / (1.0 + np.log10(np.arange(len(lib)) + 1))
    w = w / w.sum()
    scores = (e_cand @ e_lib.T) @ w
    return _order(case, scores)


def sanity(case: Case) -> list[str]:
    """arxiv-sanity-lite: compute.py's TF-IDF, serve.py's LinearSVC over every stored paper."""
    from sklearn import svm
    from sklearn.feature_extraction.text import TfidfVectorizer

    v = TfidfVectorizer(input="content", encoding="utf-8", decode_error="replace", strip_accents="unicode",
                        lowercase=True, analyzer="word", stop_words="english",
                        token_pattern=r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b", ngram_range=(1, 2), max_features=10000,
                        norm="l2", use_idf=True, smooth_idf=True, sublinear_tf=True, max_df=0.5, min_df=5)
    corpus = [" ".join([p.title, p.abstract, " ".join(a.name for a in p.authors)]) for p in case.stored]
    x = v.fit_transform(corpus).astype(np.float32)
    lib = {p.id for p in case.library}
    y = np.array([1 if p.id in lib else 0 for p in case.stored])
    clf = svm.LinearSVC(class_weight="balanced", verbose=False, max_iter=10000, tol=1e-6, C=0.01)
    clf.fit(x, y)
    s = clf.decision_function(x)
    index = {p.id: i for i, p in enumerate(case.stored)}
    return _order(case, np.array([s[index[p.id]] for p in case.candidates]))


def _stable_sample(papers: list[Paper], n: int) -> list[Paper]:
    return sorted(papers, key=lambda p: hashlib.sha1(p.id.encode("utf-8")).digest())[:n]


def stage_negatives(case: Case) -> list[Paper]:
    """As rank/stage.py picks them: the topic's own papers first, topped up from the store."""
    lib = {p.id for p in case.library}
    own = _stable_sample([p for p in case.candidates if p.id not in lib], NEGATIVES)
    if len(own) >= NEGATIVES // 2:
        return own
    taken = {p.id for p in own} | lib
    return own + _stable_sample([p for p in case.stored if p.id not in taken], NEGATIVES - len(own))


def ours(method: str):
    def run(case: Case) -> list[str]:
        scored = score_papers(case.candidates, case.library, negatives=stage_negatives(case), method=method)
        return _order(case, np.array([s.score for s in scored]))

    return run


def _order(case: Case, scores: np.ndarray) -> list[str]:
    # Ties: newest first, like the listing they replace.
    keyed = sorted(range(len(case.candidates)),
                   key=lambda i: (-float(scores[i]), -case.candidates[i].published.timestamp(), case.candidates[i].id))
    return [case.candidates[i].id for i in keyed]


# --------------------------------------------------------------------------- speed


def speed(seed: int = 7) -> dict[str, float]:
    """10,000 candidates and a 1,000-paper library built from real titles and abstract sentences."""
    papers, _labels = load_cv_daily()
    titles = [p.title for p in papers.values()]
    names = sorted({p.first_author for p in papers.values() if p.first_author})
    sentences = [s.strip() + "." for p in load_snapshot150() for s in p.abstract.split(". ") if len(s) > 30]
    cats = ["cs.CV", "cs.RO", "cs.LG", "cs.AI", "eess.IV", "cs.GR"]
    rng = random.Random(seed)
    when = datetime(2024, 1, 1, tzinfo=timezone.utc)

    def make(i: int) -> Paper:
        return Paper(id=f"2401.{i:05d}", title=rng.choice(titles), abstract=" ".join(rng.sample(sentences, 7)),
                     authors=tuple(Author(n) for n in rng.sample(names, 4)), categories=tuple(rng.sample(cats, 2)),
                     published=when + timedelta(minutes=i))

    library = [make(i) for i in range(1000)]
    candidates = [make(i) for i in range(1000, 11000)]
    negatives = _stable_sample(candidates, NEGATIVES)
    out = {}
    methods = ["svm"] + (["svm+embed"] if _embed.available() else [])
    for method in methods:
        # Wall time, and this process's CPU time (what the wall time would be on an idle
        # machine for the single-threaded parts; the machine is shared).
        started, cpu = time.perf_counter(), time.process_time()
        score_papers(candidates, library, negatives=negatives, method=method)
        out[method] = time.perf_counter() - started
        out[method + " (CPU)"] = time.process_time() - cpu
    return out


# --------------------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="one split only (a smoke run)")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()

    methods = {"newest first": lambda c: newest_first(c), "BM25": bm25}
    if _embed.available():
        methods["zotero-arxiv-daily"] = zotero
    methods["arxiv-sanity-lite"] = sanity
    methods["ours: svm"] = ours("svm")
    if _embed.available():
        methods["ours: auto (svm+embed)"] = ours("svm+embed")

    cases = cases_cv_daily(args.quick) + cases_snapshot()
    kinds = sorted({c.kind for c in cases})
    print(f"machine: {machine()}")
    print(f"cases: " + ", ".join(f"{k} {sum(1 for c in cases if c.kind == k)}" for k in kinds))
    print(f"mean candidates per case: {np.mean([len(c.candidates) for c in cases]):.0f}, "
          f"mean library: {np.mean([len(c.library) for c in cases]):.0f}, "
          f"mean relevant: {np.mean([len(c.relevant) for c in cases]):.1f}")
    results: dict[str, dict[str, list[dict]]] = {m: defaultdict(list) for m in methods}
    for case in cases:
        for name, fn in methods.items():
            results[name][case.kind].append(metrics(fn(case), case.relevant))

    table: dict[str, dict[str, dict[str, float]]] = {}
    header = "| method | " + " | ".join(f"{k} nDCG@10 / P@20 / R@50" for k in kinds + ["all"]) + " |"
    print()
    print(header)
    print("|" + " --- |" * (len(kinds) + 2))
    for name in methods:
        row = {}
        for kind in kinds + ["all"]:
            got = [m for k in kinds for m in results[name][k]] if kind == "all" else results[name][kind]
            # "all": every reader kind counts the same, whatever its number of cases.
            if kind == "all":
                row[kind] = {key: float(np.mean([np.mean([m[key] for m in results[name][k]]) for k in kinds]))
                             for key in ("nDCG@10", "P@20", "R@50")}
            else:
                row[kind] = {key: float(np.mean([m[key] for m in got])) for key in ("nDCG@10", "P@20", "R@50")}
        table[name] = row
        print(f"| {name} | " + " | ".join(
            f"{row[k]['nDCG@10']:.3f} / {row[k]['P@20']:.3f} / {row[k]['R@50']:.3f}" for k in kinds + ["all"]) + " |")

    print()
    timing = speed()
    for method, seconds in timing.items():
        print(f"speed, {method}: train + score 10,000 candidates against a 1,000-paper library: {seconds:.2f} s")
    print(f"load average after: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    if args.json:
        args.json.write_text(json.dumps({"table": table, "speed": timing}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
