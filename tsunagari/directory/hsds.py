"""HSDS 3.0 serialisation of the directory, in the shapes of the official `schema/compiled/*.json`.

Used by the public API and by the HSDS export. Every function takes rows already loaded with
`service_queryset()` (or `service_at_location_queryset()`), so a page of services costs a fixed
handful of queries. Empty values are left out rather than sent as null or "": HSDS types are plain
strings and numbers (null does not validate), and the official examples leave unknowns out.

How our fields map to HSDS (the reasons are in docs/api.md):

- ids are our UUIDs; objects HSDS wants but we do not store as rows (languages, addresses,
  accessibility, cost options, attributes, metadata) get stable uuid5 ids derived from their owner,
  so the same record always has the same id. Taxonomy slugs become uuid5 ids the same way.
- channels: phone → phones (type "voice"), fax → phones ("fax"), e-mail → contacts (and
  service.email when that is empty); every channel, whatever its kind, is also an attribute of the
  `tsunagari-channels` taxonomy whose value is the number, address or link, so LINE, SNS, chat,
  web forms, visits and outreach are kept and filterable.
- terms → attributes (link_entity "service") with the term nested; the "free" attribute also gives
  a cost option of 0 JPY.
- schedules → WEEKLY schedules with opens_at/closes_at as "HH:MM+09:00" and timezone 9; open 24
  hours is 00:00–23:59 with a description; holiday and year-end closures go into the description.
  Hours we could not parse become one schedule with the published text as its description.
- last_verified_on → assured_date; last_verified_by → assurer_email when it is an e-mail address,
  otherwise a metadata entry (who verified, when).
- publication (draft/published), needs_review and source ids are internal and never serialised;
  callers pass published services only.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Iterable
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Prefetch, QuerySet

from .models import (
    ATTRIBUTES,
    NEEDS,
    TARGETS,
    Channel,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    SupportProgram,
    Taxonomy,
    TaxonomyTerm,
    stable_id,
)
from .opening import is_monthly, parse_closed_dates
from .queries import shown_program_links

JSON = dict[str, Any]
# service_queryset() loads related rows into plain lists named PREFETCHED + relation: a list is
# much cheaper than Django's per-instance related querysets (each one filtered by the tenant scope).
PREFETCHED = "_hsds_"

# All schedules are in Asia/Tokyo, which has had no daylight saving time since 1951.
UTC_OFFSET_HOURS = 9
UTC_OFFSET = "+09:00"
CURRENCY = "JPY"
COUNTRY = "JP"
TERM_LANGUAGE = "ja"

# Contact channels as a taxonomy of their own. It is not stored (the kinds are Channel.Kind);
# its ids follow taxonomy.py's scheme, so storing it later keeps every id.
CHANNELS = "tsunagari-channels"
CHANNEL_TERMS: dict[str, tuple[str, str]] = {
    Channel.Kind.PHONE: ("電話", "電話で相談できる。値は電話番号。"),
    Channel.Kind.FAX: ("FAX", "FAXで相談できる。値はFAX番号。"),
    Channel.Kind.EMAIL: ("メール", "メールで相談できる。値はメールアドレス。"),
    Channel.Kind.LINE: ("LINE", "LINEで相談できる。値は友だち追加のリンクまたはID。"),
    Channel.Kind.SNS: ("SNS", "SNSで相談できる。値はアカウントのリンク。"),
    Channel.Kind.CHAT: ("チャット", "チャットで相談できる。値はチャットのページ。"),
    Channel.Kind.WEB_FORM: ("相談フォーム", "ウェブのフォームから相談できる。値はフォームのページ。"),
    Channel.Kind.VISIT: ("来所", "窓口に行って相談できる。"),
    Channel.Kind.OUTREACH: ("訪問", "自宅などへの訪問（アウトリーチ）で相談できる。"),
}

# What a term describes about the service, per taxonomy (attribute.link_type).
LINK_TYPES = {NEEDS: "need", TARGETS: "audience", ATTRIBUTES: "feature", CHANNELS: "contact_method"}

# Names of the languages residents most often ask for (ISO 639-1; jsl is ISO 639-3).
LANGUAGE_NAMES = {
    "ja": "日本語",
    "en": "英語",
    "zh": "中国語",
    "ko": "韓国語",
    "vi": "ベトナム語",
    "pt": "ポルトガル語",
    "es": "スペイン語",
    "tl": "タガログ語",
    "fil": "フィリピノ語",
    "ne": "ネパール語",
    "id": "インドネシア語",
    "th": "タイ語",
    "my": "ミャンマー語",
    "fr": "フランス語",
    "de": "ドイツ語",
    "ru": "ロシア語",
    "uk": "ウクライナ語",
    "si": "シンハラ語",
    "bn": "ベンガル語",
    "km": "クメール語",
    "mn": "モンゴル語",
    "ar": "アラビア語",
    "hi": "ヒンディー語",
    "ur": "ウルドゥー語",
    "fa": "ペルシャ語",
    "tr": "トルコ語",
    "it": "イタリア語",
    "ms": "マレー語",
    "lo": "ラオ語",
    "jsl": "日本手話",
}

OPEN_24H = "24時間対応"
CLOSED_ON_HOLIDAYS = "祝日は休み"
CLOSED_YEAR_END = "年末年始（12月29日〜1月3日）は休み"
CLOSED_UNLISTED_DAYS = "ほかにも日付の記載のない休みの日あり"
# Schedule.closed_dates in words, e.g. 「毎年6月23日・1月1日は休み」; importers/hsds.py reads it back.
CLOSED_DATES_WORDING = re.compile(r"毎年((?:\d{1,2}月\d{1,2}日)(?:・\d{1,2}月\d{1,2}日)*)は休み")


def closed_dates_in_words(closed_dates: str) -> str:
    dates = parse_closed_dates(closed_dates)
    return "毎年" + "・".join(f"{month}月{day}日" for month, day in dates) + "は休み" if dates else ""


RESERVATION_REQUIRED = "予約が必要です。"
FREE = "無料"


# --- ids and small helpers --------------------------------------------------------------------


@cache
def taxonomy_uuid(taxonomy_id: str) -> uuid.UUID:
    """The HSDS id (a UUID) of one of our taxonomies, whose own ids are slugs."""
    return stable_id("taxonomy", taxonomy_id)


def _derived_id(*parts: object) -> str:
    return str(stable_id("hsds", *(str(part) for part in parts)))


def _compact(data: JSON, keep: tuple[str, ...] = ()) -> JSON:
    """Drop unknown values; `keep` names required fields that stay even when empty."""
    return {key: value for key, value in data.items() if key in keep or value not in (None, "", [])}


def _id(value: uuid.UUID | None) -> str | None:
    return str(value) if value is not None else None


def _email(value: str) -> str:
    """The address if it is one, else "" (HSDS types e-mail fields with format "email")."""
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError:
        return ""
    return value


def format_datetime(value: datetime.datetime) -> str:
    """UTC with milliseconds, as HSDS last_modified asks ("2023-03-15T10:30:45.123Z")."""
    return value.astimezone(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _time(value: datetime.time | None) -> str | None:
    return f"{value:%H:%M}{UTC_OFFSET}" if value is not None else None


def _number(value: object) -> float | None:
    return float(value) if value is not None else None  # type: ignore[arg-type]


def _loaded(service: Service, relation: str) -> list[Any]:
    """The rows service_queryset() loaded for `relation`, or a query when the caller did not."""
    rows = getattr(service, PREFETCHED + relation, None)
    if rows is None:
        rows = list(getattr(service, relation).all())
    return rows


def _lines(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


# --- taxonomies -------------------------------------------------------------------------------


@cache
def channel_taxonomy() -> Taxonomy:
    """The contact-channel taxonomy (not stored; see CHANNELS)."""
    return Taxonomy(
        id=CHANNELS,
        name="連絡手段",
        description="電話・LINE・メール・来所など、相談の申し込み方。属性の値に番号やリンクが入る。",
        version="1",
    )


@cache
def channel_terms() -> dict[str, TaxonomyTerm]:
    """Channel kind → its term in the contact-channel taxonomy."""
    taxonomy = channel_taxonomy()
    return {
        kind: TaxonomyTerm(
            id=stable_id("term", CHANNELS, kind),
            taxonomy=taxonomy,
            code=kind,
            name=name,
            description=description,
            position=position,
        )
        for position, (kind, (name, description)) in enumerate(CHANNEL_TERMS.items())
    }


def serialize_taxonomy(taxonomy: Taxonomy) -> JSON:
    """A taxonomy (schema/taxonomy.json)."""
    return _compact(
        {
            "id": str(taxonomy_uuid(taxonomy.pk)),
            "name": taxonomy.name,
            "description": taxonomy.description,
            "uri": taxonomy.uri,
            "version": taxonomy.version,
        },
        keep=("description",),
    )


def serialize_taxonomy_term(term: TaxonomyTerm) -> JSON:
    """A taxonomy term with its taxonomy nested (schema/taxonomy_term.json)."""
    return _compact(
        {
            "id": str(term.pk),
            "code": term.code,
            "name": term.name,
            "description": term.description,
            "parent_id": _id(term.parent_id),
            # The slug, so that people can read which vocabulary this is without a look-up.
            "taxonomy": term.taxonomy_id,
            "taxonomy_id": str(taxonomy_uuid(term.taxonomy_id)),
            "taxonomy_detail": serialize_taxonomy(term.taxonomy),
            "language": TERM_LANGUAGE,
        },
        keep=("description",),
    )


def _attribute(link_id: uuid.UUID, term: TaxonomyTerm, *, value: str = "", seq: object = "") -> JSON:
    return _compact(
        {
            "id": _derived_id("attribute", link_id, term.pk, seq),
            "link_id": str(link_id),
            "taxonomy_term_id": str(term.pk),
            "link_type": LINK_TYPES.get(term.taxonomy_id, ""),
            "link_entity": "service",
            "value": value,
            "taxonomy_term": serialize_taxonomy_term(term),
        }
    )


# --- languages, phones, contacts ----------------------------------------------------------------


def _language(tag: str, **owner: str) -> JSON:
    """A BCP 47 tag as an HSDS language: the primary subtag as the ISO 639 code."""
    code = tag.split("-")[0].lower()
    return _compact(
        {
            "id": _derived_id("language", *owner.values(), tag),
            **owner,
            "name": LANGUAGE_NAMES.get(code, tag),
            "code": code,
            "note": tag if tag.lower() != code else "",
        }
    )


# The line in application_process under which the CPSV-J importer keeps a programme's
# 必要書類 (importers/cpsvj.py): the one place our model holds required documents.
REQUIRED_DOCUMENTS_PREFIX = "必要書類: "


def _required_documents(service: Service) -> list[JSON]:
    """The documents a service asks for, as HSDS required_document objects (one per 必要書類 line)."""
    return [
        {
            "id": _derived_id("required_document", str(service.pk), line),
            "service_id": str(service.pk),
            "document": line.removeprefix(REQUIRED_DOCUMENTS_PREFIX).strip(),
        }
        for line in service.application_process.splitlines()
        if line.startswith(REQUIRED_DOCUMENTS_PREFIX) and line.removeprefix(REQUIRED_DOCUMENTS_PREFIX).strip()
    ]


def _phone(channel: Channel) -> JSON:
    return _compact(
        {
            "id": str(channel.pk),
            "service_id": str(channel.service_id),
            "number": channel.value,
            "type": "fax" if channel.kind == Channel.Kind.FAX else "voice",
            "description": _lines(channel.label, channel.description),
            "languages": [_language(tag, phone_id=str(channel.pk)) for tag in channel.languages or []],
        },
        keep=("number",),
    )


def _contact(channel: Channel) -> JSON:
    return _compact(
        {
            "id": str(channel.pk),
            "service_id": str(channel.service_id),
            "name": channel.label,
            "email": _email(channel.value),
        }
    )


# --- schedules --------------------------------------------------------------------------------


def _schedule(schedule: Schedule) -> JSON:
    opens_at, closes_at = schedule.opens_at, schedule.closes_at
    if schedule.open_24h:
        opens_at, closes_at = datetime.time(0, 0), datetime.time(23, 59)
    description = "、".join(
        part
        for part, applies in (
            (OPEN_24H, schedule.open_24h),
            (CLOSED_ON_HOLIDAYS, schedule.closed_on_holidays),
            (CLOSED_YEAR_END, schedule.closed_year_end),
            (closed_dates_in_words(schedule.closed_dates), bool(schedule.closed_dates)),
            (CLOSED_UNLISTED_DAYS, schedule.closed_unlisted_days),
        )
        if applies
    )
    return _compact(
        {
            "id": str(schedule.pk),
            "service_id": str(schedule.service_id),
            "service_at_location_id": _id(schedule.service_at_location_id),
            "timezone": UTC_OFFSET_HOURS,
            "freq": "MONTHLY" if is_monthly(schedule.byday) else "WEEKLY",
            "byday": schedule.byday,
            "opens_at": _time(opens_at),
            "closes_at": _time(closes_at),
            "description": _lines(schedule.description, description),
        }
    )


def _text_schedule(service: Service) -> JSON:
    """Published hours we could not turn into rules: HSDS's free-text schedule description."""
    return _compact(
        {
            "id": _derived_id("schedule-text", service.pk),
            "service_id": str(service.pk),
            "timezone": UTC_OFFSET_HOURS,
            "description": service.hours_text,
            "notes": service.closed_days_text,
        }
    )


def _split_schedules(service: Service) -> tuple[list[Schedule], dict[uuid.UUID, list[Schedule]]]:
    """The service's own schedules, and those that belong to one of its locations."""
    own: list[Schedule] = []
    by_location: dict[uuid.UUID, list[Schedule]] = {}
    for schedule in _loaded(service, "schedules"):
        if schedule.service_at_location_id is None:
            own.append(schedule)
        else:
            by_location.setdefault(schedule.service_at_location_id, []).append(schedule)
    return own, by_location


def _service_schedules(service: Service, own: list[Schedule]) -> list[JSON]:
    if own:
        # Parsed rules are authoritative; the published text would only repeat them.
        return [_schedule(schedule) for schedule in own]
    if service.hours_text or service.closed_days_text:
        return [_text_schedule(service)]
    return []


# --- locations --------------------------------------------------------------------------------


def serialize_location(location: Location, *, full: bool = True) -> JSON:
    """A location; `full` adds its address and accessibility (schema/location.json)."""
    data: JSON = {
        "id": str(location.pk),
        "location_type": location.location_type,
        "organization_id": _id(location.organization_id),
        "name": location.name,
        "description": location.description,
        "transportation": location.transportation,
        "latitude": _number(location.latitude),
        "longitude": _number(location.longitude),
    }
    if full:
        data["addresses"] = _addresses(location)
        data["accessibility"] = (
            [
                {
                    "id": _derived_id("accessibility", location.pk),
                    "location_id": str(location.pk),
                    "description": location.accessibility,
                }
            ]
            if location.accessibility
            else []
        )
    return _compact(data)


def _addresses(location: Location) -> list[JSON]:
    if location.location_type == Location.Kind.VIRTUAL or not (location.address_1 or location.city):
        return []
    # Every field is required by HSDS; a missing one is sent empty rather than dropping the address.
    return [
        {
            "id": _derived_id("address", location.pk),
            "location_id": str(location.pk),
            "address_1": location.address_1,
            "city": location.city,
            "state_province": location.region,
            "postal_code": location.postal_code,
            "country": COUNTRY,
            "address_type": location.location_type,
        }
    ]


# --- organisations ----------------------------------------------------------------------------


def _organization_fields(org: Organization) -> JSON:
    return {
        "id": str(org.pk),
        "name": org.name,
        "alternate_name": org.alternate_name,
        "description": org.description,
        "email": _email(org.email),
        "website": org.website,
        "legal_status": org.legal_status,
    }


def serialize_organization_list_item(org: Organization) -> JSON:
    """An organisation's own fields (schema/compiled/organization_list.json)."""
    return _compact(_organization_fields(org), keep=("description",))


def serialize_organization(org: Organization, *, services: Iterable[Service] = (), full_service: bool = False) -> JSON:
    """An organisation with its identifiers and `services` (schema/compiled/organization.json).

    Services are list items (one-to-one fields) unless `full_service`; pass them loaded through
    `service_queryset(..., full=full_service)` and already limited to what may be published.
    """
    data = _organization_fields(org)
    if org.corporate_number:
        data["organization_identifiers"] = [
            {
                "id": _derived_id("organization-identifier", org.pk, org.corporate_number),
                "organization_id": str(org.pk),
                # org-id.guide's scheme for the National Tax Agency's corporate number.
                "identifier_scheme": "JP-JCN",
                "identifier_type": "法人番号",
                "identifier": org.corporate_number,
            }
        ]
    if full_service:
        data["services"] = [_full_service(service, with_organization=False) for service in services]
    else:
        data["services"] = [_compact(_service_fields(service), keep=("name", "status")) for service in services]
    return _compact(data, keep=("description",))


# --- services ---------------------------------------------------------------------------------


def _terms(service: Service) -> list[TaxonomyTerm]:
    return _loaded(service, "terms")


def _service_fields(service: Service) -> JSON:
    """The one-to-one fields every service representation shares."""
    assurer = _email(service.last_verified_by)
    application_process = service.application_process
    if service.reservation_required and not application_process:
        application_process = RESERVATION_REQUIRED
    return {
        "id": str(service.pk),
        "organization_id": str(service.organization_id),
        "name": service.name,
        "alternate_name": service.alternate_name,
        "description": service.description,
        "url": service.url,
        "email": _email(service.email),
        "status": service.status,
        "interpretation_services": service.interpretation_services,
        "application_process": application_process,
        "fees_description": service.fees_description,
        "eligibility_description": service.eligibility_description,
        "minimum_age": service.minimum_age,
        "maximum_age": service.maximum_age,
        "assured_date": service.last_verified_on.isoformat() if service.last_verified_on else None,
        "assurer_email": assurer,
        "last_modified": format_datetime(service.modified_at),
    }


def serialize_service_list_item(service: Service) -> JSON:
    """A service's one-to-one fields and its organisation (schema/compiled/service_list.json)."""
    data = _service_fields(service)
    data["organization"] = serialize_organization_list_item(service.organization)
    return _compact(data, keep=("name", "status"))


def serialize_service(service: Service) -> JSON:
    """A fully nested service (schema/compiled/service.json); load it with service_queryset()."""
    return _full_service(service, with_organization=True)


def _full_service(service: Service, *, with_organization: bool, with_locations: bool = True) -> JSON:
    data = _service_fields(service)
    channels = _loaded(service, "channels")
    terms = _terms(service)
    own_schedules, location_schedules = _split_schedules(service)
    if with_organization:
        data["organization"] = serialize_organization_list_item(service.organization)
    if not data["email"]:
        data["email"] = next(
            (_email(c.value) for c in channels if c.kind == Channel.Kind.EMAIL and _email(c.value)), ""
        )
    data["phones"] = [_phone(c) for c in channels if c.kind in (Channel.Kind.PHONE, Channel.Kind.FAX) and c.value]
    data["contacts"] = [_contact(c) for c in channels if c.kind == Channel.Kind.EMAIL and _email(c.value)]
    data["schedules"] = _service_schedules(service, own_schedules)
    data["service_areas"] = [_service_area(area) for area in _loaded(service, "service_areas")]
    if with_locations:
        data["service_at_locations"] = [
            _service_at_location(sal, location_schedules.get(sal.pk, []))
            for sal in _loaded(service, "service_at_locations")
        ]
    data["languages"] = [_language(tag, service_id=str(service.pk)) for tag in service.languages or []]
    data["cost_options"] = _cost_options(service, terms)
    data["required_documents"] = _required_documents(service)
    data["attributes"] = [_attribute(service.pk, term) for term in terms] + [
        _attribute(service.pk, channel_terms()[c.kind], value=c.value or c.description, seq=c.pk)
        for c in channels
        if c.kind in CHANNEL_TERMS
    ]
    data["metadata"] = _metadata(service)
    if program := _program(service):
        data["program_id"] = str(program.pk)
        data["program"] = serialize_program(program)
    return _compact(data, keep=("name", "status"))


def serialize_program(program: SupportProgram) -> JSON:
    """A support programme as HSDS's `program` (schema/program.json)."""
    return _compact(
        {
            "id": str(program.pk),
            "organization_id": _id(program.organization_id),
            "name": program.name,
            "alternate_name": program.alternate_name,
            "description": program.description,
        },
        keep=("name", "description"),
    )


def _program(service: Service) -> SupportProgram | None:
    """The one programme HSDS lets a service name: the first link service_queryset() loaded, i.e.
    one a municipality's list names for this window, else the first by name (docs/hsds.md)."""
    links = getattr(service, PREFETCHED + "program_links", None)
    if links is None:
        links = list(shown_program_links().filter(service=service)[:1])
    return links[0].program if links else None


def _service_area(area: ServiceArea) -> JSON:
    name = area.name
    if area.kind == ServiceArea.Kind.MUNICIPALITY and area.municipality:
        name = area.municipality.full_name
    return _compact(
        {"id": str(area.pk), "service_id": str(area.service_id), "name": name, "description": area.description}
    )


def _cost_options(service: Service, terms: list[TaxonomyTerm]) -> list[JSON]:
    if not any(term.taxonomy_id == ATTRIBUTES and term.code == "free" for term in terms):
        return []
    return [
        {
            "id": _derived_id("cost-option", service.pk, "free"),
            "service_id": str(service.pk),
            "option": FREE,
            "currency": CURRENCY,
            "amount": 0,
        }
    ]


def _metadata(service: Service) -> list[JSON]:
    """Who last verified the listing, when that is a name rather than an e-mail address."""
    if not (service.last_verified_on and service.last_verified_by) or _email(service.last_verified_by):
        return []
    verified_on = service.last_verified_on.isoformat()
    return [
        {
            "id": _derived_id("metadata-verified", service.pk, verified_on),
            "resource_id": str(service.pk),
            "resource_type": "service",
            "last_action_date": verified_on,
            "last_action_type": "verify",
            "field_name": "assured_date",
            "previous_value": "",
            "replacement_value": verified_on,
            "updated_by": service.last_verified_by,
        }
    ]


# --- services at locations --------------------------------------------------------------------


def _service_at_location(sal: ServiceAtLocation, schedules: list[Schedule]) -> JSON:
    return _compact(
        {
            "id": str(sal.pk),
            "service_id": str(sal.service_id),
            "location_id": str(sal.location_id),
            "description": sal.description,
            "schedules": [_schedule(schedule) for schedule in schedules],
            "location": serialize_location(sal.location),
        }
    )


def serialize_service_at_location(sal: ServiceAtLocation) -> JSON:
    """A fully nested service at a location (schema/compiled/service_at_location.json).

    Load it with service_at_location_queryset(); the nested service carries its own schedules and
    this location's schedules sit on the service at location.
    """
    _own, by_location = _split_schedules(sal.service)
    data = _service_at_location(sal, by_location.get(sal.pk, []))
    data["service"] = _full_service(sal.service, with_organization=True, with_locations=False)
    return data


def serialize_service_at_location_list_item(sal: ServiceAtLocation) -> JSON:
    """A service at a location with one-to-one fields (compiled/service_at_location_list.json)."""
    return _compact(
        {
            "id": str(sal.pk),
            "service_id": str(sal.service_id),
            "location_id": str(sal.location_id),
            "description": sal.description,
            "location": serialize_location(sal.location, full=False),
            "service": serialize_service_list_item(sal.service),
        }
    )


# --- querysets --------------------------------------------------------------------------------


def _service_prefetches(prefix: str = "") -> list[Prefetch[Any]]:
    return [
        Prefetch(f"{prefix}channels", to_attr=PREFETCHED + "channels"),
        Prefetch(f"{prefix}schedules", to_attr=PREFETCHED + "schedules"),
        Prefetch(
            f"{prefix}service_areas",
            queryset=ServiceArea.objects.select_related("municipality__prefecture", "prefecture"),
            to_attr=PREFETCHED + "service_areas",
        ),
        Prefetch(
            f"{prefix}terms",
            queryset=TaxonomyTerm.objects.select_related("taxonomy"),
            to_attr=PREFETCHED + "terms",
        ),
        Prefetch(f"{prefix}program_links", queryset=shown_program_links(), to_attr=PREFETCHED + "program_links"),
    ]


def service_queryset(qs: QuerySet[Service], *, full: bool = True) -> QuerySet[Service]:
    """`qs` with what the serialisers read loaded up front: a fixed number of queries per page.

    `full=False` is enough for serialize_service_list_item().
    """
    qs = qs.select_related("organization", "dataset")
    if not full:
        return qs
    return qs.prefetch_related(
        *_service_prefetches(),
        Prefetch(
            "service_at_locations",
            queryset=ServiceAtLocation.objects.select_related("location").order_by("created_at", "pk"),
            to_attr=PREFETCHED + "service_at_locations",
        ),
    )


def service_at_location_queryset(qs: QuerySet[ServiceAtLocation], *, full: bool = True) -> QuerySet[ServiceAtLocation]:
    """`qs` loaded for serialize_service_at_location() (or the list item when not `full`)."""
    qs = qs.select_related("location", "service__organization", "service__dataset")
    if not full:
        return qs
    return qs.prefetch_related(*_service_prefetches("service__"))
