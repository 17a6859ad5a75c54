"""The re-check schedule: unknown next run, none on a back-off counted in run days."""

from __future__ import annotations

from datetime import date

from arxiv_radar.enrich.schedule import BACKOFF_DAYS, backoff_detail, is_due, next_none_check

D = date(2025, 3, 2)


def test_backoff_grows_then_repeats_its_last_step():
    status, detail, day, waits = None, None, D, []
    for _ in range(7):
        nxt, step = next_none_check(day, status, detail)
        waits.append((nxt - day).days)
        status, detail, day = "none", backoff_detail(step, "not on Hugging Face"), nxt
    assert waits == [1, 3, 7, 14, 30, 30, 30]
    assert BACKOFF_DAYS == (1, 3, 7, 14, 30)


def test_backoff_restarts_after_a_failure_or_a_find():
    assert next_none_check(D, "unknown", "re-check in 14 d")[1] == 1
    assert next_none_check(D, "found", None)[1] == 1
    assert next_none_check(D, "none", "garbled")[1] == 1


def test_due():
    assert is_due(None, None, D)  # never asked
    assert is_due("unknown", "2025-03-09", D)  # a failure is always asked again
    assert not is_due("found", None, D)
    assert not is_due("none", "2025-03-03", D)
    assert is_due("none", "2025-03-02", D)
    assert is_due("none", date(2025, 3, 1), D)
    assert is_due("none", None, D)
