"""Placing addresses from town-level points, with the precision of each (issue 9 item 12)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from tsunagari.lib.geocode import MUNICIPALITY, TOWN, Geocoder

# Made-up points in Geolonia's columns (not copied from the data set).
TOWNS = """都道府県名,市区町村名,大字町丁目名,小字・通称名,緯度,経度
神奈川県,鎌倉市,御成町,,35.3190,139.5460
神奈川県,鎌倉市,大船一丁目,,35.3530,139.5310
神奈川県,鎌倉市,大船,,35.3500,139.5300
愛知県,名古屋市中区,三の丸三丁目,,35.1800,136.9060
愛知県,名古屋市東区,東桜一丁目,,35.1700,136.9100
"""


@pytest.fixture
def geocoder(tmp_path: Path) -> Geocoder:
    path = tmp_path / "towns.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write(TOWNS)
    return Geocoder.from_file(path)


def test_an_address_gets_the_point_of_its_longest_matching_town(geocoder: Geocoder) -> None:
    point = geocoder.locate("神奈川県", "神奈川県鎌倉市大船１丁目2-3")
    assert point is not None
    assert (point.latitude, point.longitude, point.precision) == (35.3530, 139.5310, TOWN)


def test_the_municipality_may_come_from_the_record_when_the_address_omits_it(geocoder: Geocoder) -> None:
    point = geocoder.locate("神奈川県", "御成町18-10", municipality="鎌倉市")
    assert point is not None and point.precision == TOWN and point.latitude == 35.3190


def test_an_unknown_town_falls_back_to_the_municipality_and_says_so(geocoder: Geocoder) -> None:
    point = geocoder.locate("神奈川県", "鎌倉市どこか町1-1")
    assert point is not None and point.precision == MUNICIPALITY
    assert point.latitude == pytest.approx((35.3190 + 35.3530 + 35.3500) / 3)


def test_a_designated_city_named_without_its_ward(geocoder: Geocoder) -> None:
    ward = geocoder.locate("愛知県", "名古屋市中区三の丸3-1-1")
    assert ward is not None and ward.precision == TOWN
    city = geocoder.locate("愛知県", "どこか1-1", municipality="名古屋市")
    assert city is not None and city.precision == MUNICIPALITY


def test_nothing_is_made_up_for_a_place_it_does_not_know(geocoder: Geocoder) -> None:
    assert geocoder.locate("北海道", "札幌市中央区北1条西2丁目") is None
