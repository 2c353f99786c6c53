"""Fetching notice-board rows for a workspace: inside the platform, one 404 for "missing" and "not yours".

A notice the person may not read (a group they are not in, coordinators only) is answered like a
notice that does not exist.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from tsunagari.workspace.access import Workspace

from .models import Attachment, Comment, Notice, NoticeQuerySet, WorkingGroup


def readable_notices(request: HttpRequest, workspace: Workspace) -> NoticeQuerySet:
    """The platform's notices this person may read."""
    notices: NoticeQuerySet = Notice.objects.filter(platform=workspace.platform)  # type: ignore[assignment]
    return notices.visible_to(request.user, sees_everything=workspace.is_coordinator)


def get_notice(request: HttpRequest, workspace: Workspace, notice_id: int) -> Notice:
    return get_object_or_404(readable_notices(request, workspace).select_related("author", "group"), pk=notice_id)


def get_changeable_notice(request: HttpRequest, workspace: Workspace, notice_id: int) -> Notice:
    """A notice the person may change: their own, or any for coordinators (403 for a readable one that is not)."""
    notice = get_notice(request, workspace, notice_id)
    if workspace.is_read_only or not notice.can_change(request.user, is_coordinator=workspace.is_coordinator):
        raise PermissionDenied
    return notice


def get_attachment(request: HttpRequest, workspace: Workspace, attachment_id: int) -> Attachment:
    readable = readable_notices(request, workspace).values("pk")
    return get_object_or_404(Attachment.objects.filter(notice__in=readable), pk=attachment_id)


def get_comment(request: HttpRequest, workspace: Workspace, comment_id: int) -> Comment:
    readable = readable_notices(request, workspace).values("pk")
    return get_object_or_404(Comment.objects.filter(notice__in=readable).select_related("notice"), pk=comment_id)


def get_group(workspace: Workspace, group_id: int) -> WorkingGroup:
    return get_object_or_404(WorkingGroup.objects.filter(platform=workspace.platform), pk=group_id)
