"""Members correct their listing's pin; a pin they set is exact and survives place-locations (issue 9 item 12)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from tests.membership.rows import council_service
from tests.membership.test_listings import form_data
from tsunagari.directory.importers.common import ParsedWithNotes
from tsunagari.directory.importers.records import LocationRecord, OrganizationRecord, ServiceRecord, SourceInfo
from tsunagari.directory.importers.writer import write_records
from tsunagari.directory.models import Location, Service
from tsunagari.membership.models import ListingChange, MemberOrganisation
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db


@pytest.fixture
def service(kamakura: Any, kamakura_council: Any) -> Service:
    with scopes_disabled():
        MemberOrganisation.objects.create(
            platform=kamakura,
            organization=kamakura_council,
            status=MemberOrganisation.Status.APPROVED,
            name=kamakura_council.name,
            kind=MemberOrganisation.Kind.COUNCIL,
            contact_name="佐藤",
            contact_email="council@example.jp",
            trusted=True,
        )
    service = council_service(kamakura, kamakura_council)
    with scopes_disabled():
        Location.objects.update(
            latitude="35.350000", longitude="139.530000", precision="town", place_label="鎌倉市大船"
        )
    return service


def location() -> Location:
    with scopes_disabled():
        return Location.objects.get()


def test_a_member_sets_the_pin_and_it_is_exact(client: Client, olga: Any, service: Service) -> None:
    client.force_login(olga)
    client.post(f"/kamakura/workspace/listings/{service.pk}/edit/", form_data(service, position="35.3181，139.5477"))
    with scopes_disabled():
        assert ListingChange.objects.get().after["position"] == "35.318100,139.547700"
    place = location()
    assert (place.latitude, place.longitude, place.precision) == (
        Decimal("35.318100"),
        Decimal("139.547700"),
        Location.Precision.EXACT,
    )
    assert place.history.first().history_user == olga


def test_a_point_outside_japan_is_refused_and_kept(client: Client, olga: Any, service: Service) -> None:
    client.force_login(olga)
    response = client.post(
        f"/kamakura/workspace/listings/{service.pk}/edit/", form_data(service, position="139.5, 35.3")
    )
    assert response.status_code == 400
    assert "position" in response.context["form"].errors
    assert "139.5, 35.3" in response.content.decode()
    assert location().precision == Location.Precision.TOWN


def test_clearing_the_pin_gives_the_address_back_to_place_locations(
    client: Client, olga: Any, service: Service
) -> None:
    with scopes_disabled():
        Location.objects.update(precision="exact")
    client.force_login(olga)
    client.post(f"/kamakura/workspace/listings/{service.pk}/edit/", form_data(service, position=""))
    place = location()
    assert place.latitude is None and place.precision == Location.Precision.NONE


def _import(platform: Any, **coordinates: float) -> None:
    """The same made-up record imported again, as a re-import of the open data does."""
    result = ParsedWithNotes(source=SourceInfo(slug="test-pins", name="テスト"), services_file="test.csv")
    result.services = [
        ServiceRecord(
            row=2,
            source_id="s1",
            organization=OrganizationRecord(source_id="org-1", name="鎌倉市社会福祉協議会"),
            name="社協 よりそい相談",
            needs=["loneliness"],
            locations=[
                LocationRecord(source_id="l1", region="神奈川県", city="鎌倉市", address_1="御成町18-10", **coordinates)
            ],
        )
    ]
    assert write_records(result, platform, skip_invalid=False, actor="pytest").ok


def imported_location() -> Location:
    with scopes_disabled():
        return Location.objects.get(source_id="l1")


@pytest.mark.parametrize("source_coordinates", [{}, {"latitude": 35.3, "longitude": 139.5}])
def test_a_members_pin_survives_a_reimport_of_the_open_data(
    client: Client, olga: Any, kamakura: Any, kamakura_council: Any, source_coordinates: dict[str, float]
) -> None:
    _import(kamakura)
    with scopes_disabled():
        imported = Service.objects.get(source_id="s1")
        imported.organization = kamakura_council  # the member's own listing, first brought by the import
        imported.save()
        MemberOrganisation.objects.create(
            platform=kamakura,
            organization=kamakura_council,
            status=MemberOrganisation.Status.APPROVED,
            name=kamakura_council.name,
            kind=MemberOrganisation.Kind.COUNCIL,
            contact_name="佐藤",
            contact_email="council@example.jp",
            trusted=True,
        )
    client.force_login(olga)
    client.post(f"/kamakura/workspace/listings/{imported.pk}/edit/", form_data(imported, position="35.3181,139.5477"))
    assert imported_location().precision == Location.Precision.EXACT
    _import(kamakura, **source_coordinates)
    place = imported_location()
    assert (place.latitude, place.longitude, place.precision) == (
        Decimal("35.318100"),
        Decimal("139.547700"),
        Location.Precision.EXACT,
    )


def test_a_reimport_keeps_the_point_placed_from_the_address(kamakura: Any) -> None:
    _import(kamakura)
    with scopes_disabled():
        Location.objects.update(
            latitude="35.319000", longitude="139.546000", precision="town", place_label="鎌倉市御成町"
        )
    _import(kamakura)
    place = imported_location()
    assert (place.latitude, place.precision, place.place_label) == (
        Decimal("35.319000"),
        Location.Precision.TOWN,
        "鎌倉市御成町",
    )


def test_the_sources_own_coordinates_follow_the_source(kamakura: Any) -> None:
    _import(kamakura, latitude=35.3, longitude=139.5)
    assert (imported_location().latitude, imported_location().precision) == (Decimal("35.3"), "exact")
    _import(kamakura, latitude=35.31, longitude=139.51)
    assert imported_location().latitude == Decimal("35.31")
    # Dropped by the source: no stale pin; place-locations places the address again.
    _import(kamakura)
    place = imported_location()
    assert place.latitude is None and place.precision == Location.Precision.NONE
