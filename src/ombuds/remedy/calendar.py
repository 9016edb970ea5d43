"""Working-day arithmetic for appeal deadlines: weekends and the agency's public holidays do not
count. Plain functions on dates, so every rule is tested without a database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable


def holiday_set(holidays: Iterable[str | dt.date] | None) -> frozenset[dt.date]:
    out = set()
    for h in holidays or ():
        out.add(h if isinstance(h, dt.date) else dt.date.fromisoformat(str(h)))
    return frozenset(out)


def is_working_day(day: dt.date, holidays: Iterable = ()) -> bool:
    return day.weekday() < 5 and day not in holiday_set(holidays)


def add_working_days(start: dt.date, days: int, holidays: Iterable = ()) -> dt.date:
    """The date `days` working days after `start` (the day of receipt does not count)."""
    hols = holiday_set(holidays)
    day = start
    left = days
    while left > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in hols:
            left -= 1
    return day


def working_days_between(start: dt.date, end: dt.date, holidays: Iterable = ()) -> int:
    """Working days after `start` up to and including `end` (negative when end is earlier)."""
    if end < start:
        return -working_days_between(end, start, holidays)
    hols = holiday_set(holidays)
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in hols:
            count += 1
    return count
