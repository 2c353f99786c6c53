"""Public pages. Views are adapters: resolve the platform, enter its scope, query, render."""

from __future__ import annotations

import io
import uuid
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit

import segno
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from tsunagari.accounts.access import get_staff_platform
from tsunagari.directory.crisis import RECHECK_MONTHS, crisis_lines, due_for_check, merge_lines
from tsunagari.directory.models import Channel, CrisisLine, Location, Service, SupportProgram
from tsunagari.directory.opening import is_open
from tsunagari.directory.queries import get_service, national_lines, platform_services, shown_program_links
from tsunagari.directory.signals import directory_version
from tsunagari.directory.taxonomy import term_label, term_rows
from tsunagari.finder.safety import Assessment, around_the_clock, assess
from tsunagari.portal.forms import PlaceForm, SearchForm
from tsunagari.portal.pagecache import anonymous_page_cache, cached_page
from tsunagari.portal.places import covering_platform, covers, national_platform
from tsunagari.tenancy.access import get_public_platform
from tsunagari.tenancy.models import Municipality, Platform, Prefecture
from tsunagari.tenancy.scoping import platform_scope
from tsunagari.workspace.access import get_workspace
from tsunagari.workspace.nav import menu

# The need tiles on a portal's home, in the order a person in difficulty scans them.
HOME_NEEDS = (
    "suicide",
    "mental_health",
    "loneliness",
    "violence",
    "money",
    "food",
    "housing",
    "debt",
    "work",
    "caregiving",
    "hikikomori",
    "parenting",
    "school",
    "health",
    "disability",
    "unsure",
)


# The residents' public pages are sent gzipped (about a third of their size on a phone's connection).
# They carry no secret for BREACH to guess: no CSRF token (the language switch is exempt), no session
# data; besides public data they hold only what the request itself asked for (the words in its
# address). Pages with a token or a resident's own text (the chat, forms) are never compressed:
# tests/portal/test_compression.py. Django's gzip also pads each response at random (since 4.2).
public_page_gzip = gzip_page


def assess_search(platform: Platform, form: SearchForm) -> Assessment:
    """The chat's safety check on what was typed and the needs chosen (valid or not: safety first)."""
    text = str(form.data.get("q", ""))[:200] if form.is_bound else ""
    needs = form.data.getlist("need") if form.is_bound and hasattr(form.data, "getlist") else []
    return assess(platform, text, needs)


@public_page_gzip
def clear_history(request: HttpRequest) -> HttpResponse:
    """How to remove this site from the browser's history, for a person whose phone may be checked."""
    return render(request, "portal/clear_history.html", {"lines": merge_lines(national_lines())})


def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


@public_page_gzip
@cached_page(per_minute=False)
def national_home(request: HttpRequest) -> HttpResponse:
    """Where do you live? → that area's portal, or the national search for the area; and the national lines."""
    form = PlaceForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return redirect(place_destination(form.cleaned_data["place"]))
    platforms = Platform.objects.public().exclude(kind=Platform.Kind.NATIONAL).select_related("prefecture")
    lines = merge_lines(national_lines())
    context = {"platforms": platforms, "lines": lines, "place_form": form, "national": national_platform()}
    return render(request, "portal/national_home.html", context)


def place_destination(municipality: Municipality) -> str:
    """The page for a resident of `municipality`: their platform's home, else the national search for the area."""
    platform = covering_platform(municipality)
    if platform is not None:
        return reverse("portal:home", args=[platform.slug])
    national = national_platform()
    if national is None:
        return reverse("national-home")
    return reverse("portal:search", args=[national.slug]) + "?" + urlencode({"area": municipality.code})


def need_tiles() -> list[dict[str, str]]:
    """The home's need tiles: code and label in the page's language."""
    rows = {row["code"]: row for row in term_rows("needs.tsv")}
    return [{"code": code, "label": term_label(rows[code])} for code in HOME_NEEDS if code in rows]


@public_page_gzip
@cached_page(per_minute=False)
def platform_home(request: HttpRequest, platform_slug: str) -> HttpResponse:
    platform = get_public_platform(platform_slug)
    with platform_scope(platform):
        context = {
            "platform": platform,
            "lines": crisis_lines(),
            "needs": need_tiles(),
            # The national portal's own windows are the whole country's: twenty of them in kana
            # order help nobody, so it leads with the national lines and "where do you live?".
            "own_services": []
            if platform.is_national
            else list(Service.objects.published().filter(platform=platform).order_by("name")[:20]),
            "service_count": platform_services(platform).count(),
            "place_form": PlaceForm() if platform.is_national else None,
        }
        return render(request, "portal/platform_home.html", context)


TAG_FILES = {
    "tsunagari-needs": "needs.tsv",
    "tsunagari-targets": "targets.tsv",
    "tsunagari-attributes": "attributes.tsv",
}


def term_tags(service: Service) -> list[str]:
    """The labels of a service's needs, targets and attributes in the page's language (others as named)."""
    labels = {
        (taxonomy, row["code"]): term_label(row) for taxonomy, name in TAG_FILES.items() for row in term_rows(name)
    }
    terms = sorted(
        service.terms.all(), key=lambda t: list(TAG_FILES).index(t.taxonomy_id) if t.taxonomy_id in TAG_FILES else 9
    )
    return [labels.get((t.taxonomy_id, t.code), t.name) for t in terms]


def service_context(request: HttpRequest, platform: Platform, service: Service) -> dict[str, Any]:
    locations = [sal.location for sal in service.service_at_locations.all()]
    return {
        "platform": platform,
        "service": service,
        "lines": crisis_lines(),
        "open_now": is_open(service, timezone.now()),
        "locations": locations,
        "mapped": [loc for loc in locations if loc.latitude is not None],
        "needs": [t for t in service.terms.all() if t.taxonomy_id == "tsunagari-needs"],
        "targets": [t for t in service.terms.all() if t.taxonomy_id == "tsunagari-targets"],
        "attributes": [t for t in service.terms.all() if t.taxonomy_id == "tsunagari-attributes"],
        "tags": term_tags(service),
        "page_url": request.build_absolute_uri(request.path),
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }


@never_cache  # The place typed is where the person lives: not kept in shared caches.
def programmes(request: HttpRequest, platform_slug: str) -> HttpResponse:
    """The support programmes (制度) for the portal's area by need, each with where to ask (no JavaScript)."""
    from tsunagari.finder.programmes import programme_guide

    platform = get_public_platform(platform_slug)
    # A municipality's portal knows the place; a prefecture's or the national one asks for it.
    place_form = None if platform.kind == Platform.Kind.MUNICIPALITY else PlaceForm(request.GET or None)
    municipality = None
    if place_form is not None and place_form.is_bound and place_form.is_valid():
        chosen = place_form.cleaned_data["place"]
        if chosen is not None and covers(platform, chosen):
            municipality = chosen
        elif chosen is not None:
            place_form.add_error(
                "place", _("%(place)s is outside the area of this portal.") % {"place": chosen.full_name}
            )
    with platform_scope(platform):
        guide = programme_guide(platform, municipality)
        # One need's programmes (`?need=`), or, when there are many, first the needs to choose from: a page of
        # every programme would pass issue 9's 20 KB on a phone (「other」 is the group with no need).
        need = request.GET.get("need", "")
        groups = [g for g in guide.groups if (g.need or "other") == need] if need else guide.groups
        if not groups:  # a need with no programme here (an old link): the whole page
            need, groups = "", guide.groups
        folded = not need and guide.count > PROGRAMMES_UNFOLDED
        shown = [] if folded else groups
        datasets = {entry.program.dataset_id: entry.program.dataset for g in shown for entry in g.entries}
        context = {
            "platform": platform,
            "lines": crisis_lines(),
            "guide": guide,
            "groups": shown,
            "folded": folded,
            "need": need,
            "place": municipality.full_name if municipality and place_form is not None else "",
            "place_form": place_form,
            "datasets": [d for d in datasets.values() if d is not None],
        }
        return render(request, "portal/programmes.html", context)


# Up to this many programmes are shown on one page; more are reached need by need.
PROGRAMMES_UNFOLDED = 8


@public_page_gzip
@never_cache  # Back after the quick exit must not bring back what was searched or read.
def service_detail(request: HttpRequest, platform_slug: str, service_id: uuid.UUID) -> HttpResponse:
    platform = get_public_platform(platform_slug)
    with platform_scope(platform):
        service = get_service(platform, service_id)
        context = service_context(request, platform, service)
        context["program_links"] = list(shown_program_links().filter(service=service))
        if context["open_now"] is not True:
            # Closed now (or hours unknown): the 24-hour lines for the same need, so nobody is left waiting.
            context["always_open"] = around_the_clock(platform, [t.code for t in context["needs"]])
        return render(request, "portal/service_detail.html", context)


def service_print(request: HttpRequest, platform_slug: str, service_id: uuid.UUID) -> HttpResponse:
    """A one-page print-out with a QR code back to the live page (for cards and counters)."""
    platform = get_public_platform(platform_slug)
    with platform_scope(platform):
        service = get_service(platform, service_id)
        context = service_context(request, platform, service)
        live_url = request.build_absolute_uri(f"/{platform.slug}/services/{service.pk}/")
        context["qr_svg"] = segno.make(live_url, error="m").svg_inline(scale=4, title=service.name)
        context["live_url"] = live_url
        return render(request, "portal/service_print.html", context)


# Longer paths than any page of the portal needs; a QR code has room for about 2,300 characters at
# the error correction used, and a dense code is hard to scan from a poster anyway.
QR_PATH_MAX_LENGTH = 500


def qr_path_problem(platform: Platform, path: str) -> str | None:
    """Why `path` cannot be put in a QR code for this portal, or None when it can.

    Only this portal's own pages: a QR code must never point residents somewhere else, so absolute
    URLs, other hosts (`//host`, backslashes browsers read as slashes), control characters, dot
    segments that climb out of the portal and other platforms' paths are refused.
    """
    if len(path) > QR_PATH_MAX_LENGTH:
        return f"QRコードにするページのアドレスが長すぎます（{QR_PATH_MAX_LENGTH}文字まで）。"
    decoded = unquote(path)
    parts = urlsplit(path)
    if (
        parts.scheme
        or parts.netloc
        or not path.startswith(f"/{platform.slug}/")
        or "//" in path
        or "\\" in decoded
        or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in decoded)
        or any(segment in (".", "..") for segment in decoded.split("?", 1)[0].split("/"))
    ):
        return "このポータルのページのみQRコードにできます。"
    return None


@require_GET
@cache_control(public=True, max_age=3600)
def qr_code(request: HttpRequest, platform_slug: str) -> HttpResponse:
    """A QR code (SVG) for any page of this portal, for posters and cards: ?path=/slug/…"""
    platform = get_public_platform(platform_slug)
    path = request.GET.get("path", f"/{platform.slug}/")
    problem = qr_path_problem(platform, path)
    if problem:
        return HttpResponse(problem, status=400, content_type="text/plain; charset=utf-8")
    return HttpResponse(qr_image(request.build_absolute_uri(path), platform.name), content_type="image/svg+xml")


def qr_image(url: str, title: str) -> bytes:
    """A standalone SVG image of a QR code (with its namespace: an SVG without it is shown as raw XML)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=6, border=4, title=title, xmldecl=True)
    return buffer.getvalue()


# The list under the map (and without JavaScript) shows at most this many places; the search has the rest.
MAP_LIST_PLACES = 300


def map_places(platform: Platform) -> tuple[list[dict[str, Any]], int, dict[str, int]]:
    """The platform's windows with a position, as places: one per exact pin, one per approximate group.

    A town- or municipality-level point stands for many windows in a wide area, so those are grouped
    by the place they stand for (「鎌倉市御成町付近 3件」「鎌倉市内 5件」) and never drawn as a pin.
    Phone-only lines and web services (virtual locations) and locations without an address get no place.
    Also returns how many windows the platform shows and how many of them have a position, by precision.
    Kept in the cache until the directory changes: the page and its GeoJSON need the same places.
    """
    # "portal-map2": places now carry their prefecture; entries made by the previous release do not.
    key = f"portal-map2:{platform.pk}:{translation.get_language()}:{directory_version()}"
    cached = cache.get(key)
    if cached is None:
        cached = _map_places(platform)
        cache.set(key, cached, 3600)
    return cached


def _map_places(platform: Platform) -> tuple[list[dict[str, Any]], int, dict[str, int]]:
    ids = list(platform_services(platform).values_list("pk", flat=True))
    total = len(ids)
    rows = (
        Location.objects.filter(
            service_at_locations__service__in=ids,
            latitude__isnull=False,
            location_type=Location.Kind.PHYSICAL,
        )
        .exclude(precision=Location.Precision.NONE)
        .values_list(
            "latitude",
            "longitude",
            "precision",
            "place_label",
            "service_at_locations__service_id",
            "service_at_locations__service__name",
            "address_1",
            "municipality__prefecture_id",
            "region",
        )
        .order_by("place_label", "service_at_locations__service__name")[:20000]
    )
    prefecture_codes = {name: code for code, name in Prefecture.objects.values_list("code", "name")}
    places: dict[tuple[Any, ...], dict[str, Any]] = {}
    best: dict[Any, str] = {}  # a window placed several times counts once, at its most precise place
    rank: dict[str, int] = {
        Location.Precision.EXACT.value: 0,
        Location.Precision.TOWN.value: 1,
        Location.Precision.MUNICIPALITY.value: 2,
    }
    for lat, lon, precision, label, sid, name, address, prefecture, region in rows:
        exact = precision == Location.Precision.EXACT
        key = (sid, lat, lon) if exact else (precision, label, lat, lon)
        place = places.setdefault(
            key,
            {
                "latitude": float(lat or 0),
                "longitude": float(lon or 0),
                "precision": precision,
                "label": label,
                "prefecture": prefecture or prefecture_codes.get(region, ""),
                "windows": [],
            },
        )
        url = reverse("portal:service", args=[platform.slug, sid])
        if not any(w["url"] == url for w in place["windows"]):
            place["windows"].append({"name": name, "url": url, "address": address})
        if sid not in best or rank[precision] < rank[best[sid]]:
            best[sid] = precision
    for place in places.values():
        count = len(place["windows"])
        if place["precision"] == Location.Precision.EXACT:
            place["label"] = place["windows"][0]["name"]
        elif place["precision"] == Location.Precision.TOWN:
            place["label"] = _("Around %(place)s: %(count)s") % {"place": place["label"], "count": count}
        else:
            place["label"] = _("Within %(place)s: %(count)s") % {"place": place["label"], "count": count}
    counts: dict[str, int] = {precision: sum(1 for p in best.values() if p == precision) for precision in rank}
    counts["placed"] = len(best)
    return list(places.values()), total, counts


def map_prefectures(places: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The places grouped by prefecture, when they lie in more than one (the national map); else [].

    A phone would otherwise download every window in Japan to draw the first view (1.35 MB of
    GeoJSON and a 328 KB list): the national map starts with one circle per prefecture and loads a
    prefecture's places when it is chosen (`?pref=13`, with or without JavaScript).
    """
    by_code: dict[str, list[dict[str, Any]]] = {}
    for place in places:
        by_code.setdefault(place["prefecture"], []).append(place)
    if len(by_code) < 2:
        return []
    names = dict(Prefecture.objects.values_list("code", "name"))
    out = []
    for code, group in sorted(by_code.items()):
        windows = sum(len(p["windows"]) for p in group)
        name = names.get(code, _("Elsewhere"))
        out.append(
            {
                "code": code,
                "name": name,
                "count": windows,
                # The mean of its places, weighted by windows: where most of them are.
                "latitude": sum(p["latitude"] * len(p["windows"]) for p in group) / windows,
                "longitude": sum(p["longitude"] * len(p["windows"]) for p in group) / windows,
                "label": _("Within %(place)s: %(count)s") % {"place": name, "count": windows},
            }
        )
    return out


def _chosen_prefecture(request: HttpRequest, prefectures: list[dict[str, Any]]) -> dict[str, Any] | None:
    code = request.GET.get("pref", "")
    return next((p for p in prefectures if p["code"] == code), None)


@public_page_gzip
def map_page(request: HttpRequest, platform_slug: str) -> HttpResponse:
    platform = get_public_platform(platform_slug)
    with platform_scope(platform):
        places, total, counts = map_places(platform)
        prefectures = map_prefectures(places)
        chosen = _chosen_prefecture(request, prefectures)
        geojson = reverse("portal:map-data", args=[platform.slug])
        if chosen is not None:
            places = [p for p in places if p["prefecture"] == chosen["code"]]
            geojson += f"?pref={chosen['code']}"
        elif prefectures:
            places = []  # the list is the prefectures; each links to its own places
        listed = sorted(places, key=lambda p: (-len(p["windows"]), p["label"]))[:MAP_LIST_PLACES]
        return render(
            request,
            "portal/map.html",
            {
                "platform": platform,
                "lines": crisis_lines(),
                "tile_url": settings.MAP_TILE_URL,
                "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
                "geojson": geojson,
                "prefectures": [] if chosen else prefectures,
                "chosen": chosen,
                "places": sorted(listed, key=lambda p: p["label"]),
                "places_left_out": len(places) - len(listed),
                "total": total,
                "counts": counts,
                "approximate": counts[Location.Precision.TOWN] + counts[Location.Precision.MUNICIPALITY],
            },
        )


@gzip_page  # public data without secrets, so compressing it cannot leak a token (BREACH)
@cache_control(public=True, max_age=300)
def map_data(request: HttpRequest, platform_slug: str) -> JsonResponse:
    """GeoJSON of the platform's places: exact pins (one per window) and approximate groups.

    On a map whose places lie in several prefectures, without `?pref=` it gives one feature per
    prefecture (precision "prefecture", with the address of its own places in `data`).
    """
    platform = get_public_platform(platform_slug)
    with platform_scope(platform):
        places, _total, _counts = map_places(platform)
        prefectures = map_prefectures(places)
    chosen = _chosen_prefecture(request, prefectures)
    if prefectures and chosen is None:
        url = reverse("portal:map-data", args=[platform.slug])
        page = reverse("portal:map", args=[platform.slug])
        return JsonResponse(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [p["longitude"], p["latitude"]]},
                        "properties": {
                            "precision": "prefecture",
                            "label": p["label"],
                            "count": p["count"],
                            "data": f"{url}?pref={p['code']}",
                            "url": f"{page}?pref={p['code']}",
                        },
                    }
                    for p in prefectures
                ],
            }
        )
    if chosen is not None:
        places = [p for p in places if p["prefecture"] == chosen["code"]]
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [p["longitude"], p["latitude"]]},
            "properties": {
                "precision": p["precision"],
                "label": p["label"],
                "count": len(p["windows"]),
                "windows": [{"name": w["name"], "url": w["url"]} for w in p["windows"]],
                **(
                    {"name": p["windows"][0]["name"], "url": p["windows"][0]["url"]}
                    if p["precision"] == Location.Precision.EXACT
                    else {}
                ),
            },
        }
        for p in places
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


def staff_home(request: HttpRequest, platform_slug: str) -> HttpResponse:
    """The coordinators' overview: stale and review-flagged listings, drafts."""
    platform = get_staff_platform(request, platform_slug)
    # Inside the workspace's frame, with its menu: it is one of the coordinators' workspace pages.
    workspace = get_workspace(request, platform_slug)
    with platform_scope(platform, with_national=False):
        own = Service.objects.filter(platform=platform)
        context = {
            "platform": platform,
            "workspace": workspace,
            "menu": menu(workspace),
            "stale": list(own.stale().order_by("last_verified_on")[:200]),
            "needs_review": list(own.filter(needs_review=True)[:200]),
            "drafts": list(own.filter(publication=Service.Publication.DRAFT)[:200]),
        }
    with platform_scope(platform):
        context["lines_due"] = due_for_check(crisis_lines())
        context["recheck_months"] = RECHECK_MONTHS
        return render(request, "portal/staff_home.html", context)


# An attribute recorded for fewer than this share of a portal's windows is "rarely recorded":
# the filter says so, since leaving it out would hide most of the windows that may well have it.
RARELY_RECORDED = 0.05


def platform_counts(platform: Platform) -> tuple[int, dict[str, int]]:
    """How many windows the portal shows and how many carry each filter token, until the directory changes."""
    from tsunagari.search.query import platform_facet_counts

    key = f"portal-facets:{platform.pk}:{directory_version()}"
    counts = cache.get(key)
    if counts is None:
        counts = platform_facet_counts(platform)
        cache.set(key, counts, 3600)
    return counts


def option_counts(facet_counts: dict[str, int]) -> dict[str, dict[str, int]]:
    """The facet counts of a search as {filter name: {option: count}}, as the form shows them."""
    prefixes = {"need": "n_", "target": "t_", "channel": "c_", "lang": "l_", "attribute": "at_"}
    counts: dict[str, dict[str, int]] = {name: {} for name in prefixes}
    for token, count in facet_counts.items():
        for name, prefix in prefixes.items():
            if token.startswith(prefix):
                counts[name][token.removeprefix(prefix)] = count
    return counts


def rarely_recorded(platform: Platform) -> set[str]:
    """The conditions (attribute codes, and "lang") that the data of this portal seldom records."""
    total, counts = platform_counts(platform)
    if not total:
        return set()
    rare = {code for code in ("open_24h", "free", "anonymous") if counts.get(f"at_{code}", 0) < total * RARELY_RECORDED}
    languages = sum(count for token, count in counts.items() if token.startswith("l_"))
    if languages < total * RARELY_RECORDED:
        rare.add("lang")
    return rare


def lines_that_fit(lines: list[CrisisLine], data: dict[str, Any]) -> list[CrisisLine]:
    """The national and local lines that meet the conditions asked for (24 hours, free, anonymous, LINE).

    The lines are not windows in the directory, so a filter on these conditions would never show
    them: they are listed beside the results. Every consultation line (not 110 or 119) takes calls
    without a name.
    """
    wanted = {"open_24h": data.get("open_24h"), "free": data.get("free"), "anonymous": data.get("anonymous")}
    line_chosen = Channel.Kind.LINE in data.get("channel", ())
    if not any(wanted.values()) and not line_chosen:
        return []
    fitting = []
    for line in lines:
        if CrisisLine.Kind.EMERGENCY in line.kinds:
            continue
        if wanted["open_24h"] and "24時間" not in line.availability:
            continue
        if wanted["free"] and line.cost != "無料":
            continue
        if line_chosen and "line" not in line.chat_url.lower():
            continue
        fitting.append(line)
    return fitting


# The filters of the search form; the results page keeps them as hidden inputs, their own page shows them.
FILTER_FIELDS = (
    "need",
    "target",
    "channel",
    "open_now",
    "open_24h",
    "free",
    "anonymous",
    "lang",
    "area",
    "near",
    "radius",
)


# The conditions a person adds on the filters page. The need and the place (area, near, radius) are
# what they asked about and where they can go: an empty answer never drops those.
CONDITIONS = ("target", "channel", "open_now", "open_24h", "free", "anonymous", "lang")


def without_conditions(request: HttpRequest, platform: Platform, form: SearchForm) -> dict[str, Any] | None:
    """For an empty answer under some conditions: how many places the same words find without them.

    A resident who ticked 「今あいている」 and sees 「0 か所」 is told the windows exist and offered them
    with their hours, rather than left with nothing.
    """
    from tsunagari.finder.search import resident_search

    if not any(form.cleaned_data.get(name) for name in CONDITIONS):
        return None
    kwargs = form.search_kwargs()
    kwargs.update(targets=(), channels=(), languages=(), open_now=False, open_24h=False, free=False, anonymous=False)
    kwargs["page"] = 1
    found = resident_search(platform=platform, **kwargs)
    if not found.total:
        return None
    query = request.GET.copy()
    for name in (*CONDITIONS, "page"):
        query.pop(name, None)
    return {"count": found.total, "query": query.urlencode()}


def kept_filters(request: HttpRequest) -> list[tuple[str, str]]:
    """The filters in the address, as (name, value) pairs for hidden inputs: a new search keeps them."""
    return [(name, value) for name in FILTER_FIELDS for value in request.GET.getlist(name) if value]


def query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@public_page_gzip
@never_cache  # Back after the quick exit must not bring back what was searched or read.
@anonymous_page_cache
def search(request: HttpRequest, platform_slug: str) -> HttpResponse:
    """Results; a plain GET form, so it works without JavaScript. The filters have a page of their own."""
    from tsunagari.finder.programmes import matching_programmes
    from tsunagari.finder.search import resident_search

    platform = get_public_platform(platform_slug)
    form = SearchForm(request.GET or None)
    with platform_scope(platform):
        results = None
        rows: list[dict[str, Any]] = []
        lines = crisis_lines()
        fitting: list[CrisisLine] = []
        outside: dict[str, Any] | None = None
        relaxed: dict[str, Any] | None = None
        programmes: list[SupportProgram] = []
        crisis = assess_search(platform, form)
        if form.is_bound and form.is_valid():
            # A results page shows each service's name, organisation, phone numbers and whether it
            # is open now: channels and schedules are all it needs.
            results = resident_search(platform=platform, relations=("channels", "schedules"), **form.search_kwargs())
            fitting = lines_that_fit(lines, form.cleaned_data)
            if results.municipality is not None and not covers(platform, results.municipality):
                outside = {"municipality": results.municipality, "platform": covering_platform(results.municipality)}
            now = timezone.now()
            # One reverse() for the page, not one per result: the address differs only by the id.
            placeholder = uuid.UUID(int=0)
            detail_url = reverse("portal:service", args=[platform.slug, placeholder])
            if not results.total:
                relaxed = without_conditions(request, platform, form)
            # A programme no window in reach names is found by its name too, on the programmes page.
            programmes = matching_programmes(platform, form.cleaned_data["q"]) if results.page == 1 else []
            rows = [
                {
                    "service": service,
                    "url": detail_url.replace(str(placeholder), str(service.pk)),
                    "open_now": is_open(service, now),
                    "phones": [c for c in service.channels.all() if c.kind == Channel.Kind.PHONE and c.href],
                }
                for service in results.services
            ]
        filter_errors = form.is_bound and any(name in form.errors for name in FILTER_FIELDS)
        return render(
            request,
            "portal/search.html",
            {
                "platform": platform,
                "lines": lines,
                "crisis": crisis,
                "form": form,
                "results": results,
                "rows": rows,
                "query_string": query_without_page(request),
                "active_filters": form.active_filters(),
                "kept_filters": kept_filters(request),
                "filter_errors": filter_errors,
                "rare": rarely_recorded(platform) if filter_errors else set(),
                "fitting_lines": fitting,
                "outside": outside,
                "relaxed": relaxed,
                "programmes": programmes,
                "national": national_platform(),
                **words_context(platform, form, results, crisis),
            },
        )


@public_page_gzip
@never_cache
@anonymous_page_cache
def search_filters(request: HttpRequest, platform_slug: str) -> HttpResponse:
    """The filters of a search on a page of their own, each option with how many of the results have it.

    The results page carries one link here instead of some fifty boxes, so that on a phone the
    results start under the search box and the page stays light; this page sends the form back
    to the results. Without JavaScript it is a plain link and a plain GET form.
    """
    from tsunagari.finder.search import resident_search

    platform = get_public_platform(platform_slug)
    form = SearchForm(request.GET or None)
    counts: dict[str, dict[str, int]] = {}
    results = None
    with platform_scope(platform):
        if form.is_bound and form.is_valid():
            kwargs = form.search_kwargs()
            kwargs["page"] = 1
            results = resident_search(platform=platform, count_facets=True, **kwargs)
            if not results.more:
                counts = option_counts(results.facet_counts)
                form.option_counts = counts
        return render(
            request,
            "portal/search_filters.html",
            {
                "platform": platform,
                "lines": crisis_lines(),
                "form": form,
                "results": results,
                "query_string": query_without_page(request),
                "attribute_counts": counts.get("attribute", {}),
                "counted": bool(counts),
                "rare": rarely_recorded(platform),
            },
        )


def words_context(platform: Platform, form: SearchForm, results: Any, crisis: Assessment) -> dict[str, Any]:
    """What the page says about the words (the needs understood) and, for a need with no window here, the fallback.

    The fallback does not list again the lines of the crisis block above it (the same page, the same numbers).
    """
    from tsunagari.finder.fallback import fallback_for
    from tsunagari.finder.ranking import need_labels

    if results is None or results.unknown_area:
        return {}
    labels = need_labels()
    asked = [*form.cleaned_data.get("need", ()), *results.understood_needs]
    return {
        "understood": [labels[code] for code in results.understood_needs if code in labels],
        # The fallback is shown beside the results, never as one of them (issue 9 item 7).
        "fallback": (
            fallback_for(platform, asked, municipality=results.municipality, shown=crisis.lines) if asked else []
        ),
    }
