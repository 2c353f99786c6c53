"""Demo events for `seed-demo`: a public forum, a members' meeting, a past training course and its record.

Everything is marked （デモ） and idempotent: seeding again finds what is there. Dates are relative to
the day of seeding, so the demo always has something coming up.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from tsunagari.accounts.models import User
from tsunagari.tenancy.models import Platform

from . import actions
from .models import Event, Registration, TrainingRecord

DEMO_PLATFORMS = {
    "kamakura": ("kamakura", "鎌倉市福祉センター 2階ホール"),
    "kyoto-city": ("kyoto", "京都市役所 分庁舎 会議室"),
}


def _at(days: int, hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def seed_events(platforms: dict[str, Platform]) -> None:
    """Call with scopes disabled, after the demo accounts exist."""
    for slug, (prefix, place) in DEMO_PLATFORMS.items():
        platform = platforms[slug]
        coordinator = User.objects.get(username=f"{prefix}-coordinator")
        staff = User.objects.get(username=f"{prefix}-org-staff")
        if Event.objects.filter(platform=platform, title__startswith="（デモ）").exists():
            continue
        actions.create_event(
            platform,
            actor=coordinator,
            kind=Event.Kind.PUBLIC_EVENT,
            title="（デモ）孤独・孤立を考えるフォーラム",
            description="基調講演と、地域で活動する団体によるパネル討論。どなたでも参加できます（参加無料・手話通訳あり）。",
            starts_at=_at(30, 14),
            ends_at=_at(30, 16),
            place=place,
            capacity=100,
            audience=Event.Audience.PUBLIC,
        )
        meeting = actions.create_event(
            platform,
            actor=coordinator,
            kind=Event.Kind.MEETING,
            title="（デモ）第3回 全体会議",
            description="今年度の取組の報告と、相談窓口一覧の更新について。",
            starts_at=_at(14, 10),
            ends_at=_at(14, 12),
            place=place,
            online_url="https://meet.example.invalid/demo",
            capacity=40,
            audience=Event.Audience.MEMBERS,
        )
        # Written directly, not through actions.register: the demo should not e-mail its accounts.
        Registration.objects.create(platform=platform, event=meeting, user=staff, status=Registration.Status.CONFIRMED)
        course = actions.create_event(
            platform,
            actor=coordinator,
            kind=Event.Kind.TRAINING,
            title="（デモ）つながりサポーター養成講座",
            description="孤独・孤立に気づき、声をかけ、つなぐための基礎講座（90分）。",
            starts_at=_at(-20, 13),
            ends_at=_at(-20, 15),
            place=place,
            capacity=30,
            audience=Event.Audience.PUBLIC,
        )
        attended = Registration.objects.create(
            platform=platform, event=course, user=staff, status=Registration.Status.CONFIRMED
        )
        resident = Registration.objects.create(
            platform=platform,
            event=course,
            name="（デモ）住民 一郎",
            phone="000-0000-0000",
            status=Registration.Status.CONFIRMED,
        )
        actions.mark_attendance(course, {attended.pk, resident.pk}, actor=coordinator)
        if not TrainingRecord.objects.filter(platform=platform, event__isnull=True).exists():
            actions.record_training(
                platform,
                actor=coordinator,
                attendee_name="（デモ）民生委員 花子",
                organisation="（デモ）民生委員児童委員協議会",
                course="ゲートキーパー養成研修",
                completed_on=timezone.localdate() - datetime.timedelta(days=45),
            )
