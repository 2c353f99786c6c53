"""The members' notice board: working groups, notices, comments, attachments and who has read what.

Everything here belongs to one platform and is scoped like the directory (a query outside a
platform scope raises). Nothing of it is ever shown on the portal: residents and other
platforms' people never see a notice.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tsunagari.accounts.models import Membership, Role, User
from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import PlatformScopedManager

from . import files

# Audit actions this app records, with the words the audit page shows (registered in apps.ready).
AUDIT_LABELS: dict[str, str | Promise] = {
    "notice.posted": _("posted a notice"),
    "notice.changed": _("changed a notice"),
    "notice.deleted": _("deleted a notice"),
    "notice.pinned": _("pinned or unpinned a notice"),
    "notice.commented": _("commented on a notice"),
    "notice.comment_deleted": _("deleted a comment on a notice"),
    "notice.attachment_deleted": _("deleted an attachment of a notice"),
    "notice.emailed": _("e-mailed a notice to its readers"),
    "group.created": _("created a working group"),
    "group.changed": _("changed a working group"),
}


class WorkingGroup(models.Model):
    """A working group (部会・ワーキンググループ) inside a platform, with its own notice board."""

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("what the group works on"), blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="working_groups", blank=True, verbose_name=_("members")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects: models.Manager[WorkingGroup] = PlatformScopedManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")
        constraints = [models.UniqueConstraint(fields=["platform", "name"], name="one_group_name_per_platform")]

    def __str__(self) -> str:
        return self.name


class NoticeQuerySet(models.QuerySet["Notice"]):
    def visible_to(self, user: Any, *, sees_everything: bool) -> NoticeQuerySet:
        """The notices `user` may read (call inside the platform's scope): coordinators read all.

        Everyone with a role reads notices for all members; group notices need membership of the
        group; coordinators' notices need the coordinator role.
        """
        if sees_everything:
            return self
        groups = WorkingGroup.members.through.objects.filter(user_id=user.pk).values("workinggroup_id")
        return self.filter(
            Q(visibility=Notice.Visibility.ALL_MEMBERS) | Q(visibility=Notice.Visibility.GROUP, group_id__in=groups)
        )

    def with_read_flag(self, user: Any) -> NoticeQuerySet:
        """Annotate `is_read` for `user`."""
        return self.annotate(
            is_read=Exists(ReadReceipt.objects.filter(notice=OuterRef("pk"), user_id=user.pk)),
        )


class Notice(models.Model):
    """A post on the platform's board (or on a working group's board), for its members only."""

    class Visibility(models.TextChoices):
        ALL_MEMBERS = "all_members", _("everyone on the platform")
        GROUP = "group", _("members of the working group")
        COORDINATORS = "coordinators", _("coordinators only")

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    group = models.ForeignKey(
        WorkingGroup,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("working group"),
    )
    visibility = models.CharField(
        _("who can read it"), max_length=20, choices=Visibility.choices, default=Visibility.ALL_MEMBERS
    )
    title = models.CharField(pgettext_lazy("notice", "title"), max_length=200)
    body = models.TextField(_("text"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("author")
    )
    pinned = models.BooleanField(_("pinned to the top"), default=False)
    created_at = models.DateTimeField(_("posted"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    # A coordinator's "tell everyone now" e-mail (notices.actions.email_notice): sent once at most.
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    emailed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("e-mailed by"),
    )
    emailed_count = models.PositiveIntegerField(_("e-mailed to (people)"), default=0, db_default=0)

    objects: models.Manager[Notice] = PlatformScopedManager(NoticeQuerySet)

    class Meta:
        ordering = ["-pinned", "-created_at", "-pk"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        constraints = [
            models.CheckConstraint(
                name="group_notice_has_group",
                condition=~Q(visibility="group") | Q(group__isnull=False),
                violation_error_message=_("Choose the working group whose members may read it."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def audience(self) -> models.QuerySet[User]:
        """The people who may read this notice (its author included), active and with a role here."""
        coordinators = Membership.objects.filter(platform_id=self.platform_id, role=Role.COORDINATOR).values("user_id")
        if self.visibility == self.Visibility.COORDINATORS:
            people = Q(pk__in=coordinators)
        elif self.visibility == self.Visibility.GROUP:
            assert self.group_id is not None  # the check constraint group_notice_has_group
            members = WorkingGroup.members.through.objects.filter(workinggroup_id=self.group_id).values("user_id")
            on_platform = Membership.objects.filter(platform_id=self.platform_id).values("user_id")
            people = Q(pk__in=coordinators) | (Q(pk__in=members) & Q(pk__in=on_platform))
        else:
            people = Q(pk__in=Membership.objects.filter(platform_id=self.platform_id).values("user_id"))
        return User.objects.filter(people, is_active=True)

    def email_recipients(self) -> models.QuerySet[User]:
        """The people an e-mail of this notice goes to: its readers (active) who have an e-mail address."""
        return self.audience().exclude(email="").order_by("pk")

    def can_change(self, user: Any, *, is_coordinator: bool) -> bool:
        """Coordinators change every notice; others only their own."""
        return is_coordinator or (self.author_id is not None and self.author_id == user.pk)


class Comment(models.Model):
    """A reply under a notice, seen by whoever can read the notice."""

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    notice = models.ForeignKey(Notice, models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects: models.Manager[Comment] = PlatformScopedManager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.body[:50]


class SharedFile(models.Model):
    """A checked upload (see files.py): kept under a random name, downloaded under its own."""

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def size_label(self) -> str:
        if self.size < 1024 * 1024:
            return f"{max(1, self.size // 1024)} KB"
        return f"{self.size / (1024 * 1024):.1f} MB"


def attachment_path(instance: Attachment, filename: str) -> str:
    return files.random_name("notices", instance.platform_id, filename)


class Attachment(SharedFile):
    """A file attached to a notice, served only to people who can read the notice."""

    notice = models.ForeignKey(Notice, models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)

    objects: models.Manager[Attachment] = PlatformScopedManager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")


class ReadReceipt(models.Model):
    """That one person has opened one notice (the board's read status and the digest use it)."""

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    notice = models.ForeignKey(Notice, models.CASCADE, related_name="read_receipts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    read_at = models.DateTimeField(auto_now_add=True)

    objects: models.Manager[ReadReceipt] = PlatformScopedManager()

    class Meta:
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")
        constraints = [models.UniqueConstraint(fields=["notice", "user"], name="read_once")]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.notice_id}"


class DigestSent(models.Model):
    """One person's daily digest e-mail: at most one a day, covering notices posted since the last one.

    Per person, not per platform (one e-mail lists every platform), so it is not platform-scoped.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField()
    notice_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("notice digest sent")
        verbose_name_plural = _("notice digests sent")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="one_digest_a_day")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}"


class DigestOptOut(models.Model):
    """That one person does not want the daily digest for one platform (no row: they get it).

    A person's own choice about their own e-mail, made on `notices/digest/`; not audited, like
    their read status.
    """

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects: models.Manager[DigestOptOut] = PlatformScopedManager()

    class Meta:
        verbose_name = _("notice digest turned off")
        verbose_name_plural = _("notice digests turned off")
        constraints = [models.UniqueConstraint(fields=["platform", "user"], name="one_digest_opt_out")]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.platform_id}"

    @classmethod
    def wants_digest(cls, platform: Platform, user: Any) -> bool:
        """Whether `user` gets the digest for `platform` (call inside its scope)."""
        return not cls.objects.filter(platform=platform, user_id=user.pk).exists()
