"""Demo members for `seed-demo`: a few member organisations, an agreement, and something in every queue.

Everything is marked （デモ） and idempotent: seeding again finds what is there.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from tsunagari.accounts.models import User
from tsunagari.directory.models import Organization, Service
from tsunagari.tenancy.models import Platform

from . import listings
from .models import Agreement, ListingChange, MemberOrganisation, ProblemReport

DEMO_DOMAIN = "demo.tsunagari.invalid"
# (platform slug, service of the demo 社協 that has a change waiting, the change)
PENDING_CHANGES = {
    "kamakura": ("（デモ）鎌倉 居場所カフェ", {"hours_text": "毎週水曜日 13時～16時", "phone": "0467-00-0000"}),
    "kyoto-city": ("（デモ）京都 こども食堂ネットワーク", {"hours_text": "毎月第2・第4土曜日 11時～14時"}),
}


def seed_members(platforms: dict[str, Platform]) -> None:
    """Members, an agreement, an application, a listing change and a report on the two demo platforms.

    Call with scopes disabled, after the demo services and accounts exist.
    """
    for slug, (service_name, changes) in PENDING_CHANGES.items():
        platform = platforms[slug]
        area = str(platform.municipality or platform.prefecture)
        council = Organization.objects.get(platform=platform, source_id=f"demo-org-{slug}")
        npo, _created = Organization.objects.get_or_create(
            platform=platform, source_id=f"demo-npo-{slug}", defaults={"name": f"（デモ）NPO法人 {area}つながるカフェ"}
        )
        members = [
            _member(
                platform, council, MemberOrganisation.Kind.COUNCIL, "地域福祉の推進、生活支援、ボランティアセンター。"
            ),
            _member(platform, npo, MemberOrganisation.Kind.NPO, "居場所カフェと、ひとり暮らしの方への訪問活動。"),
        ]
        MemberOrganisation.objects.get_or_create(
            platform=platform,
            name=f"（デモ）{area}こども食堂ネットワーク",
            defaults={
                "status": MemberOrganisation.Status.APPLIED,
                "kind": MemberOrganisation.Kind.NPO,
                "areas": f"{area}全域",
                "needs": ["food", "children"],
                "description": "（デモ）市内のこども食堂をつなぐネットワークです。",
                "contact_name": "（デモ）申請担当",
                "contact_email": f"{slug}-applicant@{DEMO_DOMAIN}",
            },
        )
        agreement, created = Agreement.objects.get_or_create(
            platform=platform,
            title="（デモ）孤独・孤立対策の推進に関する連携協定",
            defaults={
                "status": Agreement.Status.IN_FORCE,
                "other_parties": str(area),
                "signed_on": datetime.date(2026, 4, 1),
                "starts_on": datetime.date(2026, 4, 1),
            },
        )
        if created:
            agreement.parties.set(members)
        service = Service.objects.get(platform=platform, name=service_name)
        if not ListingChange.objects.filter(service=service, status=ListingChange.Status.PENDING).exists():
            before = listings.snapshot(service)
            ListingChange.objects.create(
                platform=platform,
                organization=council,
                service=service,
                before=before,
                after={**before, **changes},
                author=User.objects.filter(username=f"{slug.removesuffix('-city')}-org-admin").first(),
                author_note="（デモ）開催日時が変わりました。",
            )
        ProblemReport.objects.get_or_create(
            platform=platform,
            service=service,
            kind=ProblemReport.Kind.HOURS,
            defaults={"text": "（デモ）土曜日に行ったら閉まっていました。"},
        )


def _member(platform: Platform, organization: Organization, kind: str, description: str) -> MemberOrganisation:
    member, _created = MemberOrganisation.objects.get_or_create(
        platform=platform,
        organization=organization,
        defaults={
            "name": organization.name,
            "status": MemberOrganisation.Status.APPROVED,
            "decided_at": timezone.now(),
            "kind": kind,
            "description": f"（デモ）{description}",
            "contact_name": "（デモ）連絡担当",
            "contact_email": f"{platform.slug}-{kind}@{DEMO_DOMAIN}",
        },
    )
    return member
