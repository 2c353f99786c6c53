"""The portal's public list of councils: what the law asks to be announced, and nothing more.

Only regional councils (孤独・孤立対策地域協議会) that have been announced are listed, with their
coordinating body and current members. Support councils (§106-6), multi-layered support meetings
and consent-based groups are never shown: their membership is not public.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from tsunagari.directory.crisis import crisis_lines
from tsunagari.tenancy.access import get_public_platform
from tsunagari.tenancy.scoping import platform_scope

from .models import PUBLIC_BASES, Council


def council_list(request: HttpRequest, platform_slug: str) -> HttpResponse:
    platform = get_public_platform(platform_slug)
    with platform_scope(platform):
        councils = (
            Council.objects.filter(platform=platform, basis__in=PUBLIC_BASES, announced_on__lte=timezone.localdate())
            .select_related("coordinating_body")
            .order_by("name")
        )
        rows = [
            (
                council,
                [
                    m.organization.name
                    for m in council.members.filter(left_on__isnull=True)
                    .select_related("organization")
                    .order_by("organization__name")
                ],
            )
            for council in councils
        ]
        return render(
            request, "councils/portal_list.html", {"platform": platform, "rows": rows, "lines": crisis_lines()}
        )
