"""Workspace pages for events (meetings, workshops, training, public events) and training records."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any, cast

from django.contrib import messages
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tsunagari.accounts.models import Role, User
from tsunagari.audit.log import record
from tsunagari.lib.fiscal import fiscal_year_bounds, fiscal_year_of, fiscal_year_param
from tsunagari.lib.spreadsheet import csv_lines
from tsunagari.notices import files
from tsunagari.workspace.access import WRITERS, Workspace, workspace_view
from tsunagari.workspace.nav import menu

from . import actions, ical
from .access import get_document, get_event, get_registration, get_training, visible_events
from .forms import DocumentForm, EventForm, OnBehalfRegistrationForm, TrainingRecordForm
from .models import Event, Registration, TrainingRecord

COORDINATORS = {Role.COORDINATOR}
TRAINING_READERS = {Role.COORDINATOR, Role.OBSERVER}
PAST_EVENTS = 30


def _render(
    request: HttpRequest, workspace: Workspace, template: str, status: int = 200, **context: Any
) -> HttpResponse:
    context = {"workspace": workspace, "platform": workspace.platform, "menu": menu(workspace), **context}
    return render(request, template, context, status=status)


def _event_url(workspace: Workspace, event: Event) -> str:
    return reverse("workspace:event", args=[workspace.platform.slug, event.pk])


def _with_counts(events: QuerySet[Event], user: Any) -> QuerySet[Event]:
    mine = Registration.objects.filter(event=OuterRef("pk"), user_id=user.pk).exclude(
        status=Registration.Status.CANCELLED
    )
    return events.annotate(
        confirmed=Count("registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED)),
        waiting=Count("registrations", filter=Q(registrations__status=Registration.Status.WAITLISTED)),
        my_status=Subquery(mine.values("status")[:1]),
    )


@workspace_view()
def events(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    """Coming events this person may see, then the latest past ones."""
    now = timezone.now()
    visible = _with_counts(visible_events(request, workspace), request.user)
    year = fiscal_year_param(request.GET.get("year"))
    if year is not None:
        return _events_of_year(request, workspace, visible, year)
    return _render(
        request,
        workspace,
        "programs/workspace/events.html",
        upcoming=visible.filter(ends_at__gte=now).order_by("starts_at", "pk"),
        past=visible.filter(ends_at__lt=now).order_by("-starts_at", "-pk")[:PAST_EVENTS],
    )


def _events_of_year(request: HttpRequest, workspace: Workspace, visible: QuerySet[Event], year: int) -> HttpResponse:
    """The programme report's link: the published events of some kinds that started in a fiscal year."""
    kinds = [kind for kind in request.GET.getlist("kind") if kind in Event.Kind.values] or list(Event.Kind.values)
    start, end = fiscal_year_bounds(year)
    rows = list(
        visible.filter(status=Event.Status.PUBLISHED, kind__in=kinds, starts_at__gte=start, starts_at__lt=end)
        .annotate(attended=Count("registrations", filter=Q(registrations__attended=True)))
        .order_by("starts_at", "pk")
    )
    return _render(
        request,
        workspace,
        "programs/workspace/events_year.html",
        year=year,
        kinds=[Event.Kind(kind).label for kind in kinds],
        rows=rows,
        attended=sum(event.attended for event in rows),
    )


@workspace_view(roles=COORDINATORS)
def event_new(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    form = EventForm(request.POST or None, platform=workspace.platform)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        invited = data.pop("invited")
        event = actions.create_event(workspace.platform, actor=request.user, invited=invited, **data)
        messages.success(request, _("The event is created."))
        return redirect("workspace:event", workspace.platform.slug, event.pk)
    return _render(
        request, workspace, "programs/workspace/event_form.html", status=400 if form.is_bound else 200, form=form
    )


@workspace_view(roles=COORDINATORS)
def event_edit(request: HttpRequest, workspace: Workspace, event_id: int) -> HttpResponse:
    event = get_event(request, workspace, event_id)
    form = EventForm(request.POST or None, instance=event, platform=workspace.platform)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        invited = data.pop("invited")
        update = actions.update_event(event, actor=request.user, invited=invited, **data)
        messages.success(request, _("The event is updated."))
        if update.to_call:
            people = "、".join(f"{r.display_name}（{r.phone}）" for r in update.to_call)
            messages.warning(
                request,
                _("These people gave only a telephone number and were not told by e-mail; please call them: %(people)s")
                % {"people": people},
            )
        return redirect("workspace:event", workspace.platform.slug, event.pk)
    return _render(
        request,
        workspace,
        "programs/workspace/event_form.html",
        status=400 if form.is_bound else 200,
        form=form,
        event=event,
    )


def _event_page(
    request: HttpRequest,
    workspace: Workspace,
    event: Event,
    document_form: DocumentForm | None = None,
    on_behalf_form: OnBehalfRegistrationForm | None = None,
) -> HttpResponse:
    registrations = event.registrations.select_related("user")
    mine = registrations.filter(user=cast(User, request.user)).exclude(status=Registration.Status.CANCELLED).first()
    live = [r for r in registrations if r.is_live] if workspace.is_coordinator else []
    if document_form is None and workspace.is_coordinator:
        document_form = DocumentForm()
    if on_behalf_form is None and workspace.is_coordinator:
        on_behalf_form = OnBehalfRegistrationForm()
    bound = any(form is not None and form.is_bound for form in (document_form, on_behalf_form))
    return _render(
        request,
        workspace,
        "programs/workspace/event_detail.html",
        status=400 if bound else 200,
        event=event,
        on_behalf_form=on_behalf_form,
        mine=mine,
        can_register=not workspace.is_read_only and mine is None and event.accepts_registrations(),
        seats_left=event.seats_left(),
        confirmed=[r for r in live if r.status == Registration.Status.CONFIRMED],
        waiting=[r for r in live if r.status == Registration.Status.WAITLISTED],
        started=timezone.now() >= event.starts_at,
        documents=event.documents.all(),
        document_form=document_form,
        invited=event.invited.order_by("display_name", "email") if workspace.is_coordinator else [],
        portal_url=reverse("events:detail", args=[workspace.platform.slug, event.pk]) if event.is_public else "",
    )


@workspace_view()
def event_detail(request: HttpRequest, workspace: Workspace, event_id: int) -> HttpResponse:
    return _event_page(request, workspace, get_event(request, workspace, event_id))


@require_POST
@workspace_view(roles=WRITERS)
def event_register(request: HttpRequest, workspace: Workspace, event_id: int) -> HttpResponse:
    event = get_event(request, workspace, event_id)
    try:
        registration = actions.register(event, user=request.user)
    except actions.RegistrationClosedError:
        messages.error(request, _("This event does not take registrations."))
    except actions.AlreadyRegisteredError:
        messages.info(request, _("You are already registered."))
    else:
        if registration.status == Registration.Status.WAITLISTED:
            messages.warning(
                request,
                _("The event is full: you are on the waiting list. We will e-mail you if a place becomes free."),
            )
        else:
            messages.success(request, _("You are registered."))
    return redirect(_event_url(workspace, event))


@require_POST
@workspace_view(roles=WRITERS)
def event_unregister(request: HttpRequest, workspace: Workspace, event_id: int) -> HttpResponse:
    event = get_event(request, workspace, event_id)
    live = event.registrations.exclude(status=Registration.Status.CANCELLED)
    mine = live.filter(user=cast(User, request.user)).first()
    if mine is None:
        raise Http404
    actions.cancel_registration(mine, actor=request.user)
    messages.success(request, _("Your registration is cancelled."))
    return redirect(_event_url(workspace, event))


@require_http_methods(["GET", "POST"])
@workspace_view(roles=COORDINATORS)
def registration_cancel(
    request: HttpRequest, workspace: Workspace, event_id: int, registration_id: int
) -> HttpResponse:
    """A coordinator cancels someone's place (a resident who telephoned, say), after confirming it.

    The GET shows whose place it is and what they will be told; only the POST cancels.
    """
    event = get_event(request, workspace, event_id)
    registration = get_registration(workspace, event, registration_id)
    if request.method != "POST":
        if not registration.is_live:
            return redirect(_event_url(workspace, event))
        return _render(
            request,
            workspace,
            "programs/workspace/registration_cancel.html",
            event=event,
            registration=registration,
        )
    promoted = actions.cancel_registration(registration, actor=request.user, by_organiser=True)
    message = _("The registration of %(name)s is cancelled.") % {"name": registration.display_name}
    if promoted:
        message += " " + _("Moved up from the waiting list: %(names)s.") % {
            "names": "、".join(r.display_name for r in promoted)
        }
    messages.success(request, message)
    return redirect(_event_url(workspace, event))


@require_POST
@workspace_view(roles=COORDINATORS)
def registration_add(request: HttpRequest, workspace: Workspace, event_id: int) -> HttpResponse:
    """A coordinator registers a resident who telephoned or came by, by name."""
    event = get_event(request, workspace, event_id)
    form = OnBehalfRegistrationForm(request.POST)
    if not form.is_valid():
        return _event_page(request, workspace, event, on_behalf_form=form)
    data = form.cleaned_data
    try:
        registration = actions.register(
            event, name=data["name"], email=data["email"], phone=data["phone"], organiser=request.user
        )
    except actions.RegistrationClosedError:
        messages.error(request, _("Registration is not possible: the event is a draft, cancelled or has begun."))
    except actions.AlreadyRegisteredError:
        messages.info(request, _("Someone with this e-mail address is already registered."))
    else:
        if registration.status == Registration.Status.WAITLISTED:
            message = _("%(name)s is on the waiting list.")
        else:
            message = _("%(name)s is registered.")
        messages.success(request, message % {"name": registration.display_name})
    return redirect(_event_url(workspace, event))


def _local(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


@workspace_view(roles=COORDINATORS)
def event_registrations_export(request: HttpRequest, workspace: Workspace, event_id: int) -> HttpResponse:
    """Everyone who registered (confirmed, waiting and cancelled) as CSV for Excel; the download is audited."""
    event = get_event(request, workspace, event_id)
    registrations = list(event.registrations.select_related("user").order_by("created_at", "pk"))
    record(
        "event.registrations_exported",
        platform=workspace.platform,
        obj=event,
        changes={"registrations": len(registrations)},
    )
    attended = {True: _("attended"), False: _("did not attend"), None: ""}
    header = [
        _("Status"),
        _("Name"),
        _("Member or resident"),
        _("E-mail address"),
        _("Telephone"),
        _("Registered on"),
        _("Moved up from the waiting list on"),
        _("Cancelled on"),
        _("Attendance"),
    ]
    rows = (
        [
            r.get_status_display(),
            r.display_name,
            _("member") if r.user_id else _("resident"),
            r.contact_email,
            r.phone,
            _local(r.created_at),
            _local(r.promoted_at),
            _local(r.cancelled_at),
            attended[r.attended],
        ]
        for r in registrations
    )
    response = HttpResponse("".join(csv_lines(header, rows)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}-registrations.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@workspace_view(roles=COORDINATORS)
def event_attendance(request: HttpRequest, workspace: Workspace, event_id: int) -> HttpResponse:
    event = get_event(request, workspace, event_id)
    attended = {int(value) for value in request.POST.getlist("attended") if value.isdigit()}
    try:
        created = actions.mark_attendance(event, attended, actor=request.user)
    except actions.AttendanceTooEarlyError:
        messages.error(request, _("Attendance can be recorded once the event has started."))
        return redirect(_event_url(workspace, event))
    messages.success(request, _("Attendance is saved."))
    if created:
        messages.success(request, _("%(count)d training records were added.") % {"count": created})
    return redirect(_event_url(workspace, event))


@require_POST
@workspace_view(roles=COORDINATORS)
def document_upload(request: HttpRequest, workspace: Workspace, event_id: int) -> HttpResponse:
    event = get_event(request, workspace, event_id)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _event_page(request, workspace, event, form)
    actions.add_document(event, form.cleaned_data["file"], kind=form.cleaned_data["kind"], actor=request.user)
    messages.success(request, _("The file is added."))
    return redirect(_event_url(workspace, event))


@workspace_view()
def document(request: HttpRequest, workspace: Workspace, document_id: int) -> HttpResponseBase:
    found = get_document(request, workspace, document_id)
    return files.download(found.file, found.name, found.content_type)


@require_POST
@workspace_view(roles=COORDINATORS)
def document_delete(request: HttpRequest, workspace: Workspace, document_id: int) -> HttpResponse:
    found = get_document(request, workspace, document_id)
    actions.delete_document(found, actor=request.user)
    messages.success(request, _("The file is deleted."))
    return redirect(_event_url(workspace, found.event))


def _ics_response(body: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@workspace_view()
def event_ics(request: HttpRequest, workspace: Workspace, event_id: int) -> HttpResponse:
    event = get_event(request, workspace, event_id)
    item = ical.CalendarEvent(event, request.build_absolute_uri(_event_url(workspace, event)), show_online_link=True)
    return _ics_response(ical.calendar([item], name=workspace.platform.name), f"event-{event.pk}.ics")


@workspace_view()
def calendar_ics(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    """Every event this person may see, from 90 days ago on, to import into a calendar."""
    since = timezone.now() - datetime.timedelta(days=90)
    items = [
        ical.CalendarEvent(event, request.build_absolute_uri(_event_url(workspace, event)), show_online_link=True)
        for event in visible_events(request, workspace).filter(ends_at__gte=since)
    ]
    return _ics_response(ical.calendar(items, name=workspace.platform.name), f"{workspace.platform.slug}-events.ics")


def _training_records(request: HttpRequest, workspace: Workspace) -> tuple[QuerySet[TrainingRecord], int | None]:
    records = TrainingRecord.objects.filter(platform=workspace.platform).select_related("event", "recorded_by")
    year = fiscal_year_param(request.GET.get("year"))
    if year is not None:
        start = datetime.date(year, 4, 1)
        records = records.filter(completed_on__gte=start, completed_on__lt=start.replace(year=year + 1))
    return records, year


@workspace_view(roles=TRAINING_READERS)
def training(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    """Who completed which course; coordinators record them here."""
    form = TrainingRecordForm(platform=workspace.platform) if workspace.is_coordinator else None
    return _training_page(request, workspace, form)


def _training_page(request: HttpRequest, workspace: Workspace, form: TrainingRecordForm | None) -> HttpResponse:
    records, year = _training_records(request, workspace)
    this_year = fiscal_year_of(timezone.localdate())
    by_course = records.order_by().values("course").annotate(people=Count("pk")).order_by("-people", "course")
    return _render(
        request,
        workspace,
        "programs/workspace/training.html",
        status=400 if form is not None and form.is_bound else 200,
        records=records[:500],
        total=records.count(),
        by_course=by_course,
        year=year,
        years=list(range(this_year, this_year - 5, -1)),
        form=form,
    )


@require_POST
@workspace_view(roles=COORDINATORS)
def training_new(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    form = TrainingRecordForm(request.POST, platform=workspace.platform)
    if not form.is_valid():
        return _training_page(request, workspace, form)
    data = form.cleaned_data
    actions.record_training(
        workspace.platform,
        actor=request.user,
        user=data["user"],
        attendee_name=data["attendee_name"],
        organisation=data["organisation"],
        course=data["course"],
        completed_on=data["completed_on"],
    )
    messages.success(request, _("The training record is added."))
    return redirect("workspace:training", workspace.platform.slug)


@require_POST
@workspace_view(roles=COORDINATORS)
def training_delete(request: HttpRequest, workspace: Workspace, record_id: int) -> HttpResponse:
    actions.delete_training(get_training(workspace, record_id), actor=request.user)
    messages.success(request, _("The training record is deleted."))
    return redirect("workspace:training", workspace.platform.slug)


def _training_rows(records: QuerySet[TrainingRecord], platform_name: str) -> Iterator[list[Any]]:
    for row in records.order_by("completed_on", "pk").iterator(chunk_size=500):
        yield [
            row.completed_on.isoformat(),
            fiscal_year_of(row.completed_on),
            row.attendee_name,
            row.organisation,
            row.course,
            row.event.title if row.event else "",
            platform_name,
            str(row.recorded_by or ""),
        ]


@workspace_view(roles=TRAINING_READERS)
def training_export(request: HttpRequest, workspace: Workspace) -> StreamingHttpResponse:
    """The training records (of one fiscal year with ?year=) as CSV for the programme's reporting."""
    records, year = _training_records(request, workspace)
    record("training.exported", platform=workspace.platform, changes={"year": year})
    suffix = f"-{year}" if year else ""
    # Translated now: the rows are written after the view has returned.
    header = [
        _("Completed on"),
        _("Fiscal year"),
        _("Name"),
        _("Organisation"),
        _("Course"),
        _("Session"),
        _("Platform"),
        _("Recorded by"),
    ]
    response = StreamingHttpResponse(
        csv_lines(header, _training_rows(records, workspace.platform.name)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="training-{workspace.platform.slug}{suffix}.csv"'
    return response
