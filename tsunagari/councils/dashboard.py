"""The concern rows on the workspace's first page (registered in CouncilsConfig.ready): counts, never text."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagari.accounts.models import Role
from tsunagari.workspace.access import Workspace
from tsunagari.workspace.dashboard import Todo

from .models import OPEN_STATES, Concern, ConcernState, Urgency


def todos(request: HttpRequest, workspace: Workspace) -> list[Todo]:
    """For the platform's coordinators: concerns not triaged yet, and the urgent ones first, highlighted.

    Urgent: an open concern (new or triaged) where life may be in danger or something is wrong today,
    or any open concern past its due time. Both rows lead to the triage queue.
    """
    if Role.COORDINATOR not in workspace.roles:
        return []
    concerns = Concern.objects.filter(platform=workspace.platform)
    untriaged = concerns.filter(state=ConcernState.NEW).count()
    urgent = (
        concerns.filter(state__in=OPEN_STATES)
        .filter(Q(urgency__in=[Urgency.LIFE, Urgency.TODAY]) | Q(due_at__lt=timezone.now()))
        .count()
    )
    url = reverse("workspace:concerns", args=[workspace.platform.slug])
    return [
        Todo(_("Urgent concerns (life in danger, today, or past due)"), urgent, url, order=0, urgent=True),
        Todo(_("Concerns not triaged yet"), untriaged, url, order=2),
    ]
