"""Residents report a problem with a listing; coordinators and the organisation close it with a note."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from tests.factories import make_service
from tests.membership.rows import council_service
from tsunagari.audit.models import AuditEvent
from tsunagari.membership.models import ProblemReport
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db


def test_a_resident_reports_without_giving_a_name(
    client: Client,
    kamakura: Any,
    kamakura_council: Any,
    alice: Any,
    olga: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    service = council_service(kamakura, kamakura_council)
    detail = client.get(f"/kamakura/services/{service.pk}/").content.decode()
    assert f"/kamakura/services/{service.pk}/report/" in detail
    form = client.get(f"/kamakura/services/{service.pk}/report/")
    assert form.status_code == 200
    assert 'name="name"' not in form.content.decode() and 'name="email"' not in form.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/kamakura/services/{service.pk}/report/", {"kind": "phone", "text": "番号が使われていません。"}
        )
    assert response.status_code == 302
    assert response["Location"] == f"/kamakura/services/{service.pk}/"
    with scopes_disabled():
        report = ProblemReport.objects.get()
    assert report.platform == kamakura and report.service == service
    assert report.reported_by is None
    # The coordinators and the organisation's administrator hear of it.
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.jp", "olga@example.jp"]
    # The thank-you shows on the service page.
    page = client.get(response["Location"])
    assert list(page.context["messages"])


def test_reports_are_checked_and_limited(client: Client, kamakura: Any, settings: Any) -> None:
    service = make_service(kamakura)
    url = f"/kamakura/services/{service.pk}/report/"
    response = client.post(url, {"kind": "nonsense", "text": "x"})
    assert response.status_code == 400
    assert "kind" in response.context["form"].errors
    response = client.post(url, {"kind": "other", "text": "長" * 2001})
    assert response.status_code == 400
    settings.REPORT_RATE = "1/h"
    client.post(url, {"kind": "other"})
    assert client.post(url, {"kind": "other"}).status_code == 429
    assert Client(enforce_csrf_checks=True).post(url, {"kind": "other"}).status_code == 403


def test_a_listing_not_on_this_portal_cannot_be_reported_here(client: Client, kamakura: Any, tottori: Any) -> None:
    theirs = make_service(tottori, "鳥取の窓口")
    draft = make_service(kamakura, "下書き", publication="draft")
    for service in (theirs, draft):
        assert client.get(f"/kamakura/services/{service.pk}/report/").status_code == 404
        assert client.post(f"/kamakura/services/{service.pk}/report/", {"kind": "other"}).status_code == 404
    with scopes_disabled():
        assert not ProblemReport.objects.exists()


def test_open_data_reports_reach_the_coordinators_only(
    client: Client, kamakura: Any, national: Any, alice: Any, olga: Any, django_capture_on_commit_callbacks: Any
) -> None:
    open_data = make_service(national, "国の窓口", municipality="142042")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/kamakura/services/{open_data.pk}/report/", {"kind": "hours"}).status_code == 302
    assert [m.to[0] for m in mail.outbox] == ["alice@example.jp"]
    client.force_login(alice)
    assert "国の窓口" in client.get("/kamakura/workspace/reports/").content.decode()
    client.force_login(olga)
    assert "国の窓口" not in client.get("/kamakura/workspace/reports/").content.decode()


def test_the_organisation_closes_its_report_with_a_note(
    client: Client, olga: Any, membership_rows: dict[str, Any]
) -> None:
    report = membership_rows["report"]
    client.force_login(olga)
    assert "社協 よりそい相談" in client.get("/kamakura/workspace/reports/").content.decode()
    url = f"/kamakura/workspace/reports/{report.pk}/close/"
    response = client.post(url, {"note": ""}, follow=True)
    assert any(m.level_tag == "error" for m in response.context["messages"])
    assert client.post(url, {"note": "電話番号を直しました。"}).status_code == 302
    with scopes_disabled():
        report.refresh_from_db()
        assert AuditEvent.objects.filter(action="report.closed", actor=olga).exists()
    assert report.status == ProblemReport.Status.CLOSED
    assert report.note == "電話番号を直しました。" and report.closed_by == olga
    # Closing twice is refused.
    response = client.post(url, {"note": "again"}, follow=True)
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_other_organisations_and_platforms_cannot_close_it(
    client: Client, charlie: Any, kamakura: Any, membership_rows: dict[str, Any]
) -> None:
    from tests.conftest import make_user, with_totp
    from tsunagari.accounts.models import Membership, Role

    report = membership_rows["report"]
    other_org = make_service(kamakura, "別の窓口", organization_name="NPO法人 となり").organization
    stranger = with_totp(make_user("stranger"))
    Membership.objects.create(user=stranger, platform=kamakura, role=Role.ORG_ADMIN, organization=other_org)
    client.force_login(stranger)
    assert client.post(f"/kamakura/workspace/reports/{report.pk}/close/", {"note": "x"}).status_code == 404
    client.force_login(charlie)
    assert client.post(f"/tottori-pref/workspace/reports/{report.pk}/close/", {"note": "x"}).status_code == 404
    with scopes_disabled():
        report.refresh_from_db()
    assert report.status == ProblemReport.Status.OPEN
