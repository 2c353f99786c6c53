"""Audit records for what happens outside our own actions: sign-in, passwords, MFA, the admin."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth import signals as auth_signals
from django.db.models.signals import post_save
from django.dispatch import receiver

from tsunagari.tenancy.models import Platform

from .log import record


@receiver(auth_signals.user_logged_in, dispatch_uid="audit-login")
def on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record("account.login", actor=user, request=request, obj=user)


@receiver(auth_signals.user_logged_out, dispatch_uid="audit-logout")
def on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record("account.logout", actor=user, request=request, obj=user)


@receiver(auth_signals.user_login_failed, dispatch_uid="audit-login-failed")
def on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    login = str(credentials.get("email") or credentials.get("username") or "")[:200]
    # Tie the failure to the account it tried, so that its platforms' coordinators see it.
    user = get_user_model().objects.filter(email__iexact=login).first() if login else None
    record("account.login_failed", actor=user, request=request, object_repr=login)


@receiver(account_signals.password_changed, dispatch_uid="audit-password-changed")
def on_password_changed(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record("account.password_changed", actor=user, request=request, obj=user)


@receiver(account_signals.password_reset, dispatch_uid="audit-password-reset")
def on_password_reset(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record("account.password_reset", actor=user, request=request, obj=user)


@receiver(mfa_signals.authenticator_added, dispatch_uid="audit-mfa-added")
def on_authenticator_added(sender: Any, request: Any, user: Any, authenticator: Authenticator, **kwargs: Any) -> None:
    action = "mfa.totp_activated" if authenticator.type == Authenticator.Type.TOTP else "mfa.recovery_codes_generated"
    record(action, actor=user, request=request, obj=user)


@receiver(mfa_signals.authenticator_removed, dispatch_uid="audit-mfa-removed")
def on_authenticator_removed(sender: Any, request: Any, user: Any, authenticator: Authenticator, **kwargs: Any) -> None:
    record("mfa.authenticator_removed", actor=user, request=request, obj=user, changes={"type": authenticator.type})


@receiver(mfa_signals.authenticator_reset, dispatch_uid="audit-mfa-reset")
def on_authenticator_reset(sender: Any, request: Any, user: Any, authenticator: Authenticator, **kwargs: Any) -> None:
    record("mfa.recovery_codes_generated", actor=user, request=request, obj=user)


@receiver(mfa_signals.authentication_failed, dispatch_uid="audit-mfa-failed")
def on_mfa_failed(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record("mfa.code_rejected", actor=user, request=request, obj=user)


ADMIN_ACTIONS = {ADDITION: "admin.added", CHANGE: "admin.changed", DELETION: "admin.deleted"}

# Set while admin_site.AuditedAdminMixin writes log entries whose records it makes itself.
_recorded_by_caller: ContextVar[bool] = ContextVar("admin_entries_recorded_by_caller", default=False)


@contextmanager
def admin_entries_recorded_here() -> Iterator[None]:
    """Inside this block, the LogEntry signal handler records nothing: the caller does."""
    token = _recorded_by_caller.set(True)
    try:
        yield
    finally:
        _recorded_by_caller.reset(token)


def record_admin_entry(entry: LogEntry, obj: Any = None) -> None:
    """Record one Django admin LogEntry, on the platform of the changed row (`obj`, or looked up)."""
    if obj is None:
        try:
            obj = entry.get_edited_object()
        except Exception:
            obj = None
    platform_id = None
    if isinstance(obj, Platform):
        platform_id = None if entry.action_flag == DELETION else obj.pk
    elif obj is not None:
        platform_id = getattr(obj, "platform_id", None)
    platform = Platform.objects.filter(pk=platform_id).first() if platform_id else None
    content_type = entry.content_type
    # Named from the log entry, not the object: after a deletion the row is gone.
    record(
        ADMIN_ACTIONS.get(entry.action_flag, "admin.changed"),
        actor=entry.user,
        platform=platform,
        changes={"message": entry.get_change_message()},
        object_type=f"{content_type.app_label}.{content_type.model}" if content_type else "",
        object_id=str(entry.object_id or ""),
        object_repr=entry.object_repr,
    )


@receiver(post_save, sender=LogEntry, dispatch_uid="audit-admin")
def on_admin_log_entry(sender: Any, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    """Mirror every Django admin change saved one by one (bulk deletions: see admin_site)."""
    if created and not _recorded_by_caller.get():
        record_admin_entry(instance)
