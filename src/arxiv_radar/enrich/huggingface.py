"""The Hugging Face papers API: ``githubRepo``, ``githubStars`` and ``projectPage`` of arXiv papers.

``/api/daily_papers?date=YYYY-MM-DD`` lists a whole day's featured papers in one request;
``/api/papers/{id}`` answers for one paper, and its 404 means Hugging Face knows no code for it.
A paper missing from a daily listing is not an answer: it is looked up by id.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from .answer import Answer
from .fetch import Fetcher, SourceFailure
from .urls import classify_url, normalize_repo_url

__all__ = ["SOURCE", "parse_paper", "fetch_daily", "fetch_paper"]

SOURCE = "huggingface"


def _http_url(value: Any) -> str | None:
    if isinstance(value, str):
        value = value.strip()
        if value.lower().startswith(("http://", "https://")) and len(value) <= 2000:
            return value
    return None


def parse_paper(obj: Any) -> tuple[str, Answer]:
    """(paper id, answer) from a paper object; ValueError when it is not one."""
    if not isinstance(obj, dict) or not isinstance(obj.get("id"), str) or not obj["id"]:
        raise ValueError("not a paper object")
    repo_raw = obj.get("githubRepo")
    if repo_raw is not None and not isinstance(repo_raw, str):
        raise ValueError(f"githubRepo is a {type(repo_raw).__name__}")
    stars = obj.get("githubStars")
    stars = stars if isinstance(stars, int) and not isinstance(stars, bool) and stars >= 0 else None
    project = _http_url(obj.get("projectPage"))
    if project:
        kind_url = classify_url(project)
        # A github.io page comes back in the same normalized form the abstract finder gives.
        if kind_url and kind_url[0] == "project":
            project = kind_url[1]
    repo = _http_url(repo_raw)
    if repo:
        url = normalize_repo_url(repo) or repo.rstrip("/")
        return obj["id"], Answer("found", url, stars, project)
    return obj["id"], Answer("none", None, None, project)


async def fetch_daily(fetcher: Fetcher, base_url: str, day: date) -> dict[str, Answer]:
    """Answers for every well-formed paper in the day's listing (malformed entries are skipped)."""
    status, body = await fetcher.get_json(
        SOURCE, f"{base_url.rstrip('/')}/api/daily_papers", params={"date": day.isoformat()}
    )
    if status == 404:
        return {}
    if not isinstance(body, list):
        raise SourceFailure("malformed daily listing (not a list)")
    answers: dict[str, Answer] = {}
    for entry in body:
        try:
            pid, answer = parse_paper(entry.get("paper") if isinstance(entry, dict) else None)
        except ValueError:
            continue
        answers[pid] = answer
    return answers


async def fetch_paper(fetcher: Fetcher, base_url: str, paper_id: str) -> Answer:
    status, body = await fetcher.get_json(
        SOURCE, f"{base_url.rstrip('/')}/api/papers/{quote(paper_id, safe='')}"
    )
    if status == 404:
        return Answer("none", detail="not on Hugging Face")
    try:
        pid, answer = parse_paper(body)
    except ValueError as exc:
        raise SourceFailure(f"malformed answer ({exc})") from exc
    if pid != paper_id:
        raise SourceFailure(f"answer is about {pid!r}, not {paper_id!r}")
    return answer
