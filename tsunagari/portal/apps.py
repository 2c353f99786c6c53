from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "tsunagari.portal"
    verbose_name = _("Public portal")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from tsunagari.programs.models import Event
        from tsunagari.tenancy.models import Platform

        from .pagecache import bump_portal_version

        # What the cached home pages show beside the directory: the platform itself and its events.
        for model in (Platform, Event):
            post_save.connect(bump_portal_version, sender=model, dispatch_uid=f"portal-page-{model.__name__}-save")
            post_delete.connect(bump_portal_version, sender=model, dispatch_uid=f"portal-page-{model.__name__}-delete")
