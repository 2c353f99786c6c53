"""Our OpenAPI 3.1 document: the official HSDS 3.0 one (openapi.json, CC BY-SA 4.0) with our additions.

The official document is read from the HSDS 3.0 data set that `get-datasets` puts in
DATASETS_DIR (`hsds-3.0/schema/openapi.json`, pinned by its checksum); this module fills in what
it leaves to implementers (info, servers) and documents our extensions. Without the data set the
API still answers, and /openapi.json says, with 503, how to get the document.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from tsunagari.directory.hsds import CHANNELS, channel_terms
from tsunagari.directory.models import NEEDS, Taxonomy, TaxonomyTerm
from tsunagari.tenancy.models import Platform

from .params import DEFAULT_PER_PAGE, MAX_MINIMAL_PER_PAGE, MAX_PAGE, MAX_PER_PAGE, ApiError

OFFICIAL = Path("hsds-3.0") / "schema" / "openapi.json"  # inside DATASETS_DIR
SCHEMA_BASE = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
HSDS_ATTRIBUTION = "Human Services Data Specification: an Open Referral resource (https://openreferral.org/)"
CC_BY_SA = "https://creativecommons.org/licenses/by-sa/4.0/"

# /services?minimal=true: each item is only the id and the modification time (HSDS's own
# description of minimal), not a service_list item, whose name and status are required.
MINIMAL_SERVICE_SCHEMA = {
    "type": "object",
    "required": ["id", "modified_date"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "modified_date": {"type": "string", "format": "date-time", "description": "When the service last changed."},
    },
}

ERROR_SCHEMA = {
    "type": "object",
    "required": ["message"],
    "properties": {
        "message": {"type": "string", "description": "What went wrong and how to fix it, in Japanese."},
        "parameter": {"type": "string", "description": "The query parameter at fault, if any."},
    },
}


def official() -> dict[str, Any]:
    """The official HSDS 3.0 OpenAPI document; ApiError (503) when the data set is not installed."""
    path = Path(settings.DATASETS_DIR) / OFFICIAL
    if not path.is_file():
        raise ApiError(
            _(
                "This API's description (its OpenAPI document) is not installed on this server yet: "
                "the administrator can install it with `python -m tsunagari get-datasets hsds-3.0`. "
                "The API itself (/services and the other paths) works."
            ),
            status=503,
        )
    return _read(path)


@cache
def _read(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as f:
        loaded: dict[str, Any] = json.load(f)
        return loaded


def document(base_url: str, platform: Platform | None) -> dict[str, Any]:
    """The OpenAPI document for the API mounted at `base_url` (no trailing slash)."""
    doc = copy.deepcopy(official())
    where = f"「{platform.name}」のポータルに載っている" if platform else "公開しているすべてのプラットフォームの"
    doc["info"] = {
        "title": "Tsunagari HSDS API",
        "version": "1.0.0",
        "summary": "孤独・孤立の相談窓口のオープンデータ（Open Referral HSDS 3.0）",
        "description": (
            f"{where}公開中の相談窓口を HSDS 3.0 の形で返します。認証は不要です。"
            "記録ごとの出典とライセンスはルート（/）の attribution と、一覧の attribution、"
            "応答ヘッダー X-Attribution-Sources をご覧ください。\n\n"
            "This document is adapted from the HSDS 3.0 OpenAPI definition. "
            f"{HSDS_ATTRIBUTION}, licensed CC BY-SA 4.0; this adaptation is shared under the same licence."
        ),
        "license": {"name": "CC BY-SA 4.0 (this API description)", "url": CC_BY_SA},
    }
    doc["servers"] = [{"url": base_url}]
    _extend_parameters(doc["components"]["parameters"])
    _honest_parameters(doc)
    paths = doc["paths"]
    # The official document points this path at compiled/service.json; it returns, as its own
    # description says, a service_at_location with everything nested.
    paths["/service_at_locations/{id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] = {
        "$ref": SCHEMA_BASE + "compiled/service_at_location.json"
    }
    doc["components"]["schemas"]["Error"] = ERROR_SCHEMA
    doc["components"]["responses"] = {
        name: {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for name, description in (
            ("BadRequest", "A query parameter is wrong; the message says how to fix it."),
            ("NotFound", "No such record here (or not published on this portal)."),
            ("TooManyRequests", "Over the rate limit for this address; see Retry-After."),
        )
    }
    doc["components"]["schemas"]["MinimalService"] = MINIMAL_SERVICE_SCHEMA
    services_page = paths["/services"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    services_page["properties"]["contents"]["items"] = {
        "oneOf": [
            services_page["properties"]["contents"]["items"],
            {"$ref": "#/components/schemas/MinimalService"},
        ],
        "description": "Without minimal: service_list items (full=true: compiled service). minimal=true: MinimalService.",
    }
    paths["/openapi.json"] = {
        "get": {
            "summary": "This document.",
            "operationId": "getOpenAPIDocument",
            "responses": {
                "200": {"description": "OpenAPI 3.1 document.", "content": {"application/json": {}}},
                "503": {
                    "description": "The HSDS data set holding the official document is not installed here.",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                },
            },
        }
    }
    paths["/profile"] = {
        "get": {
            "summary": "Tsunagari's HSDS profile: what this API adds to HSDS 3.0 (the root's profile URL).",
            "operationId": "getProfile",
            "responses": {
                "200": {
                    "description": "The profile.",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["name", "url", "hsds_version", "extensions"],
                                "properties": {
                                    "name": {"type": "string"},
                                    "url": {"type": "string", "format": "uri"},
                                    "hsds_version": {"type": "string"},
                                    "extensions": {"type": "array", "items": {"type": "object"}},
                                },
                            }
                        }
                    },
                }
            },
        }
    }
    for path, item in paths.items():
        responses = item["get"]["responses"]
        # Every path counts against the same per-address limit, this document included.
        responses["429"] = {"$ref": "#/components/responses/TooManyRequests"}
        if "{id}" in path:
            responses["404"] = {"$ref": "#/components/responses/NotFound"}
        if item["get"].get("parameters"):
            # Any parameter can be wrong (e.g. /organizations/{id}?full_service=maybe).
            responses["400"] = {"$ref": "#/components/responses/BadRequest"}
        if "{id}" not in path and path not in ("/", "/openapi.json"):
            responses["200"]["content"]["application/x-ndjson"] = {
                "schema": {"type": "string", "description": "format=ndjson: one JSON document per line."}
            }
    doc["x-tsunagari"] = {
        "taxonomies": {
            "tsunagari-needs": "困りごと（ニーズ）。taxonomy_term_id にはコードだけ（例: hikikomori）も使えます。",
            "tsunagari-targets": "対象（誰のための支援か）。taxonomy_term_id=tsunagari-targets:youth のように。",
            "tsunagari-attributes": "特徴（24時間・匿名・無料など）。taxonomy_term_id=tsunagari-attributes:free のように。",
            "tsunagari-channels": "連絡手段（電話・LINE・メールなど）。attribute.value に番号やリンク。",
        },
        "attribution_header": "X-Attribution-Sources: comma-separated slugs of the source data sets in the response.",
        "search": (
            "GET /services と /service_at_locations の search は、ポータルの検索結果ページと同じ検索です"
            "（日本語の正規化と読み、言葉から分かった困りごとの窓口を含む）。/services の一覧には search "
            "（understood_needs, every_word_matched, relaxed, more）と、この地域に窓口が登録されていない"
            "困りごとについて fallback（どの地域にもある公的な窓口の種類と、市区町村の代表窓口・全国の相談電話）"
            "が加わります。fallback は検索に合った記録ではありません。詳しくは docs/api.md。"
        ),
    }
    return doc


def profile(base_url: str) -> dict[str, Any]:
    """Tsunagari's HSDS profile: what this API adds to or narrows in HSDS 3.0 (the root names it)."""
    return {
        "name": "tsunagari",
        "title": "Tsunagari HSDS 3.0 profile",
        "description": (
            "日本の孤独・孤立の相談窓口のための HSDS 3.0 プロファイル。記録は HSDS 3.0 の公式スキーマに"
            "そのまま通ります。以下はその上に加えたもの、意味を定めたものです。"
        ),
        "url": f"{base_url}/profile",
        "hsds_version": "3.0",
        "openapi_url": f"{base_url}/openapi.json",
        "documentation": "docs/api.md in the Tsunagari repository",
        "extensions": [
            {
                "name": "attribution",
                "where": "root document and list pages (field), every answer with records (X-Attribution-Sources)",
                "description": "The source data sets of the records, with the licence and attribution they ask for.",
            },
            {
                "name": "taxonomies",
                "where": "/taxonomies, /taxonomy_terms, attributes of services",
                "description": "tsunagari-needs, tsunagari-targets, tsunagari-attributes, tsunagari-channels.",
                "taxonomies": list(_TAXONOMIES),
            },
            {
                "name": "taxonomy_term_id",
                "where": "/services, /service_at_locations",
                "description": "A term's UUID, 'taxonomy:code', or a bare code of tsunagari-needs.",
            },
            {
                "name": "minimal",
                "where": "/services?minimal=true",
                "description": "Items {id, modified_date} (MinimalService in the OpenAPI document).",
            },
            {
                "name": "postcode",
                "where": "/service_at_locations",
                "description": (
                    "Japanese 7-digit postal code; services whose service area (municipality, prefecture or"
                    " nationwide) contains it. With proximity in metres and no mapped location there, the"
                    " service areas answer."
                ),
            },
            {
                "name": "proximity",
                "where": "/service_at_locations",
                "description": "Also 'lat,lon' or 'lat,lon,metres' (WGS84), nearest first.",
            },
            {"name": "format=ndjson", "where": "every list", "description": "Every match, one record per line."},
            {
                "name": "search",
                "where": "/services, /service_at_locations",
                "description": "The portal's own search (reading-aware Japanese); /services pages add `search`.",
            },
            {
                "name": "crisis",
                "where": "/services?search=…",
                "description": "A `crisis` block with lines to call now when the words show a risk to life.",
            },
        ],
        "attribution": HSDS_ATTRIBUTION,
    }


_TAXONOMIES = ("tsunagari-needs", "tsunagari-targets", "tsunagari-attributes", "tsunagari-channels")


# What `params.boolean` reads besides true/false (any case); an empty value is absent.
BOOLEAN_SPELLINGS = ["true", "false", "1", "0", "yes", "no"]


POSTCODE_PATTERN = r"^[\s\-ー－〒]*([0-9０-９][\s\-ー－〒]*){7}$"
_NUMBER = r"\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?\s*"
# metres, "lat,lon" or "lat,lon,metres" (the ranges are checked by the server: 400 outside them).
PROXIMITY_PATTERN = rf"^{_NUMBER}(,{_NUMBER}){{0,2}}$"


def _term_values() -> tuple[list[str], list[str]]:
    """Every taxonomy slug, and every term as 'taxonomy:code' plus the needs' bare codes: what the filters accept."""
    taxonomies = [*Taxonomy.objects.values_list("pk", flat=True), CHANNELS]
    pairs = [*TaxonomyTerm.objects.values_list("taxonomy_id", "code"), *((CHANNELS, c) for c in channel_terms())]
    terms = sorted({f"{taxonomy}:{code}" for taxonomy, code in pairs} | {c for t, c in pairs if t == NEEDS})
    return sorted(taxonomies), terms


def _honest_parameters(doc: dict[str, Any]) -> None:
    """Declare what the server refuses, so that schema-valid means accepted (checked by schemathesis).

    HSDS leaves the filters as free strings; we narrow them to the values the server reads (an
    HSDS profile may narrow). Every query parameter may be sent empty, which means absent.
    """
    parameters = doc["components"]["parameters"]
    taxonomies, terms = _term_values()
    uuid_schema = {"type": "string", "format": "uuid"}
    boolean = {"anyOf": [{"type": "boolean"}, {"type": "string", "enum": BOOLEAN_SPELLINGS}]}
    schemas: dict[str, dict[str, Any]] = {
        "organization_id": uuid_schema,
        "parent_id": uuid_schema,
        "taxonomy_id": {"anyOf": [uuid_schema, {"type": "string", "enum": taxonomies}]},
        "taxonomy_term_id": {"anyOf": [uuid_schema, {"type": "string", "enum": terms}]},
        "modified_after": {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]},
        # As params.postcode reads it: seven digits, with hyphens, spaces or 〒 anywhere.
        "postcode": {"type": "string", "pattern": POSTCODE_PATTERN},
        "proximity": {"type": "string", "pattern": PROXIMITY_PATTERN},
        "full": boolean,
        "minimal": boolean,
        "full_service": boolean,
        "top_only": boolean,
    }
    inline = [
        parameter
        for item in doc.get("paths", {}).values()
        for parameter in item.get("get", {}).get("parameters", [])
        if "$ref" not in parameter
    ]
    for parameter in [*parameters.values(), *inline]:
        if parameter.get("in") != "query":
            continue
        if parameter.get("name") in schemas:
            parameter["schema"] = schemas[parameter["name"]]
        parameter["allowEmptyValue"] = True


def _extend_parameters(parameters: dict[str, Any]) -> None:
    parameters["page"]["schema"] = {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}
    parameters["page"]["description"] += f" Tsunagari: 1 to {MAX_PAGE}; anything else is a 400."
    parameters["per_page"]["schema"] = {
        "type": "integer",
        "minimum": 1,
        "maximum": MAX_PER_PAGE,
        "default": DEFAULT_PER_PAGE,
    }
    parameters["per_page"]["description"] += (
        f" Tsunagari: default {DEFAULT_PER_PAGE}, at most {MAX_PER_PAGE}: larger values are refused with 400."
        f" With minimal=true and no per_page, one page holds up to {MAX_MINIMAL_PER_PAGE} services."
    )
    for name in ("full", "minimal", "full_service"):
        parameters[name]["description"] += " Tsunagari: true or false (also 1/0, yes/no); anything else is a 400."
    parameters["minimal"]["description"] += " minimal=true together with full=true is a 400."
    parameters["format"]["schema"] = {"type": "string", "enum": ["json", "ndjson"], "default": "json"}
    parameters["format"]["description"] += (
        " Tsunagari: ndjson streams every match as application/x-ndjson, one record per line, in the"
        " representation chosen by full/minimal; page and per_page are ignored."
    )
    parameters["taxonomy_term_id"]["description"] += (
        " Tsunagari: the term's id (UUID), or 'taxonomy:code' for any of our taxonomies (e.g."
        " tsunagari-targets:youth, tsunagari-attributes:free, tsunagari-channels:line: services"
        " reachable that way). A bare code means the tsunagari-needs taxonomy only (e.g. hikikomori),"
        " since codes repeat across taxonomies. An unknown code is a 400; an unknown UUID finds nothing."
    )
    parameters["taxonomy_id"]["description"] += " Tsunagari: the HSDS id (UUID) or the slug, e.g. tsunagari-needs."
    parameters["modified_after"]["description"] += (
        " Tsunagari: ISO 8601 date or date-time; without an offset it is Japan time (UTC+9)."
    )
    parameters["postcode"]["description"] += (
        " Tsunagari: a 7-digit Japanese postal code. As HSDS says, it selects the services whose service"
        " area contains it: Japan Post's data gives its municipality, covered by a service area of that"
        " municipality, of its prefecture, or nationwide. A code Japan Post does not know is a 400."
    )
    parameters["proximity"]["description"] += (
        " Tsunagari: metres (with postcode), or a point 'lat,lon' or 'lat,lon,metres' in WGS84;"
        " results are nearest first and locations without coordinates are left out. With metres, the"
        " centre is the mean of our mapped locations with that postal code; when none is mapped (most of"
        " our locations have no coordinates), the answer is the services whose area contains the"
        " postcode, in name order, without a distance cut."
    )
