"""The ranking methods: every matched paper gets a score in [0, 1] and a short "why".

- ``svm``: TF-IDF (title, abstract; authors and categories as extra tokens) and a linear
  classifier trained with the library and likes as positives, a sample of other stored papers
  and the dislikes as negatives, as arxiv-sanity did. A logistic loss rather than a hinge, so
  the score reads as a probability and ``rank.min_score`` means the same thing every day.
- ``embed``: WordLlama sentence embeddings (the ``[embed]`` extra); the score is the similarity
  to the library, recent additions weighted higher, as zotero-arxiv-daily does.
- ``svm+embed``: the classifier of ``svm`` with the embedding as extra columns.
- ``auto``: the best of these on bench/ranking.py that is installed.

Pure functions over papers: the stage (``stage.py``) reads the store and writes the scores.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from importlib.metadata import PackageNotFoundError, version

import numpy as np
import scipy.sparse as sp

from ..model import Paper
from . import embed as _embed
from .features import author_key, build_features, embed_text

__all__ = ["METHODS", "Scored", "resolve_method", "method_version", "score_papers", "recency_weights"]

METHODS = ("auto", "svm", "embed")
# Inverse regularization of the classifier: scikit-learn's default, set once, not tuned on the bench.
C = 1.0
# Embedding columns against the TF-IDF block in ``svm+embed``.
EMBED_WEIGHT = 0.5
DISLIKE_WEIGHT = 3.0
WHY_TERMS = 4
WHY_LIBRARY = 2


@dataclass(frozen=True)
class Scored:
    paper_id: str
    score: float
    why: dict = field(default_factory=dict)


def resolve_method(method: str) -> str:
    """``auto`` -> the method that will run here; ``embed`` without the extra raises EmbedUnavailable."""
    if method == "auto":
        return "svm+embed" if _embed.available() else "svm"
    if method == "embed":
        _embed._model()  # raises EmbedUnavailable with the install hint
    return method


def method_version(method: str) -> str:
    """What a stored score depends on besides its inputs: the libraries' versions."""
    try:
        parts = [f"scikit-learn-{version('scikit-learn')}"] if "svm" in method else []
    except PackageNotFoundError:
        parts = []
    if "embed" in method:
        parts.append(_embed.model_version())
    return "+".join(parts)


def recency_weights(added: list[date | None], published: list[date]) -> np.ndarray:
    """zotero-arxiv-daily's weights: the i-th most recent library paper counts 1 / (1 + log10(i + 1)).

    "Recent" is when the reader added it when the export says, else the paper's date."""
    keys = [(a or p) for a, p in zip(added, published)]
    order = sorted(range(len(keys)), key=lambda i: (keys[i], i), reverse=True)
    weights = np.empty(len(keys), dtype=np.float64)
    for rank, i in enumerate(order):
        weights[i] = 1.0 / (1.0 + math.log10(rank + 1))
    return weights


def _unique(papers: list[Paper]) -> list[Paper]:
    seen: set[str] = set()
    out = []
    for p in papers:
        if p.id not in seen:
            seen.add(p.id)
            out.append(p)
    return out


def _label(term: str, paper: Paper) -> str:
    if term.startswith("author:"):
        key = term[len("author:"):]
        for a in paper.authors:
            if author_key(a.name) == key:
                return f"by {a.name}"
        return "by " + key
    if term.startswith("category:"):
        return "in " + term[len("category:"):]
    return term


def _top_terms(values: np.ndarray, columns: np.ndarray, names: np.ndarray, paper: Paper) -> list[str]:
    """The terms that pushed this paper up most (positive contributions), best first."""
    keep = values > 0
    values, columns = values[keep], columns[keep]
    if len(values) > 4 * WHY_TERMS:
        top = np.argpartition(-values, 4 * WHY_TERMS)[: 4 * WHY_TERMS]
        values, columns = values[top], columns[top]
    pairs = sorted(zip(values.tolist(), names[columns].tolist()), key=lambda t: (-t[0], t[1]))
    out: list[str] = []
    for _, term in pairs:
        label = _label(term, paper)
        # "diffusion" and "diffusion models" together say the same twice: keep the first.
        if any(label in o or o in label for o in out):
            continue
        out.append(label)
        if len(out) == WHY_TERMS:
            break
    return out


def _nearest(sim_row: np.ndarray, positives: list[Paper], own_id: str) -> list[dict]:
    k = min(len(sim_row), WHY_LIBRARY + 1)
    best = np.argpartition(-sim_row, k - 1)[:k] if len(sim_row) > k else np.arange(len(sim_row))
    best = sorted(best.tolist(), key=lambda i: (-sim_row[i], i))
    order = [i for i in best if positives[i].id != own_id][:WHY_LIBRARY]
    return [{"id": positives[i].id, "title": " ".join(positives[i].title.split())[:160]}
            for i in order if sim_row[i] > 0]


def score_papers(
    candidates: list[Paper],
    positives: list[Paper],
    *,
    added: list[date | None] | None = None,
    negatives: list[Paper] = (),
    disliked: list[Paper] = (),
    method: str = "svm",
) -> list[Scored]:
    """Scores for ``candidates`` (same order). ``method`` is resolved (not ``auto``)."""
    if not candidates or not positives:
        return []
    positives = _unique(positives)
    added = list(added) if added is not None else [None] * len(positives)
    weights = recency_weights(added[: len(positives)], [p.published.date() for p in positives])
    pos_ids = {p.id for p in positives}
    disliked = [p for p in _unique(list(disliked)) if p.id not in pos_ids]
    bad_ids = {p.id for p in disliked}
    negatives = [p for p in _unique(list(negatives)) if p.id not in pos_ids and p.id not in bad_ids]

    everyone = _unique(list(positives) + disliked + negatives + list(candidates))
    index = {p.id: i for i, p in enumerate(everyone)}
    emb = None
    if "embed" in method:
        # The tokenizer is native code that releases the GIL: embed on the second core while
        # this one builds the TF-IDF matrix.
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(_embed.embed_texts, [embed_text(p) for p in everyone])
            feats = build_features(everyone)
            emb = pending.result()
    else:
        feats = build_features(everyone)
    X = feats.matrix

    pos_rows = [index[p.id] for p in positives]
    cand_rows = [index[p.id] for p in candidates]
    words = feats.words
    if emb is not None:
        lib_sim = emb[cand_rows] @ emb[pos_rows].T
    else:
        lib_sim = (words[cand_rows] @ words[pos_rows].T).toarray()

    if method == "embed" or not (negatives or disliked):
        # Similarity to the library, recent additions weighted higher (zotero-arxiv-daily).
        sims = lib_sim @ weights / weights.sum()
        if disliked:
            bad_rows = [index[p.id] for p in disliked]
            bad = (emb[cand_rows] @ emb[bad_rows].T if emb is not None
                   else (words[cand_rows] @ words[bad_rows].T).toarray())
            sims = sims - 0.5 * bad.mean(axis=1)
        scores = np.clip((sims + 1.0) / 2.0 if emb is not None else sims, 0.0, 1.0)
        centroid = np.asarray(X[pos_rows].T @ weights).ravel() / weights.sum()
        contribs = X[cand_rows].multiply(centroid[np.newaxis, :]).tocsr()
    else:
        from sklearn.linear_model import LogisticRegression

        if emb is not None:
            X = sp.hstack([X, sp.csr_matrix(emb * EMBED_WEIGHT)], format="csr")
        neg_rows = [index[p.id] for p in negatives]
        bad_rows = [index[p.id] for p in disliked]
        rows = pos_rows + bad_rows + neg_rows
        y = np.array([1] * len(pos_rows) + [0] * (len(bad_rows) + len(neg_rows)))
        w = np.concatenate([weights / weights.mean(), np.full(len(bad_rows), DISLIKE_WEIGHT),
                            np.ones(len(neg_rows))])
        # The dual problem: far fewer training papers than TF-IDF columns, so it converges faster.
        clf = LogisticRegression(C=C, class_weight="balanced", solver="liblinear", dual=True,
                                 random_state=0, max_iter=1000)
        clf.fit(X[rows], y, sample_weight=w)
        scores = clf.predict_proba(X[cand_rows])[:, 1]
        coef = clf.coef_.ravel()[: feats.matrix.shape[1]]
        contribs = feats.matrix[cand_rows].multiply(coef[np.newaxis, :]).tocsr()

    out = []
    for k, p in enumerate(candidates):
        why = {"method": method, "library": _nearest(lib_sim[k], positives, p.id),
               "terms": _top_terms(contribs.data[contribs.indptr[k]:contribs.indptr[k + 1]],
                                   contribs.indices[contribs.indptr[k]:contribs.indptr[k + 1]], feats.names, p)}
        out.append(Scored(p.id, round(float(scores[k]), 4), why))
    return out
