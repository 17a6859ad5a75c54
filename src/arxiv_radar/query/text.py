"""Words out of text: Unicode-aware splitting, diacritic folding and Porter stemming.

The rules follow SQLite FTS5's ``unicode61`` tokenizer (letters and digits are token characters,
everything else separates, diacritics are removed) followed by the Porter stemmer, which is also
what arXiv's Lucene index does to English text. Queries and papers go through the same functions,
so "MLLM" meets "MLLMs" and "Sánchez" meets "Sanchez".

This is the hot path of local matching (one call per field per paper), hence the ASCII fast path
and the stem cache.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

__all__ = ["fold", "words", "stem", "tokens", "stems"]

_ASCII_WORD = re.compile(r"[a-z0-9]+")
# Letters and digits of any script; ``\w`` minus the underscore (which joins words in au:del_maestro).
_WORD = re.compile(r"[^\W_]+")

_STEMMER = Stemmer.Stemmer("porter")


def fold(text: str) -> str:
    """Lower-case ``text`` and strip diacritics (é -> e, ß -> ss, ﬁ -> fi)."""
    low = text.lower()
    if low.isascii():
        return low
    # NFKD splits "é" into "e" + a combining accent, which we then drop; it also unfolds
    # compatibility forms such as ligatures and full-width letters.
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The folded words of ``text``, unstemmed, in order."""
    low = text.lower()
    if low.isascii():
        return _ASCII_WORD.findall(low)
    return _WORD.findall(fold(text))


@lru_cache(maxsize=1 << 18)
def stem(word: str) -> str:
    """Porter stem of one already-folded word (cached: vocabularies are small, papers many)."""
    return _STEMMER.stemWord(word)


def stems(text: str) -> tuple[str, ...]:
    """The stemmed words of ``text``, in order."""
    return tuple(map(stem, words(text)))


def tokens(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(unstemmed words, stemmed words) of ``text``, position by position."""
    ws = tuple(words(text))
    return ws, tuple(map(stem, ws))
