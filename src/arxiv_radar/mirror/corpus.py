"""The papers a mirror serves, loaded from arXiv Atom responses and bulk-metadata JSON lines.

Papers are keyed by versionless id; a later file (or a later entry in the same file) replaces an
earlier one, so a newer harvest layered over an old snapshot wins.
"""

from __future__ import annotations

import gzip
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from arxiv_radar.errors import ArxivRadarError, ConfigError
from arxiv_radar.model import Paper
from arxiv_radar.sources.bulk import iter_bulk

__all__ = ["Corpus", "LoadProblem"]

log = logging.getLogger(__name__)

# Tokenized search text is cached per paper up to this many papers (a few KB each); beyond it,
# a query tokenizes as it goes, so a million-paper corpus does not hold it all in memory.
TEXT_CACHE_LIMIT = 20_000

# Bulk lines that fail to parse are skipped; keep only this many messages, count the rest.
_MAX_PROBLEMS_KEPT = 1000


@dataclass(frozen=True, slots=True)
class LoadProblem:
    path: Path
    line: int
    message: str


class Corpus:
    """An in-memory set of papers, read-only once the mirror serves it."""

    def __init__(self, papers: Iterable[Paper] = ()):
        self._papers: dict[str, Paper] = {}
        self.problems: list[LoadProblem] = []
        self.problem_count = 0
        self._texts: dict[str, object] = {}
        for paper in papers:
            self.add(paper)

    @classmethod
    def from_files(cls, paths: Iterable[str | Path]) -> "Corpus":
        corpus = cls()
        for path in paths:
            corpus.load(path)
        return corpus

    def add(self, paper: Paper) -> None:
        # Re-inserting moves the id to the end, so iteration order is "last loaded last".
        self._papers.pop(paper.id, None)
        self._texts.pop(paper.id, None)
        self._papers[paper.id] = paper

    def get(self, paper_id: str) -> Paper | None:
        return self._papers.get(paper_id)

    def searchable(self, paper: Paper):
        """The paper's tokenized text for ``arxiv_radar.query.matches``, cached for the
        corpus's own papers so that paging through one query tokenizes each paper once."""
        from arxiv_radar.query import PaperText

        cached = self._texts.get(paper.id)
        if cached is not None and cached.paper is paper:
            return cached
        text = PaperText(paper)
        if self._papers.get(paper.id) is paper and len(self._texts) < TEXT_CACHE_LIMIT:
            self._texts[paper.id] = text
        return text

    def __len__(self) -> int:
        return len(self._papers)

    def __iter__(self) -> Iterator[Paper]:
        return iter(self._papers.values())

    def __contains__(self, paper_id: object) -> bool:
        return paper_id in self._papers

    def load(self, path: str | Path) -> int:
        """Add the papers of one file (Atom XML or bulk JSON lines, optionally .gz) or of every
        such file in a folder. Returns how many papers were read."""
        path = Path(path)
        if path.is_dir():
            return sum(
                self.load(child)
                for child in sorted(path.iterdir())
                if child.is_file() and not child.name.startswith(".")
            )
        if not path.is_file():
            raise ConfigError(f"corpus file not found: {path}")
        kind = _sniff(path)
        if kind == "atom":
            return self._load_atom(path)
        if kind == "bulk":
            return self._load_bulk(path)
        raise ConfigError(
            f"corpus file {path}: neither an Atom feed nor bulk-metadata JSON lines"
        )

    def _load_atom(self, path: Path) -> int:
        # Imported here: the Atom parser is optional for a bulk-only corpus.
        from arxiv_radar.sources.atom import parse_feed

        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        try:
            feed = parse_feed(data)
        except ArxivRadarError as exc:
            raise ConfigError(f"corpus file {path}: {exc}") from exc
        for paper in feed.papers:
            self.add(paper)
        return len(feed.papers)

    def _load_bulk(self, path: Path) -> int:
        count = 0
        for lineno, item in iter_bulk(path):
            if isinstance(item, Exception):
                self.problem_count += 1
                if len(self.problems) < _MAX_PROBLEMS_KEPT:
                    self.problems.append(LoadProblem(path, lineno, str(item)))
                log.warning("%s:%d: skipped: %s", path, lineno, item)
                continue
            self.add(item)
            count += 1
        return count


def _sniff(path: Path) -> str | None:
    """Tell Atom from JSON lines by the first non-blank byte, whatever the file is named."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise ConfigError(f"corpus file {path}: cannot read: {exc}") from exc
    head = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        return "bulk"  # an empty file is an empty corpus, not an error
    if head.startswith(b"<"):
        return "atom"
    if head.startswith(b"{"):
        return "bulk"
    return None
