"""Changes to case records, each in one transaction with its audit event."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagari.accounts.models import ORGANISATION_ROLES, Membership
from tsunagari.audit.log import record
from tsunagari.notices import files

from . import caselog, crypto, notify
from .models import (
    CLOSED,
    NEEDS_REASON,
    PERSON_ITEMS,
    RECEIVER,
    SENDER,
    TRANSITIONS,
    Basis,
    CaseMeeting,
    Consent,
    FollowUpTask,
    MeetingDocument,
    MeetingParticipant,
    Outcome,
    Person,
    ProvisionRecord,
    Referral,
    Status,
)


class TransitionError(Exception):
    """A move the referral's lifecycle or the organisation's side does not allow; the message says why."""


def register_person(*, platform: Any, organization: Any, name: str, birth_date: date | None, **fields: Any) -> Person:
    """A new person record, held by `organization` through the consent recorded with it."""
    with transaction.atomic():
        person = Person.objects.create(
            platform=platform, registered_by=organization, name=name, birth_date=birth_date, **fields
        )
        Consent.objects.create(
            platform=platform, person=person, organization=organization, method="written", given_on=date.today()
        )
    return person


def refer(*, person: Person, sender: Any, receiver: Any, need: str, need_code: str = "") -> Referral:
    return Referral.objects.create(
        platform=person.platform, person=person, sender=sender, receiver=receiver, need=need, need_code=need_code
    )


def move(
    referral: Referral, to: str, *, orgs: frozenset[Any], actor: Any, reason: str = "", outcome: str = ""
) -> Referral:
    """Move `referral` to state `to` on behalf of one of `orgs`, if its side may; else TransitionError.

    `outcome` (an Outcome code) may be given when the referral ends; the figures count it.
    """
    with transaction.atomic():
        # Locked, so two people moving the same referral at once cannot both succeed from one state.
        current = Referral.objects.select_for_update().get(pk=referral.pk)
        side = TRANSITIONS.get((current.status, to))
        if side is None:
            raise TransitionError(
                _("A referral cannot go from “%(from)s” to “%(to)s”.")
                % {"from": Status(current.status).label, "to": Status(to).label if to in Status.values else to}
            )
        party = {SENDER: current.sender_id, RECEIVER: current.receiver_id}[side]
        if party not in orgs:
            raise TransitionError(
                _("Only the sending organisation may do this.")
                if side == SENDER
                else _("Only the receiving organisation may do this.")
            )
        if to in NEEDS_REASON and not reason.strip():
            raise TransitionError(_("Write the reason or the outcome."))
        if outcome and (to not in CLOSED or outcome not in Outcome.values):
            raise TransitionError(_("Choose one of the listed outcomes when the referral ends."))
        previous = current.status
        current.status = to
        current.reason = reason.strip()
        now = timezone.now()
        fields = ["status", "reason", "updated_at"]
        milestone = {Status.REQUESTED: "requested_at", Status.ACCEPTED: "accepted_at"}.get(Status(to))
        if to in CLOSED or to == Status.CANCELLED:
            milestone = "closed_at"
        if milestone:
            setattr(current, milestone, now)
            fields.append(milestone)
        if outcome:
            current.outcome = outcome
            fields.append("outcome")
        current.save(update_fields=fields)
        record(
            "cases.referral.moved",
            actor=actor,
            platform=current.platform,
            obj=current,
            changes={"status": [previous, to]},
        )
        caselog.append(
            platform_id=current.platform_id,
            action=caselog.CHANGE,
            actor=actor,
            organizations=orgs,
            persons=[current.person_id],
            detail={"referral": current.pk, "status": [previous, to]},
        )
        if to == Status.ACCEPTED:
            # The receiver now sees the person: a provision from the sender to the receiver.
            provide(
                person_id=current.person_id,
                platform_id=current.platform_id,
                provider_id=current.sender_id,
                recipient_id=current.receiver_id,
                items=[*PERSON_ITEMS, "need"],
                basis=current.basis,
                actor=actor,
                referral=current,
            )
        notify.referral_moved(current)
    return current


class MeetingError(Exception):
    """A change to a case meeting that its rules refuse; the message says why."""


def provide(
    *,
    person_id: int,
    platform_id: int,
    provider_id: Any,
    recipient_id: Any,
    items: list[str],
    basis: str,
    actor: Any,
    referral: Referral | None = None,
    meeting: CaseMeeting | None = None,
) -> ProvisionRecord:
    """Write the APPI provision record of one disclosure, and its row in the case log."""
    provision = ProvisionRecord.objects.create(
        platform_id=platform_id,
        person_id=person_id,
        provider_id=provider_id,
        recipient_id=recipient_id,
        items=items,
        basis=basis,
        referral=referral,
        meeting=meeting,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    caselog.append(
        platform_id=platform_id,
        action=caselog.SHARE,
        actor=actor,
        organizations=[provider_id],
        persons=[person_id],
        detail={
            "provision": provision.pk,
            "recipient": str(recipient_id),
            "items": items,
            "basis": basis,
            "referral": referral.pk if referral else None,
            "meeting": meeting.pk if meeting else None,
        },
    )
    return provision


def _meeting_orgs(meeting: CaseMeeting) -> set[Any]:
    return set(meeting.participants.values_list("organization_id", flat=True))


def create_meeting(
    *,
    platform: Any,
    organizer_id: Any,
    actor: Any,
    title: str,
    held_at: datetime,
    basis: str,
    access_until: date,
    agenda: str = "",
) -> CaseMeeting:
    """A new case meeting organised by one organisation; the person creating it takes part."""
    if basis == Basis.EMERGENCY:
        raise MeetingError(_("A case meeting needs consent, a support council or a regional council as its basis."))
    if access_until < timezone.localdate(held_at):
        raise MeetingError(_("The access end date cannot be before the meeting."))
    with transaction.atomic():
        meeting = CaseMeeting.objects.create(
            platform=platform,
            organizer_id=organizer_id,
            title=title,
            held_at=held_at,
            basis=basis,
            access_until=access_until,
            agenda=agenda,
            created_by=actor,
        )
        MeetingParticipant.objects.create(platform=platform, meeting=meeting, user=actor, organization_id=organizer_id)
        record("cases.meeting.created", actor=actor, platform=platform, obj=meeting)
        caselog.append(
            platform_id=platform.pk,
            action=caselog.CHANGE,
            actor=actor,
            organizations=[organizer_id],
            detail={"meeting": meeting.pk, "created": True},
        )
    return meeting


def put_on_agenda(meeting: CaseMeeting, person: Person, *, actor: Any) -> None:
    """Put a person the organiser holds on the agenda: each other participating organisation receives them.

    The caller has checked that the organiser holds the person in its own right (access.held_persons).
    On a consent-based meeting the organiser's consent from the person must be active.
    """
    today = timezone.localdate()
    with transaction.atomic():
        if meeting.basis == Basis.CONSENT and not (
            Consent.objects.filter(
                person=person, organization_id=meeting.organizer_id, basis=Basis.CONSENT, withdrawn_at__isnull=True
            )
            .exclude(expires_on__lt=today)
            .exists()
        ):
            raise MeetingError(
                _("This meeting is based on consent, and the person's consent to your organisation is not active.")
            )
        if meeting.persons.filter(pk=person.pk).exists():
            return
        meeting.persons.add(person)
        for org_id in sorted(_meeting_orgs(meeting) - {meeting.organizer_id}):
            provide(
                person_id=person.pk,
                platform_id=meeting.platform_id,
                provider_id=meeting.organizer_id,
                recipient_id=org_id,
                items=PERSON_ITEMS,
                basis=meeting.basis,
                actor=actor,
                meeting=meeting,
            )


def organisation_of(user: Any, platform_id: int) -> Any:
    """The organisation through which `user` works on cases on the platform (the first); MeetingError if none."""
    org_ids = list(
        Membership.objects.filter(
            user=user, platform_id=platform_id, role__in=ORGANISATION_ROLES, organization__isnull=False
        )
        .order_by("pk")
        .values_list("organization_id", flat=True)
    )
    if not org_ids:
        raise MeetingError(_("Only staff of a member organisation can take part in a case meeting."))
    return org_ids[0]


def add_participant(meeting: CaseMeeting, user: Any, *, actor: Any) -> MeetingParticipant:
    """Invite a member; their organisation, if new to the meeting, receives every person on the agenda."""
    org_id = organisation_of(user, meeting.platform_id)
    with transaction.atomic():
        new_org = org_id not in _meeting_orgs(meeting)
        participant, _created = MeetingParticipant.objects.get_or_create(
            meeting=meeting, user=user, defaults={"platform_id": meeting.platform_id, "organization_id": org_id}
        )
        record(
            "cases.meeting.changed",
            actor=actor,
            platform=meeting.platform,
            obj=meeting,
            changes={"participant": user.pk},
        )
        if new_org and org_id != meeting.organizer_id:
            items = [*PERSON_ITEMS, "documents"] if meeting.documents.exists() else PERSON_ITEMS
            for person_id in meeting.persons.order_by("pk").values_list("pk", flat=True):
                provide(
                    person_id=person_id,
                    platform_id=meeting.platform_id,
                    provider_id=meeting.organizer_id,
                    recipient_id=org_id,
                    items=items,
                    basis=meeting.basis,
                    actor=actor,
                    meeting=meeting,
                )
    return participant


def write_record(meeting: CaseMeeting, *, actor: Any, agenda: str, decisions: str, minutes: str) -> None:
    """The meeting's agenda, decisions and minutes."""
    with transaction.atomic():
        meeting.agenda, meeting.decisions, meeting.minutes = agenda.strip(), decisions.strip(), minutes.strip()
        meeting.save(update_fields=["agenda", "decisions", "minutes"])
        record("cases.meeting.changed", actor=actor, platform=meeting.platform, obj=meeting, changes={"record": True})


def record_attendance(meeting: CaseMeeting, attended: Iterable[int], *, actor: Any) -> None:
    """Who came: the listed participants attended, the others did not."""
    present = set(attended)
    with transaction.atomic():
        for participant in meeting.participants.all():
            participant.attended = participant.pk in present
            participant.save(update_fields=["attended"])
        record(
            "cases.meeting.changed",
            actor=actor,
            platform=meeting.platform,
            obj=meeting,
            changes={"attended": sorted(present)},
        )


def add_document(meeting: CaseMeeting, upload: UploadedFile, *, actor: Any) -> MeetingDocument:
    """Share a checked file (notices.files.validate_upload) with the meeting, encrypted at rest."""
    kind = files.validate_upload(upload)
    data = upload.read()
    with transaction.atomic():
        document = MeetingDocument(
            platform_id=meeting.platform_id,
            meeting=meeting,
            name=files.clean_name(upload.name or ""),
            content_type=kind.content_type,
            size=len(data),
            uploaded_by=actor,
        )
        sealed = crypto.encrypt_bytes(data, context=document.context)
        document.blob.save("document.gcm", ContentFile(sealed), save=False)
        document.save()
        record("cases.meeting.changed", actor=actor, platform=meeting.platform, obj=meeting, changes={"document": True})
        for org_id in sorted(_meeting_orgs(meeting) - {meeting.organizer_id}):
            for person_id in meeting.persons.order_by("pk").values_list("pk", flat=True):
                provide(
                    person_id=person_id,
                    platform_id=meeting.platform_id,
                    provider_id=meeting.organizer_id,
                    recipient_id=org_id,
                    items=["documents"],
                    basis=meeting.basis,
                    actor=actor,
                    meeting=meeting,
                )
    return document


def read_document(document: MeetingDocument) -> bytes:
    with document.blob.open("rb") as handle:
        return crypto.decrypt_bytes(handle.read(), context=document.context)


def add_task(
    meeting: CaseMeeting, *, actor: Any, title: str, owner: Any, due_on: date, person: Person | None = None
) -> FollowUpTask:
    """A follow-up task for a participant, by a date."""
    participant = meeting.participants.filter(user=owner).first()
    if participant is None:
        raise MeetingError(_("The owner of a task must take part in the meeting."))
    if person is not None and not meeting.persons.filter(pk=person.pk).exists():
        raise MeetingError(_("The task's person must be on the meeting's agenda."))
    with transaction.atomic():
        task = FollowUpTask.objects.create(
            platform_id=meeting.platform_id,
            meeting=meeting,
            person=person,
            title=title.strip(),
            owner=owner,
            owner_organization_id=participant.organization_id,
            due_on=due_on,
        )
        record("cases.meeting.changed", actor=actor, platform=meeting.platform, obj=meeting, changes={"task": task.pk})
    return task


def complete_task(task: FollowUpTask, *, actor: Any) -> None:
    with transaction.atomic():
        if task.done_at is None:
            task.done_at = timezone.now()
            task.save(update_fields=["done_at"])
            record(
                "cases.meeting.changed",
                actor=actor,
                platform=task.meeting.platform,
                obj=task.meeting,
                changes={"task_done": task.pk},
            )
