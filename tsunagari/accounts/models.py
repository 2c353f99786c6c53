"""People and their roles on platforms."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
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


class Membership(models.Model):
    """One person's role on one platform. A person may hold several."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="memberships")
    platform = models.ForeignKey(Platform, models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("platform role")
        verbose_name_plural = _("platform roles")
        constraints = [models.UniqueConstraint(fields=["user", "platform", "role"], name="one_role_once")]

    def __str__(self) -> str:
        return f"{self.user} – {self.platform} ({self.get_role_display()})"


def staff_platform_ids(user: object) -> list[int]:
    """Platforms whose staff pages and directory `user` may edit."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Membership.objects.filter(user=user, role__in=DIRECTORY_EDITORS).values_list("platform_id", flat=True)
    )
