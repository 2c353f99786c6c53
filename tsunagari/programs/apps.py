"""Programs: meetings, working groups, workshops, training and public events; training records."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "tsunagari.programs"
    verbose_name = _("Meetings, events and training")

    def ready(self) -> None:
        from tsunagari.audit.models import ACTION_LABELS

        from .models import AUDIT_LABELS

        ACTION_LABELS.update(AUDIT_LABELS)

        from tsunagari.workspace.dashboard import register_activity, register_todo

        from . import dashboard

        register_todo(dashboard.todos)
        register_activity(dashboard.activity)
