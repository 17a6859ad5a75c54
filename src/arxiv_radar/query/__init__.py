"""Topic queries in arXiv's search_query language: parse, evaluate locally, send back to arXiv.

    node = parse('au:del_maestro ANDNOT (ti:checkerboard OR ti:Pyrochlore)')
    matches(node, paper)       # -> bool
    explain(node, paper)       # -> 'au:del_maestro' or None
    to_api(node)               # -> the search_query string for the arXiv API
    from_filters(["SLAM", "Visual Odometry"])   # cv-arxiv-daily keyword lists

For many topics over one paper, build ``PaperText.of(paper)`` once and pass it instead of the
paper: it tokenizes the paper a single time.
"""

from .compile import from_filters, to_api, with_exclusions
from .evaluate import PaperText, explain, matches
from .nodes import And, AndNot, DateRange, Node, Or, Term
from .parse import parse

__all__ = [
    "parse",
    "matches",
    "explain",
    "to_api",
    "from_filters",
    "with_exclusions",
    "PaperText",
    "Node",
    "Term",
    "And",
    "Or",
    "AndNot",
    "DateRange",
]
