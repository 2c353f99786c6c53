"""Small builders for directory rows in tests (no factory library: the models are few and plain)."""

from __future__ import annotations

import datetime
from typing import Any

from tsunagari.directory.models import (
    Channel,
    Location,
    Organization,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
)
from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import scopes_disabled


def make_service(
    platform: Platform,
    name: str = "ひきこもり地域支援センター",
    *,
    needs: tuple[str, ...] = ("hikikomori",),
    municipality: str | None = None,
    prefecture: str | None = None,
    publication: str = Service.Publication.PUBLISHED,
    phone: str = "0467-23-3000",
    verified: datetime.date | None = datetime.date(2026, 7, 1),
    **fields: Any,
) -> Service:
    """A service with an organisation, a location, a phone channel and an area."""
    with scopes_disabled():
        org = Organization.objects.create(platform=platform, name=fields.pop("organization_name", "鎌倉市"))
        service = Service.objects.create(
            platform=platform,
            organization=org,
            name=name,
            publication=publication,
            last_verified_on=verified,
            last_verified_by="テスト",
            **fields,
        )
        location = Location.objects.create(
            platform=platform,
            organization=org,
            name=name,
            postal_code="248-8686",
            region="神奈川県",
            city="鎌倉市",
            address_1="御成町18-10",
            municipality_id=municipality or platform.municipality_id,
        )
        ServiceAtLocation.objects.create(platform=platform, service=service, location=location)
        Channel.objects.create(platform=platform, service=service, kind=Channel.Kind.PHONE, value=phone)
        if municipality or platform.municipality_id:
            ServiceArea.objects.create(
                platform=platform,
                service=service,
                kind=ServiceArea.Kind.MUNICIPALITY,
                municipality_id=municipality or platform.municipality_id,
            )
        elif prefecture or platform.prefecture_id:
            ServiceArea.objects.create(
                platform=platform,
                service=service,
                kind=ServiceArea.Kind.PREFECTURE,
                prefecture_id=prefecture or platform.prefecture_id,
            )
        else:
            ServiceArea.objects.create(platform=platform, service=service, kind=ServiceArea.Kind.NATIONWIDE)
        service.terms.set(TaxonomyTerm.objects.filter(taxonomy_id="tsunagari-needs", code__in=needs))
    return service
