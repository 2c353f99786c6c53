"""Workspace pages: the signed-in home and the coordinators' people page."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagari.accounts import actions
from tsunagari.accounts.forms import InviteForm
from tsunagari.accounts.models import Invitation, Membership, Role, User

from .access import Workspace, workspace_view
from .nav import can_do, menu

COORDINATORS = {Role.COORDINATOR}


def _context(workspace: Workspace, **extra: object) -> dict[str, object]:
    return {"workspace": workspace, "platform": workspace.platform, "menu": menu(workspace), **extra}


@workspace_view()
def home(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    """What this person is on this platform and what they can do here."""
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
    if invitation.accepted_at:
        message = _("%(email)s already has an account and now holds the role. We told them by e-mail.")
    else:
        message = _("We sent an invitation to %(email)s.")
    messages.success(request, message % {"email": invitation.email})
    return redirect("workspace:people", workspace.platform.slug)


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
