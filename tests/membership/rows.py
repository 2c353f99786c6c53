"""Membership rows for tests: an application, a member, an agreement with its PDF, a listing and its change.

Imported by tests/membership/conftest.py and by the permission matrix in tests/workspace, whose
URLs point at these rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import make_service
from tests.pdfs import plain_pdf
from tsunagari.directory.models import Organization, Service
from tsunagari.membership import actions, listings
from tsunagari.membership.models import Agreement, ListingChange, MemberOrganisation, ProblemReport
from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import platform_scope, scopes_disabled

# A real one-page PDF: the check parses it.
PDF = plain_pdf()
# 国税庁's own corporate number (法人番号公表サイト), valid by the check digit.
NTA_NUMBER = "7000012050002"
# トヨタ自動車株式会社's (法人番号公表サイト): a registered corporation's.
COMPANY_NUMBER = "1180301018771"


def pdf_upload(name: str = "協定書.pdf", content: bytes = PDF, content_type: str = "application/pdf") -> Any:
    return SimpleUploadedFile(name, content, content_type=content_type)


def application_fields(**overrides: Any) -> dict[str, Any]:
    fields = {
        "name": "NPO法人 かまくら居場所ネット",
        "kind": MemberOrganisation.Kind.NPO,
        "corporate_number": "",
        "areas": "鎌倉市全域",
        "needs": ["loneliness", "community"],
        "description": "ひとり暮らしの方の居場所づくりをしています。",
        "website": "https://ibasho.example.jp/",
        "contact_name": "山田 花子",
        "contact_email": "hanako@ibasho.example.jp",
        "contact_phone": "0467-00-0000",
    }
    return {**fields, **overrides}


def council_service(platform: Platform, council: Organization, name: str = "社協 よりそい相談") -> Service:
    """A published service of the council, with a phone channel and an area."""
    service = make_service(platform, name, phone="0467-24-0000", hours_text="平日 9時～17時")
    with scopes_disabled():
        service.organization = council
        service.save()
    return service


def edited(service: Service, **changes: Any) -> dict[str, Any]:
    with platform_scope(service.platform, with_national=False):
        return {**listings.snapshot(service), **changes}


@pytest.fixture
def membership_rows(
    settings: Any, tmp_path: Path, kamakura: Any, kamakura_council: Any, alice: Any, olga: Any
) -> dict[str, Any]:
    """An application, the council as a member, an agreement with a PDF, a listing, a pending change, a report."""
    settings.MEDIA_ROOT = tmp_path / "media"
    with platform_scope(kamakura, with_national=False):
        application = actions.apply_to_join(kamakura, **application_fields())
        member = MemberOrganisation.objects.create(
            platform=kamakura,
            organization=kamakura_council,
            status=MemberOrganisation.Status.APPROVED,
            name=kamakura_council.name,
            kind=MemberOrganisation.Kind.COUNCIL,
            contact_name="佐藤 一郎",
            contact_email="council@example.jp",
        )
        agreement = actions.save_agreement(
            Agreement(platform=kamakura, title="孤独・孤立対策に関する連携協定", status=Agreement.Status.IN_FORCE),
            actor=alice,
            parties=[member],
            document=pdf_upload(),
        )
    service = council_service(kamakura, kamakura_council)
    with platform_scope(kamakura, with_national=False):
        change = actions.propose_listing_change(
            organization=kamakura_council,
            service=service,
            after=edited(service, phone="0467-99-9999"),
            author=olga,
        )
        report = actions.report_problem(platform=kamakura, service=service, kind=ProblemReport.Kind.PHONE)
    assert change.status == ListingChange.Status.PENDING
    return {
        "application": application,
        "member": member,
        "agreement": agreement,
        "service": service,
        "change": change,
        "report": report,
    }
