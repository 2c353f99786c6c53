"""Unanswered APPI requests are not forgotten: answer dates, the open-request list, reminders.

Two weeks after a request reached the organisation unanswered, the person may take it to court
(個人情報保護法 第39条). Each open request shows its answer date (received + 14 days) and whether
it is late; the organisation lists its open requests, the earliest due first; its people are
reminded three business days before (weekends, holidays and the new-year break skipped) and once
it is late — once each, with no personal data in the e-mail;
no other organisation or platform sees the request.
"""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.cases.walk import PERSON_LISTS, case_urls
from tests.conftest import make_user, with_totp
from tsunagari.accounts.models import Membership, Role
from tsunagari.cases import actions
from tsunagari.cases.models import ANSWER_DAYS, Notification, PersonRequest
from tsunagari.cases.notify import request_reminders
from tsunagari.lib.businessdays import add_business_days
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db

BASE = "/kamakura/workspace/cases/"
LIST = BASE + "requests/"
ASKED = "住所の番地が違うので直してほしい"  # the fixture's request
# What no reminder may contain: the person's name, birth date, note, and what she asked.
PERSONAL = ["鎌倉 花子", "花子", "1950-05-06", "1950年5月6日", "玄関", ASKED, "番地", "持っている情報"]


def today() -> date:
    return timezone.localdate()


def due_in_business_days(request: PersonRequest, days: int) -> None:
    """Set the request's answer date `days` business days from today."""
    with scopes_disabled():
        due = add_business_days(today(), days)
        PersonRequest.objects.filter(pk=request.pk).update(received_on=due - timedelta(days=ANSWER_DAYS))
        request.refresh_from_db()


def received(request: PersonRequest, days_ago: int) -> None:
    with scopes_disabled():
        PersonRequest.objects.filter(pk=request.pk).update(received_on=today() - timedelta(days=days_ago))
        request.refresh_from_db()


def another_request(rows: dict[str, Any], days_ago: int, kind: str = "disclosure") -> PersonRequest:
    with scopes_disabled():
        return actions.record_request(
            rows["person"],
            organization_id=rows["person"].registered_by_id,
            actor=None,
            kind=kind,
            received_on=today() - timedelta(days=days_ago),
            channel="written",
            asked="持っている情報を全部見せてほしい",
        )


def kinds(user: Any) -> list[str]:
    with scopes_disabled():
        return sorted(Notification.objects.filter(user=user).values_list("kind", flat=True))


def reminders(django_capture_on_commit_callbacks: Any) -> str:
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_case_reminders", stdout=out)
    return out.getvalue()


def request_row(body: str, request: PersonRequest) -> str:
    return body.split(f'id="request-{request.pk}"')[1].split("</tr>")[0]


def test_the_answer_date_is_two_weeks_after_the_request_arrived(case_rows: dict[str, Any]) -> None:
    request = case_rows["person_request"]
    received(request, ANSWER_DAYS)
    assert request.due_on == today() and not request.is_overdue(today())
    assert request.is_overdue(today() + timedelta(days=1))
    request.decision = PersonRequest.Decision.DONE
    assert not request.is_overdue(today() + timedelta(days=30))  # answered: never late


def test_the_persons_page_shows_the_answer_date_and_lateness(
    client: Client, olga: Any, case_rows: dict[str, Any]
) -> None:
    request = case_rows["person_request"]
    client.force_login(olga)
    person = f"{BASE}persons/{case_rows['person'].pk}/"
    body = client.get(person).content.decode()
    row = request_row(body, request)
    assert f"{request.due_on:%Y-%m-%d}" in row and "未回答" in row and "回答期限を過ぎています" not in row
    received(request, ANSWER_DAYS + 1)
    row = request_row(client.get(person).content.decode(), request)
    assert f"{today() - timedelta(days=1):%Y-%m-%d}" in row and "回答期限を過ぎています" in row
    with scopes_disabled():
        actions.answer_request(request, actor=olga, decision="done", answered_on=today())
    row = request_row(client.get(person).content.decode(), request)
    assert "回答期限を過ぎています" not in row and "未回答" not in row


def test_the_open_requests_are_listed_earliest_due_first(client: Client, olga: Any, case_rows: dict[str, Any]) -> None:
    fixture = case_rows["person_request"]  # received today
    late = another_request(case_rows, ANSWER_DAYS + 3)
    near = another_request(case_rows, ANSWER_DAYS - 2, kind="stop_use")
    answered = another_request(case_rows, ANSWER_DAYS + 5)
    with scopes_disabled():
        actions.answer_request(answered, actor=olga, decision="done", answered_on=today())
    client.force_login(olga)
    body = client.get(LIST).content.decode()
    assert [body.index(f'id="request-{r.pk}"') for r in (late, near, fixture)] == sorted(
        body.index(f'id="request-{r.pk}"') for r in (late, near, fixture)
    )
    assert f'id="request-{answered.pk}"' not in body
    assert "回答期限を過ぎた請求が 1 件あります。" in body
    assert "回答期限を過ぎています" in request_row(body, late)
    for request in (near, fixture):
        assert "回答期限を過ぎています" not in request_row(body, request) and "未回答" in request_row(body, request)
    assert f"{late.due_on:%Y-%m-%d}" in request_row(body, late)
    assert "鎌倉 花子" in request_row(body, near)
    assert f"{BASE}requests/{near.pk}/answer/" in request_row(body, near)
    # The list is reached from the case list and the workspace's first page.
    assert LIST in client.get(BASE).content.decode()
    home = client.get("/kamakura/workspace/").content.decode()
    assert "回答期限を過ぎた本人からの請求" in home and "回答期限まで3営業日以内の本人からの請求" in home
    assert "花子" not in home


def test_reminders_three_days_before_and_once_late_without_personal_data(
    olga: Any, sam: Any, case_rows: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    request = case_rows["person_request"]
    due_in_business_days(request, 4)  # four business days left: nothing yet
    reminders(django_capture_on_commit_callbacks)
    assert "request_due_soon" not in kinds(olga)
    due_in_business_days(request, 3)  # three business days left
    reminders(django_capture_on_commit_callbacks)
    reminders(django_capture_on_commit_callbacks)  # the same day again: nothing more
    assert kinds(olga).count("request_due_soon") == 1 and kinds(sam).count("request_due_soon") == 1
    received(request, ANSWER_DAYS - 1)  # the next days: still once
    reminders(django_capture_on_commit_callbacks)
    assert kinds(olga).count("request_due_soon") == 1
    received(request, ANSWER_DAYS + 1)  # late
    reminders(django_capture_on_commit_callbacks)
    received(request, ANSWER_DAYS + 4)
    reminders(django_capture_on_commit_callbacks)
    assert kinds(olga).count("request_overdue") == 1 and kinds(sam).count("request_overdue") == 1
    # Only the organisation the request was made to: not the centre it was referred to, nor Dora's.
    for outsider in (case_rows["rita"], case_rows["dora"]):
        assert not {"request_due_soon", "request_overdue"} & set(kinds(outsider))
    sent = [m for m in mail.outbox if "本人からの請求" in m.subject]
    assert sorted(m.to[0] for m in sent) == sorted([olga.email, olga.email, sam.email, sam.email])
    for message in sent:
        text = message.subject + message.body
        assert LIST in text
        for value in PERSONAL:
            assert value not in text, (value, message.subject)
    with scopes_disabled():
        for notification in Notification.objects.filter(kind__startswith="request_"):
            assert notification.link == LIST and notification.key.split(":")[1] == str(request.pk)


def test_the_reminder_leaves_three_working_days_before_a_holiday_answer_date(
    olga: Any, case_rows: dict[str, Any]
) -> None:
    """Received 21 December 2026: the answer date is 4 January 2027 (two calendar weeks, as the law
    counts), a Monday after the new-year break. Three calendar days before would be New Year's Day,
    with nobody at work until the answer date itself; three business days before is 24 December."""
    request = case_rows["person_request"]
    with scopes_disabled():
        PersonRequest.objects.filter(pk=request.pk).update(received_on=date(2026, 12, 21))
        request.refresh_from_db()
        assert request.due_on == date(2027, 1, 4) and request.warn_on == date(2026, 12, 24)
        assert request_reminders(request.platform, date(2026, 12, 23)) == 0
        assert request_reminders(request.platform, date(2026, 12, 24)) >= 1
        assert request_reminders(request.platform, date(2027, 1, 1)) == 0  # told once
        assert not request.is_overdue(date(2027, 1, 4)) and request.is_overdue(date(2027, 1, 5))
    assert kinds(olga).count("request_due_soon") == 1


def test_a_late_request_recorded_late_gets_one_reminder(
    olga: Any, case_rows: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    received(case_rows["person_request"], ANSWER_DAYS + 2)
    reminders(django_capture_on_commit_callbacks)
    assert [k for k in kinds(olga) if k.startswith("request_")] == ["request_overdue"]


def test_a_reminder_made_by_another_run_is_not_made_again(
    olga: Any, case_rows: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    """Idempotence lives in the database (one row per person and key), not in the process."""
    request = case_rows["person_request"]
    received(request, ANSWER_DAYS + 1)
    with scopes_disabled():
        # As another process running the command at the same time would have left it.
        Notification.objects.create(
            platform=request.platform, user=olga, kind="request_overdue", key=f"request-overdue:{request.pk}", link=LIST
        )
    reminders(django_capture_on_commit_callbacks)
    assert kinds(olga).count("request_overdue") == 1
    assert not [m for m in mail.outbox if olga.email in m.to and "本人からの請求" in m.subject]


def test_answered_requests_are_not_reminded(
    olga: Any, case_rows: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    request = case_rows["person_request"]
    received(request, ANSWER_DAYS + 1)
    with scopes_disabled():
        actions.answer_request(request, actor=olga, decision="refused", answered_on=today(), reason="確認できない")
    reminders(django_capture_on_commit_callbacks)
    assert not [k for k in kinds(olga) if k.startswith("request_")]


def test_no_other_organisation_or_platform_sees_the_requests(
    client: Client, olga: Any, case_rows: dict[str, Any], tottori: Any
) -> None:
    received(case_rows["person_request"], ANSWER_DAYS + 1)
    # The centre holds her through the accepted referral, Dora's organisation not at all: neither
    # sees the request made to the council, on the list, the person's page or the first page.
    client.force_login(case_rows["rita"])
    referral = f"{BASE}referrals/{case_rows['referral'].pk}/move/"
    assert client.post(referral, {"to": "accepted"}).status_code == 302
    for user in (case_rows["rita"], case_rows["dora"]):
        client.force_login(user)
        body = client.get(LIST).content.decode()
        assert client.get(LIST).status_code == 200
        assert f'id="request-{case_rows["person_request"].pk}"' not in body and "花子" not in body
        assert "本人からの請求" not in client.get("/kamakura/workspace/").content.decode()
    client.force_login(case_rows["rita"])
    assert ASKED not in client.get(f"{BASE}persons/{case_rows['person'].pk}/").content.decode()
    # Staff of another platform: Kamakura's list is 404, their own list is empty of Kamakura's.
    from tsunagari.councils import actions as council_actions
    from tsunagari.councils.models import Basis as CouncilBasis
    from tsunagari.councils.models import Council
    from tsunagari.directory.models import Organization

    toru = with_totp(make_user("toru"))
    with scopes_disabled():
        their_org = Organization.objects.create(platform=tottori, name="鳥取市社協")
        Membership.objects.create(user=toru, platform=tottori, role=Role.ORG_ADMIN, organization=their_org)
        group = Council.objects.create(platform=tottori, name="鳥取つなぎ", basis=CouncilBasis.CONSENT_GROUP)
        council_actions.add_member(group, their_org, actor=None)
        council_actions.sign_pledge(group, user=toru, organization=their_org)
    client.force_login(toru)
    assert client.get(LIST).status_code == 404
    own = client.get(f"/{tottori.slug}/workspace/cases/requests/")
    assert own.status_code == 200
    assert f'id="request-{case_rows["person_request"].pk}"' not in own.content.decode()
    assert "花子" not in own.content.decode()


@pytest.mark.parametrize("who", ["dora", "rita"])
def test_no_case_list_page_shows_the_person_to_an_outsider(client: Client, case_rows: dict[str, Any], who: str) -> None:
    """The probe for case URLs without an id (tests/cases/walk.py PERSON_LISTS): no name, no request."""
    client.force_login(case_rows[who])
    lists = [path for name, path in case_urls(case_rows) if name in PERSON_LISTS]
    assert len(lists) == len(PERSON_LISTS)
    for path in lists:
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.content.decode()
        assert "花子" not in body and ASKED not in body, path


def test_a_request_is_answered_after_the_organisation_stopped_holding_the_person(
    client: Client, olga: Any, case_rows: dict[str, Any]
) -> None:
    """A withdrawn consent ends the council's access to her record, not its duty to answer her request."""
    from tsunagari.cases.access import visible_persons
    from tsunagari.cases.models import Consent, Referral, Status

    request = case_rows["person_request"]
    with scopes_disabled():
        Consent.objects.filter(person=case_rows["person"]).update(withdrawn_at=timezone.now())
        Referral.objects.filter(person=case_rows["person"]).update(status=Status.CANCELLED)
        council = frozenset({request.organization_id})
        assert not visible_persons(council, request.platform_id, today()).filter(pk=request.person_id).exists()
    answer = f"{BASE}requests/{request.pk}/answer/"
    client.force_login(olga)
    row = request_row(client.get(LIST).content.decode(), request)
    assert "花子" not in row and answer in row
    page = client.get(answer)
    assert page.status_code == 200
    body = page.content.decode()
    assert "花子" not in body and "記録をもう持っていません" in body
    assert client.get(f"{BASE}persons/{request.person_id}/").status_code == 404  # the record stays out of sight
    response = client.post(answer, {"decision": "done", "answered_on": f"{today():%Y-%m-%d}"})
    assert response.status_code == 302 and response["Location"] == LIST
    request.refresh_from_db()
    assert request.decision == PersonRequest.Decision.DONE
    # Nobody else answers it: another organisation of the platform gets nothing.
    client.force_login(case_rows["dora"])
    assert client.get(answer).status_code == 404
