"""The public HSDS 3.0 API: thin views over directory.hsds, one per path of the HSDS OpenAPI.

Each view reads its parameters (params), narrows the catalogue's published records (filters) and
answers a page, a record or an ndjson stream. Rate limit, cache, scope, errors and headers are
http.api_view's job.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from tsunagari.directory.hsds import (
    channel_terms,
    format_datetime,
    serialize_organization,
    serialize_organization_list_item,
    serialize_service,
    serialize_service_at_location,
    serialize_service_at_location_list_item,
    serialize_service_list_item,
    serialize_taxonomy,
    serialize_taxonomy_term,
    service_at_location_queryset,
    service_queryset,
    taxonomy_uuid,
)
from tsunagari.directory.models import NEEDS, Organization, ServiceAtLocation, SourceDataset, TaxonomyTerm
from tsunagari.finder.safety import assess
from tsunagari.search.query import SearchResults
from tsunagari.tenancy.models import national_platform

from . import filters, params
from .catalogue import Catalogue
from .http import SOURCES_HEADER, Payload, api_view, ndjson_response, not_found, prefill, too_many_requests
from .openapi import CC_BY_SA, HSDS_ATTRIBUTION, document
from .openapi import profile as hsds_profile
from .paging import IdListing, Listing, ListListing, QuerySetListing, SortedListing, page, stream

HSDS_VERSION = "3.0"
# A detail miss also caches the services in the same 1/128th of the id space (see service()):
# about 60 at today's 7,500 services. Loading 60 costs little more than loading one (the fixed
# cost is the seven queries), so refilling the whole cache after a write is about 6 times cheaper
# than with 1/512th. Raise it if the directory grows past some 50,000 services.
NEIGHBOUR_BITS = 7
T = TypeVar("T")


# --- shared pieces ----------------------------------------------------------------------------


def _base_url(request: HttpRequest, catalogue: Catalogue) -> str:
    if catalogue.platform is None:
        path = reverse("api:root")
    else:
        path = reverse("platform-api:root", kwargs={"platform_slug": catalogue.platform.slug})
    return request.build_absolute_uri(path).rstrip("/")


def _path_uuid(raw: str) -> uuid.UUID:
    """A record id from the path; anything that is not a UUID names nothing, so 404."""
    value = params.as_uuid(raw)
    if value is None:
        raise Http404
    return value


def dataset_attribution(dataset: SourceDataset) -> dict[str, str]:
    """Where records come from and what their licence asks us to show."""
    fields = {
        "dataset": dataset.slug,
        "name": dataset.name,
        "publisher": dataset.publisher,
        "url": dataset.url,
        "licence": dataset.licence,
        "licence_url": dataset.licence_url,
        "attribution": dataset.attribution,
        "changes": dataset.data_changed_note,
    }
    return {key: value for key, value in fields.items() if value}


def _listing(
    request: HttpRequest,
    catalogue: Catalogue,
    listing: Listing[T],
    serialize: Callable[[T], Any],
    *,
    dataset_of: Callable[[T], SourceDataset | None] | None = None,
    minimal: bool = False,
    with_sources: bool = True,
) -> Payload | StreamingHttpResponse:
    """A page of `listing` (with the attribution its records need), or all of it as ndjson."""
    fmt = params.output_format(request.GET)
    page_request = params.page(request.GET, minimal=minimal)
    if fmt == "ndjson":
        response = ndjson_response(stream(listing, serialize, catalogue.scope_ids))
        if with_sources:
            # The records are not read yet: name every source data set of this catalogue.
            slugs = [dataset.slug for dataset in catalogue.datasets()]
            if slugs:
                response[SOURCES_HEADER] = ",".join(slugs)
        return response
    datasets: dict[str, SourceDataset] = {}

    def serialize_and_note(row: T) -> Any:
        dataset = dataset_of(row) if dataset_of is not None else None
        if dataset is not None:
            datasets[dataset.slug] = dataset
        return serialize(row)

    body = page(listing, page_request, serialize_and_note)
    attribution = [dataset_attribution(d) for _slug, d in sorted(datasets.items()) if d.attribution]
    if attribution:
        # Not an HSDS field: the attribution the source licences ask for, next to the records.
        body["attribution"] = attribution
    return Payload(body, sources=datasets)


def _full_and_minimal(request: HttpRequest) -> tuple[bool, bool]:
    full = params.boolean(request.GET, "full")
    minimal = params.boolean(request.GET, "minimal")
    if full and minimal:
        raise params.ApiError(
            _("full と minimal は同時に指定できません。どちらか一方にしてください。"), parameter="minimal"
        )
    return full, minimal


def _sources(*datasets: str | None) -> list[str]:
    return [slug for slug in datasets if slug]


# --- root and OpenAPI -------------------------------------------------------------------------


@api_view
def root(request: HttpRequest, catalogue: Catalogue) -> Payload:
    """Version information (HSDS "/"), with the attribution of every source data set here."""
    base = _base_url(request, catalogue)
    datasets = list(catalogue.datasets())
    body: dict[str, Any] = {
        "version": HSDS_VERSION,
        "profile": f"{base}/profile",
        "openapi_url": f"{base}/openapi.json",
        "title": "Tsunagari HSDS API",
    }
    if catalogue.platform is not None:
        body["platform"] = {"slug": catalogue.platform.slug, "name": catalogue.platform.name}
    body["attribution"] = [dataset_attribution(d) for d in datasets]
    body["specification"] = {
        "name": "Human Services Data Specification 3.0",
        "attribution": HSDS_ATTRIBUTION,
        "licence": "CC BY-SA 4.0",
        "licence_url": CC_BY_SA,
    }
    return Payload(body, sources=[d.slug for d in datasets])


@api_view
def openapi(request: HttpRequest, catalogue: Catalogue) -> Payload:
    """The OpenAPI 3.1 document of this mount, its server being this mount's base URL."""
    return Payload(document(_base_url(request, catalogue), catalogue.platform))


@api_view
def profile(request: HttpRequest, catalogue: Catalogue) -> Payload:
    """Tsunagari's HSDS profile, named by the root document."""
    return Payload(hsds_profile(_base_url(request, catalogue)))


# --- services ---------------------------------------------------------------------------------


def _minimal_service(row: tuple[uuid.UUID, Any]) -> dict[str, str]:
    # The HSDS OpenAPI names this field modified_date (not last_modified) for minimal listings.
    return {"id": str(row[0]), "modified_date": format_datetime(row[1])}


@api_view
def services(request: HttpRequest, catalogue: Catalogue) -> Payload | StreamingHttpResponse:
    """GET /services: published services, one-to-one fields (full=true: nested; minimal=true: ids)."""
    full, minimal = _full_and_minimal(request)
    found = filters.service_search(catalogue, request.GET)
    qs = filters.filter_services(catalogue.services(), request.GET, found).order_by("name", "pk")
    if minimal:
        return _listing(
            request, catalogue, QuerySetListing(qs.values_list("pk", "modified_at")), _minimal_service, minimal=True
        )
    listing: Listing[Any]
    if found is not None:
        # Best first, as on the portal's results page; the other filters still narrow the set.
        kept = set(qs.values_list("pk", flat=True))
        listing = IdListing([pk for pk in found.ids if pk in kept], service_queryset(qs.model.objects.all(), full=full))
    else:
        listing = SortedListing(qs, lambda rows: service_queryset(rows, full=full))
    answer = _listing(
        request,
        catalogue,
        listing,
        serialize_service if full else serialize_service_list_item,
        dataset_of=lambda service: service.dataset,
    )
    if found is not None and isinstance(answer, Payload):
        _describe_search(request, catalogue, found, answer.data)
    return _with_crisis(request, catalogue, answer)


def _describe_search(request: HttpRequest, catalogue: Catalogue, found: SearchResults, body: dict[str, Any]) -> None:
    """Our extension (docs/api.md): what the words were understood as, and the fallback for a need with no window."""
    from tsunagari.finder.fallback import fallback_for

    body["search"] = {
        "understood_needs": list(found.understood_needs),
        "every_word_matched": found.word_matches,
        "relaxed": found.relaxed or (found.word_matches == 0 and found.total > 0),
        "more": found.more,
    }
    platform = catalogue.platform or national_platform()
    fallbacks = fallback_for(platform, found.understood_needs) if found.understood_needs else []
    if fallbacks:
        base = request.build_absolute_uri(f"/{platform.slug}/services/")
        body["fallback"] = [item.to_dict(base) for item in fallbacks]


def _with_crisis(
    request: HttpRequest, catalogue: Catalogue, answer: Payload | StreamingHttpResponse
) -> Payload | StreamingHttpResponse:
    """Add the `crisis` block (not an HSDS field; docs/api.md) when the search shows a risk to life.

    The same safety check as the chat and the portal's search: the 24-hour lines come before any
    result, so an app built on this API can show them first.
    """
    if not isinstance(answer, Payload):
        return answer
    needs: list[str] = []
    raw_term = params.exact(request.GET, "taxonomy_term_id")
    term = filters.resolve_term(raw_term) if raw_term else None
    if term is not None and term.taxonomy_id == NEEDS:
        needs.append(term.code)
    text = params.text(request.GET, "search")[:200]
    if not text and not needs:
        return answer
    platform = catalogue.platform or national_platform()
    if platform is None:
        return answer
    crisis = assess(platform, text, needs)
    if crisis:
        answer.data = {"crisis": crisis.to_dict(), **answer.data}
    return answer


def _id_range(pk: uuid.UUID) -> Q:
    """The slice of the id space `pk` falls in: one of 2**NEIGHBOUR_BITS equal ranges."""
    shift = 128 - NEIGHBOUR_BITS
    bucket = pk.int >> shift
    condition = Q(pk__gte=uuid.UUID(int=bucket << shift))
    if bucket + 1 < 1 << NEIGHBOUR_BITS:
        condition &= Q(pk__lt=uuid.UUID(int=(bucket + 1) << shift))
    return condition


@api_view
def service(request: HttpRequest, catalogue: Catalogue, service_id: str) -> Payload:
    """GET /services/{id}: one published service with everything nested.

    Every directory write empties the cache, and a crawler then asks for every service: alone,
    each would cost its own seven queries. So the services whose ids are close to this one are
    loaded with the same queries and their pages cached too.
    """
    pk = _path_uuid(service_id)
    neighbours = list(service_queryset(catalogue.services()).filter(_id_range(pk)))
    found = next((candidate for candidate in neighbours if candidate.pk == pk), None)
    if found is None:
        raise Http404
    base = _base_url(request, catalogue)
    prefill(
        (
            (f"{base}/services/{other.pk}", Payload(serialize_service(other), sources=_sources(other.dataset_id)))
            for other in neighbours
            if other.pk != pk
        ),
        catalogue.platform.slug if catalogue.platform else None,
    )
    return Payload(serialize_service(found), sources=_sources(found.dataset_id))


# --- organisations ----------------------------------------------------------------------------


def _with_services(qs: QuerySet[Organization], catalogue: Catalogue, *, full_service: bool) -> QuerySet[Organization]:
    services_qs = service_queryset(catalogue.services().order_by("name", "pk"), full=full_service)
    return qs.prefetch_related(Prefetch("services", queryset=services_qs, to_attr="published_services"))


def _organization(org: Organization, *, full_service: bool) -> dict[str, Any]:
    return serialize_organization(org, services=getattr(org, "published_services", ()), full_service=full_service)


@api_view
def organizations(request: HttpRequest, catalogue: Catalogue) -> Payload | StreamingHttpResponse:
    """GET /organizations: organisations with published services (full=true: with their services)."""
    full = params.boolean(request.GET, "full")
    full_service = params.boolean(request.GET, "full_service")
    qs = catalogue.organizations().order_by("name", "pk")
    condition = filters.search_q(request.GET, "name", "alternate_name", "description")
    if condition is not None:
        qs = qs.filter(condition)
    with_services = full or full_service

    def load(rows: QuerySet[Organization]) -> QuerySet[Organization]:
        rows = rows.select_related("dataset")
        return _with_services(rows, catalogue, full_service=full_service) if with_services else rows

    return _listing(
        request,
        catalogue,
        SortedListing(qs, load),
        (lambda org: _organization(org, full_service=full_service))
        if with_services
        else serialize_organization_list_item,
        dataset_of=lambda org: org.dataset,
    )


@api_view
def organization(request: HttpRequest, catalogue: Catalogue, organization_id: str) -> Payload:
    """GET /organizations/{id}: the organisation with its published services."""
    full_service = params.boolean(request.GET, "full_service")
    qs = _with_services(catalogue.organizations().select_related("dataset"), catalogue, full_service=full_service)
    found = qs.filter(pk=_path_uuid(organization_id)).first()
    if found is None:
        raise Http404
    services_sources = [s.dataset_id for s in found.published_services]  # type: ignore[attr-defined]
    return Payload(
        _organization(found, full_service=full_service), sources=_sources(found.dataset_id, *services_sources)
    )


# --- taxonomies -------------------------------------------------------------------------------


def _matches(query: str, *values: str) -> bool:
    words = query.casefold().split()
    haystack = " ".join(values).casefold()
    return all(word in haystack for word in words)


@api_view
def taxonomies(request: HttpRequest, catalogue: Catalogue) -> Payload | StreamingHttpResponse:
    """GET /taxonomies: our vocabularies, the contact-channel one included."""
    words = params.text(request.GET, "search")
    found = [t for t in filters.all_taxonomies() if _matches(words, t.pk, t.name, t.description)]
    return _listing(request, catalogue, ListListing(found), serialize_taxonomy, with_sources=False)


@api_view
def taxonomy(request: HttpRequest, catalogue: Catalogue, taxonomy_id: str) -> Payload:
    """GET /taxonomies/{id}: by HSDS id (UUID) or by slug."""
    for candidate in filters.all_taxonomies():
        if taxonomy_id in (candidate.pk, str(taxonomy_uuid(candidate.pk))):
            return Payload(serialize_taxonomy(candidate))
    raise Http404


def _all_terms() -> list[TaxonomyTerm]:
    stored = TaxonomyTerm.objects.select_related("taxonomy").order_by("taxonomy_id", "position", "code")
    return [*stored, *channel_terms().values()]


@api_view
def taxonomy_terms(request: HttpRequest, catalogue: Catalogue) -> Payload | StreamingHttpResponse:
    """GET /taxonomy_terms, filtered by taxonomy_id, parent_id, top_only and search."""
    query = request.GET
    terms = _all_terms()
    raw_taxonomy = params.exact(query, "taxonomy_id")
    if raw_taxonomy:
        slug = filters.resolve_taxonomy(raw_taxonomy)
        terms = [t for t in terms if t.taxonomy_id == slug]
    parent = params.uuid_param(query, "parent_id", what=_("親の分類語"))
    if parent is not None:
        terms = [t for t in terms if t.parent_id == parent]
    # HSDS names this top_only (its description says "no child terms"): terms without a parent.
    if params.boolean(query, "top_only"):
        terms = [t for t in terms if t.parent_id is None]
    words = params.text(query, "search")
    if words:
        terms = [t for t in terms if _matches(words, t.code, t.name, t.description)]
    return _listing(request, catalogue, ListListing(terms), serialize_taxonomy_term, with_sources=False)


@api_view
def taxonomy_term(request: HttpRequest, catalogue: Catalogue, term_id: str) -> Payload:
    """GET /taxonomy_terms/{id}."""
    pk = _path_uuid(term_id)
    found = next((t for t in channel_terms().values() if t.pk == pk), None)
    if found is None:
        found = TaxonomyTerm.objects.select_related("taxonomy").filter(pk=pk).first()
    if found is None:
        raise Http404
    return Payload(serialize_taxonomy_term(found))


# --- services at locations --------------------------------------------------------------------


@api_view
def service_at_locations(request: HttpRequest, catalogue: Catalogue) -> Payload | StreamingHttpResponse:
    """GET /service_at_locations, with postcode and proximity (nearest first)."""
    query = request.GET
    full = params.boolean(query, "full")
    serialize = serialize_service_at_location if full else serialize_service_at_location_list_item
    postcode = params.postcode(query)
    proximity = params.proximity(query)
    found = filters.service_search(catalogue, query)
    qs = filters.filter_service_at_locations(catalogue.service_at_locations(), catalogue.services(), query, found)
    listing: Listing[ServiceAtLocation]
    ids = filters.near(qs, proximity, postcode) if proximity is not None else None
    if ids is not None:
        listing = IdListing(ids, service_at_location_queryset(ServiceAtLocation.objects.all(), full=full))
    else:
        # No proximity, or a postcode whose centre we cannot place: the service areas answer.
        if postcode:
            qs = filters.filter_postcode(qs, postcode)
        ordered = qs.order_by("service__name", "location__name", "pk")
        listing = SortedListing(ordered, lambda rows: service_at_location_queryset(rows, full=full))
    return _listing(request, catalogue, listing, serialize, dataset_of=lambda sal: sal.service.dataset)


@api_view
def service_at_location(request: HttpRequest, catalogue: Catalogue, sal_id: str) -> Payload:
    """GET /service_at_locations/{id}: the service at the location, everything nested."""
    qs = service_at_location_queryset(catalogue.service_at_locations())
    found = qs.filter(pk=_path_uuid(sal_id)).first()
    if found is None:
        raise Http404
    return Payload(serialize_service_at_location(found), sources=_sources(found.service.dataset_id))


# --- errors -----------------------------------------------------------------------------------


@csrf_exempt
def unknown_path(request: HttpRequest, platform_slug: str | None = None) -> HttpResponse:
    """A path the API does not have, whatever the method: JSON 404."""
    return not_found()


def rate_limited(request: HttpRequest, exception: Exception) -> HttpResponse:
    """settings.RATELIMIT_VIEW: the 429 answer should django-ratelimit's middleware be installed."""
    return too_many_requests(60)
