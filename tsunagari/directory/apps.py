from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "tsunagari.directory"
    verbose_name = _("Support directory")

    def ready(self) -> None:
        from . import signals  # noqa: F401
