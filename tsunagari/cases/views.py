"""Case pages: the persons an organisation holds, one person, one referral and its state changes."""

from __future__ import annotations

import datetime
import re
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagari.accounts.models import Role, User
from tsunagari.audit.log import record
from tsunagari.directory.taxonomy import term_label, term_rows
from tsunagari.workspace.access import Workspace, workspace_view
from tsunagari.workspace.nav import menu

from . import actions, caselog, disclosure, figures, notify
from .access import case_view, visible_meetings, visible_persons, visible_referrals
from .models import CLOSED, RECEIVER_HOLDS, TRANSITIONS, Notification, Outcome, ProvisionRecord, Status


def _render(request: HttpRequest, workspace: Workspace, template: str, **context: Any) -> HttpResponse:
    context = {"workspace": workspace, "platform": workspace.platform, "menu": menu(workspace), **context}
    return render(request, template, context)


@case_view
def person_list(request: HttpRequest, workspace: Workspace, orgs: frozenset[Any]) -> HttpResponse:
    # Only the columns the list shows: every encrypted column loaded is a decryption (bench/cases_load.py).
    persons = list(
        visible_persons(orgs, workspace.platform.pk, timezone.localdate()).only("pk", "name").order_by("-created_at")
    )
    referrals = list(
        visible_referrals(orgs, workspace.platform.pk)
        .only("pk", "status", "person_id", "sender_id")
        .order_by("-updated_at")
    )
    caselog.touch(request, *persons)
    caselog.touch(request, *(r.person_id for r in referrals if r.sender_id in orgs or r.status in RECEIVER_HOLDS))
    return _render(
        request,
        workspace,
        "cases/person_list.html",
        persons=persons,
        referrals=referrals,
        orgs=orgs,
        unread=notify.unread(request.user, workspace.platform),
    )


@case_view
def person_detail(request: HttpRequest, workspace: Workspace, orgs: frozenset[Any], person_id: int) -> HttpResponse:
    today = timezone.localdate()
    person = get_object_or_404(visible_persons(orgs, workspace.platform.pk, today), pk=person_id)
    record("cases.person.viewed", platform=workspace.platform, obj=person)
    caselog.touch(request, person)
    referrals = visible_referrals(orgs, workspace.platform.pk).filter(person=person).order_by("-created_at")
    meetings = visible_meetings(orgs, workspace.platform.pk, today).filter(persons=person)
    provisions = (
        ProvisionRecord.objects.filter(Q(provider__in=orgs) | Q(recipient__in=orgs), person=person)
        .select_related("provider", "recipient")
        .order_by("-provided_at", "-pk")
    )
    return _render(
        request,
        workspace,
        "cases/person_detail.html",
        person=person,
        referrals=referrals,
        meetings=meetings,
        provisions=provisions,
    )


@case_view
def person_disclosure(request: HttpRequest, workspace: Workspace, orgs: frozenset[Any], person_id: int) -> HttpResponse:
    """The answer to the person's disclosure request: one JSON file, logged as an export."""
    person = get_object_or_404(visible_persons(orgs, workspace.platform.pk, timezone.localdate()), pk=person_id)
    caselog.touch(request, person)
    data = disclosure.answer(person, orgs=orgs, actor=request.user)
    response = HttpResponse(disclosure.as_json(data), content_type="application/json; charset=utf-8")
    filename = f"disclosure-person-{person.pk}-{timezone.localdate():%Y%m%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@case_view
def referral_detail(request: HttpRequest, workspace: Workspace, orgs: frozenset[Any], referral_id: int) -> HttpResponse:
    referral = get_object_or_404(visible_referrals(orgs, workspace.platform.pk), pk=referral_id)
    record("cases.referral.viewed", platform=workspace.platform, obj=referral)
    sender = referral.sender_id in orgs
    # The receiver sees the person only while it holds the referral; before accepting, the need alone.
    shows_person = sender or referral.status in RECEIVER_HOLDS
    # The need is about the person even in the preview: logged either way.
    caselog.touch(request, referral.person_id)
    moves = [
        (to, Status(to).label)
        for (start, to), side in TRANSITIONS.items()
        if start == referral.status and (referral.sender_id if side == "sender" else referral.receiver_id) in orgs
    ]
    return _render(
        request,
        workspace,
        "cases/referral_detail.html",
        referral=referral,
        shows_person=shows_person,
        moves=moves,
        can_end=any(to in CLOSED for to, _label in moves),
        outcomes=Outcome.choices,
    )


@require_POST
@case_view
def referral_move(request: HttpRequest, workspace: Workspace, orgs: frozenset[Any], referral_id: int) -> HttpResponse:
    referral = get_object_or_404(visible_referrals(orgs, workspace.platform.pk), pk=referral_id)
    caselog.touch(request, referral.person_id)
    try:
        moved = actions.move(
            referral,
            request.POST.get("to", ""),
            orgs=orgs,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            outcome=request.POST.get("outcome", ""),
        )
    except actions.TransitionError as error:
        messages.error(request, str(error))
        return redirect("workspace:case-referral", workspace.platform.slug, referral.pk)
    if moved.status == Status.REJECTED and moved.receiver_id in orgs and moved.sender_id not in orgs:
        # Rejecting keeps nothing: the receiver no longer sees the referral or the person.
        return redirect("workspace:cases", workspace.platform.slug)
    if not visible_referrals(orgs, workspace.platform.pk).filter(pk=moved.pk).exists():
        raise Http404
    return redirect("workspace:case-referral", workspace.platform.slug, moved.pk)


@case_view
def notification_list(request: HttpRequest, workspace: Workspace, orgs: frozenset[Any]) -> HttpResponse:
    """The person's own case notifications on this platform (what happened and a link, no personal data)."""
    notifications = Notification.objects.filter(platform=workspace.platform, user=cast(User, request.user))[:200]
    return _render(request, workspace, "cases/notification_list.html", notifications=notifications)


@require_POST
@case_view
def notifications_read(request: HttpRequest, workspace: Workspace, orgs: frozenset[Any]) -> HttpResponse:
    Notification.objects.filter(
        platform=workspace.platform, user=cast(User, request.user), read_at__isnull=True
    ).update(read_at=timezone.now())
    return redirect("workspace:case-notifications", workspace.platform.slug)


MAX_FIGURE_MONTHS = 36


def _month(text: str) -> datetime.date | None:
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
    if not match or not 1 <= int(match[2]) <= 12:
        return None
    return datetime.date(int(match[1]), int(match[2]), 1)


@workspace_view(roles={Role.COORDINATOR, Role.OBSERVER})
def figures_page(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    """Monthly joint-support figures: counts and rates only, small cells hidden (figures.py)."""
    today = timezone.localdate()
    # The Japanese fiscal year (April to March), what programme reports are made by.
    fiscal_start = datetime.date(today.year if today.month >= 4 else today.year - 1, 4, 1)
    start = _month(request.GET.get("from", "")) or fiscal_start
    end = _month(request.GET.get("to", "")) or today.replace(day=1)
    months = figures.months_between(start, end)
    if not months or len(months) > MAX_FIGURE_MONTHS:
        messages.error(request, _("Choose a period of 1 to 36 months, the first month before the last."))
        start, end = fiscal_start, today.replace(day=1)
    rows = figures.monthly(workspace.platform, start, end)
    threshold = settings.CASES_SMALL_CELL
    needs = {row["code"]: term_label(row) for row in term_rows("needs.tsv")}
    outcome_keys = sorted({key for row in rows for key in row.outcomes_by_need})
    return _render(
        request,
        workspace,
        "cases/figures.html",
        rows=[
            {
                "row": row,
                "concerns": row.concerns.display(threshold) if row.concerns is not None else None,
                "states": [row.referrals_by_state[state].display(threshold) for state in Status.values],
                "rate": row.closed_loop_rate.display(threshold),
                "median": row.median_days_to_acceptance.display(threshold),
            }
            for row in rows
        ],
        states=[Status(state).label for state in Status.values],
        has_concerns=bool(rows) and rows[0].concerns is not None,
        outcomes=[
            {
                "need": needs.get(need, need) if need else _("not stated"),
                "outcome": figures.outcome_label(outcome),
                "cells": [row.outcomes_by_need[need, outcome].display(threshold) for row in rows],
            }
            for need, outcome in outcome_keys
        ],
        start=start,
        end=end,
        threshold=threshold,
    )
