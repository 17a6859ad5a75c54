"""The query AST: immutable, hashable, comparable nodes.

``Term`` keeps the words as the user typed them (case and punctuation included) so that
``to_api`` can give the query back to arXiv unchanged; folding and stemming happen when matching.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

__all__ = [
    "FIELDS",
    "DATE_FIELDS",
    "Node",
    "Term",
    "And",
    "Or",
    "AndNot",
    "DateRange",
]

# arXiv's field prefixes (API user manual, 5.1), in the order ``all:`` covers them.
FIELDS: tuple[str, ...] = ("ti", "au", "abs", "co", "jr", "cat", "rn", "id", "all")
# Date filters, spelled as arXiv spells them.
DATE_FIELDS: tuple[str, ...] = ("submittedDate", "lastUpdatedDate")


@dataclass(frozen=True, slots=True)
class Term:
    """Words searched in one field.

    ``words`` are the whitespace-separated pieces as typed (``("del_maestro",)`` for
    ``au:del_maestro``, ``("quantum", "criticality")`` for ``ti:"quantum criticality"``).
    ``phrase`` records that the user quoted them; a bare word that splits into several tokens
    (``GPT-4``, ``del_maestro``) is matched as a phrase all the same.
    ``wildcard`` means a trailing ``*``: the last token is a prefix.
    """

    field: str
    words: tuple[str, ...]
    phrase: bool = False
    wildcard: bool = False

    def __post_init__(self) -> None:
        if self.field not in FIELDS:
            raise ValueError(f"unknown field {self.field!r}; expected one of {', '.join(FIELDS)}")
        if not self.words or any(not w or any(c.isspace() for c in w) for w in self.words):
            raise ValueError(f"Term words must be non-empty and without spaces: {self.words!r}")
        if not self.phrase and len(self.words) != 1:
            raise ValueError("an unquoted Term has exactly one word")
        if self.phrase and self.wildcard:
            raise ValueError("a quoted phrase cannot carry a wildcard")


@dataclass(frozen=True, slots=True)
class And:
    items: tuple["Node", ...]

    def __post_init__(self) -> None:
        if len(self.items) < 2:
            raise ValueError("And needs at least two items")


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple["Node", ...]

    def __post_init__(self) -> None:
        if len(self.items) < 2:
            raise ValueError("Or needs at least two items")


@dataclass(frozen=True, slots=True)
class AndNot:
    """``left ANDNOT right``: left matches and right does not."""

    left: "Node"
    right: "Node"


@dataclass(frozen=True, slots=True)
class DateRange:
    """``submittedDate:[start TO end]``; both ends inclusive to the minute, UTC.

    ``submittedDate`` is a paper's first-version date (``Paper.published``), ``lastUpdatedDate``
    its latest version's (``Paper.updated``), as arXiv's search defines them.
    """

    field: str
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.field not in DATE_FIELDS:
            raise ValueError(f"unknown date field {self.field!r}")
        for d in (self.start, self.end):
            if d.tzinfo is None or d.utcoffset() != timezone.utc.utcoffset(None):
                raise ValueError("DateRange ends must be UTC-aware datetimes")
            if d.second or d.microsecond:
                raise ValueError("DateRange ends have minute precision")
        if self.start > self.end:
            raise ValueError("DateRange start is after its end")


Node = Term | And | Or | AndNot | DateRange
