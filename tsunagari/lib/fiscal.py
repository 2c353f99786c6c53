"""The Japanese fiscal year (年度): April 1 to March 31, dated in Japan time."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings


def fiscal_year_of(day: datetime.date) -> int:
    """The fiscal year a day falls in (2026 for 2027-03-31)."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_param(value: str | None) -> int | None:
    """The year of a `?year=` link (the programme report's links to the records it counted), or None."""
    value = (value or "").strip()
    if value.isdigit() and 2000 <= int(value) <= 2100:
        return int(value)
    return None


def fiscal_year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """The fiscal year's first moment and the next year's first moment, in Japan time."""
    zone = ZoneInfo(settings.TIME_ZONE)
    return (
        datetime.datetime(year, 4, 1, tzinfo=zone),
        datetime.datetime(year + 1, 4, 1, tzinfo=zone),
    )
