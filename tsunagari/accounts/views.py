"""The signed-in home (which workspace to go to) and taking up an invitation."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from tsunagari.tenancy.models import Platform

from . import actions
from .forms import AcceptInvitationForm
from .models import Invitation, Membership, User


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Where sign-in lands: straight into the one workspace, or a list when there are several."""
    memberships = Membership.objects.filter(user=cast(User, request.user)).select_related("platform", "organization")
    platforms: dict[int, tuple[Platform, list[Membership]]] = {}
    for membership in memberships.order_by("platform__name", "role"):
        platforms.setdefault(membership.platform_id, (membership.platform, []))[1].append(membership)
    if len(platforms) == 1 and not request.user.is_superuser:
        ((platform, _roles),) = platforms.values()
        return redirect("workspace:home", platform.slug)
    everything = Platform.objects.order_by("kind", "name") if request.user.is_superuser else None
    return render(request, "account/home.html", {"platforms": list(platforms.values()), "all_platforms": everything})


@never_cache
@sensitive_post_parameters("password1", "password2")
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link in an invitation e-mail: set a password (new people) or confirm (existing ones)."""
    invitation = actions.invitation_from_token(token)
    if invitation is None:
        return render(request, "account/invitation_invalid.html", status=404)
    has_account = User.objects.filter(email__iexact=invitation.email).exists()
    form = None if has_account else AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            actions.accept_invitation(
                invitation,
                display_name=form.cleaned_data["display_name"] if form else "",
                password=form.cleaned_data["password1"] if form else None,
            )
        except Invitation.DoesNotExist:
            return render(request, "account/invitation_invalid.html", status=404)
        # The sign-in page fills the address in (kept in the session, not in the URL and its logs).
        request.session["login_hint"] = invitation.email
        messages.success(
            request,
            _("Welcome to %(platform)s. Sign in with your e-mail address and password.")
            % {"platform": invitation.platform.name},
        )
        return redirect("workspace:home", invitation.platform.slug)
    return render(request, "account/invitation.html", {"invitation": invitation, "form": form})
