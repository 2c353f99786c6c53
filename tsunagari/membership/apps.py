"""Membership: organisations join a platform, keep their listings right, and hear from residents."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembershipConfig(AppConfig):
    name = "tsunagari.membership"
    verbose_name = _("Membership")

    def ready(self) -> None:
        from tsunagari.audit.models import ACTION_LABELS

        from .models import AUDIT_LABELS

        # Registered from here rather than written into audit.models, so that the audit app keeps
        # no list of other apps' actions.
        ACTION_LABELS.update(AUDIT_LABELS)

        from tsunagari.workspace.dashboard import register_activity, register_todo

        from . import dashboard

        register_todo(dashboard.todos)
        register_activity(dashboard.activity)
