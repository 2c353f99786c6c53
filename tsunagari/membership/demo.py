"""Demo members for `seed-demo`: a few member organisations, an agreement, and something in every queue.

Everything is marked （デモ） and idempotent: seeding again finds what is there.
"""

from __future__ import annotations

import datetime
from typing import TypeVar

from django.db.models import Model, QuerySet
from django.utils import timezone

from tsunagari.accounts.models import User
from tsunagari.directory.models import Organization, Service
from tsunagari.tenancy.models import Platform

from . import listings
from .models import Agreement, ListingChange, MemberOrganisation, ProblemReport

DEMO_DOMAIN = "demo.tsunagari.invalid"
T = TypeVar("T", bound=Model)
# (platform slug, source id of the demo 社協's listing that has a change waiting, the change)
PENDING_CHANGES = {
    "kamakura": ("demo-kamakura-cafe", {"hours_text": "毎週水曜日 13時～16時", "phone": "0467-00-0000"}),
    "kyoto-city": ("demo-kyoto-food", {"hours_text": "毎月第2・第4土曜日 11時～14時"}),
}


def seed_members(platforms: dict[str, Platform]) -> None:
    """Members, an agreement, an application, a listing change and a report on the two demo platforms.

    Call with scopes disabled, after the demo services and accounts exist. Re-runnable on a
    database people have used: what is there is found (never `get`, which fails on copies), and
    what people removed is made again only where the demo needs it.
    """
    for slug, (service_source_id, changes) in PENDING_CHANGES.items():
        platform = platforms[slug]
        area = str(platform.municipality or platform.prefecture)
        council = _first(Organization.objects.filter(platform=platform, source_id=f"demo-org-{slug}"))
        npo = _first(Organization.objects.filter(platform=platform, source_id=f"demo-npo-{slug}"))
        if npo is None:
            npo = Organization.objects.create(
                platform=platform, source_id=f"demo-npo-{slug}", name=f"（デモ）NPO法人 {area}つながるカフェ"
            )
        members = [
            _member(platform, npo, MemberOrganisation.Kind.NPO, "居場所カフェと、ひとり暮らしの方への訪問活動。"),
        ]
        if council is not None:
            members.insert(
                0,
                _member(
                    platform,
                    council,
                    MemberOrganisation.Kind.COUNCIL,
                    "地域福祉の推進、生活支援、ボランティアセンター。",
                ),
            )
        applicant = f"（デモ）{area}こども食堂ネットワーク"
        if not MemberOrganisation.objects.filter(platform=platform, name=applicant).exists():
            MemberOrganisation.objects.create(
                platform=platform,
                name=applicant,
                status=MemberOrganisation.Status.APPLIED,
                kind=MemberOrganisation.Kind.NPO,
                areas=f"{area}全域",
                needs=["food", "children"],
                description="（デモ）市内のこども食堂をつなぐネットワークです。",
                contact_name="（デモ）申請担当",
                contact_email=f"{slug}-applicant@{DEMO_DOMAIN}",
            )
        title = "（デモ）孤独・孤立対策の推進に関する連携協定"
        if not Agreement.objects.filter(platform=platform, title=title).exists():
            agreement = Agreement.objects.create(
                platform=platform,
                title=title,
                status=Agreement.Status.IN_FORCE,
                other_parties=str(area),
                signed_on=datetime.date(2026, 4, 1),
                starts_on=datetime.date(2026, 4, 1),
            )
            agreement.parties.set(members)
        service = _first(Service.objects.filter(platform=platform, source_id=service_source_id))
        if service is None:
            continue  # removed through the product: nothing to propose a change to
        if (
            council is not None
            and not ListingChange.objects.filter(service=service, status=ListingChange.Status.PENDING).exists()
        ):
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
        if not ProblemReport.objects.filter(platform=platform, service=service, kind=ProblemReport.Kind.HOURS).exists():
            ProblemReport.objects.create(
                platform=platform,
                service=service,
                kind=ProblemReport.Kind.HOURS,
                text="（デモ）土曜日に行ったら閉まっていました。",
            )


def _first(queryset: QuerySet[T]) -> T | None:
    return queryset.order_by("pk").first()


def _member(platform: Platform, organization: Organization, kind: str, description: str) -> MemberOrganisation:
    member = _first(MemberOrganisation.objects.filter(platform=platform, organization=organization))
    if member is None:
        member = MemberOrganisation.objects.create(
            platform=platform,
            organization=organization,
            name=organization.name,
            status=MemberOrganisation.Status.APPROVED,
            decided_at=timezone.now(),
            kind=kind,
            description=f"（デモ）{description}",
            contact_name="（デモ）連絡担当",
            contact_email=f"{platform.slug}-{kind}@{DEMO_DOMAIN}",
        )
    return member
