"""The read-only Papers with Code relaunch (https://paperswithcode.co/api/v1), off by default.

It keeps the original paperswithcode-client API: ``/papers/?arxiv_id=ID`` finds the paper,
``/papers/{pwc id}/repositories/`` lists its repositories (official ones first, then by stars).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from .answer import Answer
from .fetch import Fetcher, SourceFailure
from .urls import normalize_repo_url

__all__ = ["SOURCE", "fetch_paper", "pick_repository"]

SOURCE = "paperswithcode"


def _results(body: Any) -> list:
    if not isinstance(body, dict) or not isinstance(body.get("results"), list):
        raise SourceFailure("malformed answer (no results list)")
    return body["results"]


def pick_repository(results: list) -> tuple[str, int | None] | None:
    """The official repository if any, else the most starred one: (url, stars)."""
    best: tuple[tuple[bool, int], str, int | None] | None = None
    for repo in results:
        if not isinstance(repo, dict) or not isinstance(repo.get("url"), str):
            continue
        url = normalize_repo_url(repo["url"])
        if not url:
            continue
        stars = repo.get("stars")
        stars = stars if isinstance(stars, int) and not isinstance(stars, bool) else None
        key = (bool(repo.get("is_official")), stars or 0)
        if best is None or key > best[0]:
            best = (key, url, stars)
    return (best[1], best[2]) if best else None


async def fetch_paper(fetcher: Fetcher, base_url: str, arxiv_id: str) -> Answer:
    base = base_url.rstrip("/")
    status, body = await fetcher.get_json(SOURCE, f"{base}/papers/", params={"arxiv_id": arxiv_id})
    papers = [] if status == 404 else _results(body)
    match = next(
        (p for p in papers if isinstance(p, dict) and p.get("arxiv_id") in (arxiv_id, None) and isinstance(p.get("id"), str)),
        None,
    )
    if match is None:
        return Answer("none", detail="not on Papers with Code")
    status, body = await fetcher.get_json(SOURCE, f"{base}/papers/{quote(match['id'], safe='')}/repositories/")
    repos = [] if status == 404 else _results(body)
    picked = pick_repository(repos)
    if not picked:
        return Answer("none", detail="no repository on Papers with Code")
    return Answer("found", picked[0], picked[1])
