"""Case records of one platform. Personal data (names, birth dates, notes) is stored encrypted.

A person is found again only by the keyed lookup hash of name + birth date (exact match); names
are never searched in SQL.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tsunagari.lib.businessdays import subtract_business_days
from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import PlatformScopedManager

from . import crypto
from .fields import EncryptedDateField, EncryptedTextField


class Person(models.Model):
    """Someone supported jointly. Visible only to organisations with an active consent or referral."""

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="case_persons")
    name = EncryptedTextField(_("name"))
    birth_date = EncryptedDateField(_("date of birth"), blank=True, null=True)
    note = EncryptedTextField(_("note"), blank=True, default="")
    kana = EncryptedTextField(_("name in kana"), blank=True, default="", db_default="")
    phone = EncryptedTextField(_("telephone"), blank=True, default="", db_default="")
    address = EncryptedTextField(_("address"), blank=True, default="", db_default="")
    # The date the organisation first took the case on (a ledger's 受付日); encrypted like the rest.
    received_on = EncryptedDateField(_("received on"), blank=True, null=True)
    lookup = models.CharField(max_length=64, db_index=True, editable=False)
    # When the registering organisation erased the personal fields (actions.erase_person).
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)
    registered_by = models.ForeignKey(
        "directory.Organization", models.PROTECT, related_name="+", verbose_name=_("registered by")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PlatformScopedManager()

    class Meta:
        verbose_name = _("supported person")
        verbose_name_plural = _("supported persons")

    def __str__(self) -> str:
        return f"person #{self.pk}"  # never the name: this string ends up in logs

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.lookup = crypto.lookup_hash(self.name, self.birth_date)
        super().save(*args, **kwargs)


AUDIT_LABELS: dict[str, str | Promise] = {
    "cases.person.viewed": _("viewed a supported person's record"),
    "cases.referral.viewed": _("viewed a referral"),
    "cases.referral.moved": _("changed a referral's state"),
    "cases.meeting.created": _("created a case meeting"),
    "cases.meeting.changed": _("changed a case meeting"),
    "cases.person.disclosed": _("answered a person's disclosure request"),
    "cases.persons.imported": _("imported a case ledger"),
    "cases.persons.exported": _("exported the case records"),
    "cases.person.registered": _("registered a supported person"),
    "cases.consent.recorded": _("recorded a consent"),
    "cases.consent.withdrawn": _("recorded the withdrawal of a consent"),
    "cases.referral.created": _("created a referral"),
    "cases.person.changed": _("changed a supported person's record"),
    "cases.request.recorded": _("recorded a request from a person (APPI)"),
    "cases.request.answered": _("answered a request from a person (APPI)"),
    "cases.person.erased": _("erased a supported person's record"),
    "cases.attachment.added": _("added an attachment to a supported person's record"),
}


class PersonRequest(models.Model):
    """A request from the person to the organisation holding their record (個人情報保護法 第33–35条).

    What was asked may name details of the person and is encrypted. A granted stop of use or of
    third-party provision stops the organisation referring the person (actions.referral_stopped).
    """

    class Kind(models.TextChoices):
        DISCLOSURE = "disclosure", _("disclosure (APPI art. 33)")
        CORRECTION = "correction", _("correction, addition or deletion (APPI art. 34)")
        STOP_USE = "stop_use", _("stop of use or erasure (APPI art. 35(1))")
        STOP_PROVISION = "stop_provision", _("stop of third-party provision (APPI art. 35(3))")

    class Channel(models.TextChoices):
        IN_PERSON = "in_person", _("in person")
        WRITTEN = "written", _("in writing or by post")
        PHONE = "phone", _("by telephone")
        EMAIL = "email", _("by e-mail")
        PROXY = "proxy", _("through a representative")

    class Decision(models.TextChoices):
        DONE = "done", _("done as asked")
        REFUSED = "refused", _("refused")

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, models.CASCADE, related_name="requests")
    organization = models.ForeignKey("directory.Organization", models.PROTECT, related_name="+")
    kind = models.CharField(_("kind of request"), max_length=20, choices=Kind.choices)
    received_on = models.DateField(_("received on"))
    channel = models.CharField(_("how it was received"), max_length=20, choices=Channel.choices)
    asked = EncryptedTextField(_("what was asked"))
    # Empty until answered.
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, blank=True, default="", db_default=""
    )
    reason = EncryptedTextField(_("reason for refusing"), blank=True, default="", db_default="")
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PlatformScopedManager()

    def __str__(self) -> str:
        return f"person request #{self.pk} {self.kind}"

    @property
    def due_on(self) -> date:
        """The last day to answer: two weeks after the request reached the organisation (第39条).

        Calendar days, as the law counts them (民法第140条・第143条: the day it arrived not counted,
        weeks by the calendar); a weekend or holiday does not move it (docs/cases.md).
        """
        return self.received_on + timedelta(days=ANSWER_DAYS)

    @property
    def warn_on(self) -> date:
        """The day its people are reminded: three business days before the answer date.

        Business days, unlike the answer date: the reminder is our own rule, and its purpose is
        working days to answer in, which a long weekend or the new-year break would otherwise eat.
        """
        return subtract_business_days(self.due_on, REQUEST_WARNING_BUSINESS_DAYS)

    def is_overdue(self, today: date) -> bool:
        return not self.decision and today > self.due_on

    def is_due_soon(self, today: date) -> bool:
        """Unanswered, not late yet, and its reminder day has come."""
        return not self.decision and self.warn_on <= today <= self.due_on

    @property
    def overdue(self) -> bool:
        """Not answered and past its due date, today (for templates)."""
        return self.is_overdue(timezone.localdate())


# Two weeks after a request reached the organisation unanswered, the person may take it to court
# (個人情報保護法 第39条); the answer is owed 遅滞なく, so this is the latest, not the target.
ANSWER_DAYS = 14
# The reminder comes this many business days before the answer date (PersonRequest.warn_on).
REQUEST_WARNING_BUSINESS_DAYS = 3
# Three business days never span more than this many calendar days (the longest run of holidays,
# Golden Week or the new-year break with a weekend, is under ten): the requests that can be due soon.
WARNING_SPAN_DAYS = 14


# Requests that, once granted, stop the organisation passing the person on.
STOPS_REFERRALS = frozenset({PersonRequest.Kind.STOP_USE, PersonRequest.Kind.STOP_PROVISION})


class Basis(models.TextChoices):
    CONSENT = "consent", _("consent of the person")
    SUPPORT_COUNCIL = "support_council", _("support council (社会福祉法 §106-6)")
    REGIONAL_COUNCIL = "regional_council", _("regional council (地域協議会)")
    EMERGENCY = "emergency", _("danger to life or body")


class Consent(models.Model):
    """A consent (or another legal basis) letting one organisation hold a person's record.

    Its scope says to which organisations (`recipients`) the holder may pass which `items` on; a
    referral on the basis of consent needs an active one covering its receiver and what it shares.
    """

    class Method(models.TextChoices):
        WRITTEN = "written", _("written")
        VERBAL = "verbal", _("verbal")
        GUARDIAN = "guardian", _("by a guardian")

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, models.CASCADE, related_name="consents")
    organization = models.ForeignKey("directory.Organization", models.PROTECT, related_name="+")
    basis = models.CharField(_("legal basis"), max_length=20, choices=Basis.choices, default=Basis.CONSENT)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices, blank=True)
    given_on = models.DateField(_("given on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    recipients = models.ManyToManyField(
        "directory.Organization", blank=True, related_name="+", verbose_name=_("may be shared with")
    )
    items = models.JSONField(_("items that may be shared"), default=list, db_default=[], blank=True)
    # Who gave it when not the person (a guardian's name and relation): personal data, encrypted.
    given_by = EncryptedTextField(_("given by"), blank=True, default="", db_default="")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")

    objects = PlatformScopedManager()

    def __str__(self) -> str:
        return f"consent #{self.pk}"

    def is_active(self, today: date) -> bool:
        return self.withdrawn_at is None and (self.expires_on is None or self.expires_on >= today)

    def item_labels(self) -> list[str]:
        return [str(ITEMS.get(item, item)) for item in self.items]


class Status(models.TextChoices):
    """A referral's state, after FHIR Task's."""

    DRAFT = "draft", _("draft")
    REQUESTED = "requested", _("requested")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")
    IN_PROGRESS = "in_progress", _("in progress")
    ON_HOLD = "on_hold", _("on hold")
    COMPLETED = "completed", _("completed")
    FAILED = "failed", _("failed")
    CANCELLED = "cancelled", _("cancelled")


SENDER, RECEIVER = "sender", "receiver"
# (from, to) → the side that may make the move. Anything not listed is refused.
TRANSITIONS: dict[tuple[str, str], str] = {
    (Status.DRAFT, Status.REQUESTED): SENDER,
    (Status.REQUESTED, Status.ACCEPTED): RECEIVER,
    (Status.REQUESTED, Status.REJECTED): RECEIVER,
    (Status.ACCEPTED, Status.IN_PROGRESS): RECEIVER,
    (Status.IN_PROGRESS, Status.ON_HOLD): RECEIVER,
    (Status.ON_HOLD, Status.IN_PROGRESS): RECEIVER,
    (Status.IN_PROGRESS, Status.COMPLETED): RECEIVER,
    (Status.IN_PROGRESS, Status.FAILED): RECEIVER,
    (Status.ON_HOLD, Status.FAILED): RECEIVER,
    **{(state, Status.CANCELLED): SENDER for state in (Status.DRAFT, Status.REQUESTED, Status.ACCEPTED)},
}


class Outcome(models.TextChoices):
    """How a referral ended, for the sender and for the coordinators' figures."""

    GOT_HELP = "got_help", _("got help")
    COULD_NOT_CONTACT = "could_not_contact", _("could not be contacted")
    NOT_ELIGIBLE = "not_eligible", _("not eligible")
    NO_CAPACITY = "no_capacity", _("no capacity")
    DECLINED = "declined", _("declined by the person")
    NO_LONGER_NEEDED = "no_longer_needed", _("no longer needed")


# States in which a referral is over (the loop is closed or broken); cancelled is the sender's own.
CLOSED = frozenset({Status.COMPLETED, Status.FAILED, Status.REJECTED})
# Moves that need a reason (rejected, failed) or an outcome (completed).
NEEDS_REASON = frozenset({Status.REJECTED, Status.FAILED, Status.COMPLETED})
# States in which each side holds the person's record through the referral.
SENDER_HOLDS = frozenset({Status.DRAFT, Status.REQUESTED, Status.ACCEPTED, Status.IN_PROGRESS, Status.ON_HOLD})
RECEIVER_HOLDS = frozenset({Status.ACCEPTED, Status.IN_PROGRESS, Status.ON_HOLD})


# What a disclosure can contain, as written in a provision record and a consent's scope.
ITEMS: dict[str, str | Promise] = {
    "name": pgettext_lazy("provided item", "name"),
    "kana": pgettext_lazy("provided item", "name in kana"),
    "birth_date": pgettext_lazy("provided item", "date of birth"),
    "address": pgettext_lazy("provided item", "address"),
    "phone": pgettext_lazy("provided item", "telephone"),
    "note": pgettext_lazy("provided item", "note"),
    "need": pgettext_lazy("provided item", "what support is needed"),
    "attachments": pgettext_lazy("provided item", "attached files"),
    "documents": pgettext_lazy("provided item", "meeting documents"),
}
# What a case meeting discloses of each person on its agenda.
PERSON_ITEMS = ["name", "birth_date", "note"]
# The record's fields, each an item of the same name: an organisation that did not register the
# person sees only those it was provided (access.seen_items).
RECORD_ITEMS = ("name", "kana", "birth_date", "address", "phone", "note")
# What a referral always provides: who (without the name it cannot be acted on) and the need.
ALWAYS_REFERRED = ("name", "need")
# What the sender may add, one by one, to a referral (Referral.items).
REFERRAL_CHOICES = ("kana", "birth_date", "address", "phone", "note", "attachments")
# Referrals made before the sender chose (migration 0014) provided these.
LEGACY_REFERRAL_ITEMS = ["name", "birth_date", "note", "need"]


def default_referral_items() -> list[str]:
    return list(ALWAYS_REFERRED)


def ordered_items(items: Any) -> list[str]:
    """`items` in the vocabulary's order, without repeats (unknown codes kept last, for the checks to name)."""
    chosen = set(items)
    return [item for item in ITEMS if item in chosen] + sorted(chosen - set(ITEMS))


class Referral(models.Model):
    """つなぎ: one organisation asks another to support a person."""

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, models.CASCADE, related_name="referrals")
    sender = models.ForeignKey("directory.Organization", models.PROTECT, related_name="+")
    receiver = models.ForeignKey("directory.Organization", models.PROTECT, related_name="+")
    status = models.CharField(_("state"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    # What the receiver sees before accepting: the need, without who.
    need = EncryptedTextField(_("what support is needed"))
    reason = EncryptedTextField(_("reason or outcome"), blank=True, default="")
    # The legal basis of the disclosure to the receiver, written into its provision record.
    basis = models.CharField(
        _("legal basis"), max_length=20, choices=Basis.choices, default=Basis.CONSENT, db_default=Basis.CONSENT
    )
    # When it was sent: the three business days for an answer count from here.
    requested_at = models.DateTimeField(_("requested at"), null=True, blank=True)
    # Not encrypted, on purpose: the coordinators' monthly figures count by them (figures.py), and
    # neither says who the person is. A need code is one of the directory's needs taxonomy.
    need_code = models.CharField(_("kind of need"), max_length=40, blank=True, default="", db_default="")
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=Outcome.choices, blank=True, default="", db_default=""
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When the lifecycle passed its milestones (set by actions.move), for time-to-acceptance figures
    # (requested_at is above).
    accepted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # A referral made again after this one was rejected, failed or cancelled: the chain stays readable.
    previous = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("referred again from")
    )
    # The person's items the receiver gets once it accepts (ITEMS codes, always name and need): the
    # sender's choice within the legal basis, written into both sides' provision record.
    items = models.JSONField(
        _("items provided on acceptance"), default=default_referral_items, db_default=LEGACY_REFERRAL_ITEMS
    )

    objects = PlatformScopedManager()

    def __str__(self) -> str:
        return f"referral #{self.pk}"

    def item_labels(self) -> list[str]:
        return [str(ITEMS.get(item, item)) for item in self.items]


class CaseMeeting(models.Model):
    """A case meeting (支援会議・個別ケース会議): persons on the agenda, participants, documents, decisions.

    The organisations of its participants may see the persons on its agenda until `access_until`
    (the case-meeting grant); the organiser's organisation alone changes it.
    """

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    organizer = models.ForeignKey(
        "directory.Organization", models.PROTECT, related_name="+", verbose_name=_("organising organisation")
    )
    # The title and texts may name the person, so they are encrypted like the person's fields.
    title = EncryptedTextField(pgettext_lazy("meeting", "title"))
    held_at = models.DateTimeField(_("date and time"))
    basis = models.CharField(_("legal basis"), max_length=20, choices=Basis.choices, default=Basis.SUPPORT_COUNCIL)
    agenda = EncryptedTextField(_("agenda"), blank=True, default="")
    decisions = EncryptedTextField(_("decisions"), blank=True, default="")
    minutes = EncryptedTextField(_("minutes"), blank=True, default="")
    access_until = models.DateField(_("participants may see the persons until"))
    persons = models.ManyToManyField(Person, related_name="meetings", blank=True, verbose_name=_("persons discussed"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PlatformScopedManager()

    class Meta:
        ordering = ["-held_at", "-pk"]
        verbose_name = _("case meeting")
        verbose_name_plural = _("case meetings")

    def __str__(self) -> str:
        return f"case meeting #{self.pk}"  # never the title: it may name the person


class MeetingParticipant(models.Model):
    """A member taking part in a case meeting for their organisation; attendance once it was held."""

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    meeting = models.ForeignKey(CaseMeeting, models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    organization = models.ForeignKey("directory.Organization", models.PROTECT, related_name="+")
    # None until recorded.
    attended = models.BooleanField(_("attended"), null=True, blank=True)

    objects = PlatformScopedManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="one_participation_per_meeting")]

    def __str__(self) -> str:
        return f"participant #{self.pk}"


def meeting_document_path(instance: MeetingDocument, filename: str) -> str:
    return f"cases/{instance.platform_id}/{instance.token.hex}.gcm"


class MeetingDocument(models.Model):
    """A document shared with a case meeting, stored encrypted (AES-GCM) under a random name."""

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    meeting = models.ForeignKey(CaseMeeting, models.CASCADE, related_name="documents")
    name = EncryptedTextField(_("file name"))
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    # Names the stored file and is bound into its encryption, so a file swapped for another does not open.
    token = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    blob = models.FileField(upload_to=meeting_document_path, max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = PlatformScopedManager()

    def __str__(self) -> str:
        return f"meeting document #{self.pk}"

    @property
    def context(self) -> str:
        """The associated data its bytes are sealed with: this file and no other."""
        return f"cases.meetingdocument:{self.token}"


def person_attachment_path(instance: PersonAttachment, filename: str) -> str:
    return f"cases/{instance.platform_id}/{instance.token.hex}.gcm"


class PersonAttachment(models.Model):
    """A file kept with a person's record (a letter, an assessment), stored encrypted (AES-GCM) under a random name.

    It belongs to the organisation that added it: only that organisation's people see and download
    it, while the organisation can see the person. Another organisation seeing the person through a
    referral or a meeting was not provided the file (no provision record): sharing a document goes
    through a case meeting, which records the provision.
    """

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, models.CASCADE, related_name="attachments")
    organization = models.ForeignKey("directory.Organization", models.PROTECT, related_name="+")
    name = EncryptedTextField(_("file name"))
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    # Names the stored file and is bound into its encryption, so a file swapped for another does not open.
    token = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    blob = models.FileField(upload_to=person_attachment_path, max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = PlatformScopedManager()

    def __str__(self) -> str:
        return f"person attachment #{self.pk}"  # never the file name: this string ends up in logs

    @property
    def context(self) -> str:
        """The associated data its bytes are sealed with: this file and no other."""
        return f"cases.personattachment:{self.token}"


class FollowUpTask(models.Model):
    """Something a case meeting decided someone will do, by a date."""

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    meeting = models.ForeignKey(CaseMeeting, models.CASCADE, related_name="tasks")
    person = models.ForeignKey(
        Person, models.CASCADE, null=True, blank=True, related_name="tasks", verbose_name=_("person")
    )
    title = EncryptedTextField(_("what to do"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("owner"))
    owner_organization = models.ForeignKey("directory.Organization", models.PROTECT, related_name="+")
    due_on = models.DateField(_("due on"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PlatformScopedManager()

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"task #{self.pk}"


class ProvisionRecord(models.Model):
    """個人情報保護法の第三者提供記録: one disclosure of a person's items to one organisation.

    Written by the actions that disclose (a referral accepted, a person put on a case meeting's
    agenda or a new organisation joining it); both the provider and the recipient see it.
    """

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, models.CASCADE, related_name="provisions")
    provider = models.ForeignKey("directory.Organization", models.PROTECT, related_name="+", verbose_name=_("provider"))
    recipient = models.ForeignKey(
        "directory.Organization", models.PROTECT, related_name="+", verbose_name=_("recipient")
    )
    items = models.JSONField(_("items"), default=list)
    basis = models.CharField(_("legal basis"), max_length=20, choices=Basis.choices)
    provided_at = models.DateTimeField(_("date"), default=timezone.now)
    referral = models.ForeignKey(Referral, models.SET_NULL, null=True, blank=True, related_name="+")
    meeting = models.ForeignKey(CaseMeeting, models.SET_NULL, null=True, blank=True, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")

    objects = PlatformScopedManager()

    class Meta:
        ordering = ["-provided_at", "-pk"]
        verbose_name = _("provision record")
        verbose_name_plural = _("provision records")

    def __str__(self) -> str:
        return f"provision record #{self.pk}"

    def item_labels(self) -> list[str]:
        return [str(ITEMS.get(item, item)) for item in self.items]


class CaseLogEntry(models.Model):
    """One view, change, export or share of person data: append-only and hash-chained per platform.

    Each row stores the hash of the row before it on the same platform; `verify-case-log` recomputes
    the chain and compares its end with CaseLogHead. The database refuses UPDATE and DELETE on this
    table (triggers, migration 0005). No foreign keys: nothing deleted elsewhere may touch a row.
    """

    platform = models.ForeignKey(Platform, models.DO_NOTHING, db_constraint=False, related_name="+")
    seq = models.PositiveBigIntegerField()
    at = models.DateTimeField(default=timezone.now)
    actor_id = models.BigIntegerField(null=True)
    actor_email = models.CharField(max_length=254, blank=True)
    organizations = models.JSONField(default=list)  # the acting person's organisations (ids)
    action = models.CharField(max_length=80)  # view, change, export, share, …
    url_name = models.CharField(max_length=100, blank=True)
    method = models.CharField(max_length=10, blank=True)
    path = models.CharField(max_length=300, blank=True)  # never the query string
    status = models.PositiveSmallIntegerField(null=True)
    persons = models.JSONField(default=list)  # the ids of the persons whose data was touched
    detail = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = PlatformScopedManager()

    class Meta:
        ordering = ["platform_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["platform", "seq"], name="case_log_one_row_per_seq")]

    def __str__(self) -> str:
        return f"case log #{self.seq} {self.action}"


class CaseLogHead(models.Model):
    """The end of one platform's case-log chain; locked while a row is appended, so rows never fork."""

    platform = models.OneToOneField(Platform, models.DO_NOTHING, db_constraint=False, related_name="+")
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"case log head {self.platform_id}:{self.seq}"


class Notification(models.Model):
    """An in-app notice about a case (also e-mailed, without personal data). One per `key` and person."""

    class Kind(models.TextChoices):
        REFERRAL_NEW = "referral_new", _("A new referral has arrived.")
        REFERRAL_ACCEPTED = "referral_accepted", _("Your referral was accepted.")
        REFERRAL_REJECTED = "referral_rejected", _("Your referral was not accepted.")
        REFERRAL_UNANSWERED = "referral_unanswered", _("A referral has had no answer for three business days.")
        CONSENT_EXPIRING = "consent_expiring", _("A consent expires soon.")
        TASK_DUE = "task_due", _("A follow-up task is due.")
        REQUEST_DUE_SOON = "request_due_soon", _("A person's request must be answered within three business days.")
        REQUEST_OVERDUE = "request_overdue", _("A person's request is past its answer date.")
        # For the platform's coordinators (tsunagari.councils): a supporter's concern (気づき) to triage.
        CONCERN_NEW = "concern_new", _("A new concern was reported.")
        # For the people of the organisation a coordinator handed a concern to (tsunagari.councils).
        CONCERN_HANDED = "concern_handed", _("A concern was handed to your organisation.")

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    # What makes it one: a second run of the daily command finds the key and sends nothing.
    key = models.CharField(max_length=100)
    link = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = PlatformScopedManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="one_case_notification_per_key")]

    def __str__(self) -> str:
        return f"notification #{self.pk} {self.kind}"
