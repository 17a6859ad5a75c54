"""What one source said about one paper."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Answer"]


@dataclass(frozen=True)
class Answer:
    """``status`` is "found" (a repository in ``url``), "none" (the source knows no code; a project
    page may still be in ``project_url``) or "unknown" (the source failed; ``detail`` says how)."""

    status: str
    url: str | None = None
    stars: int | None = None
    project_url: str | None = None
    detail: str | None = None
