"""The daily digest: one e-mail per person, listing the notices posted since their last digest that
they have not opened yet, on every platform where they hold a role.

Run once a day (`python -m tsunagari send-notice-digest`, from cron or a systemd timer). It is
idempotent: a second run on the same day sends nothing, and no notice is listed twice. The e-mail
carries titles and links, never the text: notices may discuss people's situations, and e-mail
leaves the platform.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from itertools import groupby

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tsunagari.accounts.mail import render_message, send_after_commit
from tsunagari.accounts.models import User
from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import platform_scope

from .models import DigestOptOut, DigestSent, Notice, ReadReceipt

# Never list notices older than this, however long the digest has not run.
LOOKBACK = datetime.timedelta(days=7)
# A person's first digest covers the last day.
FIRST_WINDOW = datetime.timedelta(days=1)


def unread_notices(now: datetime.datetime) -> dict[int, list[Notice]]:
    """Person id → notices of the last LOOKBACK they may read, have not opened and did not write.

    People who turned the digest off for a platform (DigestOptOut) get none of its notices.
    """
    pending: dict[int, list[Notice]] = defaultdict(list)
    for platform in Platform.objects.exclude(kind=Platform.Kind.NATIONAL):
        # One platform at a time, inside its own scope, like every other read of platform rows.
        with platform_scope(platform, with_national=False):
            notices = list(
                Notice.objects.filter(platform=platform, created_at__gte=now - LOOKBACK, created_at__lt=now)
                .select_related("platform", "group")
                .order_by("created_at", "pk")
            )
            if not notices:
                continue
            opened = set(ReadReceipt.objects.filter(notice__in=notices).values_list("notice_id", "user_id"))
            opted_out = set(DigestOptOut.objects.filter(platform=platform).values_list("user_id", flat=True))
            for notice in notices:
                for person_id in notice.audience().values_list("pk", flat=True):
                    skip = person_id in opted_out or person_id == notice.author_id
                    if not skip and (notice.pk, person_id) not in opened:
                        pending[person_id].append(notice)
    return pending


def notice_link(notice: Notice) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("workspace:notice", args=[notice.platform.slug, notice.pk])


def settings_link(platform: Platform) -> str:
    """Where a person turns the digest off (or on again) for `platform`."""
    return settings.SITE_URL.rstrip("/") + reverse("workspace:notices-digest", args=[platform.slug])


def send_digests(now: datetime.datetime | None = None) -> int:
    """Send today's digests; returns how many e-mails were queued."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    pending = unread_notices(now)
    people = User.objects.in_bulk(list(pending))
    sent = 0
    for person_id, notices in pending.items():
        person = people[person_id]
        if not person.email:
            continue
        with transaction.atomic():
            last = DigestSent.objects.filter(user=person).order_by("-sent_at").first()
            since = last.sent_at if last else now - FIRST_WINDOW
            fresh = [notice for notice in notices if notice.created_at > since]
            if not fresh:
                continue
            _digest, created = DigestSent.objects.get_or_create(
                user=person, day=day, defaults={"sent_at": now, "notice_count": len(fresh)}
            )
            if not created:
                continue
            fresh.sort(key=lambda n: (n.platform.name, n.created_at))
            platforms = [
                {
                    "platform": platform,
                    "notices": [(n, notice_link(n)) for n in group],
                    "settings_url": settings_link(platform),
                }
                for platform, group in groupby(fresh, key=lambda n: n.platform)
            ]
            context = {"person": person, "count": len(fresh), "platforms": platforms}
            send_after_commit(render_message("notices/email/digest", person.email, context))
            sent += 1
    return sent
