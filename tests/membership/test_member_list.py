"""The member list as CSV for Excel (coordinators, audited) and to print on A4 (public and internal)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tsunagari.audit.models import AuditEvent
from tsunagari.membership.models import MemberOrganisation
from tsunagari.tenancy.scoping import platform_scope, scopes_disabled

pytestmark = pytest.mark.django_db

EXPORT = "/kamakura/workspace/members/export.csv"


@pytest.fixture
def npo(kamakura: Any, membership_rows: dict[str, Any]) -> MemberOrganisation:
    """A second member whose name a spreadsheet would run as a formula."""
    with platform_scope(kamakura, with_national=False):
        return MemberOrganisation.objects.create(
            platform=kamakura,
            status=MemberOrganisation.Status.APPROVED,
            name='=HYPERLINK("https://evil.example/","居場所")',
            kind=MemberOrganisation.Kind.NPO,
            corporate_number="1180301018771",
            areas="鎌倉市全域",
            needs=["loneliness"],
            description="居場所カフェ",
            contact_name="山田 花子",
            contact_email="hanako@example.jp",
            contact_phone="+81-467-00-0000",
        )


def test_coordinators_download_the_member_list_for_excel(
    client: Client, alice: Any, npo: MemberOrganisation, membership_rows: dict[str, Any]
) -> None:
    client.force_login(alice)
    response = client.get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="members-kamakura.csv"'
    assert "no-store" in response["Cache-Control"]
    raw = response.content
    assert raw.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    lines = raw.decode("utf-8-sig").split("\r\n")  # CRLF, as Excel writes
    assert lines[0].startswith("団体名,種類,法人番号,活動地域")
    assert "連絡担当者" in lines[0] and "法人番号の種類" in lines[0]
    body = raw.decode("utf-8-sig")
    # The application waiting for a decision is not a member.
    assert "かまくら居場所ネット" not in body
    assert "council@example.jp" in body
    # Formulas are defused, telephone numbers with + too.
    assert "'=HYPERLINK" in body and "'+81-467-00-0000" in body
    assert "1180301018771" in body and "設立登記法人" in body
    with scopes_disabled():
        event = AuditEvent.objects.get(action="membership.exported")
    assert event.actor == alice and event.changes == {"members": 2}


@pytest.mark.parametrize("persona", ["olga", "sam", "oscar"])
def test_only_coordinators_download_it(
    request: pytest.FixtureRequest, client: Client, persona: str, membership_rows: dict[str, Any]
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get(EXPORT).status_code == 403
    with scopes_disabled():
        assert not AuditEvent.objects.filter(action="membership.exported").exists()


def test_the_internal_print_view_shows_contacts_to_coordinators_only(
    client: Client, alice: Any, sam: Any, npo: MemberOrganisation
) -> None:
    client.force_login(alice)
    body = client.get("/kamakura/workspace/members/print/").content.decode()
    assert "print.css" in body and "hanako@example.jp" in body and "山田 花子" in body
    client.force_login(sam)
    body = client.get("/kamakura/workspace/members/print/").content.decode()
    assert "居場所カフェ" in body
    assert "hanako@example.jp" not in body and "山田 花子" not in body


def test_the_public_print_view_never_shows_contacts(client: Client, npo: MemberOrganisation) -> None:
    response = client.get("/kamakura/members/print/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "print.css" in body and "居場所カフェ" in body
    assert "hanako@example.jp" not in body and "山田 花子" not in body and "+81-467" not in body
    assert "/kamakura/members/print/" in client.get("/kamakura/members/").content.decode()


def test_the_print_stylesheet_is_for_a4(settings: Any) -> None:
    css = (Path(settings.BASE_DIR) / "tsunagari" / "static" / "tsunagari" / "print.css").read_text()
    assert "@page{size:A4" in css


# The internal member directory: contact persons are for the coordinators (access.sees_contact_persons).
PRIVATE = ["佐藤 一郎", "council@example.jp", "山田 花子", "hanako@example.jp", "+81-467-00-0000"]


@pytest.fixture
def public_email(kamakura_council: Any) -> str:
    with scopes_disabled():
        kamakura_council.email = "info@council.example.jp"
        kamakura_council.save()
    return "info@council.example.jp"


def _pages(client: Client, membership_rows: dict[str, Any], npo: MemberOrganisation) -> list[str]:
    urls = [
        "/kamakura/workspace/members/",
        f"/kamakura/workspace/members/{membership_rows['member'].pk}/",
        f"/kamakura/workspace/members/{npo.pk}/",
        "/kamakura/workspace/members/print/",
    ]
    bodies = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        bodies.append(response.content.decode())
    return bodies


def test_coordinators_see_the_members_contact_persons(
    client: Client, alice: Any, npo: MemberOrganisation, membership_rows: dict[str, Any]
) -> None:
    client.force_login(alice)
    listing, council, npo_page, printed = _pages(client, membership_rows, npo)
    assert all(text in listing for text in PRIVATE)
    assert "佐藤 一郎" in council and "council@example.jp" in council
    assert "山田 花子" in npo_page and "+81-467-00-0000" in npo_page
    assert all(text in printed for text in PRIVATE)


@pytest.mark.parametrize("persona", ["olga", "sam", "oscar"])
def test_member_staff_see_organisations_and_their_public_contact_only(
    request: pytest.FixtureRequest,
    client: Client,
    persona: str,
    npo: MemberOrganisation,
    membership_rows: dict[str, Any],
    public_email: str,
) -> None:
    client.force_login(request.getfixturevalue(persona))
    listing, council, npo_page, printed = _pages(client, membership_rows, npo)
    for body in (listing, council, npo_page, printed):
        assert not [text for text in PRIVATE if text in body]
    # The organisations and their public contact are still there.
    assert "居場所カフェ" in npo_page and "居場所カフェ" in printed
    assert public_email in listing and public_email in council
    assert "事務局だけが見られます" in listing and "事務局だけが見られます" in council
