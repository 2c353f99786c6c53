"""People and their roles on platforms, and invitations to take a role."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagari.tenancy.models import Platform


class User(AbstractUser):
    """A person who signs in. Residents never need an account."""

    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("name shown to others"), max_length=100, blank=True)

    def __str__(self) -> str:
        return self.display_name or self.get_username()


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("coordinator (事務局)")
    ORG_ADMIN = "org_admin", _("member organisation administrator")
    ORG_STAFF = "org_staff", _("member staff")
    OBSERVER = "observer", _("observer (prefecture or national staff)")


# Roles that may edit the directory of a platform in the staff pages.
DIRECTORY_EDITORS = frozenset({Role.COORDINATOR})
# Roles that must sign in with a second factor (TOTP): they change what residents see and who
# may do what.
MFA_REQUIRED_ROLES = frozenset({Role.COORDINATOR, Role.ORG_ADMIN})
# Roles that belong to one member organisation of the platform.
ORGANISATION_ROLES = frozenset({Role.ORG_ADMIN, Role.ORG_STAFF})


class MembershipQuerySet(models.QuerySet["Membership"]):
    def on(self, platform: Platform) -> MembershipQuerySet:
        return self.filter(platform=platform)

    def roles_of(self, user: Any, platform: Platform) -> set[str]:
        """The roles `user` holds on `platform` (empty for anonymous visitors)."""
        if not getattr(user, "is_authenticated", False):
            return set()
        return set(self.filter(user=user, platform=platform).values_list("role", flat=True))

    def administered_by(self, user: Any, platform: Platform) -> models.QuerySet[Any]:
        """Ids of the organisations `user` administers on `platform` (as values for `__in` filters)."""
        return self.filter(user=user, platform=platform, role=Role.ORG_ADMIN).values("organization_id")


class Membership(models.Model):
    """One person's role on one platform, for member staff within one organisation.

    A person may hold several: roles on several platforms, or staff of two organisations on one.
    Observers (prefecture or national staff) hold an OBSERVER membership on each platform they
    oversee, so every access check reads the same table.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="memberships")
    platform = models.ForeignKey(Platform, models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    organization = models.ForeignKey(
        "directory.Organization",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("organisation"),
        help_text=_("For member organisation administrators and staff."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("platform role")
        verbose_name_plural = _("platform roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "platform", "role"], condition=Q(organization__isnull=True), name="one_role_once"
            ),
            models.UniqueConstraint(
                fields=["user", "platform", "role", "organization"],
                condition=Q(organization__isnull=False),
                name="one_organisation_role_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.platform} ({self.get_role_display()})"


def staff_platform_ids(user: Any) -> list[int]:
    """Platforms whose staff pages and directory `user` may edit."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Membership.objects.filter(user=user, role__in=DIRECTORY_EDITORS).values_list("platform_id", flat=True))


def may_open_case_records(user: Any) -> bool:
    """Whether `user` works for a member organisation, the people who may open case records (cases.access)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(user=user, role__in=ORGANISATION_ROLES, organization__isnull=False).exists()


def requires_mfa(user: Any) -> bool:
    """Whether `user` must have a TOTP authenticator before using the workspace or the admin."""
    if not getattr(user, "is_authenticated", False):
        return False
    if getattr(user, "is_superuser", False) or getattr(user, "is_staff", False):
        return True
    return Membership.objects.filter(user=user, role__in=MFA_REQUIRED_ROLES).exists()


def invitation_expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=settings.INVITATION_MAX_AGE_DAYS)


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self) -> InvitationQuerySet:
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """An invitation to take `role` on `platform`, sent to an e-mail address.

    The link in the e-mail carries a signed token of the id (see accounts.invitations); the row
    says whether it is still open, so a coordinator can see and revoke what they sent.
    """

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    organization = models.ForeignKey(
        "directory.Organization",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("organisation"),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} – {self.platform} ({self.get_role_display()})"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()
