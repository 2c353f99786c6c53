"""The prefecture and national views (/reporting/…): read-only, for observers, over the platforms they oversee.

Anyone else signed in — coordinators and members without an observer role — gets 404, as for a
page that does not exist; a prefecture with none of the observer's platforms is 404 too.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from tsunagari.audit.log import record
from tsunagari.lib.fiscal import fiscal_year_of
from tsunagari.lib.spreadsheet import csv_lines
from tsunagari.tenancy.models import Platform, Prefecture

from .counters import COUNTERS
from .models import REQUIRED_ITEMS, Item
from .oversight import (
    LICENCE,
    LICENCE_URL,
    OPEN_DATA_FIELDS,
    open_data_rows,
    open_data_schema,
    overseen_platforms,
    picture,
)
from .report import small_cell


def _year(request: HttpRequest) -> int:
    value = request.GET.get("year", "")
    if value.isdigit() and 2000 <= int(value) <= 2100:
        return int(value)
    return fiscal_year_of(timezone.localdate())


def _platforms(request: HttpRequest) -> Any:
    """The observer's platforms; 404 for anyone who observes none (not a 403: nothing to know here)."""
    platforms = overseen_platforms(request.user)
    if not platforms.exists():
        raise Http404
    return platforms


def _signed_in(view: Any) -> Any:
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return never_cache(wrapper)


def _context(request: HttpRequest, platforms: Any, year: int, **extra: Any) -> dict[str, Any]:
    pic = picture(platforms, year, today=timezone.localdate())
    return {
        "pic": pic,
        "year": year,
        "years": list(range(fiscal_year_of(timezone.localdate()), 2023, -1)),
        "items": list(Item),
        "required": {item.value for item in REQUIRED_ITEMS},
        "counters": [c for c in COUNTERS if c.available],
        "unavailable": [c for c in COUNTERS if not c.available],
        "small_cell": small_cell(),
        **extra,
    }


@_signed_in
def overview(request: HttpRequest) -> HttpResponse:
    """Every prefecture the observer oversees platforms in, side by side."""
    year = _year(request)
    return render(request, "reporting/overview.html", _context(request, _platforms(request), year))


@_signed_in
def prefecture(request: HttpRequest, code: str) -> HttpResponse:
    """The observer's platforms in one prefecture, one row each."""
    year = _year(request)
    platforms = _platforms(request).filter(prefecture_id=code)
    if not platforms.exists():
        raise Http404
    pref = Prefecture.objects.get(pk=code)
    return render(request, "reporting/prefecture.html", _context(request, platforms, year, prefecture=pref))


def _open_data(request: HttpRequest) -> tuple[int, list[dict[str, Any]]]:
    year = _year(request)
    pic = picture(_platforms(request), year, today=timezone.localdate())
    rows = open_data_rows(pic)
    record(
        "reporting.open_data_downloaded",
        object_type="reporting.open_data",
        object_id=str(year),
        object_repr=f"FY{year}",
        changes={"platforms": len(pic.platforms), "records": len(rows)},
    )
    return year, rows


@_signed_in
def open_data_csv(request: HttpRequest) -> HttpResponse:
    year, rows = _open_data(request)
    lines = list(
        csv_lines(
            OPEN_DATA_FIELDS,
            (
                [
                    "" if row["value"] is None and key == "value" else int(row[key]) if key == "withheld" else row[key]
                    for key in OPEN_DATA_FIELDS
                ]
                for row in rows
            ),
        )
    )
    # The licence on the first line, then the table (formulas defused like every export).
    body = "\ufeff" + f"# {LICENCE} {LICENCE_URL}\r\n" + "".join(lines).removeprefix("\ufeff")
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="tsunagari-programme-{year}.csv"'
    return response


@_signed_in
def open_data_json(request: HttpRequest) -> HttpResponse:
    year, rows = _open_data(request)
    body = {
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "fiscal_year": year,
        "as_of": timezone.localdate().isoformat(),
        "suppressed_below": small_cell(),
        "records": rows,
    }
    response = HttpResponse(json.dumps(body, ensure_ascii=False, indent=1), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="tsunagari-programme-{year}.json"'
    return response


def open_data_schema_view(request: HttpRequest) -> JsonResponse:
    """The JSON Schema of the open data: public, it describes a format and holds no figure."""
    return JsonResponse(
        open_data_schema(request.build_absolute_uri("/").rstrip("/")), json_dumps_params={"ensure_ascii": False}
    )


__all__ = ["Platform", "open_data_csv", "open_data_json", "open_data_schema_view", "overview", "prefecture"]
