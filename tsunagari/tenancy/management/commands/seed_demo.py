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

from tsunagari.accounts.mfa import demo_secret, set_up_totp
from tsunagari.accounts.models import Membership, Role, User, requires_mfa
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
    ("tottori-city", "鳥取市", None, "312010"),
    ("kasaoka", "笠岡市", None, "332054"),
    ("mihara", "三原市", None, "342041"),
    ("onomichi", "尾道市", None, "342050"),
    ("uwajima", "宇和島市", None, "382035"),
    ("tsukumi", "津久見市", None, "442070"),
]

DEMO_PASSWORD = "tsunagari-demo-2026"  # noqa: S105 - printed on purpose; seed_demo refuses production

# (username, display name, [(platform slug, role)], works for the demo 社協); no roles at all:
# the superuser. Everyone signs in by e-mail: <username>@demo.tsunagari.invalid.
DEMO_ACCOUNTS: list[tuple[str, str, list[tuple[str, Role]], bool]] = [
    ("admin", "システム管理者（デモ）", [], False),
    ("kamakura-coordinator", "鎌倉市 事務局（デモ）", [("kamakura", Role.COORDINATOR)], False),
    ("kamakura-org-admin", "鎌倉市社協 管理者（デモ）", [("kamakura", Role.ORG_ADMIN)], True),
    ("kamakura-org-staff", "鎌倉市社協 職員（デモ）", [("kamakura", Role.ORG_STAFF)], True),
    ("kanagawa-observer", "神奈川県 担当（デモ）", [("kamakura", Role.OBSERVER)], False),
    ("kyoto-coordinator", "京都市 事務局（デモ）", [("kyoto-city", Role.COORDINATOR)], False),
    ("kyoto-org-admin", "京都市社協 管理者（デモ）", [("kyoto-city", Role.ORG_ADMIN)], True),
    ("kyoto-org-staff", "京都市社協 職員（デモ）", [("kyoto-city", Role.ORG_STAFF)], True),
    ("kyoto-pref-observer", "京都府 担当（デモ）", [("kyoto-city", Role.OBSERVER)], False),
    # National staff oversee several platforms: one person, two platforms.
    (
        "national-observer",
        "内閣府 担当（デモ）",
        [("kamakura", Role.OBSERVER), ("kyoto-city", Role.OBSERVER)],
        False,
    ),
]
DEMO_EMAIL_DOMAIN = "demo.tsunagari.invalid"
ROLE_NAMES = {
    Role.COORDINATOR: "事務局（コーディネーター）",
    Role.ORG_ADMIN: "会員団体の管理者",
    Role.ORG_STAFF: "会員団体の職員",
    Role.OBSERVER: "オブザーバー（県・国の担当者、閲覧のみ）",
}

# Clearly labelled demo listings, so that the portal shows a platform's own entries and a draft.
DEMO_SERVICES = [
    ("kamakura", "（デモ）鎌倉 居場所カフェ", "community", Service.Publication.PUBLISHED),
    ("kamakura", "（デモ）ひきこもり家族の会", "hikikomori", Service.Publication.PUBLISHED),
    ("kamakura", "（デモ・下書き）ヤングケアラー相談会", "young_carer", Service.Publication.DRAFT),
    ("kyoto-city", "（デモ）京都 こども食堂ネットワーク", "food", Service.Publication.PUBLISHED),
    ("kyoto-city", "（デモ・下書き）孤独・孤立 相談ダイヤル", "loneliness", Service.Publication.DRAFT),
]


# Where the demo listings are shown on the map: near each city hall (public knowledge), clearly demo.
# The open data has no coordinates (docs/search.md, "Known gaps"), so without these a demo map is empty.
DEMO_PLACES = {
    "kamakura": ("神奈川県", "鎌倉市", "御成町（デモ）", Decimal("35.3192"), Decimal("139.5467")),
    "kyoto-city": ("京都府", "京都市", "中京区（デモ）", Decimal("35.0116"), Decimal("135.7681")),
}


class Command(BaseCommand):
    help = "デモ用のプラットフォーム（第1回の18団体）とデモアカウントを作ります。本番では使えません。"

    def handle(self, *args: Any, **options: Any) -> None:
        if getattr(settings, "PRODUCTION", False):
            raise CommandError("本番環境（PRODUCTION=true）ではデモデータを作れません。")
        with transaction.atomic(), scopes_disabled():
            platforms = self.create_platforms()
            self.create_services(platforms)
            accounts = self.create_accounts(platforms)
            seed_members(platforms)
            seed_notices(platforms)
            seed_events(platforms)
            seed_knowhow(platforms)
        self.stdout.write(self.style.SUCCESS(f"デモのプラットフォーム: {len(platforms)} 件"))
        self.stdout.write(
            f"デモアカウント（/accounts/login/ でメールアドレスでログイン、パスワードはすべて {DEMO_PASSWORD}）:"
        )
        self.stdout.write(f"  {'メールアドレス':<38}  {'2段階認証の秘密鍵（TOTP）':<26}  リカバリーコード（各1回）")
        for account in accounts:
            codes = " ".join(account.recovery_codes[:2])
            self.stdout.write(f"  {account.email:<45}  {account.secret or '（不要）':<32}  {codes}")
            self.stdout.write(f"      {account.label}")
        self.stdout.write("2段階認証のコードは、秘密鍵を認証アプリに登録するか、")
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
        for slug, name, need, publication in DEMO_SERVICES:
            platform = platforms[slug]
            org, _created = Organization.objects.get_or_create(
                platform=platform,
                source_id=f"demo-org-{slug}",
                defaults={"name": f"（デモ）{platform.municipality or platform.prefecture}社会福祉協議会"},
            )
            service, created = Service.objects.get_or_create(
                platform=platform,
                name=name,
                defaults={
                    "organization": org,
                    "publication": publication,
                    "description": "デモ用の架空の窓口です。実在しません。",
                    "last_verified_on": datetime.date(2026, 11, 1),
                    "last_verified_by": "デモ事務局",
                },
            )
            if not created:
                continue
            Channel.objects.create(platform=platform, service=service, kind=Channel.Kind.VISIT)
            if slug in DEMO_PLACES and publication == Service.Publication.PUBLISHED:
                region, city, address, latitude, longitude = DEMO_PLACES[slug]
                # Each demo listing a little apart, so that the markers do not sit on one another.
                offset = Decimal(Location.objects.filter(platform=platform).count()) * Decimal("0.0015")
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
        for username, display_name, roles, in_organisation in DEMO_ACCOUNTS:
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
            EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
            for slug, role in roles:
                organisation = self.demo_organisation(platforms[slug]) if in_organisation else None
                Membership.objects.get_or_create(
                    user=user, platform=platforms[slug], role=role, organization=organisation
                )
            secret, codes = None, []
            if requires_mfa(user):
                secret = demo_secret(username)
                codes = set_up_totp(user, secret)
            if not roles:
                label = "全プラットフォームの管理者（スーパーユーザー）"
            else:
                label = "、".join(f"{platforms[slug].name} の{ROLE_NAMES[role]}" for slug, role in roles)
            created.append(DemoAccount(email=email, label=label, secret=secret, recovery_codes=codes))
        return created

    def demo_organisation(self, platform: Platform) -> Organization:
        """The demo council of social welfare (社協) that the demo member staff work for."""
        return Organization.objects.get(platform=platform, source_id=f"demo-org-{platform.slug}")


@dataclass
class DemoAccount:
    email: str
    label: str
    secret: str | None
    recovery_codes: list[str]
