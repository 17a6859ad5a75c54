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

__all__ = ["Schedule", "default_schedule", "check_cron", "DEFAULT_MARGIN_MINUTES"]

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
        "Days with no announcement (arXiv holidays) give a run that finds nothing and commits nothing.",
    )
    return Schedule(cron=cron, reasoning=reasoning)


_FIELD = re.compile(r"^[0-9*/,\-]+$")


def check_cron(expr: str) -> str:
    """Accept a user's cron line only when it runs at most a few times a day.

    A ``*`` in the minute or hour field would hammer arXiv (and burn Actions minutes); arXiv
    changes once a day, so we refuse it rather than generate it.
    """
    fields = expr.split()
    if len(fields) != 5 or not all(_FIELD.fullmatch(f) for f in fields):
        raise ValueError(f"not a five-field cron expression: {expr!r}")
    minute, hour = fields[0], fields[1]
    if not minute.isdigit() or int(minute) > 59:
        raise ValueError(f"the minute field must be one number (0-59), got {minute!r}")
    if "*" in hour or "/" in hour:
        raise ValueError(f"the hour field must list hours, not {hour!r}: arXiv changes once a day")
    hours = [h for part in hour.split(",") for h in part.split("-")]
    if not all(h.isdigit() and int(h) <= 23 for h in hours) or hour.count(",") > 3:
        raise ValueError(f"the hour field must be at most four hours (0-23), got {hour!r}")
    return " ".join(fields)
