"""Workspace pages: the councils register, supporters, pledges, the concern form and the triage queue."""

from __future__ import annotations

from typing import Any, cast

from allauth.account.forms import ResetPasswordForm
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagari.accounts.models import User
from tsunagari.audit.log import record
from tsunagari.cases.access import case_view
from tsunagari.cases.models import Notification
from tsunagari.directory.models import Organization
from tsunagari.lib.fiscal import fiscal_year_bounds, fiscal_year_param
from tsunagari.tenancy.models import Platform
from tsunagari.workspace.access import WRITERS, Workspace, workspace_view
from tsunagari.workspace.nav import menu

from . import actions
from .access import coordinator_view, supporter_view, triage_view
from .forms import ConcernForm, ConcernMoveForm, CouncilForm, MemberForm, SupporterForm
from .models import CONCERN_MOVES, Concern, ConcernState, Council, CouncilMember, Supporter, SupporterKind, Urgency
from .pledges import pledge_text, seats


def _render(
    request: HttpRequest, workspace: Workspace, template: str, status: int = 200, **context: Any
) -> HttpResponse:
    context = {"workspace": workspace, "platform": workspace.platform, "menu": menu(workspace), **context}
    return render(request, template, context, status=status)


# The register (coordinators).


@coordinator_view
def council_list(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    councils = Council.objects.select_related("coordinating_body").order_by("name")
    return _render(request, workspace, "councils/council_list.html", councils=councils)


@coordinator_view
def council_new(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    return _council_form(request, workspace, Council(platform=workspace.platform))


@coordinator_view
def council_edit(request: HttpRequest, workspace: Workspace, council_id: int) -> HttpResponse:
    return _council_form(request, workspace, get_object_or_404(Council, pk=council_id))


def _council_form(request: HttpRequest, workspace: Workspace, council: Council) -> HttpResponse:
    form = CouncilForm(request.POST or None, instance=council)
    if request.method == "POST" and form.is_valid():
        council = actions.save_council(form.save(commit=False), actor=request.user)
        messages.success(request, _("The council is saved."))
        return redirect("workspace:council", workspace.platform.slug, council.pk)
    return _render(
        request,
        workspace,
        "councils/council_form.html",
        status=400 if form.is_bound else 200,
        form=form,
        council=council,
    )


@coordinator_view
def council_detail(request: HttpRequest, workspace: Workspace, council_id: int) -> HttpResponse:
    council: Council = get_object_or_404(Council.objects.select_related("coordinating_body"), pk=council_id)
    members = council.members.select_related("organization").order_by("left_on", "organization__name")
    now = timezone.now()
    pledged = council.pledges.filter(expires_at__gt=now).values("user").distinct().count()
    return _render(
        request,
        workspace,
        "councils/council_detail.html",
        council=council,
        members=members,
        form=MemberForm(council=council),
        pledged=pledged,
        pledge=pledge_text(council),
    )


@require_POST
@coordinator_view
def council_member_add(request: HttpRequest, workspace: Workspace, council_id: int) -> HttpResponse:
    council = get_object_or_404(Council, pk=council_id)
    form = MemberForm(request.POST, council=council)
    if form.is_valid():
        actions.add_member(council, form.cleaned_data["organization"], actor=request.user)
        messages.success(request, _("The organisation is a member of the council now."))
    else:
        messages.error(request, _("Choose a member organisation that is not on the council yet."))
    return redirect("workspace:council", workspace.platform.slug, council.pk)


@require_POST
@coordinator_view
def council_member_remove(request: HttpRequest, workspace: Workspace, council_id: int, member_id: int) -> HttpResponse:
    member: CouncilMember = get_object_or_404(
        CouncilMember.objects.select_related("council", "organization"),
        pk=member_id,
        council_id=council_id,
        left_on__isnull=True,
    )
    actions.remove_member(member, actor=request.user)
    messages.success(request, _("The organisation has left the council; its people no longer see its cases."))
    return redirect("workspace:council", workspace.platform.slug, council_id)


# Supporters (coordinators register them; supporters only report).


@coordinator_view
def supporter_list(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    form = SupporterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if Supporter.objects.filter(user__email__iexact=data["email"], ended_at__isnull=True).exists():
            form.add_error("email", _("This person is already registered as a supporter."))
        else:
            _supporter, created = actions.add_supporter(
                workspace.platform,
                email=data["email"],
                display_name=data["display_name"],
                kind=data["kind"],
                organization=data["organization"],
                actor=request.user,
            )
            if created:
                # The new account has no password: the standard reset e-mail lets them set one.
                reset = ResetPasswordForm(data={"email": data["email"]})
                if reset.is_valid():
                    reset.save(request)
            messages.success(request, _("The supporter is registered."))
            return redirect("workspace:supporters", workspace.platform.slug)
    supporters = Supporter.objects.filter(ended_at__isnull=True).select_related("user", "organization")
    report_url = request.build_absolute_uri(reverse("workspace:concern-report", args=[workspace.platform.slug]))
    return _render(
        request,
        workspace,
        "councils/supporters.html",
        status=400 if form.is_bound else 200,
        form=form,
        supporters=supporters.order_by("-added_at"),
        report_url=report_url,
    )


@require_POST
@coordinator_view
def supporter_end(request: HttpRequest, workspace: Workspace, supporter_id: int) -> HttpResponse:
    supporter = get_object_or_404(Supporter, pk=supporter_id, ended_at__isnull=True)
    actions.end_supporter(supporter, actor=request.user)
    messages.success(request, _("The supporter can no longer report concerns."))
    return redirect("workspace:supporters", workspace.platform.slug)


# The confidentiality pledge (every participant, before any case data).


@workspace_view(roles=WRITERS)
def pledge(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    mine = seats(request.user, workspace.platform)
    rows = [(seat, pledge_text(seat.council)) for seat in mine]
    return _render(request, workspace, "councils/pledge.html", rows=rows)


@require_POST
@workspace_view(roles=WRITERS)
def pledge_sign(request: HttpRequest, workspace: Workspace, council_id: int) -> HttpResponse:
    organisation = request.POST.get("organization", "")
    for seat in seats(request.user, workspace.platform):
        if seat.council.pk == council_id and str(seat.organization_id or "") == organisation:
            break
    else:
        raise Http404  # not a council this person takes part in (or not through that organisation)
    if request.POST.get("agree") != "yes":
        messages.error(request, _("Tick the box to confirm that you have read the pledge and agree to it."))
        return redirect("workspace:pledge", workspace.platform.slug)
    organization = Organization.objects.get(pk=seat.organization_id) if seat.organization_id else None
    actions.sign_pledge(seat.council, user=request.user, organization=organization)
    messages.success(request, _("Thank you. Your pledge is recorded and valid for one year."))
    return redirect("workspace:pledge", workspace.platform.slug)


# Concerns: the supporter's form.


@supporter_view
def concern_report(request: HttpRequest, platform: Platform, supporter: Supporter | None) -> HttpResponse:
    form = ConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actions.report_concern(
            platform,
            user=request.user,
            reporter_kind=supporter.kind if supporter else "member",
            what=data["what"],
            place=data["place"],
            urgency=data["urgency"],
        )
        url = reverse("workspace:concern-report-sent", args=[platform.slug])
        return redirect(url + ("?life=1" if data["urgency"] == Urgency.LIFE else ""))
    return render(
        request,
        "councils/concern_report.html",
        {"platform": platform, "form": form},
        status=400 if form.is_bound else 200,
    )


@supporter_view
def concern_report_sent(request: HttpRequest, platform: Platform, supporter: Supporter | None) -> HttpResponse:
    return render(request, "councils/concern_sent.html", {"platform": platform, "life": request.GET.get("life") == "1"})


# Concerns: the coordinator's triage queue.


@triage_view
def concern_queue(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    year = fiscal_year_param(request.GET.get("year"))
    if year is not None:
        # The programme report's link: every concern received in that fiscal year, whatever its state.
        start, end = fiscal_year_bounds(year)
        received = Concern.objects.filter(received_at__gte=start, received_at__lt=end).order_by("-received_at")
        return _render(request, workspace, "councils/concern_year.html", year=year, received=list(received))
    queue = list(Concern.objects.queue())
    done = Concern.objects.exclude(state__in=[ConcernState.NEW, ConcernState.TRIAGED]).order_by("-updated_at")[:50]
    # The in-app notice of each new concern (actions.tell_coordinators): marked until this coordinator opens it.
    unread = {
        int(key.rsplit(":", 1)[1])
        for key in Notification.objects.filter(
            platform=workspace.platform,
            user=cast(User, request.user),
            kind=Notification.Kind.CONCERN_NEW,
            read_at__isnull=True,
        ).values_list("key", flat=True)
    }
    return _render(request, workspace, "councils/concern_queue.html", queue=queue, done=done, unread=unread)


@triage_view
def concern_detail(request: HttpRequest, workspace: Workspace, concern_id: int) -> HttpResponse:
    concern: Concern = get_object_or_404(Concern.objects.select_related("reported_by", "handed_to"), pk=concern_id)
    record("councils.concern.viewed", platform=workspace.platform, obj=concern)
    Notification.objects.filter(
        platform=workspace.platform,
        user=cast(User, request.user),
        key=f"concern-new:{concern.pk}",
        read_at__isnull=True,
    ).update(read_at=timezone.now())
    moves = [(to, ConcernState(to).label) for (start, to) in sorted(CONCERN_MOVES) if start == concern.state]
    return _render(
        request, workspace, "councils/concern_detail.html", concern=concern, moves=moves, form=ConcernMoveForm()
    )


@require_POST
@triage_view
def concern_move(request: HttpRequest, workspace: Workspace, concern_id: int) -> HttpResponse:
    concern = get_object_or_404(Concern, pk=concern_id)
    form = ConcernMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid state and organisation."))
        return redirect("workspace:concern", workspace.platform.slug, concern.pk)
    try:
        actions.move_concern(
            concern,
            form.cleaned_data["to"],
            actor=request.user,
            note=form.cleaned_data["note"],
            handed_to=form.cleaned_data["handed_to"],
        )
    except actions.ConcernMoveError as error:
        messages.error(request, str(error))
    return redirect("workspace:concern", workspace.platform.slug, concern.pk)


# Concerns: the organisation a coordinator handed one to.


@case_view
def concern_handed(request: HttpRequest, workspace: Workspace, orgs: frozenset[Any], concern_id: int) -> HttpResponse:
    """A concern handed to the member's organisation: what was noticed, where, how urgent, the coordinator's note.

    A case page (organisation people, two-factor, a valid pledge, never cached, case-logged); any
    other concern, or one handed to another organisation, is 404. Who reported it is not shown, only
    what kind of supporter: the coordinator's note says whom to contact when that is needed.
    """
    concern: Concern = get_object_or_404(
        Concern.objects.select_related("handed_to"), pk=concern_id, state=ConcernState.LINKED, handed_to__in=orgs
    )
    record("councils.concern.viewed", platform=workspace.platform, obj=concern)
    Notification.objects.filter(
        platform=workspace.platform,
        user=cast(User, request.user),
        key__startswith=f"concern-handed:{concern.pk}:",
        read_at__isnull=True,
    ).update(read_at=timezone.now())
    kind = concern.reporter_kind
    reporter = SupporterKind(kind).label if kind in SupporterKind.values else _("a member of the platform")
    return _render(request, workspace, "councils/concern_handed.html", concern=concern, reporter=reporter)
