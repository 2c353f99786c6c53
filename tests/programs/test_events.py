"""Events in the workspace and on the portal: who sees what, registration, waiting list, attendance, files."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from tests.notices.rows import PDF, pdf
from tests.programs.rows import event_fields
from tsunagari.audit.models import AuditEvent
from tsunagari.programs import actions
from tsunagari.programs.models import Event, Registration, TrainingRecord
from tsunagari.tenancy.scoping import platform_scope, scopes_disabled

pytestmark = pytest.mark.django_db


def make_event(platform: Any, actor: Any, **fields: Any) -> Event:
    with platform_scope(platform, with_national=False):
        return actions.create_event(platform, actor=actor, **event_fields(**fields))


def form_data(**overrides: Any) -> dict[str, Any]:
    fields = event_fields(**overrides)
    data = {**fields}
    for key in ("starts_at", "ends_at"):
        data[key] = timezone.localtime(fields[key]).strftime("%Y-%m-%dT%H:%M")
    data["capacity"] = "" if fields.get("capacity") is None else fields["capacity"]
    data.setdefault("status", Event.Status.PUBLISHED)
    data.setdefault("registration_open", "on")
    return data


def test_a_coordinator_creates_a_public_event_that_residents_find_on_the_portal(
    client: Client, kamakura: Any, alice: Any
) -> None:
    client.force_login(alice)
    data = form_data(kind="public_event", title="つながりフォーラム2026", audience="public", capacity=100)
    response = client.post("/kamakura/workspace/events/new/", data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    with scopes_disabled():
        event = Event.objects.get()
    assert timezone.localtime(event.starts_at).hour == 14  # entered in Japan time
    client.logout()
    assert "つながりフォーラム2026" in client.get("/kamakura/events/").content.decode()
    assert "つながりフォーラム2026" in client.get("/kamakura/").content.decode()
    detail = client.get(f"/kamakura/events/{event.pk}/")
    assert detail.status_code == 200 and 'name="name"' in detail.content.decode()
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="event.created", platform=kamakura).exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"audience": "members"},
        {"audience": "public", "status": "draft"},
    ],
)
def test_members_events_and_drafts_never_reach_the_portal(
    client: Client, kamakura: Any, alice: Any, olga: Any, fields: dict[str, Any]
) -> None:
    event = make_event(kamakura, alice, title="内部の会議", **fields)
    for path in ("/kamakura/", "/kamakura/events/", "/kamakura/events/calendar.ics"):
        assert "内部の会議" not in client.get(path).content.decode()
    assert client.get(f"/kamakura/events/{event.pk}/").status_code == 404
    assert client.get(f"/kamakura/events/{event.pk}/event.ics").status_code == 404
    assert client.post(f"/kamakura/events/{event.pk}/", {"name": "x", "email": "x@example.jp"}).status_code == 404


def test_drafts_and_invited_events_are_hidden_from_people_not_concerned(
    client: Client, kamakura: Any, alice: Any, olga: Any, sam: Any, oscar: Any
) -> None:
    draft = make_event(kamakura, alice, title="下書き", status="draft")
    invited = make_event(kamakura, alice, title="招待制", audience="invited", invited=[olga])
    for person, sees_invited in ((sam, False), (oscar, False), (olga, True), (alice, True)):
        client.force_login(person)
        listing = client.get("/kamakura/workspace/events/").content.decode()
        assert ("招待制" in listing) is sees_invited
        assert ("下書き" in listing) is (person == alice)
        assert client.get(f"/kamakura/workspace/events/{invited.pk}/").status_code == (200 if sees_invited else 404)
        assert client.get(f"/kamakura/workspace/events/{draft.pk}/").status_code == (200 if person == alice else 404)


def test_invited_people_are_told_when_the_event_is_published(
    kamakura: Any, alice: Any, olga: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        event = make_event(kamakura, alice, audience="invited", invited=[olga], status="draft")
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True), platform_scope(kamakura, with_national=False):
        actions.update_event(event, actor=alice, status=Event.Status.PUBLISHED)
    assert [m.to[0] for m in mail.outbox] == ["olga@example.jp"]
    assert f"/kamakura/workspace/events/{event.pk}/" in mail.outbox[0].body


def test_outsiders_and_anonymous_visitors_see_no_workspace_event(
    client: Client, kamakura: Any, charlie: Any, program_rows: dict[str, Any]
) -> None:
    meeting, document = program_rows["meeting"], program_rows["document"]
    urls = [
        "/kamakura/workspace/events/",
        f"/kamakura/workspace/events/{meeting.pk}/",
        f"/kamakura/workspace/events/{meeting.pk}/event.ics",
        f"/kamakura/workspace/events/documents/{document.pk}/",
        "/kamakura/workspace/events/calendar.ics",
        "/kamakura/workspace/training/",
    ]
    for url in urls:
        assert client.get(url)["Location"].startswith("/accounts/login/")
    client.force_login(charlie)
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert meeting.title not in client.get("/tottori-pref/workspace/events/").content.decode()
    assert client.get(f"/tottori-pref/workspace/events/{meeting.pk}/").status_code == 404
    assert client.get(f"/tottori-pref/workspace/events/documents/{document.pk}/").status_code == 404


def test_a_resident_registers_with_minimal_data_and_gets_a_confirmation(
    client: Client, kamakura: Any, alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    forum = make_event(kamakura, alice, audience="public", online_url="https://meet.example.jp/forum")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/kamakura/events/{forum.pk}/", {"name": "山田", "email": "Yamada@Example.jp"})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200 and page.context["registration"].status == Registration.Status.CONFIRMED
    with scopes_disabled():
        registration = Registration.objects.get()
    assert (registration.user, registration.name, registration.email, registration.phone) == (
        None,
        "山田",
        "yamada@example.jp",
        "",
    )
    (message,) = mail.outbox
    assert message.to == ["yamada@example.jp"]
    assert response["Location"] in message.body
    assert "https://meet.example.jp/forum" in message.body
    # Residents' registrations are not copied into the audit log.
    with scopes_disabled():
        assert not AuditEvent.objects.filter(action="event.registered").exists()


def test_the_portal_never_shows_the_online_link_before_registering(client: Client, kamakura: Any, alice: Any) -> None:
    forum = make_event(kamakura, alice, audience="public", online_url="https://meet.example.jp/secret-room")
    for path in (f"/kamakura/events/{forum.pk}/", f"/kamakura/events/{forum.pk}/event.ics", "/kamakura/events/"):
        assert "secret-room" not in client.get(path).content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "山田"}, None),
        ({"name": "", "email": "a@example.jp"}, "name"),
        ({"name": "山田", "email": "not-an-address"}, "email"),
        ({"name": "山田", "phone": "でんわ"}, "phone"),
    ],
)
def test_bad_registrations_get_a_clear_message(
    client: Client, kamakura: Any, alice: Any, data: dict[str, str], field: str | None
) -> None:
    forum = make_event(kamakura, alice, audience="public")
    response = client.post(f"/kamakura/events/{forum.pk}/", data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors[field] if field else errors["__all__"]
    with scopes_disabled():
        assert not Registration.objects.exists()


def test_a_resident_with_only_a_telephone_number_can_register(client: Client, kamakura: Any, alice: Any) -> None:
    forum = make_event(kamakura, alice, audience="public")
    response = client.post(f"/kamakura/events/{forum.pk}/", {"name": "佐藤", "phone": "０４６７－００－１２３４"})
    assert response.status_code == 302
    with scopes_disabled():
        assert Registration.objects.get().phone == "0467-00-1234"


def test_the_same_address_cannot_register_twice(client: Client, kamakura: Any, alice: Any) -> None:
    forum = make_event(kamakura, alice, audience="public")
    client.post(f"/kamakura/events/{forum.pk}/", {"name": "山田", "email": "y@example.jp"})
    again = client.post(f"/kamakura/events/{forum.pk}/", {"name": "別人", "email": "Y@example.jp"})
    assert again.status_code == 400 and again.context["form"].errors["email"]


def test_registration_closes_when_the_event_starts_or_is_closed(client: Client, kamakura: Any, alice: Any) -> None:
    started = make_event(kamakura, alice, audience="public")
    with scopes_disabled():
        Event.objects.filter(pk=started.pk).update(starts_at=timezone.now() - datetime.timedelta(minutes=5))
    closed = make_event(kamakura, alice, audience="public", registration_open=False)
    for event in (started, closed):
        assert 'name="name"' not in client.get(f"/kamakura/events/{event.pk}/").content.decode()
        response = client.post(f"/kamakura/events/{event.pk}/", {"name": "山田", "email": "y@example.jp"})
        assert response.status_code == 400 and response.context["form"].errors["__all__"]


def test_the_waiting_list_moves_up_when_a_resident_cancels(
    client: Client, kamakura: Any, alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    forum = make_event(kamakura, alice, audience="public", capacity=1)
    first = client.post(f"/kamakura/events/{forum.pk}/", {"name": "一番", "email": "first@example.jp"})
    second = client.post(f"/kamakura/events/{forum.pk}/", {"name": "二番", "email": "second@example.jp"})
    assert client.get(second["Location"]).context["registration"].status == Registration.Status.WAITLISTED
    detail = client.get(f"/kamakura/events/{forum.pk}/")
    assert detail.context["seats_left"] == 0
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(first["Location"]).status_code == 302
    assert client.get(first["Location"]).context["registration"].status == Registration.Status.CANCELLED
    assert client.get(second["Location"]).context["registration"].status == Registration.Status.CONFIRMED
    assert sorted(m.to[0] for m in mail.outbox) == ["first@example.jp", "second@example.jp"]
    promoted = next(m for m in mail.outbox if m.to == ["second@example.jp"])
    assert second["Location"] in promoted.body


def test_a_forged_registration_link_is_404(client: Client, kamakura: Any) -> None:
    assert client.get("/kamakura/events/registration/1:forged/").status_code == 404


def test_a_registration_link_works_only_on_its_own_platform(
    client: Client, kamakura: Any, tottori: Any, alice: Any
) -> None:
    forum = make_event(kamakura, alice, audience="public")
    response = client.post(f"/kamakura/events/{forum.pk}/", {"name": "山田", "email": "y@example.jp"})
    token = response["Location"].rstrip("/").rsplit("/", 1)[1]
    assert client.get(f"/tottori-pref/events/registration/{token}/").status_code == 404


def test_registrations_are_rate_limited(client: Client, kamakura: Any, alice: Any, settings: Any) -> None:
    settings.EVENT_REGISTRATION_RATE = "2/h"
    forum = make_event(kamakura, alice, audience="public")
    statuses = [
        client.post(f"/kamakura/events/{forum.pk}/", {"name": f"人{n}", "email": f"p{n}@example.jp"}).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]


def test_one_address_cannot_take_an_events_seats_with_made_up_names(
    client: Client, kamakura: Any, alice: Any, settings: Any
) -> None:
    """Issue 10 item 8: ~40 fake registrations an hour from one address took every seat."""
    settings.EVENT_SEATS_PER_ADDRESS = "3/d"
    forum = make_event(kamakura, alice, audience="public", capacity=10)
    other = make_event(kamakura, alice, audience="public", title="別の催し", capacity=10)
    url = f"/kamakura/events/{forum.pk}/"
    # Mistakes do not count: only registrations made do.
    assert client.post(url, {"name": "", "email": "bad"}).status_code == 400
    statuses = [client.post(url, {"name": f"偽名{n}", "email": f"f{n}@example.jp"}).status_code for n in range(5)]
    assert statuses == [302, 302, 302, 429, 429]
    with scopes_disabled():
        assert Registration.objects.filter(event=forum).count() == 3
    # Another address, or another event, is not held up.
    assert client.post(url, {"name": "住民", "email": "r@example.jp"}, REMOTE_ADDR="198.51.100.7").status_code == 302
    assert client.post(f"/kamakura/events/{other.pk}/", {"name": "偽名", "email": "x@example.jp"}).status_code == 302


def test_members_register_and_cancel_in_the_workspace_and_coordinators_manage_the_list(
    client: Client, kamakura: Any, alice: Any, olga: Any, sam: Any, oscar: Any, django_capture_on_commit_callbacks: Any
) -> None:
    meeting = make_event(kamakura, alice, capacity=1)
    base = f"/kamakura/workspace/events/{meeting.pk}/"
    client.force_login(sam)
    assert client.post(base + "register/").status_code == 302
    client.force_login(olga)
    assert client.post(base + "register/").status_code == 302
    assert client.get(base).context["mine"].status == Registration.Status.WAITLISTED
    client.force_login(oscar)
    assert client.post(base + "register/").status_code == 403
    client.force_login(alice)
    page = client.get(base)
    assert [r.user for r in page.context["confirmed"]] == [sam]
    assert [r.user for r in page.context["waiting"]] == [olga]
    sams = page.context["confirmed"][0]
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(base + f"registrations/{sams.pk}/cancel/").status_code == 302
    with scopes_disabled():
        assert Registration.objects.get(user=olga).status == Registration.Status.CONFIRMED
        assert AuditEvent.objects.filter(action="event.registration_cancelled", actor=alice).exists()
    assert "olga@example.jp" in [m.to[0] for m in mail.outbox]
    client.force_login(olga)
    assert client.post(base + "unregister/").status_code == 302
    assert client.post(base + "unregister/").status_code == 404


def test_growing_the_capacity_promotes_people_waiting(
    client: Client, kamakura: Any, alice: Any, olga: Any, sam: Any
) -> None:
    meeting = make_event(kamakura, alice, capacity=1)
    with platform_scope(kamakura, with_national=False):
        actions.register(meeting, user=olga)
        waiting = actions.register(meeting, user=sam)
        assert waiting.status == Registration.Status.WAITLISTED
    client.force_login(alice)
    response = client.post(f"/kamakura/workspace/events/{meeting.pk}/edit/", form_data(capacity=2, minutes="決定事項"))
    assert response.status_code == 302
    with scopes_disabled():
        waiting.refresh_from_db()
        meeting.refresh_from_db()
        changed = AuditEvent.objects.get(action="event.changed")
    assert waiting.status == Registration.Status.CONFIRMED
    assert meeting.sequence == 1 and meeting.minutes == "決定事項"
    assert changed.changes["capacity"] == [1, 2]


def test_cancelling_an_event_tells_everyone_registered(
    kamakura: Any, alice: Any, olga: Any, django_capture_on_commit_callbacks: Any
) -> None:
    meeting = make_event(kamakura, alice, audience="public")
    with platform_scope(kamakura, with_national=False):
        actions.register(meeting, user=olga)
        actions.register(meeting, name="住民", email="resident@example.jp")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), platform_scope(kamakura, with_national=False):
        actions.update_event(meeting, actor=alice, status=Event.Status.CANCELLED)
    assert sorted(m.to[0] for m in mail.outbox) == ["olga@example.jp", "resident@example.jp"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ends_at": "2026-01-01T10:00"}, "ends_at"),
        ({"place": "", "online_url": ""}, "place"),
        ({"audience": "invited"}, "invited"),
        ({"online_url": "javascript:alert(1)"}, "online_url"),
    ],
)
def test_a_bad_event_form_says_what_to_fix(
    client: Client, kamakura: Any, alice: Any, overrides: dict[str, str], field: str
) -> None:
    client.force_login(alice)
    data = {**form_data(), **overrides}
    response = client.post("/kamakura/workspace/events/new/", data)
    assert response.status_code == 400
    assert response.context["form"].errors[field]


def test_attendance_at_a_training_session_records_completed_courses_for_members_only(
    client: Client, kamakura: Any, alice: Any, olga: Any, sam: Any, oscar: Any, time_machine: Any
) -> None:
    session = make_event(kamakura, alice, kind="training", title="つながりサポーター養成講座（第1回）")
    with platform_scope(kamakura, with_national=False):
        came = actions.register(session, user=olga)
        actions.register(session, user=sam)
        resident = actions.register(session, name="住民 太郎", phone="0467-00-0000")
    time_machine.move_to(session.starts_at + datetime.timedelta(minutes=30))
    client.force_login(alice)
    url = f"/kamakura/workspace/events/{session.pk}/attendance/"
    assert client.post(url, {"attended": [came.pk, resident.pk]}).status_code == 302
    assert client.post(url, {"attended": [came.pk, resident.pk]}).status_code == 302  # once only
    with scopes_disabled():
        records = sorted(TrainingRecord.objects.values_list("attendee_name", "course"))
        attended = dict(Registration.objects.values_list("pk", "attended"))
    # Residents are not trainees: they are counted as attending, but get no training record.
    assert records == [("olga", "つながりサポーター養成講座（第1回）")]
    assert attended[resident.pk] is True and attended[came.pk] is True
    # So an observer reading the training records never sees a resident's name (issue 10 item 6).
    client.force_login(oscar)
    for page in ("/kamakura/workspace/training/", "/kamakura/workspace/training/export.csv"):
        response = client.get(page)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert "住民 太郎" not in body.decode("utf-8-sig")


def test_attendance_is_refused_before_the_event_starts(
    client: Client, kamakura: Any, alice: Any, olga: Any, time_machine: Any
) -> None:
    session = make_event(kamakura, alice, kind="training", title="一か月先の講座")
    with platform_scope(kamakura, with_national=False):
        came = actions.register(session, user=olga)
    url = f"/kamakura/workspace/events/{session.pk}/attendance/"
    time_machine.move_to(session.starts_at - datetime.timedelta(minutes=1))
    client.force_login(alice)  # after the clock moves: a session idle for days would be signed out
    page = client.get(f"/kamakura/workspace/events/{session.pk}/").content.decode()
    assert "Save attendance" not in page and "出席を保存" not in page
    response = client.post(url, {"attended": [came.pk]}, follow=True)
    assert "出席は、催しが始まってから記録できます。" in response.content.decode()
    with scopes_disabled():
        assert not TrainingRecord.objects.exists()
        assert Registration.objects.get(pk=came.pk).attended is None  # not marked either way
        assert not AuditEvent.objects.filter(action="event.attendance").exists()
    time_machine.move_to(session.starts_at)
    assert client.post(url, {"attended": [came.pk]}).status_code == 302
    with scopes_disabled():
        assert TrainingRecord.objects.get().completed_on == timezone.localdate(session.ends_at)


def test_minutes_and_materials_are_served_safely_to_people_who_see_the_event(
    client: Client, kamakura: Any, alice: Any, sam: Any, program_rows: dict[str, Any]
) -> None:
    meeting = program_rows["meeting"]
    client.force_login(alice)
    bad = client.post(
        f"/kamakura/workspace/events/{meeting.pk}/documents/",
        {"kind": "material", "file": pdf("x.pdf", b"<html>")},
    )
    assert bad.status_code == 400 and bad.context["document_form"].errors["file"]
    good = client.post(
        f"/kamakura/workspace/events/{meeting.pk}/documents/", {"kind": "material", "file": pdf("資料.pdf")}
    )
    assert good.status_code == 302
    client.force_login(sam)
    with scopes_disabled():
        document = meeting.documents.get(name="資料.pdf")
    response = client.get(f"/kamakura/workspace/events/documents/{document.pk}/")
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.post(f"/kamakura/workspace/events/documents/{document.pk}/delete/").status_code == 403


def test_ids_of_another_platforms_events_are_404(
    client: Client, kamakura: Any, tottori: Any, alice: Any, charlie: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    theirs = make_event(tottori, charlie, audience="public")
    with platform_scope(tottori, with_national=False):
        registration = actions.register(theirs, user=charlie)
        document = actions.add_document(theirs, pdf(), kind="material", actor=charlie)
        training = actions.record_training(
            tottori, actor=charlie, attendee_name="鳥取 一郎", course="研修", completed_on=timezone.localdate()
        )
    client.force_login(alice)
    base = "/kamakura/workspace/"
    assert client.get(f"{base}events/{theirs.pk}/").status_code == 404
    assert client.get(f"{base}events/{theirs.pk}/edit/").status_code == 404
    assert client.post(f"{base}events/{theirs.pk}/register/").status_code == 404
    assert client.post(f"{base}events/{theirs.pk}/registrations/{registration.pk}/cancel/").status_code == 404
    assert client.post(f"{base}events/{theirs.pk}/attendance/").status_code == 404
    assert client.get(f"{base}events/documents/{document.pk}/").status_code == 404
    assert client.post(f"{base}events/documents/{document.pk}/delete/").status_code == 404
    assert client.post(f"{base}training/{training.pk}/delete/").status_code == 404
    # Nor through Kamakura's portal.
    assert client.get(f"/kamakura/events/{theirs.pk}/").status_code == 404


def test_moving_an_event_tells_everyone_registered_and_waiting_after_the_commit(
    client: Client, kamakura: Any, alice: Any, olga: Any, sam: Any, django_capture_on_commit_callbacks: Any
) -> None:
    meeting = make_event(kamakura, alice, capacity=1, online_url="https://meet.example.jp/old")
    with platform_scope(kamakura, with_national=False):
        actions.register(meeting, user=olga)
        assert actions.register(meeting, user=sam).status == Registration.Status.WAITLISTED
    mail.outbox.clear()
    client.force_login(alice)
    later = event_fields()["starts_at"] + datetime.timedelta(days=1)
    data = form_data(
        capacity=1,
        starts_at=later,
        ends_at=later + datetime.timedelta(hours=2),
        place="鎌倉市役所 第1会議室",
        online_url="https://meet.example.jp/new",
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client.post(f"/kamakura/workspace/events/{meeting.pk}/edit/", data).status_code == 302
    assert mail.outbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    told = {m.to[0]: m for m in mail.outbox}
    assert set(told) == {"olga@example.jp", "sam@example.jp"}
    confirmed, waiting = told["olga@example.jp"].body, told["sam@example.jp"].body
    assert "第3回 全体会議" in told["olga@example.jp"].subject
    assert "鎌倉市役所 第1会議室" in confirmed and "鎌倉市役所 第3会議室" in confirmed  # new place, and what it was
    assert timezone.localtime(later).strftime("%Y-%m-%d") in confirmed
    assert "https://meet.example.jp/new" in confirmed
    # The online link is for confirmed places only.
    assert "meet.example.jp" not in waiting and "鎌倉市役所 第1会議室" in waiting
    assert f"/kamakura/workspace/events/{meeting.pk}/" in waiting


def test_a_new_online_link_is_not_sent_to_people_waiting(
    kamakura: Any, alice: Any, olga: Any, sam: Any, django_capture_on_commit_callbacks: Any
) -> None:
    meeting = make_event(kamakura, alice, capacity=1, online_url="https://meet.example.jp/old")
    with platform_scope(kamakura, with_national=False):
        actions.register(meeting, user=olga)
        actions.register(meeting, user=sam)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), platform_scope(kamakura, with_national=False):
        actions.update_event(meeting, actor=alice, online_url="https://meet.example.jp/new")
    assert [m.to[0] for m in mail.outbox] == ["olga@example.jp"]
    assert "https://meet.example.jp/new" in mail.outbox[0].body


def test_other_changes_and_past_events_send_nothing(
    kamakura: Any, alice: Any, olga: Any, django_capture_on_commit_callbacks: Any
) -> None:
    meeting = make_event(kamakura, alice)
    with platform_scope(kamakura, with_national=False):
        actions.register(meeting, user=olga)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), platform_scope(kamakura, with_national=False):
        actions.update_event(meeting, actor=alice, title="第3回 全体会議（改題）", minutes="", capacity=40)
        with scopes_disabled():
            Event.objects.filter(pk=meeting.pk).update(
                starts_at=timezone.now() - datetime.timedelta(days=2),
                ends_at=timezone.now() - datetime.timedelta(days=2) + datetime.timedelta(hours=2),
            )
        actions.update_event(meeting, actor=alice, place="議事録の訂正: 第2会議室")
    assert mail.outbox == []


def test_coordinators_are_told_whom_to_telephone(
    client: Client, kamakura: Any, alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    forum = make_event(kamakura, alice, audience="public")
    with platform_scope(kamakura, with_national=False):
        actions.register(forum, name="佐藤", phone="0467-00-1234")
        actions.register(forum, name="山田", email="yamada@example.jp")
    mail.outbox.clear()
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/kamakura/workspace/events/{forum.pk}/edit/",
            form_data(audience="public", place="鎌倉生涯学習センター"),
            follow=True,
        )
    assert [m.to[0] for m in mail.outbox] == ["yamada@example.jp"]
    warnings = [str(m) for m in response.context["messages"]]
    assert any("佐藤（0467-00-1234）" in m for m in warnings)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/kamakura/workspace/events/{forum.pk}/edit/",
            form_data(audience="public", place="鎌倉生涯学習センター", status="cancelled"),
            follow=True,
        )
    assert any("佐藤（0467-00-1234）" in str(m) for m in response.context["messages"])


def test_coordinators_download_the_registrations_as_safe_csv_and_it_is_audited(
    client: Client, kamakura: Any, alice: Any, olga: Any, sam: Any
) -> None:
    forum = make_event(kamakura, alice, audience="public", capacity=2)
    with platform_scope(kamakura, with_national=False):
        actions.register(forum, user=olga)
        actions.register(forum, name='=HYPERLINK("http://evil.example","開く")', email="evil@example.jp")
        actions.register(forum, name="佐藤", phone="+81-467-00-1234")
        leaving = actions.register(forum, name="山田", email="yamada@example.jp")
        actions.cancel_registration(leaving)
    client.force_login(alice)
    response = client.get(f"/kamakura/workspace/events/{forum.pk}/registrations.csv", REMOTE_ADDR="192.0.2.9")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="event-{forum.pk}-registrations.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0][:3] == ["状態", "名前", "会員・住民の別"]
    by_name = {row[1]: row for row in rows[1:]}
    assert set(by_name) == {"olga", '\'=HYPERLINK("http://evil.example","開く")', "佐藤", "山田"}
    assert by_name["olga"][3] == "olga@example.jp"
    assert by_name["佐藤"][2:5] == ["住民", "", "'+81-467-00-1234"]  # the phone, defused
    assert by_name["佐藤"][0] == "キャンセル待ち"  # capacity 2: Olga and the first resident have places
    assert by_name["山田"][0] == "取消し" and by_name["山田"][7]
    with scopes_disabled():
        (exported,) = AuditEvent.objects.filter(action="event.registrations_exported")
    assert (exported.actor, exported.platform, exported.ip) == (alice, kamakura, "192.0.2.9")
    assert exported.object_id == str(forum.pk) and exported.changes == {"registrations": 4}


def test_only_coordinators_download_registrations(
    client: Client, kamakura: Any, tottori: Any, alice: Any, olga: Any, charlie: Any
) -> None:
    ours = make_event(kamakura, alice, audience="public")
    theirs = make_event(tottori, charlie, audience="public")
    client.force_login(olga)
    assert client.get(f"/kamakura/workspace/events/{ours.pk}/registrations.csv").status_code == 403
    client.force_login(alice)
    assert client.get(f"/kamakura/workspace/events/{theirs.pk}/registrations.csv").status_code == 404
    with scopes_disabled():
        assert not AuditEvent.objects.filter(action="event.registrations_exported").exists()
