"""Notices: the members' notice board of a platform and of its working groups."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "tsunagari.notices"
    verbose_name = _("Notice board")

    def ready(self) -> None:
        from tsunagari.audit.models import ACTION_LABELS

        from .models import AUDIT_LABELS

        # As in membership: each app registers the labels of the actions it records.
        ACTION_LABELS.update(AUDIT_LABELS)

        from tsunagari.workspace.dashboard import register_activity, register_todo

        from . import dashboard

        register_todo(dashboard.todos)
        register_activity(dashboard.activity)
