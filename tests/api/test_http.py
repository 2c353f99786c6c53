"""What every API response shares: headers, caching, rate limiting, errors, root and OpenAPI."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import SCHEMA_BASE
from tests.conftest import HSDS, shared_data
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
    for path in ("/api/", "/api/services", f"/api/services/{service.pk}"):
        response = client.get(path)
        assert response["Access-Control-Allow-Origin"] == "*"
        assert response["Cache-Control"] == "public, max-age=60"
        assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    "path", ["/api/services/nothing", "/api/services?page=0", "/api/no-such-path", "/kamakura/api/x/y"]
)
def test_errors_are_json_and_never_cached_publicly(client: Client, kamakura: Any, path: str) -> None:
    response = client.get(path)
    assert response.status_code in (400, 404)
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["message"]
    assert response["Cache-Control"] == "no-store"
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("path", ["/api/services", "/kamakura/api/", "/api/services/x"])
def test_writes_are_refused_with_405_json_and_allow_not_the_csrf_page(
    db: None, kamakura: Any, method: str, path: str
) -> None:
    client = Client(enforce_csrf_checks=True)
    refused = getattr(client, method)(path, "{}", content_type="application/json")
    assert refused.status_code == 405
    assert refused["Allow"] == "GET, HEAD, OPTIONS"
    assert refused["Content-Type"].startswith("application/json")
    assert refused.json()["message"]
    assert refused["Cache-Control"] == "no-store"


def test_a_preflight_request_is_answered(client: Client, db: None) -> None:
    preflight = client.options("/api/services")
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert preflight["Allow"] == "GET, HEAD, OPTIONS"


def test_the_language_claimed_is_the_language_of_the_messages(client: Client, db: None) -> None:
    response = client.get("/api/services?page=0", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "ja"
    assert "整数" in response.json()["message"]


@pytest.mark.parametrize(
    "path", ["/api/services", "/api/services/", "/kamakura/api/taxonomies", "/kamakura/api/taxonomies/"]
)
def test_paths_work_with_and_without_a_trailing_slash(client: Client, kamakura: Any, path: str) -> None:
    assert client.get(path).status_code == 200


def test_a_repeated_request_is_served_from_the_cache_without_reading_the_directory(
    client: Client, kamakura: Any, database_cache: None
) -> None:
    make_service(kamakura)
    first = client.get("/kamakura/api/services?full=true")
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/kamakura/api/services?full=true")
    assert again.content == first.content
    # Only the shared cache is read: the rate-limit counter and the directory's version (no Redis here).
    assert queries.captured_queries
    assert all("tsunagari_cache" in q["sql"] or "SAVEPOINT" in q["sql"] for q in queries.captured_queries)


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
        ("page=0", "page", "1 以上 1000000 以下の整数"),
        ("page=two", "page", "1 以上 1000000 以下の整数"),
        ("page=99999999999999999999999", "page", "1 以上 1000000 以下の整数"),
        ("per_page=-5", "per_page", "1 以上 100 以下の整数"),
        ("per_page=101", "per_page", "1 以上 100 以下の整数"),
        ("full=maybe", "full", "true か false"),
        ("full=true&minimal=true", "minimal", "同時に指定できません"),
        ("format=xml", "format", "json か ndjson"),
        ("modified_after=yesterday", "modified_after", "ISO 8601"),
        ("modified_after=2026-13-45", "modified_after", "ISO 8601"),
        ("organization_id=kamakura", "organization_id", "UUID"),
        ("taxonomy_term_id=no-such-need", "taxonomy_term_id", "分類:コード"),
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


def test_per_page_is_refused_above_the_cap_and_served_up_to_it(client: Client, db: None) -> None:
    assert client.get("/api/taxonomy_terms?per_page=101").status_code == 400
    body = client.get("/api/taxonomy_terms?per_page=100").json()
    assert body["size"] == min(body["total_items"], 100)
    assert client.get("/api/services?minimal=true&per_page=101").status_code == 400


def test_the_root_says_the_hsds_version_and_where_the_openapi_document_is(client: Client, kamakura: Any) -> None:
    national = client.get("/api/").json()
    assert national["version"] == "3.0"
    assert national["openapi_url"] == "http://testserver/api/openapi.json"
    portal = client.get("/kamakura/api/").json()
    assert portal["openapi_url"] == "http://testserver/kamakura/api/openapi.json"
    assert portal["platform"]["slug"] == "kamakura"


def test_the_root_names_tsunagaris_hsds_profile_which_is_served(client: Client, kamakura: Any) -> None:
    for mount in ("/api", "/kamakura/api"):
        url = client.get(f"{mount}/").json()["profile"]
        assert url == f"http://testserver{mount}/profile"
        profile = client.get(url.removeprefix("http://testserver")).json()
        assert profile["url"] == url
        assert profile["hsds_version"] == "3.0"
        assert {"taxonomy_term_id", "postcode", "minimal", "attribution"} <= {e["name"] for e in profile["extensions"]}


def test_openapi_json_is_an_openapi_3_1_document_with_our_paths_and_server(client: Client, kamakura: Any) -> None:
    shared_data(HSDS / "schema" / "openapi.json")
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


@pytest.mark.parametrize("path", ["/api/services", "/api/service_at_locations"])
def test_every_filter_is_checked_even_when_an_unknown_term_id_already_empties_the_answer(
    client: Client, kamakura: Any, path: str
) -> None:
    # Found by schemathesis's negative_data_rejection: an unknown term UUID returned early, and the
    # other parameters were never read (organization_id=false answered 200).
    unknown = "e0224842-4752-51ab-b50a-ad6736a86541"
    assert client.get(path, {"taxonomy_term_id": unknown}).status_code == 200
    refused = client.get(path, {"taxonomy_term_id": unknown, "organization_id": "false"})
    assert refused.status_code == 400
    assert refused.json()["parameter"] == "organization_id"
    refused = client.get(path, {"taxonomy_id": "e0224842-4752-51ab-b50a-ad6736a86541", "modified_after": "nope"})
    assert refused.json()["parameter"] == "modified_after"


def test_an_integer_written_as_a_decimal_with_no_fraction_is_read(client: Client, db: None) -> None:
    assert client.get("/api/taxonomy_terms?per_page=10.0").json()["size"] <= 10
    assert client.get("/api/taxonomy_terms?per_page=10.5").status_code == 400


def test_the_document_declares_the_values_the_server_reads(client: Client, kamakura: Any) -> None:
    shared_data(HSDS / "schema" / "openapi.json")
    parameters = client.get("/api/openapi.json").json()["components"]["parameters"]
    assert parameters["organization_id"]["schema"] == {"type": "string", "format": "uuid"}
    terms = parameters["taxonomy_term_id"]["schema"]["anyOf"][1]["enum"]
    assert {"hikikomori", "tsunagari-needs:hikikomori", "tsunagari-targets:youth", "tsunagari-channels:line"} <= set(
        terms
    )
    assert all(parameter["allowEmptyValue"] for parameter in parameters.values() if parameter["in"] == "query")
