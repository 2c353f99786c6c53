"""Our OpenAPI 3.1 document: the official HSDS 3.0 one (openapi.json, CC BY-SA 4.0) with our additions.

The official document is kept verbatim next to this module (licence: openapi.json.LICENSE); this
module fills in what it leaves to implementers (info, servers) and documents our extensions.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from tsunagari.tenancy.models import Platform

from .params import DEFAULT_PER_PAGE, MAX_MINIMAL_PER_PAGE, MAX_PER_PAGE

OFFICIAL = Path(__file__).resolve().parent / "openapi.json"
SCHEMA_BASE = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
HSDS_ATTRIBUTION = "Human Services Data Specification: an Open Referral resource (https://openreferral.org/)"
CC_BY_SA = "https://creativecommons.org/licenses/by-sa/4.0/"

ERROR_SCHEMA = {
    "type": "object",
    "required": ["message"],
    "properties": {
        "message": {"type": "string", "description": "What went wrong and how to fix it, in Japanese."},
        "parameter": {"type": "string", "description": "The query parameter at fault, if any."},
    },
}


@cache
def official() -> dict[str, Any]:
    with OFFICIAL.open(encoding="utf-8") as f:
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
    for path, item in paths.items():
        responses = item["get"]["responses"]
        responses["429"] = {"$ref": "#/components/responses/TooManyRequests"}
        if "{id}" in path:
            responses["404"] = {"$ref": "#/components/responses/NotFound"}
        elif path != "/":
            responses["400"] = {"$ref": "#/components/responses/BadRequest"}
            responses["200"]["content"]["application/x-ndjson"] = {
                "schema": {"type": "string", "description": "format=ndjson: one JSON document per line."}
            }
    paths["/openapi.json"] = {
        "get": {
            "summary": "This document.",
            "operationId": "getOpenAPIDocument",
            "responses": {"200": {"description": "OpenAPI 3.1 document.", "content": {"application/json": {}}}},
        }
    }
    doc["x-tsunagari"] = {
        "taxonomies": {
            "tsunagari-needs": "困りごと（ニーズ）。taxonomy_term_id にはコード（例: hikikomori）も使えます。",
            "tsunagari-targets": "対象（誰のための支援か）。",
            "tsunagari-attributes": "特徴（24時間・匿名・無料など）。",
            "tsunagari-channels": "連絡手段（電話・LINE・メールなど）。attribute.value に番号やリンク。",
        },
        "attribution_header": "X-Attribution-Sources: comma-separated slugs of the source data sets in the response.",
    }
    return doc


def _extend_parameters(parameters: dict[str, Any]) -> None:
    parameters["page"]["schema"] = {"type": "integer", "minimum": 1, "default": 1}
    parameters["per_page"]["schema"] = {
        "type": "integer",
        "minimum": 1,
        "maximum": MAX_PER_PAGE,
        "default": DEFAULT_PER_PAGE,
    }
    parameters["per_page"]["description"] += (
        f" Tsunagari: default {DEFAULT_PER_PAGE}, at most {MAX_PER_PAGE} (larger values are served as"
        f" {MAX_PER_PAGE}); with minimal=true, default and maximum {MAX_MINIMAL_PER_PAGE}."
    )
    parameters["format"]["schema"] = {"type": "string", "enum": ["json", "ndjson"], "default": "json"}
    parameters["format"]["description"] += (
        " Tsunagari: ndjson streams every match as application/x-ndjson, one record per line, in the"
        " representation chosen by full/minimal; page and per_page are ignored."
    )
    parameters["taxonomy_term_id"]["description"] += (
        " Tsunagari: also a need code of the tsunagari-needs taxonomy (e.g. hikikomori), or a term of"
        " tsunagari-channels (services reachable that way)."
    )
    parameters["taxonomy_id"]["description"] += " Tsunagari: the HSDS id (UUID) or the slug, e.g. tsunagari-needs."
    parameters["modified_after"]["description"] += (
        " Tsunagari: ISO 8601 date or date-time; without an offset it is Japan time (UTC+9)."
    )
    parameters["postcode"]["description"] += (
        " Tsunagari: a 7-digit Japanese postal code; matches the location's postal code (we hold no"
        " postcode areas). With proximity in metres, the centre is the mean of our mapped locations"
        " with that postal code."
    )
    parameters["proximity"]["description"] += (
        " Tsunagari: metres (with postcode), or a point 'lat,lon' or 'lat,lon,metres' in WGS84;"
        " results are nearest first and locations without coordinates are left out."
    )
