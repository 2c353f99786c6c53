"""The Django admin in the audit log: "delete selected" with many rows, single deletions, other actions."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client

from tests.factories import make_service
from tsunagari.audit.admin_site import AuditedAdminMixin
from tsunagari.audit.models import AuditEvent
from tsunagari.directory.models import Service
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db


def events(**filters: Any) -> list[AuditEvent]:
    with scopes_disabled():
        return list(AuditEvent.objects.filter(**filters).order_by("pk"))


def test_deleting_several_rows_at_once_records_each_on_its_platform(client: Client, alice: Any, kamakura: Any) -> None:
    services = [make_service(kamakura, name) for name in ("窓口A", "窓口B", "窓口C")]
    client.force_login(alice)
    response = client.post(
        "/admin/directory/service/",
        {"action": "delete_selected", ACTION_CHECKBOX_NAME: [s.pk for s in services[:2]], "post": "yes"},
        REMOTE_ADDR="192.0.2.80",
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert list(Service.objects.values_list("name", flat=True)) == ["窓口C"]
    deleted = events(action="admin.deleted")
    assert sorted(e.object_repr for e in deleted) == ["窓口A", "窓口B"]
    assert {(e.actor, e.platform, e.object_type, e.ip) for e in deleted} == {
        (alice, kamakura, "directory.service", "192.0.2.80")
    }
    assert sorted(e.object_id for e in deleted) == sorted(str(s.pk) for s in services[:2])


def test_deleting_one_selected_row_is_recorded_once(client: Client, alice: Any, kamakura: Any) -> None:
    service = make_service(kamakura, "窓口A")
    client.force_login(alice)
    client.post(
        "/admin/directory/service/",
        {"action": "delete_selected", ACTION_CHECKBOX_NAME: [service.pk], "post": "yes"},
    )
    (deleted,) = events(action="admin.deleted")
    assert (deleted.object_repr, deleted.platform) == ("窓口A", kamakura)


def test_the_delete_page_is_recorded_too(client: Client, alice: Any, kamakura: Any) -> None:
    service = make_service(kamakura, "窓口A")
    client.force_login(alice)
    response = client.post(f"/admin/directory/service/{service.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    (deleted,) = events(action="admin.deleted")
    assert (deleted.object_type, deleted.object_repr, deleted.platform) == ("directory.service", "窓口A", kamakura)


def test_the_confirmation_page_records_nothing(client: Client, alice: Any, kamakura: Any) -> None:
    services = [make_service(kamakura, name) for name in ("窓口A", "窓口B")]
    client.force_login(alice)
    page = client.post(
        "/admin/directory/service/", {"action": "delete_selected", ACTION_CHECKBOX_NAME: [s.pk for s in services]}
    )
    assert page.status_code == 200
    assert events(action="admin.deleted") == []


def test_other_admin_actions_are_recorded_with_the_rows_they_touched(client: Client, root: Any) -> None:
    from allauth.account.models import EmailAddress

    addresses = [
        EmailAddress.objects.create(user=root, email=f"{n}@example.jp", verified=False, primary=False)
        for n in ("a", "b")
    ]
    client.force_login(root)
    response = client.post(
        "/admin/account/emailaddress/",
        {"action": "make_verified", ACTION_CHECKBOX_NAME: [a.pk for a in addresses]},
    )
    assert response.status_code == 302
    assert EmailAddress.objects.filter(verified=True, email__in=["a@example.jp", "b@example.jp"]).count() == 2
    (action,) = events(action="admin.action")
    assert action.actor == root
    assert action.object_type == "account.emailaddress"
    assert action.changes["action"] == "make_verified"
    assert action.changes["count"] == 2
    assert sorted(action.changes["ids"]) == sorted(str(a.pk) for a in addresses)


def test_coordinators_see_admin_deletions_on_their_audit_page(client: Client, alice: Any, kamakura: Any) -> None:
    services = [make_service(kamakura, name) for name in ("窓口A", "窓口B")]
    client.force_login(alice)
    client.post(
        "/admin/directory/service/",
        {"action": "delete_selected", ACTION_CHECKBOX_NAME: [s.pk for s in services], "post": "yes"},
    )
    page = client.get("/kamakura/workspace/audit/", {"action": "admin.deleted"})
    assert page.status_code == 200
    assert len(page.context["page"].object_list) == 2


def test_every_registered_admin_is_audited() -> None:
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, AuditedAdminMixin), model
