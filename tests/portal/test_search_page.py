"""The results page on a phone: one filters link (the filters with counts on their own page), honest notes, national lines that fit, places by name."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.factories import make_service
from tsunagari.directory.models import CrisisLine
from tsunagari.directory.taxonomy import term_rows
from tsunagari.search.index import reindex_services
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db


def _filters(body: str) -> str:
    match = re.search(r'<form class="search filters"[^>]*>.*?</form>', body, re.S)
    assert match, "no filters form"
    return match.group(0)


def test_the_results_page_carries_one_filters_link_that_names_what_is_set(client: Client, kamakura: Any) -> None:
    service = make_service(kamakura, "フードバンク鎌倉", needs=("food",))
    reindex_services([service.pk])
    body = client.get("/kamakura/search/", {"need": "food", "free": "on"}, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert 'type="checkbox"' not in body  # the results come right under the search box
    bar = re.search(r'<p class="filters-bar">(.*?)</p>', body, re.S)
    assert bar and "2 件を指定中" in bar.group(1)
    assert "食べるものがない" in bar.group(1) and "無料" in bar.group(1)
    assert 'href="/kamakura/search/filters/?need=food&amp;free=on"' in bar.group(1)
    # A new search from this page keeps the conditions: they ride along as hidden inputs.
    form = re.search(r'<form class="search".*?</form>', body, re.S)
    assert form and '<input type="hidden" name="need" value="food">' in form.group(0)
    assert '<input type="hidden" name="free" value="on">' in form.group(0)


def test_hidden_filters_are_escaped(client: Client, kamakura: Any) -> None:
    body = client.get("/kamakura/search/", {"near": '"><script>x</script>'}).content.decode()
    assert "<script>x</script>" not in body


def test_filters_show_on_the_results_page_when_something_in_them_must_be_fixed(client: Client, kamakura: Any) -> None:
    body = client.get("/kamakura/search/", {"area": "どこでもない町"}, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert '<details class="filters" open>' in body
    assert 'id="id_area"' in body and 'role="alert"' in body


def test_each_option_says_how_many_results_have_it(client: Client, kamakura: Any) -> None:
    food = make_service(kamakura, "フードバンク鎌倉", needs=("food", "money"))
    money = make_service(kamakura, "生活相談", needs=("money",))
    reindex_services([food.pk, money.pk])
    filters = _filters(client.get("/kamakura/search/filters/", {"need": "money"}).content.decode())
    assert 'value="money" checked> ' in filters
    assert re.search(r'value="money" checked> [^<]+ <small>\(2\)</small>', filters)
    assert re.search(r'value="food"> [^<]+ <small>\(1\)</small>', filters)
    # An option none of these results has is left out, a chosen one always stays (to untick it).
    assert 'value="housing"' not in filters
    money_only = make_service(kamakura, "家計の相談", needs=("money",))
    reindex_services([money_only.pk])
    filters = _filters(
        client.get(
            "/kamakura/search/filters/", {"need": ["money", "housing"]}, HTTP_ACCEPT_LANGUAGE="ja"
        ).content.decode()
    )
    assert re.search(r'value="housing" checked> [^<]+ <small>\(0\)</small>', filters)
    # No target is chosen and none of these results has one: left out, said in one line.
    assert 'name="target"' not in filters
    assert "いまの結果の窓口には、どの項目も登録されていません。" in filters


def test_an_option_no_result_has_is_left_out_with_a_line_saying_how_many(client: Client, kamakura: Any) -> None:
    food = make_service(kamakura, "フードバンクの相談", needs=("food", "money"))
    money = make_service(kamakura, "生活相談", needs=("money",))
    reindex_services([food.pk, money.pk])
    filters = _filters(
        client.get("/kamakura/search/filters/", {"q": "相談"}, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    )
    assert re.search(r'value="food"> [^<]+ <small>\(1\)</small>', filters)
    assert re.search(r'value="money"> [^<]+ <small>\(2\)</small>', filters)
    assert 'value="housing"' not in filters  # ticking it could only give 0
    needs = len(term_rows("needs.tsv"))
    assert f"ほかの {needs - 2} 項目は、いまの結果に当てはまる窓口がないため表示していません。" in filters


def test_a_rarely_recorded_condition_says_so(client: Client, kamakura: Any) -> None:
    service = make_service(kamakura, "生活相談", needs=("money",))
    reindex_services([service.pk])
    body = client.get("/kamakura/search/filters/", {"need": "money"}, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
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
    body = client.get("/kamakura/search/filters/").content.decode()
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


def test_the_national_lines_that_fit_free_anonymous_and_line(client: Client, kamakura: Any, national: Any) -> None:
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
            label="こころの健康相談統一ダイヤル",
            number="0570-064-556",
            phone_href="tel:0570064556",
            availability="地域により異なる",
            cost="通話料あり",
            kinds=["suicide"],
        )
        CrisisLine.objects.create(
            platform=national,
            label="生きづらびっと",
            chat_url="https://line.me/R/ti/p/@yorisoi-chat",
            availability="毎日8時〜22時半",
            cost="無料",
            kinds=["suicide"],
        )
        CrisisLine.objects.create(
            platform=national,
            label="警察",
            number="110",
            phone_href="tel:110",
            availability="24時間",
            cost="無料",
            kinds=["emergency"],
            is_primary=True,
        )

    def fitting(params: dict[str, str]) -> str:
        body = client.get("/kamakura/search/", params, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
        assert "条件に合う全国の相談窓口" in body, params
        return body.split("条件に合う全国の相談窓口", 1)[1].split("</ul>", 1)[0]

    free = fitting({"free": "on"})
    assert "よりそいホットライン" in free and "生きづらびっと" in free
    assert "こころの健康相談統一ダイヤル" not in free  # the call is charged
    assert "警察" not in free  # an emergency number is not a place to talk
    anonymous = fitting({"anonymous": "on"})
    assert "こころの健康相談統一ダイヤル" in anonymous and "よりそいホットライン" in anonymous
    assert "警察" not in anonymous
    line = fitting({"channel": "line"})
    assert "生きづらびっと" in line and 'href="https://line.me/R/ti/p/@yorisoi-chat"' in line
    assert "よりそいホットライン" not in line


def test_the_filters_page_of_a_platform_that_is_not_public_is_not_found(client: Client, kamakura: Any) -> None:
    assert client.get("/kamakura/search/filters/", {"q": "相談"}).status_code == 200
    with scopes_disabled():
        kamakura.is_public = False
        kamakura.save(update_fields=["is_public"])
    assert client.get("/kamakura/search/filters/", {"q": "相談"}).status_code == 404
    assert client.get("/no-such-platform/search/filters/").status_code == 404
