"""`place-locations`: windows placed from their addresses, never over a person's pin (issue 9 item 12)."""

from __future__ import annotations

import gzip
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from tests.factories import make_service
from tsunagari.directory.models import Location
from tsunagari.tenancy.scoping import scopes_disabled

# Made-up points in Geolonia's columns (not copied from the data set).
TOWNS = """都道府県名,市区町村名,大字町丁目名,小字・通称名,緯度,経度
神奈川県,鎌倉市,御成町,,35.3190,139.5460
神奈川県,鎌倉市,大船,,35.3500,139.5300
"""


@pytest.fixture
def towns(settings: Any, tmp_path: Path) -> Path:
    folder = tmp_path / "geolonia-addresses"
    folder.mkdir()
    with gzip.open(folder / "towns.csv.gz", "wt", encoding="utf-8") as f:
        f.write(TOWNS)
    settings.DATASETS_DIR = tmp_path
    return folder


def place() -> str:
    out = StringIO()
    call_command("place_locations", stdout=out)
    return out.getvalue()


def location_of(service: Any) -> Location:
    with scopes_disabled():
        return Location.objects.get(service_at_locations__service=service)


def test_an_address_gets_its_town_point_as_town_precision(kamakura: Any, towns: Path) -> None:
    service = make_service(kamakura, "相談窓口")  # 神奈川県鎌倉市御成町18-10
    output = place()
    location = location_of(service)
    assert (location.latitude, location.longitude) == (Decimal("35.319000"), Decimal("139.546000"))
    assert location.precision == Location.Precision.TOWN
    assert location.place_label == "鎌倉市御成町"
    assert "町丁目 1" in output


def test_an_unknown_town_falls_back_to_the_municipality(kamakura: Any, towns: Path) -> None:
    service = make_service(kamakura, "相談窓口")
    with scopes_disabled():
        Location.objects.update(address_1="小町1-2-3")
    place()
    location = location_of(service)
    assert location.precision == Location.Precision.MUNICIPALITY
    assert location.place_label == "鎌倉市"
    assert location.latitude == Decimal("35.334500")  # the mean of the municipality's town points


def test_an_unknown_town_gets_the_municipal_office_where_the_data_has_its_address(
    kamakura: Any, national: Any, towns: Path
) -> None:
    # 鎌倉市's representative window (市役所, 御成町18-10) as the くらし支援ナビ import stores it.
    make_service(national, "鎌倉市役所", needs=("unsure",), municipality="142042", source_id="jp-14204-city-general")
    service = make_service(kamakura, "相談窓口")
    with scopes_disabled():
        Location.objects.filter(service_at_locations__service=service).update(address_1="小町1-2-3")
    output = place()
    location = location_of(service)
    assert location.precision == Location.Precision.MUNICIPALITY
    assert location.place_label == "鎌倉市"
    # The office's town point (御成町), not the mean of the towns (35.3345).
    assert (location.latitude, location.longitude) == (Decimal("35.319000"), Decimal("139.546000"))
    assert "役所の位置を使えたのは 1 市区町村" in output


def test_a_line_without_an_address_gets_no_position(kamakura: Any, towns: Path) -> None:
    service = make_service(kamakura, "電話相談")
    with scopes_disabled():
        Location.objects.update(address_1="", region="", city="")
    place()
    location = location_of(service)
    assert location.latitude is None and location.precision == Location.Precision.NONE


def test_a_pin_set_by_a_person_is_never_overwritten(kamakura: Any, towns: Path) -> None:
    service = make_service(kamakura, "相談窓口")
    with scopes_disabled():
        Location.objects.update(latitude="35.318100", longitude="139.547700", precision=Location.Precision.EXACT)
    place()
    location = location_of(service)
    assert (location.latitude, location.longitude) == (Decimal("35.318100"), Decimal("139.547700"))
    assert location.precision == Location.Precision.EXACT


def test_coordinates_from_the_source_are_kept_and_called_exact(kamakura: Any, towns: Path) -> None:
    service = make_service(kamakura, "相談窓口")
    with scopes_disabled():
        Location.objects.update(latitude="35.300000", longitude="139.500000")
    place()
    location = location_of(service)
    assert location.latitude == Decimal("35.300000") and location.precision == Location.Precision.EXACT


def test_running_twice_changes_nothing_the_second_time(kamakura: Any, towns: Path) -> None:
    make_service(kamakura, "相談窓口")
    assert "1 件を更新" in place()
    assert "0 件を更新" in place()


def test_without_the_address_data_it_says_so_and_changes_nothing(kamakura: Any, settings: Any, tmp_path: Path) -> None:
    settings.DATASETS_DIR = tmp_path
    service = make_service(kamakura, "相談窓口")
    assert "get-datasets" in place()
    assert location_of(service).precision == Location.Precision.NONE
