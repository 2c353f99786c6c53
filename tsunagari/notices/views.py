"""Notice-board pages of the workspace: the board, a notice with its comments, working groups."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagari.accounts.models import Role, User
from tsunagari.workspace.access import WRITERS, Workspace, workspace_view
from tsunagari.workspace.nav import menu

from . import actions, files
from .access import (
    get_attachment,
    get_changeable_notice,
    get_comment,
    get_group,
    get_notice,
    readable_notices,
)
from .forms import CommentForm, NoticeForm, WorkingGroupForm
from .models import DigestOptOut, Notice, ReadReceipt, WorkingGroup

COORDINATORS = {Role.COORDINATOR}
PAGE_SIZE = 30


def notice_url(workspace: Workspace, notice: Notice) -> str:
    return reverse("workspace:notice", args=[workspace.platform.slug, notice.pk])


def _render(
    request: HttpRequest, workspace: Workspace, template: str, status: int = 200, **context: Any
) -> HttpResponse:
    context = {"workspace": workspace, "platform": workspace.platform, "menu": menu(workspace), **context}
    return render(request, template, context, status=status)


@workspace_view()
def board(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    """The notices this person may read, pinned first, newest next, unread ones marked."""
    notices = (
        readable_notices(request, workspace)
        .with_read_flag(request.user)
        .select_related("author", "group")
        .annotate(comment_count=Count("comments", distinct=True), attachment_count=Count("attachments", distinct=True))
        .order_by("-pinned", "-created_at", "-pk")
    )
    group = None
    group_id = request.GET.get("group", "")
    if group_id:
        if not group_id.isdigit():
            raise Http404
        group = get_group(workspace, int(group_id))
        notices = notices.filter(group=group)
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    groups = WorkingGroup.objects.filter(platform=workspace.platform)
    return _render(
        request,
        workspace,
        "notices/board.html",
        page=page,
        group=group,
        groups=groups,
        can_post=not workspace.is_read_only,
        digest_enabled=DigestOptOut.wants_digest(workspace.platform, request.user),
    )


@workspace_view(roles=WRITERS)
def notice_new(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    initial = {}
    if request.GET.get("group", "").isdigit():
        initial = {"group": request.GET["group"], "visibility": Notice.Visibility.GROUP}
    form = NoticeForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        platform=workspace.platform,
        user=request.user,
        is_coordinator=workspace.is_coordinator,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        notice = actions.post_notice(
            workspace.platform,
            author=request.user,
            title=data["title"],
            body=data["body"],
            visibility=data["visibility"],
            group=data["group"],
            pinned=bool(data.get("pinned")),
            uploads=data["attachments"],
        )
        messages.success(request, _("Your notice is posted."))
        return redirect("workspace:notice", workspace.platform.slug, notice.pk)
    return _render(request, workspace, "notices/notice_form.html", status=400 if form.is_bound else 200, form=form)


def _notice_page(
    request: HttpRequest, workspace: Workspace, notice: Notice, comment_form: CommentForm | None = None
) -> HttpResponse:
    can_change = not workspace.is_read_only and notice.can_change(request.user, is_coordinator=workspace.is_coordinator)
    read_by: list[Any] = []
    not_read_by: list[Any] = []
    if can_change:
        readers = set(ReadReceipt.objects.filter(notice=notice).values_list("user_id", flat=True))
        for person in notice.audience().order_by("display_name", "email"):
            (read_by if person.pk in readers else not_read_by).append(person)
    if comment_form is None and not workspace.is_read_only:
        comment_form = CommentForm()
    return _render(
        request,
        workspace,
        "notices/notice_detail.html",
        status=400 if comment_form is not None and comment_form.is_bound else 200,
        notice=notice,
        attachments=notice.attachments.all(),
        comments=notice.comments.select_related("author"),
        comment_form=comment_form,
        can_change=can_change,
        read_by=read_by,
        not_read_by=not_read_by,
        # Counted here: the template's `read_by|length|add:not_read_by|length` read as (len + list)|length.
        audience_count=len(read_by) + len(not_read_by),
    )


@workspace_view()
def notice_detail(request: HttpRequest, workspace: Workspace, notice_id: int) -> HttpResponse:
    """One notice: opening it marks it read."""
    notice = get_notice(request, workspace, notice_id)
    actions.mark_read(notice, request.user)
    return _notice_page(request, workspace, notice)


@workspace_view(roles=WRITERS)
def notice_edit(request: HttpRequest, workspace: Workspace, notice_id: int) -> HttpResponse:
    notice = get_changeable_notice(request, workspace, notice_id)
    form = NoticeForm(
        request.POST or None,
        request.FILES or None,
        instance=notice,
        platform=workspace.platform,
        user=request.user,
        is_coordinator=workspace.is_coordinator,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actions.update_notice(
            notice,
            actor=request.user,
            title=data["title"],
            body=data["body"],
            visibility=data["visibility"],
            group=data["group"],
            pinned=data.get("pinned"),  # absent for non-coordinators: unchanged
            uploads=data["attachments"],
            remove=data.get("remove_attachments") or (),
        )
        messages.success(request, _("The notice is updated."))
        return redirect("workspace:notice", workspace.platform.slug, notice.pk)
    return _render(
        request,
        workspace,
        "notices/notice_form.html",
        status=400 if form.is_bound else 200,
        form=form,
        notice=notice,
    )


@require_POST
@workspace_view(roles=WRITERS)
def notice_delete(request: HttpRequest, workspace: Workspace, notice_id: int) -> HttpResponse:
    notice = get_changeable_notice(request, workspace, notice_id)
    actions.delete_notice(notice, actor=request.user)
    messages.success(request, _("The notice is deleted."))
    return redirect("workspace:notices", workspace.platform.slug)


@require_POST
@workspace_view(roles=COORDINATORS)
def notice_pin(request: HttpRequest, workspace: Workspace, notice_id: int) -> HttpResponse:
    notice = get_notice(request, workspace, notice_id)
    actions.set_pinned(notice, not notice.pinned, actor=request.user)
    return redirect("workspace:notice", workspace.platform.slug, notice.pk)


@workspace_view(roles=COORDINATORS)
def notice_email(request: HttpRequest, workspace: Workspace, notice_id: int) -> HttpResponse:
    """E-mail the notice now to everyone who may read it: GET says to how many people, POST sends (once)."""
    notice = get_notice(request, workspace, notice_id)
    if request.method == "POST":
        try:
            count = actions.email_notice(notice, actor=request.user)
        except actions.AlreadyEmailedError:
            messages.error(request, _("This notice was e-mailed already; it is not sent again."))
        else:
            messages.success(request, _("The notice is e-mailed to %(count)d people.") % {"count": count})
        return redirect("workspace:notice", workspace.platform.slug, notice.pk)
    return _render(
        request,
        workspace,
        "notices/notice_email.html",
        notice=notice,
        recipients=notice.email_recipients().count(),
    )


@require_POST
@workspace_view(roles=WRITERS)
def notice_comment(request: HttpRequest, workspace: Workspace, notice_id: int) -> HttpResponse:
    notice = get_notice(request, workspace, notice_id)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _notice_page(request, workspace, notice, form)
    actions.add_comment(notice, author=request.user, body=form.cleaned_data["body"])
    return redirect(f"{notice_url(workspace, notice)}#comments")


@require_POST
@workspace_view(roles=WRITERS)
def comment_delete(request: HttpRequest, workspace: Workspace, comment_id: int) -> HttpResponse:
    comment = get_comment(request, workspace, comment_id)
    if not (workspace.is_coordinator or comment.author_id == request.user.pk):
        raise PermissionDenied
    actions.delete_comment(comment, actor=request.user)
    messages.success(request, _("The comment is deleted."))
    return redirect(f"{notice_url(workspace, comment.notice)}#comments")


@workspace_view()
def attachment(request: HttpRequest, workspace: Workspace, attachment_id: int) -> HttpResponseBase:
    """Download an attachment of a notice the person may read."""
    found = get_attachment(request, workspace, attachment_id)
    return files.download(found.file, found.name, found.content_type)


@require_POST
@workspace_view()
def read_all(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    """Mark every notice this person may read as read (their own read status only)."""
    count = actions.mark_all_read(list(readable_notices(request, workspace)), request.user)
    messages.success(request, _("%(count)d notices marked as read.") % {"count": count})
    return redirect("workspace:notices", workspace.platform.slug)


@workspace_view()
def digest(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    """Whether this person gets the daily e-mail digest for this platform; a button turns it off or on.

    The digest e-mail links here. Changing needs a POST: mail filters open links to scan them.
    """
    if request.method == "POST":
        enabled = request.POST.get("digest") == "on"
        actions.set_digest(workspace.platform, request.user, enabled=enabled)
        if enabled:
            messages.success(request, _("You will receive the daily e-mail digest for this platform."))
        else:
            messages.success(request, _("You will no longer receive the daily e-mail digest for this platform."))
        return redirect("workspace:notices-digest", workspace.platform.slug)
    return _render(
        request,
        workspace,
        "notices/digest.html",
        enabled=DigestOptOut.wants_digest(workspace.platform, request.user),
    )


@workspace_view()
def groups(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    """The platform's working groups; coordinators create them here."""
    form = WorkingGroupForm(platform=workspace.platform) if workspace.is_coordinator else None
    return _groups_page(request, workspace, form)


def _groups_page(request: HttpRequest, workspace: Workspace, form: WorkingGroupForm | None) -> HttpResponse:
    rows = WorkingGroup.objects.filter(platform=workspace.platform).annotate(member_count=Count("members"))
    return _render(
        request,
        workspace,
        "notices/groups.html",
        status=400 if form is not None and form.is_bound else 200,
        groups=rows,
        form=form,
    )


@require_POST
@workspace_view(roles=COORDINATORS)
def group_new(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    form = WorkingGroupForm(request.POST, platform=workspace.platform)
    if not form.is_valid():
        return _groups_page(request, workspace, form)
    group = actions.create_group(
        workspace.platform,
        name=form.cleaned_data["name"],
        description=form.cleaned_data["description"],
        members=form.cleaned_data["members"],
        actor=request.user,
    )
    messages.success(request, _("The working group %(name)s is created.") % {"name": group.name})
    return redirect("workspace:group", workspace.platform.slug, group.pk)


@workspace_view()
def group_detail(request: HttpRequest, workspace: Workspace, group_id: int) -> HttpResponse:
    group = get_group(workspace, group_id)
    form = None
    if workspace.is_coordinator:
        form = WorkingGroupForm(instance=group, platform=workspace.platform)
    return _group_page(request, workspace, group, form)


def _group_page(
    request: HttpRequest, workspace: Workspace, group: WorkingGroup, form: WorkingGroupForm | None
) -> HttpResponse:
    return _render(
        request,
        workspace,
        "notices/group_detail.html",
        status=400 if form is not None and form.is_bound else 200,
        group=group,
        members=group.members.order_by("display_name", "email"),
        form=form,
        is_member=group.members.filter(pk=cast(User, request.user).pk).exists(),
    )


@require_POST
@workspace_view(roles=COORDINATORS)
def group_edit(request: HttpRequest, workspace: Workspace, group_id: int) -> HttpResponse:
    group = get_group(workspace, group_id)
    form = WorkingGroupForm(request.POST, instance=group, platform=workspace.platform)
    if not form.is_valid():
        return _group_page(request, workspace, group, form)
    actions.update_group(
        group,
        name=form.cleaned_data["name"],
        description=form.cleaned_data["description"],
        members=form.cleaned_data["members"],
        actor=request.user,
    )
    messages.success(request, _("The working group is updated."))
    return redirect("workspace:group", workspace.platform.slug, group.pk)
