"""The embed method works offline from the wheel's own weights: no request to any model hub."""

from __future__ import annotations

import sys
from importlib import resources

import pytest

from arxiv_radar.errors import ConfigError
from arxiv_radar.rank import embed, methods
from arxiv_radar.sources.bulk import parse_bulk_line

pytest.importorskip("wordllama", reason="the [embed] extra is part of [test]; CI installs it")


def demo_papers():
    text = resources.files("arxiv_radar.demo").joinpath("corpus.jsonl").read_text(encoding="utf-8")
    return [parse_bulk_line(line) for line in text.splitlines() if line.strip()]


@pytest.fixture
def no_network(monkeypatch, tmp_path):
    """No socket at all, no cache folder, and every HTTP client refuses: a hub request fails the test."""
    from pytest_socket import disable_socket, enable_socket

    attempts: list[str] = []

    def refuse(*args, **kwargs):
        attempts.append(repr(args[:2]))
        raise AssertionError(f"a request was made: {args[:2]}")

    import httpx
    import requests

    monkeypatch.setattr(requests.Session, "request", refuse)
    monkeypatch.setattr(httpx.Client, "send", refuse)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    embed._model.cache_clear()
    disable_socket()
    try:
        yield attempts
    finally:
        enable_socket()
        embed._model.cache_clear()


def test_embed_loads_from_the_wheel_with_no_request(no_network):
    vectors = embed.embed_texts(["diffusion models for image generation", "denoising diffusion image synthesis",
                                 "lattice quantum chromodynamics"])
    assert vectors.shape == (3, embed.DIM)
    near, far = float(vectors[0] @ vectors[1]), float(vectors[0] @ vectors[2])
    assert near > far + 0.2
    papers = demo_papers()
    by_id = {p.id: p for p in papers}
    library = [by_id["2502.14726"], by_id["2502.20225"]]  # audio deepfakes
    candidates = [p for p in papers if p.id not in {"2502.14726", "2502.20225"}]
    for method in ("embed", "svm+embed"):
        scored = methods.score_papers(candidates, library, negatives=candidates, method=method)
        best = max(scored, key=lambda s: s.score)
        assert best.why["method"] == method and best.why["library"]
        again = methods.score_papers(candidates, library, negatives=candidates, method=method)
        assert [s.score for s in again] == [s.score for s in scored]
    assert no_network == []


def test_auto_picks_svm_without_the_extra_and_embed_says_how_to_install(monkeypatch):
    embed._model.cache_clear()
    monkeypatch.setitem(sys.modules, "wordllama", None)  # import fails as if not installed
    try:
        assert methods.resolve_method("auto") == "svm"
        with pytest.raises(embed.EmbedUnavailable, match=r"\[embed\]"):
            methods.resolve_method("embed")

        from arxiv_radar.rank import rank

        class Rank:
            method = "embed"

        class Config:
            rank = Rank()
            topics = {}

        with pytest.raises(ConfigError, match=r"rank.method: .*pip install 'arxiv-radar\[embed\]'"):
            rank(None, Config())
    finally:
        embed._model.cache_clear()
        monkeypatch.undo()
    assert methods.resolve_method("auto") == "svm+embed"
