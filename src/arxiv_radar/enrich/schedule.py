"""When to ask a source again.

"unknown" (a failure, or not asked in time) is asked at the next run. "none" is asked again on a
back-off counted in run days (1, 3, 7, 14, then every 30 days): authors often publish code weeks
after the paper. The step in force is written into the row's ``detail`` ("re-check in 7 d"), so
the schedule needs no column of its own and a report shows it as it is.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

__all__ = ["BACKOFF_DAYS", "next_none_check", "backoff_detail", "is_due"]

BACKOFF_DAYS: tuple[int, ...] = (1, 3, 7, 14, 30)

_STEP = re.compile(r"re-check in (\d+) d\b")


def _previous_step(prev_status: str | None, prev_detail: str | None) -> int | None:
    if prev_status != "none" or not prev_detail:
        return None
    m = _STEP.search(prev_detail)
    return int(m.group(1)) if m else None


def next_none_check(day: date, prev_status: str | None, prev_detail: str | None,
                    steps: tuple[int, ...] = BACKOFF_DAYS) -> tuple[date, int]:
    """(next check day, step in days) after a source answered "none" on run day ``day``.

    The first "none" (or one after a found/unknown answer) waits ``steps[0]`` days; each further
    "none" waits the next longer step, and the last step repeats.
    """
    prev = _previous_step(prev_status, prev_detail)
    if prev is None:
        step = steps[0]
    else:
        step = next((s for s in steps if s > prev), steps[-1])
    return day + timedelta(days=step), step


def backoff_detail(step: int, note: str | None = None) -> str:
    text = f"no code; re-check in {step} d"
    return f"{text} ({note})" if note else text


def is_due(status: str | None, next_check: str | date | None, day: date) -> bool:
    """Should a source be asked about a paper on run day ``day``, given its stored answer?"""
    if status is None or status == "unknown":
        return True
    if status == "found":
        return False
    if next_check is None:
        return True
    when = next_check if isinstance(next_check, date) else date.fromisoformat(str(next_check)[:10])
    return when <= day
