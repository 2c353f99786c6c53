"""The case rows on the workspace's first page (registered in CasesConfig.ready): counts, never names."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagari.workspace.access import Workspace
from tsunagari.workspace.dashboard import Todo

from .access import case_organisations
from .models import ANSWER_DAYS, WARNING_SPAN_DAYS, PersonRequest


def todos(request: HttpRequest, workspace: Workspace) -> list[Todo]:
    """Requests persons made to the member's organisation that are late, or due within three business days."""
    orgs = case_organisations(request.user, workspace)
    if not orgs:
        return []
    today = timezone.localdate()
    waiting = PersonRequest.objects.filter(platform=workspace.platform, organization__in=orgs, decision="")
    # Due (received + 14 days) before today: late. Due soon: its reminder day (three business days
    # before the answer date, PersonRequest.warn_on) has come; only the last two weeks' can be.
    late = waiting.filter(received_on__lt=today - timedelta(days=ANSWER_DAYS)).count()
    candidates = waiting.filter(
        received_on__gte=today - timedelta(days=ANSWER_DAYS),
        received_on__lte=today - timedelta(days=ANSWER_DAYS - WARNING_SPAN_DAYS),
    ).only("received_on", "decision")
    near = sum(1 for request in candidates if request.is_due_soon(today))
    url = reverse("workspace:case-requests", args=[workspace.platform.slug])
    return [
        Todo(_("Requests from persons past their answer date"), late, url, order=5),
        Todo(_("Requests from persons to answer within three business days"), near, url, order=15),
    ]
