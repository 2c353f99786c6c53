from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo platforms and accounts (`seed-demo`): above every app it fills, so none imports it."""

    name = "tsunagari.demo"
    verbose_name = _("Demo")
