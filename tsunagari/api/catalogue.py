"""What one mount of the API publishes: every public platform at /api/, one portal at /<slug>/api/."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from tsunagari.directory.models import Organization, Service, ServiceAtLocation, SourceDataset
from tsunagari.directory.queries import platform_services
from tsunagari.tenancy.access import get_public_platform
from tsunagari.tenancy.models import Platform


@dataclass(frozen=True)
class Catalogue:
    """The published records one API mount shows; query it inside `scope(platform=scope_ids)`."""

    platform: Platform | None
    scope_ids: list[int]

    @classmethod
    def for_slug(cls, platform_slug: str | None) -> Catalogue:
        """The national catalogue, or a public portal's (Http404 for unknown or private slugs)."""
        if platform_slug is None:
            return cls(platform=None, scope_ids=list(Platform.objects.public().values_list("pk", flat=True)))
        platform = get_public_platform(platform_slug)
        return cls(platform=platform, scope_ids=platform.scope_ids())

    def services(self) -> QuerySet[Service]:
        """Published services, drafts and defunct ones never included."""
        if self.platform is None:
            return Service.objects.published()
        return platform_services(self.platform)

    def organizations(self) -> QuerySet[Organization]:
        """Organisations with at least one published service here."""
        return Organization.objects.filter(pk__in=self.services().values("organization_id"))

    def service_at_locations(self) -> QuerySet[ServiceAtLocation]:
        return ServiceAtLocation.objects.filter(service__in=self.services().values("pk"))

    def datasets(self) -> QuerySet[SourceDataset]:
        """The source data sets of the published services (for attribution)."""
        return SourceDataset.objects.filter(pk__in=self.services().values("dataset_id")).order_by("slug")
