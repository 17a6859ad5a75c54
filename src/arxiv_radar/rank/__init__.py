"""Ranking: every matched paper scored by what the reader reads (library files, likes, dislikes).

Local and offline; writes the ``scores`` table, never pages. See ``stage.rank``.
"""

from .library import LibraryEntry, Problem, read_file, read_library
from .methods import METHODS, Scored, score_papers
from .stage import RankReport, TopicRank, rank

__all__ = ["LibraryEntry", "Problem", "read_file", "read_library", "METHODS", "Scored", "score_papers",
           "RankReport", "TopicRank", "rank"]
