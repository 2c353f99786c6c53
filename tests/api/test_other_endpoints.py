"""Organisations, taxonomies, taxonomy terms and services at locations."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.api.conftest import Validate
from tests.factories import make_service
from tsunagari.directory.hsds import CHANNELS, taxonomy_uuid
from tsunagari.directory.models import NEEDS, Location, Service, ServiceArea, TaxonomyTerm
from tsunagari.search.index import reindex_services
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db

LIST_SCHEMA = "openapi.json#/paths/~1{path}/get/responses/200/content/application~1json/schema"


def ids(response: Any) -> list[str]:
    return [item["id"] for item in response.json()["contents"]]


def place(service: Service, lat: float | None, lon: float | None, postal_code: str = "248-8686") -> str:
    """Move the service's location; returns the id of its service at location."""
    with scopes_disabled():
        sal = service.service_at_locations.get()
        Location.objects.filter(pk=sal.location_id).update(latitude=lat, longitude=lon, postal_code=postal_code)
        return str(sal.pk)


# --- organisations ----------------------------------------------------------------------------


def test_organizations_list_validates_and_hides_organisations_with_only_drafts(
    client: Client, kamakura: Any, validate: Validate
) -> None:
    published = make_service(kamakura, "公開", organization_name="鎌倉市社会福祉協議会")
    make_service(kamakura, "下書き", organization_name="準備中のNPO", publication=Service.Publication.DRAFT)
    body = client.get("/api/organizations").json()
    validate(body, LIST_SCHEMA.format(path="organizations"))
    for item in body["contents"]:
        validate(item, "compiled/organization_list.json")
    assert [item["name"] for item in body["contents"]] == ["鎌倉市社会福祉協議会"]
    assert body["contents"][0]["id"] == str(published.organization_id)


def test_an_organisation_lists_its_published_services_only(client: Client, kamakura: Any, validate: Validate) -> None:
    service = make_service(kamakura, "公開")
    with scopes_disabled():
        Service.objects.create(platform=kamakura, organization=service.organization, name="下書き")
        service.organization.corporate_number = "8000020142042"
        service.organization.save()
    body = client.get(f"/api/organizations/{service.organization_id}").json()
    validate(body, "compiled/organization.json")
    assert [s["name"] for s in body["services"]] == ["公開"]
    assert body["organization_identifiers"][0]["identifier"] == "8000020142042"
    full = client.get(f"/api/organizations/{service.organization_id}?full_service=true").json()
    validate(full, "compiled/organization.json")
    assert full["services"][0]["phones"]


def test_organizations_full_nests_services_and_search_filters(
    client: Client, kamakura: Any, validate: Validate
) -> None:
    make_service(kamakura, "A", organization_name="鎌倉市社会福祉協議会")
    make_service(kamakura, "B", organization_name="NPOかまくら")
    body = client.get("/api/organizations?full=true&search=社会福祉").json()
    assert [item["name"] for item in body["contents"]] == ["鎌倉市社会福祉協議会"]
    validate(body["contents"][0], "compiled/organization.json")
    assert body["contents"][0]["services"][0]["name"] == "A"


def test_another_platforms_organisation_is_404_on_a_portal_api(client: Client, kamakura: Any, tottori: Any) -> None:
    theirs = make_service(tottori)
    assert client.get(f"/kamakura/api/organizations/{theirs.organization_id}").status_code == 404
    assert client.get(f"/tottori-pref/api/organizations/{theirs.organization_id}").status_code == 200


def test_organization_pages_take_a_handful_of_queries(
    client: Client, kamakura: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(20):
        make_service(kamakura, f"窓口{n}", organization_name=f"団体{n:02}")
    with django_assert_max_num_queries(4):
        assert client.get("/api/organizations").json()["size"] == 20
    # … plus the services and the six relations of full services.
    with django_assert_max_num_queries(11):
        assert client.get("/api/organizations?full_service=true").json()["size"] == 20


# --- taxonomies and terms ---------------------------------------------------------------------


def test_taxonomies_list_ours_and_the_channel_taxonomy(client: Client, db: None, validate: Validate) -> None:
    body = client.get("/api/taxonomies").json()
    validate(body, LIST_SCHEMA.format(path="taxonomies"))
    for item in body["contents"]:
        validate(item, "taxonomy.json")
    assert {item["id"] for item in body["contents"]} == {
        str(taxonomy_uuid(slug)) for slug in ("tsunagari-attributes", "tsunagari-needs", "tsunagari-targets", CHANNELS)
    }


def test_a_taxonomy_is_found_by_uuid_or_slug(client: Client, db: None, validate: Validate) -> None:
    by_slug = client.get("/api/taxonomies/tsunagari-needs").json()
    validate(by_slug, "taxonomy.json")
    assert client.get(f"/api/taxonomies/{taxonomy_uuid('tsunagari-needs')}").json() == by_slug
    assert client.get("/api/taxonomies/nothing").status_code == 404


def test_taxonomy_terms_filter_by_taxonomy_parent_top_only_and_search(
    client: Client, db: None, validate: Validate
) -> None:
    needs = client.get(f"/api/taxonomy_terms?taxonomy_id={taxonomy_uuid(NEEDS)}&per_page=100").json()
    validate(needs, LIST_SCHEMA.format(path="taxonomy_terms"))
    for item in needs["contents"]:
        validate(item, "taxonomy_term.json")
    assert {item["taxonomy"] for item in needs["contents"]} == {NEEDS}
    parent = TaxonomyTerm.objects.get(taxonomy_id=NEEDS, code="money")
    child = TaxonomyTerm.objects.create(taxonomy_id=NEEDS, code="rent", name="家賃", parent=parent)
    assert ids(client.get(f"/api/taxonomy_terms?parent_id={parent.pk}")) == [str(child.pk)]
    top = ids(client.get("/api/taxonomy_terms?top_only=true&per_page=100"))
    assert str(parent.pk) in top and str(child.pk) not in top
    found = client.get("/api/taxonomy_terms?search=LINEで").json()["contents"]
    assert [item["code"] for item in found] == ["line"]


def test_a_taxonomy_term_is_found_by_id(client: Client, db: None, validate: Validate) -> None:
    term = TaxonomyTerm.objects.get(taxonomy_id=NEEDS, code="hikikomori")
    body = client.get(f"/api/taxonomy_terms/{term.pk}").json()
    validate(body, "taxonomy_term.json")
    assert body["code"] == "hikikomori"
    assert client.get("/api/taxonomy_terms/00000000-0000-4000-8000-000000000000").status_code == 404


# --- services at locations --------------------------------------------------------------------


def test_service_at_locations_validate_as_list_items_and_in_full(
    client: Client, rich_service: Service, validate: Validate
) -> None:
    body = client.get("/api/service_at_locations").json()
    validate(body, LIST_SCHEMA.format(path="service_at_locations"))
    for item in body["contents"]:
        validate(item, "compiled/service_at_location_list.json")
    detail = client.get(f"/api/service_at_locations/{body['contents'][0]['id']}").json()
    validate(detail, "compiled/service_at_location.json")
    # The location's own schedule sits on the service at location; the service keeps its own.
    assert [s["byday"] for s in detail["schedules"]] == ["WE"]
    assert {s["byday"] for s in detail["service"]["schedules"]} == {"MO,TU,WE,TH,FR", "SA,SU"}
    for item in client.get("/api/service_at_locations?full=true").json()["contents"]:
        validate(item, "compiled/service_at_location.json")


def test_service_at_locations_filter_by_service_fields(client: Client, kamakura: Any) -> None:
    hikikomori = make_service(kamakura, "ひきこもり相談", needs=("hikikomori",))
    money = make_service(kamakura, "家計相談", needs=("money",), organization_name="社協")
    sal_hikikomori = place(hikikomori, None, None)
    sal_money = place(money, None, None)
    reindex_services()
    assert ids(client.get("/api/service_at_locations?search=ひきこもり")) == [sal_hikikomori]
    assert ids(client.get("/api/service_at_locations?taxonomy_term_id=money")) == [sal_money]
    assert ids(client.get(f"/api/service_at_locations?organization_id={money.organization_id}")) == [sal_money]
    assert ids(client.get(f"/api/service_at_locations?taxonomy_id={NEEDS}")) == [sal_hikikomori, sal_money]
    assert ids(client.get("/api/service_at_locations?modified_after=2000-01-01")) == [sal_hikikomori, sal_money]
    assert ids(client.get("/api/service_at_locations?modified_after=2999-01-01")) == []


def _cover(service: Service, kind: str, **where: str) -> None:
    """Make `service` cover only this area."""
    with scopes_disabled():
        service.service_areas.all().delete()
        ServiceArea.objects.create(platform=service.platform, service=service, kind=kind, **where)


def test_postcode_means_the_services_whose_area_contains_it(client: Client, kamakura: Any) -> None:
    """HSDS: service area, not the location's postal code (248-0012 is a Kamakura address)."""
    city = place(make_service(kamakura, "A 市の窓口"), None, None, postal_code="248-8686")
    prefecture = make_service(kamakura, "B 県の窓口")
    _cover(prefecture, ServiceArea.Kind.PREFECTURE, prefecture_id="14")
    nationwide = make_service(kamakura, "C 全国の窓口")
    _cover(nationwide, ServiceArea.Kind.NATIONWIDE)
    # In Kamakura, but for Yokohama only: the location's postal code does not make it cover Kamakura.
    yokohama = make_service(kamakura, "D 横浜の窓口")
    _cover(yokohama, ServiceArea.Kind.MUNICIPALITY, municipality_id="141003")
    place(yokohama, None, None, postal_code="248-0012")
    expected = [city, place(prefecture, None, None), place(nationwide, None, None)]
    for spelling in ("248-0012", "2480012", "２４８－００１２"):
        assert ids(client.get("/api/service_at_locations", {"postcode": spelling})) == expected
    # 千代田区: only the nationwide service covers it.
    assert ids(client.get("/api/service_at_locations?postcode=100-0001")) == [expected[2]]
    unknown = client.get("/api/service_at_locations?postcode=999-9999")
    assert unknown.status_code == 400
    assert "日本郵便" in unknown.json()["message"]


def test_proximity_orders_by_distance_and_drops_unmapped_locations(client: Client, kamakura: Any) -> None:
    city_hall = place(make_service(kamakura, "市役所"), 35.319225, 139.546687)
    ofuna = place(make_service(kamakura, "大船"), 35.353912, 139.531333)
    place(make_service(kamakura, "地図にない窓口"), None, None)
    assert ids(client.get("/api/service_at_locations?proximity=35.35,139.53")) == [ofuna, city_hall]
    # City hall to Ofuna station is about 4.1 km.
    assert ids(client.get("/api/service_at_locations?proximity=35.319225,139.546687,3000")) == [city_hall]
    assert ids(client.get("/api/service_at_locations?proximity=35.319225,139.546687,5000")) == [city_hall, ofuna]


def test_proximity_in_metres_is_measured_from_the_postcodes_centre(client: Client, kamakura: Any) -> None:
    city_hall = place(make_service(kamakura, "市役所"), 35.319225, 139.546687, postal_code="248-8686")
    ofuna = place(make_service(kamakura, "大船"), 35.353912, 139.531333, postal_code="247-0056")
    assert ids(client.get("/api/service_at_locations?postcode=248-8686&proximity=1000")) == [city_hall]
    assert ids(client.get("/api/service_at_locations?postcode=248-8686&proximity=10000")) == [city_hall, ofuna]


def test_proximity_without_a_mapped_location_at_the_postcode_answers_from_the_service_area(
    client: Client, kamakura: Any
) -> None:
    """Almost no location has coordinates: the services covering the postcode, not a 400."""
    here = place(make_service(kamakura, "地図にない窓口"), None, None, postal_code="248-8686")
    response = client.get("/api/service_at_locations?postcode=248-0012&proximity=1000")
    assert response.status_code == 200
    assert ids(response) == [here]
    assert ids(client.get("/api/service_at_locations?postcode=100-0001&proximity=1000")) == []


def test_proximity_pages_and_streams(client: Client, kamakura: Any) -> None:
    sals = [place(make_service(kamakura, f"窓口{n}"), 35.30 + n / 100, 139.5) for n in range(5)]
    page = client.get("/api/service_at_locations?proximity=35.30,139.5&per_page=2&page=2").json()
    assert (page["total_items"], page["total_pages"], [item["id"] for item in page["contents"]]) == (5, 3, sals[2:4])
    stream = client.get("/api/service_at_locations?proximity=35.30,139.5&format=ndjson")
    lines = b"".join(stream.streaming_content).decode().splitlines()
    assert [json.loads(line)["id"] for line in lines] == sals


def test_another_platforms_service_at_location_is_404_on_a_portal_api(
    client: Client, kamakura: Any, tottori: Any
) -> None:
    theirs = place(make_service(tottori), None, None)
    assert client.get(f"/kamakura/api/service_at_locations/{theirs}").status_code == 404
    assert client.get(f"/tottori-pref/api/service_at_locations/{theirs}").status_code == 200
    assert ids(client.get("/kamakura/api/service_at_locations")) == []


def test_service_at_location_pages_take_a_handful_of_queries(
    client: Client, kamakura: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(20):
        make_service(kamakura, f"窓口{n}")
    # Public platform ids, count, the page's ids, the page (services, locations, organisations).
    with django_assert_max_num_queries(4):
        assert client.get("/api/service_at_locations").json()["size"] == 20
    # … and the five relations of each full service (channels, schedules, areas, terms, programmes).
    with django_assert_max_num_queries(9):
        assert client.get("/api/service_at_locations?full=true").json()["size"] == 20


@pytest.mark.parametrize(
    "path",
    ["/api/services", "/api/organizations", "/api/taxonomies", "/api/taxonomy_terms", "/api/service_at_locations"],
)
def test_words_with_control_characters_are_searched_as_spaces(path: str, client: Client, kamakura: Any) -> None:
    # A NUL byte reached PostgreSQL ("text fields cannot contain NUL") and the answer was a 500.
    response = client.get(path, {"search": "福祉\x00相談\x1b"})
    assert response.status_code == 200, response.content[:300]
