"""The real くらし支援ナビ open data: imported once for the module, then looked at from every side."""

from __future__ import annotations

import csv
import datetime
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from tests.conftest import KURASHI, shared_data
from tsunagari.directory.importers.run import run_import
from tsunagari.directory.importers.writer import ImportOutcome
from tsunagari.directory.models import (
    NEEDS,
    Channel,
    CrisisLine,
    ImportRun,
    Location,
    Service,
    ServiceArea,
    ServiceProgram,
    SourceDataset,
    SupportProgram,
)
from tsunagari.tenancy.models import Municipality, Prefecture, national_platform
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db


def offices() -> list[dict[str, str]]:
    with (KURASHI / "offices.csv").open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def imported(django_db_setup: None, django_db_blocker: Any) -> Iterator[ImportOutcome]:
    """The whole real folder, imported once; rolled back when the module is done."""
    shared_data(KURASHI / "offices.csv")
    with django_db_blocker.unblock(), transaction.atomic():
        outcome = run_import(KURASHI, actor="pytest")
        yield outcome
        transaction.set_rollback(True)


@pytest.fixture
def unscoped() -> Iterator[None]:
    with scopes_disabled():
        yield


def test_the_real_folder_imports_every_office_and_every_line(imported: ImportOutcome, unscoped: None) -> None:
    records = offices()
    lines = json.loads((KURASHI / "emergency-contacts.json").read_text(encoding="utf-8"))
    assert imported.ok, imported.problems
    assert imported.problems == []
    assert Prefecture.objects.count() == 47
    assert Municipality.objects.count() == 1741
    national = national_platform()
    assert len(records) == 7540  # 7,606 physical lines: some addresses hold line breaks
    assert Service.objects.filter(platform=national, dataset_id="kurashi-navi").count() == len(records)
    assert CrisisLine.objects.filter(platform=national, dataset_id="kurashi-navi").count() == len(lines)
    assert imported.parse_counts["rows"] == len(records)
    assert imported.counts["services"].created == len(records)


def test_nagoya_city_hall_has_its_phone_schedule_area_and_address(imported: ImportOutcome, unscoped: None) -> None:
    hall = Service.objects.get(source_id="aichi-nagoya-city-general")
    assert hall.name == "名古屋市役所"
    assert hall.organization.name == "名古屋市"
    assert hall.organization.municipality_id == "231002"
    assert list(hall.channels.filter(kind=Channel.Kind.PHONE).values_list("value", flat=True)) == ["052-961-1111"]
    assert hall.channels.filter(kind=Channel.Kind.VISIT).exists()
    assert hall.hours_text == "月曜日から金曜日 午前8時45分から午後5時15分"
    assert hall.closed_days_text == "土曜日・日曜日"
    assert hall.hours_parsed is True
    [schedule] = hall.schedules.all()
    assert (schedule.byday, schedule.opens_at, schedule.closes_at) == (
        "MO,TU,WE,TH,FR",
        datetime.time(8, 45),
        datetime.time(17, 15),
    )
    [area] = hall.service_areas.all()
    assert (area.kind, area.municipality_id) == (ServiceArea.Kind.MUNICIPALITY, "231002")
    location = Location.objects.get(service_at_locations__service=hall)
    assert (location.postal_code, location.region, location.city) == ("460-8508", "愛知県", "名古屋市")
    assert location.address_1 == "中区三の丸3－1－1"
    assert location.full_address == "愛知県名古屋市中区三の丸3－1－1"
    assert list(hall.terms.filter(taxonomy_id=NEEDS).values_list("code", flat=True)) == ["unsure"]
    assert hall.url == "https://www.city.nagoya.jp/"
    assert hall.last_verified_on == datetime.date(2026, 7, 27)
    assert hall.last_verified_by.startswith("くらし支援ナビ（公式資料から取り込み")


def test_categories_become_need_codes(imported: ImportOutcome, unscoped: None) -> None:
    def needs(source_id: str) -> set[str]:
        return set(Service.objects.get(source_id=source_id).terms.values_list("code", flat=True))

    row = {r["id"]: r for r in offices()}
    self_reliance = next(
        i for i, r in row.items() if r["contactType"] == "self-reliance" and r["categoryId"] == "money"
    )
    violence = next(i for i, r in row.items() if r["categoryId"] == "violence")
    rent = next(i for i, r in row.items() if r["categoryId"] == "rent")
    assert needs(self_reliance) >= {"money", "housing", "work"}
    assert needs(violence) >= {"violence", "women"}
    assert needs(rent) >= {"housing", "money"}


def test_rows_to_review_stay_published_with_a_warning(imported: ImportOutcome, unscoped: None) -> None:
    to_review = {r["id"] for r in offices() if r["status"] == "review_required"}
    flagged = Service.objects.filter(needs_review=True)
    assert set(flagged.values_list("source_id", flat=True)) == to_review
    assert not flagged.exclude(publication=Service.Publication.PUBLISHED).exists()


def test_every_office_gets_an_area_and_none_is_left_unresolved(imported: ImportOutcome, unscoped: None) -> None:
    counts = imported.parse_counts
    assert counts["area_unresolved"] == 0
    assert counts["area_municipality"] + counts["area_prefecture"] == counts["rows"]
    assert ServiceArea.objects.count() == counts["rows"]
    dv_centre = Service.objects.get(source_id="prefecture-dv-center-01")
    [area] = dv_centre.service_areas.all()
    assert (area.kind, area.prefecture_id) == (ServiceArea.Kind.PREFECTURE, "01")
    assert dv_centre.organization.name == "北海道"
    # A shelter's address is not published, so it gets no location.
    assert not dv_centre.service_at_locations.exists()


def test_hours_are_structured_when_understood_and_kept_as_text_when_not(
    imported: ImportOutcome, unscoped: None
) -> None:
    counts = imported.parse_counts
    assert counts["hours_parsed"] + counts["hours_unparsed"] + counts["hours_missing"] == counts["rows"]
    assert Service.objects.filter(hours_parsed=True).count() == counts["hours_parsed"]
    assert Service.objects.filter(hours_parsed=False).count() == counts["hours_unparsed"]
    assert not Service.objects.filter(hours_parsed=False, schedules__isnull=False).exists()
    assert not Service.objects.filter(hours_parsed=True, schedules__isnull=True).exists()
    assert len([n for n in imported.notes if n.column == "openingHours"]) == counts["hours_unparsed"]


def test_the_programmes_reach_the_windows_that_handle_them(imported: ImportOutcome, unscoped: None) -> None:
    with (KURASHI / "programs.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert SupportProgram.objects.filter(platform=national_platform()).count() == len(rows) == 25
    assistance = SupportProgram.objects.get(source_id="public-assistance")
    assert assistance.name == "生活保護"
    assert assistance.documents_optional_note == "書類が揃っていなくてもまず相談できます。"
    assert (assistance.source_publisher, assistance.last_verified_on) == ("厚生労働省", datetime.date(2026, 7, 1))
    assert assistance.organization is not None and assistance.organization.name == "厚生労働省"
    windows = {link.service.source_id: link.local_name for link in assistance.links.select_related("service")}
    assert windows == {"mito-public-assistance": "生活保護", "tsukuba-public-assistance": "生活保護"}
    # Every officeId of programs.csv and every line of municipality-programs.csv became a link.
    assert ServiceProgram.objects.count() == sum(1 for r in rows if r["officeId"]) + 4


def test_the_data_set_carries_the_attribution_the_licence_asks_for(imported: ImportOutcome) -> None:
    dataset = SourceDataset.objects.get(slug="kurashi-navi")
    assert "くらし支援ナビ（運営: JUNKBRANDING）" in dataset.attribution
    assert dataset.licence == "CC BY 4.0"
    assert dataset.url == "https://fukushi.junkbranding.com/"
    assert "項目の対応付けと営業時間の構造化を行いました" in dataset.data_changed_note


def test_national_lines_are_sorted_by_what_they_answer(imported: ImportOutcome, unscoped: None) -> None:
    kinds = dict(CrisisLine.objects.values_list("number", "kinds"))
    assert kinds["189"] == ["child"]
    assert kinds["#8008"] == ["violence"]
    assert kinds["0120-279-889"] == ["violence"]  # DV相談＋
    assert set(kinds["0120-279-338"]) == {"suicide", "general", "violence"}  # よりそいホットライン
    assert kinds["0570-064-556"] == ["suicide"]  # まもろうよこころ
    assert "emergency" in kinds["110"]
    assert kinds["119"] == ["emergency"]
    primary = set(CrisisLine.objects.filter(is_primary=True).values_list("number", flat=True))
    assert primary == {"110", "119", "189", "#8008"}


def test_history_rows_name_the_import(imported: ImportOutcome, unscoped: None) -> None:
    history = Service.history.filter(source_id="aichi-nagoya-city-general")
    assert history.count() == 1
    assert history.get().history_type == "+"
    assert history.get().history_change_reason == "取り込み: くらし支援ナビ（pytest）"
    assert Service.history.count() == Service.objects.count()
    assert Channel.history.count() == Channel.objects.count()


def test_the_run_is_recorded_with_its_counts(imported: ImportOutcome) -> None:
    run = ImportRun.objects.get(pk=imported.run_id or 0)
    assert run.ok
    assert run.format == "kurashi-navi"
    assert run.actor == "pytest"
    assert run.counts["services"]["created"] == 7540
    assert run.counts["rows"]["hours_parsed"] == imported.parse_counts["hours_parsed"]
    assert run.finished_at is not None and run.started_at <= run.finished_at


def test_importing_the_same_folder_again_changes_nothing(imported: ImportOutcome, unscoped: None) -> None:
    models = (
        Service,
        Channel,
        Location,
        ServiceArea,
        CrisisLine,
        SupportProgram,
        ServiceProgram,
        Service.history.model,
    )
    before = {model: model._default_manager.count() for model in models}
    modified_at = Service.objects.get(source_id="aichi-nagoya-city-general").modified_at
    outcome = run_import(KURASHI)
    assert outcome.ok
    assert not outcome.changed
    assert outcome.counts["services"].unchanged == 7540
    assert {model: model._default_manager.count() for model in models} == before
    assert Service.objects.get(source_id="aichi-nagoya-city-general").modified_at == modified_at
