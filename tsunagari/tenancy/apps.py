from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class TenancyConfig(AppConfig):
    name = "tsunagari.tenancy"
    verbose_name = _("Platforms and areas")

    def ready(self) -> None:
        # The shared cache's table (no Redis) is part of every installation, made by `migrate`.
        from tsunagari.cache import create_cache_tables

        post_migrate.connect(create_cache_tables, sender=self, dispatch_uid="tsunagari-cache-tables")
