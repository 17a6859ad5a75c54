"""Tokenizing and stemming: the same rules for queries and papers."""

from __future__ import annotations

from arxiv_radar.query.text import fold, stem, stems, words


def test_case_and_plural_share_a_stem():
    assert stems("MLLM") == stems("MLLMs") == ("mllm",)
    assert stems("large language model") == stems("Large Language Models")


def test_diacritics_and_compatibility_forms_fold():
    assert words("Sánchez") == words("sanchez") == ["sanchez"]
    assert words("Gödel, Erdős") == ["godel", "erdos"]
    assert fold("ﬁnite Straße") == "finite strasse"


def test_splitting_like_unicode61():
    # Letters and digits are word characters; punctuation, '_' and '-' separate.
    assert words("GPT-4o, del_maestro (2024)") == ["gpt", "4o", "del", "maestro", "2024"]
    assert words("cs.CV") == ["cs", "cv"]
    # Other scripts are words too.
    assert words("量子 计算") == ["量子", "计算"]
    assert words("Ωmega") == ["ωmega"]


def test_stem_is_cached():
    stem.cache_clear()
    stem("detections")
    stem("detections")
    info = stem.cache_info()
    assert (info.hits, info.misses) == (1, 1)
