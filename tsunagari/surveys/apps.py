"""Surveys of the local situation (issue 12): questionnaires, collection, weights and estimates."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "tsunagari.surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from tsunagari.audit.models import ACTION_LABELS

        from .models import AUDIT_LABELS

        ACTION_LABELS.update(AUDIT_LABELS)
