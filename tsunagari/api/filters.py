"""The HSDS list filters (search, taxonomy, organisation, modified_after, postcode, proximity)."""

from __future__ import annotations

import math
from typing import Any

from django.db.models import Avg, Exists, OuterRef, Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _

from tsunagari.directory.hsds import CHANNELS, channel_taxonomy, channel_terms, taxonomy_uuid
from tsunagari.directory.models import NEEDS, Channel, Location, Service, ServiceAtLocation, Taxonomy, TaxonomyTerm

from . import params
from .params import ApiError, Proximity

# Bounding boxes are cut in degrees; one degree of latitude is about this many metres.
METRES_PER_DEGREE = 111_320.0


def search_q(query: QueryDict, *fields: str) -> Q | None:
    """Words in any of `fields` (icontains; Japanese full-text search replaces this later)."""
    words = params.text(query, "search")
    if not words:
        return None
    condition = Q()
    for word in words.split():
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__icontains": word})
        condition &= any_field
    return condition


def resolve_taxonomy(raw: str) -> str | None:
    """A taxonomy slug from its HSDS id (UUID) or its slug; None for an unknown UUID."""
    slugs = [*Taxonomy.objects.values_list("pk", flat=True), CHANNELS]
    as_uuid = params.as_uuid(raw)
    if as_uuid is not None:
        return next((slug for slug in slugs if taxonomy_uuid(slug) == as_uuid), None)
    if raw in slugs:
        return raw
    raise ApiError(
        _("taxonomy_id「%(value)s」に当たる分類がありません。/taxonomies にある id を指定してください。")
        % {"value": raw},
        parameter="taxonomy_id",
    )


def resolve_term(raw: str) -> TaxonomyTerm | None:
    """A term from its id (UUID) or a need code such as "hikikomori"; None for an unknown UUID."""
    as_uuid = params.as_uuid(raw)
    channel_by_id = {term.pk: term for term in channel_terms().values()}
    if as_uuid is not None:
        if as_uuid in channel_by_id:
            return channel_by_id[as_uuid]
        return TaxonomyTerm.objects.filter(pk=as_uuid).first()
    term = TaxonomyTerm.objects.filter(taxonomy_id=NEEDS, code=raw).first()
    if term is None:
        raise ApiError(
            _(
                "taxonomy_term_id「%(value)s」に当たる分類語がありません。分類語の id（UUID）か、"
                "困りごとのコード（例: hikikomori）を指定してください。"
            )
            % {"value": raw},
            parameter="taxonomy_term_id",
        )
    return term


def filter_services(qs: QuerySet[Service], query: QueryDict) -> QuerySet[Service]:
    """Apply the service filters of GET /services (and of /service_at_locations, on the service)."""
    condition = search_q(query, "name", "alternate_name", "description")
    if condition is not None:
        qs = qs.filter(condition)
    raw_term = params.text(query, "taxonomy_term_id")
    if raw_term:
        term = resolve_term(raw_term)
        if term is None:
            return qs.none()
        if term.taxonomy_id == CHANNELS:
            qs = qs.filter(Exists(Channel.objects.filter(service=OuterRef("pk"), kind=term.code)))
        else:
            qs = qs.filter(Exists(Service.terms.through.objects.filter(service=OuterRef("pk"), taxonomyterm=term.pk)))
    raw_taxonomy = params.text(query, "taxonomy_id")
    if raw_taxonomy:
        slug = resolve_taxonomy(raw_taxonomy)
        if slug is None:
            return qs.none()
        if slug == CHANNELS:
            qs = qs.filter(Exists(Channel.objects.filter(service=OuterRef("pk"))))
        else:
            qs = qs.filter(
                Exists(Service.terms.through.objects.filter(service=OuterRef("pk"), taxonomyterm__taxonomy=slug))
            )
    organization = params.uuid_param(query, "organization_id", what=_("組織"))
    if organization is not None:
        qs = qs.filter(organization_id=organization)
    since = params.modified_after(query)
    if since is not None:
        qs = qs.filter(modified_at__gte=since)
    return qs


def filter_service_at_locations(
    qs: QuerySet[ServiceAtLocation], services: QuerySet[Service], query: QueryDict
) -> QuerySet[ServiceAtLocation]:
    """The filters of GET /service_at_locations other than postcode and proximity.

    `qs` holds the services at locations of `services`, the published services of the catalogue;
    the service filters apply to them, search also looks at the location, and modified_after
    at the service, the location and the link between them.
    """
    condition = search_q(
        query,
        "service__name",
        "service__alternate_name",
        "service__description",
        "location__name",
        "location__address_1",
    )
    if condition is not None:
        qs = qs.filter(condition)
    service_query = query.copy()
    for name in ("search", "modified_after"):
        service_query.pop(name, None)
    if any(service_query.get(name) for name in ("taxonomy_term_id", "taxonomy_id", "organization_id")):
        qs = qs.filter(service__in=filter_services(services, service_query).values("pk"))
    since = params.modified_after(query)
    if since is not None:
        qs = qs.filter(
            Q(modified_at__gte=since) | Q(service__modified_at__gte=since) | Q(location__modified_at__gte=since)
        )
    return qs


def postcode_centroid(qs: QuerySet[ServiceAtLocation], postcode: str) -> tuple[float, float]:
    """The middle of our mapped locations with this postal code (we keep no postcode geodata)."""
    located = Location.objects.filter(postal_code__in=_postcode_spellings(postcode), latitude__isnull=False)
    centre = located.filter(pk__in=qs.values("location_id")).aggregate(lat=Avg("latitude"), lon=Avg("longitude"))
    if centre["lat"] is None:
        centre = located.aggregate(lat=Avg("latitude"), lon=Avg("longitude"))
    if centre["lat"] is None:
        raise ApiError(
            _(
                "郵便番号「%(postcode)s」の位置が分からないため、距離で絞り込めません。"
                "proximity に「緯度,経度,距離（メートル）」を指定してください。"
            )
            % {"postcode": postcode},
            parameter="proximity",
        )
    return float(centre["lat"]), float(centre["lon"])


def _postcode_spellings(postcode: str) -> list[str]:
    return [postcode, postcode.replace("-", "")]


def filter_postcode(qs: QuerySet[ServiceAtLocation], postcode: str) -> QuerySet[ServiceAtLocation]:
    return qs.filter(location__postal_code__in=_postcode_spellings(postcode))


def by_distance(
    qs: QuerySet[ServiceAtLocation], latitude: float, longitude: float, radius_m: float | None
) -> list[Any]:
    """Ids of the mapped services at locations, nearest first, within `radius_m` when given.

    Locations without coordinates cannot be placed and are left out. The database only cuts a
    bounding box (portable across SQLite and PostgreSQL); the exact distance is computed here.
    """
    candidates = qs.filter(location__latitude__isnull=False, location__longitude__isnull=False)
    if radius_m is not None:
        delta_lat = radius_m / METRES_PER_DEGREE
        candidates = candidates.filter(
            location__latitude__gte=latitude - delta_lat, location__latitude__lte=latitude + delta_lat
        )
        cos_lat = math.cos(math.radians(latitude))
        if cos_lat > 0.01:
            delta_lon = radius_m / (METRES_PER_DEGREE * cos_lat)
            if longitude - delta_lon > -180 and longitude + delta_lon < 180:
                candidates = candidates.filter(
                    location__longitude__gte=longitude - delta_lon, location__longitude__lte=longitude + delta_lon
                )
    measured = []
    for pk, lat, lon in candidates.values_list("pk", "location__latitude", "location__longitude").order_by():
        if lat is None or lon is None:
            continue
        distance = params.haversine_m(latitude, longitude, float(lat), float(lon))
        if radius_m is None or distance <= radius_m:
            measured.append((distance, str(pk), pk))
    measured.sort()
    return [pk for _distance, _key, pk in measured]


def near(qs: QuerySet[ServiceAtLocation], proximity: Proximity, postcode: str | None) -> list[Any]:
    """Ids by distance the HSDS way (metres from the postcode's centre) or ours (from a point)."""
    if proximity.has_point:
        if postcode:
            qs = filter_postcode(qs, postcode)
        assert proximity.latitude is not None and proximity.longitude is not None
        return by_distance(qs, proximity.latitude, proximity.longitude, proximity.radius_m)
    if not postcode:
        raise ApiError(
            _(
                "proximity に距離（メートル）だけを指定するときは postcode も指定してください"
                "（例: postcode=248-8686&proximity=2000）。"
            ),
            parameter="proximity",
        )
    latitude, longitude = postcode_centroid(qs, postcode)
    return by_distance(qs, latitude, longitude, proximity.radius_m)


def all_taxonomies() -> list[Taxonomy]:
    """Our stored taxonomies and the contact-channel one, in a stable order."""
    return [*Taxonomy.objects.order_by("pk"), channel_taxonomy()]
