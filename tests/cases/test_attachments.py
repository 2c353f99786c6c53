"""Attachments of a person (issue 11 item 3): checked on the way in, encrypted at rest, the organisation's own.

Only the organisation that added a file sees and downloads it, while it sees the person; every
download is in the case log and never cached; outsiders get 404 as for a file that does not exist.
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client

from tests.cases.rows import OUTSIDERS, outsider
from tests.cases.walk import request as walk_request
from tests.notices.rows import PDF, pdf
from tsunagari.cases import actions, caselog, crypto
from tsunagari.cases.models import CaseLogEntry, PersonAttachment, Referral, Status
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db

BASE = "/kamakura/workspace/cases/"
# Bytes no other file holds: found on disk only if the file were stored in clear.
SECRET = b"%PDF-1.4\n% HANAKO-CARE-PLAN-7f3a\n" + PDF[len(b"%PDF-1.4\n") :]


def upload_url(person: Any) -> str:
    return f"{BASE}persons/{person.pk}/attachments/"


def attachments(**filters: Any) -> list[PersonAttachment]:
    with scopes_disabled():
        return list(PersonAttachment.objects.filter(**filters).order_by("pk"))


def test_an_attachment_is_stored_encrypted_and_comes_back_as_a_logged_download(
    client: Client, olga: Any, case_rows: dict[str, Any], kamakura_council: Any
) -> None:
    person = case_rows["person"]
    client.force_login(olga)
    response = client.post(upload_url(person), {"file": pdf("花子さん 支援計画.pdf", SECRET)})
    assert response.status_code == 302 and response["Location"] == f"{BASE}persons/{person.pk}/"
    attachment = attachments(person=person)[-1]
    assert attachment.organization_id == kamakura_council.pk and attachment.size == len(SECRET)
    # At rest: the bytes sealed (AES-GCM, current key), the name an encrypted column.
    stored = (Path(settings.MEDIA_ROOT) / attachment.blob.name).read_bytes()
    assert stored.startswith(b"gcm1:k1:") and b"HANAKO-CARE-PLAN" not in stored
    assert "花子" not in attachment.blob.name
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM cases_personattachment WHERE id = %s", [attachment.pk])
        (name,) = cursor.fetchone()
    assert name.startswith("gcm1:") and "花子" not in name
    # The person's page lists it; the download is the file, as an attachment, never cached, logged.
    assert "花子さん 支援計画.pdf" in client.get(f"{BASE}persons/{person.pk}/").content.decode()
    response = client.get(f"{BASE}attachments/{attachment.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == SECRET
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff" and "sandbox" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]
    with scopes_disabled():
        logged = CaseLogEntry.objects.filter(url_name="case-attachment").latest("seq")
        added = CaseLogEntry.objects.filter(detail__attachment=attachment.pk).get()
    assert logged.persons == [person.pk] and logged.actor_id == olga.pk and logged.status == 200
    assert added.action == caselog.CHANGE and added.persons == [person.pk]
    assert "花子" not in str(logged.detail) + str(added.detail)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("script.pdf", b"%PDF-1.4\n1 0 obj << /OpenAction << /JS (app.alert(1)) >> >>\nendobj\n%%EOF", "PDF"),
        ("macro.exe", b"MZ", "この種類のファイル"),
        ("disguised.pdf", b"<html><script>alert(1)</script></html>", "PDF"),
        ("large.pdf", PDF + b"0" * (1024 * 1024 + 1), "MB"),
    ],
)
def test_unsafe_or_large_files_are_refused(
    client: Client,
    olga: Any,
    case_rows: dict[str, Any],
    settings: Any,
    name: str,
    content: bytes,
    message: str,
) -> None:
    settings.WORKSPACE_UPLOAD_MAX_MB = 1
    client.force_login(olga)
    response = client.post(upload_url(case_rows["person"]), {"file": pdf(name, content)}, follow=True)
    assert message in response.content.decode()
    assert len(attachments(person=case_rows["person"])) == 1  # the fixture's only


def test_another_organisation_that_sees_the_person_does_not_get_the_files(
    client: Client, case_rows: dict[str, Any]
) -> None:
    """The centre sees Hanako once it accepts the referral, but was not provided the council's file."""
    rita, person = case_rows["rita"], case_rows["person"]
    with scopes_disabled():
        actions.move(case_rows["referral"], Status.ACCEPTED, orgs=frozenset({case_rows["centre"].pk}), actor=rita)
    client.force_login(rita)
    page = client.get(f"{BASE}persons/{person.pk}/").content.decode()
    assert page.count("鎌倉 花子") >= 1 and "主治医意見書" not in page
    assert client.get(f"{BASE}attachments/{case_rows['attachment'].pk}/").status_code == 404
    # Its own file is its own: the council does not see it either.
    assert client.post(upload_url(person), {"file": pdf("センター記録.pdf")}).status_code == 302
    [theirs] = attachments(organization=case_rows["centre"])
    client.force_login(case_rows["attachment"].uploaded_by)
    assert client.get(f"{BASE}attachments/{theirs.pk}/").status_code == 404
    assert "センター記録" not in client.get(f"{BASE}persons/{person.pk}/").content.decode()


def test_the_file_goes_with_the_organisations_hold_on_the_person(
    client: Client, olga: Any, case_rows: dict[str, Any]
) -> None:
    with scopes_disabled():
        actions.withdraw_consent(case_rows["consent"], actor=olga)
        Referral.objects.filter(pk=case_rows["referral"].pk).update(status=Status.CANCELLED)
    client.force_login(olga)
    assert client.get(f"{BASE}attachments/{case_rows['attachment'].pk}/").status_code == 404


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_404_and_change_nothing(
    request: pytest.FixtureRequest, client: Client, olga: Any, case_rows: dict[str, Any], tottori: Any, who: str
) -> None:
    user, slug = outsider(request, who, olga, case_rows, tottori)
    client.force_login(user)
    base = f"/{slug}/workspace/cases/"
    download = client.get(f"{base}attachments/{case_rows['attachment'].pk}/")
    assert download.status_code == 404 and b"%PDF" not in download.content
    upload = f"{base}persons/{case_rows['person'].pk}/attachments/"
    assert client.post(upload, {"file": pdf("outsider.pdf")}).status_code == 404
    assert walk_request(client, upload, case_rows).status_code == 404
    assert len(attachments()) == 1


def test_key_rotation_reseals_attachments(case_rows: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    attachment = case_rows["attachment"]
    old_key = settings.CASES_FIELD_KEYS
    settings.CASES_FIELD_KEYS = f"k2:{crypto.new_key()},{old_key}"
    before = Path(settings.MEDIA_ROOT) / attachment.blob.name
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("reencrypt_cases", stdout=out)
    assert "cases.PersonAttachment files: 1 sealed with key k2" in out.getvalue()
    [resealed] = attachments(pk=attachment.pk)
    assert (Path(settings.MEDIA_ROOT) / resealed.blob.name).read_bytes().startswith(b"gcm1:k2:")
    assert not before.exists()
    settings.CASES_FIELD_KEYS = settings.CASES_FIELD_KEYS.split(",")[0]  # the old key can go now
    assert actions.read_attachment(resealed).startswith(b"%PDF") and resealed.name == "花子さん 主治医意見書.pdf"


def test_a_file_swapped_for_another_does_not_open(case_rows: dict[str, Any], olga: Any) -> None:
    with scopes_disabled():
        other = actions.add_attachment(
            case_rows["person"], pdf("別の.pdf"), organization_id=case_rows["attachment"].organization_id, actor=olga
        )
    original = Path(settings.MEDIA_ROOT) / case_rows["attachment"].blob.name
    original.write_bytes((Path(settings.MEDIA_ROOT) / other.blob.name).read_bytes())
    with pytest.raises(crypto.DecryptionError):
        actions.read_attachment(case_rows["attachment"])


def test_the_disclosure_answer_carries_the_organisations_own_files_and_no_one_elses(
    client: Client, olga: Any, case_rows: dict[str, Any]
) -> None:
    """APPI §33: the answer holds what the answering organisation keeps, its files byte for byte;
    another organisation's file about the person is that organisation's to disclose, not even named."""
    import base64
    import hashlib
    import json

    rita, person = case_rows["rita"], case_rows["person"]
    with scopes_disabled():
        actions.move(case_rows["referral"], Status.ACCEPTED, orgs=frozenset({case_rows["centre"].pk}), actor=rita)
        actions.add_attachment(person, pdf("センター面談記録.pdf"), organization_id=case_rows["centre"].pk, actor=rita)
    client.force_login(olga)
    response = client.get(f"{BASE}persons/{person.pk}/disclosure/")
    assert response.status_code == 200
    raw = response.content.decode()
    (listed,) = json.loads(raw)["attachments"]
    own = case_rows["attachment"]
    content = base64.b64decode(listed["content_base64"])
    assert content == actions.read_attachment(own) and listed["sha256"] == hashlib.sha256(content).hexdigest()
    assert (listed["file_name"], listed["content_type"], listed["size"]) == (
        "花子さん 主治医意見書.pdf",
        "application/pdf",
        own.size,
    )
    assert listed["organization"] == "鎌倉市社会福祉協議会" and listed["added_at"]
    assert "センター面談記録" not in raw
    with scopes_disabled():
        logged = CaseLogEntry.objects.filter(detail__disclosure=True).latest("seq")
    assert logged.detail["attachments"] == [own.pk]
    # The centre's own answer has its own file and not the council's.
    client.force_login(rita)
    answer = json.loads(client.get(f"{BASE}persons/{person.pk}/disclosure/").content)
    assert [a["file_name"] for a in answer["attachments"]] == ["センター面談記録.pdf"]
