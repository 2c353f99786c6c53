"""Events' rows on the workspace's first page (registered in ProgramsConfig.ready)."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagari.workspace.access import Workspace
from tsunagari.workspace.dashboard import Figure, Todo

from .models import Event, Registration


def todos(request: HttpRequest, workspace: Workspace) -> list[Todo]:
    if not workspace.is_coordinator:
        return []
    now = timezone.now()
    platform = workspace.platform
    url = reverse("workspace:events", args=[platform.slug])
    waiting = Registration.objects.filter(
        platform=platform,
        status=Registration.Status.WAITLISTED,
        event__status=Event.Status.PUBLISHED,
        event__ends_at__gte=now,
    ).count()
    drafts = Event.objects.filter(platform=platform, status=Event.Status.DRAFT, ends_at__gte=now).count()
    no_attendance = (
        Event.objects.filter(platform=platform, status=Event.Status.PUBLISHED, ends_at__lt=now)
        .filter(ends_at__gte=now - datetime.timedelta(days=30))
        .filter(registrations__status=Registration.Status.CONFIRMED, registrations__attended__isnull=True)
        .distinct()
        .count()
    )
    return [
        Todo(_("People on a waiting list for a coming event"), waiting, url, order=40),
        Todo(_("Draft events not yet published"), drafts, url, order=45),
        Todo(_("Past events whose attendance is not recorded"), no_attendance, url, order=50),
    ]


def activity(request: HttpRequest, workspace: Workspace, since: datetime.datetime) -> list[Figure]:
    platform = workspace.platform
    now = timezone.now()
    return [
        Figure(
            _("Events held"),
            Event.objects.filter(
                platform=platform, status=Event.Status.PUBLISHED, starts_at__gte=since, starts_at__lt=now
            ).count(),
            order=50,
        ),
        Figure(
            _("Registrations"),
            Registration.objects.filter(platform=platform, created_at__gte=since)
            .exclude(status=Registration.Status.CANCELLED)
            .count(),
            order=51,
        ),
    ]
