"""export-hsds: the tabular package and the JSON validate against the official HSDS 3.0 schemas.

The tabular checks run `importers.hsds.validate_package`, a Table Schema validator over the official
datapackage.json; it is itself tested here on the official example package and on broken copies,
so that a passing export means something.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from jsonschema import Draft202012Validator, FormatChecker

from tests.conftest import HSDS, KURASHI, shared_data
from tests.factories import make_service
from tsunagari.directory.export import UNKNOWN, ExportError, export_hsds, official_package
from tsunagari.directory.importers.hsds import validate_package
from tsunagari.directory.models import (
    Channel,
    Organization,
    Schedule,
    Service,
    ServiceProgram,
    SourceDataset,
    SupportProgram,
    TaxonomyTerm,
)
from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db

EXAMPLE = HSDS / "examples" / "csv"


@pytest.fixture(autouse=True)
def _official_hsds() -> None:
    """The export's columns are the official table schemas (the HSDS 3.0 data set): no export without them."""
    shared_data(HSDS / "datapackage.json")


# The official example package is not consistent itself: these rows point at ids that are not in
# the package (checked by hand against the CSV files). The validator must find exactly these.
EXAMPLE_DANGLING = {
    ("locations.csv", 2, "organization_id"),
    ("contacts.csv", 2, "organization_id"),
    ("contacts.csv", 2, "service_at_location_id"),
    ("taxonomy_terms.csv", 2, "taxonomy_id"),
}


# --- the world: services on three platforms, a draft, a closed one, a private platform -----------


@dataclass
class World:
    kamakura: Platform
    tottori: Platform
    national: Platform
    rich: Service
    dataset: SourceDataset


def make_rich_service(platform: Platform, dataset: SourceDataset | None = None) -> Service:
    """A service with every kind of related record the HSDS mapping knows."""
    service = make_service(
        platform,
        "こころの相談",
        needs=("mental_health", "loneliness"),
        dataset=dataset,
        source_id="K-1" if dataset else "",
        alternate_name="こころの電話",
        description="不安やさびしさの相談。",
        languages=["ja", "en", "zh-Hans"],
        minimum_age=15,
        reservation_required=True,
        organization_name="鎌倉市 健康福祉部",
    )
    with scopes_disabled():
        Organization.objects.filter(pk=service.organization_id).update(corporate_number="3000020142042")
        service.terms.add(
            *TaxonomyTerm.objects.filter(taxonomy_id="tsunagari-attributes", code__in=["free", "anonymous"])
        )
        service.terms.add(*TaxonomyTerm.objects.filter(taxonomy_id="tsunagari-targets", code="youth"))
        for position, (kind, value, label) in enumerate(
            [
                (Channel.Kind.FAX, "0467-23-3001", "FAX"),
                (Channel.Kind.EMAIL, "kokoro@example.jp", "相談メール"),
                (Channel.Kind.LINE, "https://lin.ee/example", "LINE相談"),
                (Channel.Kind.VISIT, "", "来所"),
            ],
            start=1,
        ):
            Channel.objects.create(
                platform=platform, service=service, kind=kind, value=value, label=label, position=position
            )
        Schedule.objects.create(
            platform=platform,
            service=service,
            byday="MO,TU,WE,TH,FR",
            opens_at=datetime.time(9),
            closes_at=datetime.time(17, 15),
            closed_on_holidays=True,
            closed_year_end=True,
        )
        Schedule.objects.create(platform=platform, service=service, byday="SA,SU", open_24h=True)
        # 毎月第2・第4土曜日 10時～12時 (issue 10 item 21): HSDS's MONTHLY with n-th weekdays.
        Schedule.objects.create(
            platform=platform, service=service, byday="2SA,4SA", opens_at=datetime.time(10), closes_at=datetime.time(12)
        )
        sal = service.service_at_locations.get()
        sal.location.latitude, sal.location.longitude = 35.319225, 139.546687
        sal.location.accessibility = "車いす可"
        sal.location.save()
        Schedule.objects.create(
            platform=platform,
            service=service,
            service_at_location=sal,
            byday="WE",
            opens_at=datetime.time(13),
            closes_at=datetime.time(16),
        )
    return service


@pytest.fixture
def world(kamakura: Platform, tottori: Platform, national: Platform) -> World:
    dataset = SourceDataset.objects.create(
        slug="kamakura-open-data",
        name="鎌倉市オープンデータ",
        publisher="鎌倉市",
        url="https://www.city.kamakura.kanagawa.jp/",
        licence="CC BY 4.0",
        licence_url="https://creativecommons.org/licenses/by/4.0/",
        attribution="出典：鎌倉市オープンデータ",
        data_changed_note="受付時間を曜日と時刻に直しました。",
    )
    rich = make_rich_service(kamakura, dataset)
    make_service(kamakura, "下書きの相談", publication=Service.Publication.DRAFT)
    make_service(kamakura, "閉じた窓口", status=Service.Status.DEFUNCT)
    make_service(tottori, "鳥取県ひきこもり支援センター", phone="0857-21-3031")
    make_service(national, "全国の電話相談", needs=("suicide",), phone="0120-279-338", hours_text="毎月第2火曜日")
    make_service(national, "鎌倉市の生活困窮窓口", needs=("money",), municipality="142042")
    make_service(national, "鳥取市の窓口", needs=("money",), municipality="312011")
    hidden = Platform.objects.create(
        slug="hidden", name="非公開のプラットフォーム", kind="municipality", municipality_id="142051", is_public=False
    )
    make_service(hidden, "非公開プラットフォームの窓口")
    return World(kamakura=kamakura, tottori=tottori, national=national, rich=rich, dataset=dataset)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def names(out: Path) -> set[str]:
    return {row["name"] for row in read_csv(out / "services.csv")}


# --- the JSON schemas -------------------------------------------------------------------------

_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


def format_checker() -> FormatChecker:
    """jsonschema's checker plus "uri" and "date-time", which it checks only with extra packages."""
    checker = FormatChecker()
    checker.checks("uri")(lambda value: not isinstance(value, str) or bool(_URI.fullmatch(value)))
    checker.checks("date-time", raises=ValueError)(
        lambda value: (
            not isinstance(value, str)
            or (bool(_DATE_TIME.fullmatch(value)) and bool(datetime.datetime.fromisoformat(value)))
        )
    )
    return checker


@pytest.fixture(scope="module")
def json_schema() -> Callable[[str], Draft202012Validator]:
    """The official compiled schema (self-contained: no $ref to resolve) as a 2020-12 validator."""
    cache: dict[str, Draft202012Validator] = {}

    def validator(name: str) -> Draft202012Validator:
        if name not in cache:
            schema = json.loads((HSDS / "schema" / "compiled" / name).read_text(encoding="utf-8"))
            Draft202012Validator.check_schema(schema)
            cache[name] = Draft202012Validator(schema, format_checker=format_checker())
        return cache[name]

    return validator


def schema_errors(validator: Draft202012Validator, items: list[Any]) -> list[str]:
    return [
        f"{item.get('name')}: {list(error.path)}: {error.message}"
        for item in items
        for error in validator.iter_errors(item)
    ]


# --- the validator is trustworthy ---------------------------------------------------------------


def test_the_validator_accepts_the_official_example_but_its_dangling_references() -> None:
    problems = validate_package(EXAMPLE)
    assert {(p.file, p.row, p.column) for p in problems} == EXAMPLE_DANGLING


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "example"
    shutil.copytree(EXAMPLE, folder)
    (folder / "datapackage.json").unlink()
    shutil.copy(HSDS / "datapackage.json", folder / "datapackage.json")
    return folder


def edit_cell(folder: Path, file: str, column: str, value: str) -> None:
    path = folder / file
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    rows[1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)


@pytest.mark.parametrize(
    ("file", "column", "value", "message"),
    [
        ("services.csv", "id", "not-a-uuid", "UUID"),
        ("services.csv", "status", "open", "active、inactive"),
        ("services.csv", "name", "", "必須"),
        ("services.csv", "assured_date", "2005/01/01", "年-月-日"),
        ("services.csv", "last_modified", "yesterday", "日時"),
        ("services.csv", "minimum_age", "twelve", "数"),
        ("services.csv", "email", "not an address", "メールアドレス"),
        ("services.csv", "url", "example.com/x y", "URL"),
        ("schedules.csv", "opens_at", "10:00", "時:分:秒"),
        ("schedules.csv", "freq", "DAILY", "WEEKLY"),
        ("phones.csv", "extension", "0100", "数"),
    ],
)
def test_the_validator_rejects_a_bad_value_with_file_row_and_column(
    example_copy: Path, file: str, column: str, value: str, message: str
) -> None:
    edit_cell(example_copy, file, column, value)
    # (A broken id also leaves the rows that point at it dangling; those are other files.)
    problems = [p for p in validate_package(example_copy) if p.file == file]
    assert [(p.file, p.row, p.column) for p in problems] == [(file, 2, column)]
    assert message in problems[0].message


def test_the_validator_rejects_a_dangling_foreign_key(example_copy: Path) -> None:
    edit_cell(example_copy, "service_at_location.csv", "location_id", "3a19ff88-0000-4d17-9830-ac1d859eb5d5")
    problems = [p for p in validate_package(example_copy) if (p.file, p.row, p.column) not in EXAMPLE_DANGLING]
    assert [(p.file, p.row, p.column) for p in problems] == [("service_at_location.csv", 2, "location_id")]
    assert "locations.csv" in problems[0].message


def test_the_validator_rejects_headers_that_differ_from_the_official_ones(example_copy: Path) -> None:
    path = example_copy / "phones.csv"
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    extension, kind = rows[0].index("extension"), rows[0].index("type")
    rows[0][extension], rows[0][kind] = "type", "extension"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    problems = [p for p in validate_package(example_copy) if (p.file, p.row, p.column) not in EXAMPLE_DANGLING]
    # The header, and then the value that now sits under the wrong name ("voice" as extension).
    assert [(p.file, p.row, p.column) for p in problems] == [("phones.csv", 1, None), ("phones.csv", 2, "extension")]
    assert "順番" in problems[0].message


def test_the_validator_rejects_duplicate_ids(example_copy: Path) -> None:
    path = example_copy / "services.csv"
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([*rows, rows[1]])
    problems = [p for p in validate_package(example_copy) if (p.file, p.row, p.column) not in EXAMPLE_DANGLING]
    assert [(p.file, p.row, p.column) for p in problems] == [("services.csv", 3, "id")]


# --- the export --------------------------------------------------------------------------------


@pytest.fixture
def everything(world: World, tmp_path: Path) -> Path:
    out = tmp_path / "hsds"
    export_hsds(out)
    return out


def test_the_tabular_package_validates_against_the_official_schema(everything: Path) -> None:
    assert validate_package(everything) == []


def test_the_descriptor_keeps_the_official_table_schemas_of_the_tables_written(everything: Path) -> None:
    descriptor = json.loads((everything / "datapackage.json").read_text(encoding="utf-8"))
    official = {resource["name"]: resource for resource in official_package()["resources"]}
    written = {resource["path"] for resource in descriptor["resources"]}
    assert written == {path.name for path in everything.glob("*.csv")}
    assert {"organizations.csv", "services.csv", "phones.csv", "schedules.csv", "taxonomy_terms.csv"} <= written
    for resource in descriptor["resources"]:
        schema = official[resource["name"]]["schema"]
        assert resource["path"] == official[resource["name"]]["path"]
        assert resource["schema"]["fields"] == schema["fields"]
        assert resource["schema"]["primaryKey"] == schema["primaryKey"]
        for key in resource["schema"].get("foreignKeys", []):
            assert key in schema["foreignKeys"]
            assert key["reference"]["resource"] in {r["name"] for r in descriptor["resources"]}
        with (everything / resource["path"]).open(encoding="utf-8", newline="") as f:
            assert next(csv.reader(f)) == [spec["name"] for spec in schema["fields"]]


def test_the_descriptor_and_readme_credit_every_source(everything: Path, world: World) -> None:
    descriptor = json.loads((everything / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["name"] == "tsunagari"
    assert descriptor["profile"] == "tabular-data-package"
    assert datetime.datetime.fromisoformat(descriptor["created"])
    assert {"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/", "title": "CC BY 4.0"} in (
        descriptor["licenses"]
    )
    assert any(licence["name"] == "CC-BY-SA-4.0" for licence in descriptor["licenses"])  # the HSDS schemas
    source = next(s for s in descriptor["sources"] if s.get("name") == "kamakura-open-data")
    assert source["title"] == "出典：鎌倉市オープンデータ"
    assert source["changes"] == "受付時間を曜日と時刻に直しました。"
    readme = (everything / "README.txt").read_text(encoding="utf-8")
    assert "出典：鎌倉市オープンデータ" in readme
    assert "CC BY 4.0 https://creativecommons.org/licenses/by/4.0/" in readme
    assert "Open Referral" in readme and "CC BY-SA 4.0" in readme


def test_every_public_platform_is_exported_without_drafts_or_private_platforms(everything: Path) -> None:
    assert names(everything) == {
        "こころの相談",
        "鳥取県ひきこもり支援センター",
        "全国の電話相談",
        "鎌倉市の生活困窮窓口",
        "鳥取市の窓口",
    }


def test_a_platform_export_is_what_its_portal_shows(world: World, tmp_path: Path) -> None:
    out = tmp_path / "kamakura"
    stdout = io.StringIO()
    call_command("export_hsds", str(out), platform="kamakura", check=True, stdout=stdout)
    assert "問題はありません" in stdout.getvalue()
    # Kamakura's own published service and the national data for its area; not Tottori's, not
    # the national service for Tottori City, never a draft or a closed window.
    assert names(out) == {"こころの相談", "全国の電話相談", "鎌倉市の生活困窮窓口"}
    assert validate_package(out) == []
    descriptor = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["name"] == "tsunagari-kamakura"
    services = json.loads((out / "json" / "services.json").read_text(encoding="utf-8"))
    assert {s["name"] for s in services} == names(out)
    organizations = json.loads((out / "json" / "organizations.json").read_text(encoding="utf-8"))
    listed = {s["name"] for org in organizations for s in org.get("services", [])}
    assert listed == names(out)


def test_an_unknown_platform_is_refused_in_japanese(world: World, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="プラットフォーム「nowhere」が見つかりません"):
        call_command("export_hsds", str(tmp_path / "x"), platform="nowhere")
    assert not (tmp_path / "x").exists()


def test_the_json_validates_against_the_official_compiled_schemas(
    everything: Path, json_schema: Callable[[str], Draft202012Validator]
) -> None:
    services = json.loads((everything / "json" / "services.json").read_text(encoding="utf-8"))
    organizations = json.loads((everything / "json" / "organizations.json").read_text(encoding="utf-8"))
    assert len(services) == 5
    assert schema_errors(json_schema("service.json"), services) == []
    assert schema_errors(json_schema("organization.json"), organizations) == []


def test_the_json_validator_catches_a_bad_service(
    everything: Path, json_schema: Callable[[str], Draft202012Validator]
) -> None:
    service = json.loads((everything / "json" / "services.json").read_text(encoding="utf-8"))[0]
    service["status"] = "open"
    service["last_modified"] = "yesterday"
    service["url"] = "not a url"
    assert len(schema_errors(json_schema("service.json"), [service])) == 3


def test_csv_and_json_describe_the_same_records(everything: Path) -> None:
    services = json.loads((everything / "json" / "services.json").read_text(encoding="utf-8"))
    assert {s["id"] for s in services} == {row["id"] for row in read_csv(everything / "services.csv")}
    assert {p["id"] for s in services for p in s.get("phones", [])} == {
        row["id"] for row in read_csv(everything / "phones.csv")
    }
    assert {a["id"] for s in services for a in s.get("attributes", [])} == {
        row["id"] for row in read_csv(everything / "attributes.csv")
    }


def test_values_are_written_as_the_tabular_schema_reads_them(everything: Path, world: World) -> None:
    rich = str(world.rich.pk)
    schedules = [row for row in read_csv(everything / "schedules.csv") if row["service_id"] == rich]
    weekdays = next(row for row in schedules if row["byday"] == "MO,TU,WE,TH,FR")
    assert (weekdays["opens_at"], weekdays["closes_at"], weekdays["timezone"]) == (
        "09:00:00+09:00",
        "17:15:00+09:00",
        "9",
    )
    assert weekdays["description"] == "祝日は休み、年末年始（12月29日〜1月3日）は休み"
    assert weekdays["freq"] == "WEEKLY"
    monthly = next(row for row in schedules if row["byday"] == "2SA,4SA")
    assert (monthly["freq"], monthly["opens_at"], monthly["closes_at"]) == (
        "MONTHLY",
        "10:00:00+09:00",
        "12:00:00+09:00",
    )
    at_location = next(row for row in schedules if row["byday"] == "WE")
    assert at_location["service_at_location_id"]
    service = next(row for row in read_csv(everything / "services.csv") if row["id"] == rich)
    assert service["assured_date"] == "2026-07-01"
    assert service["minimum_age"] == "15"
    assert datetime.datetime.fromisoformat(service["last_modified"])
    organization = next(
        row for row in read_csv(everything / "organizations.csv") if row["id"] == service["organization_id"]
    )
    assert organization["description"] == UNKNOWN  # required, and we have none
    identifiers = read_csv(everything / "organization_identifiers.csv")
    assert [(i["organization_id"], i["identifier"]) for i in identifiers] == [(organization["id"], "3000020142042")]
    location = next(row for row in read_csv(everything / "locations.csv") if row["name"] == "こころの相談")
    assert (location["latitude"], location["longitude"]) == ("35.319225", "139.546687")
    codes = {row["code"] for row in read_csv(everything / "taxonomy_terms.csv")}
    # Qualified with the taxonomy: the tabular schema wants codes unique across taxonomies.
    assert {"tsunagari-needs:mental_health", "tsunagari-targets:youth", "tsunagari-channels:line"} <= codes
    assert [row["amount"] for row in read_csv(everything / "cost_options.csv")] == ["0"]


def test_re_exporting_replaces_the_previous_export(everything: Path) -> None:
    (everything / "contacts.csv").write_text("stale", encoding="utf-8")
    (everything / "programs.csv").write_text("stale", encoding="utf-8")
    export_hsds(everything)
    assert not (everything / "programs.csv").exists()
    assert validate_package(everything) == []


def test_a_folder_with_other_files_is_not_overwritten(world: World, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("大事なメモ", encoding="utf-8")
    with pytest.raises(ExportError, match="上書きしません"):
        export_hsds(tmp_path)
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "大事なメモ"


def test_the_export_costs_a_fixed_number_of_queries(world: World, tmp_path: Path) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            export_hsds(tmp_path / "out")
        return len(captured)

    before = queries()
    for n in range(5):
        make_rich_service(world.kamakura)
        make_service(world.national, f"全国の窓口{n}")
    assert queries() == before


# --- the real data ----------------------------------------------------------------------------


@pytest.fixture
def real_data(national: Platform) -> Iterator[None]:
    call_command("import", str(shared_data(KURASHI)), stdout=io.StringIO())
    yield


def test_the_full_real_data_exports_valid_hsds(
    real_data: None, tmp_path: Path, json_schema: Callable[[str], Draft202012Validator]
) -> None:
    out = tmp_path / "hsds"
    result = export_hsds(out)
    with scopes_disabled():
        published = Service.objects.published().count()
    assert result.services == published > 7000
    assert validate_package(out) == []
    services = json.loads((out / "json" / "services.json").read_text(encoding="utf-8"))
    organizations = json.loads((out / "json" / "organizations.json").read_text(encoding="utf-8"))
    assert len(services) == published
    assert schema_errors(json_schema("service.json"), services)[:5] == []
    assert schema_errors(json_schema("organization.json"), organizations)[:5] == []
    assert any("JUNKBRANDING" in s["title"] for s in json.loads((out / "datapackage.json").read_text())["sources"])
    # The programmes the windows handle (programs.csv's officeId, municipality-programs.csv): 生活保護 at
    # 水戸市's and つくば市's windows, and the two cities' own programmes.
    programs = {row["name"] for row in read_csv(out / "programs.csv")}
    assert {"生活保護", "生活困窮者自立相談支援", "つくば市住居確保給付金"} <= programs
    assert len(programs) == 10
    by_id = {row["id"]: row["name"] for row in read_csv(out / "programs.csv")}
    windows = {row["name"]: by_id.get(row["program_id"]) for row in read_csv(out / "services.csv") if row["program_id"]}
    assert windows["水戸市自立相談支援室"] == "生活困窮者自立相談支援"  # named by municipality-programs.csv


def test_the_hsds_csv_keeps_values_that_look_like_formulas_as_published(national: Platform, tmp_path: Path) -> None:
    """Decided (issue 10 item 15, docs/hsds.md): HSDS is data for programs; an apostrophe would change it.

    The people-facing workspace exports defuse formulas (lib/spreadsheet.py); the README tells
    whoever opens these files in a spreadsheet to read them as text.
    """
    make_service(national, "=HYPERLINK(1)の窓口", description="+81-3-0000-0000 にお電話ください")
    export_hsds(tmp_path / "out", national)
    [row] = read_csv(tmp_path / "out" / "services.csv")
    assert (row["name"], row["description"]) == ("=HYPERLINK(1)の窓口", "+81-3-0000-0000 にお電話ください")
    assert "式として実行させないため" in (tmp_path / "out" / "README.txt").read_text(encoding="utf-8")


def test_required_documents_are_exported_as_hsds_required_document(
    national: Platform, tmp_path: Path, json_schema: Callable[[str], Draft202012Validator]
) -> None:
    """The CPSV-J importer keeps 必要書類 as a line of application_process; the export gives it its table."""
    service = make_service(national, "児童扶養手当", application_process="市役所で申請。\n必要書類: 戸籍謄本・預金通帳")
    make_service(national, "書類の要らない相談", application_process="電話でどうぞ。")
    out = tmp_path / "out"
    export_hsds(out, national)
    assert [(row["service_id"], row["document"]) for row in read_csv(out / "required_documents.csv")] == [
        (str(service.pk), "戸籍謄本・預金通帳")
    ]
    assert validate_package(out) == []
    [item] = [s for s in json.loads((out / "json" / "services.json").read_text()) if s["id"] == str(service.pk)]
    assert item["required_documents"][0]["document"] == "戸籍謄本・預金通帳"
    assert schema_errors(json_schema("service.json"), [item]) == []


def test_programmes_are_exported_as_hsds_program_and_service_program_id(
    national: Platform, tmp_path: Path, json_schema: Callable[[str], Draft202012Validator]
) -> None:
    """HSDS gives a service one programme: the one a municipality's list names for the window, else
    the first by name; every programme a window handles is in programs.csv (docs/hsds.md)."""
    window = make_service(national, "水戸市 自立相談支援室", municipality="082015")
    other = make_service(national, "水戸市 こども相談", municipality="082015")
    with scopes_disabled():
        ministry = Organization.objects.create(platform=national, name="厚生労働省")
        city = window.organization

        def programme(name: str, organization: Organization | None, **fields: Any) -> SupportProgram:
            return SupportProgram.objects.create(
                platform=national,
                name=name,
                organization=organization,
                description=f"{name}の説明",
                publication=Service.Publication.PUBLISHED,
                **fields,
            )

        national_one = programme("生活困窮者自立相談支援", ministry)
        second_national = programme("生活保護", ministry)  # the same organisation again
        shelter = programme("居住支援事業", city)
        withdrawn = programme("終わった制度", city, status=Service.Status.DEFUNCT)
        orphan = programme("発行者の分からない制度", None)
        for program, service, local in (
            (shelter, window, False),
            (national_one, window, True),
            (withdrawn, window, False),
            (second_national, other, False),
            (orphan, other, False),
        ):
            ServiceProgram.objects.create(platform=national, program=program, service=service, is_local_link=local)
    out = tmp_path / "out"
    export_hsds(out, national)
    assert validate_package(out) == []
    rows = {row["name"]: row for row in read_csv(out / "programs.csv")}
    assert set(rows) == {"生活困窮者自立相談支援", "生活保護", "居住支援事業"}
    assert rows["生活保護"]["organization_id"] == rows["生活困窮者自立相談支援"]["organization_id"] == str(ministry.pk)
    assert "厚生労働省" in {row["name"] for row in read_csv(out / "organizations.csv")}
    program_ids = {row["id"]: row["program_id"] for row in read_csv(out / "services.csv")}
    assert program_ids[str(window.pk)] == str(national_one.pk)  # the local link wins over the name order
    assert program_ids[str(other.pk)] == str(second_national.pk)
    descriptor = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    [resource] = [r for r in descriptor["resources"] if r["name"] == "program"]
    assert (
        "unique" not in next(f for f in resource["schema"]["fields"] if f["name"] == "organization_id")["constraints"]
    )
    services = json.loads((out / "json" / "services.json").read_text(encoding="utf-8"))
    assert {s["id"]: s.get("program", {}).get("name") for s in services} == {
        str(window.pk): "生活困窮者自立相談支援",
        str(other.pk): "生活保護",
    }
    assert schema_errors(json_schema("service.json"), services) == []


def test_the_validator_relaxes_only_the_programmes_organisation(example_copy: Path) -> None:
    """The one official constraint the export does not keep is still the only one not checked."""
    path = example_copy / "programs.csv"
    rows = read_csv(path)
    assert rows, "the official example has a programme"
    with path.open("a", encoding="utf-8", newline="") as f:
        duplicate = {**rows[0], "id": "0b6f3a43-8b7e-4f4e-9a51-7d4a2c1f0e99", "name": "同じ団体の二つ目の制度"}
        csv.DictWriter(f, fieldnames=list(rows[0])).writerow(duplicate)
    assert not [p for p in validate_package(example_copy) if p.file == "programs.csv"]
    with path.open("a", encoding="utf-8", newline="") as f:
        csv.DictWriter(f, fieldnames=list(rows[0])).writerow(duplicate)  # the same id twice: still refused
    assert [(p.file, p.column) for p in validate_package(example_copy) if p.file == "programs.csv"] == [
        ("programs.csv", "id")
    ]
