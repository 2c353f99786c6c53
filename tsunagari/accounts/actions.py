"""Named actions on people and roles: invite, accept, grant, remove, revoke.

Each is atomic, writes its audit record and queues its e-mail for after the commit.
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tsunagari.audit.log import record
from tsunagari.tenancy.models import Platform

from .mail import render_message, send_after_commit
from .models import Invitation, Membership, Role, User, staff_platform_ids

INVITATION_SALT = "tsunagari.accounts.invitation"


class LastCoordinatorError(Exception):
    """A platform must keep at least one coordinator."""


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(invitation.pk, salt=INVITATION_SALT)


def invitation_from_token(token: str) -> Invitation | None:
    """The open invitation the link stands for, or None if forged, expired, used or revoked."""
    max_age = settings.INVITATION_MAX_AGE_DAYS * 24 * 60 * 60
    try:
        pk = signing.loads(token, salt=INVITATION_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    invitation = Invitation.objects.select_related("platform").filter(pk=pk).first()
    return invitation if invitation is not None and invitation.is_open else None


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("accounts:invitation", args=[invitation_token(invitation)])


def workspace_url(platform: Platform) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("workspace:home", args=[platform.slug])


def grant_role(
    *, user: User, platform: Platform, role: str, organization: Any = None, actor: Any = None
) -> tuple[Membership, bool]:
    """Give `user` `role` on `platform` (and `organization`); a role held already is kept."""
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            user=user, platform=platform, role=role, organization=organization
        )
        if role == Role.COORDINATOR and not user.is_staff:
            # Coordinators edit the directory in the Django admin, which needs is_staff.
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        if created:
            record(
                "role.granted",
                actor=actor,
                platform=platform,
                obj=membership,
                changes={"user": user.email, "role": role, "organization": str(organization or "")},
            )
    return membership, created


def remove_role(membership: Membership, *, actor: Any) -> None:
    """Take a role away; refuses to leave a platform without a coordinator."""
    with transaction.atomic():
        platform = membership.platform
        if membership.role == Role.COORDINATOR:
            coordinators = Membership.objects.select_for_update().filter(platform=platform, role=Role.COORDINATOR)
            if coordinators.count() <= 1:
                raise LastCoordinatorError
        record(
            "role.removed",
            actor=actor,
            platform=platform,
            obj=membership,
            changes={"user": membership.user.email, "role": membership.role},
        )
        membership.delete()
        user = membership.user
        if user.is_staff and not user.is_superuser and not staff_platform_ids(user):
            user.is_staff = False
            user.save(update_fields=["is_staff"])


def invite(*, platform: Platform, email: str, role: str, organization: Any = None, invited_by: Any) -> Invitation:
    """Invite `email` to take `role` on `platform`.

    Someone who already has an account gets the role at once and an e-mail saying so (the
    returned invitation is then already accepted); anyone else gets a link to set a password.
    """
    email = email.strip().lower()
    with transaction.atomic():
        invitation = Invitation.objects.create(
            platform=platform, email=email, role=role, organization=organization, invited_by=invited_by
        )
        record(
            "invitation.sent",
            actor=invited_by,
            platform=platform,
            obj=invitation,
            changes={"email": email, "role": role, "organization": str(organization or "")},
        )
        user = User.objects.filter(email__iexact=email).first()
        context: dict[str, Any] = {"invitation": invitation, "platform": platform, "invited_by": invited_by}
        if user is not None:
            grant_role(user=user, platform=platform, role=role, organization=organization, actor=invited_by)
            invitation.accepted_at = timezone.now()
            invitation.save(update_fields=["accepted_at"])
            context["url"] = workspace_url(platform)
            send_after_commit(render_message("account/email/role_granted", email, context))
        else:
            context["url"] = invitation_url(invitation)
            send_after_commit(render_message("account/email/invitation", email, context))
    return invitation


def invite_staff(*, platform: Platform, organization: Any, email: str, invited_by: Any) -> Invitation:
    """A member organisation's administrator invites `email` as staff (ORG_STAFF) of `organization`.

    Never another role, never another platform's organisation; that `invited_by` administers
    `organization` is checked by the caller (workspace.views.staff_organisations).
    """
    if organization.platform_id != platform.pk:
        raise ValueError("The organisation belongs to another platform.")
    return invite(platform=platform, email=email, role=Role.ORG_STAFF, organization=organization, invited_by=invited_by)


def accept_invitation(invitation: Invitation, *, display_name: str = "", password: str | None = None) -> User:
    """Take up `invitation`: create the account (with `password`) if there is none, give the role."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.is_open:
            raise Invitation.DoesNotExist
        user = User.objects.filter(email__iexact=invitation.email).first()
        if user is None:
            if not password:
                raise ValueError("A new account needs a password.")
            user = User(username=invitation.email[:150], email=invitation.email, display_name=display_name)
            user.set_password(password)
            user.save()
            # The invitation link reached this address, so it counts as verified (allauth's MFA
            # refuses accounts with unverified addresses).
            EmailAddress.objects.create(user=user, email=invitation.email, verified=True, primary=True)
        grant_role(
            user=user,
            platform=invitation.platform,
            role=invitation.role,
            organization=invitation.organization,
            actor=user,
        )
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        record("invitation.accepted", actor=user, platform=invitation.platform, obj=invitation)
    return user


def revoke_invitation(invitation: Invitation, *, actor: Any) -> None:
    with transaction.atomic():
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        record("invitation.revoked", actor=actor, platform=invitation.platform, obj=invitation)
