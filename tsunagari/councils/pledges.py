"""Confidentiality pledges (誓約): who must sign which, the text per legal basis, and whether one is valid.

A pledge is valid for a year from signing, and only while the person still takes part in the
council: through an organisation role in an organisation that still sits on it, or as one of the
platform's coordinators. Leaving the council or the organisation ends it at the next request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tsunagari.accounts.models import ORGANISATION_ROLES, Membership, Role
from tsunagari.tenancy.models import Platform

from .models import Basis, Council, CouncilMember, Pledge

# What the person promises, per legal basis. The regional council's duty and penalty are those of
# the Act on the Promotion of Loneliness and Isolation Countermeasures; the support council's those
# of the Social Welfare Act (§106-6); the other two rest on the person's consent and the APPI.
DUTY: dict[str, str] = {
    Basis.REGIONAL_COUNCIL: gettext_noop(
        "As a person handling the business of the regional council “%(council)s”, I will not disclose, "
        "without a legitimate reason, any secret I learn in that business, while I take part and after I "
        "leave. This duty is set by the Act on the Promotion of Loneliness and Isolation Countermeasures; "
        "breaking it is a crime punishable by imprisonment of up to one year or a fine of up to 500,000 yen."
    ),
    Basis.SUPPORT_COUNCIL: gettext_noop(
        "As a person handling the business of the support council “%(council)s” (Social Welfare Act "
        "§106-6), I will not disclose, without a legitimate reason, any secret I learn in that business, "
        "while I take part and after I leave. Its meetings are closed, and information shared there without "
        "the person's consent may be used only for the council's work. Breaking this duty is a crime under "
        "the Social Welfare Act's penal provisions."
    ),
    Basis.MULTI_LAYERED: gettext_noop(
        "In the multi-layered support meeting “%(council)s”, information about a person is shared only "
        "with their consent and only for their support. I will keep it confidential under the Act on the "
        "Protection of Personal Information and my organisation's rules, while I take part and after I leave."
    ),
    Basis.CONSENT_GROUP: gettext_noop(
        "In “%(council)s”, information about a person is shared only with their consent and only for their "
        "support. I will keep it confidential under the Act on the Protection of Personal Information and my "
        "organisation's rules, while I take part and after I leave."
    ),
}
COMMON = gettext_noop(
    "I will look at a person's record only when their support needs it; I will not copy, photograph, "
    "print or take it out of Tsunagari except as the council decides; and I will tell the coordinator at "
    "once if I think information may have leaked. This pledge lasts one year and must then be renewed."
)


def pledge_text(council: Council) -> str:
    """The pledge for `council`, in the active language (the signed text is kept as shown)."""
    return _(DUTY[council.basis]) % {"council": council.name} + "\n\n" + _(COMMON)


@dataclass(frozen=True)
class Seat:
    """A council a person takes part in, and through which organisation (None: as coordinator)."""

    council: Council
    organization_id: Any
    pledge: Pledge | None


def _organisations(user: Any, platform: Platform) -> QuerySet[Any]:
    return Membership.objects.filter(
        user=user, platform=platform, role__in=ORGANISATION_ROLES, organization__isnull=False
    ).values("organization_id")


def _is_coordinator(user: Any, platform: Platform) -> bool:
    return Membership.objects.filter(user=user, platform=platform, role=Role.COORDINATOR).exists()


def valid_pledges(user: Any, platform: Platform) -> QuerySet[Pledge]:
    """`user`'s pledges on `platform` that count now. Call inside the platform's scope."""
    if not getattr(user, "is_authenticated", False):
        return Pledge.objects.none()
    seat_now = CouncilMember.objects.filter(
        council=OuterRef("council"), organization=OuterRef("organization"), left_on__isnull=True
    )
    role_now = Membership.objects.filter(
        user=user, platform=platform, role__in=ORGANISATION_ROLES, organization=OuterRef("organization")
    )
    counts = Q(Exists(seat_now)) & Q(Exists(role_now))
    if _is_coordinator(user, platform):
        counts |= Q(organization__isnull=True)
    return Pledge.objects.filter(platform=platform, user=user, expires_at__gt=timezone.now()).filter(counts)


def has_valid_pledge(user: Any, platform: Platform) -> bool:
    """Whether `user` may see case data on `platform` as far as pledges go (the hook cases calls)."""
    return valid_pledges(user, platform).exists()


def seats(user: Any, platform: Platform) -> list[Seat]:
    """The councils `user` takes part in now, each with their pledge for it if still valid."""
    valid = {(p.council_id, p.organization_id): p for p in valid_pledges(user, platform).order_by("signed_at")}
    found: list[Seat] = []
    members = (
        CouncilMember.objects.filter(left_on__isnull=True, organization_id__in=_organisations(user, platform))
        .select_related("council")
        .order_by("council__name")
    )
    for member in members:
        found.append(
            Seat(member.council, member.organization_id, valid.get((member.council_id, member.organization_id)))
        )
    if _is_coordinator(user, platform):
        for council in Council.objects.order_by("name"):
            found.append(Seat(council, None, valid.get((council.pk, None))))
    return found


# Councils under which members may share about a person without their consent (the law's own basis).
SHARING_BASES = frozenset({Basis.SUPPORT_COUNCIL, Basis.REGIONAL_COUNCIL})


def sharing_bases(user: Any, platform: Platform, sender_id: Any, receiver_id: Any) -> frozenset[str]:
    """The bases of the councils on which both organisations sit now and `user` holds a valid pledge
    through `sender_id`: the referral bases other than consent that cases offers (cases.access)."""
    receiver_sits = CouncilMember.objects.filter(
        council=OuterRef("council"), organization_id=receiver_id, left_on__isnull=True
    )
    return frozenset(
        valid_pledges(user, platform)
        .filter(organization_id=sender_id, council__basis__in=SHARING_BASES)
        .filter(Exists(receiver_sits))
        .values_list("council__basis", flat=True)
    )
