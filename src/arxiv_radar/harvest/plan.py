"""Which announcements a run covers, and which requests will fetch them.

A run harvests *units*, each with its own watermark (the run clock up to which that unit has
been harvested): a category set (``set:cs#HASH``, harvested by OAI-PMH, or RSS for the latest
announcement, and matched locally) or one topic's query (``topic:NAME#HASH``, an API search). The
hash is of the set's categories or the topic's query: a topic renamed or whose query changed, or a
set that gained a category, is a new unit, which has not been harvested yet and so gets the
look-back (the caller decides where a unit without a watermark starts). A unit that fails holds
back only its own watermark, and is asked again from there next time.

Units whose watermarks are equal cover the same announcements, so their queries can be OR-ed
into as few API searches as fit in a URL (and their categories into one RSS request); units with
different watermarks are never combined. No topic is ever capped at "the newest N".

Each step also re-reads ``overlap`` announcements before its first one: a paper held in
moderation is announced a day or more after the window its submission time falls in, and the
overlap is what catches it (the store keeps each paper once, so re-read papers are no news).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from . import calendar
from .calendar import Announcement
from ..query import Or, to_api

__all__ = ["Plan", "Step", "make_plan", "oai_set", "set_unit", "topic_unit", "unit_label", "units_of", "news_start", "MAX_QUERY_CHARS",
           "DEFAULT_OVERLAP"]

# arXiv answers long GET query strings, but proxies and logs do not love them; beyond this the
# topics' queries are split over several searches.
MAX_QUERY_CHARS = 1500

# Announcements re-read before a run's window (config `overlap_announcements`).
DEFAULT_OVERLAP = 1

# Archives that OAI-PMH files under the "physics" set group.
_PHYSICS = {
    "astro-ph", "cond-mat", "gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th", "math-ph",
    "nlin", "nucl-ex", "nucl-th", "physics", "quant-ph",
}


def oai_set(category: str) -> str:
    """The OAI-PMH set that holds a category: cs.CV -> cs, hep-th -> physics:hep-th."""
    archive = category.split(".", 1)[0].rstrip("*")
    return f"physics:{archive}" if archive in _PHYSICS else archive


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def set_unit(set_spec: str, categories) -> str:
    """The unit of a category set: its set and a hash of the categories harvested from it."""
    return f"set:{set_spec}#{_digest(' '.join(sorted(categories)))}"


def topic_unit(name: str, query: str) -> str:
    """The unit of a topic's search: its name and a hash of its (normalised) API query."""
    return f"topic:{name}#{_digest(query)}"


def unit_label(unit: str) -> str:
    """A unit as people read it: ``topic:NAME`` or ``set:cs``, without the hash."""
    return unit.split("#", 1)[0]


@dataclass(frozen=True)
class Step:
    kind: str  # api | oai | rss | ids
    label: str
    query: str = ""
    set_spec: str = ""
    categories: tuple[str, ...] = ()
    date_field: str = "lastUpdatedDate"
    # The watermark units this step harvests, and for an OR-ed API search each unit's own
    # query (so a search arXiv rejects can be retried unit by unit to find the culprit).
    units: tuple[str, ...] = ()
    parts: tuple[tuple[str, str], ...] = ()
    # The submissions this step keeps, [start, end), the overlap included; ``announcements``
    # are the ones it covers (without the overlap).
    start: datetime | None = None
    end: datetime | None = None
    announcements: tuple[Announcement, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.kind}: {self.label}"


@dataclass
class Plan:
    since: datetime
    clock: datetime
    announcements: list[Announcement]
    steps: list[Step] = field(default_factory=list)
    # Every unit of the run and the watermark it starts from (units with nothing to harvest too).
    units: dict[str, datetime] = field(default_factory=dict)
    overlap: int = 0

    @property
    def window(self) -> tuple[datetime, datetime] | None:
        """The submissions the covered announcements announced: [start, end) (no overlap)."""
        if not self.announcements:
            return None
        return self.announcements[0].window_start, self.announcements[-1].window_end

    @property
    def reread_from(self) -> datetime | None:
        """The earliest submission any step keeps (its window's start, the overlap included)."""
        starts = [s.start for s in self.steps if s.start is not None]
        return min(starts) if starts else None

    def describe(self) -> list[str]:
        days = ", ".join(a.day.isoformat() for a in self.announcements) or "none"
        lines = [f"announcements covered: {days}"]
        if self.window:
            lines.append(f"submissions from {self.window[0]:%Y-%m-%d %H:%M} to {self.window[1]:%Y-%m-%d %H:%M} UTC")
        if self.overlap and self.reread_from and self.window and self.reread_from < self.window[0]:
            lines.append(f"overlap: re-reading {self.overlap} announcement(s) before, "
                         f"from {self.reread_from:%Y-%m-%d %H:%M} UTC")
        # Units held back by an earlier failure catch up from their own watermarks: then each
        # step says from which announcement it starts.
        mixed = len({s.announcements[0] for s in self.steps if s.announcements}) > 1
        for step in self.steps:
            since = f" (from {step.announcements[0].day})" if mixed and step.announcements else ""
            lines.append(f"{step.kind}: {step.label}{since}")
        return lines


_SECOND = timedelta(seconds=1)


def news_start(watermark: datetime, overlap: int) -> datetime:
    """The earliest submission a run starting from ``watermark`` keeps (its overlap included):
    a paper first submitted from then on, not stored yet, would be news to that run."""
    return _overlap_start(calendar.next_announcement_after(watermark), overlap)


def _overlap_start(first: Announcement, overlap: int) -> datetime:
    start = first.window_start
    t = first.at
    for _ in range(overlap):
        earlier = calendar.last_announcement_before(t - _SECOND)
        start, t = earlier.window_start, earlier.at
    return start


def make_plan(topics: dict, source: str, since: datetime, clock: datetime, *, backfill: bool = False,
              unit_since: dict[str, datetime] | None = None, overlap: int = 0) -> Plan:
    """The steps that bring every unit from its watermark (``unit_since``, else ``since``: where
    a unit without a watermark of its own starts) up to ``clock``; each step re-reads
    ``overlap`` announcements before its first one."""
    unit_since = unit_since or {}
    # A backfill selects by first submission (what was announced as new in the range); a daily
    # run by latest version, which also brings the replacements announced in its window.
    date_field = "submittedDate" if backfill else "lastUpdatedDate"

    sets, set_units, queries = _units(topics, source)
    units = {u: unit_since.get(u, since) for u in list(set_units) + list(queries)}

    # Units with the same watermark share their announcements, so they may share requests.
    groups: dict[datetime, list[str]] = {}
    for unit, start in units.items():
        groups.setdefault(start, []).append(unit)
    covered: dict = {}
    plan = Plan(since, clock, [], units=units, overlap=overlap)
    for start in sorted(groups):
        announcements = calendar.announcements_between(start, clock)
        if not announcements:
            continue
        for a in announcements:
            covered[a.day] = a
        window = dict(start=_overlap_start(announcements[0], overlap), end=announcements[-1].window_end,
                      announcements=tuple(announcements))
        members = groups[start]
        latest_only = len(announcements) == 1 and announcements[0] == calendar.last_announcement_before(clock)
        member_sets = [u for u in members if u in set_units]
        if member_sets and source == "rss" and latest_only:
            group_cats = tuple(c for u in member_sets for c in sets[set_units[u]])
            plan.steps.append(Step("rss", "+".join(group_cats), categories=group_cats,
                                   units=tuple(member_sets), **window))
        else:
            # RSS only ever shows the latest announcement: catching up needs OAI.
            for unit in member_sets:
                set_spec = set_units[unit]
                plan.steps.append(Step("oai", f"set {set_spec}", set_spec=set_spec, categories=sets[set_spec],
                                       units=(unit,), **window))
        for parts in _combined_queries([(u, to_api(queries[u].ast), queries[u].ast) for u in members if u in queries]):
            query = parts[0][1] if len(parts) == 1 else to_api(Or(tuple(p[2] for p in parts)))
            plan.steps.append(Step("api", query, query=query, date_field=date_field,
                                   units=tuple(p[0] for p in parts), parts=tuple((p[0], p[1]) for p in parts),
                                   **window))
    plan.announcements = [covered[d] for d in sorted(covered)]
    return plan


def _units(topics: dict, source: str) -> tuple[dict[str, tuple[str, ...]], dict[str, str], dict]:
    """The category sets (set -> its categories), their units (unit -> set) and the topics
    searched by query (unit -> topic)."""
    by_category = {n: t for n, t in topics.items() if t.categories} if source in ("auto", "oai", "rss") else {}
    cats = sorted({c for t in by_category.values() for c in t.categories})
    sets = {set_spec: tuple(c for c in cats if oai_set(c) == set_spec) for set_spec in sorted({oai_set(c) for c in cats})}
    set_units = {set_unit(spec, set_cats): spec for spec, set_cats in sets.items()}
    queries = {topic_unit(n, to_api(t.ast)): t for n, t in topics.items() if n not in by_category}
    return sets, set_units, queries


def units_of(topics: dict, source: str) -> list[str]:
    """The watermark units a run of these topics harvests."""
    _, set_units, queries = _units(topics, source)
    return list(set_units) + list(queries)


def _combined_queries(items: list[tuple[str, str, object]]) -> list[list[tuple[str, str, object]]]:
    """Group (unit, query, ast) into as few OR-ed API searches as fit MAX_QUERY_CHARS."""
    groups: list[list] = []
    for item in items:
        if groups and len(to_api(Or(tuple([p[2] for p in groups[-1]] + [item[2]])))) <= MAX_QUERY_CHARS:
            groups[-1].append(item)
        else:
            groups.append([item])
    return groups
