"""A person's disclosure request (開示請求, 個人情報保護法 §33): everything the organisation holds, in one file.

The answer covers what the answering organisation holds about the person (its 保有個人データ): the
record itself, its consents, the referrals and case meetings it sees, the follow-up tasks about the
person, the files it keeps with the record (its attachments, listed and included byte for byte),
and the provision records (第三者提供記録, §33(5)) where it provided the person's data or received it.

Of the record it holds all fields if it registered the person, otherwise only the items provided
to it (a referral's chosen items, a meeting's; access.seen_items). Files another organisation
provided with a referral (the "attachments" item) are in it too: it holds them now. Another
organisation's other attachments are not in it, not even listed: they are held by that
organisation, which answers the person's request for them itself (§33 binds each 個人情報取扱事業者
to disclose what *it* holds), and the answering organisation was never provided them — naming them
here would disclose to it, with no provision record, that another organisation keeps files about
the person and what they are called. Writing the file is a disclosure of its own: it goes to the
case log and the audit log.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tsunagari.audit.log import record

from . import actions, caselog
from .access import seen_attachments, seen_items, visible_meetings, visible_referrals
from .models import RECORD_ITEMS, Basis, Consent, FollowUpTask, Person, PersonAttachment, ProvisionRecord, Status


def _label(choices: Any, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def answer(person: Person, *, orgs: frozenset[Any], actor: Any) -> dict[str, Any]:
    """The disclosure as a dictionary with Japanese-readable labels; logged as an export."""
    today = timezone.localdate()
    referrals = visible_referrals(orgs, person.platform_id).filter(person=person).select_related("sender", "receiver")
    meetings = visible_meetings(orgs, person.platform_id, today).filter(persons=person).select_related("organizer")
    provision_rows = list(
        ProvisionRecord.objects.filter(Q(provider__in=orgs) | Q(recipient__in=orgs), person=person)
        .select_related("provider", "recipient")
        .order_by("provided_at", "pk")
    )
    # The answering organisation's own files and those provided to it (see the module's docstring).
    attachments = list(seen_attachments(person, orgs).select_related("organization").order_by("uploaded_at", "pk"))
    # Of the record, only what the organisation holds: all of it if it registered the person, else
    # the items provided to it.
    seen = seen_items(person, orgs)
    record_fields = {
        item: getattr(person, item).isoformat() if item == "birth_date" and person.birth_date else getattr(person, item)
        for item in RECORD_ITEMS
        if item in seen
    }
    data: dict[str, Any] = {
        "answered_at": timezone.localtime().isoformat(timespec="seconds"),
        "person": {
            "id": person.pk,
            **record_fields,
            "registered_by": person.registered_by.name,
            "registered_at": timezone.localtime(person.created_at).isoformat(timespec="seconds"),
        },
        "consents": [
            {
                "organization": consent.organization.name,
                "basis": _label(Basis, consent.basis),
                "method": consent.get_method_display(),
                "given_on": consent.given_on.isoformat(),
                "expires_on": consent.expires_on.isoformat() if consent.expires_on else None,
                "withdrawn_at": consent.withdrawn_at.isoformat() if consent.withdrawn_at else None,
            }
            for consent in Consent.objects.filter(person=person, organization__in=orgs).select_related("organization")
        ],
        "referrals": [
            {
                "id": referral.pk,
                "from": referral.sender.name,
                "to": referral.receiver.name,
                "state": _label(Status, referral.status),
                "need": referral.need,
                "items": referral.item_labels(),
                "reason_or_outcome": referral.reason,
                "created_at": timezone.localtime(referral.created_at).isoformat(timespec="seconds"),
            }
            for referral in referrals.order_by("created_at")
        ],
        "case_meetings": [
            {
                "id": meeting.pk,
                "title": meeting.title,
                "held_at": timezone.localtime(meeting.held_at).isoformat(timespec="minutes"),
                "organizer": meeting.organizer.name,
                "basis": _label(Basis, meeting.basis),
                "decisions": meeting.decisions,
            }
            for meeting in meetings.order_by("held_at")
        ],
        "follow_up_tasks": [
            {"title": task.title, "due_on": task.due_on.isoformat(), "done": task.done_at is not None}
            for task in FollowUpTask.objects.filter(person=person, meeting__in=meetings.values("pk"))
        ],
        "attachments": [_attachment(attachment) for attachment in attachments],
        "provision_records": [
            {
                "date": timezone.localtime(provision.provided_at).isoformat(timespec="seconds"),
                "provider": provision.provider.name,
                "recipient": provision.recipient.name,
                "items": provision.item_labels(),
                "basis": _label(Basis, provision.basis),
            }
            for provision in provision_rows
        ],
    }
    with transaction.atomic():
        record("cases.person.disclosed", actor=actor, platform=person.platform, obj=person)
        caselog.append(
            platform_id=person.platform_id,
            action=caselog.EXPORT,
            actor=actor,
            organizations=orgs,
            persons=[person.pk],
            detail={
                "disclosure": True,
                "provision_records": len(provision_rows),
                "attachments": [attachment.pk for attachment in attachments],
            },
        )
    return data


def _attachment(attachment: PersonAttachment) -> dict[str, Any]:
    """One kept file: what it is, and its bytes (base64) with their SHA-256 so the person can check them."""
    content = actions.read_attachment(attachment)
    return {
        "id": attachment.pk,
        "file_name": attachment.name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "added_at": timezone.localtime(attachment.uploaded_at).isoformat(timespec="seconds"),
        "organization": attachment.organization.name,
        "sha256": hashlib.sha256(content).hexdigest(),
        "content_base64": base64.b64encode(content).decode("ascii"),
    }


def as_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode()
