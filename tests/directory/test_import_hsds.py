"""Reading HSDS 3.0 tabular packages: the official example, another producer's, broken ones, our own."""

from __future__ import annotations

import csv
import datetime
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES, HSDS, shared_data
from tests.directory import test_export_hsds
from tests.directory.test_export_hsds import World
from tests.factories import make_service
from tsunagari.directory.export import export_hsds
from tsunagari.directory.importers.hsds import parse
from tsunagari.directory.importers.records import ServiceRecord
from tsunagari.directory.models import Channel, Service, SourceDataset
from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import platform_scope, scopes_disabled

pytestmark = pytest.mark.django_db
world = test_export_hsds.world  # the export tests' fixture: three platforms, a draft, a private one

EXAMPLE = HSDS / "examples" / "csv"
OTHER = FIXTURES / "hsds" / "other-producer"


@pytest.fixture(autouse=True)
def _official_hsds() -> None:
    """Packages are read against the official table schemas (the HSDS 3.0 data set)."""
    shared_data(HSDS / "datapackage.json")


def where(problems: list[Any]) -> list[tuple[str, int | None, str | None]]:
    return [(p.file, p.row, p.column) for p in problems]


# --- the official example -------------------------------------------------------------------


def test_the_official_example_reads_with_one_explained_problem(areas: None) -> None:
    result = parse(EXAMPLE)
    # Its contact points at a service_at_location id that is not in the package.
    assert where(result.problems) == [("contacts.csv", 2, "service_at_location_id")]
    assert "service_at_location.csv" in result.problems[0].message
    assert result.invalid_rows == {("contacts.csv", 2)}
    [service] = result.services
    assert service.source_id == "ac148810-d857-441c-9679-408f346de14b"
    assert service.name == "Community Counselling"
    assert service.organization.name == "Example Organization Inc."
    assert (service.minimum_age, service.maximum_age) == (12, 100)
    assert service.last_verified_on == datetime.date(2005, 1, 1)
    assert service.languages == ["ur"]
    assert [(c.kind, c.value) for c in service.channels] == [("phone", '"+44 1234 234567" 内線100')]
    assert [loc.source_id for loc in service.locations] == ["3a19ff88-4620-4d17-9830-ac1d859eb5d5"]
    # A schedule with dates and month days needs more than our weekly rules: kept as its text.
    assert service.schedules == [] and service.hours_parsed is False
    assert service.hours_text.startswith("The service is available from 10 am")
    assert result.source.slug == "human_services_data"
    assert result.source.licence == "Creative Commons Attribution-ShareAlike 4.0"
    noted = {(p.file, p.column) for p in result.notes}
    assert ("services.csv", "alert") in noted  # columns with nowhere to go are said, not dropped silently
    assert ("locations.csv", "organization_id") in noted  # a dangling link we do not follow


# --- another producer: only some columns, times without seconds, terms not all ours -----------


@pytest.fixture
def other(areas: None) -> dict[str, ServiceRecord]:
    result = parse(OTHER)
    assert result.problems == []
    return {s.name: s for s in result.services}


def test_another_producers_package_maps_to_our_records(other: dict[str, ServiceRecord]) -> None:
    consult, food = other["ひきこもり相談"], other["子ども食堂の案内"]
    assert consult.organization.name == "藤沢市社会福祉協議会"
    assert consult.needs == ["hikikomori"] and food.targets == ["children"]
    assert food.attributes == ["free"]  # a cost option of 0
    assert [(c.kind, c.value, c.label) for c in consult.channels] == [
        ("phone", "0466-50-3525", "代表"),  # on the location, so for both services
        ("fax", "0466-50-3526", ""),
        ("email", "soudan@example.jp", "相談メール"),
    ]
    assert [(c.kind, c.value) for c in food.channels] == [("phone", "0466-50-3525")]
    [schedule] = consult.schedules
    assert (schedule.byday, schedule.opens_at, schedule.closes_at) == ("MO,WE,FR", datetime.time(9), datetime.time(16))
    assert consult.hours_parsed is True
    # A MONTHLY schedule given only in words is read from them (issue 10 item 21).
    assert [(h.byday, h.opens_at, h.closes_at) for h in food.schedules] == [
        ("3SA", datetime.time(11), datetime.time(14))
    ]
    assert food.hours_text == "毎月第3土曜日 11時〜14時"
    [location] = consult.locations
    assert (location.postal_code, location.region, location.city, location.address_1) == (
        "251-0052",
        "神奈川県",
        "藤沢市",
        "朝日町1-1",
    )
    assert location.municipality_code == "142051"
    assert (location.latitude, location.longitude) == (35.338, 139.489)
    assert [(a.kind, a.municipality_code) for a in consult.areas] == [("municipality", "142051")]
    assert [(a.kind, a.municipality_code) for a in food.areas] == [("municipality", "142051")]  # 湘南地域 unknown
    assert consult.languages == ["en"]
    assert food.minimum_age == 6 and consult.last_verified_on == datetime.date(2026, 6, 1)


def test_another_producers_package_says_what_it_left_out(areas: None) -> None:
    result = parse(OTHER)
    assert result.counts["terms_ignored"] == 1
    assert result.counts["areas_unresolved"] == 1
    assert result.source.slug == "fujisawa-shakyo"
    assert result.source.licence == "CC BY 4.0"
    assert result.source.attribution == "藤沢市社会福祉協議会「相談窓口一覧」（架空のテストデータ）"
    notes = [str(p) for p in result.notes]
    assert any("organizations.csv 2行目 列「description」" in n and "必須" in n for n in notes)
    assert any("列「alert」（1行）" in n for n in notes)
    assert any("用語の付与 1件" in n for n in notes)
    assert any("service_areas.csv 列「name」" in n and "「湘南地域」" in n for n in notes)


# --- broken packages --------------------------------------------------------------------------


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    folder = tmp_path / "broken"
    shutil.copytree(OTHER, folder)
    return folder


def rewrite(folder: Path, file: str, edit: Any) -> None:
    path = folder / file
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    edit(rows)
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)


def test_a_broken_package_reports_file_row_and_column(broken: Path, areas: None) -> None:
    def bad_service(rows: list[list[str]]) -> None:
        rows[2][rows[0].index("id")] = "s-2"
        rows[1][rows[0].index("status")] = "open"

    def bad_schedule(rows: list[list[str]]) -> None:
        rows[1][rows[0].index("opens_at")] = "9時"

    def dangling(rows: list[list[str]]) -> None:
        rows[1][rows[0].index("location_id")] = "00000000-0000-4000-8000-000000000000"

    rewrite(broken, "services.csv", bad_service)
    rewrite(broken, "schedules.csv", bad_schedule)
    rewrite(broken, "service_at_location.csv", dangling)
    result = parse(broken)
    assert set(where(result.problems)) >= {
        ("services.csv", 2, "status"),
        ("services.csv", 3, "id"),
        ("schedules.csv", 2, "opens_at"),
        ("service_at_location.csv", 2, "location_id"),
    }
    messages = {(p.file, p.row, p.column): p.message for p in result.problems}
    assert "active、inactive" in messages[("services.csv", 2, "status")]
    assert "UUID" in messages[("services.csv", 3, "id")]
    assert "時刻「9時」" in messages[("schedules.csv", 2, "opens_at")]
    assert "locations.csv" in messages[("service_at_location.csv", 2, "location_id")]
    # Rows with problems are left out (and listed), so --skip-invalid imports the rest.
    assert result.services == []
    assert {("services.csv", 2), ("services.csv", 3)} <= result.invalid_rows


def test_a_missing_required_column_stops_everything(broken: Path, areas: None) -> None:
    def drop_number(rows: list[list[str]]) -> None:
        column = rows[0].index("number")
        for row in rows:
            del row[column]

    rewrite(broken, "phones.csv", drop_number)
    result = parse(broken)
    assert where(result.problems) == [("phones.csv", None, "number")]
    assert "必須の列「number」" in result.problems[0].message
    assert result.services == []


def test_a_code_our_vocabulary_does_not_have_is_left_out_with_a_note(broken: Path, areas: None) -> None:
    def retire(rows: list[list[str]]) -> None:
        rows[1][rows[0].index("code")] = "no_such_need"

    rewrite(broken, "taxonomy_terms.csv", retire)
    result = parse(broken)
    assert result.problems == []
    assert next(s for s in result.services if s.name == "ひきこもり相談").needs == []
    assert any("コード「no_such_need」" in str(note) for note in result.notes)


def test_a_package_without_services_is_refused(tmp_path: Path, areas: None) -> None:
    (tmp_path / "datapackage.json").write_text("{}", encoding="utf-8")
    result = parse(tmp_path)
    assert where(result.problems) == [("services.csv", None, None), ("organizations.csv", None, None)]


def test_an_unreadable_descriptor_is_a_problem(broken: Path, areas: None) -> None:
    (broken / "datapackage.json").write_text("{ not json", encoding="utf-8")
    result = parse(broken)
    assert where(result.problems) == [("datapackage.json", None, None)]


# --- round trips ------------------------------------------------------------------------------


def loaded(platform: Platform) -> dict[str, Service]:
    with platform_scope(platform, with_national=False):
        return {
            s.name: s
            for s in Service.objects.filter(platform=platform).prefetch_related("channels", "schedules", "terms")
        }


def _flags(h: Any) -> tuple[Any, ...]:
    return (h.byday, h.opens_at, h.closes_at, h.open_24h, h.closed_on_holidays, h.closed_year_end)


def summary(service: Service | ServiceRecord) -> dict[str, Any]:
    """What a round trip must keep, from a service or from a record.

    Channel labels other than those of phones, faxes and e-mail are not kept: HSDS has no table for
    LINE, SNS or visits, and the attribute that carries them holds only the link or number.
    """
    if isinstance(service, ServiceRecord):
        channels = sorted((c.kind, c.value) for c in service.channels)
        schedules = sorted((*_flags(h), h.closed_dates, h.closed_unlisted_days) for h in service.schedules)
        terms = sorted([*service.needs, *service.targets, *service.attributes])
        return {"channels": channels, "schedules": schedules, "terms": terms, "languages": service.languages}
    with scopes_disabled():
        own = list(service.schedules.all())
        return {
            "channels": sorted((c.kind, c.value) for c in service.channels.all()),
            "schedules": sorted((*_flags(h), h.closed_dates, h.closed_unlisted_days) for h in own),
            "terms": sorted(t.code for t in service.terms.all()),
            "languages": service.languages,
        }


def test_an_exported_platform_reads_back_as_it_was(world: World, tmp_path: Path) -> None:
    out = tmp_path / "kamakura"
    export_hsds(out, world.kamakura)
    result = parse(out)
    assert result.problems == [] and result.notes == []
    records = {r.name: r for r in result.services}
    assert set(records) == {"こころの相談", "全国の電話相談", "鎌倉市の生活困窮窓口"}
    rich = records["こころの相談"]
    assert rich.source_id == str(world.rich.pk)  # HSDS ids as source ids: the origin stays known
    assert rich.alternate_name == "こころの電話" and rich.minimum_age == 15
    assert rich.reservation_required is True
    assert rich.last_verified_on == datetime.date(2026, 7, 1) and rich.last_verified_by == "テスト"
    assert rich.organization.corporate_number == "3000020142042"
    # Everything comes back; the schedule of one location becomes one of the service's.
    assert summary(rich) == summary(world.rich)
    labels = {c.kind: c.label for c in rich.channels}
    assert (labels["fax"], labels["email"]) == ("FAX", "相談メール")
    assert [(a.kind, a.municipality_code) for a in rich.areas] == [("municipality", "142042")]
    [location] = rich.locations
    assert (location.postal_code, location.address_1, location.municipality_code) == (
        "248-8686",
        "御成町18-10",
        "142042",
    )
    assert location.accessibility == "車いす可"
    assert [a.kind for a in records["全国の電話相談"].areas] == ["nationwide"]
    assert records["全国の電話相談"].hours_text == "毎月第2火曜日"
    assert result.source.slug == "tsunagari-kamakura"
    assert result.source.attribution == "出典：鎌倉市オープンデータ"
    assert result.source.licence == "CC BY 4.0"


def test_dated_and_undated_closures_read_back_as_they_were(world: World, tmp_path: Path) -> None:
    """Schedule.closed_dates and closed_unlisted_days travel in the schedule's description wording."""
    with scopes_disabled():
        world.rich.schedules.filter(byday="MO,TU,WE,TH,FR").update(
            closed_dates="01-02,06-23", closed_unlisted_days=True
        )
    out = tmp_path / "kamakura"
    export_hsds(out, world.kamakura)
    result = parse(out)
    assert result.problems == []
    [rich] = [r for r in result.services if r.name == "こころの相談"]
    assert summary(rich) == summary(world.rich)
    assert any(h.closed_dates == "01-02,06-23" and h.closed_unlisted_days for h in rich.schedules)


def test_a_zipped_export_reads_the_same(world: World, tmp_path: Path) -> None:
    out = tmp_path / "kamakura"
    export_hsds(out, world.kamakura)
    archive = tmp_path / "kamakura.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in out.rglob("*"):
            z.write(path, Path("kamakura") / path.relative_to(out))
    assert sorted(r.name for r in parse(archive).services) == sorted(r.name for r in parse(out).services)


def test_a_round_trip_through_the_writer_into_a_second_platform(world: World, tmp_path: Path) -> None:
    from tsunagari.directory.importers.writer import write_records

    out = tmp_path / "kamakura"
    export_hsds(out, world.kamakura)
    fujisawa = Platform.objects.create(slug="fujisawa", name="藤沢市", kind="municipality", municipality_id="142051")
    outcome = write_records(parse(out), fujisawa, skip_invalid=False, actor="テスト")
    assert outcome.ok, [str(p) for p in outcome.problems]
    copied = loaded(fujisawa)
    assert set(copied) == {"こころの相談", "全国の電話相談", "鎌倉市の生活困窮窓口"}
    original = summary(world.rich)
    again = summary(copied["こころの相談"])
    assert again["channels"] == original["channels"]
    assert again["terms"] == original["terms"]
    assert again["languages"] == original["languages"]
    assert again["schedules"] == original["schedules"]
    assert copied["こころの相談"].source_id == str(world.rich.pk)
    assert SourceDataset.objects.get(pk=copied["こころの相談"].dataset_id).attribution == "出典：鎌倉市オープンデータ"
    # The same package again changes nothing.
    again_outcome = write_records(parse(out), fujisawa, skip_invalid=False, actor="テスト")
    assert again_outcome.ok and not again_outcome.changed


def test_a_draft_is_never_in_what_is_read_back(world: World, tmp_path: Path) -> None:
    make_service(world.kamakura, "もう一つの下書き", publication=Service.Publication.DRAFT)
    out = tmp_path / "kamakura"
    export_hsds(out, world.kamakura)
    assert "もう一つの下書き" not in {r.name for r in parse(out).services}


def test_channel_kinds_without_an_hsds_table_come_back_from_the_channel_taxonomy(world: World, tmp_path: Path) -> None:
    out = tmp_path / "kamakura"
    export_hsds(out, world.kamakura)
    rich = next(r for r in parse(out).services if r.name == "こころの相談")
    kinds = {c.kind: c for c in rich.channels}
    assert kinds[Channel.Kind.LINE].value == "https://lin.ee/example"
    assert Channel.Kind.VISIT in kinds


def test_programmes_and_service_program_id_read_back_as_they_were_exported(national: Platform, tmp_path: Path) -> None:
    """Export → import: the same programmes, with the one programme HSDS gives each window, and a city's
    own programme still that city's (HSDS has no scope: docs/hsds.md)."""
    from tsunagari.directory.importers.writer import write_records
    from tsunagari.directory.models import Organization, ServiceProgram, SupportProgram

    mito = make_service(national, "水戸市 自立相談支援室", municipality="082015")
    tsukuba = make_service(national, "つくば市 生活支援課", municipality="082201")
    with scopes_disabled():
        ministry = Organization.objects.create(platform=national, name="厚生労働省")
        assistance = SupportProgram.objects.create(
            platform=national,
            name="生活保護",
            alternate_name="暮らしを支える制度",
            description="最低限度の生活を保障します。",
            organization=ministry,
            publication=Service.Publication.PUBLISHED,
        )
        shelter = SupportProgram.objects.create(
            platform=national,
            name="居住支援事業",
            organization=mito.organization,
            scope="municipality",
            municipality_id="082015",
            publication=Service.Publication.PUBLISHED,
        )
        ServiceProgram.objects.create(platform=national, program=shelter, service=mito, is_local_link=True)
        ServiceProgram.objects.create(platform=national, program=assistance, service=tsukuba)
    out = tmp_path / "national"
    export_hsds(out, national)
    ibaraki = Platform.objects.create(slug="ibaraki", name="茨城県", kind="prefecture", prefecture_id="08")
    outcome = write_records(parse(out), ibaraki, skip_invalid=False, actor="テスト")
    assert outcome.ok, [str(p) for p in outcome.problems]
    with platform_scope(ibaraki, with_national=False):
        programs = {p.name: p for p in SupportProgram.objects.select_related("organization")}
        links = {
            (link.program.name, link.service.name)
            for link in ServiceProgram.objects.select_related("program", "service")
        }
    assert set(programs) == {"生活保護", "居住支援事業"}
    assert (programs["生活保護"].alternate_name, programs["生活保護"].description) == (
        "暮らしを支える制度",
        "最低限度の生活を保障します。",
    )
    assert programs["生活保護"].organization is not None and programs["生活保護"].organization.name == "厚生労働省"
    assert programs["生活保護"].source_id == str(assistance.pk)
    assert links == {("居住支援事業", "水戸市 自立相談支援室"), ("生活保護", "つくば市 生活支援課")}
    # HSDS does not say a programme is a city's own: the one whose windows are all in 水戸市 is 水戸市's.
    assert (programs["居住支援事業"].scope, programs["居住支援事業"].municipality_id) == ("municipality", "082015")
    assert (programs["生活保護"].scope, programs["生活保護"].municipality_id) == ("national", None)
    assert programs["居住支援事業"].description == ""  # the export's 未登録 is not a description
    # The same package again changes nothing.
    again = write_records(parse(out), ibaraki, skip_invalid=False, actor="テスト")
    assert again.ok and not again.changed
