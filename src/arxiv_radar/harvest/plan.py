"""Which announcements a run covers, and which requests will fetch them.

A run covers the announcements made after its watermark and up to its clock. Topics that name
categories are served by harvesting those category sets once (OAI-PMH, or RSS for the latest
announcement) and matching locally; the other topics' queries are OR-ed into as few API searches
as fit in a URL, and matched locally too. No topic is ever capped at "the newest N".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from . import calendar
from .calendar import Announcement
from ..query import Or, to_api

__all__ = ["Plan", "Step", "make_plan", "oai_set", "MAX_QUERY_CHARS"]

# arXiv answers long GET query strings, but proxies and logs do not love them; beyond this the
# topics' queries are split over several searches.
MAX_QUERY_CHARS = 1500

# Archives that OAI-PMH files under the "physics" set group.
_PHYSICS = {
    "astro-ph", "cond-mat", "gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th", "math-ph",
    "nlin", "nucl-ex", "nucl-th", "physics", "quant-ph",
}


def oai_set(category: str) -> str:
    """The OAI-PMH set that holds a category: cs.CV -> cs, hep-th -> physics:hep-th."""
    archive = category.split(".", 1)[0].rstrip("*")
    return f"physics:{archive}" if archive in _PHYSICS else archive


@dataclass(frozen=True)
class Step:
    kind: str  # api | oai | rss | ids
    label: str
    query: str = ""
    set_spec: str = ""
    categories: tuple[str, ...] = ()
    date_field: str = "lastUpdatedDate"


@dataclass
class Plan:
    since: datetime
    clock: datetime
    announcements: list[Announcement]
    steps: list[Step] = field(default_factory=list)

    @property
    def window(self) -> tuple[datetime, datetime] | None:
        """The submissions the covered announcements announced: [start, end)."""
        if not self.announcements:
            return None
        return self.announcements[0].window_start, self.announcements[-1].window_end

    def describe(self) -> list[str]:
        days = ", ".join(a.day.isoformat() for a in self.announcements) or "none"
        lines = [f"announcements covered: {days}"]
        if self.window:
            lines.append(f"submissions from {self.window[0]:%Y-%m-%d %H:%M} to {self.window[1]:%Y-%m-%d %H:%M} UTC")
        lines += [f"{s.kind}: {s.label}" for s in self.steps]
        return lines


def make_plan(topics: dict, source: str, since: datetime, clock: datetime, *, backfill: bool = False) -> Plan:
    announcements = calendar.announcements_between(since, clock)
    plan = Plan(since, clock, announcements)
    if not announcements:
        return plan
    latest_only = len(announcements) == 1 and announcements[0] == calendar.last_announcement_before(clock)
    # A backfill selects by first submission (what was announced as new in the range); a daily
    # run by latest version, which also brings the replacements announced in its window.
    date_field = "submittedDate" if backfill else "lastUpdatedDate"

    by_category = {n: t for n, t in topics.items() if t.categories} if source in ("auto", "oai", "rss") else {}
    if source == "rss" and not latest_only:
        # RSS only ever shows the latest announcement: catching up needs OAI.
        source_for_sets = "oai"
    else:
        source_for_sets = "rss" if source == "rss" else "oai"
    if by_category:
        cats = sorted({c for t in by_category.values() for c in t.categories})
        if source_for_sets == "rss":
            plan.steps.append(Step("rss", "+".join(cats), categories=tuple(cats)))
        else:
            for set_spec in sorted({oai_set(c) for c in cats}):
                plan.steps.append(Step("oai", f"set {set_spec}", set_spec=set_spec,
                                       categories=tuple(c for c in cats if oai_set(c) == set_spec)))
    rest = [t for n, t in topics.items() if n not in by_category]
    for query in _combined_queries(rest):
        plan.steps.append(Step("api", query, query=query, date_field=date_field))
    return plan


def _combined_queries(topics: list) -> list[str]:
    """OR the topics' queries into as few API searches as fit MAX_QUERY_CHARS."""
    groups: list[list] = []
    for topic in topics:
        if groups and len(to_api(Or(tuple(groups[-1] + [topic.ast])))) <= MAX_QUERY_CHARS:
            groups[-1].append(topic.ast)
        else:
            groups.append([topic.ast])
    return [to_api(g[0]) if len(g) == 1 else to_api(Or(tuple(g))) for g in groups]
