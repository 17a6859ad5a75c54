"""When the GitHub Actions workflow should run, computed from arXiv's announcement clock.

arXiv announces at 20:00 America/New_York, Sunday to Thursday (``calendar.ANNOUNCE_TIME``). In
UTC that instant moves with daylight saving time: 00:00 the next day in summer (EDT, UTC-4) and
01:00 the next day in winter (EST, UTC-5), so the announcements land Monday to Friday in UTC.
GitHub's cron is UTC only and cannot follow DST, so the run is put after the *later* of the two
(01:00) plus a margin: arXiv's mailing takes a few minutes to appear in the API, and GitHub
starts scheduled runs late under load, most of all on the hour. A run at 01:30 UTC therefore sees
the announcement in both seasons; a late start only means it sees it later, never that it misses
it, because each run harvests a look-back window rather than "today's" papers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from ...harvest.calendar import ANNOUNCE_TIME, NEW_YORK

__all__ = ["Schedule", "default_schedule", "check_cron", "cron_note", "DEFAULT_MARGIN_MINUTES"]

# arXiv's own wording: the announcement "usually" goes out at 20:00; the API can lag it by
# minutes, and GitHub's scheduler by more. Half an hour also keeps us off the busy :00 mark.
DEFAULT_MARGIN_MINUTES = 30

_CRON_DAYS = ("1", "2", "3", "4", "5", "6", "0")  # Python weekday() -> cron day of week
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_ANNOUNCE_WEEKDAYS = (6, 0, 1, 2, 3)  # Sun-Thu in New York


@dataclass(frozen=True)
class Schedule:
    cron: str
    reasoning: tuple[str, ...]  # comment lines for the workflow, without the leading '#'


def _utc_instants(year: int) -> list[datetime]:
    """The announcement instants of one ordinary week in winter and one in summer, in UTC."""
    out = []
    for month in (1, 7):  # January: EST; July: EDT
        start = date(year, month, 1)
        for offset in range(7):
            d = start + timedelta(days=offset)
            if d.weekday() in _ANNOUNCE_WEEKDAYS:
                local = datetime.combine(d, ANNOUNCE_TIME, NEW_YORK)
                out.append(local.astimezone(timezone.utc))
    return out


def _day_range(weekdays: set[int]) -> str:
    days = sorted(int(_CRON_DAYS[w]) for w in weekdays)
    if days == list(range(days[0], days[-1] + 1)) and len(days) > 1:
        return f"{days[0]}-{days[-1]}"
    return ",".join(str(d) for d in days)


def default_schedule(margin_minutes: int = DEFAULT_MARGIN_MINUTES, year: int = 2026) -> Schedule:
    """The cron line (UTC) for a daily run just after arXiv's announcement, with the reasons."""
    if margin_minutes < 0:
        raise ValueError("margin_minutes must not be negative")
    instants = _utc_instants(year)
    latest = max(t.hour * 60 + t.minute for t in instants)
    earliest = min(t.hour * 60 + t.minute for t in instants)
    at = latest + margin_minutes
    if at >= 24 * 60:
        raise ValueError(f"a margin of {margin_minutes} minutes would move the run to the next day")
    weekdays = {t.weekday() for t in instants}
    hour, minute = divmod(at, 60)
    cron = f"{minute} {hour} * * {_day_range(weekdays)}"
    utc_days = sorted({t.weekday() for t in instants})
    reasoning = (
        f"arXiv announces new papers at {ANNOUNCE_TIME:%H:%M} America/New_York, Sunday to Thursday.",
        f"In UTC that is {earliest // 60:02d}:{earliest % 60:02d} in summer (EDT) and "
        f"{latest // 60:02d}:{latest % 60:02d} in winter (EST), "
        f"{_DAY_NAMES[utc_days[0]]}-{_DAY_NAMES[utc_days[-1]]}.",
        "GitHub's cron is UTC and cannot follow daylight saving time, so the run goes after the",
        f"later of the two plus {margin_minutes} minutes (the API lags the mailing a little, and",
        "GitHub often starts scheduled runs late, most of all on the hour).",
        "A late start is harmless: each run harvests a look-back window, so nothing is missed.",
        "Days with no announcement (arXiv holidays) give a run that finds nothing and commits nothing",
        "(the outputs keep the date of their last change).",
    )
    return Schedule(cron=cron, reasoning=reasoning)


# GitHub's schedule syntax (POSIX cron): five fields, each a list of *, values, ranges and
# steps; months and weekdays may also be written as names (JAN-DEC, SUN-SAT).
_FIELDS = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day of the month", 1, 31, ()),
    ("month", 1, 12, ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")),
    ("day of the week", 0, 6, ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")),
)
_ITEM = re.compile(r"^(?P<range>\*|[0-9A-Za-z]+(?:-[0-9A-Za-z]+)?)(?:/(?P<step>[0-9]+))?$")
# More runs a day than this is allowed (GitHub runs it) but worth a word: arXiv announces once.
_RUNS_A_DAY_NOTE = 4


def _value(text: str, low: int, names: tuple[str, ...]) -> int | None:
    if text.isdigit():
        return int(text)
    if text.upper() in names:
        return names.index(text.upper()) + low
    return None


def _field_values(text: str, name: str, low: int, high: int, names: tuple[str, ...]) -> set[int]:
    """The values one field selects; ValueError naming the field and its range otherwise."""
    spelled = f"{low}-{high}" + (f" or {names[0]}-{names[-1]}" if names else "")
    out: set[int] = set()
    for item in text.split(","):
        m = _ITEM.fullmatch(item)
        if m is None:
            raise ValueError(f"the {name} field must be *, a value, a range or a list of them ({spelled}), got {text!r}")
        step = int(m["step"]) if m["step"] is not None else 1
        if step < 1:
            raise ValueError(f"the {name} field's step must be at least 1, got {item!r}")
        if m["range"] == "*":
            first, last = low, high
        else:
            ends = [_value(v, low, names) for v in m["range"].split("-")]
            if any(v is None or not low <= v <= high for v in ends):
                raise ValueError(f"the {name} field takes values {spelled}, got {item!r}")
            first = ends[0]
            # "5/15" runs from 5 to the end of the field, as GitHub (and cron) read it.
            last = ends[-1] if len(ends) == 2 else (high if m["step"] is not None else first)
            if first > last:
                raise ValueError(f"the {name} field's range {item!r} runs backwards ({spelled})")
        out.update(range(first, last + 1, step))
    return out


def check_cron(expr: str) -> str:
    """A user's cron line, normalised, when GitHub's scheduler accepts it; else ValueError with
    one sentence naming the field and its range."""
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(
            f"{expr!r} has {len(fields)} fields; GitHub wants five: minute (0-59), hour (0-23), "
            "day of the month (1-31), month (1-12) and day of the week (0-6)"
        )
    for text, (name, low, high, names) in zip(fields, _FIELDS):
        _field_values(text, name, low, high, names)
    return " ".join(fields)


def cron_note(expr: str) -> str | None:
    """A word for a valid line that runs more often than arXiv changes, else None."""
    minute, hour = (_field_values(t, *f) for t, f in zip(expr.split()[:2], _FIELDS))
    runs = len(minute) * len(hour)
    if runs <= _RUNS_A_DAY_NOTE:
        return None
    return (f"'{expr}' runs up to {runs} times a day; arXiv announces once a day, so most runs find "
            "nothing new (no request to arXiv, but each spends GitHub Actions minutes)")
