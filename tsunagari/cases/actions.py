"""Changes to case records, each in one transaction with its audit event."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from functools import partial
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tsunagari.accounts.models import ORGANISATION_ROLES, Membership
from tsunagari.audit.log import record
from tsunagari.notices import files

from . import caselog, crypto, notify
from .access import council_bases, has_valid_pledge, seen_items
from .models import (
    ALWAYS_REFERRED,
    CLOSED,
    ITEMS,
    LEGACY_REFERRAL_ITEMS,
    NEEDS_REASON,
    PERSON_ITEMS,
    RECEIVER,
    RECORD_ITEMS,
    REFERRAL_CHOICES,
    SENDER,
    SENDER_HOLDS,
    STOPS_REFERRALS,
    TRANSITIONS,
    Basis,
    CaseMeeting,
    Consent,
    FollowUpTask,
    MeetingDocument,
    MeetingParticipant,
    Outcome,
    Person,
    PersonAttachment,
    PersonRequest,
    ProvisionRecord,
    Referral,
    Status,
    ordered_items,
)


class TransitionError(Exception):
    """A move the referral's lifecycle or the organisation's side does not allow; the message says why."""


class ReferralError(Exception):
    """A referral its legal basis does not allow; the message says what to do.

    `field` names the form field the message belongs to: the legal basis, or the items chosen.
    """

    def __init__(self, message: str, *, field: str = "basis") -> None:
        super().__init__(message)
        self.field = field


# What referrals made before the sender chose their items disclosed (and what a consent must cover
# for such a referral); a new referral provides what its sender chose (Referral.items).
REFERRAL_ITEMS = LEGACY_REFERRAL_ITEMS
# Referrals that ended without help: the sender may refer the person again, keeping the chain.
REFER_AGAIN_FROM = frozenset({Status.REJECTED, Status.FAILED, Status.CANCELLED})


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _log_change(
    action: str,
    obj: Any,
    *,
    actor: Any,
    platform: Any,
    organization_id: Any,
    person_id: Any,
    detail: dict[str, Any],
    changes: dict[str, Any] | None = None,
) -> None:
    """One change to a person's case record by one organisation: the audit log's entry and the case log's."""
    record(action, actor=_user(actor), platform=platform, obj=obj, changes=changes)
    caselog.append(
        platform_id=platform.pk,
        action=caselog.CHANGE,
        actor=actor,
        organizations=[organization_id],
        persons=[person_id],
        detail=detail,
    )


def register_person(
    *,
    platform: Any,
    organization: Any,
    name: str,
    birth_date: date | None,
    actor: Any = None,
    method: str = Consent.Method.WRITTEN,
    given_on: date | None = None,
    **fields: Any,
) -> Person:
    """A new person record, held by `organization` through the consent recorded with it."""
    with transaction.atomic():
        person = Person.objects.create(
            platform=platform, registered_by=organization, name=name, birth_date=birth_date, **fields
        )
        Consent.objects.create(
            platform=platform,
            person=person,
            organization=organization,
            method=method,
            given_on=given_on or date.today(),
            recorded_by=_user(actor),
        )
        _log_change(
            "cases.person.registered",
            person,
            actor=actor,
            platform=platform,
            organization_id=organization.pk,
            person_id=person.pk,
            detail={"person": person.pk, "registered": True},
        )
    return person


# The fields of a person's record a member may change (PersonRecordForm).
PERSON_FIELDS = ("name", "kana", "birth_date", "phone", "address", "note")


def edit_person(person: Person, *, organization_id: Any, actor: Any, **values: Any) -> list[str]:
    """Change the record's fields; returns the names of those that changed.

    Saving recomputes the keyed lookup hash (Person.save), so a new name or birth date finds the
    person again. The audit and case logs name the fields, never their values.
    """
    changed = [name for name in PERSON_FIELDS if name in values and getattr(person, name) != values[name]]
    if not changed:
        return changed
    with transaction.atomic():
        for name in changed:
            setattr(person, name, values[name])
        person.save(update_fields=[*changed, "lookup"])
        _log_change(
            "cases.person.changed",
            person,
            actor=actor,
            platform=person.platform,
            organization_id=organization_id,
            person_id=person.pk,
            changes={"fields": changed},
            detail={"person": person.pk, "changed": changed},
        )
    return changed


def record_request(
    person: Person, *, organization_id: Any, actor: Any, kind: str, received_on: date, channel: str, asked: str
) -> PersonRequest:
    """A request the person made to `organization_id` under the APPI (disclosure, correction, stop)."""
    with transaction.atomic():
        request = PersonRequest.objects.create(
            platform_id=person.platform_id,
            person=person,
            organization_id=organization_id,
            kind=kind,
            received_on=received_on,
            channel=channel,
            asked=asked.strip(),
            recorded_by=_user(actor),
        )
        _log_change(
            "cases.request.recorded",
            request,
            actor=actor,
            platform=person.platform,
            organization_id=organization_id,
            person_id=person.pk,
            changes={"kind": kind},
            detail={"request": request.pk, "kind": kind, "recorded": True},
        )
    return request


def answer_request(
    request: PersonRequest, *, actor: Any, decision: str, answered_on: date, reason: str = ""
) -> PersonRequest:
    """The organisation's decision on the request and the date it answered the person."""
    with transaction.atomic():
        request.decision, request.answered_on, request.reason = decision, answered_on, reason.strip()
        request.save(update_fields=["decision", "answered_on", "reason"])
        _log_change(
            "cases.request.answered",
            request,
            actor=actor,
            platform=request.platform,
            organization_id=request.organization_id,
            person_id=request.person_id,
            changes={"decision": decision},
            detail={"request": request.pk, "decision": decision},
        )
    return request


def referral_stopped(person_id: Any, *, sender_id: Any) -> bool:
    """Whether the sender granted the person's request to stop using or providing their data."""
    return PersonRequest.objects.filter(
        person_id=person_id,
        organization_id=sender_id,
        kind__in=STOPS_REFERRALS,
        decision=PersonRequest.Decision.DONE,
    ).exists()


STOPPED_MESSAGE = gettext_lazy(
    "The person asked your organisation to stop using or providing their data (個人情報保護法 第35条) and "
    "the request was granted: they cannot be referred."
)


def record_consent(
    person: Person,
    *,
    organization_id: Any,
    actor: Any,
    method: str,
    given_on: date,
    expires_on: date | None = None,
    recipients: Iterable[Any] = (),
    items: Iterable[str] = (),
    given_by: str = "",
) -> Consent:
    """The person's consent to `organization_id` holding their record and passing `items` on to `recipients`."""
    with transaction.atomic():
        consent = Consent.objects.create(
            platform_id=person.platform_id,
            person=person,
            organization_id=organization_id,
            method=method,
            given_on=given_on,
            expires_on=expires_on,
            items=[item for item in ITEMS if item in set(items)],
            given_by=given_by.strip(),
            recorded_by=_user(actor),
        )
        consent.recipients.set(list(recipients))
        _log_change(
            "cases.consent.recorded",
            consent,
            actor=actor,
            platform=person.platform,
            organization_id=organization_id,
            person_id=person.pk,
            changes={"recipients": sorted(str(pk) for pk in consent.recipients.values_list("pk", flat=True))},
            detail={"consent": consent.pk, "recorded": True},
        )
    return consent


def withdraw_consent(consent: Consent, *, actor: Any) -> list[Referral]:
    """The person withdrew `consent` from now on. Returns the referrals cancelled with it.

    A referral on the basis of consent that has not been accepted yet (nothing provided) and that
    no other consent covers is cancelled; what was already provided stays in the records.
    """
    cancelled: list[Referral] = []
    with transaction.atomic():
        if consent.withdrawn_at is not None:
            return cancelled
        consent.withdrawn_at = timezone.now()
        consent.save(update_fields=["withdrawn_at"])
        _log_change(
            "cases.consent.withdrawn",
            consent,
            actor=actor,
            platform=consent.platform,
            organization_id=consent.organization_id,
            person_id=consent.person_id,
            detail={"consent": consent.pk, "withdrawn": True},
        )
        pending = Referral.objects.filter(
            person_id=consent.person_id,
            sender_id=consent.organization_id,
            basis=Basis.CONSENT,
            status__in=[Status.DRAFT, Status.REQUESTED],
        ).order_by("pk")
        today = timezone.localdate()
        for referral in pending:
            if covering_consent(
                consent.person,
                sender_id=referral.sender_id,
                receiver_id=referral.receiver_id,
                today=today,
                items=referral.items,
            ):
                continue
            reason = _("The person withdrew their consent.")
            orgs = frozenset({referral.sender_id})
            cancelled.append(move(referral, Status.CANCELLED, orgs=orgs, actor=actor, reason=reason))
    return cancelled


def _consents_to(person: Person, *, sender_id: Any, receiver_id: Any, today: date) -> list[Consent]:
    """The sender's active consents from the person that name the receiver, newest first."""
    return list(
        Consent.objects.filter(person=person, organization_id=sender_id, basis=Basis.CONSENT, withdrawn_at__isnull=True)
        .filter(recipients=receiver_id)
        .exclude(expires_on__lt=today)
        .order_by("-given_on", "-pk")
    )


def covering_consent(
    person: Person, *, sender_id: Any, receiver_id: Any, today: date, items: Iterable[str] = ALWAYS_REFERRED
) -> Consent | None:
    """An active consent letting the sender pass `items` (by default a referral's minimum) on to the receiver."""
    consents = _consents_to(person, sender_id=sender_id, receiver_id=receiver_id, today=today)
    return next((c for c in consents if set(items) <= set(c.items)), None)


def referral_items(chosen: Iterable[str]) -> list[str]:
    """What a referral provides when the sender chose `chosen`: those, plus the name and the need, in order."""
    return ordered_items([*ALWAYS_REFERRED, *chosen])


def _item_names(items: Iterable[str]) -> str:
    return "、".join(str(ITEMS.get(item, item)) for item in ordered_items(items))


def items_problem(person: Person, *, sender_id: Any, receiver_id: Any, basis: str, items: Iterable[str]) -> str:
    """Why the sender may not provide `items` to the receiver on `basis` ("" when it may), naming the items.

    Only items a referral can carry; only what the sender itself sees of the person (an organisation
    that received the person passes on no more than it was provided); on consent, only what an
    active consent naming the receiver covers. The council and emergency bases set no item scope
    of their own: the member chooses what the receiver needs.
    """
    items = set(items)
    unknown = items - {*ALWAYS_REFERRED, *REFERRAL_CHOICES}
    if unknown:
        return _("These items cannot be provided through a referral: %(items)s.") % {"items": _item_names(unknown)}
    unseen = items - seen_items(person, frozenset({sender_id}))
    if unseen:
        return _(
            "Your organisation was not provided these items of the person, so it cannot pass them on: "
            "%(items)s. Untick them."
        ) % {"items": _item_names(unseen)}
    if basis == Basis.CONSENT:
        consents = _consents_to(person, sender_id=sender_id, receiver_id=receiver_id, today=timezone.localdate())
        if consents and not any(items <= set(c.items) for c in consents):
            missing = min((items - set(c.items) for c in consents), key=len)
            return _(
                "The person's consent does not cover these items for this organisation: %(items)s. "
                "Untick them, or record a consent that covers them."
            ) % {"items": _item_names(missing)}
    return ""


def referral_bases(
    person: Person, *, sender_id: Any, receiver_id: Any, user: Any, items: Iterable[str] = ALWAYS_REFERRED
) -> list[str]:
    """The legal bases on which `user` may refer `person` (its `items`) from `sender_id` to `receiver_id` now."""
    bases: list[str] = []
    if covering_consent(person, sender_id=sender_id, receiver_id=receiver_id, today=timezone.localdate(), items=items):
        bases.append(Basis.CONSENT)
    bases += sorted(council_bases(user, person.platform, sender_id, receiver_id))
    # Life or body in danger and the person's consent hard to get (APPI art. 27(1)(ii)): always
    # available, and the form asks the member to confirm both.
    bases.append(Basis.EMERGENCY)
    return bases


def basis_problem(basis: str) -> str:
    """What to do when `basis` does not hold, in words for the member."""
    if basis == Basis.CONSENT:
        return _(
            "No active consent of the person covers this organisation and what the referral shares. "
            "Record the consent first (who it may be shared with: this organisation; what: at least the name, "
            "what support is needed and the items you chose), or choose another legal basis."
        )
    if basis in (Basis.SUPPORT_COUNCIL, Basis.REGIONAL_COUNCIL):
        return _(
            "Your organisation and the receiving organisation do not both sit on such a council, or you have "
            "not signed its confidentiality pledge. Record the person's consent, or choose another legal basis."
        )
    return _("Choose a legal basis for sharing.")


def check_referral(
    person: Person, *, sender_id: Any, receiver_id: Any, basis: str, actor: Any, items: Iterable[str] = ALWAYS_REFERRED
) -> None:
    """Refuse (ReferralError) a referral the person stopped, or one no legal basis allows `actor` now.

    `items` (what it provides) must lie within what the sender sees and, on consent, the consent's scope.

    The actions call it themselves, when a referral is made and again when it is sent, so that no
    caller (a view, a command, the demo) passes a person on by leaving out the form's checks.
    """
    if receiver_id == sender_id:
        raise ReferralError(_("Choose an organisation other than your own."))
    if referral_stopped(person.pk, sender_id=sender_id):
        raise ReferralError(str(STOPPED_MESSAGE))
    problem = items_problem(person, sender_id=sender_id, receiver_id=receiver_id, basis=basis, items=items)
    if problem:
        raise ReferralError(problem, field="items")
    if basis not in referral_bases(person, sender_id=sender_id, receiver_id=receiver_id, user=actor, items=items):
        raise ReferralError(basis_problem(basis))


def refer(
    *,
    person: Person,
    sender: Any,
    receiver: Any,
    need: str,
    need_code: str = "",
    basis: str = Basis.CONSENT,
    previous: Referral | None = None,
    items: Iterable[str] = (),
) -> Referral:
    """A draft referral, unchecked and unlogged (start_referral checks and logs; demo and tests use it alone).

    A draft shows the receiver nothing; sending it (move to requested) checks its basis and the
    person's stop requests.
    """
    return Referral.objects.create(
        platform=person.platform,
        person=person,
        sender=sender,
        receiver=receiver,
        need=need,
        need_code=need_code,
        basis=basis,
        previous=previous,
        items=referral_items(items),
    )


def start_referral(
    person: Person,
    *,
    sender: Any,
    receiver: Any,
    need: str,
    basis: str,
    actor: Any,
    send: bool,
    need_code: str = "",
    previous: Referral | None = None,
    items: Iterable[str] = (),
) -> Referral:
    """A new referral from the workspace, as a draft or sent at once; ReferralError without a legal basis.

    `items` are what the sender chose to provide besides the name and the need (REFERRAL_CHOICES).
    """
    items = referral_items(items)
    check_referral(person, sender_id=sender.pk, receiver_id=receiver.pk, basis=basis, actor=actor, items=items)
    with transaction.atomic():
        referral = refer(
            person=person,
            sender=sender,
            receiver=receiver,
            need=need.strip(),
            need_code=need_code,
            basis=basis,
            previous=previous,
            items=items,
        )
        record(
            "cases.referral.created",
            actor=_user(actor),
            platform=person.platform,
            obj=referral,
            changes={
                "basis": basis,
                "receiver": str(receiver.pk),
                "previous": previous.pk if previous else None,
                "items": items,
            },
        )
        caselog.append(
            platform_id=person.platform_id,
            action=caselog.CHANGE,
            actor=actor,
            organizations=[sender.pk],
            persons=[person.pk],
            detail={"referral": referral.pk, "created": True, "basis": basis, "items": items},
        )
        if send:
            referral = move(referral, Status.REQUESTED, orgs=frozenset({sender.pk}), actor=actor)
    return referral


def move(
    referral: Referral, to: str, *, orgs: frozenset[Any], actor: Any, reason: str = "", outcome: str = ""
) -> Referral:
    """Move `referral` to state `to` on behalf of one of `orgs`, if its side may; else TransitionError.

    Sending it (to requested) is refused with ReferralError when the person stopped the sender
    referring them or its legal basis no longer holds for `actor` (a consent may have ended since
    the draft). `outcome` (an Outcome code) may be given when the referral ends; the figures count it.
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
        if to == Status.REQUESTED:
            check_referral(
                current.person,
                sender_id=current.sender_id,
                receiver_id=current.receiver_id,
                basis=current.basis,
                actor=actor,
                items=current.items,
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
                items=ordered_items(current.items),
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


def meeting_disclosure_problem(
    meeting: CaseMeeting, person: Person, recipient_id: Any, *, actor: Any, items: Iterable[str] = PERSON_ITEMS
) -> str:
    """Why the organiser may not disclose `person` to `recipient_id` through the meeting now ("" when it may).

    The same rules as a referral: a granted stop of use or provision ends it; on consent, the
    person's consent must name the recipient and what is disclosed; on a support or regional
    council, both organisations must sit on such a council and the organiser's member `actor`
    must hold a valid pledge for it.
    """
    if referral_stopped(person.pk, sender_id=meeting.organizer_id):
        return str(STOPPED_MESSAGE)
    # Like a referral onwards: an organiser that received the person passes on no more than it got.
    unseen = set(items) & set(RECORD_ITEMS) - seen_items(person, frozenset({meeting.organizer_id}))
    if unseen:
        return _(
            "Your organisation was not provided these items of the person, and a case meeting would pass them "
            "on: %(items)s. Only an organisation that was provided them can put the person on the agenda."
        ) % {"items": _item_names(unseen)}
    if meeting.basis == Basis.CONSENT:
        if covering_consent(
            person, sender_id=meeting.organizer_id, receiver_id=recipient_id, today=timezone.localdate(), items=items
        ):
            return ""
        return _(
            "The person's consent does not cover every organisation taking part and what the meeting shares "
            "(name, date of birth, notes and the meeting's documents). Record a consent naming them first."
        )
    if meeting.basis in council_bases(actor, meeting.platform, meeting.organizer_id, recipient_id):
        return ""
    return _(
        "An organisation taking part does not sit with yours on a council of this kind, or you have not "
        "signed the council's confidentiality pledge: the person cannot be shared with it on this basis."
    )


def _check_disclosures(meeting: CaseMeeting, pairs: Iterable[tuple[Person, Any]], *, actor: Any) -> None:
    items = [*PERSON_ITEMS, "documents"] if meeting.documents.exists() else PERSON_ITEMS
    for person, recipient_id in pairs:
        problem = meeting_disclosure_problem(meeting, person, recipient_id, actor=actor, items=items)
        if problem:
            raise MeetingError(problem)


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
        recipients = sorted(_meeting_orgs(meeting) - {meeting.organizer_id})
        _check_disclosures(meeting, [(person, org_id) for org_id in recipients], actor=actor)
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
    if not has_valid_pledge(user, meeting.platform):
        raise MeetingError(
            _("Only members who have signed the confidentiality pledge can take part in a case meeting.")
        )
    with transaction.atomic():
        new_org = org_id not in _meeting_orgs(meeting)
        if new_org and org_id != meeting.organizer_id:
            _check_disclosures(meeting, [(person, org_id) for person in meeting.persons.order_by("pk")], actor=actor)
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


def add_attachment(person: Person, upload: UploadedFile, *, organization_id: Any, actor: Any) -> PersonAttachment:
    """Keep a checked file (notices.files.validate_upload) with the person's record for one organisation, encrypted.

    The bytes are sealed with the field keys (crypto.encrypt_bytes) and the file's random token as
    associated data; the name is an encrypted column. Audited and case-logged without the name.
    """
    kind = files.validate_upload(upload)
    data = upload.read()
    with transaction.atomic():
        attachment = store_attachment(
            person,
            data,
            name=upload.name or "",
            content_type=kind.content_type,
            organization_id=organization_id,
            uploaded_by=actor,
        )
        _log_change(
            "cases.attachment.added",
            attachment,
            actor=actor,
            platform=person.platform,
            organization_id=organization_id,
            person_id=person.pk,
            detail={"attachment": attachment.pk, "size": len(data), "type": kind.content_type},
        )
    return attachment


def store_attachment(
    person: Person, data: bytes, *, name: str, content_type: str, organization_id: Any, uploaded_by: Any = None
) -> PersonAttachment:
    """Seal checked bytes as one of the organisation's attachments of `person` (unlogged: callers log).

    The file is written before the row: if the caller's transaction rolls back, the caller removes
    the file (import-cases does; add_attachment leaves a sealed orphan no row points at).
    """
    attachment = PersonAttachment(
        platform_id=person.platform_id,
        person=person,
        organization_id=organization_id,
        name=files.clean_name(name),
        content_type=content_type,
        size=len(data),
        uploaded_by=_user(uploaded_by),
    )
    attachment.blob.save(
        "attachment.gcm", ContentFile(crypto.encrypt_bytes(data, context=attachment.context)), save=False
    )
    attachment.save()
    return attachment


def read_attachment(attachment: PersonAttachment) -> bytes:
    with attachment.blob.open("rb") as handle:
        return crypto.decrypt_bytes(handle.read(), context=attachment.context)


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


class ErasureError(Exception):
    """An erasure of a person's record that its rules refuse; the message says why."""


# The record's fields an erasure empties; the name becomes ERASED_NAME (the record stays, with its
# provision records, requests and logs, which the law and the audit need).
ERASED_FIELDS = ("name", "kana", "birth_date", "phone", "address", "note", "received_on")
ERASED_NAME = gettext_lazy("(record erased)")


def erasure_blockers(person: Person, *, organization_id: Any, today: date) -> list[str]:
    """Why `organization_id` may not erase the person's record now, in words for the member; empty if it may.

    There is one record per person for every organisation that holds them, so only its registering
    organisation erases it, after granting the person's request to stop using or erase their data
    (個人情報保護法 第35条第1項), and only once no other organisation holds or sees the person.
    """
    problems: list[str] = []
    if person.erased_at is not None:
        problems.append(_("The record has already been erased."))
    if person.registered_by_id != organization_id:
        problems.append(_("Only the organisation that registered the record can erase it."))
    if not PersonRequest.objects.filter(
        person=person,
        organization_id=organization_id,
        kind=PersonRequest.Kind.STOP_USE,
        decision=PersonRequest.Decision.DONE,
    ).exists():
        problems.append(
            _("First record that your organisation granted the person's request to stop using or erase their data.")
        )
    other_consent = (
        Consent.objects.filter(person=person, withdrawn_at__isnull=True)
        .exclude(organization_id=organization_id)
        .exclude(expires_on__lt=today)
    )
    # A referral still open on either side: the receiver holds the person, or will once it accepts.
    open_referral = Referral.objects.filter(person=person, status__in=SENDER_HOLDS).exclude(
        status=Status.DRAFT, sender_id=organization_id
    )
    meeting_grant = MeetingParticipant.objects.filter(
        meeting__persons=person, meeting__access_until__gte=today
    ).exclude(organization_id=organization_id)
    if other_consent.exists() or open_referral.exists() or meeting_grant.exists():
        problems.append(
            _(
                "Another organisation can see this person's record now (through a consent, an open referral or "
                "a case meeting). All organisations share one record, so erasing it here would erase theirs too: "
                "erase it once no other organisation holds the person."
            )
        )
    return problems


def erase_person(person: Person, *, organization_id: Any, actor: Any) -> list[str]:
    """Empty the person's record for good, keeping provision records, requests and logs; returns the fields erased.

    Also empties who gave the organisation's consents (a guardian's name). The audit and case logs
    name the fields erased, never their values.
    """
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        problems = erasure_blockers(person, organization_id=organization_id, today=timezone.localdate())
        if problems:
            raise ErasureError(problems[0])
        erased = [name for name in ERASED_FIELDS if getattr(person, name)]
        person.name = str(ERASED_NAME)
        person.kana = person.phone = person.address = person.note = ""
        person.birth_date = person.received_on = None
        person.erased_at = timezone.now()
        person.save(update_fields=[*ERASED_FIELDS, "lookup", "erased_at"])
        # Attachments are part of the record: their rows go now, their files once this is committed.
        attachments = list(PersonAttachment.objects.filter(person=person))
        if attachments:
            erased.append("attachments")
            for attachment in attachments:
                transaction.on_commit(partial(attachment.blob.storage.delete, str(attachment.blob.name)))
            PersonAttachment.objects.filter(pk__in=[a.pk for a in attachments]).delete()
        # Encrypted, so compared here rather than in SQL.
        for consent in Consent.objects.filter(person=person, organization_id=organization_id):
            if consent.given_by:
                consent.given_by = ""
                consent.save(update_fields=["given_by"])
        _log_change(
            "cases.person.erased",
            person,
            actor=actor,
            platform=person.platform,
            organization_id=organization_id,
            person_id=person.pk,
            changes={"fields": erased},
            detail={"person": person.pk, "erased": erased},
        )
    return erased
