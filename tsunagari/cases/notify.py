"""Case notifications, in the app and by e-mail — never with personal data in the e-mail.

An e-mail says only what happened and links to the page (behind sign-in and two-factor); the
person's name, birth date, need or any other field never leaves the platform this way. Each
notification has a key (e.g. `referral-unanswered:12`); a person gets one notification per key,
so the daily reminder command may run twice a day, or late, without repeating itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagari.accounts.mail import render_message, send_after_commit
from tsunagari.accounts.models import ORGANISATION_ROLES, Membership, User
from tsunagari.lib.businessdays import add_business_days
from tsunagari.tenancy.models import Platform

from .models import ANSWER_DAYS, WARNING_SPAN_DAYS, Consent, FollowUpTask, Notification, PersonRequest, Referral, Status

ANSWER_BUSINESS_DAYS = 3
CONSENT_WARNING_DAYS = 14
TASK_WARNING_DAYS = 1


def organisation_people(platform: Platform, organization_id: Any) -> list[User]:
    """Who works on cases for an organisation now (administrators and staff)."""
    return list(
        User.objects.filter(
            pk__in=Membership.objects.filter(
                platform=platform, organization_id=organization_id, role__in=ORGANISATION_ROLES
            ).values("user_id"),
            is_active=True,
        ).order_by("pk")
    )


def notify(
    platform: Platform,
    users: Iterable[User],
    kind: str,
    key: str,
    link: str,
    *,
    summary: str = "",
    inbox: tuple[str, str] | None = None,
) -> int:
    """Notify each of `users` once per `key`: in the app, and by e-mail after the transaction commits.

    `summary` is one more line for the e-mail (never personal data: the caller writes it from codes
    such as an urgency); `inbox` is (label, path) of the page listing such notices, the case
    notifications unless given.
    """
    made = 0
    for user in users:
        try:
            with transaction.atomic():
                Notification.objects.create(platform=platform, user=user, kind=kind, key=key, link=link)
        except IntegrityError:
            continue  # already told
        made += 1
        if user.email:
            inbox_label, inbox_path = inbox or (
                _("All your case notifications:"),
                reverse("workspace:case-notifications", args=[platform.slug]),
            )
            context = {
                "platform": platform,
                "kind": Notification.Kind(kind).label,
                "summary": summary,
                "link": settings.SITE_URL.rstrip("/") + link,
                "inbox_label": inbox_label,
                "inbox": settings.SITE_URL.rstrip("/") + inbox_path,
            }
            send_after_commit(render_message("cases/email/notification", user.email, context))
    return made


def referral_link(referral: Referral) -> str:
    return reverse("workspace:case-referral", args=[referral.platform.slug, referral.pk])


def referral_moved(referral: Referral) -> None:
    """Tell the other side about a new referral, or an accepted or rejected one."""
    if referral.status == Status.REQUESTED:
        kind, to = Notification.Kind.REFERRAL_NEW, referral.receiver_id
    elif referral.status == Status.ACCEPTED:
        kind, to = Notification.Kind.REFERRAL_ACCEPTED, referral.sender_id
    elif referral.status == Status.REJECTED:
        kind, to = Notification.Kind.REFERRAL_REJECTED, referral.sender_id
    else:
        return
    people = organisation_people(referral.platform, to)
    notify(referral.platform, people, kind, f"referral-{referral.status}:{referral.pk}", referral_link(referral))


def answer_due(referral: Referral) -> date:
    """The last day to answer a referral: three business days after it was sent."""
    sent = referral.requested_at or referral.updated_at
    return add_business_days(timezone.localdate(sent), ANSWER_BUSINESS_DAYS)


def send_reminders(platform: Platform, today: date) -> int:
    """The daily reminders of one platform (call inside its scope); returns how many were made."""
    made = 0
    for referral in Referral.objects.filter(platform=platform, status=Status.REQUESTED).select_related("platform"):
        if today > answer_due(referral):
            people = organisation_people(platform, referral.receiver_id) + organisation_people(
                platform, referral.sender_id
            )
            made += notify(
                platform,
                people,
                Notification.Kind.REFERRAL_UNANSWERED,
                f"referral-unanswered:{referral.pk}",
                referral_link(referral),
            )
    expiring = Consent.objects.filter(
        platform=platform,
        withdrawn_at__isnull=True,
        expires_on__gte=today,
        expires_on__lte=today + timedelta(days=CONSENT_WARNING_DAYS),
    )
    for consent in expiring:
        made += notify(
            platform,
            organisation_people(platform, consent.organization_id),
            Notification.Kind.CONSENT_EXPIRING,
            f"consent-expiring:{consent.pk}:{consent.expires_on}",
            reverse("workspace:case-person", args=[platform.slug, consent.person_id]),
        )
    due = FollowUpTask.objects.filter(
        platform=platform, done_at__isnull=True, due_on__lte=today + timedelta(days=TASK_WARNING_DAYS)
    ).select_related("owner")
    for task in due:
        made += notify(
            platform,
            [task.owner],
            Notification.Kind.TASK_DUE,
            f"task-due:{task.pk}:{task.due_on}",
            meeting_link(platform, task.meeting_id),
        )
    made += request_reminders(platform, today)
    return made


def request_reminders(platform: Platform, today: date) -> int:
    """Tell the holding organisation's people of an unanswered request near or past its answer date.

    Once from three business days before the answer date (PersonRequest.warn_on; unless it is
    already late) and once when it is late; the link leads to the organisation's list of open
    requests, behind sign-in like every case page.
    """
    made = 0
    near = PersonRequest.objects.filter(
        platform=platform, decision="", received_on__lte=today - timedelta(days=ANSWER_DAYS - WARNING_SPAN_DAYS)
    ).order_by("received_on", "pk")
    link = reverse("workspace:case-requests", args=[platform.slug])
    for request in near:
        if request.is_overdue(today):
            kind, key = Notification.Kind.REQUEST_OVERDUE, f"request-overdue:{request.pk}"
        elif request.is_due_soon(today):
            kind, key = Notification.Kind.REQUEST_DUE_SOON, f"request-due-soon:{request.pk}"
        else:
            continue
        made += notify(platform, organisation_people(platform, request.organization_id), kind, key, link)
    return made


def meeting_link(platform: Platform, meeting_id: int) -> str:
    return reverse("workspace:case-meeting", args=[platform.slug, meeting_id])


def unread(user: Any, platform: Platform) -> int:
    return Notification.objects.filter(platform=platform, user=user, read_at__isnull=True).count()
