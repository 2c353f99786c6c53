"""Joint support (issue 11): persons, consent and referrals (つなぎ) under the law's confidentiality."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "tsunagari.cases"
    verbose_name = _("Joint support cases")

    def ready(self) -> None:
        from tsunagari.audit.models import ACTION_LABELS
        from tsunagari.workspace.dashboard import register_todo

        from . import dashboard
        from .models import AUDIT_LABELS

        ACTION_LABELS.update(AUDIT_LABELS)
        register_todo(dashboard.todos)
