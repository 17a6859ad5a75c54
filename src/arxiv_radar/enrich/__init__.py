"""Code links after Papers with Code: abstract/comment URLs, the Hugging Face papers API, and more,
each with its source and check time. ``enrich`` is the stage; ``arxiv-radar links`` runs it alone."""

from .answer import Answer
from .schedule import BACKOFF_DAYS
from .stage import EnrichReport, EnrichSettings, enrich, format_source_table, source_table
from .urls import FoundLinks, classify_url, extract_links, normalize_repo_url

__all__ = [
    "Answer",
    "BACKOFF_DAYS",
    "EnrichReport",
    "EnrichSettings",
    "FoundLinks",
    "classify_url",
    "enrich",
    "extract_links",
    "format_source_table",
    "normalize_repo_url",
    "source_table",
]
