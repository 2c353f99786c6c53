"""Case notifications (issue 11 item 8): what triggers them, business days, idempotence, no personal data in e-mail."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client

from tests.cases.rows import consent_to_share
from tsunagari.cases.models import Consent, FollowUpTask, Notification, Referral
from tsunagari.lib.businessdays import add_business_days, is_business_day
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")

# What no e-mail may ever contain: the person's name (and parts of it), birth date, note and need.
PERSONAL = ["鎌倉 花子", "花子", "1950-05-06", "1950年5月6日", "1950/05/06", "玄関", "見守りと買い物", "自宅を訪問"]


def kinds(user: Any) -> list[str]:
    with scopes_disabled():
        return sorted(Notification.objects.filter(user=user).values_list("kind", flat=True))


@pytest.fixture
def mailed(django_capture_on_commit_callbacks: Any) -> Any:
    """Run a step and send its e-mails (they leave after the commit the test transaction never makes)."""

    def run(step: Any, *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return step(*args, **kwargs)

    return run


def reminders() -> str:
    out = StringIO()
    call_command("send_case_reminders", stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (date(2026, 12, 3), date(2026, 12, 8)),  # Thursday: Friday, Monday, Tuesday
        (date(2026, 12, 25), date(2027, 1, 5)),  # the year-end break 12/29–1/3
        (date(2026, 5, 1), date(2026, 5, 11)),  # Golden Week (5/4, 5/5, substitute holiday 5/6)
        (date(2026, 9, 18), date(2026, 9, 28)),  # 敬老の日 9/21, 国民の休日 9/22, 秋分の日 9/23
    ],
)
def test_three_business_days(start: date, due: date) -> None:
    assert add_business_days(start, 3) == due
    assert not is_business_day(date(2027, 1, 2)) and not is_business_day(date(2026, 11, 23))


def test_referral_events_notify_the_other_side(
    client: Client, olga: Any, case_rows: dict[str, Any], mailed: Any
) -> None:
    rita = case_rows["rita"]
    client.force_login(olga)
    # A fresh referral sent by Olga reaches Rita's organisation.
    with scopes_disabled():
        referral = Referral.objects.create(
            platform=case_rows["person"].platform,
            person=case_rows["person"],
            sender=case_rows["person"].registered_by,
            receiver=case_rows["centre"],
            need="見守りと買い物の支援",
        )
    consent_to_share(case_rows["person"], sender=case_rows["person"].registered_by, receiver=case_rows["centre"])
    mailed(client.post, f"/kamakura/workspace/cases/referrals/{referral.pk}/move/", {"to": "requested"})
    assert kinds(rita) == ["referral_new"]
    client.force_login(rita)
    mailed(client.post, f"/kamakura/workspace/cases/referrals/{referral.pk}/move/", {"to": "accepted"})
    mailed(
        client.post,
        f"/kamakura/workspace/cases/referrals/{case_rows['referral'].pk}/move/",
        {"to": "rejected", "reason": "枠がない"},
    )
    assert kinds(olga) == ["referral_accepted", "referral_rejected"]
    assert [m.to for m in mail.outbox] == [[rita.email], [olga.email], [olga.email]]
    # In the app, with a link and an unread count.
    client.force_login(olga)
    body = client.get("/kamakura/workspace/cases/notifications/").content.decode()
    assert f"/kamakura/workspace/cases/referrals/{referral.pk}/" in body
    client.post("/kamakura/workspace/cases/notifications/read/")
    with scopes_disabled():
        assert not Notification.objects.filter(user=olga, read_at__isnull=True).exists()


def test_an_unanswered_referral_is_reminded_once_after_three_business_days(
    olga: Any, case_rows: dict[str, Any], mailed: Any
) -> None:
    rita = case_rows["rita"]
    with scopes_disabled():
        # Sent on Friday 25 December: the year-end break means the answer is due on 5 January.
        Referral.objects.filter(pk=case_rows["referral"].pk).update(
            requested_at=datetime(2026, 12, 25, 10, tzinfo=TOKYO)
        )
    with time_machine.travel(datetime(2027, 1, 5, 9, tzinfo=TOKYO), tick=False):
        mailed(reminders)
    assert "referral_unanswered" not in kinds(rita)
    with time_machine.travel(datetime(2027, 1, 6, 9, tzinfo=TOKYO), tick=False):
        mailed(reminders)
        assert kinds(rita) == ["referral_unanswered"] and "referral_unanswered" in kinds(olga)
        sent = len(mail.outbox)
        assert sent >= 2
        assert "0 件" in mailed(reminders)  # idempotent: the same day again
    with time_machine.travel(datetime(2027, 1, 7, 9, tzinfo=TOKYO), tick=False):
        mailed(reminders)  # and the next day: the same referral is not reminded twice
    assert len(mail.outbox) == sent


def test_expiring_consents_and_due_tasks(olga: Any, case_rows: dict[str, Any]) -> None:
    with scopes_disabled():
        Consent.objects.filter(person=case_rows["person"]).update(expires_on=date.today() + timedelta(days=10))
        FollowUpTask.objects.filter(pk=case_rows["task"].pk).update(due_on=date.today() + timedelta(days=1))
    reminders()
    reminders()
    assert kinds(olga) == ["consent_expiring", "task_due"]
    # A new expiry date is a new reminder.
    with scopes_disabled():
        Consent.objects.filter(person=case_rows["person"]).update(expires_on=date.today() + timedelta(days=12))
    reminders()
    assert kinds(olga) == ["consent_expiring", "consent_expiring", "task_due"]


def test_no_personal_data_in_any_email(client: Client, olga: Any, case_rows: dict[str, Any], mailed: Any) -> None:
    """A realistic week: referral sent, answered late, meeting shared, consent expiring, task due."""
    rita = case_rows["rita"]
    with scopes_disabled():
        Referral.objects.filter(pk=case_rows["referral"].pk).update(
            requested_at=datetime(2026, 11, 2, 10, tzinfo=TOKYO)
        )
        Consent.objects.filter(person=case_rows["person"]).update(expires_on=date.today() + timedelta(days=3))
        FollowUpTask.objects.filter(pk=case_rows["task"].pk).update(due_on=date.today())
    mailed(reminders)
    client.force_login(olga)
    client.post(f"/kamakura/workspace/cases/meetings/{case_rows['meeting'].pk}/participants/", {"user": rita.pk})
    client.force_login(rita)
    mailed(client.post, f"/kamakura/workspace/cases/referrals/{case_rows['referral'].pk}/move/", {"to": "accepted"})
    assert len(mail.outbox) >= 5
    for message in mail.outbox:
        text = message.subject + message.body + "".join(str(a) for a in message.attachments)
        for value in PERSONAL:
            assert value not in text, (value, message.subject)
    # The in-app notifications hold no personal data either (kind and link only).
    with scopes_disabled():
        for notification in Notification.objects.all():
            assert "花子" not in notification.link + notification.key
