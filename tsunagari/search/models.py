"""The search index: one document per service, kept in step with the directory.

The full-text part lives beside these tables and is created by migration 0002: on SQLite an FTS5
table `search_fts` over (body, facets) with triggers on `search_servicedocument`; on PostgreSQL a
generated `tsv` column of `search_servicedocument` with a GIN index. Neither is a Django field,
so the ORM never writes them and they can never drift from `body` and `facets`.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tsunagari.directory.models import Service
from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import PlatformScopedManager


class ServiceDocument(models.Model):
    """What search knows about one service: its analysed words and its filter tokens."""

    # An integer key, because FTS5 addresses rows by integer rowid.
    id = models.BigAutoField(primary_key=True)
    service = models.OneToOneField(Service, models.CASCADE, related_name="search_document")
    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    body = models.TextField(help_text=_("Search tokens of the service's texts, separated by spaces."))
    facets = models.TextField(help_text=_("Filter tokens (needs, areas, hours, …), separated by spaces."))
    # Results without words are sorted by it in Python, at most MAX_MATCHES of them (search.query._page).
    sort_name = models.CharField(max_length=300, help_text=_("The order of results when nothing is typed."))
    indexed_at = models.DateTimeField(auto_now=True)

    objects = PlatformScopedManager()

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")

    def __str__(self) -> str:
        return self.sort_name


class ServicePoint(models.Model):
    """Where on the map a service can be met: one row per location with coordinates."""

    document = models.ForeignKey(ServiceDocument, models.CASCADE, related_name="points")
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        verbose_name = _("service point")
        verbose_name_plural = _("service points")
        indexes = [models.Index(fields=["latitude", "longitude"], name="search_point_lat_lon")]

    def __str__(self) -> str:
        return f"{self.latitude:.5f},{self.longitude:.5f}"
