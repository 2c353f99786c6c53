"""The public portal's pages: home, search, detail, print, QR codes, map data."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
import time_machine
from django.test import Client

from tests.factories import make_service
from tsunagari.directory.models import Channel, Location, Schedule, Service
from tsunagari.lib.hours import JST
from tsunagari.search.index import reindex_services
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db


def test_home_offers_need_tiles_search_and_the_emergency_strip(client: Client, kamakura: Any) -> None:
    body = client.get("/kamakura/").content.decode()
    assert 'action="/kamakura/search/"' in body
    assert "/kamakura/search/?need=suicide" in body
    assert 'class="emergency"' in body
    assert "data-quick-exit" in body


def test_search_finds_a_window_by_a_spelling_variant(client: Client, kamakura: Any) -> None:
    service = make_service(kamakura, "引きこもり相談窓口")
    reindex_services([service.pk])
    body = client.get("/kamakura/search/", {"q": "ひきこもり"}).content.decode()
    assert f"/kamakura/services/{service.pk}/" in body
    assert 'href="tel:0467233000"' in body


def test_search_by_need_tile_lists_matching_services_only(client: Client, kamakura: Any) -> None:
    food = make_service(kamakura, "フードバンク鎌倉", needs=("food",))
    other = make_service(kamakura, "就労相談", needs=("work",))
    reindex_services([food.pk, other.pk])
    body = client.get("/kamakura/search/", {"need": "food"}).content.decode()
    assert "フードバンク鎌倉" in body
    assert "就労相談" not in body


def test_results_say_which_window_is_open_now_and_when_there_are_more_than_counted(
    client: Client, kamakura: Any, monkeypatch: Any
) -> None:
    round_the_clock = make_service(kamakura, "24時間の相談窓口")
    unknown = make_service(kamakura, "時間不明の相談窓口")
    with scopes_disabled():
        Schedule.objects.create(platform=kamakura, service=round_the_clock, byday="MO,TU,WE,TH,FR,SA,SU", open_24h=True)
    reindex_services([round_the_clock.pk, unknown.pk])
    with time_machine.travel(datetime.datetime(2026, 7, 1, 3, tzinfo=JST), tick=False):
        body = client.get("/kamakura/search/", {"q": "相談"}, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert body.count('class="badge open"') == 1
    assert "2 か所見つかりました" in body
    monkeypatch.setattr("tsunagari.search.query.MAX_MATCHES", 1)
    body = client.get("/kamakura/search/", {"q": "相談"}, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "1 か所を超えて見つかりました" in body


def test_a_bad_postal_code_is_explained_in_japanese(client: Client, kamakura: Any) -> None:
    response = client.get("/kamakura/search/", {"area": "12-34"}, HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 200
    assert "郵便番号" in response.content.decode()


def test_search_never_shows_another_platforms_services(client: Client, kamakura: Any, tottori: Any) -> None:
    theirs = make_service(tottori, "鳥取のひきこもり相談")
    reindex_services([theirs.pk])
    body = client.get("/kamakura/search/", {"q": "ひきこもり"}).content.decode()
    assert "鳥取のひきこもり相談" not in body


def test_detail_says_whether_it_is_open_now(client: Client, kamakura: Any, settings: Any) -> None:
    service = make_service(kamakura)
    with scopes_disabled():
        Schedule.objects.create(
            platform=kamakura,
            service=service,
            byday="MO,TU,WE,TH,FR,SA,SU",
            opens_at=datetime.time(0, 0),
            closes_at=datetime.time(23, 59),
            closed_year_end=False,
        )
        Service.objects.filter(pk=service.pk).update(hours_parsed=True, hours_text="毎日 0:00～23:59")
    # A Wednesday in July: no holiday, no year end (tests/portal/test_open_now.py has the boundaries).
    with time_machine.travel(datetime.datetime(2026, 7, 1, 10, tzinfo=JST), tick=False):
        body = client.get(f"/kamakura/services/{service.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Open now" in body and "Closed now" not in body


def test_detail_links_line_and_chat_channels(client: Client, kamakura: Any) -> None:
    service = make_service(kamakura)
    with scopes_disabled():
        Channel.objects.create(
            platform=kamakura, service=service, kind=Channel.Kind.LINE, value="https://lin.ee/example"
        )
    body = client.get(f"/kamakura/services/{service.pk}/").content.decode()
    assert 'href="https://lin.ee/example"' in body


def test_print_view_carries_a_qr_code_to_the_live_page(client: Client, kamakura: Any) -> None:
    service = make_service(kamakura)
    body = client.get(f"/kamakura/services/{service.pk}/print/").content.decode()
    assert "<svg" in body
    assert f"http://testserver/kamakura/services/{service.pk}/" in body


def test_qr_codes_are_made_only_for_the_portals_own_pages(client: Client, kamakura: Any) -> None:
    ok = client.get("/kamakura/qr.svg", {"path": "/kamakura/search/?need=food"})
    assert ok.status_code == 200
    assert ok["Content-Type"] == "image/svg+xml"
    for bad in ("https://evil.example/", "//evil.example/", "/tottori-pref/", "/kamakura/\\evil"):
        assert client.get("/kamakura/qr.svg", {"path": bad}).status_code == 400


@pytest.mark.parametrize(
    "bad",
    [
        "https://evil.example/kamakura/",
        "http:/kamakura/",
        "/kamakura//evil.example/",
        "/kamakura/%5Cevil.example",
        "/kamakura/../admin/",
        "/kamakura/%2e%2e/admin/",
        "/kamakura/search/%0d%0aSet-Cookie:x",
        "kamakura/",
        "/kamakura",
    ],
)
def test_qr_codes_refuse_foreign_or_escaping_paths(client: Client, kamakura: Any, bad: str) -> None:
    response = client.get("/kamakura/qr.svg", {"path": bad})
    assert response.status_code == 400
    assert "このポータルのページ" in response.content.decode()


def test_qr_codes_refuse_over_long_paths_with_400_not_500(client: Client, kamakura: Any) -> None:
    # ~2,300 characters overflowed the QR code's capacity and raised a server error (issue 10 item 7).
    response = client.get("/kamakura/qr.svg", {"path": "/kamakura/search/?q=" + "あ" * 2300})
    assert response.status_code == 400
    assert "長すぎます" in response.content.decode()
    assert client.get("/kamakura/qr.svg", {"path": "/kamakura/search/?q=" + "a" * 400}).status_code == 200


def test_map_data_is_geojson_of_located_services(client: Client, kamakura: Any) -> None:
    service = make_service(kamakura)
    with scopes_disabled():
        Location.objects.filter(service_at_locations__service=service).update(
            latitude=35.319, longitude=139.5467, precision="exact"
        )
    data = json.loads(client.get("/kamakura/map.json").content)
    assert data["type"] == "FeatureCollection"
    assert data["features"][0]["geometry"]["coordinates"] == [139.5467, 35.319]
    assert data["features"][0]["properties"]["url"] == f"/kamakura/services/{service.pk}/"


@pytest.mark.parametrize(
    "query",
    [
        "",
        "q=a&lang=en&area=248-0014&near=35.1,139.2&radius=5&open_now=on&free=on",
        "q=%3Cb%3E%22&area=12",
        "lang=zz&radius=x",
    ],
)
def test_the_search_forms_fast_inputs_are_what_django_writes(query: str) -> None:
    from django.http import QueryDict

    from tsunagari.portal.forms import SearchForm

    form = SearchForm(QueryDict(query) if query else None)
    if query:
        form.is_valid()
    for name in ("q", "open_now", "open_24h", "free", "anonymous", "lang", "area", "near", "radius"):
        assert str(form.fast[name]) == str(form[name]), name
    if query:
        boxes = str(SearchForm(QueryDict("need=food&need=money&channel=line")).need_boxes)
        assert '<input type="checkbox" name="need" value="food" checked>' in boxes
        assert '<input type="checkbox" name="need" value="housing">' in boxes


def test_a_new_local_line_is_in_the_emergency_strip_at_once(client: Client, kamakura: Any, tottori: Any) -> None:
    from tsunagari.directory.models import CrisisLine

    assert "鎌倉いのちの電話" not in client.get("/kamakura/").content.decode()  # the lines are now cached
    with scopes_disabled():
        CrisisLine.objects.create(
            platform=kamakura,
            label="鎌倉いのちの電話",
            number="0467-00-0000",
            phone_href="tel:0467000000",
            kinds=["suicide"],
            is_primary=True,
            last_verified_on=datetime.date(2026, 11, 1),
        )
    assert "鎌倉いのちの電話" in client.get("/kamakura/").content.decode()
    other = client.get("/tottori-pref/")
    assert other.status_code == 200
    assert "鎌倉いのちの電話" not in other.content.decode()
