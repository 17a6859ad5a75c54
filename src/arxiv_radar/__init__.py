"""arxiv-radar: track new arXiv papers on your topics and publish them."""

__version__ = "0.1.0"
