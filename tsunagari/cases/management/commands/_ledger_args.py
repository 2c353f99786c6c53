"""What import-cases and export-cases share: finding the platform and the organisation named on the command line."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.management.base import CommandError

from tsunagari.accounts.models import ORGANISATION_ROLES, Membership
from tsunagari.directory.models import Organization
from tsunagari.tenancy.models import Platform


def find_platform(slug: str) -> Platform:
    platform = Platform.objects.filter(slug=slug).first()
    if platform is None:
        known = "、".join(Platform.objects.order_by("slug").values_list("slug", flat=True)) or "（まだありません）"
        raise CommandError(f"プラットフォーム「{slug}」が見つかりません。使える名前: {known}")
    return platform


def member_organisations(platform: Platform) -> list[Any]:
    """Organisations whose people work on cases here (they hold an administrator or staff role)."""
    ids = Membership.objects.filter(
        platform=platform, role__in=ORGANISATION_ROLES, organization__isnull=False
    ).values_list("organization_id", flat=True)
    return list(Organization.objects.filter(pk__in=ids).order_by("name"))


def find_organisation(platform: Platform, given: str | None, *, required: bool) -> Any:
    """The organisation `given` (its id, its id in the source, or its exact name) on `platform`."""
    if not given:
        if not required:
            return None
        raise CommandError(
            "--organisation に、台帳を持つ団体を指定してください（ID か名前）。この団体の人だけが取り込んだ人を見られます。"
            + _choices(platform)
        )
    organisations = Organization.objects.filter(platform=platform)
    try:
        found = organisations.filter(pk=uuid.UUID(given)).first()
    except ValueError:
        found = organisations.filter(source_id=given).first() or organisations.filter(name=given).first()
    if found is None:
        raise CommandError(f"このプラットフォームに団体「{given}」が見つかりません。" + _choices(platform))
    return found


def _choices(platform: Platform) -> str:
    members = member_organisations(platform)
    if not members:
        return "（このプラットフォームには、まだ職員のいる会員団体がありません。）"
    return "\n会員団体: " + "".join(f"\n  {org.pk}  {org.name}" for org in members)
