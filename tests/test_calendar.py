"""The arXiv announcement calendar: ordinary weeks, holidays, DST, run windows."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest

from arxiv_radar.harvest import calendar as cal
from arxiv_radar.harvest.calendar import ArxivCalendar

UTC = timezone.utc


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


NO_HOLIDAYS = ArxivCalendar(holidays=())


# -- the functions that were here first keep working -----------------------------------------
def test_existing_day_helpers_unchanged():
    assert cal.day_start(date(2026, 1, 22)) == utc(2026, 1, 22, 5)
    assert cal.day_end(date(2026, 7, 1)) == utc(2026, 7, 2, 4)
    assert cal.today(utc(2026, 1, 23, 3)) == date(2026, 1, 22)  # still Thursday in New York
    assert str(cal.NEW_YORK) == "America/New_York"


# -- an ordinary week (no holidays in mid-February 2026) -------------------------------------
def test_ordinary_week_days_and_windows():
    # Sun 15 Feb .. Sat 21 Feb 2026, EST (UTC-5): cut-offs at 19:00 UTC, announcements 01:00 UTC.
    days = [date(2026, 2, 15) + timedelta(days=i) for i in range(7)]
    assert [cal.is_announcement_day(d) for d in days] == [True, True, True, True, True, False, False]

    tue = cal.announcement_on(date(2026, 2, 17))
    assert tue.at == utc(2026, 2, 18, 1)
    assert cal.announcement_window(tue) == (utc(2026, 2, 16, 19), utc(2026, 2, 17, 19))

    sun = cal.announcement_on(date(2026, 2, 15))  # Thu 14:00 -> Fri 14:00
    assert (sun.window_start, sun.window_end) == (utc(2026, 2, 12, 19), utc(2026, 2, 13, 19))

    mon = cal.announcement_on(date(2026, 2, 16))  # Monday covers the weekend: Fri -> Mon 14:00
    assert (mon.window_start, mon.window_end) == (utc(2026, 2, 13, 19), utc(2026, 2, 16, 19))
    assert mon.window_end - mon.window_start == timedelta(days=3)

    assert cal.announcement_on(date(2026, 2, 20)) is None  # Friday
    assert cal.announcement_on(date(2026, 2, 21)) is None  # Saturday


def test_windows_tile_time_without_gaps_or_overlaps():
    start, end = cal.day_start(date(2026, 1, 1)), cal.day_end(date(2026, 12, 31))
    anns = cal.announcements_between(start, end)
    for before, after in zip(anns, anns[1:]):
        assert before.window_end == after.window_start
        assert before.window_start < before.window_end < before.at
    # 2026 starts on a Thursday: 52 weeks x 5 slot days + Thu 1 Jan = 261 slots, minus the six
    # holidays on a slot day, minus the three Sundays emptied by a Friday holiday.
    assert len(anns) == 261 - 6 - 3


def test_matches_real_mailing_digest_headers(fixtures):
    # Real arXiv e-mail digests state the submission window they cover.
    pattern = re.compile(r"received from\s+(.+?GMT)\s+to\s+(.+?GMT)")

    def window(name: str) -> tuple[datetime, datetime]:
        text = (fixtures / "mailing" / name).read_text(encoding="utf-8")
        a, b = pattern.search(text).groups()
        fmt = "%a %d %b %y %H:%M:%S GMT"
        return (datetime.strptime(a, fmt).replace(tzinfo=UTC),
                datetime.strptime(b, fmt).replace(tzinfo=UTC))

    # The Friday-morning digest is Thursday's announcement, Monday's is Sunday's.
    thu = cal.announcement_on(date(2026, 1, 22))
    assert window("arxiv_email_digest_2026-01-23.txt") == cal.announcement_window(thu)
    sun = cal.announcement_on(date(2026, 1, 25))
    assert window("arxiv_email_digest_2026-01-26.txt") == cal.announcement_window(sun)


# -- holidays --------------------------------------------------------------------------------
def test_documented_2026_holidays_are_built_in():
    assert date(2026, 11, 26) in cal.ARXIV_HOLIDAYS  # Thanksgiving
    assert len([d for d in cal.ARXIV_HOLIDAYS if d.year == 2026]) == 9


def test_published_2025_holidays_are_built_in():
    # arXiv's 2025 list (arxiv-docs availability.md): Thanksgiving Thu 27 Nov defers to Sunday.
    assert len([d for d in cal.ARXIV_HOLIDAYS if d.year == 2025]) == 6
    assert not cal.is_announcement_day(date(2025, 11, 27))
    assert not cal.is_announcement_day(date(2025, 1, 20))  # MLK day
    assert cal.is_announcement_day(date(2025, 11, 26))
    assert 2025 in cal.known_holiday_years()


def test_years_without_a_complete_list_fall_back_to_christmas_and_new_year():
    # December 2025 was "not yet scheduled" and 2027 has no list: Thu 25 Dec 2025 and
    # Fri 1 Jan 2027 (a Friday: no cut-off, so Sunday 3 Jan announces nothing) are closed.
    assert not cal.is_announcement_day(date(2025, 12, 25))
    assert cal.is_announcement_day(date(2025, 12, 24))
    assert not cal.is_announcement_day(date(2027, 1, 3))
    assert cal.is_announcement_day(date(2027, 1, 4))
    # The fallback is the default calendar's; an explicit list stands alone.
    assert NO_HOLIDAYS.is_announcement_day(date(2025, 12, 25))
    # A year the config lists is complete: no fallback added to it.
    try:
        cal.set_extra_holidays([date(2027, 11, 25)])
        assert cal.is_announcement_day(date(2027, 1, 3))  # Fri 1 Jan 2027 has its cut-off again
    finally:
        cal.set_extra_holidays([])


def test_unknown_holiday_years_span_the_window():
    assert cal.unknown_holiday_years(date(2025, 12, 20), date(2026, 1, 5)) == []
    assert cal.unknown_holiday_years(date(2026, 12, 20), date(2028, 1, 5)) == [2027, 2028]


def test_thursday_holiday_defers_to_sunday():
    # Thanksgiving, Thu 26 Nov 2026: no Thursday announcement; Sunday covers Wed 14:00 - Fri 14:00.
    assert cal.is_announcement_day(date(2026, 11, 25))
    assert not cal.is_announcement_day(date(2026, 11, 26))
    sun = cal.announcement_on(date(2026, 11, 29))
    assert (sun.window_start, sun.window_end) == (utc(2026, 11, 25, 19), utc(2026, 11, 27, 19))
    # Without the holiday Thursday is an ordinary day.
    assert NO_HOLIDAYS.is_announcement_day(date(2026, 11, 26))


def test_monday_holiday_defers_to_tuesday():
    # MLK day, Mon 19 Jan 2026: Sunday is normal, Tuesday covers Fri 14:00 - Tue 14:00.
    assert cal.announcement_on(date(2026, 1, 19)) is None
    sun = cal.announcement_on(date(2026, 1, 18))
    assert (sun.window_start, sun.window_end) == (utc(2026, 1, 15, 19), utc(2026, 1, 16, 19))
    tue = cal.announcement_on(date(2026, 1, 20))
    assert (tue.window_start, tue.window_end) == (utc(2026, 1, 16, 19), utc(2026, 1, 20, 19))


def test_friday_holiday_empties_sunday():
    # Juneteenth, Fri 19 Jun 2026: no Friday cut-off, so nothing for Sunday; Monday covers
    # Thu 14:00 - Mon 14:00 (EDT: 18:00 UTC).
    assert cal.is_announcement_day(date(2026, 6, 18))
    assert not cal.is_announcement_day(date(2026, 6, 21))
    mon = cal.announcement_on(date(2026, 6, 22))
    assert (mon.window_start, mon.window_end) == (utc(2026, 6, 18, 18), utc(2026, 6, 22, 18))


def test_year_end_closure_2026():
    got = [a.day for a in cal.announcements_between(cal.day_start(date(2026, 12, 20)),
                                                     cal.day_end(date(2026, 12, 31)))]
    # Holidays Fri 25, Tue 29, Thu 31: Sunday 27 has nothing to announce.
    assert got == [date(2026, 12, d) for d in (20, 21, 22, 23, 24, 28, 30)]
    wed = cal.announcement_on(date(2026, 12, 30))
    assert wed.window_start == utc(2026, 12, 28, 19)  # Mon 14:00 EST, over the Tuesday holiday


def test_extra_holidays_from_config():
    try:
        cal.set_extra_holidays([date(2027, 11, 25)])
        assert not cal.is_announcement_day(date(2027, 11, 25))
        assert date(2026, 1, 1) in cal.holidays()  # the built-in ones stay
        cal.set_extra_holidays([])
        assert cal.is_announcement_day(date(2027, 11, 25))
    finally:
        cal.set_extra_holidays([])


def test_absurd_holiday_list_raises_instead_of_looping():
    closed = ArxivCalendar(holidays=[date(2026, 1, 1) + timedelta(days=i) for i in range(120)])
    with pytest.raises(ValueError):
        closed.last_announcement_before(utc(2026, 4, 25))


# -- daylight saving time --------------------------------------------------------------------
def test_dst_spring_forward_week():
    # DST starts Sun 8 Mar 2026 at 02:00. Thu 5 Mar is EST, Sun 8 Mar is already EDT.
    thu = cal.announcement_on(date(2026, 3, 5))
    assert thu.at == utc(2026, 3, 6, 1)
    sun = cal.announcement_on(date(2026, 3, 8))
    assert sun.at == utc(2026, 3, 9, 0)
    # Sunday's window: Thu 14:00 EST (19:00 UTC) -> Fri 14:00 EST.
    assert (sun.window_start, sun.window_end) == (utc(2026, 3, 5, 19), utc(2026, 3, 6, 19))
    mon = cal.announcement_on(date(2026, 3, 9))
    # Monday's window spans the switch: Fri 14:00 EST -> Mon 14:00 EDT is 71 hours, not 72.
    assert (mon.window_start, mon.window_end) == (utc(2026, 3, 6, 19), utc(2026, 3, 9, 18))
    assert mon.window_end - mon.window_start == timedelta(hours=71)


def test_dst_fall_back_week():
    # DST ends Sun 1 Nov 2026 at 02:00.
    assert cal.announcement_on(date(2026, 10, 29)).at == utc(2026, 10, 30, 0)
    mon = cal.announcement_on(date(2026, 11, 2))
    assert mon.at == utc(2026, 11, 3, 1)
    assert (mon.window_start, mon.window_end) == (utc(2026, 10, 30, 18), utc(2026, 11, 2, 19))
    assert mon.window_end - mon.window_start == timedelta(hours=73)


# -- run clocks and the windows of successive runs ---------------------------------------------
def test_run_clock():
    assert cal.run_clock(date(2026, 2, 16)) == utc(2026, 2, 17, 5)
    assert cal.run_clock(date(2026, 7, 6)) == utc(2026, 7, 7, 4)
    fixed = utc(2026, 2, 16, 12)
    assert cal.run_clock(None, now=fixed) == fixed
    real = cal.run_clock()
    assert real.tzinfo is not None and abs(real - datetime.now(UTC)) < timedelta(seconds=5)


def test_runs_monday_then_thursday_cover_tue_wed_thu():
    mon, thu = cal.run_clock(date(2026, 2, 16)), cal.run_clock(date(2026, 2, 19))
    got = cal.announcements_between(mon, thu)
    assert [a.day for a in got] == [date(2026, 2, 17), date(2026, 2, 18), date(2026, 2, 19)]
    # A run covers its own day's 20:00 announcement, and the next run does not repeat it.
    assert [a.day for a in cal.announcements_between(cal.run_clock(date(2026, 2, 15)), mon)] == [
        date(2026, 2, 16)
    ]


def test_run_on_saturday_sees_nothing_new_after_friday():
    fri, sat = cal.run_clock(date(2026, 2, 20)), cal.run_clock(date(2026, 2, 21))
    assert cal.announcements_between(fri, sat) == []
    assert cal.announcements_between(sat, fri) == []


def test_last_and_next_announcement():
    # Friday noon: the latest announcement is Thursday's; 20:00 exactly counts as made.
    assert cal.last_announcement_before(utc(2026, 2, 20, 17)).day == date(2026, 2, 19)
    thu = cal.announcement_on(date(2026, 2, 19))
    assert cal.last_announcement_before(thu.at) == thu
    assert cal.last_announcement_before(thu.at - timedelta(seconds=1)).day == date(2026, 2, 18)
    assert cal.next_announcement_after(thu.at).day == date(2026, 2, 22)  # Sunday


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        cal.last_announcement_before(datetime(2026, 2, 20, 12))
    with pytest.raises(ValueError):
        cal.announcements_between(datetime(2026, 2, 1), utc(2026, 2, 2))
