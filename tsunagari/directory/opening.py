"""Whether a service is open at a moment, from its stored weekly schedules."""

from __future__ import annotations

import datetime
from typing import NamedTuple

from django.utils import timezone

from tsunagari.lib.hours import ParsedHours, WeeklyOpening, is_open_at

from .models import Schedule, Service

BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# The columns of a Schedule that decide opening, in this order, for reading them as plain rows.
SCHEDULE_FIELDS = (
    "byday",
    "opens_at",
    "closes_at",
    "open_24h",
    "closed_on_holidays",
    "closed_year_end",
    "closed_dates",
    "closed_unlisted_days",
)


class ScheduleRow(NamedTuple):
    """A Schedule read with values_list(*SCHEDULE_FIELDS): what hours_from_schedules needs, 10× cheaper."""

    byday: str
    opens_at: datetime.time | None
    closes_at: datetime.time | None
    open_24h: bool
    closed_on_holidays: bool
    closed_year_end: bool
    closed_dates: str
    closed_unlisted_days: bool


def format_closed_dates(dates: tuple[tuple[int, int], ...] | list[tuple[int, int]]) -> str:
    """(month, day) pairs as stored in Schedule.closed_dates: ``06-23,01-01``."""
    return ",".join(f"{month:02d}-{day:02d}" for month, day in dates)


def parse_closed_dates(text: str) -> tuple[tuple[int, int], ...]:
    """The (month, day) pairs of Schedule.closed_dates, sorted; the inverse of format_closed_dates."""
    pairs = {tuple(int(n) for n in part.split("-", 1)) for part in text.split(",") if "-" in part}
    return tuple(sorted((month, day) for month, day in pairs))


def byday_to_weekdays(byday: str) -> tuple[int, ...]:
    """The weekdays open every week; monthly entries such as ``3SA`` are not among them."""
    return tuple(sorted(BYDAY.index(day) for day in byday.split(",") if day in BYDAY))


def weekdays_to_byday(weekdays: tuple[int, ...]) -> str:
    return ",".join(BYDAY[day] for day in sorted(weekdays))


def opening_byday(opening: WeeklyOpening) -> str:
    """RFC 5545 BYDAY of an opening: ``MO,TU`` weekly, ``2SA`` or ``1WE,3WE`` for the n-th weekdays of a month."""
    if not opening.weeks_of_month:
        return weekdays_to_byday(opening.weekdays)
    return ",".join(f"{week}{BYDAY[day]}" for day in opening.weekdays for week in opening.weeks_of_month)


def is_monthly(byday: str) -> bool:
    return any(part[:1].isdigit() for part in byday.split(","))


def opening_from_byday(byday: str, opens_at: datetime.time, closes_at: datetime.time) -> WeeklyOpening:
    """The opening a stored Schedule stands for (the inverse of opening_byday)."""
    if not is_monthly(byday):
        return WeeklyOpening(byday_to_weekdays(byday), opens_at, closes_at)
    pairs = [(part[-2:], int(part[:-2])) for part in byday.split(",") if part[-2:] in BYDAY and part[:-2].isdigit()]
    weekdays = tuple(sorted({BYDAY.index(day) for day, _week in pairs}))
    weeks = tuple(sorted({week for _day, week in pairs}))
    return WeeklyOpening(weekdays, opens_at, closes_at, weeks_of_month=weeks)


def hours_from_schedules(schedules: list[Schedule] | list[ScheduleRow]) -> ParsedHours | None:
    """The schedules of a service as ParsedHours, so that lib.hours decides open or closed."""
    if not schedules:
        return None
    openings = tuple(
        opening_from_byday(s.byday, s.opens_at, s.closes_at)
        for s in schedules
        if s.opens_at and s.closes_at and not s.open_24h
    )
    return ParsedHours(
        openings=openings,
        open_24h=any(s.open_24h for s in schedules),
        closed_on_holidays=any(s.closed_on_holidays for s in schedules),
        closed_year_end=any(s.closed_year_end for s in schedules),
        days_assumed=False,
        parsed=True,
        closed_dates=tuple(sorted({pair for s in schedules for pair in parse_closed_dates(s.closed_dates)})),
        closed_unlisted_days=any(s.closed_unlisted_days for s in schedules),
    )


def is_open(service: Service, when: datetime.datetime | None = None) -> bool | None:
    """True or False when the schedules say; None when we do not know (no or unparsed hours)."""
    if service.hours_parsed is False:
        return None
    hours = hours_from_schedules(list(service.schedules.all()))
    if hours is None:
        return None
    return is_open_at(hours, when or timezone.now())
