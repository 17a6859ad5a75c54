"""arXiv's clock: days are New York days, and a run's "now" is the end of its day there.

The announcement schedule (reference/arxiv-docs/availability.md, all times America/New_York):

    submissions received            announced
    Mon 14:00 - Tue 14:00           Tue 20:00
    Tue 14:00 - Wed 14:00           Wed 20:00
    Wed 14:00 - Thu 14:00           Thu 20:00
    Thu 14:00 - Fri 14:00           Sun 20:00
    Fri 14:00 - Mon 14:00           Mon 20:00

We model it as two kinds of instants. A *cut-off* is 14:00 on every weekday (Mon-Fri) that is
not an arXiv holiday. An *announcement slot* is 20:00 on every Sun-Thu that is not a holiday.
Each cut-off belongs to the first slot at or after it (Fri -> Sun); a slot that receives no
cut-off announces nothing. An announcement covers the submissions from the previous cut-off
that belongs to an earlier announcement up to its own last cut-off. With no holidays this is
exactly the table above. With a holiday it gives the deferral arXiv describes: on a Thursday
holiday there is neither the Thursday cut-off nor the Thursday announcement, so Sunday covers
Wed 14:00 - Fri 14:00; on a Friday holiday there is no Friday cut-off, so Sunday announces
nothing and Monday covers Thu 14:00 - Mon 14:00.

Holidays: arXiv publishes its list a year at a time on the availability page. The built-in
table holds the 2026 list and what arXiv published for 2025 (its December was "not yet
scheduled" there); more dates (other years, ad hoc closures announced on status.arxiv.org) are
added with ``set_extra_holidays`` from the config. For a year without a complete list the
default calendar also takes 25 December and 1 January as holidays (``FALLBACK_DAYS``): every
list arXiv has published closes on both when they fall on an announcement day, and guessing
them wrong costs one quiet day, while missing them makes a window expect an announcement that
never came.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

__all__ = [
    "ANNOUNCE_TIME",
    "ARXIV_HOLIDAYS",
    "CUTOFF_TIME",
    "NEW_YORK",
    "Announcement",
    "ArxivCalendar",
    "announcement_on",
    "announcement_window",
    "announcements_between",
    "day_end",
    "day_start",
    "holidays",
    "known_holiday_years",
    "unknown_holiday_years",
    "is_announcement_day",
    "last_announcement_before",
    "next_announcement_after",
    "run_clock",
    "set_extra_holidays",
    "today",
]

NEW_YORK = ZoneInfo("America/New_York")
ANNOUNCE_TIME = time(20, 0)
CUTOFF_TIME = time(14, 0)

# Days with no announcement and no submission cut-off. 2026: reference/arxiv-docs/availability.md,
# "2026 Holidays". 2025: arXiv's availability page as published in github.com/arXiv/arxiv-docs,
# source/help/availability.md at commit 782dfdf015f67b22cfea0e5398a5c9d3ebca8b49, "2025 Holidays"
# (its December holidays were "not yet scheduled": the fallback below covers 25 December).
# No 2027 list was published to source. Other years: add them via set_extra_holidays().
ARXIV_HOLIDAYS: frozenset[date] = frozenset(
    {
        date(2025, 1, 1),
        date(2025, 1, 20),
        date(2025, 6, 19),
        date(2025, 7, 6),  # a Sunday: listed so, no announcement that evening
        date(2025, 9, 1),
        date(2025, 11, 27),
        date(2026, 1, 1),
        date(2026, 1, 19),
        date(2026, 6, 19),
        date(2026, 7, 3),
        date(2026, 9, 7),
        date(2026, 11, 26),
        date(2026, 12, 25),
        date(2026, 12, 29),
        date(2026, 12, 31),
    }
)
# Years whose whole list is in ARXIV_HOLIDAYS: the fallback days are not added to them.
COMPLETE_YEARS: frozenset[int] = frozenset({2026})
# (month, day) taken as holidays in years without a complete list (see the module docstring).
FALLBACK_DAYS: frozenset[tuple[int, int]] = frozenset({(12, 25), (1, 1)})

# Python weekday(): Mon=0 .. Sun=6.
_CUTOFF_WEEKDAYS = frozenset({0, 1, 2, 3, 4})
_SLOT_WEEKDAYS = frozenset({6, 0, 1, 2, 3})
# However many holidays a config adds, the search for a slot or a cut-off stops here: a gap
# this long means a mistaken holiday list, not a real schedule.
_MAX_GAP_DAYS = 62
_ONE_DAY = timedelta(days=1)


def day_start(day: date) -> datetime:
    """Midnight at the start of ``day`` in New York, as aware UTC."""
    return datetime.combine(day, time(0, 0), NEW_YORK).astimezone(timezone.utc)


def day_end(day: date) -> datetime:
    """The last instant of ``day`` in New York (midnight of the next day), as aware UTC."""
    return day_start(day + timedelta(days=1))


def today(now: datetime | None = None) -> date:
    """The current New York date."""
    now = now or datetime.now(timezone.utc)
    return now.astimezone(NEW_YORK).date()


def _at(day: date, when: time) -> datetime:
    # zoneinfo picks the right offset for the date, so 20:00 ET is 00:00 UTC next day in
    # summer (EDT, -4) and 01:00 UTC next day in winter (EST, -5).
    return datetime.combine(day, when, NEW_YORK).astimezone(timezone.utc)


def _aware(t: datetime, name: str) -> datetime:
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {t!r}")
    return t.astimezone(timezone.utc)


@dataclass(frozen=True, slots=True)
class Announcement:
    """One arXiv announcement: ``day`` is its New York date, ``at`` its 20:00 ET in UTC.

    It covers submissions received in ``[window_start, window_end)`` (UTC; the ends are 14:00
    ET cut-offs).
    """

    day: date
    at: datetime
    window_start: datetime
    window_end: datetime


class ArxivCalendar:
    """The schedule with a given set of holidays. The module functions use a shared default."""

    def __init__(self, holidays: Iterable[date] = ARXIV_HOLIDAYS, *,
                 complete_years: Iterable[int] | None = None):
        """``complete_years``: when given, every other year also gets ``FALLBACK_DAYS``."""
        self.holidays: frozenset[date] = frozenset(holidays)
        self.complete_years = None if complete_years is None else frozenset(complete_years)

    def is_holiday(self, d: date) -> bool:
        if d in self.holidays:
            return True
        return (self.complete_years is not None and d.year not in self.complete_years
                and (d.month, d.day) in FALLBACK_DAYS)

    # -- the two kinds of instants -----------------------------------------------------------
    def is_cutoff_day(self, d: date) -> bool:
        return d.weekday() in _CUTOFF_WEEKDAYS and not self.is_holiday(d)

    def is_slot_day(self, d: date) -> bool:
        return d.weekday() in _SLOT_WEEKDAYS and not self.is_holiday(d)

    def _slot_for_cutoff(self, cutoff_day: date) -> date:
        """The announcement day a cut-off belongs to: the first slot day on or after it."""
        d = cutoff_day
        for _ in range(_MAX_GAP_DAYS):
            if self.is_slot_day(d):
                return d
            d += _ONE_DAY
        raise ValueError(f"no announcement slot within {_MAX_GAP_DAYS} days of {cutoff_day}")

    def _cutoff_on_or_before(self, d: date) -> date:
        for _ in range(_MAX_GAP_DAYS):
            if self.is_cutoff_day(d):
                return d
            d -= _ONE_DAY
        raise ValueError(f"no submission cut-off within {_MAX_GAP_DAYS} days before {d}")

    # -- announcements -----------------------------------------------------------------------
    def is_announcement_day(self, d: date) -> bool:
        """True when arXiv announces new submissions at 20:00 ET on New York date ``d``."""
        if not self.is_slot_day(d):
            return False
        return self._slot_for_cutoff(self._cutoff_on_or_before(d)) == d

    def announcement_on(self, d: date) -> Announcement | None:
        """The announcement made on New York date ``d``, or None on a day without one."""
        if not self.is_announcement_day(d):
            return None
        last_cutoff = self._cutoff_on_or_before(d)
        # Walk back over the cut-offs this announcement also collects (after a holiday) to
        # the last one that belongs to an earlier announcement: that is where the window opens.
        start = self._cutoff_on_or_before(last_cutoff - _ONE_DAY)
        while self._slot_for_cutoff(start) == d:
            start = self._cutoff_on_or_before(start - _ONE_DAY)
        return Announcement(
            day=d,
            at=_at(d, ANNOUNCE_TIME),
            window_start=_at(start, CUTOFF_TIME),
            window_end=_at(last_cutoff, CUTOFF_TIME),
        )

    def announcements_between(self, start: datetime, end: datetime) -> list[Announcement]:
        """Announcements made in the half-open interval ``(start, end]``, oldest first.

        Consecutive runs with clocks t0 < t1 < t2 thus see each announcement exactly once.
        """
        start = _aware(start, "start")
        end = _aware(end, "end")
        found: list[Announcement] = []
        if end <= start:
            return found
        d = start.astimezone(NEW_YORK).date()
        last = end.astimezone(NEW_YORK).date()
        while d <= last:
            a = self.announcement_on(d)
            if a is not None and start < a.at <= end:
                found.append(a)
            d += _ONE_DAY
        return found

    def last_announcement_before(self, t: datetime) -> Announcement:
        """The latest announcement made at or before ``t``."""
        t = _aware(t, "t")
        d = t.astimezone(NEW_YORK).date()
        for _ in range(_MAX_GAP_DAYS):
            a = self.announcement_on(d)
            if a is not None and a.at <= t:
                return a
            d -= _ONE_DAY
        raise ValueError(f"no announcement within {_MAX_GAP_DAYS} days before {t.isoformat()}")

    def next_announcement_after(self, t: datetime) -> Announcement:
        """The first announcement made strictly after ``t``."""
        t = _aware(t, "t")
        d = t.astimezone(NEW_YORK).date()
        for _ in range(_MAX_GAP_DAYS):
            a = self.announcement_on(d)
            if a is not None and a.at > t:
                return a
            d += _ONE_DAY
        raise ValueError(f"no announcement within {_MAX_GAP_DAYS} days after {t.isoformat()}")


_default = ArxivCalendar(complete_years=COMPLETE_YEARS)


def set_extra_holidays(days: Iterable[date]) -> None:
    """Use the built-in holidays plus ``days`` from now on (replacing earlier extras).

    For the config: arXiv's lists for other years and ad hoc deferred mailings. A year the
    config lists is taken as complete (no fallback days added to it).
    """
    global _default
    extra = frozenset(days)
    _default = ArxivCalendar(ARXIV_HOLIDAYS | extra,
                             complete_years=COMPLETE_YEARS | {d.year for d in extra})


def known_holiday_years() -> frozenset[int]:
    """Years for which the calendar has holidays (built in or added from the config)."""
    return frozenset(d.year for d in _default.holidays)


def unknown_holiday_years(start: date, end: date) -> list[int]:
    """The years from ``start`` to ``end`` for which no holiday list is known, in order."""
    return [y for y in range(start.year, end.year + 1) if y not in known_holiday_years()]


def holidays() -> frozenset[date]:
    """The holidays the module functions currently use."""
    return _default.holidays


def is_announcement_day(d: date) -> bool:
    return _default.is_announcement_day(d)


def announcement_on(d: date) -> Announcement | None:
    return _default.announcement_on(d)


def announcements_between(start: datetime, end: datetime) -> list[Announcement]:
    return _default.announcements_between(start, end)


def last_announcement_before(t: datetime) -> Announcement:
    return _default.last_announcement_before(t)


def next_announcement_after(t: datetime) -> Announcement:
    return _default.next_announcement_after(t)


def announcement_window(a: Announcement) -> tuple[datetime, datetime]:
    """The submissions ``a`` covers, as ``(start, end)`` in UTC, start inclusive."""
    return a.window_start, a.window_end


def run_clock(day: date | None = None, now: datetime | None = None) -> datetime:
    """A run's "now": the end of New York day ``day`` if given, else the real time (UTC).

    Never later than the real time: a run for today (or a future day) must not count an
    announcement that has not been made yet as harvested. ``now`` replaces the real time in tests.
    """
    real = _aware(now, "now") if now is not None else datetime.now(timezone.utc)
    if day is not None:
        return min(day_end(day), real)
    return real
