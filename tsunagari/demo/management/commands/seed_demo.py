"""Create the demo platforms (the 18 first-round bodies of the national programme) and demo accounts."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from tsunagari.accounts.mfa import demo_secret, set_up_totp
from tsunagari.accounts.models import Membership, Role, User, may_open_case_records, requires_mfa
from tsunagari.cases.demo import seed_cases
from tsunagari.directory.models import (
    Channel,
    Location,
    Organization,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
)
from tsunagari.knowhow.demo import seed_knowhow
from tsunagari.membership.demo import seed_members
from tsunagari.notices.demo import seed_notices
from tsunagari.programs.demo import seed_events
from tsunagari.surveys.demo import seed_survey
from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import scopes_disabled

# (slug, name, prefecture code, municipality code) — 令和6年度 地方版孤独・孤立対策官民連携
# プラットフォーム推進事業 first-round bodies.
FIRST_ROUND = [
    ("saitama-pref", "埼玉県", "11", None),
    ("gifu-pref", "岐阜県", "21", None),
    ("shiga-pref", "滋賀県", "25", None),
    ("kyoto-city", "京都市", None, "261009"),
    ("osaka-pref", "大阪府", "27", None),
    ("tottori-pref", "鳥取県", "31", None),
    ("tokushima-pref", "徳島県", "36", None),
    ("ehime-pref", "愛媛県", "38", None),
    ("kitakyushu", "北九州市", None, "401005"),
    ("yamagata-city", "山形市", None, "062014"),
    ("ichihara", "市原市", None, "122190"),
    ("kamakura", "鎌倉市", None, "142042"),
    ("tottori-city", "鳥取市", None, "312011"),
    ("kasaoka", "笠岡市", None, "332054"),
    ("mihara", "三原市", None, "342041"),
    ("onomichi", "尾道市", None, "342050"),
    ("uwajima", "宇和島市", None, "382035"),
    ("tsukumi", "津久見市", None, "442071"),
]

DEMO_PASSWORD = "tsunagari-demo-2026"  # noqa: S105 - printed on purpose; seed_demo refuses production

# (username, display name, [(platform slug, role)], the demo organisation they work for: "council"
# for the demo 社協, "npo" for the demo NPO, "" for none); no roles at all: the superuser. Everyone
# signs in by e-mail: <username>@demo.tsunagari.invalid.
DEMO_ACCOUNTS: list[tuple[str, str, list[tuple[str, Role]], str]] = [
    ("admin", "システム管理者（デモ）", [], ""),
    ("kamakura-coordinator", "鎌倉市 事務局（デモ）", [("kamakura", Role.COORDINATOR)], ""),
    ("kamakura-org-admin", "鎌倉市社協 管理者（デモ）", [("kamakura", Role.ORG_ADMIN)], "council"),
    ("kamakura-org-staff", "鎌倉市社協 職員（デモ）", [("kamakura", Role.ORG_STAFF)], "council"),
    # Receives the demo 社協's referrals (つなぎ) of fictional people: sees a preview, accepts, reports back.
    ("kamakura-npo-staff", "鎌倉市 NPO 職員（デモ）", [("kamakura", Role.ORG_STAFF)], "npo"),
    ("kanagawa-observer", "神奈川県 担当（デモ）", [("kamakura", Role.OBSERVER)], ""),
    ("kyoto-coordinator", "京都市 事務局（デモ）", [("kyoto-city", Role.COORDINATOR)], ""),
    ("kyoto-org-admin", "京都市社協 管理者（デモ）", [("kyoto-city", Role.ORG_ADMIN)], "council"),
    ("kyoto-org-staff", "京都市社協 職員（デモ）", [("kyoto-city", Role.ORG_STAFF)], "council"),
    ("kyoto-pref-observer", "京都府 担当（デモ）", [("kyoto-city", Role.OBSERVER)], ""),
    # National staff oversee several platforms: one person, two platforms.
    (
        "national-observer",
        "内閣府 担当（デモ）",
        [("kamakura", Role.OBSERVER), ("kyoto-city", Role.OBSERVER)],
        "",
    ),
]
DEMO_EMAIL_DOMAIN = "demo.tsunagari.invalid"
NO_MAIL = "django.core.mail.backends.dummy.EmailBackend"
ROLE_NAMES = {
    Role.COORDINATOR: "事務局（コーディネーター）",
    Role.ORG_ADMIN: "会員団体の管理者",
    Role.ORG_STAFF: "会員団体の職員",
    Role.OBSERVER: "オブザーバー（県・国の担当者、閲覧のみ）",
}

# Clearly labelled demo listings, so that the portal shows a platform's own entries and a draft:
# (platform slug, source id, name, need, publication). The source id finds a listing again once
# people have changed it through the product (renamed it, copied it, moved it to a draft).
DEMO_SERVICES = [
    ("kamakura", "demo-kamakura-cafe", "（デモ）鎌倉 居場所カフェ", "community", Service.Publication.PUBLISHED),
    ("kamakura", "demo-kamakura-family", "（デモ）ひきこもり家族の会", "hikikomori", Service.Publication.PUBLISHED),
    (
        "kamakura",
        "demo-kamakura-young-carers",
        "（デモ・下書き）ヤングケアラー相談会",
        "young_carer",
        Service.Publication.DRAFT,
    ),
    ("kyoto-city", "demo-kyoto-food", "（デモ）京都 こども食堂ネットワーク", "food", Service.Publication.PUBLISHED),
    (
        "kyoto-city",
        "demo-kyoto-line",
        "（デモ・下書き）孤独・孤立 相談ダイヤル",
        "loneliness",
        Service.Publication.DRAFT,
    ),
]


# Where the demo listings are shown on the map: near each city hall (public knowledge), clearly demo.
# The open data has no coordinates (docs/search.md, "Known gaps"), so without these a demo map is empty.
DEMO_PLACES = {
    "kamakura": ("神奈川県", "鎌倉市", "御成町（デモ）", Decimal("35.3192"), Decimal("139.5467")),
    "kyoto-city": ("京都府", "京都市", "中京区（デモ）", Decimal("35.0116"), Decimal("135.7681")),
}


# The demo's case accounts work in one consent-based group and have signed its confidentiality
# pledge (case pages open only after it); the coordinator signs too, for the concerns queue.
DEMO_COUNCIL = "鎌倉市つなぎ連絡会（デモ）"
DEMO_PLEDGES = [("kamakura-org-admin", "council"), ("kamakura-org-staff", "council"), ("kamakura-npo-staff", "npo")]


def seed_councils(platform: Platform) -> None:
    from tsunagari.councils import actions as council_actions
    from tsunagari.councils.models import Basis, Council, CouncilMember, Pledge

    council, _made = Council.objects.get_or_create(
        platform=platform, name=DEMO_COUNCIL, defaults={"basis": Basis.CONSENT_GROUP}
    )
    organisations = {"council": demo_organisation(platform), "npo": demo_npo(platform)}
    for organization in organisations.values():
        if not CouncilMember.objects.filter(council=council, organization=organization).exists():
            council_actions.add_member(council, organization, actor=None)
    signers: list[tuple[str, Any]] = [(username, organisations[kind]) for username, kind in DEMO_PLEDGES]
    signers.append(("kamakura-coordinator", None))
    for username, organization in signers:
        user = User.objects.filter(username=username).first()
        if user is not None and not Pledge.objects.filter(council=council, user=user).exists():
            council_actions.sign_pledge(council, user=user, organization=organization)


class Command(BaseCommand):
    help = "デモ用のプラットフォーム（第1回の18団体）とデモアカウントを作ります。本番では使えません。"

    def handle(self, *args: Any, **options: Any) -> None:
        if getattr(settings, "PRODUCTION", False):
            raise CommandError("本番環境（PRODUCTION=true）ではデモデータを作れません。")
        # The demo's fictional accounts get no mail: the notices its referrals and events would send
        # buried the printed accounts under a hundred e-mails on the console.
        # Outermost, so that it still holds when the transaction commits and its callbacks send.
        with override_settings(EMAIL_BACKEND=NO_MAIL), transaction.atomic(), scopes_disabled():
            platforms = self.create_platforms()
            self.create_services(platforms)
            accounts = self.create_accounts(platforms)
            seed_members(platforms)
            seed_notices(platforms)
            seed_events(platforms)
            seed_knowhow(platforms)
            kamakura = platforms["kamakura"]
            seed_cases(
                kamakura,
                council=demo_organisation(kamakura),
                npo=demo_npo(kamakura),
                actor=User.objects.filter(username="kamakura-org-admin").first(),
            )
            seed_councils(kamakura)
            seed_survey(kamakura, actor=User.objects.filter(username="kamakura-coordinator").first())
        self.stdout.write(self.style.SUCCESS(f"デモのプラットフォーム: {len(platforms)} 件"))
        self.stdout.write(
            f"デモアカウント（/accounts/login/ でメールアドレスでログイン、パスワードはすべて {DEMO_PASSWORD}）:"
        )
        self.stdout.write(f"  {'メールアドレス':<38}  {'多要素認証の秘密鍵（TOTP）':<26}  リカバリーコード（各1回）")
        for account in accounts:
            codes = " ".join(account.recovery_codes[:2])
            self.stdout.write(f"  {account.email:<45}  {account.secret or '（不要）':<32}  {codes}")
            self.stdout.write(f"      {account.label}")
        self.stdout.write(
            "鎌倉市の支援の記録（架空の人「見本 太郎」など）: 社協の管理者・職員は /kamakura/workspace/cases/、"
            "NPO 職員はつなぎの依頼を受ける側。事務局とオブザーバーは集計だけ（/kamakura/workspace/figures/）。"
        )
        self.stdout.write(
            "鎌倉市の実態調査（架空の回答、事後層化で重み付け）: 事務局・オブザーバーは /kamakura/workspace/surveys/ の「集計結果」。"
        )
        self.stdout.write("多要素認証のコードは、秘密鍵を認証アプリに登録するか、")
        self.stdout.write("`python -m tsunagari totp-code メールアドレス` で表示できます。")

    def create_platforms(self) -> dict[str, Platform]:
        platforms = {}
        for slug, body, prefecture, municipality in FIRST_ROUND:
            kind = Platform.Kind.MUNICIPALITY if municipality else Platform.Kind.PREFECTURE
            platform, _created = Platform.objects.update_or_create(
                slug=slug,
                defaults={
                    "name": f"{body}孤独・孤立対策官民連携プラットフォーム",
                    "kind": kind,
                    "prefecture_id": prefecture,
                    "municipality_id": municipality,
                },
            )
            platforms[slug] = platform
        return platforms

    def create_services(self, platforms: dict[str, Platform]) -> None:
        """Each demo listing once. One that is already there is left as people have changed it."""
        for slug, source_id, name, need, publication in DEMO_SERVICES:
            platform = platforms[slug]
            org = self.demo_organisation(platform)
            if demo_service(platform, source_id, name) is not None:
                continue
            service = Service.objects.create(
                platform=platform,
                source_id=source_id,
                name=name,
                organization=org,
                publication=publication,
                description="デモ用の架空の窓口です。実在しません。",
                last_verified_on=datetime.date(2026, 11, 1),
                last_verified_by="デモ事務局",
            )
            Channel.objects.create(platform=platform, service=service, kind=Channel.Kind.VISIT)
            if slug in DEMO_PLACES and publication == Service.Publication.PUBLISHED:
                region, city, address, latitude, longitude = DEMO_PLACES[slug]
                # Each demo listing a little apart, so that the markers do not sit on one another.
                offset = Decimal(Location.objects.filter(platform=platform).count() % 10) * Decimal("0.0015")
                location = Location.objects.create(
                    platform=platform,
                    organization=org,
                    name=f"{name}の会場",
                    region=region,
                    city=city,
                    address_1=address,
                    municipality_id=platform.municipality_id,
                    latitude=latitude + offset,
                    longitude=longitude + offset,
                    # The demo venue's own point, as a member would set it in the listing editor.
                    precision=Location.Precision.EXACT,
                )
                ServiceAtLocation.objects.create(platform=platform, service=service, location=location)
            ServiceArea.objects.create(
                platform=platform,
                service=service,
                kind=ServiceArea.Kind.MUNICIPALITY if platform.municipality_id else ServiceArea.Kind.PREFECTURE,
                municipality_id=platform.municipality_id,
                prefecture_id=None if platform.municipality_id else platform.prefecture_id,
            )
            service.terms.set(TaxonomyTerm.objects.filter(taxonomy_id="tsunagari-needs", code=need))

    def create_accounts(self, platforms: dict[str, Platform]) -> list[DemoAccount]:
        created = []
        for username, display_name, roles, works_for in DEMO_ACCOUNTS:
            email = f"{username}@{DEMO_EMAIL_DOMAIN}"
            user, _new = User.objects.get_or_create(
                username=username, defaults={"email": email, "display_name": display_name}
            )
            user.email = email
            user.display_name = display_name
            user.set_password(DEMO_PASSWORD)
            # The Django admin is for the superuser and the coordinators (who edit the directory there).
            user.is_superuser = not roles
            user.is_staff = not roles or any(role == Role.COORDINATOR for _slug, role in roles)
            user.save()
            # One primary address per person: any other the person made primary through the product yields.
            EmailAddress.objects.filter(user=user, primary=True).exclude(email=email).update(primary=False)
            EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
            for slug, role in roles:
                organisation = (
                    {"council": demo_organisation, "npo": demo_npo}[works_for](platforms[slug]) if works_for else None
                )
                if not Membership.objects.filter(
                    user=user, platform=platforms[slug], role=role, organization=organisation
                ).exists():
                    Membership.objects.create(user=user, platform=platforms[slug], role=role, organization=organisation)
            secret, codes = None, []
            # People who may open case records need two-factor authentication for them (cases.access).
            if requires_mfa(user) or may_open_case_records(user):
                secret = demo_secret(username)
                codes = set_up_totp(user, secret)
            if not roles:
                label = "全プラットフォームの管理者（スーパーユーザー）"
            else:
                label = "、".join(f"{platforms[slug].name} の{ROLE_NAMES[role]}" for slug, role in roles)
            created.append(DemoAccount(email=email, label=label, secret=secret, recovery_codes=codes))
        return created

    def demo_organisation(self, platform: Platform) -> Organization:
        return demo_organisation(platform)


def demo_organisation(platform: Platform) -> Organization:
    """The demo council of social welfare (社協) that the demo member staff work for, made when missing."""
    source_id = f"demo-org-{platform.slug}"
    org = Organization.objects.filter(platform=platform, source_id=source_id).order_by("created_at").first()
    if org is None:
        org = Organization.objects.create(
            platform=platform,
            source_id=source_id,
            name=f"（デモ）{platform.municipality or platform.prefecture}社会福祉協議会",
        )
    return org


def demo_npo(platform: Platform) -> Organization:
    """The demo NPO that receives the demo 社協's referrals (the membership demo lists it as a member)."""
    source_id = f"demo-npo-{platform.slug}"
    org = Organization.objects.filter(platform=platform, source_id=source_id).order_by("created_at").first()
    if org is None:
        area = platform.municipality or platform.prefecture
        org = Organization.objects.create(
            platform=platform, source_id=source_id, name=f"（デモ）NPO法人 {area}つながるカフェ"
        )
    return org


def demo_service(platform: Platform, source_id: str, name: str) -> Service | None:
    """The demo listing `source_id`, however people have changed it since; None when it is gone.

    Databases seeded before the listings had source ids hold them by name only: the oldest one of
    that name (there may be copies) is given the id, once.
    """
    service = Service.objects.filter(platform=platform, source_id=source_id).order_by("created_at").first()
    if service is None:
        service = Service.objects.filter(platform=platform, name=name, source_id="").order_by("created_at").first()
        if service is not None:
            Service.objects.filter(pk=service.pk).update(source_id=source_id)
    return service


@dataclass
class DemoAccount:
    email: str
    label: str
    secret: str | None
    recovery_codes: list[str]
