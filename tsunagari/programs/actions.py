"""Named actions on events, registrations and training records.

Each is atomic, writes its audit record (residents' own registrations on the portal are not
audited: the registration is its own record, and the log should not collect residents' names)
and queues its e-mails for after the commit.

Seats are counted with the event row locked (SELECT … FOR UPDATE on PostgreSQL; SQLite takes the
database's write lock at BEGIN IMMEDIATE, see settings), so two people taking the last seat at the
same moment cannot both get it: the second waits, then finds the event full and joins the waiting
list.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from tsunagari.accounts.mail import render_message, send_after_commit
from tsunagari.audit.log import record
from tsunagari.notices import files
from tsunagari.notices.actions import delete_file_after_commit
from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import platform_scope

from .models import Event, EventDocument, Registration, TrainingRecord

REGISTRATION_SALT = "tsunagari.programs.registration"
EVENT_FIELDS = (
    "kind",
    "title",
    "description",
    "starts_at",
    "ends_at",
    "place",
    "online_url",
    "capacity",
    "audience",
    "audience_note",
    "fee",
    "registration_deadline",
    "status",
    "registration_open",
    "minutes",
)


class RegistrationClosedError(Exception):
    """The event does not take registrations (a draft, cancelled, closed, or already begun)."""


class AttendanceTooEarlyError(Exception):
    """Attendance is recorded only once an event has started: before, nobody can have come."""


class AlreadyRegisteredError(Exception):
    """This person (account or e-mail address) already holds a place or a waiting-list place."""

    def __init__(self, registration: Registration) -> None:
        super().__init__(registration.pk)
        self.registration = registration


def registration_token(registration: Registration) -> str:
    """The signed id in a resident's link. Without a timestamp: the same link every time, valid as long
    as the registration exists (a cancelled one only shows that it is cancelled)."""
    return signing.Signer(salt=REGISTRATION_SALT).sign(str(registration.pk))


def registration_from_token(token: str) -> int | None:
    """The registration id a resident's link stands for, or None when the link is forged."""
    try:
        return int(signing.Signer(salt=REGISTRATION_SALT).unsign(token))
    except (signing.BadSignature, TypeError, ValueError):
        return None


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def registration_url(registration: Registration) -> str:
    """Where the person sees and cancels their registration: the workspace for members, a signed link for residents."""
    event = registration.event
    if registration.user_id:
        return _absolute(reverse("workspace:event", args=[event.platform.slug, event.pk]))
    return _absolute(reverse("events:registration", args=[event.platform.slug, registration_token(registration)]))


def _tell(registration: Registration, template: str, **extra: Any) -> None:
    """E-mail the registered person, if we have an address for them."""
    to = registration.contact_email
    if not to:
        return
    event = registration.event
    context = {
        "event": event,
        "platform": event.platform,
        "registration": registration,
        "url": registration_url(registration),
        # The online link goes to people with a confirmed place only.
        "online_url": event.online_url if registration.status == Registration.Status.CONFIRMED else "",
        **extra,
    }
    send_after_commit(render_message(f"programs/email/{template}", to, context))


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {key: [before[key], after[key]] for key in after if before.get(key) != after[key]}


def create_event(platform: Platform, *, actor: Any, invited: Iterable[Any] = (), **fields: Any) -> Event:
    with transaction.atomic():
        event = Event(platform=platform, created_by=actor, **{k: v for k, v in fields.items() if k in EVENT_FIELDS})
        event.full_clean(exclude=["platform", "created_by"])
        event.save()
        people = list(invited)
        event.invited.set(people)
        record(
            "event.created",
            actor=actor,
            platform=platform,
            obj=event,
            changes={
                "kind": event.kind,
                "audience": event.audience,
                "status": event.status,
                "starts_at": event.starts_at,
                "invited": sorted(str(p) for p in people),
            },
        )
        if event.status == Event.Status.PUBLISHED:
            _invite(event, people)
    return event


def _invite(event: Event, people: Iterable[Any]) -> None:
    url = _absolute(reverse("workspace:event", args=[event.platform.slug, event.pk]))
    for person in people:
        if person.email:
            context = {"event": event, "platform": event.platform, "person": person, "url": url}
            send_after_commit(render_message("programs/email/invited", person.email, context))


# Changes that people with a place must hear of: when, where, and the online link.
TOLD_OF = {"starts_at": "when", "ends_at": "when", "place": "place", "online_url": "online_url"}


@dataclass(frozen=True)
class EventUpdate:
    """What `update_event` did that the coordinator must know about."""

    event: Event
    # People told of a change or a cancellation who gave no e-mail address: telephone them.
    to_call: list[Registration] = field(default_factory=list)


def update_event(event: Event, *, actor: Any, invited: Iterable[Any] | None = None, **fields: Any) -> EventUpdate:
    """Change an event; growing the capacity promotes people from the waiting list.

    Everyone registered or waiting is e-mailed (after the commit) when a published event is
    cancelled or, before it ends, moves in time or place; people with a confirmed place also
    when its online link changes.
    """
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        before = {key: getattr(locked, key) for key in EVENT_FIELDS}
        for key, value in fields.items():
            if key in EVENT_FIELDS:
                setattr(locked, key, value)
        after = {key: getattr(locked, key) for key in EVENT_FIELDS}
        changes = _changes(before, after)
        if "minutes" in changes:
            changes["minutes"] = "changed"
        if "description" in changes:
            changes["description"] = "changed"
        locked.full_clean(exclude=["platform", "created_by"])
        if changes:
            locked.sequence += 1
        locked.save()
        newly_invited: list[Any] = []
        if invited is not None:
            people = list(invited)
            old = set(locked.invited.values_list("pk", flat=True))
            newly_invited = [p for p in people if p.pk not in old]
            removed = old - {p.pk for p in people}
            locked.invited.set(people)
            if newly_invited or removed:
                changes["invited_added"] = sorted(str(p) for p in newly_invited)
                changes["invited_removed"] = len(removed)
        record("event.changed", actor=actor, platform=locked.platform, obj=locked, changes=changes)
        to_call: list[Registration] = []
        if locked.status == Event.Status.CANCELLED and before["status"] != Event.Status.CANCELLED:
            for registration in _live_registrations(locked):
                _tell(registration, "event_cancelled")
                to_call += [] if registration.contact_email else [registration]
        elif locked.status == Event.Status.PUBLISHED:
            if before["status"] == Event.Status.DRAFT:
                newly_invited = list(locked.invited.all())
            _invite(locked, newly_invited)
            moved = sorted({TOLD_OF[key] for key in changes if key in TOLD_OF})
            if moved and before["status"] == Event.Status.PUBLISHED and locked.ends_at > timezone.now():
                to_call = _tell_changed(locked, moved, before)
            _promote(locked)
    return EventUpdate(locked, to_call)


def _live_registrations(event: Event) -> Iterable[Registration]:
    return event.registrations.exclude(status=Registration.Status.CANCELLED).select_related("user")


def _tell_changed(event: Event, moved: list[str], before: dict[str, Any]) -> list[Registration]:
    """E-mail everyone registered or waiting what changed; returns those without an e-mail address.

    The online link is only for confirmed places, so people waiting hear of a new link only when
    they move up (the "promoted" e-mail carries it).
    """
    to_call: list[Registration] = []
    for registration in _live_registrations(event):
        theirs = moved
        if registration.status == Registration.Status.WAITLISTED:
            theirs = [what for what in moved if what != "online_url"]
        if not theirs:
            continue
        if not registration.contact_email:
            to_call.append(registration)
            continue
        _tell(registration, "event_changed", moved=theirs, before=before)
    return to_call


def register(
    event: Event,
    *,
    user: Any = None,
    name: str = "",
    email: str = "",
    phone: str = "",
    audit: bool = True,
    organiser: Any = None,
) -> Registration:
    """Give a place at `event`, or a place on its waiting list when it is full.

    `user` for members (from the workspace), or `name` with `email` and/or `phone` for residents
    (from the portal, or taken by a coordinator, `organiser`, from a resident who telephoned: the
    organiser may still do so after the registration deadline or with registration closed, never
    for a draft, a cancelled event or one that has begun). Raises RegistrationClosedError or
    AlreadyRegisteredError.
    """
    email = email.strip().lower()
    with transaction.atomic():
        # The lock that makes counting and taking a seat one step (see the module's docstring).
        locked = Event.objects.select_for_update().select_related("platform").get(pk=event.pk)
        if organiser is not None:
            if locked.status != Event.Status.PUBLISHED or locked.starts_at <= timezone.now():
                raise RegistrationClosedError
        elif not locked.accepts_registrations():
            raise RegistrationClosedError
        live = locked.registrations.exclude(status=Registration.Status.CANCELLED)
        existing = None
        if user is not None:
            existing = live.filter(user=user).first()
        elif email:
            existing = live.filter(email=email).first()
        if existing is not None:
            raise AlreadyRegisteredError(existing)
        confirmed = live.filter(status=Registration.Status.CONFIRMED).count()
        full = locked.capacity is not None and confirmed >= locked.capacity
        registration = Registration.objects.create(
            platform=locked.platform,
            event=locked,
            user=user,
            name="" if user is not None else name.strip(),
            email="" if user is not None else email,
            phone="" if user is not None else phone.strip(),
            status=Registration.Status.WAITLISTED if full else Registration.Status.CONFIRMED,
        )
        if organiser is not None:
            # Not the resident's name: the log should not collect residents' names.
            record(
                "event.registered_on_behalf",
                actor=organiser,
                platform=locked.platform,
                obj=locked,
                changes={"registration": registration.pk, "status": registration.status},
            )
        if user is not None and audit:
            record(
                "event.registered",
                actor=user,
                platform=locked.platform,
                obj=locked,
                changes={"registration": registration.pk, "status": registration.status},
            )
        _tell(registration, "registered")
    return registration


def _promote(event: Event) -> list[Registration]:
    """Fill free seats from the waiting list, first come first served (call with the event locked)."""
    promoted: list[Registration] = []
    if event.status != Event.Status.PUBLISHED or event.starts_at <= timezone.now():
        return promoted
    live = event.registrations.exclude(status=Registration.Status.CANCELLED)
    free = (
        None if event.capacity is None else event.capacity - live.filter(status=Registration.Status.CONFIRMED).count()
    )
    waiting = live.filter(status=Registration.Status.WAITLISTED).select_related("user").order_by("created_at", "pk")
    for registration in waiting if free is None else waiting[: max(0, free)]:
        registration.status = Registration.Status.CONFIRMED
        registration.promoted_at = timezone.now()
        registration.save(update_fields=["status", "promoted_at"])
        _tell(registration, "promoted")
        promoted.append(registration)
    return promoted


def cancel_registration(
    registration: Registration, *, actor: Any = None, by_organiser: bool = False
) -> list[Registration]:
    """Cancel a place (or waiting-list place); the first people waiting move up. Returns who moved up.

    `by_organiser`: a coordinator cancelled someone else's place, and the e-mail says so.
    """
    with transaction.atomic():
        event = Event.objects.select_for_update().select_related("platform").get(pk=registration.event_id)
        registration = Registration.objects.select_related("user").get(pk=registration.pk)
        if registration.status == Registration.Status.CANCELLED:
            return []
        was = registration.status
        registration.status = Registration.Status.CANCELLED
        registration.cancelled_at = timezone.now()
        registration.save(update_fields=["status", "cancelled_at"])
        if actor is not None:
            record(
                "event.registration_cancelled",
                actor=actor,
                platform=event.platform,
                obj=event,
                # Members by name; residents not (the log should not collect residents' names).
                changes={
                    "registration": registration.pk,
                    "person": registration.display_name if registration.user_id else "resident",
                    "was": was,
                },
            )
        registration.event = event
        _tell(registration, "cancelled_by_organiser" if by_organiser else "cancelled")
        return _promote(event) if was == Registration.Status.CONFIRMED else []


def mark_attendance(event: Event, attended_ids: Collection[int], *, actor: Any) -> int:
    """Record who came among the confirmed registrations; for a training session, record the course as
    completed for each member or staff member among them (once). Returns the number of training
    records created.

    Residents who came are counted but get no training record: they are not trainees, and training
    records are read by everyone on the platform (observers included), so their names stay with
    the registration, which is purged after the event. Refused before the event has started
    (AttendanceTooEarlyError): it would record completions in the future.
    """
    if timezone.now() < event.starts_at:
        raise AttendanceTooEarlyError
    created = 0
    with transaction.atomic():
        confirmed = list(
            event.registrations.filter(status=Registration.Status.CONFIRMED).select_related("user", "training_record")
        )
        present = [r for r in confirmed if r.pk in attended_ids]
        for registration in confirmed:
            registration.attended = registration.pk in attended_ids
        Registration.objects.bulk_update(confirmed, ["attended"])
        if event.kind == Event.Kind.TRAINING:
            for registration in present:
                if registration.user_id is not None and not hasattr(registration, "training_record"):
                    TrainingRecord.objects.create(
                        platform=event.platform,
                        user=registration.user,
                        attendee_name=registration.display_name[:100],
                        course=event.title,
                        completed_on=timezone.localdate(event.ends_at),
                        event=event,
                        registration=registration,
                        recorded_by=actor,
                    )
                    created += 1
        record(
            "event.attendance",
            actor=actor,
            platform=event.platform,
            obj=event,
            changes={"attended": len(present), "registered": len(confirmed), "training_records": created},
        )
    return created


def add_document(event: Event, upload: UploadedFile, *, kind: str, actor: Any) -> EventDocument:
    with transaction.atomic():
        file_type = files.validate_upload(upload)
        document = EventDocument.objects.create(
            platform=event.platform,
            event=event,
            kind=kind,
            file=upload,
            name=files.clean_name(upload.name or ""),
            content_type=file_type.content_type,
            size=upload.size or 0,
            uploaded_by=actor,
        )
        record(
            "event.document_added",
            actor=actor,
            platform=event.platform,
            obj=event,
            changes={"document": document.name, "kind": kind},
        )
    return document


def delete_document(document: EventDocument, *, actor: Any) -> None:
    with transaction.atomic():
        delete_file_after_commit(document)
        record(
            "event.document_deleted",
            actor=actor,
            platform=document.platform,
            obj=document.event,
            changes={"document": document.name},
        )
        document.delete()


def record_training(
    platform: Platform,
    *,
    actor: Any,
    course: str,
    completed_on: Any,
    user: Any = None,
    attendee_name: str = "",
    organisation: str = "",
) -> TrainingRecord:
    with transaction.atomic():
        training = TrainingRecord.objects.create(
            platform=platform,
            user=user,
            attendee_name=(str(user) if user is not None else attendee_name.strip())[:100],
            organisation=organisation.strip(),
            course=course.strip(),
            completed_on=completed_on,
            recorded_by=actor,
        )
        record(
            "training.recorded",
            actor=actor,
            platform=platform,
            obj=training,
            changes={"course": training.course, "completed_on": training.completed_on},
        )
    return training


def delete_training(training: TrainingRecord, *, actor: Any) -> None:
    with transaction.atomic():
        record("training.deleted", actor=actor, platform=training.platform, obj=training)
        training.delete()


def purge_registrations(*, days: int | None = None, now: datetime.datetime | None = None) -> int:
    """Remove residents' names, e-mail addresses and telephone numbers `days` after their event ended.

    The registrations stay, with their status and attendance, so that the programme's counts
    still add up; members' registrations hold no personal data of their own (they point to the
    account). Idempotent: a purged registration is never touched again. Each event purged gets an
    audit record (without names). Returns how many registrations were purged.
    """
    now = now or timezone.now()
    days = settings.EVENT_REGISTRATION_RETENTION_DAYS if days is None else days
    cutoff = now - datetime.timedelta(days=days)
    purged = 0
    for platform in Platform.objects.all():
        # One platform at a time, inside its own scope, like the digest and verification requests.
        with platform_scope(platform, with_national=False), transaction.atomic():
            pending = Registration.objects.filter(
                platform=platform, user__isnull=True, purged_at__isnull=True, event__ends_at__lt=cutoff
            )
            counts = pending.order_by().values("event_id").annotate(n=Count("pk"))
            by_event = {row["event_id"]: row["n"] for row in counts}
            if not by_event:
                continue
            pending.update(name="", email="", phone="", purged_at=now)
            for event in Event.objects.filter(pk__in=by_event).order_by("pk"):
                record(
                    "event.registrations_purged",
                    platform=platform,
                    obj=event,
                    changes={"registrations": by_event[event.pk], "days_after_the_event": days},
                )
            purged += sum(by_event.values())
    return purged
