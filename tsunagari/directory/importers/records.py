"""The format-neutral shape every importer produces, and the problems it reports.

A parser turns its input into ServiceRecords (plus CrisisLineRecords for emergency lines) and a
list of Problems; `writer.write_records` validates nothing format-specific and upserts by source id.
Keeping parsing and writing apart lets four formats share one fast, all-or-nothing writer.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, said in Japanese so that the person can fix it."""

    file: str
    row: int | None  # 1-based line number as a spreadsheet shows it (header = 1); None for the file
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"{self.row}行目")
        if self.column:
            where.append(f"列「{self.column}」")
        return f"{' '.join(where)}: {self.message}"


@dataclass
class OrganizationRecord:
    source_id: str
    name: str
    alternate_name: str = ""
    description: str = ""
    email: str = ""
    website: str = ""
    legal_status: str = ""
    corporate_number: str = ""
    municipality_code: str | None = None


@dataclass
class LocationRecord:
    source_id: str
    name: str = ""
    location_type: str = "physical"
    postal_code: str = ""
    region: str = ""
    city: str = ""
    address_1: str = ""
    municipality_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    accessibility: str = ""
    transportation: str = ""


@dataclass
class ChannelRecord:
    kind: str  # Channel.Kind value
    value: str = ""
    label: str = ""
    description: str = ""


@dataclass
class ScheduleRecord:
    byday: str  # "MO,TU,WE,TH,FR"
    opens_at: datetime.time | None = None
    closes_at: datetime.time | None = None
    open_24h: bool = False
    closed_on_holidays: bool = False
    closed_year_end: bool = False
    closed_dates: str = ""  # "06-23,01-01": month-day pairs (Schedule.closed_dates)
    closed_unlisted_days: bool = False
    description: str = ""


@dataclass
class AreaRecord:
    kind: str  # ServiceArea.Kind value
    municipality_code: str | None = None
    prefecture_code: str | None = None
    description: str = ""


@dataclass
class ServiceRecord:
    """One service with everything hanging off it, ready to upsert."""

    row: int  # where it came from, for problems found while writing
    source_id: str
    organization: OrganizationRecord
    name: str
    alternate_name: str = ""
    description: str = ""
    url: str = ""
    email: str = ""
    status: str = "active"
    publication: str = "published"
    needs_review: bool = False
    application_process: str = ""
    interpretation_services: str = ""
    fees_description: str = ""
    eligibility_description: str = ""
    minimum_age: int | None = None
    maximum_age: int | None = None
    languages: list[str] = field(default_factory=list)
    reservation_required: bool | None = None
    hours_text: str = ""
    closed_days_text: str = ""
    hours_parsed: bool | None = None
    last_verified_on: datetime.date | None = None
    last_verified_by: str = ""
    locations: list[LocationRecord] = field(default_factory=list)
    channels: list[ChannelRecord] = field(default_factory=list)
    schedules: list[ScheduleRecord] = field(default_factory=list)
    areas: list[AreaRecord] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)  # codes of the tsunagari-needs taxonomy
    targets: list[str] = field(default_factory=list)  # codes of tsunagari-targets
    attributes: list[str] = field(default_factory=list)  # codes of tsunagari-attributes


@dataclass
class CrisisLineRecord:
    source_id: str
    label: str
    number: str = ""
    phone_href: str = ""
    url: str = ""
    chat_url: str = ""
    publisher: str = ""
    cost: str = ""
    availability: str = ""
    kinds: list[str] = field(default_factory=list)
    is_primary: bool = False
    position: int = 0
    last_verified_on: datetime.date | None = None


@dataclass
class ProgramRecord:
    """A support programme (制度) and the organisation whose page describes it."""

    row: int
    source_id: str
    name: str
    organization: OrganizationRecord | None = None
    municipality_code: str | None = None
    scope: str = "national"
    alternate_name: str = ""
    description: str = ""
    target_people: str = ""
    need: str = ""
    support_type: str = "other"
    repayment_required: bool | None = None
    amount_description: str = ""
    application_deadline: str = ""
    required_documents: str = ""
    documents_optional_note: str = ""
    application_process: str = ""
    status: str = "active"
    publication: str = "published"
    needs_review: bool = False
    source_title: str = ""
    source_publisher: str = ""
    source_url: str = ""
    last_verified_on: datetime.date | None = None


@dataclass
class ProgramLinkRecord:
    """A programme handled at a service window (by the service's source id)."""

    file: str
    row: int
    source_id: str
    program_source_id: str
    service_source_id: str
    local_name: str = ""
    local_description: str = ""
    source_title: str = ""
    source_url: str = ""
    last_verified_on: datetime.date | None = None
    is_local_link: bool = False


@dataclass
class SourceInfo:
    """The data set being imported, with what its licence asks us to show."""

    slug: str
    name: str
    publisher: str = ""
    url: str = ""
    licence: str = ""
    licence_url: str = ""
    attribution: str = ""
    data_changed_note: str = ""


@dataclass
class ParseResult:
    source: SourceInfo
    services: list[ServiceRecord] = field(default_factory=list)
    crisis_lines: list[CrisisLineRecord] = field(default_factory=list)
    programs: list[ProgramRecord] = field(default_factory=list)
    program_links: list[ProgramLinkRecord] = field(default_factory=list)
    # The file the programmes were read from; "" when there was none (then the stored ones stay).
    programs_file: str = ""
    problems: list[Problem] = field(default_factory=list)
    # Rows (file, row) that had problems, so that --skip-invalid can list them.
    invalid_rows: set[tuple[str, int]] = field(default_factory=set)
    # Per-format counters worth reporting, e.g. {"hours_unparsed": 12}.
    counts: dict[str, int] = field(default_factory=dict)
