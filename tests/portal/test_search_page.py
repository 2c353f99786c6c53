"""The results page on a phone: folded filters with counts, honest notes, national lines that fit, places by name."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.factories import make_service
from tsunagari.directory.models import CrisisLine
from tsunagari.search.index import reindex_services
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db


def _filters(body: str) -> str:
    match = re.search(r'<details class="filters"[^>]*>.*?</details>', body, re.S)
    assert match, "no folded filters"
    return match.group(0)


def test_filters_stay_folded_after_a_search_and_name_what_is_set(client: Client, kamakura: Any) -> None:
    service = make_service(kamakura, "フードバンク鎌倉", needs=("food",))
    reindex_services([service.pk])
    body = client.get("/kamakura/search/", {"need": "food", "free": "on"}, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert '<details class="filters">' in body  # closed: the results come first
    summary = re.search(r'<details class="filters">\s*<summary>(.*?)</summary>', body, re.S)
    assert summary and "2 件を指定中" in summary.group(1)
    assert "食べるものがない" in summary.group(1) and "無料" in summary.group(1)


def test_filters_open_when_something_in_them_must_be_fixed(client: Client, kamakura: Any) -> None:
    body = client.get("/kamakura/search/", {"area": "どこでもない町"}, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert '<details class="filters" open>' in body


def test_each_option_says_how_many_results_have_it(client: Client, kamakura: Any) -> None:
    food = make_service(kamakura, "フードバンク鎌倉", needs=("food", "money"))
    money = make_service(kamakura, "生活相談", needs=("money",))
    reindex_services([food.pk, money.pk])
    filters = _filters(client.get("/kamakura/search/", {"need": "money"}).content.decode())
    assert 'value="money" checked> ' in filters
    assert re.search(r'value="money" checked> [^<]+ <span class="count">\(2\)</span>', filters)
    assert re.search(r'value="food"> [^<]+ <span class="count">\(1\)</span>', filters)
    assert re.search(r'value="housing"> [^<]+ <span class="count">\(0\)</span>', filters)


def test_a_rarely_recorded_condition_says_so(client: Client, kamakura: Any) -> None:
    service = make_service(kamakura, "生活相談", needs=("money",))
    reindex_services([service.pk])
    body = client.get("/kamakura/search/", {"need": "money"}, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "この項目はまだほとんどの窓口で登録されていません" in _filters(body)
    assert "受付時間が登録されていない窓口は「今あいている」に含まれません" in _filters(body)


def test_the_national_24_hour_lines_appear_with_the_24_hour_filter(
    client: Client, kamakura: Any, national: Any
) -> None:
    with scopes_disabled():
        CrisisLine.objects.create(
            platform=national,
            label="よりそいホットライン",
            number="0120-279-338",
            phone_href="tel:0120279338",
            availability="24時間",
            cost="無料",
            kinds=["general"],
        )
        CrisisLine.objects.create(
            platform=national,
            label="DV相談",
            number="#8008",
            phone_href="tel:%238008",
            availability="地域の受付時間内",
            cost="通話料あり",
            kinds=["violence"],
        )
        CrisisLine.objects.create(
            platform=national,
            label="救急・火事",
            number="119",
            phone_href="tel:119",
            availability="24時間・緊急時",
            cost="無料",
            kinds=["emergency"],
            is_primary=True,
        )
    body = client.get("/kamakura/search/", {"open_24h": "on"}, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    fitting = body.split("条件に合う全国の相談窓口", 1)[1].split("</ul>", 1)[0]
    assert "よりそいホットライン" in fitting
    assert "#8008" not in fitting  # not round the clock (DV相談＋, which is, may be listed)
    assert "119" not in fitting  # an emergency number is not a place to talk
    body = client.get("/kamakura/search/", {"q": "ひきこもり"}).content.decode()
    assert "条件に合う全国の相談窓口" not in body


def test_the_area_field_takes_a_municipality_name(client: Client, kamakura: Any) -> None:
    service = make_service(kamakura, "生活相談", needs=("money",), municipality="142042")
    reindex_services([service.pk])
    body = client.get("/kamakura/search/", {"area": "鎌倉市"}, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "地域: 神奈川県鎌倉市" in body
    assert 'role="alert"' not in body


def test_an_ambiguous_name_asks_for_the_prefecture(client: Client, kamakura: Any) -> None:
    body = client.get("/kamakura/search/", {"area": "府中市"}, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "東京都府中市" in body and "広島県府中市" in body
    assert "都道府県名から入力してください" in body


def test_a_place_outside_the_platform_names_the_platform_that_covers_it(
    client: Client, kamakura: Any, tottori: Any, national: Any
) -> None:
    body = client.get("/kamakura/search/", {"area": "680-0011"}, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "鳥取県鳥取市はこのプラットフォームの地域ではありません" in body
    assert 'href="/tottori-pref/"' in body
    body = client.get("/kamakura/search/", {"area": "京都市"}, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "/zenkoku/search/?area=261009" in body


def test_the_area_help_text_is_the_element_the_field_points_to(client: Client, kamakura: Any) -> None:
    body = client.get("/kamakura/search/").content.decode()
    assert 'aria-describedby="id_area_helptext"' in body
    assert 'id="id_area_helptext"' in body


def test_the_qr_code_is_a_standalone_svg_image(client: Client, kamakura: Any) -> None:
    response = client.get("/kamakura/qr.svg", {"path": "/kamakura/"})
    assert response["Content-Type"] == "image/svg+xml"
    assert b'xmlns="http://www.w3.org/2000/svg"' in response.content.split(b">", 2)[1]


def test_the_map_script_is_loaded_only_where_a_map_box_is_shown(client: Client, kamakura: Any) -> None:
    from tsunagari.directory.models import Location

    service = make_service(kamakura, "生活相談")
    body = client.get(f"/kamakura/services/{service.pk}/").content.decode()
    assert 'id="map"' not in body and "leaflet.js" not in body and "map.js" not in body
    with scopes_disabled():
        Location.objects.filter(service_at_locations__service=service).update(latitude=35.319, longitude=139.5467)
    body = client.get(f"/kamakura/services/{service.pk}/").content.decode()
    assert 'id="map"' in body and "leaflet.js" in body and "tsunagari/map.js" in body
    assert 'data-tiles=""' not in body
    for path in ("/kamakura/", "/kamakura/search/?q=a"):
        assert "leaflet" not in client.get(path).content.decode()


def test_the_licence_is_named_once_on_a_detail_page(client: Client, kamakura: Any) -> None:
    from tsunagari.directory.models import SourceDataset

    dataset = SourceDataset.objects.create(
        slug="kurashi",
        name="くらし支援ナビ",
        licence="CC BY 4.0",
        licence_url="https://creativecommons.org/licenses/by/4.0/deed.ja",
        attribution="くらし支援ナビ（運営: JUNKBRANDING）（CC BY 4.0）",
    )
    service = make_service(kamakura, "生活相談", dataset=dataset)
    body = client.get(f"/kamakura/services/{service.pk}/").content.decode()
    assert body.count("CC BY 4.0") == 1
    assert 'href="https://creativecommons.org/licenses/by/4.0/deed.ja">CC BY 4.0</a>' in body
    assert "くらし支援ナビ（運営: JUNKBRANDING）" in body
