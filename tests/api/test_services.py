"""GET /services and /services/{id}: HSDS shapes, paging, filters, ndjson, drafts and tenancy."""

from __future__ import annotations

import datetime
import json
import uuid
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.api.conftest import Validate
from tests.factories import make_service
from tsunagari.directory.hsds import CHANNELS, channel_terms, taxonomy_uuid
from tsunagari.directory.models import NEEDS, Channel, Service, TaxonomyTerm
from tsunagari.search.index import reindex_services
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db

PAGE_KEYS = {"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"}


def ids(response: Any) -> set[str]:
    return {item["id"] for item in response.json()["contents"]}


def test_a_service_validates_against_the_compiled_service_schema(
    client: Client, rich_service: Service, validate: Validate
) -> None:
    response = client.get(f"/api/services/{rich_service.pk}")
    assert response.status_code == 200
    body = response.json()
    validate(body, "compiled/service.json")
    assert body["id"] == str(rich_service.pk)
    assert {phone["type"] for phone in body["phones"]} == {"voice", "fax"}
    assert body["contacts"][0]["email"] == "kokoro@example.jp"
    assert body["cost_options"][0]["amount"] == 0
    assert {lang["code"] for lang in body["languages"]} == {"ja", "en", "zh"}
    channel_values = {
        a["taxonomy_term"]["code"]: a.get("value") for a in body["attributes"] if a["link_type"] == "contact_method"
    }
    assert channel_values["line"] == "https://lin.ee/example"
    assert "visit" in channel_values
    assert body["assurer_email"] == "verifier@example.jp"


def test_the_service_list_validates_item_by_item_and_as_a_page(
    client: Client, rich_service: Service, national: Any, validate: Validate
) -> None:
    make_service(national, "全国の相談窓口")
    body = client.get("/api/services").json()
    assert set(body) >= PAGE_KEYS
    validate(body, "openapi.json#/paths/~1services/get/responses/200/content/application~1json/schema")
    for item in body["contents"]:
        validate(item, "compiled/service_list.json")
        assert "phones" not in item
    assert body["total_items"] == 2


def test_full_true_nests_every_service_in_the_list(client: Client, rich_service: Service, validate: Validate) -> None:
    body = client.get("/api/services?full=true").json()
    for item in body["contents"]:
        validate(item, "compiled/service.json")
    assert body["contents"][0]["phones"]


def test_minimal_lists_only_ids_and_modified_dates(client: Client, kamakura: Any) -> None:
    service = make_service(kamakura)
    with scopes_disabled():
        service.refresh_from_db()  # adding its channels and areas touched modified_at
    body = client.get("/api/services?minimal=true").json()
    assert body["contents"] == [
        {
            "id": str(service.pk),
            "modified_date": service.modified_at.astimezone(datetime.UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
        }
    ]


def test_paging_counts_pages_and_marks_the_first_and_the_last(client: Client, kamakura: Any) -> None:
    for n in range(5):
        make_service(kamakura, f"窓口{n}")
    first = client.get("/api/services?per_page=2").json()
    assert (first["total_items"], first["total_pages"], first["page_number"], first["size"]) == (5, 3, 1, 2)
    assert first["first_page"] and not first["last_page"] and not first["empty"]
    last = client.get("/api/services?per_page=2&page=3").json()
    assert (last["size"], last["first_page"], last["last_page"]) == (1, False, True)
    beyond = client.get("/api/services?per_page=2&page=4").json()
    assert beyond["contents"] == [] and beyond["empty"] and beyond["last_page"]
    seen = [
        item["name"]
        for page in (1, 2, 3)
        for item in client.get(f"/api/services?per_page=2&page={page}").json()["contents"]
    ]
    assert seen == [f"窓口{n}" for n in range(5)]


def test_an_empty_directory_is_one_empty_page(client: Client, kamakura: Any) -> None:
    body = client.get("/api/services").json()
    assert body == {
        **body,
        "total_items": 0,
        "total_pages": 0,
        "size": 0,
        "empty": True,
        "first_page": True,
        "last_page": True,
    }


def test_search_matches_name_other_name_and_description(client: Client, kamakura: Any) -> None:
    by_name = make_service(kamakura, "ひきこもり相談", needs=("unsure",))
    by_alternate = make_service(kamakura, "窓口A", alternate_name="ひきこもりの居場所", needs=("unsure",))
    by_description = make_service(kamakura, "窓口B", description="ひきこもりの家族会", needs=("unsure",))
    make_service(kamakura, "子育て相談", needs=("parenting",))
    reindex_services()
    assert ids(client.get("/api/services?search=ひきこもり")) == {
        str(by_name.pk),
        str(by_alternate.pk),
        str(by_description.pk),
    }
    assert ids(client.get("/api/services?search=ひきこもり 家族")) == {str(by_description.pk)}


def test_search_gives_the_portal_s_answer_for_every_spelling(client: Client, kamakura: Any) -> None:
    # issue 9 item 6: icontains found ひきこもり but not 引き籠もり; the API now uses the portal's search.
    listed = make_service(kamakura, "ひきこもり相談", needs=("unsure",))
    make_service(kamakura, "子育て相談", needs=("parenting",))
    reindex_services()
    for spelling in ("ひきこもり", "引きこもり", "引き籠もり", "ヒキコモリ"):
        api = ids(client.get("/kamakura/api/services", {"search": spelling}))
        page = client.get("/kamakura/search/", {"q": spelling}).content.decode()
        assert api == {str(listed.pk)}, spelling
        assert f"/kamakura/services/{listed.pk}/" in page, spelling


def test_search_also_finds_the_windows_for_the_need_the_words_name(client: Client, kamakura: Any) -> None:
    # 家賃 is nowhere in the listing, but the words are about housing: found, after the word matches.
    benefit = make_service(kamakura, "住居確保給付金の相談窓口", needs=("housing", "money"))
    worded = make_service(kamakura, "家賃の相談会", needs=("unsure",))
    make_service(kamakura, "子育て相談", needs=("parenting",))
    reindex_services()
    body = client.get("/kamakura/api/services", {"search": "家賃"}).json()
    assert [item["id"] for item in body["contents"]] == [str(worded.pk), str(benefit.pk)]
    assert body["search"]["understood_needs"] == ["housing"]
    assert body["search"]["every_word_matched"] == 1


def test_taxonomy_term_id_takes_a_term_uuid_or_a_need_code(client: Client, kamakura: Any) -> None:
    hikikomori = make_service(kamakura, "ひきこもり", needs=("hikikomori",))
    make_service(kamakura, "お金", needs=("money",))
    with scopes_disabled():
        term = TaxonomyTerm.objects.get(taxonomy_id=NEEDS, code="hikikomori")
    assert ids(client.get(f"/api/services?taxonomy_term_id={term.pk}")) == {str(hikikomori.pk)}
    assert ids(client.get("/api/services?taxonomy_term_id=hikikomori")) == {str(hikikomori.pk)}


def test_taxonomy_term_id_names_other_taxonomies_terms_as_taxonomy_colon_code(client: Client, kamakura: Any) -> None:
    """Codes repeat across taxonomies: a bare code is a need; others are named with their taxonomy."""
    with_target = make_service(kamakura, "若者")
    make_service(kamakura, "誰でも")
    with scopes_disabled():
        with_target.terms.add(TaxonomyTerm.objects.get(taxonomy_id="tsunagari-targets", code="youth"))
        shared = (
            TaxonomyTerm.objects.exclude(taxonomy_id=NEEDS)
            .filter(code__in=TaxonomyTerm.objects.filter(taxonomy_id=NEEDS).values("code"))
            .first()
        )
    assert ids(client.get("/api/services?taxonomy_term_id=tsunagari-targets:youth")) == {str(with_target.pk)}
    assert ids(client.get(f"/api/services?taxonomy_term_id={NEEDS}:hikikomori")) == ids(
        client.get("/api/services?taxonomy_term_id=hikikomori")
    )
    assert ids(client.get(f"/api/services?taxonomy_term_id={CHANNELS}:phone")) == ids(client.get("/api/services"))
    if shared is not None:  # a code in two taxonomies: each form reaches its own taxonomy
        assert client.get(f"/api/services?taxonomy_term_id={shared.taxonomy_id}:{shared.code}").status_code == 200
    refused = client.get("/api/services?taxonomy_term_id=tsunagari-targets:no-such")
    assert refused.status_code == 400
    assert "tsunagari-targets:youth" in refused.json()["message"]


def test_taxonomy_term_id_of_a_channel_finds_services_reachable_that_way(client: Client, kamakura: Any) -> None:
    with_line = make_service(kamakura, "LINE相談")
    make_service(kamakura, "電話だけ")
    with scopes_disabled():
        Channel.objects.create(platform=kamakura, service=with_line, kind=Channel.Kind.LINE, value="https://lin.ee/x")
    line_term = channel_terms()[Channel.Kind.LINE]
    assert ids(client.get(f"/api/services?taxonomy_term_id={line_term.pk}")) == {str(with_line.pk)}


def test_taxonomy_id_takes_the_hsds_uuid_or_the_slug(client: Client, kamakura: Any) -> None:
    with_target = make_service(kamakura, "若者")
    make_service(kamakura, "誰でも")
    with scopes_disabled():
        with_target.terms.add(TaxonomyTerm.objects.get(taxonomy_id="tsunagari-targets", code="youth"))
    assert ids(client.get(f"/api/services?taxonomy_id={taxonomy_uuid('tsunagari-targets')}")) == {str(with_target.pk)}
    assert ids(client.get("/api/services?taxonomy_id=tsunagari-targets")) == {str(with_target.pk)}
    assert client.get(f"/api/services?taxonomy_id={taxonomy_uuid(CHANNELS)}").json()["total_items"] == 2


def test_an_unknown_term_uuid_finds_nothing(client: Client, kamakura: Any) -> None:
    make_service(kamakura)
    body = client.get("/api/services?taxonomy_term_id=00000000-0000-4000-8000-000000000000").json()
    assert body["total_items"] == 0


def test_organization_id_keeps_that_organisations_services(client: Client, kamakura: Any) -> None:
    mine = make_service(kamakura, "A", organization_name="鎌倉市社会福祉協議会")
    make_service(kamakura, "B")
    assert ids(client.get(f"/api/services?organization_id={mine.organization_id}")) == {str(mine.pk)}


def test_modified_after_takes_dates_and_datetimes_in_japan_time(client: Client, kamakura: Any) -> None:
    old = make_service(kamakura, "古い")
    new = make_service(kamakura, "新しい")
    with scopes_disabled():
        Service.objects.filter(pk=old.pk).update(modified_at=timezone.make_aware(datetime.datetime(2026, 1, 1, 12)))
        Service.objects.filter(pk=new.pk).update(modified_at=timezone.make_aware(datetime.datetime(2026, 6, 1, 12)))
    assert ids(client.get("/api/services?modified_after=2026-03-01")) == {str(new.pk)}
    assert ids(client.get("/api/services?modified_after=2026-06-01T12:00:00%2B09:00")) == {str(new.pk)}
    # An unencoded "+" arrives as a space; it still reads as the offset.
    assert ids(client.get("/api/services?modified_after=2026-06-01T12:00:01+09:00")) == set()
    assert ids(client.get("/api/services?modified_after=2026-01-01T03:00:00Z")) == {str(old.pk), str(new.pk)}


def test_ndjson_streams_every_match_one_per_line(client: Client, kamakura: Any, validate: Validate) -> None:
    for n in range(3):
        make_service(kamakura, f"窓口{n}")
    make_service(kamakura, "下書き", publication=Service.Publication.DRAFT)
    response = client.get("/api/services?format=ndjson&full=true&per_page=1")
    assert response["Content-Type"].startswith("application/x-ndjson")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert len(lines) == 3
    for line in lines:
        validate(json.loads(line), "compiled/service.json")


def test_drafts_never_appear(client: Client, kamakura: Any) -> None:
    draft = make_service(kamakura, "下書き", publication=Service.Publication.DRAFT)
    defunct = make_service(kamakura, "廃止", status=Service.Status.DEFUNCT)
    published = make_service(kamakura, "公開")
    for base in ("/api", "/kamakura/api"):
        assert ids(client.get(f"{base}/services")) == {str(published.pk)}
        assert client.get(f"{base}/services/{draft.pk}").status_code == 404
        assert client.get(f"{base}/services/{defunct.pk}").status_code == 404
        assert "下書き" not in b"".join(client.get(f"{base}/services?format=ndjson").streaming_content).decode()


def test_unknown_or_malformed_ids_are_404_json(client: Client, kamakura: Any) -> None:
    for path in ("/api/services/00000000-0000-4000-8000-000000000000", "/api/services/not-a-uuid"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json()["message"]


def test_a_portal_api_shows_its_area_and_national_data_only(
    client: Client, kamakura: Any, tottori: Any, national: Any
) -> None:
    mine = make_service(kamakura, "鎌倉の窓口")
    theirs = make_service(tottori, "鳥取の窓口")
    nationwide = make_service(national, "全国の窓口")
    assert ids(client.get("/kamakura/api/services")) == {str(mine.pk), str(nationwide.pk)}
    assert ids(client.get("/tottori-pref/api/services")) == {str(theirs.pk), str(nationwide.pk)}
    assert ids(client.get("/api/services")) == {str(mine.pk), str(theirs.pk), str(nationwide.pk)}


def test_another_platforms_service_is_404_on_a_portal_api(client: Client, kamakura: Any, tottori: Any) -> None:
    theirs = make_service(tottori, "鳥取の窓口")
    assert client.get(f"/kamakura/api/services/{theirs.pk}").status_code == 404
    assert client.get(f"/tottori-pref/api/services/{theirs.pk}").status_code == 200


def test_private_platforms_are_left_out_everywhere(client: Client, kamakura: Any, tottori: Any) -> None:
    hidden = make_service(tottori, "非公開の窓口")
    tottori.is_public = False
    tottori.save()
    assert client.get("/tottori-pref/api/services").status_code == 404
    assert client.get(f"/api/services/{hidden.pk}").status_code == 404
    assert ids(client.get("/api/services")) == set()


def test_unknown_platform_slug_is_404_json(client: Client) -> None:
    response = client.get("/no-such-portal/api/services")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_a_page_of_fifty_full_services_takes_a_handful_of_queries(
    client: Client, kamakura: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(50):
        make_service(kamakura, f"窓口{n:02}", needs=("hikikomori", "money"))
    # The platform and the national platform's id, count, the page's ids, the page, then one query
    # per prefetched relation (channels, schedules, areas, terms, programmes, locations): the same
    # for 5 or 50.
    with django_assert_max_num_queries(11):
        body = client.get("/kamakura/api/services?full=true&per_page=50").json()
    assert body["size"] == 50
    # Public platform ids, count, the page's ids, the page (organisations and data sets joined).
    with django_assert_max_num_queries(4):
        assert client.get("/api/services?per_page=50").json()["size"] == 50
    with django_assert_max_num_queries(9):
        assert client.get(f"/kamakura/api/services/{body['contents'][0]['id']}").status_code == 200


def test_a_service_page_also_caches_its_published_neighbours_by_id(
    client: Client, kamakura: Any, django_assert_num_queries: Any
) -> None:
    first = make_service(kamakura, "A", id=uuid.UUID("00000000-0000-4000-8000-000000000001"))
    neighbour = make_service(kamakura, "B", id=uuid.UUID("00000000-0000-4000-8000-000000000002"))
    draft = make_service(
        kamakura, "下書き", id=uuid.UUID("00000000-0000-4000-8000-000000000003"), publication=Service.Publication.DRAFT
    )
    far = make_service(kamakura, "C", id=uuid.UUID("ffffffff-0000-4000-8000-000000000001"))
    assert client.get(f"/kamakura/api/services/{first.pk}").status_code == 200
    with django_assert_num_queries(0):
        cached = client.get(f"/kamakura/api/services/{neighbour.pk}")
    assert cached.json()["name"] == "B"
    assert cached.json() == json.loads(client.get(f"/kamakura/api/services/{neighbour.pk}/").content)
    assert client.get(f"/kamakura/api/services/{draft.pk}").status_code == 404
    assert client.get(f"/kamakura/api/services/{far.pk}").json()["name"] == "C"
