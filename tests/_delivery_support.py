"""Shared builders for the feeds / digest / delivery tests (a store with a few papers)."""

from __future__ import annotations

from datetime import date, datetime, timezone

from arxiv_radar.config import config_from_dict
from arxiv_radar.model import Author, Paper
from arxiv_radar.store import Store

DAY1 = date(2025, 3, 3)
DAY2 = date(2025, 3, 4)

HOSTILE_TITLE = "Attack <script>alert('x')</script> & \x07friends\x00"
HOSTILE_ABSTRACT = "We inject <img src=x onerror=alert(1)> & \x1b[31mred\x0b text </p></summary>]]>."


def utc(*a: int) -> datetime:
    return datetime(*a, tzinfo=timezone.utc)


def paper(pid: str, title: str = "", *, day: int = 1, version: int = 1, **kw) -> Paper:
    base = dict(
        id=pid,
        title=title or f"Paper {pid}",
        abstract=f"Abstract of {pid}. " + "We study things. " * 5,
        authors=(Author("Ada Lovelace"), Author("Alan Turing"), Author("Émilie du Châtelet")),
        categories=("cs.CV", "cs.LG"),
        primary_category="cs.CV",
        published=utc(2025, 2, day, 12),
        updated=utc(2025, 2, day, 12),
        version=version,
    )
    base.update(kw)
    return Paper(**base)


def make_config(tmp_path, **extra):
    data = {
        "topics": {
            "Vision": {"filters": ["vision"]},
            "Robots & <Agents>": {"filters": ["robot"]},
            "Language": {"filters": ["language"]},
        },
        "user_name": "someone",
        "repo_name": "radar",
        "feeds_dir": "out/feeds",
    }
    data.update(extra)
    return config_from_dict(data, base_dir=tmp_path, env={})


def seeded_store(tmp_path) -> Store:
    """Four papers on DAY1: one in two topics, one hostile, one with code, one unmatched."""
    store = Store.open(tmp_path / "radar.sqlite")
    store.upsert_papers(
        [
            paper("2502.00001", "Seeing robots", day=1),
            paper("2502.00002", HOSTILE_TITLE, day=2, abstract=HOSTILE_ABSTRACT),
            paper("2502.00003", "Words", day=3),
            paper("2502.00004", "Unmatched", day=4),
        ],
        DAY1,
    )
    store.add_matches("Vision", [("2502.00001", None), ("2502.00002", None)], DAY1)
    store.add_matches("Robots & <Agents>", [("2502.00001", None)], DAY1)
    store.add_matches("Language", [("2502.00003", None)], DAY1)
    store.record_link("2502.00001", "abstract", "found", url="https://github.com/x/seeing?a=1&b=2")
    return store
