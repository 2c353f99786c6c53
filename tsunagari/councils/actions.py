"""Changes to councils, pledges, supporters and concerns, each in one transaction with its audit event."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagari.accounts.models import Membership, Role, User
from tsunagari.audit.log import record
from tsunagari.cases import caselog
from tsunagari.cases.models import Notification
from tsunagari.cases.notify import notify, organisation_people
from tsunagari.tenancy.models import Platform

from .models import (
    CONCERN_MOVES,
    PLEDGE_VALID_FOR,
    RESPONSE_TIME,
    Concern,
    ConcernState,
    Council,
    CouncilMember,
    Pledge,
    Supporter,
    Urgency,
)
from .pledges import pledge_text


class ConcernMoveError(Exception):
    """A move the concern's states do not allow, or one missing what it needs; the message says why."""


COUNCIL_FIELDS = ("name", "basis", "coordinating_body", "announced_on", "announcement")


def save_council(council: Council, *, actor: Any) -> Council:
    """Create or change a council (its fields already set), recorded in the audit log."""
    with transaction.atomic():
        created = council.pk is None
        before = {} if created else Council.objects.filter(pk=council.pk).values(*COUNCIL_FIELDS).first() or {}
        council.save()
        after = {
            name: getattr(council, name if name != "coordinating_body" else "coordinating_body_id")
            for name in COUNCIL_FIELDS
        }
        changes = {k: [str(before.get(k, "")), str(v)] for k, v in after.items() if before.get(k) != v}
        record(
            "councils.council.created" if created else "councils.council.changed",
            actor=actor,
            platform=council.platform,
            obj=council,
            changes=changes,
        )
    return council


def add_member(council: Council, organization: Any, *, actor: Any) -> CouncilMember:
    with transaction.atomic():
        member = CouncilMember.objects.create(platform=council.platform, council=council, organization=organization)
        record(
            "councils.member.added",
            actor=actor,
            platform=council.platform,
            obj=council,
            changes={"organisation": [None, organization.name]},
        )
    return member


def remove_member(member: CouncilMember, *, actor: Any) -> CouncilMember:
    """The organisation leaves the council: its people's pledges for it stop counting at once."""
    with transaction.atomic():
        member.left_on = timezone.localdate()
        member.save(update_fields=["left_on"])
        record(
            "councils.member.removed",
            actor=actor,
            platform=member.platform,
            obj=member.council,
            changes={"organisation": [member.organization.name, None]},
        )
    return member


def sign_pledge(council: Council, *, user: Any, organization: Any) -> Pledge:
    """`user` signs the pledge for `council` (through `organization`, None as coordinator) for a year."""
    now = timezone.now()
    with transaction.atomic():
        pledge = Pledge.objects.create(
            platform=council.platform,
            council=council,
            user=user,
            organization=organization,
            text=pledge_text(council),
            signed_at=now,
            expires_at=now + PLEDGE_VALID_FOR,
        )
        record(
            "councils.pledge.signed", actor=user, platform=council.platform, obj=pledge, object_repr=f"{council.name}"
        )
    return pledge


def add_supporter(
    platform: Platform, *, email: str, display_name: str, kind: str, organization: Any, actor: Any
) -> tuple[Supporter, bool]:
    """Register a supporter; a new account has no password yet (the caller sends the link to set one).

    Returns the registration and whether the account is new.
    """
    user_model = get_user_model()
    with transaction.atomic():
        user = user_model.objects.filter(email__iexact=email).first()
        created = user is None
        if user is None:
            user = user_model(username=email.lower(), email=email.lower(), display_name=display_name)
            user.set_unusable_password()
            user.save()
        supporter = Supporter.objects.create(
            platform=platform, user=user, kind=kind, organization=organization, added_by=actor
        )
        record("councils.supporter.added", actor=actor, platform=platform, obj=supporter, object_repr=email)
    return supporter, created


def end_supporter(supporter: Supporter, *, actor: Any) -> Supporter:
    with transaction.atomic():
        supporter.ended_at = timezone.now()
        supporter.save(update_fields=["ended_at"])
        record("councils.supporter.ended", actor=actor, platform=supporter.platform, obj=supporter)
    return supporter


def report_concern(
    platform: Platform, *, user: Any, reporter_kind: str, what: str, place: str, urgency: str
) -> Concern:
    """A new concern in the triage queue, due by the urgency rule (RESPONSE_TIME)."""
    now = timezone.now()
    with transaction.atomic():
        concern = Concern.objects.create(
            platform=platform,
            reported_by=user,
            reporter_kind=reporter_kind,
            what=what.strip(),
            place=place.strip(),
            urgency=urgency,
            received_at=now,
            due_at=now + RESPONSE_TIME[urgency],
        )
        record(
            "councils.concern.reported",
            actor=user,
            platform=platform,
            obj=concern,
            changes={"urgency": [None, urgency]},
        )
        # What was written about someone: a change of person data, so the case log has it too.
        caselog.append(
            platform_id=platform.pk,
            action=caselog.CHANGE,
            actor=user,
            detail={"concern_id": concern.pk, "reported": True, "urgency": urgency},
        )
        tell_coordinators(concern)
    return concern


def tell_coordinators(concern: Concern) -> int:
    """Tell the platform's coordinators of a new concern: in the app, and by e-mail with its urgency only.

    The e-mail says that a concern came in, how urgent it is and where the triage queue is; what
    was noticed and where stay behind sign-in, two-factor and the pledge (cases/notify.py).
    """
    platform = concern.platform
    coordinators = User.objects.filter(
        pk__in=Membership.objects.filter(platform=platform, role=Role.COORDINATOR).values("user_id"), is_active=True
    ).order_by("pk")
    slug = platform.slug
    return notify(
        platform,
        coordinators,
        Notification.Kind.CONCERN_NEW,
        f"concern-new:{concern.pk}",
        reverse("workspace:concern", args=[slug, concern.pk]),
        summary=_("How urgent: %(urgency)s") % {"urgency": Urgency(concern.urgency).label},
        inbox=(_("The concerns to triage:"), reverse("workspace:concerns", args=[slug])),
    )


def tell_receiving_organisation(concern: Concern) -> int:
    """Tell the people of the organisation a concern was handed to: in the app, and by e-mail with its urgency only.

    Its administrators and staff (the people who work on cases for it, as for a new referral),
    whether or not they have signed a pledge yet: the notice holds nothing about the person, and
    the page it links to asks for two-factor authentication and a valid pledge first. Telling only
    those who signed would lose the concern when nobody there has signed yet.
    """
    platform = concern.platform
    return notify(
        platform,
        organisation_people(platform, concern.handed_to_id),
        Notification.Kind.CONCERN_HANDED,
        f"concern-handed:{concern.pk}:{concern.handed_to_id}",
        reverse("workspace:concern-handed", args=[platform.slug, concern.pk]),
        summary=_("How urgent: %(urgency)s") % {"urgency": Urgency(concern.urgency).label},
    )


def move_concern(concern: Concern, to: str, *, actor: Any, note: str = "", handed_to: Any = None) -> Concern:
    """Move a concern on: triaged, handed to an organisation (linked), or closed with a reason."""
    with transaction.atomic():
        current = Concern.objects.select_for_update().get(pk=concern.pk)
        if (current.state, to) not in CONCERN_MOVES:
            raise ConcernMoveError(
                _("A concern cannot go from “%(from)s” to “%(to)s”.")
                % {
                    "from": ConcernState(current.state).label,
                    "to": ConcernState(to).label if to in ConcernState.values else to,
                }
            )
        if to == ConcernState.LINKED and handed_to is None:
            raise ConcernMoveError(_("Choose the organisation that takes the concern up."))
        if to == ConcernState.CLOSED and not note.strip():
            raise ConcernMoveError(_("Write why the concern is closed."))
        previous = current.state
        current.state = to
        if note.strip():
            current.note = note.strip()
        if to == ConcernState.LINKED:
            current.handed_to = handed_to
        current.save(update_fields=["state", "note", "handed_to", "updated_at"])
        record(
            "councils.concern.moved",
            actor=actor,
            platform=current.platform,
            obj=current,
            changes={"state": [previous, to]},
        )
        if to == ConcernState.LINKED:
            # What a supporter wrote about someone now goes to an organisation: a share, in the case
            # log like a provision (by ids, never the text), with how many of its people were told.
            told = tell_receiving_organisation(current)
            caselog.append(
                platform_id=current.platform_id,
                action=caselog.SHARE,
                actor=actor,
                detail={
                    "concern_id": current.pk,
                    "handed_to": str(current.handed_to_id),
                    "urgency": current.urgency,
                    "notified": told,
                },
            )
    return current
