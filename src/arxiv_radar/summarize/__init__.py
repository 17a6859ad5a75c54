"""AI summaries (opt-in, `summaries:` in the config): a TL;DR and structured notes per matched
paper, in the reader's language, from any OpenAI-compatible endpoint, within a hard token budget.

Writes summaries to the store (store/summaries.py), never pages; the renderers show them.
"""

from .stage import SummaryReport, summarize, summary_key

__all__ = ["SummaryReport", "summarize", "summary_key"]
