"""Named actions on the notice board: groups, notices, comments, read status.

Each change is atomic and writes its audit record in the same transaction. Reading a notice only
leaves a read receipt (it is not an action anyone needs to audit).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from tsunagari.accounts.mail import render_message, send_after_commit
from tsunagari.audit.log import record
from tsunagari.tenancy.models import Platform

from . import files
from .models import Attachment, Comment, DigestOptOut, Notice, ReadReceipt, SharedFile, WorkingGroup


def delete_file_after_commit(row: SharedFile, field: str = "file") -> None:
    """Remove a stored file once the deletion of its row is committed (never before: it could roll back)."""
    stored = getattr(row, field)
    name, storage = stored.name, stored.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def create_group(
    platform: Platform, *, name: str, description: str = "", members: Iterable[Any] = (), actor: Any
) -> WorkingGroup:
    with transaction.atomic():
        group = WorkingGroup(platform=platform, name=name, description=description)
        group.save()
        group.members.set(list(members))
        record(
            "group.created",
            actor=actor,
            platform=platform,
            obj=group,
            changes={"members": sorted(str(user) for user in group.members.all())},
        )
    return group


def update_group(group: WorkingGroup, *, name: str, description: str, members: Iterable[Any], actor: Any) -> None:
    with transaction.atomic():
        # Read the stored row: a ModelForm may already have changed the instance in memory.
        old_name = WorkingGroup.objects.values_list("name", flat=True).get(pk=group.pk)
        before = {user.pk: str(user) for user in group.members.all()}
        after = {user.pk: str(user) for user in members}
        changes: dict[str, Any] = {}
        if old_name != name:
            changes["name"] = [old_name, name]
        if set(before) != set(after):
            changes["added"] = sorted(after[pk] for pk in set(after) - set(before))
            changes["removed"] = sorted(before[pk] for pk in set(before) - set(after))
        group.name, group.description = name, description
        group.save()
        group.members.set(list(after))
        record("group.changed", actor=actor, platform=group.platform, obj=group, changes=changes)


def _attach(notice: Notice, uploads: Sequence[UploadedFile], actor: Any) -> list[str]:
    names = []
    for upload in uploads:
        kind = files.validate_upload(upload)
        name = files.clean_name(upload.name or "")
        Attachment.objects.create(
            platform=notice.platform,
            notice=notice,
            file=upload,
            name=name,
            content_type=kind.content_type,
            size=upload.size or 0,
            uploaded_by=actor,
        )
        names.append(name)
    return names


def post_notice(
    platform: Platform,
    *,
    author: Any,
    title: str,
    body: str,
    visibility: str = Notice.Visibility.ALL_MEMBERS,
    group: WorkingGroup | None = None,
    pinned: bool = False,
    uploads: Sequence[UploadedFile] = (),
) -> Notice:
    """Post a notice (with its attachments); the author has read it."""
    with transaction.atomic():
        notice = Notice(
            platform=platform, author=author, title=title, body=body, visibility=visibility, group=group, pinned=pinned
        )
        notice.save()
        names = _attach(notice, uploads, author)
        ReadReceipt.objects.create(platform=platform, notice=notice, user=author)
        record(
            "notice.posted",
            actor=author,
            platform=platform,
            obj=notice,
            changes={"visibility": visibility, "group": str(group or ""), "attachments": names},
        )
    return notice


def update_notice(
    notice: Notice,
    *,
    actor: Any,
    title: str,
    body: str,
    visibility: str,
    group: WorkingGroup | None,
    pinned: bool | None = None,
    uploads: Sequence[UploadedFile] = (),
    remove: Iterable[Attachment] = (),
) -> None:
    with transaction.atomic():
        # Compare with the stored row: a ModelForm may already have changed the instance in memory.
        stored = Notice.objects.select_related("group").get(pk=notice.pk)
        changes: dict[str, Any] = {}
        for field, value in (("title", title), ("visibility", visibility)):
            if getattr(stored, field) != value:
                changes[field] = [getattr(stored, field), value]
        if stored.body != body:
            changes["body"] = "changed"
        if stored.group_id != (group.pk if group else None):
            changes["group"] = [str(stored.group or ""), str(group or "")]
        notice.title, notice.body, notice.visibility, notice.group = title, body, visibility, group
        if pinned is not None:
            notice.pinned = pinned
        notice.save()
        removed = []
        for attachment in remove:
            if attachment.notice_id == notice.pk:
                delete_file_after_commit(attachment)
                removed.append(attachment.name)
                attachment.delete()
        if removed:
            changes["attachments_removed"] = removed
        added = _attach(notice, uploads, actor)
        if added:
            changes["attachments_added"] = added
        record("notice.changed", actor=actor, platform=notice.platform, obj=notice, changes=changes)


def delete_notice(notice: Notice, *, actor: Any) -> None:
    with transaction.atomic():
        for attachment in notice.attachments.all():
            delete_file_after_commit(attachment)
        record("notice.deleted", actor=actor, platform=notice.platform, obj=notice)
        notice.delete()


def set_pinned(notice: Notice, pinned: bool, *, actor: Any) -> None:
    with transaction.atomic():
        notice.pinned = pinned
        notice.save(update_fields=["pinned"])
        record("notice.pinned", actor=actor, platform=notice.platform, obj=notice, changes={"pinned": pinned})


def add_comment(notice: Notice, *, author: Any, body: str) -> Comment:
    with transaction.atomic():
        comment = Comment.objects.create(platform=notice.platform, notice=notice, author=author, body=body)
        record("notice.commented", actor=author, platform=notice.platform, obj=notice, changes={"comment": comment.pk})
    return comment


def delete_comment(comment: Comment, *, actor: Any) -> None:
    with transaction.atomic():
        record(
            "notice.comment_deleted",
            actor=actor,
            platform=comment.platform,
            obj=comment.notice,
            changes={"comment": comment.pk, "author": str(comment.author or "")},
        )
        comment.delete()


class AlreadyEmailedError(Exception):
    """The notice was e-mailed already (by someone else's click, or a second click of the same person)."""


def email_notice(notice: Notice, *, actor: Any) -> int:
    """E-mail `notice` now, with its full text and a link, to everyone who may read it; once only.

    Unlike the daily digest (titles only), a coordinator chose to send this text by e-mail. The
    row is locked and its `emailed_at` checked inside the transaction, so two clicks (or two
    coordinators) send it once; the second raises AlreadyEmailedError. People without an e-mail
    address and inactive accounts are left out. Returns how many people it went to.
    """
    with transaction.atomic():
        # of=self: PostgreSQL cannot lock the nullable side of the outer join to the group.
        locked = Notice.objects.select_for_update(of=("self",)).select_related("platform", "group").get(pk=notice.pk)
        if locked.emailed_at is not None:
            raise AlreadyEmailedError
        recipients = list(locked.email_recipients())
        locked.emailed_at, locked.emailed_by, locked.emailed_count = timezone.now(), actor, len(recipients)
        locked.save(update_fields=["emailed_at", "emailed_by", "emailed_count"])
        record(
            "notice.emailed",
            actor=actor,
            platform=locked.platform,
            obj=locked,
            changes={"recipients": len(recipients), "visibility": locked.visibility, "group": str(locked.group or "")},
        )
        link = settings.SITE_URL.rstrip("/") + reverse("workspace:notice", args=[locked.platform.slug, locked.pk])
        context = {
            "notice": locked,
            "platform": locked.platform,
            "sender": actor,
            "url": link,
            "attachments": [a.name for a in locked.attachments.all()],
        }
        for person in recipients:
            send_after_commit(render_message("notices/email/notice", person.email, {**context, "person": person}))
    notice.emailed_at, notice.emailed_by, notice.emailed_count = locked.emailed_at, actor, len(recipients)
    return len(recipients)


def mark_read(notice: Notice, user: Any) -> None:
    """Remember that `user` has opened `notice` (idempotent, safe under concurrent requests)."""
    if ReadReceipt.objects.filter(notice=notice, user=user).exists():
        return
    try:
        with transaction.atomic():
            ReadReceipt.objects.create(platform_id=notice.platform_id, notice=notice, user=user)
    except IntegrityError:
        pass  # the same person's other tab got there first


def mark_all_read(notices: Sequence[Notice], user: Any) -> int:
    """Mark every notice in `notices` read for `user`; returns how many were unread."""
    already = set(
        ReadReceipt.objects.filter(notice__in=[n.pk for n in notices], user=user).values_list("notice_id", flat=True)
    )
    unread = [n for n in notices if n.pk not in already]
    with transaction.atomic():
        ReadReceipt.objects.bulk_create(
            [ReadReceipt(platform_id=n.platform_id, notice=n, user=user) for n in unread], ignore_conflicts=True
        )
    return len(unread)


def set_digest(platform: Platform, user: Any, *, enabled: bool) -> None:
    """Turn `user`'s daily digest for `platform` on or off (their own choice; idempotent)."""
    if enabled:
        DigestOptOut.objects.filter(platform=platform, user_id=user.pk).delete()
    else:
        DigestOptOut.objects.get_or_create(platform=platform, user_id=user.pk)
