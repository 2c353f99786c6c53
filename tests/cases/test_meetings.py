"""Case meetings (issue 11 item 6): the grant, provision records, documents at rest, tasks, who may change what."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests.cases.walk import case_urls
from tests.cases.walk import request as walk_request
from tests.conftest import make_user, with_totp
from tests.notices.rows import pdf
from tsunagari.accounts.models import Membership, Role
from tsunagari.cases import actions
from tsunagari.cases.models import Basis, CaseMeeting, Consent, MeetingParticipant, ProvisionRecord
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db


def meeting_url(rows: dict[str, Any], tail: str = "") -> str:
    return f"/kamakura/workspace/cases/meetings/{rows['meeting'].pk}/{tail}"


def person_url(rows: dict[str, Any]) -> str:
    return f"/kamakura/workspace/cases/persons/{rows['person'].pk}/"


def invite_rita(client: Client, olga: Any, rows: dict[str, Any]) -> None:
    client.force_login(olga)
    assert client.post(meeting_url(rows, "participants/"), {"user": rows["rita"].pk}).status_code == 302


def test_a_participating_organisation_sees_the_persons_on_the_agenda(
    client: Client, olga: Any, case_rows: dict[str, Any]
) -> None:
    client.force_login(case_rows["rita"])
    assert client.get(person_url(case_rows)).status_code == 404  # only a requested referral so far
    assert client.get(meeting_url(case_rows)).status_code == 404
    invite_rita(client, olga, case_rows)
    client.force_login(case_rows["rita"])
    assert "鎌倉 花子" in client.get(person_url(case_rows)).content.decode()
    body = client.get(meeting_url(case_rows)).content.decode()
    assert "鎌倉 花子" in body and "見守り体制の確認" in body
    # Reading, not changing: only the organiser's organisation changes the meeting.
    assert client.post(meeting_url(case_rows, "record/"), {"agenda": "書き換え"}).status_code == 404
    with scopes_disabled():
        assert CaseMeeting.objects.get(pk=case_rows["meeting"].pk).agenda == "見守り体制の確認"


def test_the_grant_ends_on_the_access_end_date(client: Client, olga: Any, case_rows: dict[str, Any]) -> None:
    invite_rita(client, olga, case_rows)
    with scopes_disabled():
        CaseMeeting.objects.filter(pk=case_rows["meeting"].pk).update(access_until=date.today() - timedelta(days=1))
    client.force_login(case_rows["rita"])
    for url in (
        person_url(case_rows),
        meeting_url(case_rows),
        f"/kamakura/workspace/cases/meetings/documents/{case_rows['document'].pk}/",
    ):
        assert client.get(url).status_code == 404, url


def test_leaving_the_organisation_ends_the_grant_at_once(client: Client, olga: Any, case_rows: dict[str, Any]) -> None:
    invite_rita(client, olga, case_rows)
    Membership.objects.filter(user=case_rows["rita"]).delete()
    client.force_login(case_rows["rita"])
    assert client.get(person_url(case_rows)).status_code == 404


def test_each_disclosure_to_the_meeting_writes_a_provision_record(
    client: Client, olga: Any, case_rows: dict[str, Any], kamakura_council: Any
) -> None:
    invite_rita(client, olga, case_rows)
    with scopes_disabled():
        records = list(ProvisionRecord.objects.filter(meeting=case_rows["meeting"]))
    assert len(records) == 1
    record = records[0]
    assert (record.person, record.provider, record.recipient) == (
        case_rows["person"],
        kamakura_council,
        case_rows["centre"],
    )
    assert record.basis == Basis.SUPPORT_COUNCIL and record.items == ["name", "birth_date", "note", "documents"]
    assert record.recorded_by == olga
    # Inviting a second person of the same organisation discloses nothing new.
    second = with_totp(make_user("ren"))
    Membership.objects.create(
        user=second, platform=case_rows["person"].platform, role=Role.ORG_STAFF, organization=case_rows["centre"]
    )
    client.post(meeting_url(case_rows, "participants/"), {"user": second.pk})
    with scopes_disabled():
        assert ProvisionRecord.objects.filter(meeting=case_rows["meeting"]).count() == 1
    # The person's page shows the record to both sides.
    assert "鎌倉市地域包括支援センター" in client.get(person_url(case_rows)).content.decode()


def test_a_referral_accepted_writes_a_provision_record(client: Client, case_rows: dict[str, Any]) -> None:
    client.force_login(case_rows["rita"])
    client.post(f"/kamakura/workspace/cases/referrals/{case_rows['referral'].pk}/move/", {"to": "accepted"})
    with scopes_disabled():
        record = ProvisionRecord.objects.get(referral=case_rows["referral"])
    assert record.recipient == case_rows["centre"] and "need" in record.items and record.basis == Basis.CONSENT


def test_a_recipient_cannot_pass_the_person_on_to_its_own_meeting(
    client: Client, olga: Any, case_rows: dict[str, Any]
) -> None:
    invite_rita(client, olga, case_rows)
    client.force_login(case_rows["rita"])
    client.post(
        "/kamakura/workspace/cases/meetings/new/",
        {"title": "別の会議", "held_at": "2027-01-10T10:00", "basis": "support_council"},
    )
    with scopes_disabled():
        theirs = CaseMeeting.objects.exclude(pk=case_rows["meeting"].pk).get()
    response = client.post(
        f"/kamakura/workspace/cases/meetings/{theirs.pk}/persons/", {"person": case_rows["person"].pk}
    )
    assert response.status_code == 404
    with scopes_disabled():
        assert not theirs.persons.exists()


def test_a_consent_based_meeting_needs_an_active_consent(
    olga: Any, case_rows: dict[str, Any], kamakura: Any, kamakura_council: Any
) -> None:
    with scopes_disabled():
        meeting = actions.create_meeting(
            platform=kamakura,
            organizer_id=kamakura_council.pk,
            actor=olga,
            title="同意に基づく会議",
            held_at=timezone.now(),
            basis=Basis.CONSENT,
            access_until=date.today(),
        )
        Consent.objects.filter(person=case_rows["person"]).update(withdrawn_at=timezone.now())
        with pytest.raises(actions.MeetingError):
            actions.put_on_agenda(meeting, case_rows["person"], actor=olga)
        assert not meeting.persons.exists()


def test_an_emergency_is_not_a_meeting_basis(olga: Any, kamakura: Any, kamakura_council: Any) -> None:
    with scopes_disabled(), pytest.raises(actions.MeetingError):
        actions.create_meeting(
            platform=kamakura,
            organizer_id=kamakura_council.pk,
            actor=olga,
            title="x",
            held_at=timezone.now(),
            basis=Basis.EMERGENCY,
            access_until=date.today(),
        )


def test_documents_are_encrypted_at_rest_and_come_back_as_downloads(
    client: Client, olga: Any, case_rows: dict[str, Any]
) -> None:
    document = case_rows["document"]
    stored = (Path(settings.MEDIA_ROOT) / document.blob.name).read_bytes()
    assert stored.startswith(b"gcm1:k1:") and b"%PDF" not in stored
    assert "花子" not in document.blob.name
    client.force_login(olga)
    response = client.get(f"/kamakura/workspace/cases/meetings/documents/{document.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff" and "sandbox" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]


def test_key_rotation_reseals_meeting_documents(
    case_rows: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    from io import StringIO

    from django.core.management import call_command

    from tsunagari.cases import crypto
    from tsunagari.cases.models import MeetingDocument

    old_key = settings.CASES_FIELD_KEYS
    settings.CASES_FIELD_KEYS = f"k2:{crypto.new_key()},{old_key}"
    before = Path(settings.MEDIA_ROOT) / case_rows["document"].blob.name
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("reencrypt_cases", stdout=out)
    assert "cases.MeetingDocument files: 1 sealed with key k2" in out.getvalue()
    assert "cases.PersonAttachment files: 1 sealed with key k2" in out.getvalue()
    with scopes_disabled():
        document = MeetingDocument.objects.get(pk=case_rows["document"].pk)
    assert (Path(settings.MEDIA_ROOT) / document.blob.name).read_bytes().startswith(b"gcm1:k2:")
    assert not before.exists()  # the copy under the old key is gone
    settings.CASES_FIELD_KEYS = settings.CASES_FIELD_KEYS.split(",")[0]  # the old key can go now
    assert actions.read_document(document).startswith(b"%PDF")


def test_a_document_swapped_for_another_does_not_open(case_rows: dict[str, Any], olga: Any) -> None:
    with scopes_disabled():
        other = actions.add_document(case_rows["meeting"], pdf("別の資料.pdf"), actor=olga)
    first = Path(settings.MEDIA_ROOT) / case_rows["document"].blob.name
    first.write_bytes((Path(settings.MEDIA_ROOT) / other.blob.name).read_bytes())
    from tsunagari.cases.crypto import DecryptionError

    with pytest.raises(DecryptionError):
        actions.read_document(case_rows["document"])


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("script.pdf", b"%PDF-1.4\n1 0 obj << /OpenAction << /JS (app.alert(1)) >> >>\nendobj\n%%EOF", "PDF"),
        ("macro.exe", b"MZ", "この種類のファイル"),
    ],
)
def test_unsafe_uploads_are_refused(
    client: Client, olga: Any, case_rows: dict[str, Any], name: str, content: bytes, message: str
) -> None:
    client.force_login(olga)
    response = client.post(meeting_url(case_rows, "documents/"), {"file": pdf(name, content)}, follow=True)
    assert message in response.content.decode()
    with scopes_disabled():
        assert case_rows["meeting"].documents.count() == 1


def test_tasks_attendance_and_minutes(client: Client, olga: Any, case_rows: dict[str, Any]) -> None:
    client.force_login(olga)
    client.post(
        meeting_url(case_rows, "record/"), {"agenda": "議題", "decisions": "週1回訪問する", "minutes": "出席者で確認"}
    )
    with scopes_disabled():
        olga_participation = MeetingParticipant.objects.get(meeting=case_rows["meeting"], user=olga)
    client.post(meeting_url(case_rows, "attendance/"), {"attended": [olga_participation.pk]})
    client.post(
        meeting_url(case_rows, "tasks/"),
        {"title": "家族に連絡する", "owner": olga.pk, "person": case_rows["person"].pk, "due_on": "2027-01-08"},
    )
    client.post(f"/kamakura/workspace/cases/tasks/{case_rows['task'].pk}/done/")
    with scopes_disabled():
        meeting = CaseMeeting.objects.get(pk=case_rows["meeting"].pk)
        assert (meeting.decisions, meeting.minutes) == ("週1回訪問する", "出席者で確認")
        olga_participation.refresh_from_db()
        assert olga_participation.attended is True
        titles = sorted(task.title for task in meeting.tasks.all())
        case_rows["task"].refresh_from_db()
    assert titles == ["家族に連絡する", "自宅を訪問する"]
    assert case_rows["task"].done_at is not None
    # Texts are encrypted at rest like the person's fields.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT title, decisions, minutes FROM cases_casemeeting WHERE id = %s", [meeting.pk])
        assert all(value.startswith("gcm1:") for value in cursor.fetchone())


def test_a_task_owner_must_take_part(client: Client, olga: Any, case_rows: dict[str, Any]) -> None:
    client.force_login(olga)
    response = client.post(
        meeting_url(case_rows, "tasks/"),
        {"title": "x", "owner": case_rows["dora"].pk, "due_on": "2027-01-08"},
        follow=True,
    )
    assert response.status_code == 200
    with scopes_disabled():
        assert case_rows["meeting"].tasks.count() == 1


@pytest.mark.parametrize("who", ["another_organisation", "other_platform_staff"])
def test_every_case_url_with_an_id_is_404_to_outsiders(
    client: Client, case_rows: dict[str, Any], who: str, tottori: Any
) -> None:
    """Object-level probes: Dora (another organisation here) and Tottori staff (with their own
    organisation and two-factor, on their own platform's URLs) try every case URL with Kamakura's ids."""
    if who == "another_organisation":
        user, slug = case_rows["dora"], "kamakura"
    else:
        from tsunagari.directory.models import Organization

        with scopes_disabled():
            their_org = Organization.objects.create(platform=tottori, name="鳥取市社協")
        user, slug = with_totp(make_user("toru")), tottori.slug
        Membership.objects.create(user=user, platform=tottori, role=Role.ORG_ADMIN, organization=their_org)
    client.force_login(user)
    probed = 0
    for name, path in case_urls(case_rows, slug):
        if "<" in path or not any(ch.isdigit() for ch in path.split("/workspace/")[1]):
            continue
        assert walk_request(client, path, case_rows).status_code == 404, (who, name)
        probed += 1
    assert probed >= 11
    with scopes_disabled():
        assert not ProvisionRecord.objects.filter(recipient__name="鳥取市社協").exists()
        assert case_rows["meeting"].participants.count() == 1


# --- a meeting discloses only on the same terms as a referral -----------------------------------------


def test_an_organisation_not_on_the_council_cannot_be_brought_into_the_meeting(
    client: Client, olga: Any, case_rows: dict[str, Any]
) -> None:
    """The meeting is held under the support council; Dora's organisation does not sit on it."""
    client.force_login(olga)
    response = client.post(meeting_url(case_rows, "participants/"), {"user": case_rows["dora"].pk}, follow=True)
    assert "このような会議に" in response.content.decode() or "共有できません" in response.content.decode()
    with scopes_disabled():
        assert not MeetingParticipant.objects.filter(meeting=case_rows["meeting"], user=case_rows["dora"]).exists()
        assert not ProvisionRecord.objects.filter(recipient_id=case_rows["other"].pk).exists()
    client.force_login(case_rows["dora"])
    assert client.get(person_url(case_rows)).status_code == 404
    # The centre sits on it and Rita signed its pledge: she is brought in and her organisation receives Hanako.
    client.force_login(olga)
    assert client.post(meeting_url(case_rows, "participants/"), {"user": case_rows["rita"].pk}).status_code == 302
    with scopes_disabled():
        assert ProvisionRecord.objects.filter(
            recipient_id=case_rows["centre"].pk, meeting=case_rows["meeting"]
        ).exists()


def test_a_consent_meeting_shares_only_with_the_organisations_the_consent_names(
    olga: Any, case_rows: dict[str, Any], kamakura: Any, kamakura_council: Any
) -> None:
    with scopes_disabled():
        meeting = actions.create_meeting(
            platform=kamakura,
            organizer_id=kamakura_council.pk,
            actor=olga,
            title="同意に基づく会議",
            held_at=timezone.now(),
            basis=Basis.CONSENT,
            access_until=date.today() + timedelta(days=7),
        )
        actions.add_participant(meeting, case_rows["dora"], actor=olga)  # nobody on the agenda yet
        consent = Consent.objects.get(pk=case_rows["consent"].pk)
        assert case_rows["other"].pk not in set(consent.recipients.values_list("pk", flat=True))
        with pytest.raises(actions.MeetingError):
            actions.put_on_agenda(meeting, case_rows["person"], actor=olga)
        assert not meeting.persons.exists()
        assert not ProvisionRecord.objects.filter(meeting=meeting).exists()


def test_a_granted_stop_keeps_the_person_off_every_agenda(olga: Any, case_rows: dict[str, Any]) -> None:
    meeting = case_rows["meeting"]
    with scopes_disabled():
        actions.add_participant(meeting, case_rows["rita"], actor=olga)
        meeting.persons.clear()
        stop = actions.record_request(
            case_rows["person"],
            organization_id=meeting.organizer_id,
            actor=olga,
            kind="stop_provision",
            received_on=date.today(),
            channel="written",
            asked="ほかの団体に伝えないでほしい",
        )
        actions.answer_request(stop, actor=olga, decision="done", answered_on=date.today())
        with pytest.raises(actions.MeetingError):
            actions.put_on_agenda(meeting, case_rows["person"], actor=olga)
        assert not meeting.persons.exists()


def test_only_members_who_signed_the_pledge_take_part(olga: Any, case_rows: dict[str, Any], kamakura: Any) -> None:
    unsigned = with_totp(make_user("ursula"))
    with scopes_disabled():
        Membership.objects.create(
            user=unsigned, platform=kamakura, role=Role.ORG_STAFF, organization=case_rows["centre"]
        )
        with pytest.raises(actions.MeetingError):
            actions.add_participant(case_rows["meeting"], unsigned, actor=olga)
        assert not MeetingParticipant.objects.filter(user=unsigned).exists()
