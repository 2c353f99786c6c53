"""Member organisations edit their listings; coordinators see a diff and publish it."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from tests.conftest import make_user, with_totp
from tests.factories import make_service
from tests.membership.rows import council_service, edited
from tsunagari.accounts.models import Membership, Role
from tsunagari.audit.models import AuditEvent
from tsunagari.directory.models import Channel, Organization, Schedule, Service
from tsunagari.membership import actions, listings
from tsunagari.membership.models import ListingChange, MemberOrganisation
from tsunagari.tenancy.scoping import platform_scope, scopes_disabled

pytestmark = pytest.mark.django_db


def form_data(service: Service, **changes: Any) -> dict[str, Any]:
    """The edit form as the browser sends it: the current values, with `changes`."""
    values = edited(service, **changes)
    data: dict[str, Any] = {"organization": str(service.organization_id)}
    for name, value in values.items():
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is None:
            data[name] = ""
        else:
            data[name] = value
    return data


@pytest.fixture
def service(kamakura: Any, kamakura_council: Any) -> Service:
    return council_service(kamakura, kamakura_council)


def test_an_administrator_proposes_and_a_coordinator_publishes(
    client: Client,
    olga: Any,
    alice: Any,
    kamakura: Any,
    service: Service,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(olga)
    page = client.get(f"/kamakura/workspace/listings/{service.pk}/edit/")
    assert page.status_code == 200
    assert "0467-24-0000" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/kamakura/workspace/listings/{service.pk}/edit/",
            form_data(
                service,
                phone="０４６７－９９－１２３４",
                hours_text="月曜日～金曜日 9時～17時",
                closed_days_text="祝日・年末年始",
                anonymous=True,
                targets=["youth"],
            ),
        )
    assert response.status_code == 302
    with scopes_disabled():
        change = ListingChange.objects.get()
        service.refresh_from_db()
        # Nothing is published before approval.
        assert Channel.objects.get(service=service, kind=Channel.Kind.PHONE).value == "0467-24-0000"
    assert change.status == ListingChange.Status.PENDING
    assert change.author == olga
    assert change.after["phone"] == "0467-99-1234"
    assert listings.changed_fields(change.before, change.after) == [
        "phone",
        "hours_text",
        "closed_days_text",
        "targets",
        "anonymous",
    ]
    # The coordinators hear of it, with the diff in the e-mail.
    (message,) = mail.outbox
    assert message.to == ["alice@example.jp"]
    assert "0467-24-0000" in message.body and "0467-99-1234" in message.body

    client.force_login(alice)
    page = client.get(f"/kamakura/workspace/listings/changes/{change.pk}/")
    body = page.content.decode()
    assert [row.name for row in page.context["changes"]] == [
        "phone",
        "hours_text",
        "closed_days_text",
        "targets",
        "anonymous",
    ]
    assert "<del>0467-24-0000</del>" in body and "<ins>0467-99-1234</ins>" in body
    assert "若者" in body  # target groups by their Japanese label, not their code

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/kamakura/workspace/listings/changes/{change.pk}/approve/", {"note": "ありがとうございます"}
        )
    assert response.status_code == 302
    with scopes_disabled():
        change.refresh_from_db()
        service.refresh_from_db()
        phone = Channel.objects.get(service=service, kind=Channel.Kind.PHONE)
        schedules = list(Schedule.objects.filter(service=service))
        latest = service.history.first()
        codes = set(service.terms.values_list("code", flat=True))
        assert AuditEvent.objects.filter(action="listing.approved", actor=alice, platform=kamakura).exists()
    assert change.status == ListingChange.Status.APPROVED and change.reviewer == alice
    assert phone.value == "0467-99-1234"
    assert phone.history.first().history_user == alice
    assert latest.history_user == alice
    assert latest.history_change_reason.startswith("掲載変更の承認")
    assert service.hours_parsed is True
    assert [(s.byday, s.opens_at, s.closes_at) for s in schedules] == [
        ("MO,TU,WE,TH,FR", datetime.time(9), datetime.time(17))
    ]
    assert schedules[0].closed_on_holidays and schedules[0].closed_year_end
    assert {"anonymous", "youth", "hikikomori"} <= codes
    assert service.last_verified_on == timezone.localdate()
    assert service.last_verified_by == "鎌倉市社会福祉協議会"
    (message,) = mail.outbox
    assert message.to == ["olga@example.jp"]
    # Residents see it.
    portal = Client().get(f"/kamakura/services/{service.pk}/").content.decode()
    assert "0467-99-1234" in portal and "0467-24-0000" not in portal


def test_hours_that_cannot_be_read_keep_their_words_and_no_schedule(
    client: Client, olga: Any, alice: Any, kamakura: Any, service: Service
) -> None:
    client.force_login(olga)
    response = client.post(
        f"/kamakura/workspace/listings/{service.pk}/edit/",
        form_data(service, hours_text="お電話でお問い合わせください"),
        follow=True,
    )
    assert any(m.level_tag == "warning" for m in response.context["messages"])
    with scopes_disabled():
        change = ListingChange.objects.get()
    with platform_scope(kamakura, with_national=False):
        actions.approve_listing_change(change, actor=alice)
    with scopes_disabled():
        service.refresh_from_db()
        assert not Schedule.objects.filter(service=service).exists()
    assert service.hours_text == "お電話でお問い合わせください"
    assert service.hours_parsed is False


def test_bad_input_is_named_and_kept(client: Client, olga: Any, service: Service) -> None:
    client.force_login(olga)
    response = client.post(
        f"/kamakura/workspace/listings/{service.pk}/edit/",
        form_data(service, name="", phone="電話してね", email="nope", minimum_age=40, maximum_age=18),
    )
    assert response.status_code == 400
    assert {"name", "phone", "email", "maximum_age"} <= set(response.context["form"].errors)
    assert "電話してね" in response.content.decode()
    with scopes_disabled():
        assert not ListingChange.objects.exists()


def test_saving_without_a_change_says_so(client: Client, olga: Any, service: Service) -> None:
    client.force_login(olga)
    response = client.post(f"/kamakura/workspace/listings/{service.pk}/edit/", form_data(service))
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    with scopes_disabled():
        assert not ListingChange.objects.exists()


def test_a_second_edit_updates_the_waiting_change(client: Client, olga: Any, service: Service) -> None:
    client.force_login(olga)
    url = f"/kamakura/workspace/listings/{service.pk}/edit/"
    client.post(url, form_data(service, phone="0467-11-1111"))
    # The form starts from the waiting change.
    assert "0467-11-1111" in client.get(url).content.decode()
    client.post(url, form_data(service, phone="0467-22-2222"))
    with scopes_disabled():
        (change,) = ListingChange.objects.all()
    assert change.after["phone"] == "0467-22-2222"
    assert change.before["phone"] == "0467-24-0000"


def test_a_trusted_member_publishes_at_once_and_it_is_recorded(
    client: Client, olga: Any, kamakura: Any, kamakura_council: Any, service: Service
) -> None:
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
    client.force_login(olga)
    client.post(f"/kamakura/workspace/listings/{service.pk}/edit/", form_data(service, name="よりそい相談（新）"))
    with scopes_disabled():
        change = ListingChange.objects.get()
        service.refresh_from_db()
        event = AuditEvent.objects.get(action="listing.published")
    assert change.status == ListingChange.Status.APPROVED and change.published_at_once
    assert change.reviewer is None
    assert service.name == "よりそい相談（新）"
    assert service.history.first().history_user == olga
    assert event.actor == olga


def test_an_administrator_adds_a_new_listing(
    client: Client, olga: Any, alice: Any, kamakura: Any, kamakura_council: Any
) -> None:
    client.force_login(olga)
    assert client.get("/kamakura/workspace/listings/new/").status_code == 200
    data = {
        "organization": str(kamakura_council.pk),
        "name": "ヤングケアラー交流会",
        "status": "active",
        "phone": "0467-00-1111",
        "needs": ["young_carer"],
        "free": "on",
    }
    assert client.post("/kamakura/workspace/listings/new/", data).status_code == 302
    with scopes_disabled():
        change = ListingChange.objects.get()
    assert change.is_new_listing and change.service is None
    with platform_scope(kamakura, with_national=False):
        actions.approve_listing_change(change, actor=alice)
    with scopes_disabled():
        change.refresh_from_db()
        service = change.service
        assert service is not None
        assert service.platform == kamakura and service.organization == kamakura_council
        assert service.publication == Service.Publication.PUBLISHED
        assert service.service_areas.get().municipality_id == "142042"
        assert set(service.terms.values_list("code", flat=True)) == {"young_carer", "free"}
    assert Client().get(f"/kamakura/services/{service.pk}/").status_code == 200


def test_only_the_organisations_own_listings_can_be_edited(
    client: Client, olga: Any, kamakura: Any, national: Any, service: Service
) -> None:
    others = make_service(kamakura, "他団体の窓口", organization_name="別のNPO")
    open_data = make_service(national, "国の窓口", municipality="142042")
    client.force_login(olga)
    for target in (others, open_data):
        assert client.get(f"/kamakura/workspace/listings/{target.pk}/edit/").status_code == 404
        assert client.post(f"/kamakura/workspace/listings/{target.pk}/edit/", form_data(service)).status_code == 404
    # Forging the organisation of a new listing does not help either.
    with scopes_disabled():
        stranger = Organization.objects.get(name="別のNPO")
    response = client.post(
        "/kamakura/workspace/listings/new/", {"organization": stranger.pk, "name": "x", "status": "active"}
    )
    assert response.status_code == 400
    with scopes_disabled():
        assert not ListingChange.objects.exists()


def test_the_action_refuses_national_rows(kamakura: Any, national: Any, olga: Any, kamakura_council: Any) -> None:
    open_data = make_service(national, "国の窓口")
    with scopes_disabled(), pytest.raises(ValueError):
        actions.propose_listing_change(
            organization=kamakura_council, service=open_data, after=edited(open_data, name="x"), author=olga
        )


def test_an_administrator_of_two_organisations_edits_both(
    client: Client, olga: Any, kamakura: Any, kamakura_council: Any, service: Service
) -> None:
    other = make_service(kamakura, "別団体の窓口", organization_name="NPO法人 となり")
    Membership.objects.create(user=olga, platform=kamakura, role=Role.ORG_ADMIN, organization=other.organization)
    client.force_login(olga)
    assert client.get(f"/kamakura/workspace/listings/{other.pk}/edit/").status_code == 200
    listing_page = client.get("/kamakura/workspace/listings/").content.decode()
    assert "別団体の窓口" in listing_page and "社協 よりそい相談" in listing_page


def test_rejecting_needs_a_note_and_leaves_the_listing(
    client: Client, alice: Any, membership_rows: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    change = membership_rows["change"]
    client.force_login(alice)
    url = f"/kamakura/workspace/listings/changes/{change.pk}/reject/"
    assert client.post(url, {"note": ""}).status_code == 400
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"note": "番号の根拠を教えてください。"}).status_code == 302
    with scopes_disabled():
        change.refresh_from_db()
        phone = Channel.objects.get(service=membership_rows["service"], kind=Channel.Kind.PHONE)
    assert change.status == ListingChange.Status.REJECTED
    assert phone.value == "0467-24-0000"
    (message,) = mail.outbox
    assert "番号の根拠を教えてください。" in message.body
    # Deciding twice is refused.
    response = client.post(f"/kamakura/workspace/listings/changes/{change.pk}/approve/", follow=True)
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_a_coordinator_sees_when_the_listing_moved_on(
    client: Client, alice: Any, membership_rows: dict[str, Any]
) -> None:
    with scopes_disabled():
        phone = Channel.objects.get(service=membership_rows["service"], kind=Channel.Kind.PHONE)
        phone.value = "0467-55-5555"
        phone.save()
    client.force_login(alice)
    page = client.get(f"/kamakura/workspace/listings/changes/{membership_rows['change'].pk}/")
    (row,) = page.context["changes"]
    assert row.now == "0467-55-5555"


def test_an_administrator_sees_only_their_organisations_changes(
    client: Client, kamakura: Any, membership_rows: dict[str, Any]
) -> None:
    other_org = make_service(kamakura, "別の窓口", organization_name="NPO法人 となり").organization
    stranger = with_totp(make_user("stranger"))
    Membership.objects.create(user=stranger, platform=kamakura, role=Role.ORG_ADMIN, organization=other_org)
    client.force_login(stranger)
    assert client.get(f"/kamakura/workspace/listings/changes/{membership_rows['change'].pk}/").status_code == 404
    assert "社協 よりそい相談" not in client.get("/kamakura/workspace/listings/").content.decode()


def test_the_review_queue_costs_a_fixed_number_of_queries(
    client: Client,
    alice: Any,
    olga: Any,
    kamakura: Any,
    kamakura_council: Any,
    django_assert_max_num_queries: Any,
) -> None:
    for n in range(8):
        service = council_service(kamakura, kamakura_council, name=f"窓口{n}")
        with platform_scope(kamakura, with_national=False):
            actions.propose_listing_change(
                organization=kamakura_council,
                service=service,
                after=edited(service, name=f"新しい窓口{n}"),
                author=olga,
            )
    client.force_login(alice)
    with django_assert_max_num_queries(12):
        assert client.get("/kamakura/workspace/listings/").status_code == 200
