"""Heading anchors as GitHub computes them (github-slugger), duplicates included."""

from __future__ import annotations

import unicodedata

__all__ = ["Slugger", "github_slug"]


def _keep(ch: str) -> bool:
    # GitHub keeps letters, marks and digits of any script, "-" and "_"; drops other
    # punctuation and symbols (emoji included).
    return ch in "-_" or unicodedata.category(ch)[0] in "LMN"


def github_slug(text: str) -> str:
    """Anchor of one heading whose rendered text is ``text`` (no duplicate handling)."""
    out = []
    for ch in text.lower():
        if ch == " ":
            out.append("-")
        elif _keep(ch):
            out.append(ch)
    return "".join(out)


class Slugger:
    """Anchors for the headings of one page, in page order: repeats get -1, -2, ..."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def slug(self, text: str) -> str:
        base = result = github_slug(text)
        while result in self._seen:
            self._seen[base] += 1
            result = f"{base}-{self._seen[base]}"
        self._seen[result] = 0
        return result
