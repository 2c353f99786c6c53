"""A year of synthetic activity on a platform, written straight to the tables (tests and bench/national_view.py)."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

from tsunagari.finder.models import NeedDailyCount
from tsunagari.knowhow.models import Entry
from tsunagari.membership.models import MemberOrganisation
from tsunagari.programs.models import Event, Registration, TrainingRecord
from tsunagari.reporting.models import UsageDailyCount

JST = ZoneInfo("Asia/Tokyo")


def at(day: datetime.date, hour: int = 14) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), JST)


def year_of_activity(platform: Any, year: int, *, scale: int = 1, with_public_events: bool = True) -> None:
    """Meetings every other month, training and public events, members, needs and portal use for FY `year`.

    Counts per platform (scale 1): 6 meetings with 12 attending, 2 training sessions, 15 training
    records, 12 members, 2 public events with 30 attending, 1 shared know-how entry, needs and
    portal use on 30 days. Call inside a scope that covers `platform`.
    """
    events = []
    for month in (4, 6, 8, 10, 12, 2):
        day = datetime.date(year + (month < 4), month, 10)
        events.append(
            Event(
                platform=platform,
                kind=Event.Kind.MEETING,
                title=f"全体会議 {month}月",
                starts_at=at(day),
                ends_at=at(day, 16),
            )
        )
    for month in (7, 11):
        day = datetime.date(year, month, 20)
        events.append(
            Event(
                platform=platform,
                kind=Event.Kind.TRAINING,
                title="つながりサポーター養成講座",
                starts_at=at(day),
                ends_at=at(day, 16),
            )
        )
    if with_public_events:
        for month in (9, 1):
            day = datetime.date(year + (month < 4), month, 15)
            events.append(
                Event(
                    platform=platform,
                    kind=Event.Kind.PUBLIC_EVENT,
                    audience=Event.Audience.PUBLIC,
                    title="孤独・孤立を考えるフォーラム",
                    starts_at=at(day),
                    ends_at=at(day, 16),
                )
            )
    Event.objects.bulk_create(events)
    registrations = []
    for event in events:
        people = 15 if event.kind == Event.Kind.PUBLIC_EVENT else 2
        for i in range(people * scale):
            registrations.append(
                Registration(platform=platform, event=event, name=f"参加者{i}", status="confirmed", attended=True)
            )
    Registration.objects.bulk_create(registrations)
    TrainingRecord.objects.bulk_create(
        TrainingRecord(
            platform=platform,
            attendee_name=f"受講者{i}",
            course="つながりサポーター養成講座",
            completed_on=datetime.date(year, 7 if i % 2 else 11, 20),
        )
        for i in range(15 * scale)
    )
    MemberOrganisation.objects.bulk_create(
        MemberOrganisation(
            platform=platform,
            name=f"会員団体{i}",
            kind=MemberOrganisation.Kind.NPO if i % 3 else MemberOrganisation.Kind.COUNCIL,
            status=MemberOrganisation.Status.APPROVED,
            decided_at=at(datetime.date(year, 5, 1 + i % 28)),
            contact_name="担当者",
            contact_email=f"m{i}@example.jp",
        )
        for i in range(12 * scale)
    )
    entry = Entry.objects.create(
        platform=platform, title="民生委員と社協の見守り連携", body="月1回の情報交換。", scope=Entry.Scope.SHARED
    )
    Entry.objects.filter(pk=entry.pk).update(created_at=at(datetime.date(year, 8, 1)))
    days = [datetime.date(year, 4, 1) + datetime.timedelta(days=12 * i) for i in range(30)]
    NeedDailyCount.objects.bulk_create(
        NeedDailyCount(platform=platform, date=day, need_code=code, count=3 * scale)
        for day in days
        for code in ("loneliness", "hikikomori")
    )
    UsageDailyCount.objects.bulk_create(
        UsageDailyCount(platform=platform, date=day, kind=kind, count=n * scale)
        for day in days
        for kind, n in (("visit", 40), ("search", 12), ("chat", 2))
    )
