"""One exception tree. The CLI turns each into a one-line message and an exit code."""

from __future__ import annotations

__all__ = [
    "ArxivRadarError",
    "ConfigError",
    "QuerySyntaxError",
    "FetchError",
    "ArxivAPIError",
    "FeedParseError",
    "HarvestIncomplete",
    "StoreError",
    "MissingStore",
    "LegacyImportError",
]


class ArxivRadarError(Exception):
    """Base of every error arxiv-radar raises on purpose."""

    exit_code = 1


class ConfigError(ArxivRadarError):
    """A mistake in the user's configuration; the message names file, key path and line."""

    exit_code = 2


class QuerySyntaxError(ArxivRadarError):
    """A topic query that does not parse; ``position`` is the 0-based offset in the query."""

    exit_code = 2

    def __init__(self, message: str, query: str = "", position: int | None = None):
        super().__init__(message)
        self.query = query
        self.position = position


class FetchError(ArxivRadarError):
    """A request that failed after every retry, or could not be made at all."""

    def __init__(self, message: str, url: str = ""):
        super().__init__(message)
        self.url = url


class ArxivAPIError(FetchError):
    """arXiv answered with an error feed (bad query, bad id): retrying will not help."""


class FeedParseError(FetchError):
    """A response body that is not the XML we expect (truncated, garbled, hostile)."""


class HarvestIncomplete(ArxivRadarError):
    """Some of a run's harvest could not be fetched; what was fetched is kept."""

    exit_code = 3


class StoreError(ArxivRadarError):
    """The database is too new or damaged."""


class MissingStore(StoreError):
    """A command that reads the store was pointed at a file that does not exist (a usage error)."""

    exit_code = 2


class LegacyImportError(ArxivRadarError):
    """A cv-arxiv-daily database that cannot be read at all."""
