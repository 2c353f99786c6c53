"""Removing residents' names and contacts some time after their event, keeping counts and attendance."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.programs.rows import event_fields
from tsunagari.audit.models import AuditEvent
from tsunagari.programs import actions
from tsunagari.programs.models import Event, Registration
from tsunagari.tenancy.scoping import platform_scope, scopes_disabled

pytestmark = pytest.mark.django_db


def ended_event(
    platform: Any, actor: Any, *, days_ago: int, residents: list[dict[str, str]], members: Any = ()
) -> Event:
    """A public event that ended `days_ago` days ago, with these registrations and attendance marked."""
    with platform_scope(platform, with_national=False):
        event = actions.create_event(
            platform, actor=actor, **event_fields(audience=Event.Audience.PUBLIC, title=f"{days_ago}日前のフォーラム")
        )
        registrations = [actions.register(event, **resident) for resident in residents]
        registrations += [actions.register(event, user=member) for member in members]
        ends = timezone.now() - datetime.timedelta(days=days_ago)
        Event.objects.filter(pk=event.pk).update(starts_at=ends - datetime.timedelta(hours=2), ends_at=ends)
        event.refresh_from_db()
        actions.mark_attendance(event, {registrations[0].pk}, actor=actor)
    return event


def rows(event: Event) -> list[Registration]:
    with scopes_disabled():
        return list(Registration.objects.filter(event=event).select_related("user").order_by("pk"))


@pytest.fixture
def events(kamakura: Any, tottori: Any, alice: Any, charlie: Any, olga: Any) -> dict[str, Event]:
    old = ended_event(
        kamakura,
        alice,
        days_ago=91,
        residents=[
            {"name": "山田 花子", "email": "hanako@example.jp"},
            {"name": "佐藤", "phone": "0467-00-1234"},
            {"name": "鈴木", "email": "suzuki@example.jp", "phone": "090-0000-0000"},
        ],
        members=[olga],
    )
    with platform_scope(kamakura, with_national=False):
        actions.cancel_registration(rows(old)[2])
    recent = ended_event(kamakura, alice, days_ago=30, residents=[{"name": "高橋", "email": "t@example.jp"}])
    theirs = ended_event(tottori, charlie, days_ago=200, residents=[{"name": "鳥取 一郎", "email": "i@example.jp"}])
    return {"old": old, "recent": recent, "theirs": theirs}


def test_names_and_contacts_go_and_counts_and_attendance_stay(events: dict[str, Event], olga: Any, capsys: Any) -> None:
    before = [(r.status, r.attended, r.created_at) for r in rows(events["old"])]
    call_command("purge_event_registrations")
    assert "4" in capsys.readouterr().out  # 3 residents on Kamakura's old event, 1 on Tottori's

    after = rows(events["old"])
    assert [(r.status, r.attended, r.created_at) for r in after] == before
    residents, member = after[:3], after[3]
    for registration in residents:
        assert (registration.name, registration.email, registration.phone) == ("", "", "")
        assert registration.purged_at is not None
    assert member.user == olga and member.purged_at is None
    assert rows(events["theirs"])[0].email == ""
    # Within the retention period nothing changes.
    (kept,) = rows(events["recent"])
    assert (kept.name, kept.email, kept.purged_at) == ("高橋", "t@example.jp", None)


def test_each_purge_is_audited_without_names(events: dict[str, Event], kamakura: Any) -> None:
    call_command("purge_event_registrations")
    with scopes_disabled():
        (purged,) = AuditEvent.objects.filter(action="event.registrations_purged", platform=kamakura)
    assert purged.object_id == str(events["old"].pk)
    assert purged.changes == {"registrations": 3, "days_after_the_event": 90}
    assert "山田" not in str(purged.changes) and purged.actor is None


def test_running_it_again_changes_nothing(events: dict[str, Event]) -> None:
    call_command("purge_event_registrations")
    first = [r.purged_at for r in rows(events["old"])]
    with scopes_disabled():
        records = AuditEvent.objects.filter(action="event.registrations_purged").count()
    assert actions.purge_registrations() == 0
    assert [r.purged_at for r in rows(events["old"])] == first
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="event.registrations_purged").count() == records


def test_the_period_comes_from_settings_or_the_command_line(events: dict[str, Event], settings: Any) -> None:
    settings.EVENT_REGISTRATION_RETENTION_DAYS = 365
    assert actions.purge_registrations() == 0
    call_command("purge_event_registrations", "--days", "7")
    assert rows(events["recent"])[0].purged_at is not None


def test_purged_registrations_read_as_name_removed(
    client: Client, events: dict[str, Event], alice: Any, kamakura: Any
) -> None:
    with platform_scope(kamakura, with_national=False):
        link = actions.registration_url(rows(events["old"])[0])
    call_command("purge_event_registrations")
    client.force_login(alice)
    page = client.get(f"/kamakura/workspace/events/{events['old'].pk}/").content.decode()
    assert "（氏名は削除済み）" in page and "hanako@example.jp" not in page and "山田" not in page
    export = client.get(f"/kamakura/workspace/events/{events['old'].pk}/registrations.csv").content.decode()
    assert "山田" not in export and "0467-00-1234" not in export and "（氏名は削除済み）" in export
    client.logout()
    resident_page = client.get(link.removeprefix("http://127.0.0.1:8000"))
    assert resident_page.status_code == 200 and "山田" not in resident_page.content.decode()


def test_a_negative_period_is_refused() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("purge_event_registrations", "--days", "-1")
