"""Partnership agreements: the signed PDF is checked on the way in and served only to members."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.membership.rows import PDF, pdf_upload
from tsunagari.audit.models import AuditEvent
from tsunagari.membership.models import Agreement
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def post_agreement(client: Client, member: Any, upload: Any, **extra: Any) -> Any:
    data = {"title": "連携協定", "parties": [member.pk], "status": "in_force", "upload": upload, **extra}
    return client.post("/kamakura/workspace/members/agreements/new/", data)


def test_a_coordinator_uploads_a_signed_pdf_under_a_random_name(
    client: Client, alice: Any, membership_rows: dict[str, Any], media: Path
) -> None:
    client.force_login(alice)
    response = post_agreement(client, membership_rows["member"], pdf_upload("../../etc/協定書 署名済み.pdf"))
    assert response.status_code == 302
    with scopes_disabled():
        agreement = Agreement.objects.get(title="連携協定")
        assert AuditEvent.objects.filter(action="agreement.created", actor=alice).exists()
        assert list(agreement.parties.all()) == [membership_rows["member"]]
    stored = Path(agreement.document.path)
    assert stored.is_relative_to(media / "agreements")
    assert "協定書" not in stored.name and ".." not in agreement.document.name
    assert stored.read_bytes() == PDF
    assert agreement.document_name == "協定書 署名済み.pdf"


@pytest.mark.parametrize(
    ("name", "content", "content_type", "code"),
    [
        ("協定書.docx", PDF, "application/pdf", "pdf_name"),
        ("協定書.pdf", PDF, "text/html", "pdf_type"),
        ("協定書.pdf", b"<html><script>alert(1)</script></html>", "application/pdf", "file_magic"),
        ("協定書.pdf", b"MZ\x90\x00 not a pdf", "application/pdf", "file_magic"),
        ("協定書.pdf", PDF + b"1 0 obj<</S/JavaScript/JS(app.alert(1))>>endobj", "application/pdf", "file_active"),
        ("協定書.pdf", PDF + b"<</Type/Action/S/Launch/F(cmd.exe)>>", "application/pdf", "file_active"),
    ],
)
def test_anything_but_a_plain_pdf_is_refused(
    client: Client,
    alice: Any,
    membership_rows: dict[str, Any],
    media: Path,
    name: str,
    content: bytes,
    content_type: str,
    code: str,
) -> None:
    client.force_login(alice)
    response = post_agreement(client, membership_rows["member"], pdf_upload(name, content, content_type))
    assert response.status_code == 400
    assert response.context["form"].errors.as_data()["upload"][0].code == code
    with scopes_disabled():
        assert not Agreement.objects.filter(title="連携協定").exists()


def test_a_file_over_the_limit_is_refused(
    client: Client, alice: Any, membership_rows: dict[str, Any], media: Path, settings: Any
) -> None:
    settings.WORKSPACE_UPLOAD_MAX_MB = 1
    client.force_login(alice)
    big = PDF + b"0" * (1024 * 1024)
    response = post_agreement(client, membership_rows["member"], pdf_upload(content=big))
    assert response.status_code == 400
    assert response.context["form"].errors.as_data()["upload"][0].code == "file_size"


def test_dates_in_the_wrong_order_are_named(client: Client, alice: Any, membership_rows: dict[str, Any]) -> None:
    client.force_login(alice)
    response = post_agreement(client, membership_rows["member"], "", starts_on="2027-04-01", ends_on="2026-03-31")
    assert response.status_code == 400
    assert "ends_on" in response.context["form"].errors


def test_members_download_it_as_an_attachment(
    client: Client, sam: Any, oscar: Any, membership_rows: dict[str, Any]
) -> None:
    agreement = membership_rows["agreement"]
    for person in (sam, oscar):
        client.force_login(person)
        response = client.get(f"/kamakura/workspace/members/agreements/{agreement.pk}/document/")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]


def test_nobody_else_gets_the_document(client: Client, charlie: Any, membership_rows: dict[str, Any]) -> None:
    agreement = membership_rows["agreement"]
    url = f"/kamakura/workspace/members/agreements/{agreement.pk}/document/"
    assert client.get(url).status_code == 302  # to sign in
    client.force_login(charlie)
    assert client.get(url).status_code == 404
    assert client.get(f"/tottori-pref/workspace/members/agreements/{agreement.pk}/document/").status_code == 404
    # The stored file is not reachable under any public address.
    assert client.get("/media/" + agreement.document.name).status_code == 404
    assert client.get("/" + agreement.document.name).status_code == 404


def test_a_new_document_replaces_the_old_file(
    client: Client,
    alice: Any,
    membership_rows: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    agreement = membership_rows["agreement"]
    old = Path(agreement.document.path)
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/kamakura/workspace/members/agreements/{agreement.pk}/edit/",
            {
                "title": agreement.title,
                "parties": [membership_rows["member"].pk],
                "status": "ended",
                "upload": pdf_upload("改定版.pdf"),
            },
        )
    assert response.status_code == 302
    with scopes_disabled():
        agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.ENDED
    assert agreement.document_name == "改定版.pdf"
    assert not old.exists()
    assert Path(agreement.document.path).exists()
