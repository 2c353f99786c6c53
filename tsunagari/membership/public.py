"""Public pages of membership: applying to join, the member list, reporting a problem, confirming a listing.

No account is needed for any of them. The forms are protected by CSRF and limited per client
address (JOIN_RATE, REPORT_RATE), and ask for no more than they need.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_ratelimit.core import is_ratelimited

from tsunagari.directory.crisis import crisis_lines
from tsunagari.directory.queries import get_service
from tsunagari.tenancy.access import get_public_platform
from tsunagari.tenancy.scoping import platform_scope

from . import actions
from .forms import JoinForm, ProblemReportForm
from .models import MemberOrganisation


def _limited(request: HttpRequest, group: str, rate: str) -> bool:
    """Count this POST against the client address; True once it is over `rate`."""
    return is_ratelimited(request, group=group, key="ip", rate=rate, method="POST", increment=True)


def _too_many(request: HttpRequest, context: dict[str, object]) -> HttpResponse:
    return render(request, "membership/portal/too_many.html", context, status=429)


@never_cache
def join(request: HttpRequest, platform_slug: str) -> HttpResponse:
    """An organisation applies to join the platform."""
    platform = get_public_platform(platform_slug)
    with platform_scope(platform):
        context: dict[str, object] = {"platform": platform, "lines": crisis_lines()}
        form = JoinForm(request.POST or None)
        if request.method == "POST":
            if _limited(request, "membership.join", settings.JOIN_RATE):
                return _too_many(request, context)
            if form.is_valid():
                fields = {k: v for k, v in form.cleaned_data.items() if k != "consent"}
                # However many client addresses send them, one inbox gets few acknowledgements.
                flooded = is_ratelimited(
                    request,
                    group="membership.join-acknowledgement",
                    key=lambda _group, _request: fields["contact_email"].strip().lower(),
                    rate=settings.JOIN_ACKNOWLEDGEMENT_RATE,
                    method="POST",
                    increment=True,
                )
                actions.apply_to_join(platform, acknowledge=not flooded, **fields)
                return redirect("membership:join-thanks", platform.slug)
        return render(
            request,
            "membership/portal/join.html",
            {**context, "form": form},
            status=400 if form.is_bound else 200,
        )


def join_thanks(request: HttpRequest, platform_slug: str) -> HttpResponse:
    platform = get_public_platform(platform_slug)
    with platform_scope(platform):
        return render(request, "membership/portal/join_thanks.html", {"platform": platform, "lines": crisis_lines()})


def member_list(request: HttpRequest, platform_slug: str) -> HttpResponse:
    """The public member list: name, type and what each member does (never the contacts)."""
    platform = get_public_platform(platform_slug)
    with platform_scope(platform):
        rows = (
            MemberOrganisation.objects.approved()
            .filter(platform=platform)
            .only("name", "kind", "description", "website", "needs", "areas")
            .order_by("kind", "name")
        )
        groups: dict[str, list[MemberOrganisation]] = {}
        for member in rows:
            groups.setdefault(member.get_kind_display(), []).append(member)
        return render(
            request,
            "membership/portal/members.html",
            {"platform": platform, "lines": crisis_lines(), "groups": groups, "count": sum(map(len, groups.values()))},
        )


def member_list_print(request: HttpRequest, platform_slug: str) -> HttpResponse:
    """The public member list to print (A4): name, type, areas and what each does; never the contacts."""
    platform = get_public_platform(platform_slug)
    with platform_scope(platform):
        rows = (
            MemberOrganisation.objects.approved()
            .filter(platform=platform)
            .only("name", "kind", "description", "website", "needs", "areas")
            .order_by("kind", "name")
        )
        return render(
            request, "membership/members_print.html", {"platform": platform, "members": rows, "with_contacts": False}
        )


@never_cache
def report_problem(request: HttpRequest, platform_slug: str, service_id: uuid.UUID) -> HttpResponse:
    """A resident tells the platform that a listing is wrong; anonymous, no personal data asked."""
    platform = get_public_platform(platform_slug)
    with platform_scope(platform):
        service = get_service(platform, service_id)
        context: dict[str, object] = {"platform": platform, "service": service, "lines": crisis_lines()}
        form = ProblemReportForm(request.POST or None)
        if request.method == "POST":
            if _limited(request, "membership.report", settings.REPORT_RATE):
                return _too_many(request, context)
            if form.is_valid():
                actions.report_problem(
                    platform=platform,
                    service=service,
                    kind=form.cleaned_data["kind"],
                    text=form.cleaned_data["text"],
                    reporter=request.user,
                )
                messages.success(request, _("Thank you. The platform's coordinators will check it."))
                return redirect("portal:service", platform.slug, service.pk)
        return render(
            request, "membership/portal/report.html", {**context, "form": form}, status=400 if form.is_bound else 200
        )


@never_cache
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link in a verification e-mail: one button confirms the listing is still right.

    A button (POST) rather than the bare link, because mail filters open links to scan them and
    would confirm listings nobody read.
    """
    verification = actions.verification_from_token(token)
    if verification is None:
        return render(request, "membership/portal/confirm_invalid.html", status=404)
    platform = verification.platform
    with platform_scope(platform):
        confirmed_now = False
        if request.method == "POST":
            actor = request.user if request.user.is_authenticated else None
            confirmed_now = actions.confirm_listing(verification, actor=actor)
            verification.refresh_from_db()
        return render(
            request,
            "membership/portal/confirm.html",
            {
                "platform": platform,
                "verification": verification,
                "service": verification.service,
                "confirmed_now": confirmed_now,
                "lines": crisis_lines(),
            },
        )
