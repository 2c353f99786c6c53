"""A service's editable fields as one plain dict: read it, compare two, write one back.

Member organisations edit these fields in the workspace; the dicts are what ListingChange keeps
as before and after, what coordinators see as a diff, and what approval writes to the directory.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagari.directory.importers.common import hours_to_schedules
from tsunagari.directory.models import (
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
    TaxonomyTerm,
)
from tsunagari.directory.taxonomy import read_terms
from tsunagari.tenancy.models import Platform

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

# The editable fields, in the order of the form and of the diff, with their labels.
FIELDS: dict[str, StrPromise] = {
    "name": _("Name"),
    "alternate_name": _("Name in plain words"),
    "description": _("Description"),
    "status": _("Status"),
    "phone": _("Phone number"),
    "line": _("LINE"),
    "email": _("E-mail address"),
    "url": _("Website"),
    "hours_text": _("Opening hours"),
    "closed_days_text": _("Closed days"),
    "needs": _("What it helps with"),
    "targets": _("For whom"),
    "free": _("Free of charge"),
    "anonymous": _("Anonymous OK"),
    "open_24h": _("Open 24 hours"),
    "eligibility_description": _("Who it is for"),
    "application_process": _("How to apply"),
    "minimum_age": _("Minimum age"),
    "maximum_age": _("Maximum age"),
    "place_name": _("Place (building or room)"),
    "postal_code": _("Postal code"),
    "address": _("Address"),
    "position": _("Position on the map"),
}
# The listing's place: its first physical location (created when a listing gets its first address).
LOCATION_FIELDS = {"place_name": "name", "postal_code": "postal_code", "address": "address_1"}
# Fields stored on the service row as they are.
SERVICE_FIELDS = (
    "name",
    "alternate_name",
    "description",
    "status",
    "url",
    "hours_text",
    "closed_days_text",
    "eligibility_description",
    "application_process",
    "minimum_age",
    "maximum_age",
)
# Contact channels edited here: the first channel of each kind. Other channels stay as they are.
CHANNEL_FIELDS = {"phone": Channel.Kind.PHONE, "line": Channel.Kind.LINE, "email": Channel.Kind.EMAIL}
ATTRIBUTE_FIELDS = ("free", "anonymous", "open_24h")
TERM_FIELDS = {"needs": NEEDS, "targets": TARGETS}

EMPTY: dict[str, Any] = {
    **{name: "" for name in FIELDS},
    "status": Service.Status.ACTIVE,
    "needs": [],
    "targets": [],
    "free": False,
    "anonymous": False,
    "open_24h": False,
    "minimum_age": None,
    "maximum_age": None,
}


def snapshot(service: Service | None) -> dict[str, Any]:
    """The editable fields of `service`; nothing for a new one (a missing field counts as EMPTY)."""
    if service is None:
        return {}
    data: dict[str, Any] = {name: getattr(service, name) for name in SERVICE_FIELDS}
    first: dict[str, str] = {}
    for channel in sorted(service.channels.all(), key=_channel_order):
        first.setdefault(channel.kind, channel.value)
    for name, kind in CHANNEL_FIELDS.items():
        data[name] = first.get(kind, "")
    data["email"] = data["email"] or service.email
    codes = {(term.taxonomy_id, term.code) for term in service.terms.all()}
    for name, taxonomy in TERM_FIELDS.items():
        data[name] = sorted(code for taxonomy_id, code in codes if taxonomy_id == taxonomy)
    for name in ATTRIBUTE_FIELDS:
        data[name] = (ATTRIBUTES, name) in codes
    location = _mapped_location(service)
    for name, column in LOCATION_FIELDS.items():
        data[name] = getattr(location, column) if location is not None else ""
    data["position"] = (
        f"{location.latitude},{location.longitude}"
        if location is not None and location.precision == Location.Precision.EXACT and location.latitude is not None
        else ""
    )
    return data


def _mapped_location(service: Service) -> Location | None:
    """The place the listing's pin stands for: its first physical location with an address or a position."""
    rows = Location.objects.filter(service_at_locations__service=service, location_type=Location.Kind.PHYSICAL)
    return rows.order_by("created_at").first()


def _set_position(service: Service, value: str, user: Any, reason: str) -> None:
    """A member's own pin ("35.319000,139.546700") is exact; clearing it lets place-locations place the address."""
    location = _mapped_location(service)
    if location is None:
        return
    if value:
        latitude, longitude = value.split(",")
        location.latitude, location.longitude = Decimal(latitude), Decimal(longitude)
        location.precision, location.place_label = Location.Precision.EXACT, ""
    elif location.precision == Location.Precision.EXACT:
        location.latitude = location.longitude = None
        location.precision, location.place_label = Location.Precision.NONE, ""
    else:
        return
    save_with_history(location, user, reason)


@dataclass(frozen=True)
class FieldChange:
    """One changed field, for people to read: its label and the old and new values as text."""

    name: str
    label: StrPromise
    before: str
    after: str
    # What the live listing says now, when it is neither the old nor the new value (someone else
    # changed it after the proposal was made).
    now: str | None = None


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [name for name in FIELDS if before.get(name, EMPTY[name]) != after.get(name, EMPTY[name])]


def diff(before: dict[str, Any], after: dict[str, Any], current: dict[str, Any] | None = None) -> list[FieldChange]:
    """The fields that differ between `before` and `after`, readable, in form order."""
    changes = []
    for name in changed_fields(before, after):
        now = None
        if current is not None and current.get(name) not in (before.get(name), after.get(name)):
            now = display(name, current.get(name))
        changes.append(
            FieldChange(name, FIELDS[name], display(name, before.get(name)), display(name, after.get(name)), now)
        )
    return changes


def _term_labels(filename: str) -> dict[str, str]:
    return {row["code"]: row["label_ja"] for row in read_terms(filename)}


def display(name: str, value: Any) -> str:
    """A field's value as a person reads it: labels for codes, はい/いいえ for yes and no."""
    if value is None or value == "" or value == []:
        return ""
    if name == "status":
        return str(Service.Status(value).label) if value in Service.Status.values else str(value)
    if name in TERM_FIELDS:
        labels = _term_labels("needs.tsv" if name == "needs" else "targets.tsv")
        return "、".join(labels.get(code, code) for code in value)
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return str(value)


def apply(
    change_after: dict[str, Any],
    *,
    service: Service | None,
    organization: Organization,
    fields: list[str],
    user: Any,
    reason: str,
) -> Service:
    """Write `fields` of `change_after` to `service` (or a new published service) and return it.

    Runs inside the platform's scope and the caller's transaction; every row saved carries `user`
    and `reason` into its history. Approving counts as the organisation confirming the listing.
    """
    platform: Platform = organization.platform
    created = service is None
    if service is None:
        service = Service(platform=platform, organization=organization, publication=Service.Publication.PUBLISHED)
        fields = list(FIELDS)
    for name in SERVICE_FIELDS:
        if name in fields:
            setattr(service, name, change_after.get(name, EMPTY[name]))
    if "email" in fields:
        service.email = change_after.get("email", "")
    if {"hours_text", "closed_days_text"} & set(fields):
        parsed, _schedules = hours_to_schedules(service.hours_text, service.closed_days_text)
        service.hours_parsed = None if parsed is None else parsed.parsed
    service.last_verified_on = timezone.localdate()
    service.last_verified_by = organization.name[:200]
    save_with_history(service, user, reason)
    if created:
        _default_area(service, platform, user, reason)
    for name, kind in CHANNEL_FIELDS.items():
        if name in fields:
            _set_channel(service, kind, change_after.get(name, ""), user, reason)
    if {"hours_text", "closed_days_text"} & set(fields):
        _set_schedules(service, user, reason)
    if {*TERM_FIELDS, *ATTRIBUTE_FIELDS} & set(fields):
        _set_terms(service, change_after)
    if set(LOCATION_FIELDS) & set(fields):
        _set_address(service, change_after, user, reason)
    if "position" in fields:
        _set_position(service, change_after.get("position", ""), user, reason)
    return service


def _set_address(service: Service, change_after: dict[str, Any], user: Any, reason: str) -> None:
    """Write the place's name, postal code and address; a new address drops a position that was only approximate.

    place-locations then places it again from the new address. A position a member set (exact) stays.
    """
    values = {column: change_after.get(name, "") or "" for name, column in LOCATION_FIELDS.items()}
    location = _mapped_location(service)
    if location is None:
        if not any(values.values()):
            return
        platform = service.platform
        municipality = platform.municipality if platform.kind == Platform.Kind.MUNICIPALITY else None
        location = Location(
            platform=platform,
            organization=service.organization,
            location_type=Location.Kind.PHYSICAL,
            municipality=municipality,
            region=municipality.prefecture.name if municipality is not None else "",
            city=municipality.name if municipality is not None else "",
        )
        created = True
    else:
        created = False
    address_moved = location.address_1 != values["address_1"] or location.postal_code != values["postal_code"]
    for column, value in values.items():
        setattr(location, column, value)
    if address_moved and location.precision != Location.Precision.EXACT:
        location.latitude = location.longitude = None
        location.precision, location.place_label = Location.Precision.NONE, ""
    save_with_history(location, user, reason)
    if created:
        save_with_history(
            ServiceAtLocation(platform=service.platform, service=service, location=location), user, reason
        )


def save_with_history(row: Any, user: Any, reason: str) -> None:
    """Save a directory row with `user` and `reason` in its change history."""
    # simple-history reads these two attributes for the historical record it writes on save.
    row._history_user = user
    row._change_reason = reason
    row.save()


def _default_area(service: Service, platform: Platform, user: Any, reason: str) -> None:
    """A new listing is for the platform's own area."""
    if platform.kind == Platform.Kind.MUNICIPALITY:
        area = ServiceArea(
            platform=platform,
            service=service,
            kind=ServiceArea.Kind.MUNICIPALITY,
            municipality_id=platform.municipality_id,
        )
    else:
        area = ServiceArea(
            platform=platform, service=service, kind=ServiceArea.Kind.PREFECTURE, prefecture_id=platform.prefecture_id
        )
    save_with_history(area, user, reason)


def _channel_order(channel: Channel) -> tuple[int, str]:
    return channel.position, str(channel.pk)


def _set_channel(service: Service, kind: str, value: str, user: Any, reason: str) -> None:
    channel = min(Channel.objects.filter(service=service, kind=kind), key=_channel_order, default=None)
    if not value:
        if channel is not None:
            channel._history_user = user  # type: ignore[attr-defined]
            channel._change_reason = reason  # type: ignore[attr-defined]
            channel.delete()
        return
    if channel is None:
        last = Channel.objects.filter(service=service).order_by("-position").values_list("position", flat=True).first()
        channel = Channel(platform=service.platform, service=service, kind=kind, position=(last or 0) + 1)
    channel.value = value
    save_with_history(channel, user, reason)


def _set_schedules(service: Service, user: Any, reason: str) -> None:
    """Replace the service's weekly schedules with what its hours text says (none if not understood)."""
    for old in Schedule.objects.filter(service=service):
        old._history_user = user  # type: ignore[attr-defined]
        old._change_reason = reason  # type: ignore[attr-defined]
        old.delete()
    _parsed, records = hours_to_schedules(service.hours_text, service.closed_days_text)
    for record in records:
        save_with_history(
            Schedule(platform=service.platform, service=service, **dataclasses.asdict(record)), user, reason
        )


def _set_terms(service: Service, change_after: dict[str, Any]) -> None:
    """Set needs, target groups and the three attributes; other terms (e.g. 多言語) stay."""
    wanted = {(taxonomy, code) for name, taxonomy in TERM_FIELDS.items() for code in change_after.get(name, [])}
    wanted |= {(ATTRIBUTES, name) for name in ATTRIBUTE_FIELDS if change_after.get(name)}
    managed_attributes = set(ATTRIBUTE_FIELDS)
    keep = [
        term
        for term in service.terms.all()
        if term.taxonomy_id not in TERM_FIELDS.values()
        and not (term.taxonomy_id == ATTRIBUTES and term.code in managed_attributes)
    ]
    candidates = TaxonomyTerm.objects.filter(
        taxonomy_id__in={taxonomy for taxonomy, _code in wanted}, code__in={code for _taxonomy, code in wanted}
    )
    service.terms.set(keep + [term for term in candidates if (term.taxonomy_id, term.code) in wanted])
