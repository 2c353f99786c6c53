"""The flat CSV a coordinator fills in: the template, every column, encodings, broken files."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tsunagari.directory.importers import flat_csv
from tsunagari.directory.importers.records import Problem
from tsunagari.directory.importers.run import run_import
from tsunagari.directory.models import ATTRIBUTES, NEEDS, TARGETS, Channel, ImportRun, Service, ServiceArea

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "import" / "csv"
TEMPLATE = Path(settings.BASE_DIR) / "docs" / "templates" / "services-template.csv"


def codes(service: Service, taxonomy: str) -> set[str]:
    return set(service.terms.filter(taxonomy_id=taxonomy).values_list("code", flat=True))


def test_the_template_imports_as_it_is(kamakura: Any, unscoped: None) -> None:
    assert TEMPLATE.read_bytes().startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to open UTF-8"
    outcome = run_import(TEMPLATE, platform_slug="kamakura")
    assert outcome.ok, outcome.problems
    assert outcome.problems == [] and outcome.notes == []
    hidamari = Service.objects.get(platform=kamakura, source_id="hidamari-001")
    assert hidamari.publication == Service.Publication.PUBLISHED
    assert codes(hidamari, NEEDS) == {"hikikomori", "loneliness", "community"}
    assert codes(hidamari, ATTRIBUTES) == {"free", "no_reservation"}
    assert hidamari.channels.get(kind=Channel.Kind.LINE).value == "https://line.me/R/ti/p/%40hidamari-example"
    assert (hidamari.minimum_age, hidamari.maximum_age) == (15, 39)
    assert hidamari.hours_parsed is True
    pantry = Service.objects.get(platform=kamakura, source_id="pantry-002")
    assert pantry.publication == Service.Publication.DRAFT
    assert set(pantry.service_areas.values_list("municipality_id", flat=True)) == {"142042", "142085"}
    assert pantry.languages == ["ja", "en", "vi"]
    assert "multilingual" in codes(pantry, ATTRIBUTES)
    assert pantry.organization.corporate_number == "1021001054321"


def test_every_column_lands_where_it_belongs(kamakura: Any, unscoped: None) -> None:
    outcome = run_import(FIXTURES / "services-ok.csv", platform_slug="kamakura")
    assert outcome.ok, outcome.problems
    cafeteria = Service.objects.get(source_id="kk-001")
    assert cafeteria.description.startswith("毎週水曜日の夕方に") and "\n宿題を見て" in cafeteria.description
    assert codes(cafeteria, NEEDS) == {"food", "children"}
    assert codes(cafeteria, TARGETS) == {"children", "family"}
    # 「子どもは無料、大人は300円」 is not free for everyone: no 無料 badge.
    assert codes(cafeteria, ATTRIBUTES) == {"no_reservation"}
    assert cafeteria.fees_description == "子どもは無料、大人は300円"
    assert cafeteria.last_verified_on == datetime.date(2026, 7, 10)
    location = cafeteria.service_at_locations.get().location
    assert (location.postal_code, location.region, location.city, location.address_1) == (
        "248-0006",
        "神奈川県",
        "鎌倉市",
        "小町2-3-4 小町会館1階",
    )
    [schedule] = cafeteria.schedules.all()
    assert (schedule.byday, schedule.opens_at, schedule.closes_at) == ("WE", datetime.time(16), datetime.time(19))

    family = Service.objects.get(name="ひきこもり家族相談会")
    assert family.source_id.startswith("gen-")  # no ID in the file: a stable generated one
    assert list(family.channels.filter(kind="phone").values_list("value", flat=True)) == [
        "0467-00-3300",
        "0467-00-3301",
    ]
    assert family.service_at_locations.get().location.postal_code == "248-8686"
    # 5-digit 14204 becomes 142042, and the empty 対象地域 defaults to that municipality.
    [area] = family.service_areas.all()
    assert (area.kind, area.municipality_id) == (ServiceArea.Kind.MUNICIPALITY, "142042")
    assert codes(family, NEEDS) == {"hikikomori", "caregiving"}

    line = Service.objects.get(source_id="kk-003")
    assert line.publication == Service.Publication.DRAFT
    assert [a.kind for a in line.service_areas.all()] == [ServiceArea.Kind.NATIONWIDE]
    assert line.channels.get(kind="line").value == "https://lin.ee/example-kamakura"
    assert line.channels.get(kind="chat").value == "https://example.jp/chat/"
    assert line.languages == ["ja"]
    assert codes(line, ATTRIBUTES) == {"free", "anonymous"}


def test_a_blank_id_gets_the_same_generated_id_every_time() -> None:
    first = flat_csv.parse(FIXTURES / "services-ok.csv")
    second = flat_csv.parse(FIXTURES / "services-ok.csv")
    assert [s.source_id for s in first.services] == [s.source_id for s in second.services]


def test_a_shift_jis_file_from_excel_is_read(kamakura: Any, unscoped: None) -> None:
    data = (FIXTURES / "services-sjis.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    outcome = run_import(FIXTURES / "services-sjis.csv", platform_slug="kamakura")
    assert outcome.ok, outcome.problems
    assert set(Service.objects.values_list("name", flat=True)) == {"こころの電話相談①", "家族のための相談②"}
    assert Service.objects.first().organization.name == "髙橋こころの相談室（記入例）"  # type: ignore[union-attr]


def test_an_unreadable_encoding_is_explained_in_japanese(kamakura: Any) -> None:
    result = flat_csv.parse(FIXTURES / "services-undecodable.csv")
    [problem] = result.problems
    assert problem.row is None
    assert "文字コードを読み取れませんでした" in problem.message
    assert "UTF-8 か Shift_JIS" in problem.message


def test_a_broken_file_imports_nothing_and_names_each_row_and_column(kamakura: Any, unscoped: None) -> None:
    outcome = run_import(FIXTURES / "services-broken.csv", platform_slug="kamakura")
    assert not outcome.ok
    assert {(p.row, p.column) for p in outcome.problems} == {
        (3, "郵便番号"),
        (3, "困りごと"),
        (4, "団体名"),
        (4, "市区町村コード"),
        (4, "電話"),
        (4, "メール"),
        (4, "公式ページ"),
        (4, "最終確認日"),
        (5, "ID"),
        (5, "年齢上限"),
        (5, "状態"),
    }
    assert (
        Problem("services-broken.csv", 3, "郵便番号", "郵便番号は7桁の数字で書いてください（例: 248-8686）。")
        in outcome.problems
    )
    assert not Service.objects.exists()
    assert not ImportRun.objects.get(pk=outcome.run_id or 0).ok


def test_skip_invalid_imports_the_good_rows_and_lists_the_skipped_ones(kamakura: Any, unscoped: None) -> None:
    outcome = run_import(FIXTURES / "services-broken.csv", platform_slug="kamakura", skip_invalid=True)
    assert outcome.ok
    assert outcome.skipped_rows == [("services-broken.csv", 3), ("services-broken.csv", 4), ("services-broken.csv", 5)]
    assert set(Service.objects.values_list("source_id", flat=True)) == {"b-001", "b-005"}
    # The first b-001 row is the one imported; its duplicate on row 5 is skipped.
    assert Service.objects.get(source_id="b-001").name == "居場所カフェ「こもれび」"


def test_a_missing_required_column_stops_the_import_even_when_skipping(kamakura: Any, unscoped: None) -> None:
    outcome = run_import(FIXTURES / "services-missing-column.csv", platform_slug="kamakura", skip_invalid=True)
    assert not outcome.ok
    [problem] = outcome.problems
    assert (problem.row, problem.column) == (None, "窓口・サービス名")
    assert "必須の列「窓口・サービス名」がありません" in problem.message
    assert not Service.objects.exists()


def test_unknown_columns_are_ignored_with_a_note() -> None:
    result = flat_csv.parse(FIXTURES / "services-broken.csv")
    assert [(n.row, n.column) for n in result.notes if "読み飛ばしました" in n.message] == [(1, "備考")]


def test_importing_the_same_csv_again_changes_nothing(kamakura: Any, unscoped: None) -> None:
    run_import(FIXTURES / "services-ok.csv", platform_slug="kamakura")
    before = dict(Service.objects.values_list("source_id", "modified_at"))
    outcome = run_import(FIXTURES / "services-ok.csv", platform_slug="kamakura")
    assert outcome.ok and not outcome.changed
    assert dict(Service.objects.values_list("source_id", "modified_at")) == before


def test_the_same_file_in_two_platforms_makes_two_sets_of_rows(kamakura: Any, tottori: Any, unscoped: None) -> None:
    run_import(FIXTURES / "services-ok.csv", platform_slug="kamakura")
    run_import(FIXTURES / "services-ok.csv", platform_slug="tottori-pref")
    assert Service.objects.filter(platform=kamakura).count() == Service.objects.filter(platform=tottori).count() == 3


def test_without_a_platform_it_imports_into_the_national_data_and_says_so(national: Any, unscoped: None) -> None:
    outcome = run_import(FIXTURES / "services-ok.csv")
    assert outcome.platform_slug == national.slug
    assert any("--platform を指定しなかった" in m for m in outcome.messages)


def test_a_named_data_set_keeps_two_files_apart(kamakura: Any, unscoped: None) -> None:
    run_import(FIXTURES / "services-ok.csv", platform_slug="kamakura", source_slug="kamakura-shakyo")
    run_import(FIXTURES / "services-ok.csv", platform_slug="kamakura")
    assert sorted(set(Service.objects.values_list("dataset_id", flat=True))) == [
        "kamakura-shakyo",
        "tsunagari-csv",
    ]
    assert Service.objects.count() == 6
