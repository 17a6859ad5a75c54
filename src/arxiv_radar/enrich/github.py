"""GitHub star counts for repositories found elsewhere (optional, off by default).

The token comes from the environment (ARXIV_RADAR_GITHUB_TOKEN, else GITHUB_TOKEN) and goes only
into the Authorization header: it is never logged, reported or stored.
"""

from __future__ import annotations

import os
import re
from urllib.parse import quote

from .fetch import Fetcher, SourceFailure

__all__ = ["SOURCE", "token_from_env", "repo_of", "fetch_stars"]

SOURCE = "github"

_REPO = re.compile(r"^https://github\.com/([A-Za-z0-9-]+)/([A-Za-z0-9_.-]+)$")


def token_from_env(environ: dict | None = None) -> str | None:
    env = os.environ if environ is None else environ
    return env.get("ARXIV_RADAR_GITHUB_TOKEN") or env.get("GITHUB_TOKEN") or None


def repo_of(url: str | None) -> tuple[str, str] | None:
    m = _REPO.match(url or "")
    return (m.group(1), m.group(2)) if m else None


async def fetch_stars(fetcher: Fetcher, api_url: str, owner: str, name: str, token: str) -> int | None:
    """Stars of owner/name; None when GitHub does not know the repository (404)."""
    status, body = await fetcher.get_json(
        SOURCE,
        f"{api_url.rstrip('/')}/repos/{quote(owner, safe='')}/{quote(name, safe='')}",
        headers={
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        },
        # GitHub says 403 (not 429) when the token's rate limit is spent; 401 for a bad token.
        stop_statuses=(401, 403, 429),
    )
    if status == 404:
        return None
    stars = body.get("stargazers_count") if isinstance(body, dict) else None
    if not isinstance(stars, int) or isinstance(stars, bool):
        raise SourceFailure("malformed answer (no stargazers_count)")
    return stars
