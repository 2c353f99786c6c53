"""The map page: approximate positions drawn as groups, never pins; a list without JavaScript (issue 9 item 12)."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from tests.factories import make_service
from tsunagari.directory.models import Location
from tsunagari.tenancy.scoping import scopes_disabled


def place(service: Any, **fields: Any) -> None:
    with scopes_disabled():
        Location.objects.filter(service_at_locations__service=service).update(**fields)


def features(client: Client) -> list[dict[str, Any]]:
    return json.loads(client.get("/kamakura/map.json").content)["features"]


def test_windows_in_the_same_town_are_one_approximate_group_without_a_pin(client: Client, kamakura: Any) -> None:
    for name in ("相談A", "相談B"):
        place(
            make_service(kamakura, name), latitude=35.35, longitude=139.53, precision="town", place_label="鎌倉市大船"
        )
    [feature] = features(client)
    assert feature["properties"]["precision"] == "town"
    assert feature["properties"]["count"] == 2
    assert feature["properties"]["label"] == "鎌倉市大船付近 2件"
    # No single window's link or name at the top: the script draws a circle listing them, not a pin.
    assert "url" not in feature["properties"] and "name" not in feature["properties"]


def test_municipality_level_windows_say_within_the_city(client: Client, kamakura: Any) -> None:
    place(
        make_service(kamakura, "相談A"),
        latitude=35.33,
        longitude=139.54,
        precision="municipality",
        place_label="鎌倉市",
    )
    [feature] = features(client)
    assert feature["properties"]["label"] == "鎌倉市内 1件"


def test_only_exact_positions_are_pins(client: Client, kamakura: Any) -> None:
    service = make_service(kamakura, "相談A")
    place(service, latitude=35.319, longitude=139.5467, precision="exact")
    [feature] = features(client)
    assert feature["properties"]["precision"] == "exact"
    assert feature["properties"]["url"] == f"/kamakura/services/{service.pk}/"


def test_phone_only_lines_and_unplaced_windows_get_no_place(client: Client, kamakura: Any) -> None:
    place(
        make_service(kamakura, "電話相談"), latitude=35.3, longitude=139.5, precision="exact", location_type="virtual"
    )
    make_service(kamakura, "住所不明")  # precision "none"
    assert features(client) == []


def test_the_page_says_how_many_have_a_position_and_lists_them_without_javascript(
    client: Client, kamakura: Any
) -> None:
    place(make_service(kamakura, "相談A"), latitude=35.35, longitude=139.53, precision="town", place_label="鎌倉市大船")
    make_service(kamakura, "電話相談")
    body = client.get("/kamakura/map/").content.decode()
    assert "2 件中 1 件" in body
    assert "おおよそ" in body
    assert "<summary>鎌倉市大船付近 1件</summary>" in body
    assert "相談A</a>" in body
    assert "Geolonia" in body
    assert "style=" not in body and "<script>" not in body


def national_places(national: Any) -> tuple[Any, Any]:
    """A window in 鎌倉市 (神奈川県) and one in 京都市 (京都府), on the national map."""
    kamakura_window = make_service(national, "鎌倉の相談", municipality="142042")
    place(kamakura_window, latitude=35.319, longitude=139.546, precision="town", place_label="鎌倉市御成町")
    kyoto_window = make_service(national, "京都の相談", municipality="261009")
    place(kyoto_window, latitude=35.0116, longitude=135.7681, precision="municipality", place_label="京都市")
    return kamakura_window, kyoto_window


def test_the_national_map_starts_with_one_circle_per_prefecture(client: Client, national: Any) -> None:
    kamakura_window, _ = national_places(national)
    response = client.get("/zenkoku/map.json", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    body = client.get("/zenkoku/map.json").json()
    by_label = {f["properties"]["label"]: f["properties"] for f in body["features"]}
    assert set(by_label) == {"神奈川県内 1件", "京都府内 1件"}
    assert by_label["神奈川県内 1件"]["precision"] == "prefecture"
    assert by_label["神奈川県内 1件"]["data"] == "/zenkoku/map.json?pref=14"
    # No window is downloaded before a prefecture is chosen.
    assert "鎌倉の相談" not in json.dumps(body, ensure_ascii=False)
    [feature] = client.get("/zenkoku/map.json", {"pref": "14"}).json()["features"]
    assert feature["properties"]["windows"] == [
        {"name": "鎌倉の相談", "url": f"/zenkoku/services/{kamakura_window.pk}/"}
    ]


def test_without_javascript_the_national_map_lists_prefectures_then_their_places(client: Client, national: Any) -> None:
    national_places(national)
    body = client.get("/zenkoku/map/").content.decode()
    assert '<a href="?pref=14">神奈川県</a>' in body and '<a href="?pref=26">京都府</a>' in body
    assert "鎌倉の相談" not in body
    body = client.get("/zenkoku/map/", {"pref": "26"}).content.decode()
    assert "京都の相談</a>" in body and "鎌倉の相談" not in body
    assert 'data-geojson="/zenkoku/map.json?pref=26"' in body
    # An unknown code is the national view again, not an error.
    assert '<a href="?pref=14">' in client.get("/zenkoku/map/", {"pref": "99"}).content.decode()


def test_a_map_within_one_prefecture_is_not_split(client: Client, kamakura: Any) -> None:
    place(make_service(kamakura, "相談A"), latitude=35.35, longitude=139.53, precision="town", place_label="鎌倉市大船")
    [feature] = features(client)
    assert feature["properties"]["precision"] == "town"
