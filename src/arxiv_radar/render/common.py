"""Pieces both Markdown styles share: header date, badge block, sort keys."""

from __future__ import annotations

import datetime
from urllib.parse import quote

from .view import Entry, RenderOptions

__all__ = ["badge_block", "dotted_date", "entry_date", "updated_date"]


def dotted_date(day: datetime.date) -> str:
    """2025-03-02 -> "2025.03.02", the header date both styles print."""
    return day.isoformat().replace("-", ".")


def entry_date(entry: Entry) -> datetime.date:
    """The paper's date: first publication (seed style)."""
    return entry.paper.published.date()


def updated_date(entry: Entry) -> datetime.date:
    """cv-arxiv-daily prints the latest version's date; imported rows carry it as ``updated``."""
    p = entry.paper
    return (p.updated or p.published).date()


def badge_block(opts: RenderOptions) -> str:
    """The badge reference definitions, for the configured repository only ("" when off)."""
    if not (opts.show_badge and opts.user_name and opts.repo_name):
        return ""
    u = quote(opts.user_name.strip(), safe="-_.")
    r = quote(opts.repo_name.strip(), safe="-_.")
    return (
        f"[contributors-shield]: https://img.shields.io/github/contributors/{u}/{r}.svg?style=for-the-badge\n"
        f"[contributors-url]: https://github.com/{u}/{r}/graphs/contributors\n"
        f"[forks-shield]: https://img.shields.io/github/forks/{u}/{r}.svg?style=for-the-badge\n"
        f"[forks-url]: https://github.com/{u}/{r}/network/members\n"
        f"[stars-shield]: https://img.shields.io/github/stars/{u}/{r}.svg?style=for-the-badge\n"
        f"[stars-url]: https://github.com/{u}/{r}/stargazers\n"
        f"[issues-shield]: https://img.shields.io/github/issues/{u}/{r}.svg?style=for-the-badge\n"
        f"[issues-url]: https://github.com/{u}/{r}/issues\n\n"
    )
