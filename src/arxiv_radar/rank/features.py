"""What the ranking methods see of a paper: its words, its authors, its categories.

Words are TF-IDF over title and abstract (English stop words dropped, sublinear term
frequency, as arxiv-sanity did; unigrams only: its bigrams doubled the time for +0.007 nDCG@10
on bench/ranking.py). Authors and categories are extra tokens in a
second, smaller TF-IDF block, so "a paper by someone I read" and "a paper in my category" count.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from ..model import Paper

__all__ = ["Features", "build_features", "paper_text", "embed_text", "meta_tokens", "author_key"]

# Weight of the author/category block against the words (both blocks are L2-normalized rows).
META_WEIGHT = 0.5
MAX_WORD_FEATURES = 60_000
EMBED_CHARS = 300


def paper_text(p: Paper) -> str:
    return f"{p.title}. {p.abstract}"


def embed_text(p: Paper) -> str:
    """What the sentence model reads: the title and the abstract's opening (an average of word
    vectors gains little from the tail, and tokenizing it is most of the model's time)."""
    return f"{p.title}. {p.abstract[:EMBED_CHARS]}"


@functools.lru_cache(maxsize=65536)
def author_key(name: str) -> str:
    """"Kaiming He" and "K. He" -> "he_k": last name and first initial, ASCII, lower case."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    parts = re.findall(r"[A-Za-z]+", text)
    if not parts:
        return ""
    return f"{parts[-1].lower()}_{parts[0][0].lower()}" if len(parts) > 1 else parts[0].lower()


def meta_tokens(p: Paper) -> list[str]:
    tokens = [f"author:{k}" for k in (author_key(a.name) for a in p.authors[:50]) if k]
    tokens += [f"category:{c}" for c in p.categories]
    return tokens


@dataclass
class Features:
    matrix: sp.csr_matrix  # one row per paper, in the order given
    names: np.ndarray  # column -> human-readable term ("diffusion", "author:he_k", "category:cs.CV")
    words: sp.csr_matrix  # the word block alone (for "which library papers are closest")


def build_features(papers: list[Paper], *, meta: bool = True) -> Features:
    words_vec = TfidfVectorizer(
        strip_accents="unicode", lowercase=True, stop_words="english",
        token_pattern=r"(?u)\b[a-zA-Z_][a-zA-Z0-9_\-]+\b", ngram_range=(1, 1),
        sublinear_tf=True, max_features=MAX_WORD_FEATURES, dtype=np.float32,
    )
    words = words_vec.fit_transform([paper_text(p) for p in papers]).tocsr()
    names = list(words_vec.get_feature_names_out())
    blocks = [words]
    if meta:
        meta_vec = TfidfVectorizer(analyzer=lambda tokens: tokens, sublinear_tf=True, dtype=np.float32)
        rows = [meta_tokens(p) for p in papers]
        if any(rows):
            blocks.append(meta_vec.fit_transform(rows) * META_WEIGHT)
            names += list(meta_vec.get_feature_names_out())
    return Features(sp.hstack(blocks, format="csr", dtype=np.float32), np.asarray(names, dtype=object), words)
