"""Case-meeting pages: the meetings an organisation organises or takes part in, and their records.

Only the organising organisation changes a meeting; participating organisations read it (and the
persons on its agenda) until its access end date. A task's owner marks it done.
"""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagari.accounts.models import ORGANISATION_ROLES, Membership, User
from tsunagari.notices import files
from tsunagari.workspace.access import Workspace

from . import actions, caselog
from .access import case_view, held_persons, visible_meetings, visible_persons
from .forms import DocumentForm, MeetingForm, RecordForm, TaskForm
from .models import CaseMeeting, FollowUpTask, MeetingDocument, ProvisionRecord
from .views import _render


def _meeting(workspace: Workspace, orgs: frozenset[Any], meeting_id: int, *, organiser: bool = False) -> CaseMeeting:
    meetings = visible_meetings(orgs, workspace.platform.pk, timezone.localdate())
    if organiser:
        meetings = meetings.filter(organizer__in=orgs)
    return get_object_or_404(meetings.select_related("platform", "organizer"), pk=meeting_id)


def _back(workspace: Workspace, meeting: CaseMeeting) -> HttpResponse:
    return redirect("workspace:case-meeting", workspace.platform.slug, meeting.pk)


@case_view
def meeting_list(request: HttpRequest, workspace: Workspace, orgs: frozenset[Any]) -> HttpResponse:
    meetings = visible_meetings(orgs, workspace.platform.pk, timezone.localdate()).select_related("organizer")
    return _render(request, workspace, "cases/meeting_list.html", meetings=meetings)


@case_view
def meeting_new(request: HttpRequest, workspace: Workspace, orgs: frozenset[Any]) -> HttpResponse:
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        meeting = actions.create_meeting(
            platform=workspace.platform,
            organizer_id=actions.organisation_of(request.user, workspace.platform.pk),
            actor=request.user,
            title=data["title"],
            held_at=data["held_at"],
            basis=data["basis"],
            access_until=data["access_until"],
            agenda=data["agenda"],
        )
        return _back(workspace, meeting)
    return _render(request, workspace, "cases/meeting_new.html", form=form, status=400 if form.is_bound else 200)


@case_view
def meeting_detail(request: HttpRequest, workspace: Workspace, orgs: frozenset[Any], meeting_id: int) -> HttpResponse:
    meeting = _meeting(workspace, orgs, meeting_id)
    today = timezone.localdate()
    # Only the persons this organisation may see now (the organiser may have lost its consent since).
    persons = list(visible_persons(orgs, workspace.platform.pk, today).filter(meetings=meeting).order_by("pk"))
    caselog.touch(request, *persons)
    organiser = meeting.organizer_id in orgs
    participants = list(meeting.participants.select_related("user", "organization").order_by("pk"))
    context: dict[str, Any] = {
        "meeting": meeting,
        "persons": persons,
        "participants": participants,
        "documents": meeting.documents.order_by("pk"),
        "tasks": meeting.tasks.select_related("owner", "person").order_by("due_on", "pk"),
        "provisions": ProvisionRecord.objects.filter(meeting=meeting).select_related("recipient").order_by("pk"),
        "organiser": organiser,
    }
    if organiser:
        on_agenda = {person.pk for person in persons}
        context |= {
            "addable_persons": [
                p for p in held_persons(orgs, workspace.platform.pk, today).order_by("pk") if p.pk not in on_agenda
            ],
            "addable_users": User.objects.filter(
                pk__in=Membership.objects.filter(
                    platform=workspace.platform, role__in=ORGANISATION_ROLES, organization__isnull=False
                ).values("user_id"),
                is_active=True,
            )
            .exclude(pk__in=[p.user_id for p in participants])
            .order_by("username"),
            "record_form": RecordForm(
                initial={"agenda": meeting.agenda, "decisions": meeting.decisions, "minutes": meeting.minutes}
            ),
            "document_form": DocumentForm(),
            "task_form": _task_form(meeting, participants, persons),
        }
    return _render(request, workspace, "cases/meeting_detail.html", **context)


def _task_form(meeting: CaseMeeting, participants: list[Any], persons: list[Any], data: Any = None) -> TaskForm:
    return TaskForm(
        data,
        owners=[(p.user_id, p.user.get_full_name() or p.user.username) for p in participants],
        persons=[(p.pk, p.name) for p in persons],
    )


@require_POST
@case_view
def meeting_person_add(
    request: HttpRequest, workspace: Workspace, orgs: frozenset[Any], meeting_id: int
) -> HttpResponse:
    meeting = _meeting(workspace, orgs, meeting_id, organiser=True)
    held = held_persons(frozenset({meeting.organizer_id}), workspace.platform.pk, timezone.localdate())
    person = get_object_or_404(held, pk=request.POST.get("person") or 0)
    caselog.touch(request, person)
    try:
        actions.put_on_agenda(meeting, person, actor=request.user)
    except actions.MeetingError as error:
        messages.error(request, str(error))
    return _back(workspace, meeting)


@require_POST
@case_view
def meeting_participant_add(
    request: HttpRequest, workspace: Workspace, orgs: frozenset[Any], meeting_id: int
) -> HttpResponse:
    meeting = _meeting(workspace, orgs, meeting_id, organiser=True)
    members = Membership.objects.filter(platform=workspace.platform, role__in=ORGANISATION_ROLES).values("user_id")
    user = get_object_or_404(User.objects.filter(pk__in=members, is_active=True), pk=request.POST.get("user") or 0)
    caselog.touch(request, *meeting.persons.all())
    try:
        actions.add_participant(meeting, user, actor=request.user)
    except actions.MeetingError as error:
        messages.error(request, str(error))
    return _back(workspace, meeting)


@require_POST
@case_view
def meeting_record(request: HttpRequest, workspace: Workspace, orgs: frozenset[Any], meeting_id: int) -> HttpResponse:
    meeting = _meeting(workspace, orgs, meeting_id, organiser=True)
    form = RecordForm(request.POST)
    if form.is_valid():
        caselog.touch(request, *meeting.persons.all())
        actions.write_record(meeting, actor=request.user, **form.cleaned_data)
        messages.success(request, _("The meeting record was saved."))
    return _back(workspace, meeting)


@require_POST
@case_view
def meeting_attendance(
    request: HttpRequest, workspace: Workspace, orgs: frozenset[Any], meeting_id: int
) -> HttpResponse:
    meeting = _meeting(workspace, orgs, meeting_id, organiser=True)
    attended = [int(value) for value in request.POST.getlist("attended") if value.isdigit()]
    actions.record_attendance(meeting, attended, actor=request.user)
    messages.success(request, _("Attendance was recorded."))
    return _back(workspace, meeting)


@require_POST
@case_view
def meeting_document_upload(
    request: HttpRequest, workspace: Workspace, orgs: frozenset[Any], meeting_id: int
) -> HttpResponse:
    meeting = _meeting(workspace, orgs, meeting_id, organiser=True)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.errors.get("file", []):
            messages.error(request, str(error))
        return _back(workspace, meeting)
    caselog.touch(request, *meeting.persons.all())
    actions.add_document(meeting, form.cleaned_data["file"], actor=request.user)
    return _back(workspace, meeting)


@case_view
def meeting_document(
    request: HttpRequest, workspace: Workspace, orgs: frozenset[Any], document_id: int
) -> HttpResponseBase:
    meetings = visible_meetings(orgs, workspace.platform.pk, timezone.localdate())
    document: MeetingDocument = get_object_or_404(
        MeetingDocument.objects.filter(meeting__in=meetings.values("pk")), pk=document_id
    )
    caselog.touch(request, *document.meeting.persons.all())
    kind = files.file_type(document.name)
    response = FileResponse(
        io.BytesIO(actions.read_document(document)),
        as_attachment=True,
        filename=document.name,
        content_type=kind.content_type if kind else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@require_POST
@case_view
def meeting_task_add(request: HttpRequest, workspace: Workspace, orgs: frozenset[Any], meeting_id: int) -> HttpResponse:
    meeting = _meeting(workspace, orgs, meeting_id, organiser=True)
    participants = list(meeting.participants.select_related("user"))
    persons = list(meeting.persons.all())
    form = _task_form(meeting, participants, persons, request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[field].label}: {error}" if field in form.fields else str(error))
        return _back(workspace, meeting)
    data = form.cleaned_data
    owner = next(p.user for p in participants if p.user_id == data["owner"])
    person = next((p for p in persons if p.pk == data["person"]), None)
    if person is not None:
        caselog.touch(request, person)
    try:
        actions.add_task(
            meeting, actor=request.user, title=data["title"], owner=owner, due_on=data["due_on"], person=person
        )
    except actions.MeetingError as error:
        messages.error(request, str(error))
    return _back(workspace, meeting)


@require_POST
@case_view
def task_done(request: HttpRequest, workspace: Workspace, orgs: frozenset[Any], task_id: int) -> HttpResponse:
    """The owner, or the organiser, marks a task done."""
    meetings = visible_meetings(orgs, workspace.platform.pk, timezone.localdate())
    task: FollowUpTask = get_object_or_404(
        FollowUpTask.objects.filter(meeting__in=meetings.values("pk")).select_related("meeting"), pk=task_id
    )
    if task.owner_id != request.user.pk and task.meeting.organizer_id not in orgs:
        messages.error(request, _("Only the task's owner or the organising organisation may do this."))
    else:
        if task.person_id:
            caselog.touch(request, task.person_id)
        actions.complete_task(task, actor=request.user)
    return redirect("workspace:case-meeting", workspace.platform.slug, task.meeting_id)
