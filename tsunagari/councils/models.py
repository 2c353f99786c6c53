"""Councils and meetings under which members share case information, the pledges people sign for
them, supporters who report concerns, and the concerns themselves.

Every row belongs to one platform and is scoped (tsunagari.tenancy.scoping). What a supporter
writes about someone (what they saw, where) is stored encrypted (tsunagari.cases.fields).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tsunagari.cases.fields import EncryptedTextField
from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import PlatformScopedManager

AUDIT_LABELS: dict[str, str | Promise] = {
    "councils.council.created": _("registered a council or meeting"),
    "councils.council.changed": _("changed a council or meeting"),
    "councils.member.added": _("added an organisation to a council"),
    "councils.member.removed": _("removed an organisation from a council"),
    "councils.pledge.signed": _("signed a confidentiality pledge"),
    "councils.supporter.added": _("registered a supporter"),
    "councils.supporter.ended": _("ended a supporter's registration"),
    "councils.concern.reported": _("reported a concern"),
    "councils.concern.viewed": _("viewed a concern"),
    "councils.concern.moved": _("changed a concern's state"),
}

# A pledge is renewed every year.
PLEDGE_VALID_FOR = datetime.timedelta(days=365)


class Basis(models.TextChoices):
    """The legal basis on which a council's members share information about people."""

    REGIONAL_COUNCIL = "regional_council", _("regional council on loneliness and isolation (孤独・孤立対策地域協議会)")
    SUPPORT_COUNCIL = "support_council", _("support council (支援会議, Social Welfare Act §106-6)")
    MULTI_LAYERED = "multi_layered", _("multi-layered support meeting (重層的支援会議)")
    CONSENT_GROUP = "consent_group", _("group sharing with the person's consent only")


# The law asks that a regional council and its members be announced publicly; a support council's
# membership and meetings are closed, and the other two are working groups with no announcement duty.
PUBLIC_BASES = frozenset({Basis.REGIONAL_COUNCIL})


class Council(models.Model):
    """A council or meeting in which member organisations discuss and share information about people."""

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    basis = models.CharField(_("legal basis"), max_length=20, choices=Basis.choices)
    coordinating_body = models.ForeignKey(
        "directory.Organization",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("coordinating body (調整機関)"),
    )
    announced_on = models.DateField(_("announced on"), null=True, blank=True)
    announcement = models.TextField(_("text of the announcement"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PlatformScopedManager()

    class Meta:
        verbose_name = _("council or meeting")
        verbose_name_plural = _("councils and meetings")

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        """Whether the portal lists it (and its members): an announced regional council."""
        return self.basis in PUBLIC_BASES and self.announced_on is not None


class CouncilMember(models.Model):
    """A member organisation's seat on a council. Leaving sets `left_on`; the row stays for the record."""

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    council = models.ForeignKey(Council, models.CASCADE, related_name="members")
    organization = models.ForeignKey("directory.Organization", models.PROTECT, related_name="+")
    joined_on = models.DateField(_("joined on"), default=datetime.date.today)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    objects = PlatformScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["council", "organization"], condition=Q(left_on__isnull=True), name="one_current_seat"
            )
        ]

    def __str__(self) -> str:
        return f"council member #{self.pk}"


class Pledge(models.Model):
    """One person's signed confidentiality pledge (誓約) for one council, valid for a year.

    `organization` is the member organisation the person takes part through; empty for the
    platform's coordinators, who run every council of the platform. `text` is exactly what was signed.
    """

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    council = models.ForeignKey(Council, models.CASCADE, related_name="pledges")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    organization = models.ForeignKey("directory.Organization", models.PROTECT, null=True, related_name="+")
    text = models.TextField()
    signed_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    objects = PlatformScopedManager()

    def __str__(self) -> str:
        return f"pledge #{self.pk}"


class SupporterKind(models.TextChoices):
    TSUNAGARI_SUPPORTER = "tsunagari_supporter", _("Tsunagari supporter (つながりサポーター)")
    WELFARE_COMMISSIONER = "welfare_commissioner", _("welfare commissioner (民生委員)")
    PARTNER_STAFF = "partner_staff", _("staff of a partner business")


class Supporter(models.Model):
    """Someone who may report concerns on a platform, and nothing else (no workspace role)."""

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    kind = models.CharField(_("kind of supporter"), max_length=30, choices=SupporterKind.choices)
    organization = models.ForeignKey(
        "directory.Organization",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partner business"),
    )
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = PlatformScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "user"], condition=Q(ended_at__isnull=True), name="one_current_supporter_role"
            )
        ]

    def __str__(self) -> str:
        return f"supporter #{self.pk}"


class Urgency(models.TextChoices):
    LIFE = "life", _("Life may be in danger")
    TODAY = "today", _("Something is wrong: today")
    DAYS = "days", _("Within a few days")
    WATCH = "watch", _("No hurry: keep an eye on it")


# The urgency rule: by when a concern must be handed to an organisation (linked) or closed. The
# triage queue is ordered by this time, and a concern still open after it is overdue.
RESPONSE_TIME: dict[str, datetime.timedelta] = {
    Urgency.LIFE: datetime.timedelta(hours=1),
    Urgency.TODAY: datetime.timedelta(hours=8),
    Urgency.DAYS: datetime.timedelta(days=3),
    Urgency.WATCH: datetime.timedelta(days=14),
}


class ConcernState(models.TextChoices):
    NEW = "new", pgettext_lazy("concern state", "new")
    TRIAGED = "triaged", pgettext_lazy("concern state", "triaged")
    LINKED = "linked", pgettext_lazy("concern state", "handed to an organisation")
    CLOSED = "closed", pgettext_lazy("concern state", "closed")


OPEN_STATES = frozenset({ConcernState.NEW, ConcernState.TRIAGED})
# (from, to): the coordinator's moves. Linking needs the organisation, closing a reason.
CONCERN_MOVES = frozenset(
    {
        (ConcernState.NEW, ConcernState.TRIAGED),
        (ConcernState.NEW, ConcernState.CLOSED),
        (ConcernState.TRIAGED, ConcernState.LINKED),
        (ConcernState.TRIAGED, ConcernState.CLOSED),
    }
)


class ConcernQuerySet(models.QuerySet["Concern"]):
    def queue(self) -> ConcernQuerySet:
        """Open concerns, the one due first on top (the urgency rule)."""
        return self.filter(state__in=OPEN_STATES).order_by("due_at", "received_at")


class Concern(models.Model):
    """気づき: a supporter's worry about someone, for the coordinator to triage."""

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    reporter_kind = models.CharField(max_length=30, blank=True)
    what = EncryptedTextField(_("what you noticed"))
    place = EncryptedTextField(_("where"))
    urgency = models.CharField(_("how urgent"), max_length=10, choices=Urgency.choices)
    received_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    state = models.CharField(_("state"), max_length=10, choices=ConcernState.choices, default=ConcernState.NEW)
    handed_to = models.ForeignKey(
        "directory.Organization",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handed to"),
    )
    # The coordinator's note: what was decided, the receiving organisation's case reference, or
    # why the concern was closed.
    note = EncryptedTextField(_("note"), blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    objects = PlatformScopedManager(ConcernQuerySet)

    def __str__(self) -> str:
        return f"concern #{self.pk}"  # never the text: this string ends up in the audit log

    @property
    def is_overdue(self) -> bool:
        return self.state in OPEN_STATES and self.due_at < timezone.now()
