"""Issue 14 §4: coordinators correct listings in the workspace (address and place too) and follow reports up."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from tests.factories import make_service
from tests.membership.rows import edited
from tsunagari.directory.models import Location, Service
from tsunagari.membership.models import ListingChange, ProblemReport
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db


def form_data(service: Service, **changes: Any) -> dict[str, Any]:
    data = {k: v for k, v in edited(service, **changes).items() if v not in (None, False)}
    data["organization"] = service.organization_id
    return data


def test_a_coordinator_corrects_the_address_and_it_is_published_at_once(
    client: Client, alice: Any, olga: Any, membership_rows: dict[str, Any]
) -> None:
    service = membership_rows["service"]
    client.force_login(alice)
    assert client.get(f"/kamakura/workspace/listings/{service.pk}/edit/").status_code == 200
    response = client.post(
        f"/kamakura/workspace/listings/{service.pk}/edit/",
        form_data(service, place_name="鎌倉市福祉センター 2階", postal_code="２４８００１２", address="御成町18-10"),
    )
    assert response.status_code == 302
    with scopes_disabled():
        location = Location.objects.get(service_at_locations__service=service)
        assert (location.name, location.postal_code, location.address_1) == (
            "鎌倉市福祉センター 2階",
            "248-0012",
            "御成町18-10",
        )
        assert location.city == "鎌倉市"
        change = ListingChange.objects.filter(service=service, author=alice).get()
    assert change.status == ListingChange.Status.APPROVED


def test_a_coordinator_cannot_edit_national_open_data_or_another_platforms_listing(
    client: Client, alice: Any, national: Any, tottori: Any, membership_rows: dict[str, Any]
) -> None:
    national_line = make_service(national, "全国の相談電話", phone="0120-000-000")
    theirs = make_service(tottori, "鳥取の窓口", phone="0857-00-0000", organization_name="鳥取の団体")
    client.force_login(alice)
    assert client.get(f"/kamakura/workspace/listings/{national_line.pk}/edit/").status_code == 404
    assert client.get(f"/kamakura/workspace/listings/{theirs.pk}/edit/").status_code == 404


def test_asking_the_organisation_marks_the_report_being_fixed_and_emails_its_administrator(
    client: Client,
    alice: Any,
    olga: Any,
    membership_rows: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    report = membership_rows["report"]
    client.force_login(alice)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/kamakura/workspace/reports/{report.pk}/ask/", {"message": "番号をご確認ください"})
    assert response.status_code == 302
    with scopes_disabled():
        report.refresh_from_db()
    assert report.status == ProblemReport.Status.IN_PROGRESS
    assert [m.to for m in mail.outbox] == [[olga.email]]
    assert "番号をご確認ください" in mail.outbox[0].body and "/edit/" in mail.outbox[0].body
    page = client.get("/kamakura/workspace/reports/").content.decode()
    assert "対応中" in page and f"/kamakura/workspace/listings/{report.service_id}/edit/" in page
    # A report being fixed can still be closed.
    assert client.post(f"/kamakura/workspace/reports/{report.pk}/close/", {"note": "直しました"}).status_code == 302
    with scopes_disabled():
        report.refresh_from_db()
    assert report.status == ProblemReport.Status.CLOSED


@pytest.mark.parametrize(
    ("hours", "warned"),
    [
        ("毎月第2土曜日 14:00〜16:00", False),
        ("月曜日～金曜日 9時～17時", False),
        ("気が向いたときに開けています", True),
    ],
)
def test_a_monthly_group_s_hours_are_read_without_a_warning(
    client: Client, alice: Any, membership_rows: dict[str, Any], hours: str, warned: bool
) -> None:
    service = membership_rows["service"]
    client.force_login(alice)
    response = client.post(
        f"/kamakura/workspace/listings/{service.pk}/edit/", form_data(service, hours_text=hours), follow=True
    )
    assert response.status_code == 200
    assert ("受付時間を時間割として読み取れませんでした" in response.content.decode()) is warned
