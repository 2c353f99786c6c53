"""directory.hsds on its own: the mapping choices, stable ids and the query budget of service_queryset."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from tests.api.conftest import Validate
from tests.factories import make_service
from tsunagari.directory.hsds import (
    CHANNEL_TERMS,
    serialize_organization,
    serialize_service,
    serialize_service_list_item,
    service_queryset,
)
from tsunagari.directory.models import Channel, Schedule, Service
from tsunagari.tenancy.scoping import platform_scope, scopes_disabled

pytestmark = pytest.mark.django_db


def load(service: Service) -> Service:
    with scopes_disabled():
        return service_queryset(Service.objects.filter(pk=service.pk)).get()


def test_every_channel_kind_has_a_term_in_the_channel_taxonomy() -> None:
    assert set(CHANNEL_TERMS) == set(Channel.Kind.values)


def test_unparsed_hours_become_one_schedule_with_the_published_text(kamakura: Any, validate: Validate) -> None:
    service = make_service(kamakura, hours_text="毎月第2火曜日 13時から", closed_days_text="祝日", hours_parsed=False)
    with scopes_disabled():
        body = serialize_service(load(service))
    validate(body, "compiled/service.json")
    assert body["schedules"] == [
        {
            "id": body["schedules"][0]["id"],
            "service_id": str(service.pk),
            "timezone": 9,
            "description": "毎月第2火曜日 13時から",
            "notes": "祝日",
        }
    ]


def test_parsed_schedules_say_japan_time_and_holiday_closures(kamakura: Any) -> None:
    service = make_service(kamakura)
    with scopes_disabled():
        Schedule.objects.create(
            platform=kamakura,
            service=service,
            byday="MO,WE",
            opens_at=datetime.time(8, 30),
            closes_at=datetime.time(17, 15),
            closed_on_holidays=True,
            closed_year_end=True,
        )
        schedule = serialize_service(load(service))["schedules"][0]
    assert (schedule["freq"], schedule["byday"], schedule["opens_at"], schedule["closes_at"]) == (
        "WEEKLY",
        "MO,WE",
        "08:30+09:00",
        "17:15+09:00",
    )
    assert schedule["description"] == "祝日は休み、年末年始（12月29日〜1月3日）は休み"


def test_a_verifier_who_is_not_an_email_address_goes_to_metadata(kamakura: Any, validate: Validate) -> None:
    service = make_service(kamakura, verified=datetime.date(2026, 5, 1))
    with scopes_disabled():
        body = serialize_service(load(service))
    validate(body, "compiled/service.json")
    assert "assurer_email" not in body
    assert body["assured_date"] == "2026-05-01"
    assert body["metadata"][0] | {"id": None} == {
        "id": None,
        "resource_id": str(service.pk),
        "resource_type": "service",
        "last_action_date": "2026-05-01",
        "last_action_type": "verify",
        "field_name": "assured_date",
        "previous_value": "",
        "replacement_value": "2026-05-01",
        "updated_by": "テスト",
    }


def test_malformed_email_addresses_are_left_out_not_sent_invalid(kamakura: Any, validate: Validate) -> None:
    service = make_service(kamakura, email="窓口へお問い合わせください")
    with scopes_disabled():
        Channel.objects.create(platform=kamakura, service=service, kind=Channel.Kind.EMAIL, value="info at example.jp")
        body = serialize_service(load(service))
    validate(body, "compiled/service.json")
    assert "email" not in body
    assert "contacts" not in body


def test_derived_ids_are_stable_between_serialisations(rich_service: Service) -> None:
    with scopes_disabled():
        assert serialize_service(load(rich_service)) == serialize_service(load(rich_service))


def test_service_queryset_loads_a_page_in_a_fixed_number_of_queries(
    kamakura: Any, django_assert_num_queries: Any
) -> None:
    for n in range(12):
        make_service(kamakura, f"窓口{n}")
    with platform_scope(kamakura):
        qs = service_queryset(Service.objects.published())
        # Services (with organisations and data sets), then channels, schedules, areas, terms,
        # programmes (with their links), locations.
        with django_assert_num_queries(7):
            assert len([serialize_service(service) for service in qs]) == 12
        with django_assert_num_queries(1):
            assert (
                len([serialize_service_list_item(s) for s in service_queryset(Service.objects.all(), full=False)]) == 12
            )


def test_an_organisation_serialises_the_services_it_is_given(kamakura: Any, validate: Validate) -> None:
    service = make_service(kamakura)
    with scopes_disabled():
        loaded = load(service)
        body = serialize_organization(loaded.organization, services=[loaded], full_service=True)
        brief = serialize_organization(loaded.organization, services=[loaded])
    validate(body, "compiled/organization.json")
    validate(brief, "compiled/organization.json")
    assert body["services"][0]["phones"][0]["number"] == "0467-23-3000"
    assert "phones" not in brief["services"][0]
