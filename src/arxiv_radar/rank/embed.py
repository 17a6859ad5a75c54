"""The optional sentence-embedding model: WordLlama, whose wheel carries its weights.

Installed with the ``[embed]`` extra. Nothing is ever downloaded: the model is loaded from the
package's own folder with downloads disabled. (wordllama 0.4.0's ``load()`` looks for its
tokenizer under ``tokenizer/`` next to the module while the wheel ships ``tokenizers/``; its
cache-folder lookup uses ``tokenizers/``, so the package folder is given as the cache folder.)
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import numpy as np

__all__ = ["available", "model_version", "embed_texts", "EmbedUnavailable"]

DIM = 256


class EmbedUnavailable(RuntimeError):
    """The embedding model is not installed (or its files are not in the package)."""


def available() -> bool:
    try:
        _model()
    except EmbedUnavailable:
        return False
    return True


@functools.lru_cache(maxsize=1)
def _model():
    try:
        import wordllama
        from wordllama import WordLlama
    except ImportError as exc:
        raise EmbedUnavailable("the embed method needs the [embed] extra: pip install 'arxiv-radar[embed]'") from exc
    # Belt and braces: no library under wordllama may reach a model hub.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    folder = Path(wordllama.__file__).parent
    try:
        return WordLlama.load(config="l2_supercat", dim=DIM, cache_dir=folder, disable_download=True)
    except (FileNotFoundError, OSError, ValueError) as exc:
        raise EmbedUnavailable(f"wordllama is installed but its bundled model cannot be loaded: {exc}") from exc


def model_version() -> str:
    try:
        from importlib.metadata import version

        return f"wordllama-{version('wordllama')}-l2_supercat-{DIM}"
    except Exception:
        return "wordllama"


def embed_texts(texts: list[str]) -> np.ndarray:
    """Unit-length rows, float32; the same text gives the same vector on every run."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    vectors = np.asarray(_model().embed(texts, norm=True), dtype=np.float32)
    return vectors
