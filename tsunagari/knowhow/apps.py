"""Know-how: case studies and notes, searchable in Japanese, kept in a platform or shared with all."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowhowConfig(AppConfig):
    name = "tsunagari.knowhow"
    verbose_name = _("Know-how library")

    def ready(self) -> None:
        from tsunagari.audit.models import ACTION_LABELS

        from .models import AUDIT_LABELS

        ACTION_LABELS.update(AUDIT_LABELS)
