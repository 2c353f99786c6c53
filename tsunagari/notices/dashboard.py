"""The notice board's rows on the workspace's first page (registered in NoticesConfig.ready)."""

from __future__ import annotations

import datetime
from typing import cast

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tsunagari.workspace.access import Workspace
from tsunagari.workspace.dashboard import Figure, Todo

from .access import readable_notices
from .models import Notice, ReadReceipt


def todos(request: HttpRequest, workspace: Workspace) -> list[Todo]:
    user_id = request.user.pk
    unread = (
        readable_notices(request, workspace)
        .exclude(author_id=user_id)
        .exclude(pk__in=ReadReceipt.objects.filter(user_id=cast(int, user_id)).values("notice_id"))
        .count()
    )
    return [
        Todo(_("Notices you have not read"), unread, reverse("workspace:notices", args=[workspace.platform.slug]), 60)
    ]


def activity(request: HttpRequest, workspace: Workspace, since: datetime.datetime) -> list[Figure]:
    posted = Notice.objects.filter(platform=workspace.platform, created_at__gte=since).count()
    return [Figure(_("Notices posted"), posted, order=40)]
