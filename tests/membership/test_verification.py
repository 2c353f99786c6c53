"""Listings nobody confirmed for a while: an e-mail to the organisation, one button to confirm."""

from __future__ import annotations

import datetime
import re
import time
from collections.abc import Callable
from io import StringIO
from typing import Any
from unittest import mock

import pytest
from django.core import mail, signing
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.membership.rows import council_service
from tsunagari.audit.models import AuditEvent
from tsunagari.directory.models import Service
from tsunagari.membership import actions
from tsunagari.membership.models import MemberOrganisation, PlatformSettings, VerificationRequest, months_before
from tsunagari.tenancy.scoping import platform_scope, scopes_disabled

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def verified(service: Service, days_ago: int) -> None:
    with scopes_disabled():
        Service.objects.filter(pk=service.pk).update(last_verified_on=TODAY - datetime.timedelta(days=days_ago))


@pytest.fixture
def member(kamakura: Any, kamakura_council: Any) -> MemberOrganisation:
    with scopes_disabled():
        return MemberOrganisation.objects.create(
            platform=kamakura,
            organization=kamakura_council,
            status=MemberOrganisation.Status.APPROVED,
            name=kamakura_council.name,
            kind=MemberOrganisation.Kind.COUNCIL,
            contact_name="佐藤 一郎",
            contact_email="council@example.jp",
        )


@pytest.fixture
def run(django_capture_on_commit_callbacks: Any) -> Callable[[], str]:
    """Run the cron command; its e-mails go out when its transactions commit."""

    def run() -> str:
        out = StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_verification_requests", stdout=out)
        return out.getvalue()

    return run


def confirm_links(body: str) -> list[str]:
    return re.findall(r"https?://[^/\s]+(/confirm/\S+/)", body)


def test_stale_listings_are_asked_about_once(
    run: Callable[[], str], kamakura: Any, kamakura_council: Any, member: MemberOrganisation, olga: Any
) -> None:
    stale = council_service(kamakura, kamakura_council, "古い窓口")
    verified(stale, 200)
    fresh = council_service(kamakura, kamakura_council, "新しい窓口")
    verified(fresh, 30)
    never = council_service(kamakura, kamakura_council, "未確認の窓口")
    with scopes_disabled():
        Service.objects.filter(pk=never.pk).update(last_verified_on=None)
    run()
    # One e-mail per address: the member's contact and the organisation's administrator.
    assert sorted(m.to[0] for m in mail.outbox) == ["council@example.jp", "olga@example.jp"]
    body = mail.outbox[0].body
    assert "古い窓口" in body and "未確認の窓口" in body and "新しい窓口" not in body
    assert len(confirm_links(body)) == 2
    with scopes_disabled():
        assert VerificationRequest.objects.count() == 2
    # Cron runs again: nothing new is sent.
    mail.outbox.clear()
    run()
    assert mail.outbox == []
    with scopes_disabled():
        assert VerificationRequest.objects.count() == 2


def test_an_unanswered_request_is_sent_again_after_a_while(
    run: Callable[[], str], kamakura: Any, kamakura_council: Any, member: MemberOrganisation, settings: Any
) -> None:
    stale = council_service(kamakura, kamakura_council)
    verified(stale, 400)
    run()
    with scopes_disabled():
        VerificationRequest.objects.update(
            sent_at=timezone.now() - datetime.timedelta(days=settings.VERIFICATION_REMIND_DAYS + 1)
        )
    mail.outbox.clear()
    run()
    assert len(mail.outbox) == 1


def test_the_platform_chooses_how_many_months(
    run: Callable[[], str], client: Client, alice: Any, kamakura: Any, kamakura_council: Any, member: MemberOrganisation
) -> None:
    service = council_service(kamakura, kamakura_council)
    verified(service, 100)  # over three months, under six
    run()
    assert mail.outbox == []
    client.force_login(alice)
    assert client.post("/kamakura/workspace/listings/settings/", {"verification_months": "3"}).status_code == 302
    with scopes_disabled():
        assert PlatformSettings.objects.get(platform=kamakura).verification_months == 3
        assert AuditEvent.objects.filter(action="listing.settings_changed", actor=alice).exists()
    run()
    assert len(mail.outbox) == 1
    response = client.post("/kamakura/workspace/listings/settings/", {"verification_months": "0"}, follow=True)
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_other_platforms_and_open_data_are_left_alone(
    run: Callable[[], str], kamakura: Any, tottori: Any, national: Any, member: MemberOrganisation, charlie: Any
) -> None:
    from tests.factories import make_service

    verified(make_service(national, "国の窓口"), 1000)
    verified(make_service(kamakura, "会員でない団体の窓口", organization_name="どこか"), 1000)
    run()
    assert mail.outbox == []


def test_one_click_confirms_the_listing(
    run: Callable[[], str], client: Client, kamakura: Any, kamakura_council: Any, member: MemberOrganisation
) -> None:
    service = council_service(kamakura, kamakura_council)
    verified(service, 400)
    run()
    link = confirm_links(mail.outbox[0].body)[0]
    # Opening the link (as mail scanners do) confirms nothing.
    page = client.get(link)
    assert page.status_code == 200
    assert service.name in page.content.decode()
    with scopes_disabled():
        service.refresh_from_db()
    assert service.last_verified_on == TODAY - datetime.timedelta(days=400)
    # The button does.
    assert client.post(link).status_code == 200
    with scopes_disabled():
        service.refresh_from_db()
        request = VerificationRequest.objects.get()
        event = AuditEvent.objects.get(action="listing.confirmed")
    assert service.last_verified_on == TODAY
    assert service.last_verified_by == "鎌倉市社会福祉協議会"
    assert request.confirmed_at is not None
    assert event.platform == kamakura
    assert service.history.first().history_change_reason.startswith("掲載内容の確認")
    # Pressing again changes nothing more.
    assert client.post(link).status_code == 200
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="listing.confirmed").count() == 1


def test_a_forged_or_old_link_does_nothing(
    run: Callable[[], str],
    client: Client,
    kamakura: Any,
    kamakura_council: Any,
    member: MemberOrganisation,
    settings: Any,
) -> None:
    service = council_service(kamakura, kamakura_council)
    verified(service, 400)
    run()
    with scopes_disabled():
        request = VerificationRequest.objects.get()
    assert client.post("/confirm/" + signing.dumps("guess", salt=actions.VERIFICATION_SALT) + "/").status_code == 404
    assert client.post("/confirm/" + request.token + "/").status_code == 404  # unsigned
    assert client.post("/confirm/" + signing.dumps(request.token, salt="other") + "/").status_code == 404
    link = "/confirm/" + actions.verification_token(request) + "/"
    too_late = time.time() + (settings.VERIFICATION_LINK_MAX_AGE_DAYS + 1) * 24 * 60 * 60
    with mock.patch("django.core.signing.time.time", return_value=too_late):
        assert client.post(link).status_code == 404
    with scopes_disabled():
        request.refresh_from_db()
    assert request.confirmed_at is None


def test_months_before_counts_calendar_months() -> None:
    assert months_before(datetime.date(2026, 8, 31), 6) == datetime.date(2026, 2, 28)
    assert months_before(datetime.date(2026, 3, 15), 6) == datetime.date(2025, 9, 15)


def test_confirmation_runs_in_the_listings_platform(
    client: Client, kamakura: Any, kamakura_council: Any, member: MemberOrganisation
) -> None:
    service = council_service(kamakura, kamakura_council)
    verified(service, 400)
    with platform_scope(kamakura, with_national=False):
        assert actions.send_verification_requests(kamakura) == 1
    with scopes_disabled():
        request = VerificationRequest.objects.get()
    assert request.platform == kamakura and request.service == service
