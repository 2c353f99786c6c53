"""Programme reporting (issue 13): each platform's yearly plan and results, and the oversight views."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "tsunagari.reporting"
    verbose_name = _("Programme reporting")

    def ready(self) -> None:
        from tsunagari.audit.models import ACTION_LABELS

        from .models import AUDIT_LABELS

        ACTION_LABELS.update(AUDIT_LABELS)

        from tsunagari.accounts.models import Role
        from tsunagari.workspace.nav import NAV, NavItem

        NAV.append(
            NavItem(_("Programme plan and report"), "workspace:reporting", frozenset({Role.COORDINATOR, Role.OBSERVER}))
        )
