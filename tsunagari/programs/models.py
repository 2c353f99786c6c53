"""Meetings, working-group sessions, workshops, training and public events; registrations; training records.

Every row belongs to one platform and is scoped. Public events (audience PUBLIC, published) are
the only rows shown on the portal: the platform's duty to inform residents. Everything else stays
in the workspace.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tsunagari.notices import files
from tsunagari.notices.models import SharedFile
from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import PlatformScopedManager

AUDIT_LABELS: dict[str, str | Promise] = {
    "event.created": _("created an event"),
    "event.changed": _("changed an event"),
    "event.registered": _("registered for an event"),
    "event.registration_cancelled": _("cancelled a registration for an event"),
    "event.registered_on_behalf": _("registered someone for an event on their behalf"),
    "event.attendance": _("recorded attendance at an event"),
    "event.registrations_exported": _("downloaded the registrations of an event"),
    "event.registrations_purged": _("removed residents' names and contacts from an event's registrations"),
    "event.document_added": _("added minutes or materials to an event"),
    "event.document_deleted": _("deleted minutes or materials of an event"),
    "training.recorded": _("recorded a completed training course"),
    "training.deleted": _("deleted a training record"),
    "training.exported": _("exported the training records"),
}

# Course names proposed when recording training (a person may type another). Official names of the
# national programme's courses, kept as written in its documents, like the taxonomy labels.
COURSE_SUGGESTIONS = (
    "つながりサポーター養成講座",
    "孤独・孤立対策 研修",
    "ゲートキーパー養成研修",
    "事例検討会",
)


class EventQuerySet(models.QuerySet["Event"]):
    def public(self) -> EventQuerySet:
        """What the portal shows: public events once published (cancelled ones stay, marked)."""
        return self.filter(audience=Event.Audience.PUBLIC, status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED])

    def upcoming(self, now: datetime.datetime | None = None) -> EventQuerySet:
        return self.filter(ends_at__gte=now or timezone.now())

    def visible_to(self, user: Any, *, sees_everything: bool) -> EventQuerySet:
        """The events a person of the platform may see in the workspace (coordinators see all, drafts too)."""
        if sees_everything:
            return self
        invited = Event.invited.through.objects.filter(user_id=user.pk).values("event_id")
        return self.exclude(status=Event.Status.DRAFT).filter(
            Q(audience__in=[Event.Audience.PUBLIC, Event.Audience.MEMBERS]) | Q(pk__in=invited)
        )


class Event(models.Model):
    """A meeting, working-group session, case-study workshop, training session or public event."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("platform meeting")
        WORKING_GROUP = "working_group", _("working group meeting")
        CASE_WORKSHOP = "case_workshop", _("case-study workshop")
        TRAINING = "training", _("training session")
        PUBLIC_EVENT = "public_event", _("public event (symposium, forum, lecture)")

    class Audience(models.TextChoices):
        PUBLIC = "public", _("everyone: shown on the portal, residents can register")
        MEMBERS = "members", _("the platform's members")
        INVITED = "invited", _("invited people only")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft (coordinators only)")
        PUBLISHED = "published", _("published")
        CANCELLED = "cancelled", _("cancelled")

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MEETING)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    online_url = models.URLField(
        _("online meeting link"),
        blank=True,
        help_text=_("Shown to members who can see the event; for public events, sent only to registered people."),
    )
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Leave empty for no limit.")
    )
    audience = models.CharField(_("who may attend"), max_length=20, choices=Audience.choices, default=Audience.MEMBERS)
    # Who the event is meant for, in the organiser's words (「子育て中の方」「民生委員・児童委員」).
    audience_note = models.CharField(
        _("who it is for"),
        max_length=200,
        blank=True,
        default="",
        db_default="",
        help_text=_("In a few words, e.g. 「どなたでも」「子育て中の方」「民生委員・児童委員」."),
    )
    fee = models.CharField(
        _("fee"),
        max_length=100,
        blank=True,
        default="",
        db_default="",
        help_text=_("e.g. 無料, 500円（資料代）. Empty: free."),
    )
    registration_deadline = models.DateTimeField(
        _("registration deadline"),
        null=True,
        blank=True,
        help_text=_("Registration closes at this time (Japan time). Empty: when the event starts."),
    )
    invited = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="invited_events", blank=True, verbose_name=_("invited people")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PUBLISHED)
    registration_open = models.BooleanField(_("registration is open"), default=True)
    minutes = models.TextField(_("minutes (text)"), blank=True)
    # RFC 5545 SEQUENCE: calendars replace an event they already have only when this grows.
    sequence = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: models.Manager[Event] = PlatformScopedManager(EventQuerySet)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(
                name="event_ends_after_it_starts",
                condition=Q(ends_at__gt=F("starts_at")),
                violation_error_message=_("The end must be after the start."),
            )
        ]
        indexes = [models.Index(fields=["platform", "audience", "starts_at"], name="programs_event_public")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.audience == self.Audience.PUBLIC and self.status != self.Status.DRAFT

    def accepts_registrations(self, now: datetime.datetime | None = None) -> bool:
        """Published, open for registration, not yet started and before its registration deadline."""
        now = now or timezone.now()
        if self.registration_deadline is not None and now >= self.registration_deadline:
            return False
        return self.status == self.Status.PUBLISHED and self.registration_open and self.starts_at > now

    def confirmed_count(self) -> int:
        return self.registrations.filter(status=Registration.Status.CONFIRMED).count()

    def seats_left(self) -> int | None:
        """Free seats, or None when there is no limit."""
        if self.capacity is None:
            return None
        return max(0, self.capacity - self.confirmed_count())


class Registration(models.Model):
    """A member's or a resident's place at an event, or on its waiting list.

    Residents give only a name and an e-mail address or a telephone number; members are known by
    their account. The waiting list is the WAITLISTED rows in order of registration.
    """

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("registered")
        WAITLISTED = "waitlisted", _("on the waiting list")
        # Its own context: an event is cancelled (中止), a registration is withdrawn (取消し).
        CANCELLED = "cancelled", pgettext_lazy("registration", "cancelled")

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    event = models.ForeignKey(Event, models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, null=True, blank=True, related_name="+")
    name = models.CharField(_("name"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("telephone"), max_length=30, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # When a resident's name and contacts were removed, some time after the event (see
    # actions.purge_registrations); the row stays, so that counts and attendance still add up.
    purged_at = models.DateTimeField(_("personal data removed"), null=True, blank=True)

    objects: models.Manager[Registration] = PlatformScopedManager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=Q(user__isnull=False) & ~Q(status="cancelled"),
                name="one_live_registration_per_member",
            ),
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=~Q(email="") & ~Q(status="cancelled"),
                name="one_live_registration_per_email",
            ),
            models.CheckConstraint(
                name="registration_names_someone",
                condition=Q(user__isnull=False) | ~Q(name="") | Q(purged_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.user_id:
            return str(self.user)
        return self.name if self.purged_at is None else str(_("(name removed)"))

    @property
    def contact_email(self) -> str:
        return self.user.email if self.user_id and self.user else self.email

    @property
    def is_live(self) -> bool:
        return self.status != self.Status.CANCELLED


def document_path(instance: EventDocument, filename: str) -> str:
    return files.random_name("events", instance.platform_id, filename)


class EventDocument(SharedFile):
    """Minutes or materials of an event, served only to people who can see the event."""

    class Kind(models.TextChoices):
        MINUTES = "minutes", _("minutes")
        MATERIAL = "material", _("material")

    event = models.ForeignKey(Event, models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MATERIAL)
    file = models.FileField(upload_to=document_path, max_length=200)

    objects: models.Manager[EventDocument] = PlatformScopedManager()

    class Meta:
        ordering = ["kind", "pk"]
        verbose_name = _("minutes or material")
        verbose_name_plural = _("minutes and materials")


class TrainingRecord(models.Model):
    """That someone completed a training course, for the national programme's reporting."""

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("person")
    )
    # The name as it was when recorded, for people with an account too: the record must still name
    # them for the programme's reports after their account is gone.
    attendee_name = models.CharField(_("name"), max_length=100)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    course = models.CharField(_("course"), max_length=200)
    completed_on = models.DateField(_("completed on"))
    event = models.ForeignKey(
        Event, models.SET_NULL, null=True, blank=True, related_name="training_records", verbose_name=_("session")
    )
    registration = models.OneToOneField(
        Registration, models.SET_NULL, null=True, blank=True, related_name="training_record"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects: models.Manager[TrainingRecord] = PlatformScopedManager()

    class Meta:
        ordering = ["-completed_on", "pk"]
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        constraints = [
            models.CheckConstraint(name="training_record_names_someone", condition=~Q(attendee_name="")),
        ]

    def __str__(self) -> str:
        return f"{self.attendee_name} – {self.course}"
