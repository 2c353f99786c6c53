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
    assert index.municipality_code("08212") == index.municipality_code("082121") == "082121"
    for mistyped in ("082120", "142041"):
        with pytest.raises(Invalid, match="検査数字"):
            index.municipality_code(mistyped)


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


# --- a national list (issue 10 item 20) ---------------------------------------------------------


def test_a_national_list_imports_whole_under_its_publisher(national: Any, unscoped: None) -> None:
    """Shaped as the national portal's list: label and type rows, no city_id, some rows without provider."""
    outcome = run_import(FIXTURES / "cpsvj-national-programmes.csv", publisher="架空の政府ポータル")
    assert outcome.ok, [str(p) for p in outcome.problems]
    assert Service.objects.count() == 4
    owners = dict(Service.objects.values_list("source_id", "organization__name"))
    assert owners == {
        "kuni-0001": "架空省 生活支援局",
        "kuni-0002": "架空の政府ポータル",
        "kuni-0003": "架空の政府ポータル",
        "kuni-0004": "架空庁",
    }
    # National programmes are for the whole country.
    assert set(ServiceArea.objects.values_list("kind", flat=True)) == {ServiceArea.Kind.NATIONWIDE}
    assert ServiceArea.objects.count() == 4


def test_every_url_of_a_cell_with_several_lines_is_kept(national: Any, unscoped: None) -> None:
    run_import(FIXTURES / "cpsvj-national-programmes.csv", publisher="架空の政府ポータル")
    service = Service.objects.get(source_id="kuni-0003")
    assert service.url == "https://example.jp/kuni/shogakukin-yuyo.html"
    assert "https://example.jp/kuni/shogakukin-gengaku.html" in service.description


def test_without_a_publisher_national_programmes_belong_to_the_platform(national: Any, unscoped: None) -> None:
    outcome = run_import(FIXTURES / "cpsvj-national-programmes.csv")
    assert outcome.ok
    assert Service.objects.get(source_id="kuni-0002").organization.name == national.name


def test_parsed_alone_a_national_programme_without_a_publisher_is_refused_with_the_fix() -> None:
    result = cpsvj.parse(FIXTURES / "cpsvj-national-programmes.csv")
    assert {(p.row, p.column) for p in result.problems} == {(5, "provider"), (6, "provider")}
    assert all("--publisher" in p.message for p in result.problems)


def test_one_bad_url_among_several_is_named(tmp_path: Path) -> None:
    path = tmp_path / "urls.csv"
    path.write_text(
        'service_id,provider,name,detail_url\nx,架空庁,制度,"https://example.jp/a.html\nwww.example.jp/b.html"\n',
        encoding="utf-8",
    )
    [problem] = cpsvj.parse(path, publisher="架空").problems
    assert (problem.column, "www.example.jp/b.html" in problem.message) == ("detail_url", True)


def test_the_command_takes_the_publisher(national: Any, unscoped: None) -> None:
    from django.core.management import call_command

    call_command("import", str(FIXTURES / "cpsvj-national-programmes.csv"), "--publisher", "架空の政府ポータル")
    assert Service.objects.get(source_id="kuni-0002").organization.name == "架空の政府ポータル"
