"""Fetching membership rows for a workspace: inside the platform, one 404 for "missing" and "not yours"."""

from __future__ import annotations

import uuid
from typing import cast

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from tsunagari.accounts.models import Membership, Role, User
from tsunagari.directory.models import Organization, Service
from tsunagari.workspace.access import Workspace

from .models import Agreement, ListingChange, MemberOrganisation, ProblemReport


def administered_organisations(request: HttpRequest, workspace: Workspace) -> QuerySet[Organization]:
    """The platform's organisations whose listings this person looks after (all, for superusers)."""
    own = Organization.objects.filter(platform=workspace.platform)
    if workspace.is_superuser:
        return own.order_by("name")
    ids = Membership.objects.filter(
        user=cast(User, request.user), platform=workspace.platform, role=Role.ORG_ADMIN, organization__isnull=False
    ).values("organization_id")
    return own.filter(pk__in=ids).order_by("name")


def sees_contact_persons(workspace: Workspace) -> bool:
    """Whether this person may see members' contact persons (name, e-mail, phone).

    Coordinators run the platform and reach members through them; everyone else with a role
    (member staff and administrators, observers) sees each member's public contact only: the
    contact persons gave their details to the coordinators, not to every member's staff.
    """
    return workspace.is_coordinator


def get_member(workspace: Workspace, member_id: uuid.UUID) -> MemberOrganisation:
    return get_object_or_404(
        MemberOrganisation.objects.approved().select_related("organization"), platform=workspace.platform, pk=member_id
    )


def get_application(workspace: Workspace, application_id: uuid.UUID) -> MemberOrganisation:
    return get_object_or_404(MemberOrganisation.objects.all(), platform=workspace.platform, pk=application_id)


def get_agreement(workspace: Workspace, agreement_id: uuid.UUID) -> Agreement:
    return get_object_or_404(Agreement.objects.all(), platform=workspace.platform, pk=agreement_id)


def get_own_service(request: HttpRequest, workspace: Workspace, service_id: uuid.UUID) -> Service:
    """A service of one of the person's organisations on this platform (never national open data)."""
    return get_object_or_404(
        Service.objects.select_related("organization").prefetch_related("channels", "terms"),
        platform=workspace.platform,
        organization__in=administered_organisations(request, workspace),
        pk=service_id,
    )


def get_editable_service(request: HttpRequest, workspace: Workspace, service_id: uuid.UUID) -> Service:
    """Coordinators: any service the platform owns (never national open data, never an organisation-less row).

    Administrators: their organisations' own.
    """
    if not workspace.is_coordinator:
        return get_own_service(request, workspace, service_id)
    return get_object_or_404(
        Service.objects.select_related("organization").prefetch_related("channels", "terms"),
        platform=workspace.platform,
        organization__isnull=False,
        pk=service_id,
    )


def get_change(request: HttpRequest, workspace: Workspace, change_id: uuid.UUID) -> ListingChange:
    """Coordinators reach every change of the platform; administrators their organisations' own."""
    changes = ListingChange.objects.filter(platform=workspace.platform).select_related(
        "organization", "service", "author", "reviewer"
    )
    if not workspace.is_coordinator:
        changes = changes.filter(organization__in=administered_organisations(request, workspace))
    return get_object_or_404(changes, pk=change_id)


def reports_for(request: HttpRequest, workspace: Workspace) -> QuerySet[ProblemReport]:
    """Coordinators see every report filed on the platform; administrators those on their own listings."""
    reports = ProblemReport.objects.filter(platform=workspace.platform).select_related(
        "service", "service__organization", "closed_by"
    )
    if workspace.is_coordinator:
        return reports
    return reports.filter(
        service__platform=workspace.platform,
        service__organization__in=administered_organisations(request, workspace),
    )


def get_report(request: HttpRequest, workspace: Workspace, report_id: uuid.UUID) -> ProblemReport:
    try:
        return reports_for(request, workspace).get(pk=report_id)
    except ProblemReport.DoesNotExist:
        raise Http404 from None
