"""CPSV-J style files (行政サービス・制度情報): with and without the label and type rows."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

from tsunagari.directory.importers import cpsvj
from tsunagari.directory.importers.common import AreaIndex, Invalid, check_digit
from tsunagari.directory.importers.run import run_import
from tsunagari.directory.models import NEEDS, Service, ServiceArea

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "import" / "cpsvj"


@pytest.mark.parametrize(
    ("first_five", "digit"),
    [("14204", "2"), ("13101", "6"), ("01100", "2"), ("09201", "1"), ("08212", "1"), ("20201", "1")],
)
def test_the_sixth_digit_of_a_local_government_code_is_computed(first_five: str, digit: str) -> None:
    assert check_digit(first_five) == digit


def test_a_code_with_the_official_check_digit_finds_a_municipality_stored_with_a_wrong_one(
    areas: None, unscoped: None
) -> None:
    # くらし支援ナビ's municipalities.csv has 常陸太田市 as 082120; its real code is 082121.
    index = AreaIndex.from_db()
    assert index.municipality_code("08212") == index.municipality_code("082121") == "082120"
    with pytest.raises(Invalid, match="検査数字"):
        index.municipality_code("142041")


def test_a_plain_file_with_english_headings_imports(kamakura: Any, unscoped: None) -> None:
    outcome = run_import(FIXTURES / "cpsvj-plain.csv", platform_slug="kamakura")
    assert outcome.ok, outcome.problems
    medical = Service.objects.get(source_id="kamakura-hitorioya-iryo")
    assert medical.name == "ひとり親家庭等医療費助成"
    assert medical.organization.name == "鎌倉市"
    assert "【支援内容】通院・入院" in medical.description
    assert medical.eligibility_description.startswith("ひとり親家庭の父または母")
    assert medical.url == "https://example.jp/kamakura/hitorioya-iryo.html"
    assert medical.last_verified_on == datetime.date(2026, 4, 1)
    # 5-digit city_id 14204: the check digit is added.
    [area] = medical.service_areas.all()
    assert (area.kind, area.municipality_id) == (ServiceArea.Kind.MUNICIPALITY, "142042")
    assert medical.channels.get(kind="phone").value == "0467-00-3873"
    assert {"single_parent", "parenting", "health"} <= set(
        medical.terms.filter(taxonomy_id=NEEDS).values_list("code", flat=True)
    )

    stay = Service.objects.get(source_id="kamakura-shortstay")
    assert "受付期間: 2026/04/01～2027/03/31" in stay.application_process
    assert set(stay.channels.values_list("kind", "value")) == {
        ("phone", "0467-00-3874"),
        ("email", "kodomo-soudan@example.jp"),
    }

    prefectural = Service.objects.get(source_id="kanagawa-seikatsu-konkyu")
    [area] = prefectural.service_areas.all()
    assert (area.kind, area.prefecture_id) == (ServiceArea.Kind.PREFECTURE, "14")
    assert prefectural.last_verified_on == datetime.date(2026, 5, 1)  # a date with a time after it
    assert {"money", "housing", "work"} <= set(prefectural.terms.values_list("code", flat=True))


def test_label_and_type_rows_are_recognised_and_skipped() -> None:
    plain = cpsvj.parse(FIXTURES / "cpsvj-plain.csv")
    labelled = cpsvj.parse(FIXTURES / "cpsvj-with-labels.csv")
    assert labelled.problems == []
    assert [s.source_id for s in labelled.services] == [s.source_id for s in plain.services]
    assert [s.name for s in labelled.services] == [s.name for s in plain.services]
    # Rows keep their spreadsheet numbers: data starts on row 4 below the header, labels and types.
    assert [s.row for s in labelled.services] == [4, 5, 6]
    assert any("日本語の見出しとデータ型の行" in n.message for n in labelled.notes)


def test_a_file_headed_by_the_japanese_labels_is_read_too(unscoped: None, national: Any) -> None:
    outcome = run_import(FIXTURES / "cpsvj-japanese-header.csv")
    assert outcome.format == "cpsvj"
    assert outcome.ok, outcome.problems
    service = Service.objects.get(source_id="zushi-kosodate-soudan")
    assert service.service_areas.get().municipality_id == "142085"


def test_unknown_columns_are_ignored() -> None:
    result = cpsvj.parse(FIXTURES / "cpsvj-plain.csv")
    assert any("unknown_extra" in n.message for n in result.notes)


def test_a_missing_service_id_gets_a_stable_generated_id(tmp_path: Path) -> None:
    path = tmp_path / "no-id.csv"
    path.write_text("service_id,provider,city_id,name\n,鎌倉市,142042,就学援助\n", encoding="utf-8")
    first, second = cpsvj.parse(path), cpsvj.parse(path)
    assert first.services[0].source_id == second.services[0].source_id
    assert first.services[0].source_id.startswith("gen-")


def test_a_broken_file_names_each_row_and_column(kamakura: Any, unscoped: None) -> None:
    outcome = run_import(FIXTURES / "cpsvj-broken.csv", platform_slug="kamakura")
    assert not outcome.ok
    assert {(p.row, p.column) for p in outcome.problems} == {
        (3, "city_id"),
        (4, "detail_url"),
        (5, "name"),
        (5, "city_id"),
        (5, "information_release_date"),
    }
    assert not Service.objects.exists()
    outcome = run_import(FIXTURES / "cpsvj-broken.csv", platform_slug="kamakura", skip_invalid=True)
    assert list(Service.objects.values_list("source_id", flat=True)) == ["ok-1"]
