from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "tsunagari.api"
    verbose_name = "HSDS API"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from tsunagari.directory.models import SourceDataset, Taxonomy
        from tsunagari.directory.signals import bump_directory_version
        from tsunagari.tenancy.models import Platform

        # Cached API pages also depend on these: a portal made private, an attribution changed,
        # a taxonomy renamed must not be served from the cache.
        for model in (Platform, SourceDataset, Taxonomy):
            post_save.connect(bump_directory_version, sender=model, dispatch_uid=f"api-bump-{model.__name__}-save")
            post_delete.connect(bump_directory_version, sender=model, dispatch_uid=f"api-bump-{model.__name__}-delete")
