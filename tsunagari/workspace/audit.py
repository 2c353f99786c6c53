"""The audit log's pages for a platform's coordinators: a filtered list and a CSV export.

The log itself (tsunagari.audit) sits below every app that records into it; its pages are workspace
pages, so they live here, above both."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tsunagari.accounts.models import Membership, Role
from tsunagari.audit.log import record
from tsunagari.audit.models import ACTION_LABELS, AuditEvent
from tsunagari.lib.spreadsheet import csv_lines
from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import scopes_disabled

from .access import Workspace, workspace_view
from .nav import menu

PAGE_SIZE = 100


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("What"), required=False)
    who = forms.CharField(label=_("Who (e-mail contains)"), required=False, max_length=254)
    since = forms.DateField(
        label=pgettext_lazy("date filter", "From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("Everything")), *sorted(ACTION_LABELS.items(), key=lambda i: i[0])]  # type: ignore[attr-defined]

    def filter(self, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        if not self.is_valid():
            return events
        data = self.cleaned_data
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["who"]:
            events = events.filter(actor_email__icontains=data["who"])
        if data["since"]:
            events = events.filter(at__date__gte=data["since"])
        if data["until"]:
            events = events.filter(at__date__lte=data["until"])
        return events


def platform_events(platform: Platform) -> QuerySet[AuditEvent]:
    """What happened on `platform`, and what its people did outside any platform (sign-in, MFA)."""
    members = Membership.objects.filter(platform=platform).values("user_id")
    # Leaving the scope on purpose: person-level events have no platform, so the platform scope
    # would hide them; the filter below keeps to this platform and its own people.
    with scopes_disabled():
        return AuditEvent.objects.filter(
            Q(platform=platform) | Q(platform__isnull=True, actor__in=members)
        ).select_related("actor", "platform")


@workspace_view(roles={Role.COORDINATOR})
def event_list(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    events = form.filter(platform_events(workspace.platform))
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "workspace/audit.html",
        {
            "workspace": workspace,
            "platform": workspace.platform,
            "menu": menu(workspace),
            "form": form,
            "page": page,
            "query": query.urlencode(),
        },
    )


# Headings in the reader's language (Excel users read them); the action code stays as a column too.
CSV_HEADER = [
    _("Date and time"),
    _("Who (e-mail)"),
    _("Platform"),
    pgettext_lazy("audit log column", "Action code"),
    pgettext_lazy("audit log column", "What"),
    _("Kind of object"),
    _("Object id"),
    pgettext_lazy("audit log column", "Object"),
    _("Details"),
    pgettext_lazy("audit log column", "IP address"),
    _("Browser (user agent)"),
]


def _csv_rows(events: QuerySet[AuditEvent]) -> Iterator[list[Any]]:
    for event in events.iterator(chunk_size=1000):
        yield [
            timezone.localtime(event.at).isoformat(timespec="seconds"),
            event.actor_email,
            event.platform.slug if event.platform else "",
            event.action,
            event.action_label,
            event.object_type,
            event.object_id,
            event.object_repr,
            json.dumps(event.changes, ensure_ascii=False, cls=DjangoJSONEncoder) if event.changes else "",
            event.ip or "",
            event.user_agent,
        ]


@workspace_view(roles={Role.COORDINATOR})
def export_csv(request: HttpRequest, workspace: Workspace) -> StreamingHttpResponse:
    """The filtered log as CSV; the export itself is recorded."""
    form = AuditFilterForm(request.GET or None)
    events = form.filter(platform_events(workspace.platform))
    record("audit.exported", platform=workspace.platform, changes={"filters": request.GET.dict()})
    filename = f"audit-{workspace.platform.slug}-{timezone.localdate():%Y%m%d}.csv"
    header = [str(heading) for heading in CSV_HEADER]
    response = StreamingHttpResponse(csv_lines(header, _csv_rows(events)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
