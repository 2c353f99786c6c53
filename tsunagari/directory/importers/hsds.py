"""HSDS 3.0 tabular data packages in: checked against the official schemas, read into records.

`validate_package(folder)` checks a package as a strict Table Schema reader would: every header
against the official field list of its table, every value against its field's type, format and
constraints, every foreign key. The tests run it on our own export; people can too (docs/hsds.md).

`parse(path)` reads a package (a folder, its datapackage.json, or a .zip of it) into
`records.ServiceRecord`s for the shared writer. It checks the same way but forgives what does not
stop us from importing (a missing optional column, an empty description HSDS calls required, a
link we do not use), reporting those as notes. Source ids are the HSDS ids, so exporting a
platform and importing the export elsewhere keeps every record matched to its origin.

What maps to what is in docs/hsds.md; in short, HSDS tables become our services with their
organisation, places, phones and e-mail contacts, schedules, areas and languages, and attributes
whose term belongs to one of our taxonomies become need, target-group, feature and contact-channel
codes again. Terms of other taxonomies are counted and left out.
"""

from __future__ import annotations

import csv
import datetime
import json
import math
import re
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.text import slugify

from tsunagari.directory import hsds as mapping
from tsunagari.directory.export import (
    HSDS_ATTRIBUTION,
    UNKNOWN,
    ExportError,
    official_resources,
    relaxed_schema,
    split_code,
)
from tsunagari.directory.models import ATTRIBUTES, NEEDS, TARGETS, Channel, ServiceArea
from tsunagari.directory.opening import format_closed_dates, opening_byday, opening_from_byday
from tsunagari.directory.taxonomy import TAXONOMIES, term_ids

from .common import (
    AreaIndex,
    ImportFailed,
    Invalid,
    ParsedWithNotes,
    Table,
    clean_postal_code,
    decode,
    hours_to_schedules,
    read_table,
)
from .records import (
    AreaRecord,
    ChannelRecord,
    LocationRecord,
    OrganizationRecord,
    Problem,
    ProgramLinkRecord,
    ProgramRecord,
    ScheduleRecord,
    ServiceRecord,
    SourceInfo,
)

__all__ = ["check_cell", "open_package", "parse", "validate_package"]

JSON = dict[str, Any]
DESCRIPTOR = "datapackage.json"
SERVICES = "service"

# Required columns whose emptiness stops the import. HSDS also requires e.g. an organisation's
# description and every part of an address; empty ones are imported empty, with a note.
ESSENTIAL = frozenset(
    {
        ("organization", "name"),
        ("service", "name"),
        ("service", "status"),
        ("location", "location_type"),
        ("phone", "number"),
        ("taxonomy_term", "name"),
    }
)
# Links the import follows; a dangling one loses data, so it is a problem. Others are notes.
FOLLOWED_LINKS = frozenset(
    {
        ("service", "organization_id"),
        ("service_at_location", "service_id"),
        ("service_at_location", "location_id"),
        ("attribute", "taxonomy_term_id"),
        ("phone", "service_id"),
        ("phone", "service_at_location_id"),
        ("contact", "service_id"),
        ("contact", "service_at_location_id"),
        ("schedule", "service_id"),
        ("schedule", "service_at_location_id"),
        ("service_area", "service_id"),
        ("language", "service_id"),
        ("address", "location_id"),
        ("accessibility", "location_id"),
        ("cost_option", "service_id"),
        ("organization_identifier", "organization_id"),
    }
)
# Service columns with nowhere to go in our model; non-empty values are counted in a note.
UNMAPPED_SERVICE_COLUMNS = ("wait_time", "accreditations", "licenses", "alert")
# What our export writes in a programme's required description when the data has none (docs/hsds.md).
NO_DESCRIPTION = "未登録"
OUR_TAXONOMIES = {
    **{str(mapping.taxonomy_uuid(slug)): slug for slug in (*TAXONOMIES, mapping.CHANNELS)},
    **{slug: slug for slug in (*TAXONOMIES, mapping.CHANNELS)},
}
LABEL_LENGTH = 50
KNOWN_CODES = {taxonomy: frozenset(term_ids(taxonomy)) for taxonomy in (NEEDS, TARGETS, ATTRIBUTES)}
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
JST = 9
SCHEDULE_FLAGS = {
    mapping.OPEN_24H: "open_24h",
    mapping.CLOSED_ON_HOLIDAYS: "closed_on_holidays",
    mapping.CLOSED_YEAR_END: "closed_year_end",
    mapping.CLOSED_UNLISTED_DAYS: "closed_unlisted_days",
}


def _is_flag_wording(part: str) -> bool:
    return part in SCHEDULE_FLAGS or mapping.CLOSED_DATES_WORDING.fullmatch(part) is not None


# --- checking values against the official Table Schema -------------------------------------------

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|NaN|[+-]?INF")
_INTEGER = re.compile(r"[+-]?\d+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?")
_TIME = re.compile(r"(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s]+")
_TRUE = ("true", "True", "TRUE", "1")
_FALSE = ("false", "False", "FALSE", "0")


def check_cell(spec: JSON, value: str, *, strict: bool = True) -> str | None:
    """What is wrong with `value` for the Table Schema field `spec`, in Japanese; None when fine.

    `strict` follows Table Schema to the letter; otherwise a time without seconds ("09:00", as
    HSDS's own field description writes it) is accepted.
    """
    constraints = spec.get("constraints", {})
    if value == "":
        return "必須の項目です。値を入れてください。" if constraints.get("required") else None
    message = _check_type(spec["type"], spec.get("format", "default"), value, strict=strict)
    if message:
        return message
    enum = constraints.get("enum")
    if enum is not None and value not in enum:
        return f"「{value}」は使えません。{'、'.join(enum)} のどれかを書いてください。"
    pattern = constraints.get("pattern")
    if pattern is not None and not re.fullmatch(pattern, value):
        return f"「{value}」は決まった形（{pattern}）になっていません。"
    if "minLength" in constraints and len(value) < constraints["minLength"]:
        return f"{constraints['minLength']}文字以上で書いてください。"
    if "maxLength" in constraints and len(value) > constraints["maxLength"]:
        return f"{constraints['maxLength']}文字までで書いてください（今は{len(value)}文字）。"
    if spec["type"] in ("number", "integer") and value not in ("NaN", "INF", "+INF", "-INF"):
        number = float(value)
        if "minimum" in constraints and number < float(constraints["minimum"]):
            return f"{constraints['minimum']}以上の数にしてください（「{value}」）。"
        if "maximum" in constraints and number > float(constraints["maximum"]):
            return f"{constraints['maximum']}以下の数にしてください（「{value}」）。"
    return None


def _check_type(kind: str, fmt: str, value: str, *, strict: bool) -> str | None:
    if kind == "string":
        if fmt == "uuid" and not _UUID.fullmatch(value):
            return f"「{value}」は UUID の形ではありません（例: ac148810-d857-441c-9679-408f346de14b）。"
        if fmt == "email" and not _is_email(value):
            return f"メールアドレス「{value}」の形が正しくありません（例: soudan@example.jp）。"
        if fmt == "uri" and not _URI.fullmatch(value):
            return f"「{value}」は URL の形ではありません。https:// から始めて、空白を入れずに書いてください。"
        return None
    if kind == "number":
        # Table Schema's bare numbers: no leading zero ("01"), no thousands separator, no unit.
        if not _NUMBER.fullmatch(value) or re.match(r"[+-]?0\d", value):
            return f"「{value}」は数として読めません。半角の数字だけで書いてください（例: 12、35.3192）。"
        return None
    if kind == "integer":
        return None if _INTEGER.fullmatch(value) else f"「{value}」は整数として読めません（例: 12）。"
    if kind == "boolean":
        return None if value in _TRUE + _FALSE else f"「{value}」は true か false で書いてください。"
    if kind == "date":
        if not _DATE.fullmatch(value) or _parse(datetime.date.fromisoformat, value) is None:
            return f"日付「{value}」は 2026-07-01 の形（年-月-日）で書いてください。"
        return None
    if kind == "datetime":
        if not _DATETIME.fullmatch(value) or _parse(datetime.datetime.fromisoformat, value) is None:
            return f"日時「{value}」は 2026-07-01T09:00:00Z の形で書いてください。"
        return None
    if kind == "time":
        return (
            None
            if parse_time(value, strict=strict)
            else f"時刻「{value}」は 09:00:00 の形（時:分:秒）で書いてください。"
        )
    if kind == "any":
        return None
    raise ValueError(f"Table Schema type {kind!r} is not supported")


def _is_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def _parse(parser: Callable[[str], Any], value: str) -> Any:
    try:
        return parser(value)
    except ValueError:
        return None


def parse_time(value: str, *, strict: bool = True) -> tuple[datetime.time, int | None] | None:
    """(time, UTC offset in hours or None) from "09:00:00+09:00" (or "09:00" unless `strict`)."""
    match = _TIME.fullmatch(value)
    if not match or (strict and match[3] is None):
        return None
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    offset = match[4]
    hours = None
    if offset == "Z":
        hours = 0
    elif offset:
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        hours = sign * int(digits[:2])  # HSDS offsets are whole hours in practice; minutes ignored
    return datetime.time(hour, minute, second), hours


# --- reading a package ------------------------------------------------------------------------


@dataclass
class Package:
    """The tables of one package by HSDS table name, with the descriptor that came with them."""

    folder: Path
    descriptor: JSON
    tables: dict[str, Table] = field(default_factory=dict)
    raw_headers: dict[str, list[str]] = field(default_factory=dict)
    empty: list[str] = field(default_factory=list)  # files with nothing in them


def read_descriptor(folder: Path) -> tuple[JSON, list[Problem]]:
    """The folder's datapackage.json, or {} with a problem saying what is wrong with it."""
    path = folder / DESCRIPTOR
    if not path.exists():
        return {}, []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return {}, [Problem(DESCRIPTOR, None, None, "UTF-8 で保存し直してください（文字コードを読み取れません）。")]
    target = folder / text.strip()
    if "\n" not in text.strip() and text.strip().endswith(".json") and target.is_file():
        # A symbolic link checked out as a text file naming its target (git without symlinks):
        # the official examples/csv folder ships its descriptor this way.
        text = target.read_text(encoding="utf-8-sig")
    try:
        descriptor = json.loads(text)
    except json.JSONDecodeError as exc:
        return {}, [Problem(DESCRIPTOR, None, None, f"JSON として読めません（{exc.lineno}行目: {exc.msg}）。")]
    if not isinstance(descriptor, dict):
        return {}, [Problem(DESCRIPTOR, None, None, "datapackage.json の中身はオブジェクト（{…}）にしてください。")]
    return descriptor, []


def open_package(folder: Path) -> tuple[Package, list[Problem]]:
    """Read every HSDS table the package has, by the path its descriptor gives (or the official one)."""
    descriptor, problems = read_descriptor(folder)
    official = official_resources()
    paths = {name: resource["path"] for name, resource in official.items()}
    for resource in descriptor.get("resources", []) if isinstance(descriptor.get("resources"), list) else []:
        if isinstance(resource, dict) and resource.get("name") in official and isinstance(resource.get("path"), str):
            paths[resource["name"]] = resource["path"]
    package = Package(folder=folder, descriptor=descriptor)
    for name, relative in paths.items():
        path = folder / relative
        if not path.is_file():
            continue
        if not path.read_bytes().strip():
            package.empty.append(relative)  # not even a header: read as a table with no rows
            continue
        try:
            package.tables[name] = read_table(path, file=relative)
        except ImportFailed as exc:
            problems.append(Problem(relative, None, None, str(exc)))
            continue
        text, _encoding = decode(path.read_bytes(), relative)
        first = text.split("\n", 1)[0].rstrip("\r").lstrip("\ufeff")
        package.raw_headers[name] = next(csv.reader([first]), [])
    return package, problems


@dataclass
class Checked:
    """The outcome of checking a package: problems, notes, and the rows that had a problem."""

    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    bad_rows: set[tuple[str, int]] = field(default_factory=set)

    def add(self, problem: Problem, *, serious: bool = True) -> None:
        if serious:
            self.problems.append(problem)
            if problem.row is not None:
                self.bad_rows.add((problem.file, problem.row))
        else:
            self.notes.append(problem)


def check_package(package: Package, *, strict: bool) -> Checked:
    """Check headers, values, uniqueness and foreign keys of every table against the official schema
    (without export.RELAXED_CONSTRAINTS, which docs/hsds.md explains)."""
    checked = Checked()
    official = official_resources()
    values: dict[tuple[str, str], set[str]] = {}
    for name, table in package.tables.items():
        fields = relaxed_schema(official[name])["fields"]
        names = [spec["name"] for spec in fields]
        _check_header(table, names, fields, package.raw_headers.get(name, table.header), checked, strict=strict)
        present = [spec for spec in fields if spec["name"] in table.header]
        seen: dict[str, dict[str, int]] = {spec["name"]: {} for spec in present if spec["constraints"].get("unique")}
        for number, row in table.dicts():
            for spec in present:
                column, value = spec["name"], row.get(spec["name"], "")
                message = check_cell(spec, value, strict=strict)
                if message:
                    essential = strict or value != "" or (name, column) in ESSENTIAL or spec.get("format") == "uuid"
                    if not essential:
                        message = "HSDS では必須の項目ですが、空です。空のまま取り込みます。"
                    checked.add(Problem(table.file, number, column, message), serious=essential)
                elif column in seen and value:
                    if value in seen[column]:
                        checked.add(
                            Problem(
                                table.file,
                                number,
                                column,
                                f"「{value}」は{seen[column][value]}行目と同じです。この列の値は重複できません。",
                            ),
                            serious=strict or column == "id",
                        )
                    else:
                        seen[column][value] = number
        for spec in present:
            values[(name, spec["name"])] = {row.get(spec["name"], "") for _n, row in table.dicts()}
    _check_foreign_keys(package, values, checked, strict=strict)
    return checked


def _check_header(
    table: Table, names: list[str], fields: list[JSON], raw: list[str], checked: Checked, *, strict: bool
) -> None:
    if strict and raw != names:
        missing = [n for n in names if n not in raw]
        extra = [n for n in raw if n not in names]
        if missing:
            message = f"列 {'、'.join(missing)} がありません。"
        elif extra:
            message = f"HSDS 3.0 にない列 {'、'.join(extra)} があります。"
        else:
            message = "列の順番が HSDS 3.0 の定義と違います。"
        checked.add(Problem(table.file, 1, None, f"{message}1行目は {','.join(names)} にしてください。"))
        return
    for spec in fields:
        if spec["constraints"].get("required") and spec["name"] not in table.header:
            checked.add(
                Problem(
                    table.file,
                    None,
                    spec["name"],
                    f"必須の列「{spec['name']}」がありません。1行目に「{spec['name']}」の列を加えてください。",
                )
            )
    extra = [column for column in table.header if column and column not in names]
    if extra:
        checked.add(
            Problem(table.file, 1, None, f"HSDS 3.0 にない列 {'、'.join(extra)} は読みませんでした。"), serious=False
        )


def _check_foreign_keys(
    package: Package, values: dict[tuple[str, str], set[str]], checked: Checked, *, strict: bool
) -> None:
    official = official_resources()
    for name, table in package.tables.items():
        for key in official[name]["schema"].get("foreignKeys", []):
            column, target = key["fields"], key["reference"]["resource"]
            target_column = key["reference"]["fields"]
            if column not in table.header:
                continue
            serious = strict or (name, column) in FOLLOWED_LINKS
            target_file = official[target]["path"]
            known = values.get((target, target_column))
            for number, row in table.dicts():
                value = row.get(column, "")
                if not value:
                    continue
                if known is None:
                    message = f"「{value}」を参照していますが、{target_file} がありません。"
                elif value in known:
                    continue
                else:
                    message = f"{target_file} に {target_column} が「{value}」の行がありません。"
                checked.add(Problem(table.file, number, column, message), serious=serious)


def validate_package(folder: Path) -> list[Problem]:
    """Everything in the package at `folder` that breaks the official HSDS 3.0 tabular schema."""
    package, problems = open_package(Path(folder))
    problems += [Problem(file, None, None, "ファイルが空です。1行目に列名を書いてください。") for file in package.empty]
    if not package.tables:
        problems.append(Problem(DESCRIPTOR, None, None, "HSDS の表（organizations.csv など）が一つもありません。"))
    return [*problems, *check_package(package, strict=True).problems]


# --- parse: a package into records --------------------------------------------------------------


def parse(path: Path) -> ParsedWithNotes:
    """Read an HSDS 3.0 tabular package (folder, its datapackage.json, or a .zip) into records."""
    path = Path(path)
    try:
        official_resources()  # the official table schemas say what a package may hold
    except ExportError as exc:
        raise ImportFailed(str(exc)) from None
    if path.is_file() and path.suffix.lower() == ".zip":
        with tempfile.TemporaryDirectory() as tmp:
            return _parse_folder(_unzip(path, Path(tmp)), display=path.name)
    folder = path.parent if path.is_file() else path
    return _parse_folder(folder, display=folder.name)


def _unzip(path: Path, into: Path) -> Path:
    """Extract `path` and return the folder that holds its datapackage.json (or its CSV files)."""
    try:
        with zipfile.ZipFile(path) as archive:
            for member in archive.infolist():
                # Refuse paths that would land outside the temporary folder ("../x", "/etc/x").
                target = (into / member.filename).resolve()
                if not target.is_relative_to(into.resolve()):
                    raise ImportFailed(f"{path.name}: ZIP の中に使えないパス「{member.filename}」があります。")
            archive.extractall(into)  # every member path was checked above
    except zipfile.BadZipFile as exc:
        raise ImportFailed(f"{path.name}: ZIP ファイルとして開けませんでした。") from exc
    found = sorted(into.rglob(DESCRIPTOR), key=lambda p: len(p.parts)) or sorted(
        into.rglob("services.csv"), key=lambda p: len(p.parts)
    )
    return found[0].parent if found else into


def _parse_folder(folder: Path, *, display: str) -> ParsedWithNotes:
    package, problems = open_package(folder)
    result = ParsedWithNotes(source=_source(package.descriptor, display))
    result.problems.extend(problems)
    for name in (SERVICES, "organization"):
        if name not in package.tables:
            path = official_resources()[name]["path"]
            result.problems.append(
                Problem(path, None, None, f"{path} がありません。HSDS のデータパッケージには {path} が必要です。")
            )
    if result.problems:
        return result
    result.services_file = package.tables[SERVICES].file
    checked = check_package(package, strict=False)
    result.problems.extend(checked.problems)
    result.notes.extend(checked.notes)
    result.invalid_rows |= checked.bad_rows
    if any(problem.row is None for problem in checked.problems):
        return result  # a required column is missing: nothing can be read reliably
    _Reader(package, result, checked.bad_rows).read()
    return result


def _source(descriptor: JSON, display: str) -> SourceInfo:
    """Where the package says it comes from and under which licence."""
    name = str(descriptor.get("name") or "")
    title = str(descriptor.get("title") or name or display)
    # Data Package v1 says "licenses"; the official HSDS descriptor uses a single "license".
    licences = [
        item
        for item in _objects(descriptor.get("licenses") or [descriptor.get("license")])
        if "スキーマ" not in str(item.get("title", "")) and "schema" not in str(item.get("title", ""))
    ]
    sources = [
        item for item in _objects(descriptor.get("sources")) if item.get("title") and item["title"] != HSDS_ATTRIBUTION
    ]
    publishers = [
        str(item.get("title", ""))
        for item in _objects(descriptor.get("contributors"))
        if item.get("role") == "publisher"
    ] + [str(item["publisher"]) for item in sources if item.get("publisher")]
    first = licences[0] if licences else {}
    licence = str(first.get("title") or first.get("name") or "")
    changes = [str(item["changes"]) for item in sources if item.get("changes")]
    return SourceInfo(
        slug=(slugify(name) or slugify(display) or "hsds")[:60],
        name=title[:200],
        publisher=publishers[0][:200] if publishers else "",
        url=str(descriptor.get("homepage") or (sources[0].get("path") if sources else "") or "")[:200],
        licence=licence[:100],
        licence_url=str(first.get("path") or ""),
        attribution="／".join(str(item["title"]) for item in sources) or title,
        data_changed_note=" ".join(["HSDS 3.0 の表形式データパッケージから取り込みました。", *changes]),
    )


def _objects(value: object) -> list[JSON]:
    """The objects of a descriptor list, whatever else a hand-written descriptor put there."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _number(value: str) -> float | None:
    """A checked Table Schema number as a float; None for an empty cell, NaN or infinity."""
    number = float(value) if value else None
    return number if number is not None and math.isfinite(number) else None


def _known(value: str) -> str:
    """A cell's text, with the export's placeholder for unknown required values read as empty."""
    value = value.strip()
    return "" if value == UNKNOWN else value


class _Reader:
    """Turns the checked tables of one package into ServiceRecords, one per services.csv row."""

    def __init__(self, package: Package, result: ParsedWithNotes, bad_rows: set[tuple[str, int]]) -> None:
        self.package = package
        self.result = result
        self.bad = bad_rows
        self.counts: dict[str, int] = defaultdict(int)
        self.areas = AreaIndex.from_db()
        self.unresolved_areas: list[str] = []

    # -- tables as rows, with bad rows left out ---------------------------------------------

    def rows(self, name: str) -> Iterable[tuple[int, dict[str, str]]]:
        table = self.package.tables.get(name)
        if table is None:
            return []
        return [(number, row) for number, row in table.dicts() if (table.file, number) not in self.bad]

    def file(self, name: str) -> str:
        table = self.package.tables.get(name)
        return table.file if table else official_resources()[name]["path"]

    def by(self, name: str, column: str) -> dict[str, list[dict[str, str]]]:
        grouped: dict[str, list[dict[str, str]]] = defaultdict(list)
        for _number, row in self.rows(name):
            if row.get(column):
                grouped[row[column]].append(row)
        return grouped

    def note(self, name: str, row: int | None, column: str | None, message: str) -> None:
        self.result.notes.append(Problem(self.file(name), row, column, message))

    # -- the whole package -------------------------------------------------------------------

    def read(self) -> None:
        organizations = {row["id"]: row for _n, row in self.rows("organization")}
        bad_organizations = {
            row["id"]
            for number, row in self.package.tables["organization"].dicts()
            if (self.file("organization"), number) in self.bad
        }
        self.identifiers = self.by("organization_identifier", "organization_id")
        self.locations = {row["id"]: row for _n, row in self.rows("location")}
        self.addresses = self.by("address", "location_id")
        self.accessibility = self.by("accessibility", "location_id")
        self.sal_rows = list(self.rows("service_at_location"))
        self.sal_by_service = self.by("service_at_location", "service_id")
        self.sal_service = {row["id"]: row["service_id"] for _n, row in self.sal_rows}
        self.sal_location = {row["id"]: row["location_id"] for _n, row in self.sal_rows}
        self.phones = self._by_service("phone")
        self.contacts = self._by_service("contact")
        self.schedules = self._by_service("schedule", location_too=False)
        self.service_areas = self.by("service_area", "service_id")
        self.languages = self.by("language", "service_id")
        self.cost_options = self.by("cost_option", "service_id")
        self.metadata = self.by("metadata", "resource_id")
        self.terms = {row["id"]: row for _n, row in self.rows("taxonomy_term")}
        self.taxonomies = {row["id"]: row for _n, row in self.rows("taxonomy")}
        self.attributes = self._attributes()
        services_file = self.file(SERVICES)
        unmapped: dict[str, int] = defaultdict(int)
        program_links: list[tuple[int, str, str]] = []  # (services.csv row, program id, service id)
        for number, row in self.package.tables[SERVICES].dicts():
            if (services_file, number) in self.bad:
                continue
            organization = organizations.get(row["organization_id"])
            if organization is None:
                if row["organization_id"] in bad_organizations:
                    self.result.problems.append(
                        Problem(
                            services_file,
                            number,
                            "organization_id",
                            "団体の行に問題があるため、この窓口・サービスも取り込めません。団体の行を先に直してください。",
                        )
                    )
                    self.result.invalid_rows.add((services_file, number))
                continue  # a dangling link, already reported by the foreign-key check
            for column in UNMAPPED_SERVICE_COLUMNS:
                if row.get(column):
                    unmapped[column] += 1
            self.result.services.append(self.service(number, row, self.organization(organization)))
            if row.get("program_id"):
                program_links.append((number, row["program_id"], row["id"]))
        self._programs(organizations, program_links)
        if self.unresolved_areas:
            examples = "、".join(f"「{name}」" for name in dict.fromkeys(self.unresolved_areas) if name)
            self.note(
                "service_area",
                None,
                "name",
                f"対象地域 {len(self.unresolved_areas)}件（{examples[:200]}）は市区町村・都道府県・全国のどれにも"
                "当てはめられず、読み込みませんでした。「神奈川県鎌倉市」「鳥取県」「全国」のように書くと読み込めます。",
            )
        for column, count in unmapped.items():
            self.note(
                SERVICES,
                None,
                column,
                f"列「{column}」（{count}行）は、つながりに対応する項目がないため読み込みませんでした。",
            )
        self.result.counts = {
            "rows": len(self.package.tables[SERVICES].rows),
            "services": len(self.result.services),
            **{key: value for key, value in self.counts.items() if value},
        }

    def _programs(self, organizations: dict[str, dict[str, str]], links: list[tuple[int, str, str]]) -> None:
        """programs.csv and services' program_id: the programmes and the windows that handle them.

        HSDS does not say whether a programme is national or a municipality's own. One that belongs to
        the organisation of the windows that handle it, all serving the same single municipality, is
        taken as that municipality's (our export's 水戸市 programmes, which belong to 水戸市, come back
        as 水戸市's); any other as national (the export gives a national one its ministry, which has
        no windows).
        """
        if "program" not in self.package.tables:
            return
        services = {record.source_id: record for record in self.result.services}
        municipalities: dict[str, set[str | None]] = defaultdict(set)
        owners = {row["id"]: row.get("organization_id", "") for _n, row in self.rows("program")}
        for _number, program_id, service_id in links:
            if service_id in services:
                if services[service_id].organization.source_id != owners.get(program_id):
                    municipalities[program_id].add(None)
                    continue
                areas = services[service_id].areas
                codes = {area.municipality_code for area in areas} if areas else {None}
                municipalities[program_id] |= codes if len(codes) == 1 else {None}
        self.result.programs_file = self.file("program")
        known = set()
        for number, row in self.rows("program"):
            organization = organizations.get(row.get("organization_id", ""))
            codes = municipalities.get(row["id"], {None})
            municipality = next(iter(codes)) if len(codes) == 1 else None
            description = row.get("description", "").strip()
            self.result.programs.append(
                ProgramRecord(
                    row=number,
                    source_id=row["id"],
                    name=row["name"].strip(),
                    organization=self.organization(organization) if organization else None,
                    municipality_code=municipality,
                    scope="municipality" if municipality else "national",
                    alternate_name=row.get("alternate_name", "").strip(),
                    description="" if description == NO_DESCRIPTION else description,
                )
            )
            known.add(row["id"])
        for number, program_id, service_id in links:
            if program_id in known and service_id in services:
                self.result.program_links.append(
                    ProgramLinkRecord(
                        file=self.file(SERVICES),
                        row=number,
                        source_id=f"{program_id}@{service_id}",
                        program_source_id=program_id,
                        service_source_id=service_id,
                    )
                )

    def _by_service(self, name: str, *, location_too: bool = True) -> dict[str, list[dict[str, str]]]:
        """Rows of a table that hang off a service directly, through a service at a location, or
        (phones and contacts) off a location where the service is delivered."""
        grouped: dict[str, list[dict[str, str]]] = defaultdict(list)
        services_at: dict[str, list[str]] = defaultdict(list)
        for sal_id, location_id in self.sal_location.items():
            services_at[location_id].append(self.sal_service[sal_id])
        for _number, row in self.rows(name):
            if row.get("service_id"):
                grouped[row["service_id"]].append(row)
            elif row.get("service_at_location_id") in self.sal_service:
                grouped[self.sal_service[row["service_at_location_id"]]].append(row)
            elif location_too and row.get("location_id") in services_at:
                for service_id in services_at[row["location_id"]]:
                    grouped[service_id].append(row)
        return grouped

    def _attributes(self) -> dict[str, list[tuple[str, str, str]]]:
        """Service id → (taxonomy slug, code, value) of each attribute whose term is one of ours."""
        found: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        for _number, row in self.rows("attribute"):
            term = self.terms.get(row["taxonomy_term_id"])
            if row.get("link_entity", "service") not in ("service", ""):
                self.counts["attributes_not_on_services"] += 1
                continue
            taxonomy, code = self._term(term) if term else ("", "")
            if not taxonomy:
                self.counts["terms_ignored"] += 1
                continue
            found[row["link_id"]].append((taxonomy, code, row.get("value", "")))
        if self.counts["terms_ignored"]:
            self.note(
                "attribute",
                None,
                "taxonomy_term_id",
                f"つながりの分類（困りごと・対象・特徴・連絡手段）にない用語の付与 {self.counts['terms_ignored']}件は"
                "読み込みませんでした。",
            )
        return found

    def _term(self, term: dict[str, str]) -> tuple[str, str]:
        """(our taxonomy slug, code) of a term, or ("", "") when it is not one of ours.

        The taxonomy is known by its id (uuid5 of our slug), by the `taxonomy` column, or by the
        prefix our export puts on codes.
        """
        prefix, code = split_code(term.get("code", ""))
        taxonomy = (
            OUR_TAXONOMIES.get(term.get("taxonomy_id", ""))
            or OUR_TAXONOMIES.get(term.get("taxonomy", ""))
            or OUR_TAXONOMIES.get(prefix)
        )
        return (taxonomy, code) if taxonomy else ("", "")

    # -- one service ---------------------------------------------------------------------------

    def organization(self, row: dict[str, str]) -> OrganizationRecord:
        corporate_number = next(
            (
                identifier["identifier"]
                for identifier in self.identifiers.get(row["id"], [])
                if identifier.get("identifier_scheme") == "JP-JCN" or identifier.get("identifier_type") == "法人番号"
            ),
            "",
        )
        return OrganizationRecord(
            source_id=row["id"],
            name=row["name"].strip(),
            alternate_name=row.get("alternate_name", "").strip(),
            description=_known(row.get("description", "")),
            email=row.get("email", ""),
            website=row.get("website", ""),
            legal_status=row.get("legal_status", "").strip(),
            corporate_number=corporate_number if re.fullmatch(r"\d{13}", corporate_number) else "",
        )

    def service(self, number: int, row: dict[str, str], organization: OrganizationRecord) -> ServiceRecord:
        service_id = row["id"]
        application_process = row.get("application_process", "").strip()
        reservation_required = None
        if application_process == mapping.RESERVATION_REQUIRED:
            # What the export writes when the only thing known is that a reservation is needed.
            application_process, reservation_required = "", True
        last_verified_by = row.get("assurer_email", "")
        if not last_verified_by:
            last_verified_by = next(
                (
                    m.get("updated_by", "")
                    for m in self.metadata.get(service_id, [])
                    if m.get("last_action_type") == "verify" and m.get("field_name") == "assured_date"
                ),
                "",
            )
        record = ServiceRecord(
            row=number,
            source_id=service_id,
            organization=organization,
            name=row["name"].strip(),
            alternate_name=row.get("alternate_name", "").strip(),
            description=row.get("description", "").strip(),
            url=row.get("url", ""),
            email=row.get("email", ""),
            status=row["status"],
            application_process=application_process,
            interpretation_services=row.get("interpretation_services", "").strip(),
            fees_description=(row.get("fees_description") or row.get("fees") or "").strip(),
            eligibility_description=row.get("eligibility_description", "").strip(),
            minimum_age=self.age(number, row, "minimum_age"),
            maximum_age=self.age(number, row, "maximum_age"),
            reservation_required=reservation_required,
            last_verified_on=datetime.date.fromisoformat(row["assured_date"]) if row.get("assured_date") else None,
            last_verified_by=last_verified_by.strip(),
            languages=self.service_languages(service_id),
        )
        record.locations = [
            location
            for sal in self.sal_by_service.get(service_id, [])
            if (location := self.location(sal["location_id"])) is not None
        ]
        record.channels = self.channels(service_id)
        self.add_schedules(record)
        record.areas = self.service_area_records(service_id)
        self.add_terms(record)
        self.add_costs(record)
        return record

    def age(self, number: int, row: dict[str, str], column: str) -> int | None:
        value = row.get(column, "")
        if not value:
            return None
        age = _number(value)
        if age is None or not age.is_integer() or not 0 <= age <= 130:
            self.result.problems.append(
                Problem(self.file(SERVICES), number, column, f"年齢「{value}」は0から130までの整数で書いてください。")
            )
            self.result.invalid_rows.add((self.file(SERVICES), number))
            return None
        return int(age)

    def service_languages(self, service_id: str) -> list[str]:
        tags: list[str] = []
        for row in self.languages.get(service_id, []):
            code, note = row.get("code", "").strip(), row.get("note", "").strip()
            # The export puts the full BCP 47 tag in the note when it has more than the language.
            tag = note if note.lower().startswith(code.lower() + "-") and " " not in note else code
            if tag and tag not in tags:
                tags.append(tag)
        return tags

    def location(self, location_id: str) -> LocationRecord | None:
        row = self.locations.get(location_id)
        if row is None:
            return None
        addresses = self.addresses.get(location_id, [])
        address = next((a for a in addresses if a.get("address_type") == "physical"), addresses[0] if addresses else {})
        region, city = _known(address.get("state_province", "")), _known(address.get("city", ""))
        street = " ".join(part for part in (_known(address.get("address_1", "")), address.get("address_2", "")) if part)
        postal_code = _known(address.get("postal_code", ""))
        if postal_code:
            try:
                postal_code = clean_postal_code(postal_code)
            except Invalid:
                postal_code = ""  # foreign or malformed: the address text still says where it is
        municipality_code = None
        if self.areas and (region or city):
            try:
                prefecture_code = self.areas.prefecture_code(region) if region else None
            except Invalid:
                prefecture_code = None
            municipality_code = self.areas.split_address(
                f"{city}{street}", prefecture_code=prefecture_code, municipality_code=None
            ).municipality_code
        return LocationRecord(
            source_id=location_id,
            name=row.get("name", "").strip(),
            location_type=row.get("location_type") or "physical",
            postal_code=postal_code,
            region=region,
            city=city,
            address_1=street,
            municipality_code=municipality_code,
            latitude=_number(row.get("latitude", "")),
            longitude=_number(row.get("longitude", "")),
            accessibility="\n".join(
                part
                for a in self.accessibility.get(location_id, [])
                for part in (a.get("description", "").strip(), a.get("details", "").strip())
                if part
            ),
            transportation=row.get("transportation", "").strip(),
        )

    def channels(self, service_id: str) -> list[ChannelRecord]:
        channels: list[ChannelRecord] = []
        for row in self.phones.get(service_id, []):
            label, _sep, description = row.get("description", "").strip().partition("\n")
            if len(label) > LABEL_LENGTH:
                # A sentence, not a label such as 「代表」 or 「FAX」 (the export writes the label first).
                label, description = "", row.get("description", "").strip()
            number = row["number"].strip()
            if row.get("extension"):
                number = f"{number} 内線{row['extension']}"
            kind = Channel.Kind.FAX if row.get("type") == "fax" else Channel.Kind.PHONE
            channels.append(ChannelRecord(kind=kind, value=number, label=label, description=description.strip()))
        for row in self.contacts.get(service_id, []):
            if row.get("email"):
                label = row.get("name") or row.get("department") or row.get("title") or ""
                channels.append(ChannelRecord(kind=Channel.Kind.EMAIL, value=row["email"], label=label.strip()))
        for taxonomy, code, value in self.attributes.get(service_id, []):
            # Phones, faxes and e-mail come with their details from phones.csv and contacts.csv;
            # the channel taxonomy adds the kinds HSDS has no table for (LINE, SNS, visits, …).
            if taxonomy != mapping.CHANNELS or code in (Channel.Kind.PHONE, Channel.Kind.FAX, Channel.Kind.EMAIL):
                continue
            if code not in Channel.Kind.values:
                self.counts["terms_ignored"] += 1
                continue
            if code in (Channel.Kind.VISIT, Channel.Kind.OUTREACH):
                channels.append(ChannelRecord(kind=code, description=value))
            else:
                channels.append(ChannelRecord(kind=code, value=value))
        return channels

    def add_schedules(self, record: ServiceRecord) -> None:
        texts: list[str] = []
        closed: list[str] = []
        for row in self.schedules.get(record.source_id, []):
            schedule = self.schedule(row)
            if schedule is not None:
                record.schedules.append(schedule)
                continue
            text = row.get("description", "").strip()
            if not text and (row.get("opens_at") or row.get("byday") or row.get("freq")):
                # A rule our weekly model cannot hold, with no words of its own: keep it readable.
                text = " ".join(
                    part
                    for part in (
                        row.get("freq", ""),
                        row.get("byday", ""),
                        row.get("bymonthday", ""),
                        row.get("opens_at", ""),
                        row.get("closes_at", ""),
                    )
                    if part
                )
            if row.get("freq") or row.get("byday"):
                self.counts["schedules_as_text"] += 1
            if text:
                texts.append(text)
            if row.get("notes", "").strip():
                closed.append(row["notes"].strip())
        record.hours_text = "\n".join(texts)
        record.closed_days_text = "\n".join(closed)
        if not record.schedules and not record.hours_text:
            self.counts["hours_missing"] += 1
        elif record.schedules:
            record.hours_parsed = True
            self.counts["hours_parsed"] += 1
        elif record.hours_text:
            # HSDS's free-text hours; Japanese ones may be understood by our parser.
            _parsed, schedules = hours_to_schedules(record.hours_text, record.closed_days_text)
            record.schedules = schedules
            record.hours_parsed = bool(schedules)
            self.counts["hours_parsed" if schedules else "hours_unparsed"] += 1

    def schedule(self, row: dict[str, str]) -> ScheduleRecord | None:
        """A weekly schedule (or a monthly one on n-th weekdays, ``2SA``) as ours; None when it needs more."""
        unsupported = [
            column
            for column in ("valid_from", "valid_to", "dtstart", "until", "count", "byweekno", "bymonthday", "byyearday")
            if row.get(column)
        ]
        freq = row.get("freq")
        if (
            freq not in ("WEEKLY", "MONTHLY")
            or not row.get("byday")
            or unsupported
            or row.get("interval", "1") not in ("", "1")
        ):
            return None
        days = [day.strip() for day in row["byday"].split(",")]
        if freq == "MONTHLY":
            # Only what the parser makes: the same weeks on every day listed (``1WE,3WE``, ``2SA``).
            if not all(re.fullmatch(r"[1-5](MO|TU|WE|TH|FR|SA|SU)", day) for day in days):
                return None
            opening = opening_from_byday(",".join(days), datetime.time(0), datetime.time(0))
            byday = opening_byday(opening)
            if set(byday.split(",")) != set(days):
                return None
        elif any(day not in DAYS for day in days):
            return None
        else:
            byday = ",".join(day for day in DAYS if day in days)
        lines = row.get("description", "").strip().split("\n")
        flags = {name: False for name in SCHEDULE_FLAGS.values()}
        closed_dates = ""
        if lines and lines[-1] and all(_is_flag_wording(part) for part in lines[-1].split("、")):
            # The export's own wording for our flags (hsds.py): read back into the flags.
            for part in lines.pop().split("、"):
                if dates := mapping.CLOSED_DATES_WORDING.fullmatch(part):
                    closed_dates = format_closed_dates(
                        sorted((int(m), int(d)) for m, d in re.findall(r"(\d+)月(\d+)日", dates.group(1)))
                    )
                else:
                    flags[SCHEDULE_FLAGS[part]] = True
        offset = _number(row.get("timezone", ""))
        timezone = int(offset) if offset is not None else None
        opens_at = self.local_time(row.get("opens_at", ""), timezone)
        closes_at = self.local_time(row.get("closes_at", ""), timezone)
        if flags["open_24h"]:
            opens_at = closes_at = None
        return ScheduleRecord(
            byday=byday,
            opens_at=opens_at,
            closes_at=closes_at,
            description="\n".join(lines).strip(),
            closed_dates=closed_dates,
            **flags,
        )

    @staticmethod
    def local_time(value: str, timezone: int | None) -> datetime.time | None:
        """A time in Japan from one with an offset, or in the schedule's timezone, or as written."""
        parsed = parse_time(value, strict=False) if value else None
        if parsed is None:
            return None
        time, offset = parsed
        offset = offset if offset is not None else timezone
        if offset is None or offset == JST:
            return time
        hour = (time.hour + JST - offset) % 24
        return time.replace(hour=hour)

    def service_area_records(self, service_id: str) -> list[AreaRecord]:
        areas: list[AreaRecord] = []
        for row in self.service_areas.get(service_id, []):
            name, description = row.get("name", "").strip(), row.get("description", "").strip()
            area = self.area(name, description)
            if area is None:
                self.counts["areas_unresolved"] += 1
                self.unresolved_areas.append(name)
                continue
            areas.append(area)
        return areas

    def area(self, name: str, description: str) -> AreaRecord | None:
        if name in ("全国", "日本", "Japan"):
            return AreaRecord(kind=ServiceArea.Kind.NATIONWIDE, description=description)
        if not self.areas or not name:
            return None
        if name in self.areas.prefecture_by_name and name in self.areas.prefectures.values():
            return AreaRecord(
                kind=ServiceArea.Kind.PREFECTURE,
                prefecture_code=self.areas.prefecture_by_name[name],
                description=description,
            )
        code = self.areas.municipality_by_name(name)
        if code is None:
            return None
        return AreaRecord(kind=ServiceArea.Kind.MUNICIPALITY, municipality_code=code, description=description)

    def add_terms(self, record: ServiceRecord) -> None:
        lists = {NEEDS: record.needs, TARGETS: record.targets, ATTRIBUTES: record.attributes}
        for taxonomy, code, _value in self.attributes.get(record.source_id, []):
            if taxonomy not in lists or code in lists[taxonomy]:
                continue
            if code not in KNOWN_CODES[taxonomy]:
                # A code from another version of our vocabularies: left out rather than refused.
                self.counts["terms_unknown"] += 1
                self.note(
                    "attribute",
                    None,
                    "taxonomy_term_id",
                    f"分類「{taxonomy}」のコード「{code}」はないため読み込みませんでした。",
                )
                continue
            lists[taxonomy].append(code)

    def add_costs(self, record: ServiceRecord) -> None:
        options = self.cost_options.get(record.source_id, [])
        if any(_number(row.get("amount", "")) == 0 for row in options):
            if "free" not in record.attributes:
                record.attributes.append("free")
        elif options and not record.fees_description:
            record.fees_description = "\n".join(
                " ".join(
                    part
                    for part in (
                        row.get("option", ""),
                        row.get("amount", ""),
                        row.get("currency", ""),
                        row.get("amount_description", ""),
                    )
                    if part
                )
                for row in options
            )
