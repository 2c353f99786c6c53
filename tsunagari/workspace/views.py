"""Workspace pages: the signed-in home, the coordinators' people page and administrators' staff page."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagari.accounts import actions
from tsunagari.accounts.models import ORGANISATION_ROLES, Invitation, Membership, Role, User
from tsunagari.directory.models import Organization

from . import dashboard
from .access import Workspace, workspace_view
from .forms import InviteForm, StaffInviteForm
from .nav import can_do, menu

COORDINATORS = {Role.COORDINATOR}


def _context(workspace: Workspace, **extra: object) -> dict[str, object]:
    return {"workspace": workspace, "platform": workspace.platform, "menu": menu(workspace), **extra}


@workspace_view()
def home(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    """What needs this person now, this month's activity, and what they can do here."""
    other_platforms = (
        Membership.objects.filter(user=cast(User, request.user))
        .exclude(platform=workspace.platform)
        .select_related("platform")
        .order_by("platform__name")
        .distinct()
    )
    organisations = (
        Membership.objects.filter(
            user=cast(User, request.user), platform=workspace.platform, organization__isnull=False
        )
        .select_related("organization")
        .order_by("organization__name")
    )
    return render(
        request,
        "workspace/home.html",
        _context(
            workspace,
            can_do=can_do(workspace),
            todos=dashboard.todos(request, workspace),
            activity=dashboard.activity(request, workspace),
            month_start=dashboard.month_start(),
            organisations=[m.organization for m in organisations],
            other_platforms=sorted({m.platform for m in other_platforms}, key=lambda p: p.name),
        ),
    )


def _people_page(request: HttpRequest, workspace: Workspace, form: InviteForm | None = None) -> HttpResponse:
    memberships = (
        Membership.objects.on(workspace.platform)
        .select_related("user", "organization")
        .order_by("role", "user__display_name", "user__email")
    )
    invitations = Invitation.objects.filter(platform=workspace.platform).pending().select_related("invited_by")
    if form is None and workspace.is_coordinator:
        form = InviteForm(platform=workspace.platform)
    return render(
        request,
        "workspace/people.html",
        _context(workspace, memberships=memberships, invitations=invitations, form=form),
        status=400 if form is not None and form.is_bound else 200,
    )


@workspace_view(roles={Role.COORDINATOR, Role.OBSERVER})
def people(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    """Who holds which role here, and the invitations not yet taken up (coordinators invite)."""
    return _people_page(request, workspace)


@require_POST
@workspace_view(roles=COORDINATORS)
def invite(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    form = InviteForm(request.POST, platform=workspace.platform)
    if not form.is_valid():
        return _people_page(request, workspace, form)
    invitation = actions.invite(
        platform=workspace.platform,
        email=form.cleaned_data["email"],
        role=form.cleaned_data["role"],
        organization=form.cleaned_data["organization"],
        invited_by=request.user,
    )
    _say_invited(request, invitation)
    return redirect("workspace:people", workspace.platform.slug)


def _say_invited(request: HttpRequest, invitation: Invitation) -> None:
    if invitation.accepted_at:
        message = _("%(email)s already has an account and now holds the role. We told them by e-mail.")
    else:
        message = _("We sent an invitation to %(email)s.")
    messages.success(request, message % {"email": invitation.email})


@require_POST
@workspace_view(roles=COORDINATORS)
def revoke_invitation(request: HttpRequest, workspace: Workspace, invitation_id: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation.objects.pending(), platform=workspace.platform, pk=invitation_id)
    actions.revoke_invitation(invitation, actor=request.user)
    messages.success(request, _("The invitation to %(email)s no longer works.") % {"email": invitation.email})
    return redirect("workspace:people", workspace.platform.slug)


@require_POST
@workspace_view(roles=COORDINATORS)
def remove_role(request: HttpRequest, workspace: Workspace, membership_id: int) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.select_related("user"), platform=workspace.platform, pk=membership_id
    )
    try:
        actions.remove_role(membership, actor=request.user)
    except actions.LastCoordinatorError:
        messages.error(request, _("A platform needs at least one coordinator. Invite another one first."))
    else:
        messages.success(
            request,
            _("%(person)s no longer holds the role %(role)s.")
            % {"person": membership.user, "role": membership.get_role_display()},
        )
    return redirect("workspace:people", workspace.platform.slug)


# Member organisations' administrators and their staff (issue 5 §3): an administrator invites staff
# of their own organisation(s) on this platform — that role only — revokes those invitations and
# takes the staff role away when someone leaves. Coordinators do all of this on the people page.
ORG_ADMINS = {Role.ORG_ADMIN}


def staff_organisations(request: HttpRequest, workspace: Workspace) -> QuerySet[Organization]:
    """The organisations whose staff this person manages here: those they administer (superusers: all)."""
    organisations = Organization.objects.filter(platform=workspace.platform)
    if not request.user.is_superuser:
        organisations = organisations.filter(
            pk__in=Membership.objects.administered_by(request.user, workspace.platform)
        )
    return organisations.order_by("name")


def _staff_page(request: HttpRequest, workspace: Workspace, form: StaffInviteForm | None = None) -> HttpResponse:
    organisations = staff_organisations(request, workspace)
    memberships = (
        Membership.objects.on(workspace.platform)
        .filter(organization__in=organisations, role__in=ORGANISATION_ROLES)
        .select_related("user", "organization")
        .order_by("organization__name", "role", "user__display_name", "user__email")
    )
    invitations = (
        Invitation.objects.filter(platform=workspace.platform, organization__in=organisations)
        .pending()
        .select_related("invited_by", "organization")
    )
    return render(
        request,
        "workspace/organisation_staff.html",
        _context(
            workspace,
            organisations=organisations,
            memberships=memberships,
            invitations=invitations,
            form=form or StaffInviteForm(organisations=organisations),
        ),
        status=400 if form is not None else 200,
    )


@workspace_view(roles=ORG_ADMINS)
def staff(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    """The people of this administrator's organisation(s), with the invitation form."""
    return _staff_page(request, workspace)


@require_POST
@workspace_view(roles=ORG_ADMINS)
def staff_invite(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    form = StaffInviteForm(request.POST, organisations=staff_organisations(request, workspace))
    if not form.is_valid():
        return _staff_page(request, workspace, form)
    invitation = actions.invite_staff(
        platform=workspace.platform,
        organization=form.cleaned_data["organization"],
        email=form.cleaned_data["email"],
        invited_by=request.user,
    )
    _say_invited(request, invitation)
    return redirect("workspace:organisation-staff", workspace.platform.slug)


@require_POST
@workspace_view(roles=ORG_ADMINS)
def staff_revoke_invitation(request: HttpRequest, workspace: Workspace, invitation_id: int) -> HttpResponse:
    invitation = get_object_or_404(
        Invitation.objects.pending(),
        platform=workspace.platform,
        role=Role.ORG_STAFF,
        organization__in=staff_organisations(request, workspace),
        pk=invitation_id,
    )
    actions.revoke_invitation(invitation, actor=request.user)
    messages.success(request, _("The invitation to %(email)s no longer works.") % {"email": invitation.email})
    return redirect("workspace:organisation-staff", workspace.platform.slug)


@require_POST
@workspace_view(roles=ORG_ADMINS)
def staff_remove_role(request: HttpRequest, workspace: Workspace, membership_id: int) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.select_related("user"),
        platform=workspace.platform,
        role=Role.ORG_STAFF,
        organization__in=staff_organisations(request, workspace),
        pk=membership_id,
    )
    actions.remove_role(membership, actor=request.user)
    messages.success(
        request,
        _("%(person)s no longer holds the role %(role)s.")
        % {"person": membership.user, "role": membership.get_role_display()},
    )
    return redirect("workspace:organisation-staff", workspace.platform.slug)
