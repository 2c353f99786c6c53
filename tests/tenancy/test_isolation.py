"""Tenant isolation: a second platform's drafts, staff pages and data never leak."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_scopes.exceptions import ScopeError

from tests.factories import make_service
from tsunagari.directory.models import Service
from tsunagari.tenancy.scoping import platform_scope

pytestmark = pytest.mark.django_db


def test_a_query_without_a_scope_fails_loudly(kamakura: Any) -> None:
    make_service(kamakura)
    with pytest.raises(ScopeError):
        list(Service.objects.all())


def test_a_platform_scope_sees_only_its_own_rows(kamakura: Any, tottori: Any, national: Any) -> None:
    mine = make_service(kamakura, "鎌倉の窓口")
    theirs = make_service(tottori, "鳥取の窓口")
    with platform_scope(kamakura):
        names = set(Service.objects.values_list("name", flat=True))
    assert mine.name in names
    assert theirs.name not in names


def test_it_hides_other_platforms_drafts_on_the_portal(client: Client, kamakura: Any, tottori: Any) -> None:
    draft = make_service(tottori, "鳥取の下書き", publication=Service.Publication.DRAFT)
    published = make_service(tottori, "鳥取の公開窓口")
    assert client.get(f"/kamakura/services/{published.pk}/").status_code == 404
    assert client.get(f"/tottori-pref/services/{draft.pk}/").status_code == 404
    assert client.get(f"/tottori-pref/services/{published.pk}/").status_code == 200
    assert "鳥取の公開窓口" not in client.get("/kamakura/").content.decode()


def test_staff_pages_are_404_for_outsiders(client: Client, alice: Any, charlie: Any, kamakura: Any) -> None:
    client.force_login(charlie)
    assert client.get("/kamakura/staff/").status_code == 404
    client.force_login(alice)
    assert client.get("/kamakura/staff/").status_code == 200


def test_staff_pages_are_404_for_anonymous_visitors(client: Client, kamakura: Any) -> None:
    assert client.get("/kamakura/staff/").status_code == 404


def test_the_admin_lists_only_the_coordinators_platform(
    client: Client, alice: Any, kamakura: Any, tottori: Any
) -> None:
    make_service(kamakura, "鎌倉の窓口")
    other = make_service(tottori, "鳥取の窓口")
    client.force_login(alice)
    page = client.get("/admin/directory/service/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "鎌倉の窓口" in body
    assert "鳥取の窓口" not in body
    assert client.get(f"/admin/directory/service/{other.pk}/change/").status_code in (302, 404)
