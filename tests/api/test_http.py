"""What every API response shares: headers, caching, rate limiting, errors, root and OpenAPI."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.api.conftest import SCHEMA_BASE
from tests.factories import make_service
from tsunagari.directory.models import Service
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db

HSDS_PATHS = {
    "/",
    "/services",
    "/services/{id}",
    "/organizations",
    "/organizations/{id}",
    "/taxonomies",
    "/taxonomies/{id}",
    "/taxonomy_terms",
    "/taxonomy_terms/{id}",
    "/service_at_locations",
    "/service_at_locations/{id}",
}


def test_responses_are_open_to_any_origin_and_cacheable_for_a_minute(client: Client, kamakura: Any) -> None:
    service = make_service(kamakura)
    for path in (
        "/api/",
        "/api/services",
        f"/api/services/{service.pk}",
        "/api/services/nothing",
        "/api/services?page=0",
    ):
        response = client.get(path)
        assert response["Access-Control-Allow-Origin"] == "*"
        assert response["Cache-Control"] == "public, max-age=60"
        assert response["Content-Type"].startswith("application/json")


def test_a_preflight_request_is_answered_and_writes_are_refused(client: Client, db: None) -> None:
    preflight = client.options("/api/services")
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    refused = client.post("/api/services", {})
    assert refused.status_code == 405
    assert refused.json()["message"]


@pytest.mark.parametrize(
    "path", ["/api/services", "/api/services/", "/kamakura/api/taxonomies", "/kamakura/api/taxonomies/"]
)
def test_paths_work_with_and_without_a_trailing_slash(client: Client, kamakura: Any, path: str) -> None:
    assert client.get(path).status_code == 200


def test_a_repeated_request_is_served_from_the_cache_without_queries(
    client: Client, kamakura: Any, django_assert_num_queries: Any
) -> None:
    make_service(kamakura)
    first = client.get("/kamakura/api/services?full=true")
    with django_assert_num_queries(0):
        again = client.get("/kamakura/api/services?full=true")
    assert again.content == first.content


def test_any_directory_write_refreshes_the_cached_pages(client: Client, kamakura: Any) -> None:
    service = make_service(kamakura, "古い名前")
    assert client.get("/api/services").json()["contents"][0]["name"] == "古い名前"
    with scopes_disabled():
        service.name = "新しい名前"
        service.save()
    assert client.get("/api/services").json()["contents"][0]["name"] == "新しい名前"


def test_making_a_portal_private_takes_its_api_down_at_once(client: Client, kamakura: Any) -> None:
    make_service(kamakura)
    assert client.get("/kamakura/api/services").status_code == 200
    kamakura.is_public = False
    kamakura.save()
    assert client.get("/kamakura/api/services").status_code == 404


def test_records_from_a_source_with_attribution_carry_it(client: Client, rich_service: Service) -> None:
    page = client.get("/api/services")
    assert page["X-Attribution-Sources"] == "kamakura-open-data"
    assert page.json()["attribution"][0]["attribution"] == "出典：鎌倉市オープンデータ"
    detail = client.get(f"/api/services/{rich_service.pk}")
    assert detail["X-Attribution-Sources"] == "kamakura-open-data"
    stream = client.get("/api/services?format=ndjson")
    assert stream["X-Attribution-Sources"] == "kamakura-open-data"
    root = client.get("/api/").json()
    assert root["attribution"][0]["dataset"] == "kamakura-open-data"
    assert "Open Referral" in root["specification"]["attribution"]


def test_it_returns_429_in_japanese_after_the_limit(client: Client, db: None, settings: Any) -> None:
    settings.API_RATE = "3/m"
    statuses = [client.get("/api/taxonomies").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/api/services")
    assert limited.status_code == 429
    assert "リクエストが多すぎます" in limited.json()["message"]
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert limited["Cache-Control"] == "no-store"
    # Another address has its own allowance.
    assert client.get("/api/taxonomies", REMOTE_ADDR="192.0.2.7").status_code == 200


def test_rate_limiting_can_be_switched_off(client: Client, db: None, settings: Any) -> None:
    settings.API_RATE = "1/m"
    settings.RATELIMIT_ENABLE = False
    assert {client.get("/api/taxonomies").status_code for _ in range(3)} == {200}


@pytest.mark.parametrize(
    ("query", "parameter", "words"),
    [
        ("page=0", "page", "1 以上の整数"),
        ("page=two", "page", "1 以上の整数"),
        ("per_page=-5", "per_page", "1 以上の整数"),
        ("full=maybe", "full", "true か false"),
        ("full=true&minimal=true", "minimal", "同時に指定できません"),
        ("format=xml", "format", "json か ndjson"),
        ("modified_after=yesterday", "modified_after", "ISO 8601"),
        ("modified_after=2026-13-45", "modified_after", "ISO 8601"),
        ("organization_id=kamakura", "organization_id", "UUID"),
        ("taxonomy_term_id=no-such-need", "taxonomy_term_id", "困りごとのコード"),
        ("taxonomy_id=no-such-taxonomy", "taxonomy_id", "/taxonomies"),
    ],
)
def test_bad_parameters_are_400_with_a_japanese_message_on_what_to_fix(
    client: Client, db: None, query: str, parameter: str, words: str
) -> None:
    response = client.get(f"/api/services?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["parameter"] == parameter
    assert words in body["message"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("postcode=12345", "postcode"),
        ("proximity=north", "proximity"),
        ("proximity=95,139", "proximity"),
        ("proximity=35,139,-1", "proximity"),
        ("proximity=2000", "proximity"),
        ("parent_id=x", None),
    ],
)
def test_bad_location_parameters_are_400(client: Client, db: None, query: str, parameter: str | None) -> None:
    path = "/api/taxonomy_terms" if query.startswith("parent_id") else "/api/service_at_locations"
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400
    assert response.json()["parameter"] == (parameter or "parent_id")


def test_per_page_above_the_cap_is_served_as_one_hundred(client: Client, db: None) -> None:
    body = client.get("/api/taxonomy_terms?per_page=1000").json()
    assert body["size"] == min(body["total_items"], 100)
    assert body["total_pages"] == 1


def test_the_root_says_the_hsds_version_and_where_the_openapi_document_is(client: Client, kamakura: Any) -> None:
    national = client.get("/api/").json()
    assert national["version"] == "3.0"
    assert national["openapi_url"] == "http://testserver/api/openapi.json"
    portal = client.get("/kamakura/api/").json()
    assert portal["openapi_url"] == "http://testserver/kamakura/api/openapi.json"
    assert portal["platform"]["slug"] == "kamakura"


def test_openapi_json_is_an_openapi_3_1_document_with_our_paths_and_server(client: Client, kamakura: Any) -> None:
    response = client.get("/kamakura/api/openapi.json")
    assert response.status_code == 200
    doc = json.loads(response.content)
    assert doc["openapi"].startswith("3.1")
    assert HSDS_PATHS | {"/openapi.json"} <= set(doc["paths"])
    assert doc["servers"] == [{"url": "http://testserver/kamakura/api"}]
    assert "ndjson" in doc["components"]["parameters"]["format"]["schema"]["enum"]
    assert "CC BY-SA 4.0" in doc["info"]["description"]
    sal_schema = doc["paths"]["/service_at_locations/{id}"]["get"]["responses"]["200"]["content"]["application/json"]
    assert sal_schema["schema"]["$ref"] == SCHEMA_BASE + "compiled/service_at_location.json"
