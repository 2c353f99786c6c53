"""Japanese business days: no weekends, no national holidays (jpholiday), no year-end break (12/29–1/3)."""

from __future__ import annotations

from datetime import date, timedelta

import jpholiday


def is_business_day(day: date) -> bool:
    if day.weekday() >= 5 or jpholiday.is_holiday(day):
        return False
    # The year-end and new-year break of public offices (行政機関の休日に関する法律).
    return not ((day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3))


def add_business_days(start: date, days: int) -> date:
    """The business day `days` business days after `start` (which itself need not be one)."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            days -= 1
    return day


def subtract_business_days(end: date, days: int) -> date:
    """The business day `days` business days before `end` (which itself need not be one)."""
    day = end
    while days > 0:
        day -= timedelta(days=1)
        if is_business_day(day):
            days -= 1
    return day
