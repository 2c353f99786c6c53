"""Membership's rows on the workspace's first page (registered in MembershipConfig.ready)."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tsunagari.accounts.models import Role
from tsunagari.directory.models import Service
from tsunagari.workspace.access import Workspace
from tsunagari.workspace.dashboard import Figure, Todo

from . import access
from .models import ListingChange, MemberOrganisation, ProblemReport


def todos(request: HttpRequest, workspace: Workspace) -> list[Todo]:
    platform = workspace.platform
    slug = platform.slug
    rows: list[Todo] = []
    if workspace.has_role(Role.COORDINATOR, Role.ORG_ADMIN):
        rows.append(
            Todo(
                _("Problem reports from residents, not yet closed"),
                access.reports_for(request, workspace).exclude(status=ProblemReport.Status.CLOSED).count(),
                reverse("workspace:reports", args=[slug]),
                order=10,
            )
        )
    if workspace.is_coordinator:
        rows += [
            Todo(
                _("Applications to join waiting for a decision"),
                MemberOrganisation.objects.applications().filter(platform=platform).count(),
                reverse("workspace:members-applications", args=[slug]),
                order=20,
            ),
            Todo(
                _("Listing changes waiting for review"),
                ListingChange.objects.filter(platform=platform, status=ListingChange.Status.PENDING).count(),
                reverse("workspace:listings", args=[slug]),
                order=30,
            ),
            Todo(
                _("Listings not confirmed for a long time"),
                Service.objects.filter(platform=platform).published().stale().count(),
                reverse("portal:staff", args=[slug]),
                order=70,
            ),
        ]
    return rows


def activity(request: HttpRequest, workspace: Workspace, since: datetime.datetime) -> list[Figure]:
    platform = workspace.platform
    return [
        Figure(
            _("New members"),
            MemberOrganisation.objects.approved().filter(platform=platform, decided_at__gte=since).count(),
            order=10,
        ),
        Figure(
            _("Listing changes published"),
            ListingChange.objects.filter(
                platform=platform, status=ListingChange.Status.APPROVED, decided_at__gte=since
            ).count(),
            order=20,
        ),
        Figure(
            _("Problem reports received"),
            ProblemReport.objects.filter(platform=platform, created_at__gte=since).count(),
            order=30,
        ),
        Figure(
            _("Problem reports closed"),
            ProblemReport.objects.filter(platform=platform, closed_at__gte=since).count(),
            order=31,
        ),
    ]
