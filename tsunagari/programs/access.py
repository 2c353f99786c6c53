"""Fetching events and their rows: inside the platform, one 404 for "missing" and "not yours".

An event a person may not see (a draft, or an invited-only event they are not invited to) is
answered like one that does not exist. On the portal only published or cancelled public events exist.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from tsunagari.tenancy.models import Platform
from tsunagari.workspace.access import Workspace

from .models import Event, EventDocument, EventQuerySet, Registration, TrainingRecord


def visible_events(request: HttpRequest, workspace: Workspace) -> EventQuerySet:
    events: EventQuerySet = Event.objects.filter(platform=workspace.platform)  # type: ignore[assignment]
    return events.visible_to(request.user, sees_everything=workspace.is_coordinator)


def get_event(request: HttpRequest, workspace: Workspace, event_id: int) -> Event:
    return get_object_or_404(visible_events(request, workspace), pk=event_id)


def get_registration(workspace: Workspace, event: Event, registration_id: int) -> Registration:
    return get_object_or_404(
        Registration.objects.filter(platform=workspace.platform, event=event).select_related("user"),
        pk=registration_id,
    )


def get_document(request: HttpRequest, workspace: Workspace, document_id: int) -> EventDocument:
    events = visible_events(request, workspace).values("pk")
    return get_object_or_404(EventDocument.objects.filter(event__in=events).select_related("event"), pk=document_id)


def get_training(workspace: Workspace, record_id: int) -> TrainingRecord:
    return get_object_or_404(TrainingRecord.objects.filter(platform=workspace.platform), pk=record_id)


def public_events(platform: Platform) -> EventQuerySet:
    """The events the portal shows (call inside the platform's scope)."""
    events: EventQuerySet = Event.objects.filter(platform=platform)  # type: ignore[assignment]
    return events.public()


def get_public_event(platform: Platform, event_id: int) -> Event:
    return get_object_or_404(public_events(platform), pk=event_id)
