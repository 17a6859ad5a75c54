"""Where papers come from: the polite HTTP client, the arXiv API and its Atom parser."""

from __future__ import annotations

from .arxiv_api import ArxivAPI
from .atom import AtomFeed, parse_feed
from .http import BadStatus, PoliteClient, RetryableResponse

__all__ = ["ArxivAPI", "AtomFeed", "BadStatus", "PoliteClient", "RetryableResponse", "parse_feed"]
