"""The one writer every format shares: upsert parsed records in one transaction, all or nothing.

Rows are matched by (platform, data set, source id) and compared field by field; only rows that
differ are written, so re-importing the same file writes nothing and `modified_at` keeps its value.
Child rows (channels, schedules, areas, service–location links) have ids derived from their
service and position, so a changed channel is an update, not a delete and an insert. New rows go in
through `bulk.insert_rows` (bulk_create was too slow for the national data), changed ones through
bulk_update; both skip django-simple-history's signals, so their history rows are written in bulk
here, with a change reason naming the import. Bulk writes also skip the signals that refresh the
API cache and the search index: `after_import` does both once the transaction commits.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields
from decimal import Decimal
from functools import cache
from typing import Any

from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone

from tsunagari.directory.models import (
    ATTRIBUTES,
    NEEDS,
    TARGETS,
    Channel,
    CrisisLine,
    ImportRun,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceProgram,
    SourceDataset,
    SupportProgram,
    TaxonomyTerm,
    stable_id,
)
from tsunagari.directory.taxonomy import ensure_taxonomies, term_ids
from tsunagari.tenancy.models import Municipality, Platform, Prefecture
from tsunagari.tenancy.scoping import scopes_disabled

from .bulk import insert_history, insert_rows
from .records import (
    CrisisLineRecord,
    LocationRecord,
    OrganizationRecord,
    ParseResult,
    Problem,
    ProgramLinkRecord,
    ProgramRecord,
    ServiceRecord,
    SourceInfo,
)

__all__ = ["KINDS", "ImportOutcome", "KindCounts", "will_write", "write_records"]

logger = logging.getLogger(__name__)

# What the summary calls each kind of row, in the order it prints them.
KINDS = {
    "organizations": "団体",
    "services": "窓口・サービス",
    "locations": "場所",
    "service_at_locations": "窓口と場所の結びつき",
    "channels": "連絡手段",
    "schedules": "受付時間",
    "service_areas": "対象地域",
    "terms": "分類（困りごと・対象・特徴）",
    "crisis_lines": "緊急・24時間の相談先",
    "programs": "制度",
    "program_links": "窓口が扱う制度",
}
BATCH = 500
CHANNEL_KINDS = frozenset(Channel.Kind.values)
STATUSES = frozenset(Service.Status.values)
PUBLICATIONS = frozenset(Service.Publication.values)
AREA_KINDS = frozenset(ServiceArea.Kind.values)
# Japanese names of the columns whose length is checked (the models' verbose names are English).
FIELD_LABELS = {
    "name": "名前",
    "alternate_name": "別の名前",
    "email": "メールアドレス",
    "website": "ウェブサイト",
    "url": "URL",
    "legal_status": "法人格",
    "corporate_number": "法人番号",
    "last_verified_by": "確認者",
    "postal_code": "郵便番号",
    "region": "都道府県",
    "city": "市区町村",
    "address_1": "住所",
    "value": "電話番号・アドレス・リンク",
    "label": "表示名",
    "number": "番号",
    "phone_href": "電話リンク",
    "chat_url": "チャット・SNSのURL",
    "publisher": "運営者",
    "cost": "料金",
    "availability": "受付時間",
    "source_title": "出典のページ名",
    "source_publisher": "出典の発行者",
    "source_url": "出典のURL",
    "local_name": "地域での呼び名",
}
MAX_STORED_PROBLEMS = 1000


@dataclass
class KindCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted


@dataclass
class ImportOutcome:
    """What an import did, for the command's summary, the ImportRun row and the tests."""

    ok: bool
    source: str
    format: str = ""
    path: str = ""
    platform_slug: str = ""
    platform_name: str = ""
    counts: dict[str, KindCounts] = field(default_factory=lambda: {kind: KindCounts() for kind in KINDS})
    parse_counts: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)  # imported anyway, worth a look
    skipped_rows: list[tuple[str, int]] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    run_id: int | None = None
    dry_run: bool = False
    changed_service_ids: set[uuid.UUID] = field(default_factory=set)

    @property
    def changed(self) -> bool:
        return any(counts.changed for counts in self.counts.values())


def will_write(result: ParseResult, *, skip_invalid: bool) -> bool:
    """Whether `write_records` would write anything given the problems the parser found.

    A problem with no row (a missing column, an unreadable file) stops everything; row problems
    stop everything unless the person asked to skip invalid rows.
    """
    if any(problem.row is None for problem in result.problems):
        return False
    return skip_invalid or not result.problems


def write_records(
    result: ParseResult,
    platform: Platform,
    *,
    skip_invalid: bool,
    actor: str,
    fmt: str = "",
    path: str = "",
    withdraw_missing: bool = False,
    dry_run: bool = False,
) -> ImportOutcome:
    """Upsert everything in `result` into `platform`, or nothing when there are problems.

    With `skip_invalid`, rows with problems are left out and listed instead. With
    `withdraw_missing` (for data sets published whole, like くらし支援ナビ), services of the same
    data set that are no longer in the file are marked defunct rather than deleted, so that
    referrals and history that point at them stay intact. `dry_run` checks and counts, then rolls
    everything back.
    """
    started = timezone.now()
    outcome = ImportOutcome(
        ok=False,
        source=result.source.slug,
        format=fmt,
        path=path,
        platform_slug=platform.slug,
        platform_name=platform.name,
        parse_counts=dict(result.counts),
        notes=list(getattr(result, "notes", [])),
        dry_run=dry_run,
    )
    with scopes_disabled(), transaction.atomic():
        checker = _Checker(result)
        problems = [*result.problems, *checker.check()]
        invalid = set(result.invalid_rows) | checker.invalid_rows
        outcome.problems = problems
        if not will_write(ParseResult(source=result.source, problems=problems), skip_invalid=skip_invalid):
            if not dry_run:
                outcome.run_id = _record_run(outcome, platform, actor, started)
            return outcome
        outcome.skipped_rows = sorted(invalid)
        services = [s for s in result.services if (checker.file_of(s), s.row) not in invalid]
        crisis_lines = [c for c in result.crisis_lines if c.source_id not in checker.invalid_crisis_lines]
        programs = [p for p in result.programs if (result.programs_file, p.row) not in invalid]
        links = [link for link in result.program_links if (link.file, link.row) not in invalid]
        writer = _Writer(platform, result.source, outcome, reason=_reason(result.source, actor))
        skipped_any = bool(invalid or checker.invalid_crisis_lines)
        try:
            # A savepoint: when the database refuses a row the checks let through, every row
            # already written goes too, and the failure is still recorded below.
            with transaction.atomic():
                writer.write(
                    services,
                    crisis_lines,
                    programs,
                    links,
                    withdraw_missing=withdraw_missing and not skipped_any,
                    # Crisis lines are withdrawn only when the parser read a file of them.
                    withdraw_lines=withdraw_missing
                    and not skipped_any
                    and bool(getattr(result, "crisis_lines_file", "")),
                    # Programmes likewise only when the parser read a file of them.
                    withdraw_programs=withdraw_missing and not skipped_any and bool(result.programs_file),
                )
        # The bulk COPY on PostgreSQL raises the driver's own errors, which Django does not wrap.
        except (DatabaseError, connection.Database.Error) as exc:  # type: ignore[attr-defined]
            logger.exception("Import refused by the database")
            # Nothing was written: counts of rows that were rolled back would mislead.
            outcome.counts = {kind: KindCounts() for kind in KINDS}
            outcome.changed_service_ids = set()
            outcome.problems = [
                *problems,
                Problem(
                    path or result.source.name,
                    None,
                    None,
                    f"データベースが書き込みを受け付けなかったため、何も取り込みませんでした（{type(exc).__name__}: "
                    f"{str(exc)[:200]}）。ファイルの値を確かめて、もう一度実行してください。",
                ),
            ]
            if not dry_run:
                outcome.run_id = _record_run(outcome, platform, actor, started)
            return outcome
        if withdraw_missing and skipped_any:
            outcome.messages.append("スキップした行があるため、ファイルにない窓口の廃止扱いは行いませんでした。")
        outcome.ok = True
        if dry_run:
            transaction.set_rollback(True)
        else:
            outcome.run_id = _record_run(outcome, platform, actor, started)
            if outcome.changed:
                changed = sorted(outcome.changed_service_ids)
                transaction.on_commit(lambda: after_import(changed))
    return outcome


def after_import(service_ids: Sequence[uuid.UUID]) -> None:
    """Once the import is committed: invalidate cached API pages and tell the apps that keep
    derived data (the search index listens to `services_imported`).

    Bulk writes send no model signals, so the caches and the index would not otherwise notice.
    """
    from tsunagari.directory.signals import bump_directory_version, services_imported

    bump_directory_version()
    if service_ids:
        services_imported.send(sender=after_import, service_ids=list(service_ids))


def _reason(source: SourceInfo, actor: str) -> str:
    reason = f"取り込み: {source.name}"
    if actor:
        reason += f"（{actor}）"
    return reason[:100]  # simple-history's change reason column holds 100 characters


def _record_run(outcome: ImportOutcome, platform: Platform, actor: str, started: datetime.datetime) -> int:
    problems = [{**asdict(p), "level": "error"} for p in outcome.problems[:MAX_STORED_PROBLEMS]] + [
        {**asdict(p), "level": "warning"} for p in outcome.notes[:MAX_STORED_PROBLEMS]
    ]
    counts: dict[str, Any] = {kind: asdict(c) for kind, c in outcome.counts.items()}
    counts["rows"] = outcome.parse_counts
    counts["source"] = outcome.source
    counts["skipped_rows"] = len(outcome.skipped_rows)
    counts["problems"] = len(outcome.problems)
    counts["notes"] = len(outcome.notes)
    run = ImportRun.objects.create(
        platform=platform,
        path=outcome.path[:500],
        format=outcome.format[:20],
        actor=actor[:200],
        ok=outcome.ok,
        counts=counts,
        problems=problems,
        finished_at=timezone.now(),
    )
    ImportRun.objects.filter(pk=run.pk).update(started_at=started)  # auto_now_add set it to the end
    return run.pk


# --------------------------------------------------------------------------
# Checks every format needs before writing (codes exist, values fit their columns)
# --------------------------------------------------------------------------


class _Checker:
    """Finds what the database would refuse or silently mangle, as Problems on the record's row."""

    def __init__(self, result: ParseResult) -> None:
        self.result = result
        self.problems: list[Problem] = []
        self.invalid_rows: set[tuple[str, int]] = set()
        self.invalid_crisis_lines: set[str] = set()
        self.default_file = getattr(result, "services_file", "") or result.source.name
        self.crisis_file = getattr(result, "crisis_lines_file", "") or result.source.name

    def file_of(self, record: ServiceRecord) -> str:
        return getattr(record, "file", "") or self.default_file

    def check(self) -> list[Problem]:
        municipalities = set(Municipality.objects.values_list("code", flat=True))
        prefectures = set(Prefecture.objects.values_list("code", flat=True))
        codes = {NEEDS: set(term_ids(NEEDS)), TARGETS: set(term_ids(TARGETS)), ATTRIBUTES: set(term_ids(ATTRIBUTES))}
        seen: dict[str, int] = {}
        for record in self.result.services:
            where = (self.file_of(record), record.row)
            add = self._adder(*where)
            if not record.source_id:
                add("ID", "IDがありません。")
            elif record.source_id in seen:
                add(
                    "ID",
                    f"ID「{record.source_id}」が{seen[record.source_id]}行目と重複しています。IDは行ごとに変えてください。",
                )
            else:
                seen[record.source_id] = record.row
            if not record.name.strip():
                add("名前", "窓口・サービスの名前がありません。")
            if not record.organization.name.strip():
                add("団体名", "団体名がありません。")
            self._lengths(add, Service, record)
            self._lengths(add, Organization, record.organization, prefix="団体の")
            for location in record.locations:
                self._lengths(add, Location, location, prefix="場所の")
                if location.municipality_code and location.municipality_code not in municipalities:
                    add("市区町村コード", f"市区町村コード「{location.municipality_code}」の市区町村が見つかりません。")
            if record.organization.municipality_code and record.organization.municipality_code not in municipalities:
                add(
                    "市区町村コード",
                    f"市区町村コード「{record.organization.municipality_code}」の市区町村が見つかりません。",
                )
            for channel in record.channels:
                if channel.kind not in CHANNEL_KINDS:
                    add("連絡手段", f"連絡手段の種類「{channel.kind}」は使えません。")
                self._lengths(add, Channel, channel, prefix="連絡先の")
            for area in record.areas:
                self._area(add, area.kind, area.municipality_code, area.prefecture_code, municipalities, prefectures)
            for taxonomy, wanted, label in (
                (NEEDS, record.needs, "困りごと"),
                (TARGETS, record.targets, "対象"),
                (ATTRIBUTES, record.attributes, "特徴"),
            ):
                for code in wanted:
                    if code not in codes[taxonomy]:
                        add(label, f"{label}のコード「{code}」はありません。")
            if record.status not in STATUSES:
                add("状態", f"状態「{record.status}」は使えません。")
            if record.publication not in PUBLICATIONS:
                add("状態", f"公開の状態「{record.publication}」は使えません。")
            for value, label in ((record.minimum_age, "年齢下限"), (record.maximum_age, "年齢上限")):
                if value is not None and not 0 <= value <= 130:
                    add(label, f"{label}は0から130までの数字で書いてください。")
            if (
                record.minimum_age is not None
                and record.maximum_age is not None
                and record.minimum_age > record.maximum_age
            ):
                add("年齢上限", "年齢上限が年齢下限より小さくなっています。")
        for program in self.result.programs:
            add = self._adder(self.result.programs_file or self.default_file, program.row)
            self._lengths(add, SupportProgram, program)
            if program.organization is not None:
                self._lengths(add, Organization, program.organization, prefix="発行者の")
        for link in self.result.program_links:
            self._lengths(self._adder(link.file, link.row), ServiceProgram, link)
        seen_lines: set[str] = set()
        for line in self.result.crisis_lines:
            messages = []
            if not line.source_id or line.source_id in seen_lines:
                messages.append(f"緊急連絡先のID「{line.source_id}」がないか重複しています。")
            if not line.label.strip():
                messages.append("緊急連絡先の名前がありません。")
            for name, (limit, verbose) in _max_lengths(CrisisLine).items():
                value = getattr(line, name, None)
                if isinstance(value, str) and len(value) > limit:
                    messages.append(f"緊急連絡先「{line.label}」の{verbose}が長すぎます（{limit}文字まで）。")
            seen_lines.add(line.source_id)
            for message in messages:
                self.problems.append(Problem(self.crisis_file, line.position + 1, line.source_id, message))
                self.invalid_crisis_lines.add(line.source_id)
        return self.problems

    def _adder(self, file: str, row: int) -> Callable[[str, str], None]:
        def add(column: str, message: str) -> None:
            self.problems.append(Problem(file, row, column, message))
            self.invalid_rows.add((file, row))

        return add

    @staticmethod
    def _lengths(add: Callable[[str, str], None], model: type[models.Model], record: Any, *, prefix: str = "") -> None:
        for name, (limit, verbose) in _max_lengths(model).items():
            value = getattr(record, name, None)
            if isinstance(value, str) and len(value) > limit:
                add(verbose, f"{prefix}{verbose}が長すぎます（{limit}文字まで、今は{len(value)}文字）。")

    @staticmethod
    def _area(
        add: Callable[[str, str], None],
        kind: str,
        municipality: str | None,
        prefecture: str | None,
        municipalities: set[str],
        prefectures: set[str],
    ) -> None:
        if kind == ServiceArea.Kind.MUNICIPALITY and municipality not in municipalities:
            add("対象地域", f"対象地域の市区町村コード「{municipality}」の市区町村が見つかりません。")
        elif kind == ServiceArea.Kind.PREFECTURE and prefecture not in prefectures:
            add("対象地域", f"対象地域の都道府県コード「{prefecture}」が見つかりません。")
        elif kind not in AREA_KINDS:
            add("対象地域", f"対象地域の種類「{kind}」は使えません。")


@cache
def _max_lengths(model: type[models.Model]) -> dict[str, tuple[int, str]]:
    """Free-text columns, their limits and names (PostgreSQL refuses longer values, SQLite keeps them)."""
    return {
        f.name: (f.max_length, FIELD_LABELS.get(f.name, str(f.verbose_name)))
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField) and f.max_length and not f.choices and f.name != "source_id"
    }


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def _norm(value: Any) -> Any:
    """Values as the database gives them back, so that comparing desired and stored is exact."""
    if isinstance(value, float):
        return Decimal(str(value)).quantize(Decimal("0.000001"))
    return value


def _merge(records: Iterable[Any]) -> dict[str, Any]:
    """Records that share a source id (many services of one organisation) made one: the first
    record wins, later ones only fill what it left blank."""
    merged: dict[str, Any] = {}
    for record in records:
        first = merged.get(record.source_id)
        if first is None:
            merged[record.source_id] = record
            continue
        for f in fields(record):
            if getattr(first, f.name) in ("", None) and getattr(record, f.name) not in ("", None):
                setattr(first, f.name, getattr(record, f.name))
    return merged


class _Writer:
    def __init__(self, platform: Platform, source: SourceInfo, outcome: ImportOutcome, *, reason: str) -> None:
        self.platform = platform
        self.source = source
        self.slug = source.slug
        self.outcome = outcome
        self.counts = outcome.counts
        self.reason = reason
        self.now = timezone.now()
        self._changed: dict[str, set[uuid.UUID]] = {}
        # The national open data has the same ids in every installation; a platform's own import
        # of the same file must not collide with it (or with another platform's), so its ids
        # also name the platform.
        self.namespace: tuple[str, ...] = () if platform.is_national else ("platform", platform.slug)

    def write(
        self,
        services: list[ServiceRecord],
        crisis_lines: list[CrisisLineRecord],
        programs: list[ProgramRecord],
        links: list[ProgramLinkRecord],
        *,
        withdraw_missing: bool,
        withdraw_lines: bool,
        withdraw_programs: bool = False,
    ) -> None:
        self._dataset()
        self._ensure_terms()
        organizations = _merge(
            [*(s.organization for s in services), *(p.organization for p in programs if p.organization is not None)]
        )
        org_ids = self._upsert(
            Organization, "organizations", {sid: self._organization_values(o) for sid, o in organizations.items()}
        )
        location_org: dict[str, str] = {}
        location_records: list[LocationRecord] = []
        for service in services:
            for location in service.locations:
                location_org.setdefault(location.source_id, service.organization.source_id)
                location_records.append(location)
        locations = _merge(location_records)
        location_values = {
            sid: self._location_values(loc, org_ids[location_org[sid]]) for sid, loc in locations.items()
        }
        self._keep_positions(location_values)
        location_ids = self._upsert(Location, "locations", location_values)
        service_ids = self._upsert(
            Service,
            "services",
            {s.source_id: self._service_values(s, org_ids[s.organization.source_id]) for s in services},
            withdraw_missing=withdraw_missing,
        )
        by_service = {service_ids[s.source_id]: s for s in services}
        self._children(
            ServiceAtLocation,
            "service_at_locations",
            by_service,
            lambda s: [
                (("service_at_location", s.source_id, loc.source_id), {"location_id": location_ids[loc.source_id]})
                for loc in _unique_locations(s.locations)
            ],
        )
        self._children(
            Channel,
            "channels",
            by_service,
            lambda s: [
                (
                    ("channel", s.source_id, str(i)),
                    {"kind": c.kind, "value": c.value, "label": c.label, "description": c.description, "position": i},
                )
                for i, c in enumerate(s.channels)
            ],
        )
        self._children(
            Schedule,
            "schedules",
            by_service,
            lambda s: [
                (
                    ("schedule", s.source_id, str(i)),
                    {
                        "byday": h.byday,
                        "opens_at": h.opens_at,
                        "closes_at": h.closes_at,
                        "open_24h": h.open_24h,
                        "closed_on_holidays": h.closed_on_holidays,
                        "closed_year_end": h.closed_year_end,
                        "closed_dates": h.closed_dates,
                        "closed_unlisted_days": h.closed_unlisted_days,
                        "description": h.description,
                    },
                )
                for i, h in enumerate(s.schedules)
            ],
        )
        self._children(
            ServiceArea,
            "service_areas",
            by_service,
            lambda s: [
                (
                    ("service_area", s.source_id, str(i)),
                    {
                        "kind": a.kind,
                        "municipality_id": a.municipality_code if a.kind == ServiceArea.Kind.MUNICIPALITY else None,
                        "prefecture_id": a.prefecture_code if a.kind == ServiceArea.Kind.PREFECTURE else None,
                        "description": a.description,
                    },
                )
                for i, a in enumerate(s.areas)
            ],
        )
        self._terms(by_service)
        self._changed_parents()
        self._crisis_lines(crisis_lines, withdraw_missing=withdraw_lines)
        self._programs(programs, links, org_ids, service_ids, withdraw_missing=withdraw_programs)

    def _programs(
        self,
        programs: list[ProgramRecord],
        links: list[ProgramLinkRecord],
        org_ids: dict[str, uuid.UUID],
        service_ids: dict[str, uuid.UUID],
        *,
        withdraw_missing: bool,
    ) -> None:
        """Programmes by source id (withdrawn ones marked defunct), and exactly the links the files give."""
        if not programs and not withdraw_missing:
            return
        program_ids = self._upsert(
            SupportProgram,
            "programs",
            {p.source_id: self._program_values(p, org_ids) for p in programs},
            withdraw_missing=withdraw_missing,
        )
        desired: dict[str, dict[str, Any]] = {}
        pairs: dict[tuple[uuid.UUID, uuid.UUID], str] = {}
        # Links named by the municipality's list first: they win when both files name the same pair.
        for link in sorted(links, key=lambda link: not link.is_local_link):
            program, service = program_ids.get(link.program_source_id), service_ids.get(link.service_source_id)
            if program is None or service is None or (program, service) in pairs:
                continue  # a row left out (--skip-invalid), or the same pair again
            pairs[(program, service)] = link.source_id
            desired[link.source_id] = {
                "program_id": program,
                "service_id": service,
                "local_name": link.local_name,
                "local_description": link.local_description,
                "source_title": link.source_title,
                "source_url": link.source_url,
                "last_verified_on": link.last_verified_on,
                "is_local_link": link.is_local_link,
            }
        gone = [
            row
            for row in _rows(ServiceProgram, platform=self.platform, dataset_id=self.slug)
            if row["source_id"] not in desired
        ]
        # Deletes first: a new link may take the (programme, service) pair a stale one holds.
        self._delete(ServiceProgram, gone)
        self.counts["program_links"].deleted += len(gone)
        link_ids = self._upsert(ServiceProgram, "program_links", desired)
        # The windows whose programmes changed get a new search document (programme names are searched).
        changed_links, changed_programs = self._changed["program_links"], self._changed["programs"]
        self.outcome.changed_service_ids.update(row["service_id"] for row in gone)
        self.outcome.changed_service_ids.update(
            values["service_id"]
            for sid, values in desired.items()
            if link_ids[sid] in changed_links or values["program_id"] in changed_programs
        )

    def _program_values(self, p: ProgramRecord, org_ids: dict[str, uuid.UUID]) -> dict[str, Any]:
        return {
            "organization_id": org_ids[p.organization.source_id] if p.organization is not None else None,
            "municipality_id": p.municipality_code,
            "scope": p.scope,
            "name": p.name,
            "alternate_name": p.alternate_name,
            "description": p.description,
            "target_people": p.target_people,
            "need": p.need,
            "support_type": p.support_type,
            "repayment_required": p.repayment_required,
            "amount_description": p.amount_description,
            "application_deadline": p.application_deadline,
            "required_documents": p.required_documents,
            "documents_optional_note": p.documents_optional_note,
            "application_process": p.application_process,
            "status": p.status,
            "publication": p.publication,
            "needs_review": p.needs_review,
            "source_title": p.source_title,
            "source_publisher": p.source_publisher,
            "source_url": p.source_url,
            "last_verified_on": p.last_verified_on,
        }

    # -- the data set and the vocabularies ---------------------------------

    def _dataset(self) -> None:
        values = {
            "name": self.source.name,
            "publisher": self.source.publisher,
            "url": self.source.url,
            "licence": self.source.licence,
            "licence_url": self.source.licence_url,
            "attribution": self.source.attribution,
            "data_changed_note": self.source.data_changed_note,
        }
        dataset = SourceDataset.objects.filter(slug=self.slug).first()
        if dataset is None:
            SourceDataset.objects.create(slug=self.slug, **values)
        elif any(getattr(dataset, k) != v for k, v in values.items()):
            SourceDataset.objects.filter(slug=self.slug).update(**values)

    @staticmethod
    def _ensure_terms() -> None:
        # The terms are created by every `migrate`; a database that skipped it would fail on the
        # foreign keys, so create them here when missing.
        wanted: list[Any] = [pk for taxonomy in (NEEDS, TARGETS, ATTRIBUTES) for pk in term_ids(taxonomy).values()]
        if TaxonomyTerm.objects.filter(pk__in=wanted).count() < len(wanted):
            ensure_taxonomies()

    # -- rows matched by source id ------------------------------------------

    def _organization_values(self, o: OrganizationRecord) -> dict[str, Any]:
        return {
            "name": o.name,
            "alternate_name": o.alternate_name,
            "description": o.description,
            "email": o.email,
            "website": o.website,
            "legal_status": o.legal_status,
            "corporate_number": o.corporate_number,
            "municipality_id": o.municipality_code or None,
        }

    def _location_values(self, loc: LocationRecord, organization_id: uuid.UUID) -> dict[str, Any]:
        return {
            "organization_id": organization_id,
            "location_type": loc.location_type,
            "name": loc.name,
            "postal_code": loc.postal_code,
            "region": loc.region,
            "city": loc.city,
            "address_1": loc.address_1,
            "municipality_id": loc.municipality_code or None,
            "latitude": _norm(loc.latitude),
            "longitude": _norm(loc.longitude),
            # The source's own coordinates are exact; without any, `_keep_positions` decides.
            "precision": Location.Precision.EXACT if loc.latitude is not None else Location.Precision.NONE,
            "place_label": "",
            "accessibility": loc.accessibility,
            "transportation": loc.transportation,
        }

    def _keep_positions(self, desired: dict[str, dict[str, Any]]) -> None:
        """Leave stored positions alone where the source has nothing better to say (issue 9 item 12).

        A position a person saved (a member's pin in the workspace, a coordinator's in the admin:
        a history row with a user and these very coordinates) is never overwritten by a file. A
        record without coordinates keeps the point `place-locations` gave its address (town or
        municipality); only a position the source itself gave earlier (exact, saved by no person)
        goes when the source drops it, so that `place-locations` places the address again.
        """
        stored = {
            row["source_id"]: row
            for row in Location._default_manager.filter(
                platform=self.platform, dataset_id=self.slug, latitude__isnull=False
            ).values("id", "source_id", "latitude", "longitude", "precision")
        }
        exact = {row["id"]: row for row in stored.values() if row["precision"] == Location.Precision.EXACT}
        by_person: set[uuid.UUID] = set()
        ids = list(exact)
        for start in range(0, len(ids), BATCH):
            for pk, latitude, longitude in Location.history.filter(
                id__in=ids[start : start + BATCH], history_user__isnull=False
            ).values_list("id", "latitude", "longitude"):
                if (exact[pk]["latitude"], exact[pk]["longitude"]) == (latitude, longitude):
                    by_person.add(pk)
        position = ("latitude", "longitude", "precision", "place_label")
        for source_id, values in desired.items():
            row = stored.get(source_id)
            if row is None:
                continue
            if row["id"] in by_person or (values["latitude"] is None and row["precision"] != Location.Precision.EXACT):
                for name in position:
                    del values[name]

    def _service_values(self, s: ServiceRecord, organization_id: uuid.UUID) -> dict[str, Any]:
        return {
            "organization_id": organization_id,
            "name": s.name,
            "alternate_name": s.alternate_name,
            "description": s.description,
            "url": s.url,
            "email": s.email,
            "status": s.status,
            "publication": s.publication,
            "needs_review": s.needs_review,
            "application_process": s.application_process,
            "interpretation_services": s.interpretation_services,
            "fees_description": s.fees_description,
            "eligibility_description": s.eligibility_description,
            "minimum_age": s.minimum_age,
            "maximum_age": s.maximum_age,
            "languages": list(s.languages),
            "reservation_required": s.reservation_required,
            "hours_text": s.hours_text,
            "closed_days_text": s.closed_days_text,
            "hours_parsed": s.hours_parsed,
            "last_verified_on": s.last_verified_on,
            "last_verified_by": s.last_verified_by,
        }

    def _upsert(
        self,
        model: type[models.Model],
        kind: str,
        desired: dict[str, dict[str, Any]],
        *,
        withdraw_missing: bool = False,
    ) -> dict[str, uuid.UUID]:
        """Create, update or leave alone each row by source id; returns source id → pk."""
        existing = {row["source_id"]: row for row in _rows(model, platform=self.platform, dataset_id=self.slug)}
        counts = self.counts[kind]
        to_create: list[Any] = []
        to_update: list[Any] = []
        changed_fields: set[str] = set()
        ids: dict[str, uuid.UUID] = {}
        model_name = model._meta.model_name or kind
        for source_id, values in desired.items():
            obj = existing.get(source_id)
            if obj is None:
                pk = stable_id(self.slug, model_name, source_id, *self.namespace)
                to_create.append(
                    {
                        "id": pk,
                        "platform_id": self.platform.pk,
                        "dataset_id": self.slug,
                        "source_id": source_id,
                        **values,
                    }
                )
                ids[source_id] = pk
                continue
            if self._differs(obj, values, changed_fields):
                to_update.append(obj)
            else:
                counts.unchanged += 1
            ids[source_id] = obj["id"]
        withdrawn = []
        if withdraw_missing:
            # Still pointed at by referrals and history, so marked defunct rather than deleted.
            for source_id, obj in existing.items():
                if source_id not in desired and obj["status"] != Service.Status.DEFUNCT:
                    obj["status"] = Service.Status.DEFUNCT
                    withdrawn.append(obj)
            if withdrawn:
                changed_fields.add("status")
        self._create(model, to_create)
        self._update(model, [*to_update, *withdrawn], changed_fields)
        counts.created += len(to_create)
        counts.updated += len(to_update)
        counts.deleted += len(withdrawn)
        self._changed[kind] = {row["id"] for row in [*to_create, *to_update, *withdrawn]}
        if model is Service:
            self.outcome.changed_service_ids.update(self._changed[kind])
        return ids

    @staticmethod
    def _differs(row: dict[str, Any], values: dict[str, Any], changed_fields: set[str]) -> bool:
        """Put the values that differ into the stored `row`; True when there was any."""
        differing = [name for name, value in values.items() if row[name] != value]
        for name in differing:
            row[name] = values[name]
        changed_fields.update(differing)
        return bool(differing)

    def _changed_parents(self) -> None:
        """Services whose organisation or location changed need a new search document too."""
        changed_orgs = list(self._changed.get("organizations", ()))
        changed_locations = list(self._changed.get("locations", ()))
        for start in range(0, len(changed_orgs), BATCH):
            self.outcome.changed_service_ids.update(
                Service._default_manager.filter(organization_id__in=changed_orgs[start : start + BATCH]).values_list(
                    "pk", flat=True
                )
            )
        for start in range(0, len(changed_locations), BATCH):
            self.outcome.changed_service_ids.update(
                ServiceAtLocation._default_manager.filter(
                    location_id__in=changed_locations[start : start + BATCH]
                ).values_list("service_id", flat=True)
            )

    # -- child rows ---------------------------------------------------------

    def _children(
        self,
        model: type[models.Model],
        kind: str,
        services: dict[uuid.UUID, ServiceRecord],
        rows_of: Callable[[ServiceRecord], list[tuple[tuple[str, ...], dict[str, Any]]]],
    ) -> None:
        """Make a service's child rows exactly those of its record, touching only what differs."""
        existing = {
            row["id"]: row for row in _rows(model, service__platform=self.platform, service__dataset_id=self.slug)
        }
        counts = self.counts[kind]
        to_create: list[Any] = []
        to_update: list[Any] = []
        changed_fields: set[str] = set()
        wanted: set[uuid.UUID] = set()
        for service_pk, record in services.items():
            for id_parts, values in rows_of(record):
                pk = stable_id(self.slug, *id_parts, *self.namespace)
                wanted.add(pk)
                values = {"service_id": service_pk, **values}
                obj = existing.get(pk)
                if obj is None:
                    to_create.append({"id": pk, "platform_id": self.platform.pk, **values})
                elif self._differs(obj, values, changed_fields):
                    to_update.append(obj)
                else:
                    counts.unchanged += 1
        stale = [row for pk, row in existing.items() if pk not in wanted and row["service_id"] in services]
        # Deletes first: a new link may take the (service, location) pair a stale one holds.
        self._delete(model, stale)
        self._create(model, to_create)
        self._update(model, to_update, changed_fields)
        counts.created += len(to_create)
        counts.updated += len(to_update)
        counts.deleted += len(stale)
        self.outcome.changed_service_ids.update(row["service_id"] for row in [*stale, *to_create, *to_update])

    def _terms(self, services: dict[uuid.UUID, ServiceRecord]) -> None:
        """Service–term links: the needs, target groups and attributes of each record."""
        through = Service.terms.through
        ids = {taxonomy: term_ids(taxonomy) for taxonomy in (NEEDS, TARGETS, ATTRIBUTES)}
        existing: dict[uuid.UUID, set[Any]] = {}
        for service_id, term_id in through._default_manager.filter(
            service__platform=self.platform, service__dataset_id=self.slug
        ).values_list("service_id", "taxonomyterm_id"):
            existing.setdefault(service_id, set()).add(term_id)
        counts = self.counts["terms"]
        to_add: list[Any] = []
        to_remove: list[tuple[uuid.UUID, set[Any]]] = []
        for service_pk, record in services.items():
            wanted = {
                ids[taxonomy][code]
                for taxonomy, codes in (
                    (NEEDS, record.needs),
                    (TARGETS, record.targets),
                    (ATTRIBUTES, record.attributes),
                )
                for code in codes
            }
            have = existing.get(service_pk, set())
            added, removed = wanted - have, have - wanted
            counts.unchanged += len(have & wanted)
            to_add.extend({"service_id": service_pk, "taxonomyterm_id": term} for term in added)
            if removed:
                to_remove.append((service_pk, removed))
            if added or removed:
                self.outcome.changed_service_ids.add(service_pk)
        for service_pk, removed in to_remove:
            through._default_manager.filter(service_id=service_pk, taxonomyterm_id__in=removed).delete()
            counts.deleted += len(removed)
        insert_rows(through, to_add)
        counts.created += len(to_add)

    def _crisis_lines(self, lines: list[CrisisLineRecord], *, withdraw_missing: bool) -> None:
        desired = {
            line.source_id: {
                "label": line.label,
                "number": line.number,
                "phone_href": line.phone_href,
                "url": line.url,
                "chat_url": line.chat_url,
                "publisher": line.publisher,
                "cost": line.cost,
                "availability": line.availability,
                "kinds": list(line.kinds),
                "is_primary": line.is_primary,
                "position": line.position,
                "last_verified_on": line.last_verified_on,
            }
            for line in lines
        }
        if not desired and not withdraw_missing:
            return
        self._upsert(CrisisLine, "crisis_lines", desired)
        if withdraw_missing:
            # A crisis line that is gone must not be shown to a person at risk: delete it.
            gone = [
                row
                for row in _rows(CrisisLine, platform=self.platform, dataset_id=self.slug)
                if row["source_id"] not in desired
            ]
            self._delete(CrisisLine, gone)
            self.counts["crisis_lines"].deleted += len(gone)

    # -- bulk writes with history --------------------------------------------

    def _create(self, model: type[models.Model], rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        for row in rows:
            row["created_at"] = row["modified_at"] = self.now
        insert_rows(model, rows)
        insert_history(model, rows, history_type="+", reason=self.reason, when=self.now)

    def _update(self, model: type[models.Model], rows: list[dict[str, Any]], changed_fields: set[str]) -> None:
        """Write changed rows (few, as a rule) with bulk_update, and their history in bulk."""
        if not rows:
            return
        for row in rows:
            row["modified_at"] = self.now
        objs = [model(**row) for row in rows]
        model._default_manager.bulk_update(objs, sorted(changed_fields | {"modified_at"}), batch_size=BATCH)
        insert_history(model, rows, history_type="~", reason=self.reason, when=self.now)

    def _delete(self, model: type[models.Model], rows: list[dict[str, Any]]) -> None:
        """Delete one by one: rare, and it lets simple-history record each with our reason."""
        for row in rows:
            obj = model(**row)
            obj._change_reason = self.reason  # type: ignore[attr-defined]
            obj.delete()


def _rows(model: type[models.Model], **filters: Any) -> list[dict[str, Any]]:
    """Stored rows as {attname: value}: comparing needs values, and model instances cost 5× more."""
    attnames = [f.attname for f in model._meta.concrete_fields]
    return list(model._default_manager.filter(**filters).values(*attnames))


def _unique_locations(locations: list[LocationRecord]) -> list[LocationRecord]:
    seen: set[str] = set()
    unique = []
    for location in locations:
        if location.source_id not in seen:
            seen.add(location.source_id)
            unique.append(location)
    return unique
