"""Councils and meetings register, confidentiality pledges, and concerns (気づき) from supporters (issue 11)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouncilsConfig(AppConfig):
    name = "tsunagari.councils"
    verbose_name = _("Councils, pledges and concerns")

    def ready(self) -> None:
        from tsunagari.audit.models import ACTION_LABELS
        from tsunagari.cases import access
        from tsunagari.workspace.dashboard import register_todo

        from . import dashboard
        from .models import AUDIT_LABELS
        from .pledges import has_valid_pledge, sharing_bases

        ACTION_LABELS.update(AUDIT_LABELS)
        # Cases is below councils (councils uses its encrypted fields), so cases cannot import this
        # check: it is handed over here. Without it, cases lets no one in (see cases/access.py).
        access.register_pledge_check(has_valid_pledge)
        access.register_council_bases(sharing_bases)
        register_todo(dashboard.todos)
