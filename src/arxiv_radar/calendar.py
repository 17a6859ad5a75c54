"""arXiv's clock: days are New York days, and a run's "now" is the end of its day there."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

__all__ = ["NEW_YORK", "day_end", "day_start", "today"]

NEW_YORK = ZoneInfo("America/New_York")


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
