from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenancyConfig(AppConfig):
    name = "tsunagari.tenancy"
    verbose_name = _("Platforms and areas")
