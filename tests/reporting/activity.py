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


# Referrals closed in a year of joint support, by outcome (scale 1): 18 closed, 6 still open.
OUTCOMES = {
    "got_help": 10,
    "could_not_contact": 2,
    "not_eligible": 1,
    "no_capacity": 2,
    "declined": 2,
    "no_longer_needed": 1,
}


def year_of_joint_support(platform: Any, year: int, *, scale: int = 1) -> dict[str, int]:
    """Referrals with their outcomes, concerns and a survey for FY `year` (the figures of the pilot
    and situation items), written straight to the tables. Needs the cases' field keys (settings
    CASES_FIELD_KEYS, CASES_LOOKUP_KEY). Call inside a scope that covers `platform`.

    Counts per platform (scale 1): 24 referrals sent, 18 of them closed with an outcome (OUTCOMES),
    15 concerns received, 1 survey run. Returns those counts.
    """
    from tsunagari.cases.models import Outcome, Person, Referral, Status
    from tsunagari.councils.models import Concern, Urgency
    from tsunagari.directory.models import Organization
    from tsunagari.surveys.models import Survey

    sender, receiver = Organization.objects.bulk_create(
        [
            Organization(platform=platform, name="社会福祉協議会（見本）"),
            Organization(platform=platform, name="地域包括支援センター（見本）"),
        ]
    )
    person = Person(platform=platform, registered_by=sender, name="見本 太郎", birth_date=datetime.date(1950, 1, 1))
    person.save()
    outcomes = [code for code, n in OUTCOMES.items() for _i in range(n * scale)]
    sent = 24 * scale
    referrals = []
    for i in range(sent):
        requested = at(datetime.date(year, 4 + i % 9, 1 + i % 28))
        outcome = outcomes[i] if i < len(outcomes) else ""
        closed = outcome != ""
        referrals.append(
            Referral(
                platform=platform,
                person=person,
                sender=sender,
                receiver=receiver,
                need="（見本）",
                need_code="elderly",
                status=(Status.COMPLETED if outcome == Outcome.GOT_HELP else Status.FAILED)
                if closed
                else Status.REQUESTED,
                requested_at=requested,
                closed_at=requested + datetime.timedelta(days=20) if closed else None,
                outcome=outcome,
            )
        )
    Referral.objects.bulk_create(referrals)
    concerns = 15 * scale
    Concern.objects.bulk_create(
        Concern(
            platform=platform,
            what="（見本）",
            place="（見本）",
            urgency=Urgency.WATCH,
            received_at=at(datetime.date(year + (month < 4), month, 3)),
            due_at=at(datetime.date(year + (month < 4), month, 17)),
        )
        for month in (1 + (4 + i) % 12 for i in range(concerns))
    )
    survey = Survey.objects.create(platform=platform, title="地域のつながりに関する調査", status=Survey.Status.CLOSED)
    Survey.objects.filter(pk=survey.pk).update(created_at=at(datetime.date(year, 6, 1)))
    return {"referrals": sent, "referrals_closed": len(outcomes), "concerns": concerns, "surveys_run": 1}
