"""Issue 14 §5: drafts, deadlines, fees, registering a telephoned resident, cancelling with a confirmation."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from tests.programs.rows import event_fields
from tsunagari.audit.models import AuditEvent
from tsunagari.programs import actions
from tsunagari.programs.models import Event, Registration
from tsunagari.tenancy.scoping import platform_scope, scopes_disabled

pytestmark = pytest.mark.django_db


def public_event(kamakura: Any, alice: Any, **overrides: Any) -> Event:
    with platform_scope(kamakura, with_national=False):
        return actions.create_event(
            kamakura,
            actor=alice,
            **event_fields(audience=Event.Audience.PUBLIC, status=Event.Status.PUBLISHED, **overrides),
        )


def test_a_new_event_is_a_draft_until_published(client: Client, alice: Any, kamakura: Any) -> None:
    client.force_login(alice)
    body = client.get("/kamakura/workspace/events/new/").content.decode()
    selected = body[body.index('name="status"') : body.index("</select>", body.index('name="status"'))]
    assert 'value="draft" selected' in selected


def test_registration_closes_at_the_deadline(kamakura: Any, alice: Any) -> None:
    event = public_event(kamakura, alice, registration_deadline=timezone.now() + datetime.timedelta(days=1))
    assert event.accepts_registrations()
    assert not event.accepts_registrations(timezone.now() + datetime.timedelta(days=2))


def test_the_form_refuses_a_deadline_after_the_start(client: Client, alice: Any, kamakura: Any) -> None:
    client.force_login(alice)
    day = timezone.localdate() + datetime.timedelta(days=7)
    response = client.post(
        "/kamakura/workspace/events/new/",
        {
            "kind": "public_event",
            "title": "講演会",
            "starts_at": f"{day:%Y-%m-%d}T14:00",
            "ends_at": f"{day:%Y-%m-%d}T16:00",
            "registration_deadline": f"{day:%Y-%m-%d}T15:00",
            "place": "会議室",
            "audience": "public",
            "status": "draft",
            "registration_open": "on",
        },
    )
    assert response.status_code == 400
    assert "申込締切は開始より前" in response.content.decode()


def test_a_coordinator_registers_a_resident_who_telephoned_even_after_the_deadline(
    client: Client, alice: Any, kamakura: Any, django_capture_on_commit_callbacks: Any
) -> None:
    event = public_event(kamakura, alice, fee="500円（資料代）", audience_note="子育て中の方")
    with scopes_disabled():
        Event.objects.filter(pk=event.pk).update(registration_deadline=timezone.now() - datetime.timedelta(hours=1))
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/kamakura/workspace/events/{event.pk}/registrations/new/",
            {"name": "鈴木 花子", "phone": "0467-11-2222", "email": "hanako@example.jp"},
        )
    assert response.status_code == 302
    with scopes_disabled():
        registration = Registration.objects.get(event=event)
        assert registration.name == "鈴木 花子" and registration.status == Registration.Status.CONFIRMED
        logged = AuditEvent.objects.get(action="event.registered_on_behalf")
    assert "鈴木" not in str(logged.changes)  # residents' names stay out of the log
    assert mail.outbox[-1].to == ["hanako@example.jp"]
    page = client.get(f"/kamakura/workspace/events/{event.pk}/").content.decode()
    assert "500円（資料代）" in page and "子育て中の方" in page


def test_member_staff_cannot_register_someone_else(client: Client, sam: Any, alice: Any, kamakura: Any) -> None:
    event = public_event(kamakura, alice)
    client.force_login(sam)
    response = client.post(
        f"/kamakura/workspace/events/{event.pk}/registrations/new/", {"name": "誰か", "phone": "0467-11-2222"}
    )
    assert response.status_code == 403
    with scopes_disabled():
        assert not Registration.objects.filter(event=event).exists()


def test_cancelling_someones_place_asks_first_and_the_email_says_the_organiser_did_it(
    client: Client, alice: Any, kamakura: Any, django_capture_on_commit_callbacks: Any
) -> None:
    event = public_event(kamakura, alice)
    with platform_scope(kamakura, with_national=False):
        registration = actions.register(event, name="鎌倉 一郎", email="ichiro@example.jp")
    client.force_login(alice)
    url = f"/kamakura/workspace/events/{event.pk}/registrations/{registration.pk}/cancel/"
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "ichiro@example.jp" in confirm.content.decode()
    with scopes_disabled():
        registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED  # looking is not cancelling
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    with scopes_disabled():
        registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert "主催者" in mail.outbox[-1].subject and "主催者" in mail.outbox[-1].body
