"""The published directory as Open Referral HSDS 3.0 files: a tabular data package and HSDS JSON.

What `export_hsds(outdir)` writes (docs/hsds.md explains each choice):

    datapackage.json         the official HSDS 3.0 descriptor, cut down to the tables written,
                             with our name, title, licences, sources and creation time
    README.txt               what is here, where it comes from, the attribution the licences ask for
    organizations.csv, …     one CSV per HSDS table with rows, columns exactly as the official schema
    json/services.json       a JSON array of full service objects (schema/compiled/service.json)
    json/organizations.json  a JSON array of organisations with their services as list items

Both halves come from one mapping, `directory.hsds`: every CSV row is one of its JSON objects
with the nesting taken off (HSDS's tables are its JSON objects, one table per object type), so ids
and values agree between the CSV, the JSON and the API. Where the tabular schema is stricter than
the JSON one, the CSV adapts and says so here and in docs/hsds.md:

- times get seconds ("09:00:00+09:00"): Table Schema's `time` type reads hh:mm:ss;
- a required text we do not know is written as UNKNOWN, because an empty CSV cell means "no value"
  and would break `required` (the JSON sends "", which its schema allows);
- taxonomy term codes are prefixed with their taxonomy ("tsunagari-needs:children"), because the
  tabular schema makes `code` unique across all taxonomies and our needs and target groups share
  some codes.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import json
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import scope

from . import hsds
from .models import Location, Organization, Service, SourceDataset, SupportProgram
from .queries import platform_services, shown_program_links

__all__ = [
    "CHUNK_SIZE",
    "OFFICIAL_DATAPACKAGE",
    "RELAXED_CONSTRAINTS",
    "UNKNOWN",
    "ExportError",
    "ExportResult",
    "export_hsds",
    "official_package",
    "official_resources",
    "qualified_code",
    "relaxed_schema",
    "split_code",
]

OFFICIAL_DATAPACKAGE = Path("hsds-3.0") / "datapackage.json"  # inside DATASETS_DIR (get-datasets)
HSDS_VERSION = "3.0.0"
HSDS_URL = "https://docs.openreferral.org/en/v3.0/"
HSDS_ATTRIBUTION = "Human Services Data Specification: an Open Referral resource (https://openreferral.org/)"
CC_BY_SA = "https://creativecommons.org/licenses/by-sa/4.0/"

# Written in a required text column whose value we do not have (see the module docstring).
UNKNOWN = "未登録"
# How many services are loaded (with their related rows) per round trip to the database.
CHUNK_SIZE = 500

# The key under which a JSON object nests objects of another HSDS type → that type's table.
NESTED = {
    "organization": "organization",
    "organization_identifiers": "organization_identifier",
    "programs": "program",
    "program": "program",
    "funding": "funding",
    "services": "service",
    "service": "service",
    "phones": "phone",
    "contacts": "contact",
    "schedules": "schedule",
    "service_areas": "service_area",
    "service_at_locations": "service_at_location",
    "locations": "location",
    "location": "location",
    "addresses": "address",
    "accessibility": "accessibility",
    "languages": "language",
    "cost_options": "cost_option",
    "required_documents": "required_document",
    "attributes": "attribute",
    "taxonomy_term": "taxonomy_term",
    "taxonomy_detail": "taxonomy",
    "metadata": "metadata",
}

JSON = dict[str, Any]

# Constraints of the official tabular descriptor that the export does not keep, each for a reason
# docs/hsds.md gives. The official program table makes organization_id unique, i.e. one programme
# per organisation, though its own text says only that each programme belongs to one organisation
# (openreferral/specification#260 asked the same): 厚生労働省 publishes nine of our programmes.
RELAXED_CONSTRAINTS: dict[tuple[str, str], str] = {("program", "organization_id"): "unique"}


class ExportError(Exception):
    """The export cannot be written (the folder is in the way); said in Japanese."""


def official_package() -> JSON:
    """The official HSDS 3.0 tabular descriptor (CC BY-SA 4.0), from the HSDS 3.0 data set in DATASETS_DIR.

    Its table schemas decide the columns of the export and what the HSDS importer checks, so
    both refuse (ExportError) when the data set is not installed.
    """
    path = Path(settings.DATASETS_DIR) / OFFICIAL_DATAPACKAGE
    if not path.is_file():
        raise ExportError(
            f"HSDS 3.0 の公式の表定義（{path}）がありません。"
            "`python -m tsunagari get-datasets hsds-3.0` で取得してから、もう一度実行してください。"
        )
    return _read_json(path)


@cache
def _read_json(path: Path) -> JSON:
    loaded: JSON = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def official_resources() -> dict[str, JSON]:
    """Table name ("service") → its official resource: path, description and Table Schema."""
    return {resource["name"]: resource for resource in official_package()["resources"]}


def relaxed_schema(resource: JSON) -> JSON:
    """A table's official Table Schema without the constraints in RELAXED_CONSTRAINTS."""
    schema = dict(resource["schema"])
    fields = []
    for spec in schema["fields"]:
        dropped = RELAXED_CONSTRAINTS.get((resource["name"], spec["name"]))
        if dropped:
            spec = {**spec, "constraints": {k: v for k, v in spec["constraints"].items() if k != dropped}}
        fields.append(spec)
    schema["fields"] = fields
    return schema


def qualified_code(taxonomy: str, code: str) -> str:
    """A term code as the tabular export writes it, unique across taxonomies."""
    return f"{taxonomy}:{code}" if taxonomy and code else code


def split_code(code: str) -> tuple[str, str]:
    """("tsunagari-needs", "children") from "tsunagari-needs:children"; ("", code) otherwise."""
    taxonomy, sep, rest = code.partition(":")
    return (taxonomy, rest) if sep and taxonomy.startswith("tsunagari-") else ("", code)


# --- one JSON object → CSV rows -----------------------------------------------------------------


def flatten(obj: JSON, table: str, *, skip: frozenset[str] = frozenset()) -> Iterator[tuple[str, JSON]]:
    """(table, object) for `obj` and every HSDS object nested in it; `skip` names keys not to follow."""
    yield table, obj
    for key, value in obj.items():
        if key in skip or key not in NESTED:
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                yield from flatten(item, NESTED[key])


_TIME = re.compile(r"(\d{2}:\d{2})(:\d{2}(?:\.\d+)?)?(.*)")


def _cell(spec: JSON, value: Any) -> str:
    """A JSON value as Table Schema writes a value of the field's type."""
    if value is None or value == "" or value == []:
        return ""
    kind = spec["type"]
    if kind == "time":
        match = _TIME.fullmatch(str(value))
        # "09:00+09:00" → "09:00:00+09:00": Table Schema's default time format has seconds.
        return f"{match[1]}{match[2] or ':00'}{match[3]}" if match else str(value)
    if kind in ("number", "integer") and isinstance(value, float):
        # Decimal notation ("35.319225", never "3.5e-05"), which every CSV reader parses.
        return format(Decimal(repr(value)).normalize(), "f")
    if kind == "boolean":
        return "true" if value else "false"
    return str(value)


class Tables:
    """One CSV writer per HSDS table, opened when its first row comes, each row written once."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.resources = official_resources()
        self.files: dict[str, IO[str]] = {}
        self.writers: dict[str, Any] = {}
        self.seen: dict[str, set[str]] = {}
        self.counts: dict[str, int] = {}
        # Organisations written; a location may name one that is not (see row()).
        self.organizations: set[str] = set()

    def add(self, obj: JSON, table: str, *, skip: frozenset[str] = frozenset()) -> None:
        for name, item in flatten(obj, table, skip=skip):
            self.row(name, item)

    def row(self, table: str, obj: JSON) -> None:
        seen = self.seen.setdefault(table, set())
        if obj.get("id") in seen:
            return  # an organisation, location or term shared by many services
        seen.add(obj["id"])
        fields = self.resources[table]["schema"]["fields"]
        obj = dict(obj)
        if table == "taxonomy_term":
            obj["code"] = qualified_code(obj.get("taxonomy", ""), obj.get("code", ""))
        elif table == "location" and obj.get("organization_id") not in self.organizations:
            # The owner of the place is outside what this export publishes: leave the link out
            # rather than point at a row that is not in the package.
            obj["organization_id"] = None
        elif table == "organization":
            self.organizations.add(obj["id"])
        elif table == "service" and obj.get("program", {}).get("organization_id") not in self.organizations:
            obj["program_id"] = None  # its programme cannot be written (below): no link to a missing row
        elif table == "program" and obj.get("organization_id") not in self.organizations:
            # The tabular schema requires a programme's organisation; one without is left out of
            # the CSV (the JSON keeps it nested in its services).
            seen.discard(obj["id"])
            return
        cells = []
        for spec in fields:
            text = _cell(spec, obj.get(spec["name"]))
            if not text and spec["constraints"].get("required") and spec["type"] == "string" and "format" not in spec:
                text = UNKNOWN
            cells.append(text)
        self._writer(table).writerow(cells)
        self.counts[table] = self.counts.get(table, 0) + 1

    def _writer(self, table: str) -> Any:
        if table not in self.writers:
            resource = self.resources[table]
            handle = (self.folder / resource["path"]).open("w", encoding="utf-8", newline="")
            self.files[table] = handle
            self.writers[table] = csv.writer(handle)
            self.writers[table].writerow([spec["name"] for spec in resource["schema"]["fields"]])
        return self.writers[table]

    def close(self) -> None:
        for handle in self.files.values():
            handle.close()


class JsonArray:
    """A JSON array written one element per line, so that memory stays flat however many there are."""

    def __init__(self, path: Path) -> None:
        self.handle = path.open("w", encoding="utf-8")
        self.handle.write("[")
        self.count = 0

    def append(self, item: JSON) -> None:
        self.handle.write(",\n" if self.count else "\n")
        self.handle.write(json.dumps(item, ensure_ascii=False, separators=(",", ":")))
        self.count += 1

    def __enter__(self) -> JsonArray:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.write("\n]\n")
        self.handle.close()


# --- the export -------------------------------------------------------------------------------


@dataclass
class ExportResult:
    """What was written: rows per table, services, and the data sets that need attribution."""

    outdir: Path
    platform: Platform | None
    services: int = 0
    organizations: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    datasets: list[SourceDataset] = field(default_factory=list)
    bytes: int = 0


def export_hsds(outdir: Path, platform: Platform | None = None, *, chunk_size: int = CHUNK_SIZE) -> ExportResult:
    """Write the HSDS 3.0 export of `platform`'s portal (or of every public platform) to `outdir`.

    The files are written to a new folder beside `outdir` and moved into place at the end, so an
    interrupted export never leaves half a package. An `outdir` that holds anything other than a
    previous export is refused rather than replaced.
    """
    outdir = Path(outdir)
    _check_replaceable(outdir)
    outdir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.", dir=outdir.parent))
    work.chmod(0o755)  # mkdtemp makes it private; the export is public data
    try:
        result = _write(work, platform, chunk_size=chunk_size)
        if outdir.exists():
            shutil.rmtree(outdir)
        work.rename(outdir)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    result.outdir = outdir
    return result


def _check_replaceable(outdir: Path) -> None:
    if outdir.exists() and not outdir.is_dir():
        raise ExportError(f"{outdir} はファイルです。書き出し先には新しいフォルダの名前を指定してください。")
    if outdir.is_dir() and any(outdir.iterdir()) and not (outdir / "datapackage.json").exists():
        raise ExportError(
            f"フォルダ {outdir} には書き出し以外のファイルがあるため、上書きしません。"
            "空のフォルダか新しいフォルダを指定してください。"
        )


def export_scope(platform: Platform | None) -> list[int]:
    """The platforms whose rows the export reads: a portal's scope, or every public platform's."""
    if platform is not None:
        return platform.scope_ids()
    ids = set(Platform.objects.public().values_list("pk", flat=True))
    ids.update(Platform.objects.filter(kind=Platform.Kind.NATIONAL).values_list("pk", flat=True))
    return sorted(ids)


def exported_services(platform: Platform | None) -> QuerySet[Service]:
    """The services the export publishes (read inside `scope(platform=export_scope(platform))`)."""
    return platform_services(platform) if platform is not None else Service.objects.published()


def _write(folder: Path, platform: Platform | None, *, chunk_size: int) -> ExportResult:
    result = ExportResult(outdir=folder, platform=platform)
    (folder / "json").mkdir()
    tables = Tables(folder)
    datasets: dict[str, SourceDataset] = {}
    try:
        with scope(platform=export_scope(platform)):
            services = exported_services(platform).order_by("pk")
            # Organisations first, so that a location can tell whether its owner is in the package.
            with JsonArray(folder / "json" / "organizations.json") as array:
                for org in _organizations(services).iterator(chunk_size=chunk_size):
                    data = hsds.serialize_organization(org, services=org.services.all())
                    array.append(data)
                    tables.add(data, "organization", skip=frozenset({"services"}))
            result.organizations = array.count
            with JsonArray(folder / "json" / "services.json") as array:
                for service in hsds.service_queryset(services).iterator(chunk_size=chunk_size):
                    data = hsds.serialize_service(service)
                    array.append(data)
                    tables.add(data, "service", skip=frozenset({"organization"}))
                    if service.dataset is not None:
                        datasets.setdefault(service.dataset.pk, service.dataset)
            result.services = array.count
            # Every programme a published window handles, also those HSDS's single program_id leaves out.
            for program in _programs(services):
                tables.add(hsds.serialize_program(program), "program")
    finally:
        tables.close()
    result.counts = dict(tables.counts)
    result.datasets = [datasets[slug] for slug in sorted(datasets)]
    created = timezone.now()
    descriptor = _descriptor(folder, tables, platform, result.datasets, created)
    (folder / "datapackage.json").write_text(
        json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    (folder / "README.txt").write_text(_readme(descriptor, result, created), encoding="utf-8")
    result.bytes = sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())
    return result


def _programs(services: QuerySet[Service]) -> QuerySet[SupportProgram]:
    """The programmes shown on the exported windows (as on the portal: published, not withdrawn)."""
    links = shown_program_links().filter(service__in=services.values("pk"))
    return SupportProgram.objects.filter(pk__in=links.values("program_id")).order_by("pk")


def _organizations(services: QuerySet[Service]) -> QuerySet[Organization]:
    """Organisations with a service in the export, owning a place where one is delivered, or
    whose page describes a programme an exported window handles."""
    owners = Location.objects.filter(service_at_locations__service__in=services.values("pk")).values("organization_id")
    programs = _programs(services).values("organization_id")
    return (
        Organization.objects.filter(
            Q(pk__in=services.values("organization_id")) | Q(pk__in=owners) | Q(pk__in=programs)
        )
        .order_by("pk")
        .prefetch_related(Prefetch("services", queryset=services.order_by("name", "pk")))
    )


# --- datapackage.json and README.txt ----------------------------------------------------------

_CC = re.compile(r"CC[\s-]*(BY(?:[\s-]+(?:SA|NC|ND))*)[\s-]*(\d\.\d)", re.IGNORECASE)


def _licence_id(text: str) -> str:
    """The Open Definition / SPDX id of a Creative Commons licence named in free text ("CC BY 4.0")."""
    match = _CC.search(text)
    if not match:
        return ""
    return "CC-" + re.sub(r"[\s-]+", "-", match[1].upper()) + "-" + match[2]


def _licence(dataset: SourceDataset) -> JSON:
    return {
        key: value
        for key, value in {
            "name": _licence_id(dataset.licence),
            "path": dataset.licence_url,
            "title": dataset.licence,
        }.items()
        if value
    }


def _source(dataset: SourceDataset) -> JSON:
    entry = {
        "title": dataset.attribution or dataset.name,
        "path": dataset.url,
        "name": dataset.slug,
        "publisher": dataset.publisher,
        "license": dataset.licence,
        "license_url": dataset.licence_url,
        "changes": dataset.data_changed_note,
        "retrieved": dataset.retrieved_on.isoformat() if dataset.retrieved_on else "",
    }
    return {key: value for key, value in entry.items() if value}


def _descriptor(
    folder: Path, tables: Tables, platform: Platform | None, datasets: list[SourceDataset], created: datetime.datetime
) -> JSON:
    """The official descriptor with our metadata, its resources cut down to the tables written."""
    official = official_package()
    written = [resource for resource in official["resources"] if resource["name"] in tables.counts]
    names = {resource["name"] for resource in written}
    resources = []
    for resource in written:
        schema = relaxed_schema(resource)
        # A package must not point at tables it does not contain; the fields and their
        # constraints stay exactly the official ones but for RELAXED_CONSTRAINTS.
        keys = [fk for fk in schema.get("foreignKeys", []) if fk["reference"]["resource"] in names]
        if keys:
            schema["foreignKeys"] = keys
        else:
            schema.pop("foreignKeys", None)
        path = folder / resource["path"]
        resources.append(
            {
                **{key: value for key, value in resource.items() if key != "schema"},
                "encoding": "utf-8",
                "bytes": path.stat().st_size,
                "hash": "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest(),
                "schema": schema,
            }
        )
    licences = [_licence(dataset) for dataset in datasets if dataset.licence or dataset.licence_url]
    licences.append(
        {
            "name": "CC-BY-SA-4.0",
            "path": CC_BY_SA,
            "title": "HSDS 3.0 のスキーマ（このファイルの resources[].schema）: " + HSDS_ATTRIBUTION,
        }
    )
    name = f"tsunagari-{platform.slug}" if platform else "tsunagari"
    title = f"{platform.name}の支援情報" if platform else "つながり 全国の公開プラットフォームの支援情報"
    return {
        "profile": official["profile"],
        "name": name,
        "title": f"{title}（Open Referral HSDS 3.0）",
        "description": (
            f"{title}。公開中の窓口・サービス（下書きを除く）を Open Referral HSDS 3.0 の表形式で書き出したものです。"
            "出典と利用条件は sources と README.txt を見てください。"
        ),
        # The HSDS version the tables follow, as in the official descriptor.
        "version": official.get("version", HSDS_VERSION),
        "homepage": settings.SITE_URL + (f"/{platform.slug}/" if platform else "/"),
        "created": created.astimezone(datetime.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "licenses": licences,
        "sources": [_source(dataset) for dataset in datasets]
        + [{"title": HSDS_ATTRIBUTION, "path": HSDS_URL, "license": "CC BY-SA 4.0", "license_url": CC_BY_SA}],
        "resources": resources,
    }


TABLE_TITLES = {
    "organization": "団体",
    "organization_identifier": "団体の識別番号（法人番号）",
    "service": "窓口・サービス",
    "service_at_location": "窓口と場所の結びつき",
    "location": "場所",
    "address": "住所",
    "accessibility": "バリアフリーの情報",
    "phone": "電話・FAX",
    "contact": "メールの連絡先",
    "schedule": "受付時間",
    "service_area": "対象地域",
    "language": "対応言語",
    "cost_option": "費用",
    "attribute": "分類の付与（困りごと・対象・特徴・連絡手段）",
    "taxonomy_term": "分類の用語",
    "taxonomy": "分類",
    "metadata": "確認の記録",
}


def _readme(descriptor: JSON, result: ExportResult, created: datetime.datetime) -> str:
    local = timezone.localtime(created)
    lines = [
        descriptor["title"],
        "=" * 40,
        "",
        f"作成日時: {local:%Y-%m-%d %H:%M}（日本時間）",
        f"窓口・サービス: {result.services:,}件　団体: {result.organizations:,}件",
        "公開中の窓口・サービスだけを含みます（下書き・廃止は含みません）。",
        "",
        "■ ファイル",
        "datapackage.json  表の定義（Open Referral HSDS 3.0 の公式 datapackage.json から、書き出した表だけ）",
    ]
    for resource in descriptor["resources"]:
        title = TABLE_TITLES.get(resource["name"], resource["name"])
        lines.append(f"{resource['path']}  {title}（{result.counts[resource['name']]:,}行）")
    lines += [
        f"json/services.json  窓口・サービスの HSDS JSON（{result.services:,}件の配列。1行に1件）",
        f"json/organizations.json  団体の HSDS JSON（{result.organizations:,}件の配列。1行に1件）",
        "",
        "CSV は UTF-8（BOM なし）、1行目が列名です。",
        "Excel では「データ」→「テキストまたは CSV から」で開くと文字化けしません。",
        "値は登録されたとおりに書いています（= + - @ で始まる値もそのまま）。表計算ソフトでは、列の形式を"
        "「文字列」にして読み込んでください（式として実行させないため）。",
        "受付時間は日本時間（timezone = 9、時刻に +09:00）。分からない必須項目には「未登録」と書いています。",
        "",
        "■ 出典と利用条件",
    ]
    if not result.datasets:
        lines.append("取り込んだデータ（出典のあるデータ）は含まれていません。")
    for dataset in result.datasets:
        lines.append(f"・{dataset.attribution or dataset.name}")
        if dataset.licence or dataset.licence_url:
            lines.append(f"  利用条件: {dataset.licence} {dataset.licence_url}".rstrip())
        if dataset.url:
            lines.append(f"  出典: {dataset.url}")
        if dataset.data_changed_note:
            lines.append(f"  変更: {dataset.data_changed_note}")
    lines += [
        "・出典の記載がない窓口は、各プラットフォームが登録した情報です。",
        "  利用の際は、上の出典の表示（クレジット）と、データを変更した場合はその旨を示してください。",
        "",
        "■ データの形式",
        "Open Referral Human Services Data Specification (HSDS) 3.0 に沿っています。",
        f"{HSDS_ATTRIBUTION}",
        f"HSDS は CC BY-SA 4.0（{CC_BY_SA}）で公開されています。datapackage.json の表の定義",
        "（resources[].schema）は公式のものをそのまま使っているため、同じ CC BY-SA 4.0 で提供します。",
        "",
        "■ 確かめ方",
        "表形式: frictionless validate datapackage.json（https://framework.frictionlessdata.io/）",
        "JSON: HSDS 3.0 の schema/compiled/service.json と organization.json（JSON Schema 2020-12）で検証できます。",
        "",
    ]
    return "\n".join(lines)
