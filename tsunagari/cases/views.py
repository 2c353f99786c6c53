"""Case pages: the persons an organisation holds, one person, one referral and its state changes."""

from __future__ import annotations

import datetime
import io
import re
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagari.accounts.models import Role, User
from tsunagari.audit.log import record
from tsunagari.directory.models import Organization
from tsunagari.directory.taxonomy import term_label, term_rows
from tsunagari.workspace.access import Workspace, workspace_view
from tsunagari.workspace.nav import menu

from . import actions, caselog, disclosure, figures, notify
from .access import (
    case_view,
    held_persons,
    seen_attachments,
    seen_items,
    visible_meetings,
    visible_persons,
    visible_referrals,
)
from .forms import (
    ConsentForm,
    DocumentForm,
    ErasureForm,
    PersonForm,
    PersonRecordForm,
    PersonRequestForm,
    ReferralForm,
    RequestAnswerForm,
)
from .lookup import find_person
from .models import (
    ALWAYS_REFERRED,
    CLOSED,
    ITEMS,
    RECEIVER_HOLDS,
    TRANSITIONS,
    Consent,
    Notification,
    Outcome,
    Person,
    PersonAttachment,
    PersonRequest,
    ProvisionRecord,
    Status,
)


def _render(request: HttpRequest, workspace: Workspace, template: str, **context: Any) -> HttpResponse:
    context = {"workspace": workspace, "platform": workspace.platform, "menu": menu(workspace), **context}
    return render(request, template, context)


# Persons and referrals per page of the case list: a page costs the same queries however many there are.
CASES_PER_PAGE = 50


@case_view
def person_list(request: HttpRequest, workspace: Workspace, orgs: frozenset[Any]) -> HttpResponse:
    # Only the columns the list shows: every encrypted column loaded is a decryption (bench/cases_load.py).
    persons = Paginator(
        visible_persons(orgs, workspace.platform.pk, timezone.localdate())
        .only("pk", "name")
        .order_by("-created_at", "-pk"),
        CASES_PER_PAGE,
    ).get_page(request.GET.get("page"))
    referrals = Paginator(
        visible_referrals(orgs, workspace.platform.pk)
        .only("pk", "status", "person_id", "sender_id")
        .order_by("-updated_at", "-pk"),
        CASES_PER_PAGE,
    ).get_page(request.GET.get("referrals"))
    # Only the persons shown on this page are logged as seen.
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
        open_requests=PersonRequest.objects.filter(
            platform=workspace.platform, organization__in=orgs, decision=""
        ).count(),
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
    # Only this organisation's own consents: who else holds the person is not for it to know.
    consents = (
        Consent.objects.filter(person=person, organization__in=orgs)
        .select_related("organization")
        .prefetch_related("recipients")
        .order_by("-given_on", "-pk")
    )
    # Likewise the requests the person made to this organisation.
    requests = PersonRequest.objects.filter(person=person, organization__in=orgs).order_by("-received_on", "-pk")
    # The files this organisation keeps with the record, and those a referral provided to it.
    attachments = seen_attachments(person, orgs).order_by("-uploaded_at", "-pk")
    return _render(
        request,
        workspace,
        "cases/person_detail.html",
        person=person,
        referrals=referrals,
        meetings=meetings,
        provisions=provisions,
        consents=consents,
        requests=requests,
        attachments=attachments,
        attachment_form=DocumentForm(),
        today=today,
        # Only the items this organisation entered or was provided (a referral's chosen items).
        seen=seen_items(person, orgs),
        can_edit=person.registered_by_id in orgs,
        # Offered once the person's request to stop use was granted (the page then checks the rest).
        can_erase=person.registered_by_id in orgs
        and person.erased_at is None
        and any(r.kind == PersonRequest.Kind.STOP_USE and r.decision == PersonRequest.Decision.DONE for r in requests),
        can_refer=held_persons(orgs, workspace.platform.pk, today).filter(pk=person.pk).exists(),
    )


def _form_page(
    request: HttpRequest, workspace: Workspace, form: Any, *, back: tuple[str, list[Any]], **context: Any
) -> HttpResponse:
    back_url = reverse(back[0], args=[workspace.platform.slug, *back[1]])
    response = _render(request, workspace, "cases/form.html", form=form, back_url=back_url, **context)
    if form.is_bound and form.errors:
        response.status_code = 400
    return response


@case_view
def person_new(request: HttpRequest, workspace: Workspace, orgs: frozenset[Any]) -> HttpResponse:
    """Register a person, after looking for them among the persons this organisation already sees."""
    form = PersonForm(request.POST or None)
    existing = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # Only among the persons this organisation sees: a match elsewhere on the platform is not
        # revealed (the person is registered again, held by this organisation alone).
        visible = visible_persons(orgs, workspace.platform.pk, timezone.localdate())
        existing = find_person(visible, data["name"], data["birth_date"]).only("pk", "name").first()
        if existing is None:
            organization = Organization.objects.get(pk=actions.organisation_of(request.user, workspace.platform.pk))
            person = actions.register_person(
                platform=workspace.platform,
                organization=organization,
                actor=request.user,
                **data,
            )
            caselog.touch(request, person)
            messages.success(request, _("The person has been registered."))
            return redirect("workspace:case-person", workspace.platform.slug, person.pk)
        caselog.touch(request, existing)
    response = _form_page(
        request,
        workspace,
        form,
        title=_("Register a person"),
        back=("workspace:cases", []),
        buttons=[("save", _("Register the person"))],
        existing=existing,
    )
    if existing is not None:
        response.status_code = 409
    return response


@case_view
def person_edit(request: HttpRequest, workspace: Workspace, orgs: frozenset[Any], person_id: int) -> HttpResponse:
    """Correct a person's record: only the organisation that registered it, while it still holds the person.

    Organisations that see the person through a referral or a case meeting received a copy they
    may not change (404, as for a record they cannot see).
    """
    person = get_object_or_404(
        visible_persons(orgs, workspace.platform.pk, timezone.localdate()).filter(registered_by__in=orgs),
        pk=person_id,
    )
    caselog.touch(request, person)
    initial = {name: getattr(person, name) for name in actions.PERSON_FIELDS}
    form = PersonRecordForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changed = actions.edit_person(
            person, organization_id=person.registered_by_id, actor=request.user, **form.cleaned_data
        )
        messages.success(request, _("The record has been updated.") if changed else _("Nothing was changed."))
        return redirect("workspace:case-person", workspace.platform.slug, person.pk)
    return _form_page(
        request,
        workspace,
        form,
        title=_("Edit the record"),
        person=person,
        back=("workspace:case-person", [person.pk]),
        buttons=[("save", _("Save the record"))],
    )


@case_view
def person_erase(request: HttpRequest, workspace: Workspace, orgs: frozenset[Any], person_id: int) -> HttpResponse:
    """Erase a person's record after granting their request to stop use (one click, confirmed).

    The registering organisation's people only, like editing; the rules are the action's
    (actions.erasure_blockers), shown before the button so nobody clicks in vain.
    """
    today = timezone.localdate()
    person = get_object_or_404(
        visible_persons(orgs, workspace.platform.pk, today).filter(registered_by__in=orgs), pk=person_id
    )
    caselog.touch(request, person)
    organisation_id = person.registered_by_id
    blockers = actions.erasure_blockers(person, organization_id=organisation_id, today=today)
    form = ErasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.erase_person(person, organization_id=organisation_id, actor=request.user)
        except actions.ErasureError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The record has been erased. The provision records and the requests are kept."))
            return redirect("workspace:case-person", workspace.platform.slug, person.pk)
    response = _render(
        request,
        workspace,
        "cases/person_erase.html",
        person=person,
        form=form,
        blockers=blockers,
        erased=[str(field.verbose_name) for field in Person._meta.fields if field.name in actions.ERASED_FIELDS],
    )
    if form.is_bound and form.errors:
        response.status_code = 400
    return response


@case_view
def request_new(request: HttpRequest, workspace: Workspace, orgs: frozenset[Any], person_id: int) -> HttpResponse:
    """Record a request the person made to this organisation (開示・訂正・利用停止等の請求)."""
    person = get_object_or_404(visible_persons(orgs, workspace.platform.pk, timezone.localdate()), pk=person_id)
    caselog.touch(request, person)
    form = PersonRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation_id = actions.organisation_of(request.user, workspace.platform.pk)
        actions.record_request(person, organization_id=organisation_id, actor=request.user, **form.cleaned_data)
        messages.success(request, _("The request has been recorded."))
        return redirect("workspace:case-person", workspace.platform.slug, person.pk)
    return _form_page(
        request,
        workspace,
        form,
        title=_("Record a request from the person"),
        person=person,
        back=("workspace:case-person", [person.pk]),
        buttons=[("save", _("Record the request"))],
    )


@case_view
def request_answer(
    request: HttpRequest, workspace: Workspace, orgs: frozenset[Any], person_request_id: int
) -> HttpResponse:
    """The decision on a request made to this organisation.

    A request outlives the organisation's hold on the person (a withdrawn consent ends its access to
    the record, not its duty to answer, 個人情報保護法 第33–35条): the request itself is answered
    here either way; the person's name and record are shown only while the organisation still sees
    them.
    """
    person_request: PersonRequest = get_object_or_404(
        PersonRequest.objects.filter(platform=workspace.platform, organization__in=orgs).select_related(
            "person", "platform"
        ),
        pk=person_request_id,
    )
    person = person_request.person
    caselog.touch(request, person)  # the request is data about the person: its view is logged
    held = visible_persons(orgs, workspace.platform.pk, timezone.localdate()).filter(pk=person.pk).exists()
    initial: dict[str, Any] = {"decision": person_request.decision, "reason": person_request.reason}
    if person_request.answered_on:
        initial["answered_on"] = person_request.answered_on
    form = RequestAnswerForm(request.POST or None, initial=initial, received_on=person_request.received_on)
    if request.method == "POST" and form.is_valid():
        actions.answer_request(person_request, actor=request.user, **form.cleaned_data)
        messages.success(request, _("The answer has been recorded."))
        if not held:
            return redirect("workspace:case-requests", workspace.platform.slug)
        if (
            person_request.kind == PersonRequest.Kind.STOP_USE
            and person_request.decision == PersonRequest.Decision.DONE
            and person.registered_by_id in orgs
        ):
            messages.info(request, _("To erase the person's record, use “Erase the record” on their page."))
        return redirect("workspace:case-person", workspace.platform.slug, person.pk)
    return _form_page(
        request,
        workspace,
        form,
        title=_("Answer the request"),
        person=person if held else None,
        no_longer_held=not held,
        person_request=person_request,
        back=("workspace:case-person", [person.pk]) if held else ("workspace:case-requests", []),
        buttons=[("save", _("Record the answer"))],
    )


def _seeing_organisation(orgs: frozenset[Any], workspace: Workspace, person: Person) -> Any:
    """The member's organisation that sees `person` (the one a new attachment belongs to)."""
    today = timezone.localdate()
    for org_id in sorted(orgs, key=str):
        if visible_persons(frozenset({org_id}), workspace.platform.pk, today).filter(pk=person.pk).exists():
            return org_id
    raise Http404


@require_POST
@case_view
def attachment_upload(request: HttpRequest, workspace: Workspace, orgs: frozenset[Any], person_id: int) -> HttpResponse:
    """Keep a file with the person's record, for this organisation (checked, encrypted at rest)."""
    person = get_object_or_404(visible_persons(orgs, workspace.platform.pk, timezone.localdate()), pk=person_id)
    caselog.touch(request, person)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.errors.get("file", []):
            messages.error(request, str(error))
    else:
        organisation = _seeing_organisation(orgs, workspace, person)
        actions.add_attachment(person, form.cleaned_data["file"], organization_id=organisation, actor=request.user)
        messages.success(request, _("The file was added to the record."))
    return redirect("workspace:case-person", workspace.platform.slug, person.pk)


@case_view
def attachment_download(
    request: HttpRequest, workspace: Workspace, orgs: frozenset[Any], attachment_id: int
) -> HttpResponseBase:
    """One of the organisation's attachments of a person it sees now: a download, never shown inline."""
    persons = visible_persons(orgs, workspace.platform.pk, timezone.localdate())
    attachment: PersonAttachment = get_object_or_404(
        PersonAttachment.objects.filter(person__in=persons.values("pk")).select_related("person"), pk=attachment_id
    )
    caselog.touch(request, attachment.person_id)
    # Its own files, or files a referral provided to it; any other is 404 like a file that does not exist.
    if not seen_attachments(attachment.person, orgs).filter(pk=attachment.pk).exists():
        raise Http404
    response = FileResponse(
        io.BytesIO(actions.read_attachment(attachment)),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


# Open requests on one page: far more than an organisation should ever have waiting.
MAX_OPEN_REQUESTS = 500


@case_view
def request_list(request: HttpRequest, workspace: Workspace, orgs: frozenset[Any]) -> HttpResponse:
    """The requests persons made to this organisation that are not answered yet, the earliest due first."""
    today = timezone.localdate()
    # Ordered by the date received, which is the order of the answer dates (always two weeks later).
    open_requests = list(
        PersonRequest.objects.filter(platform=workspace.platform, organization__in=orgs, decision="")
        .defer("asked", "reason")
        .order_by("received_on", "pk")[:MAX_OPEN_REQUESTS]
    )
    # The name only of persons the organisation still sees; a request outlives a withdrawn consent.
    shown = visible_persons(orgs, workspace.platform.pk, today).filter(pk__in={r.person_id for r in open_requests})
    names = {person.pk: person.name for person in shown.only("pk", "name")}
    caselog.touch(request, *names)
    return _render(
        request,
        workspace,
        "cases/request_list.html",
        rows=[{"request": r, "name": names.get(r.person_id), "overdue": r.is_overdue(today)} for r in open_requests],
        overdue=sum(1 for r in open_requests if r.is_overdue(today)),
        today=today,
    )


@case_view
def consent_new(request: HttpRequest, workspace: Workspace, orgs: frozenset[Any], person_id: int) -> HttpResponse:
    person = get_object_or_404(visible_persons(orgs, workspace.platform.pk, timezone.localdate()), pk=person_id)
    caselog.touch(request, person)
    organisation_id = actions.organisation_of(request.user, workspace.platform.pk)
    form = ConsentForm(request.POST or None, organisation_id=organisation_id)
    if request.method == "POST" and form.is_valid():
        actions.record_consent(person, organization_id=organisation_id, actor=request.user, **form.cleaned_data)
        messages.success(request, _("The consent has been recorded."))
        return redirect("workspace:case-person", workspace.platform.slug, person.pk)
    return _form_page(
        request,
        workspace,
        form,
        title=_("Record a consent"),
        person=person,
        back=("workspace:case-person", [person.pk]),
        buttons=[("save", _("Record the consent"))],
    )


@require_POST
@case_view
def consent_withdraw(request: HttpRequest, workspace: Workspace, orgs: frozenset[Any], consent_id: int) -> HttpResponse:
    today = timezone.localdate()
    consent: Consent = get_object_or_404(
        Consent.objects.filter(
            organization__in=orgs, person__in=visible_persons(orgs, workspace.platform.pk, today)
        ).select_related("person", "platform"),
        pk=consent_id,
    )
    caselog.touch(request, consent.person_id)
    cancelled = actions.withdraw_consent(consent, actor=request.user)
    messages.success(request, _("The withdrawal of the consent has been recorded."))
    for referral in cancelled:
        messages.info(request, _("Referral #%(number)s was cancelled with it.") % {"number": referral.pk})
    if visible_persons(orgs, workspace.platform.pk, today).filter(pk=consent.person_id).exists():
        return redirect("workspace:case-person", workspace.platform.slug, consent.person_id)
    return redirect("workspace:cases", workspace.platform.slug)


@case_view
def referral_new(request: HttpRequest, workspace: Workspace, orgs: frozenset[Any], person_id: int) -> HttpResponse:
    """A referral of a person this organisation holds in its own right, as a draft or sent at once."""
    sender_id = actions.organisation_of(request.user, workspace.platform.pk)
    today = timezone.localdate()
    person = get_object_or_404(held_persons(frozenset({sender_id}), workspace.platform.pk, today), pk=person_id)
    caselog.touch(request, person)
    previous = None
    if again := request.GET.get("again", ""):
        previous = get_object_or_404(
            visible_referrals(orgs, workspace.platform.pk).filter(
                sender_id=sender_id, person=person, status__in=actions.REFER_AGAIN_FROM
            ),
            pk=int(again) if again.isdigit() else 0,
        )
    initial: dict[str, Any] = {"items": []}
    if previous:
        # Referring again offers what the last referral chose; the checks apply again all the same.
        items = [item for item in previous.items if item not in ALWAYS_REFERRED]
        initial = {"need": previous.need, "need_code": previous.need_code, "items": items}
    form = ReferralForm(request.POST or None, sender_id=sender_id, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = actions.start_referral(
                person,
                sender=Organization.objects.get(pk=sender_id),
                receiver=data["receiver"],
                need=data["need"],
                need_code=data["need_code"],
                basis=data["basis"],
                actor=request.user,
                send="send" in request.POST,
                previous=previous,
                items=data["items"],
            )
        except actions.ReferralError as error:
            form.add_error(error.field, str(error))
        else:
            messages.success(
                request,
                _("The referral has been sent.")
                if referral.status == Status.REQUESTED
                else _("The draft has been saved."),
            )
            return redirect("workspace:case-referral", workspace.platform.slug, referral.pk)
    return _form_page(
        request,
        workspace,
        form,
        title=_("New referral"),
        person=person,
        previous=previous,
        shared=[ITEMS[item] for item in ALWAYS_REFERRED],
        back=("workspace:case-person", [person.pk]),
        buttons=[("send", _("Send the referral")), ("draft", _("Save as a draft"))],
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
        # What the receiver gets (or got) on acceptance: shown to the sender, and to the receiver once it holds the person.
        items=referral.item_labels() if shows_person else None,
        moves=moves,
        can_end=any(to in CLOSED for to, _label in moves),
        outcomes=Outcome.choices,
        sender=sender,
        refer_again=sender and referral.status in actions.REFER_AGAIN_FROM,
    )


@require_POST
@case_view
def referral_move(request: HttpRequest, workspace: Workspace, orgs: frozenset[Any], referral_id: int) -> HttpResponse:
    referral = get_object_or_404(visible_referrals(orgs, workspace.platform.pk), pk=referral_id)
    caselog.touch(request, referral.person_id)
    to = request.POST.get("to", "")
    try:
        moved = actions.move(
            referral,
            to,
            orgs=orgs,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            outcome=request.POST.get("outcome", ""),
        )
    except (actions.TransitionError, actions.ReferralError) as error:
        # ReferralError: a draft sent after its consent ended, or after the person stopped referrals.
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
