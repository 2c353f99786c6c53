"""The audit log: who did what, when, and from where."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import PlatformScopedManager

# What each action is called on the audit page; an action missing here shows its code. Apps that
# record new actions add their labels here.
ACTION_LABELS: dict[str, str | Promise] = {
    "account.login": _("signed in"),
    "account.login_failed": _("sign-in failed"),
    "account.logout": _("signed out"),
    "account.password_changed": _("changed their password"),
    "account.password_reset": _("reset their password by e-mail"),
    "mfa.totp_activated": _("turned on two-factor authentication"),
    "mfa.authenticator_removed": _("removed a two-factor authenticator"),
    "mfa.recovery_codes_generated": _("made new recovery codes"),
    "mfa.code_rejected": _("entered a wrong two-factor code"),
    "invitation.sent": _("sent an invitation"),
    "invitation.accepted": _("accepted an invitation"),
    "invitation.revoked": _("revoked an invitation"),
    "role.granted": _("gave a role"),
    "role.removed": _("removed a role"),
    "admin.added": _("added in the admin"),
    "admin.changed": _("changed in the admin"),
    "admin.deleted": _("deleted in the admin"),
    "admin.action": _("ran an action in the admin"),
    "audit.exported": _("exported the audit log"),
}


class AuditEvent(models.Model):
    """One thing a person did. Written by `audit.record` inside the action's transaction."""

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("who")
    )
    # Kept as text too, so the record still names the person after their account is deleted.
    actor_email = models.CharField(_("who (e-mail)"), max_length=254, blank=True)
    # Empty for what a person does outside any one platform (signing in, two-factor set-up).
    platform = models.ForeignKey(
        Platform, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("platform")
    )
    action = models.CharField(_("what"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    ip = models.GenericIPAddressField(_("from (IP address)"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    objects: models.Manager[AuditEvent] = PlatformScopedManager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["platform", "-at"], name="audit_platform_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_email} {self.action} {self.object_repr}"

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))
