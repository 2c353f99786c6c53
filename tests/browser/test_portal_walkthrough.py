"""A resident walks from the national root to a platform's portal and a window's call link."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import make_service

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_resident_reaches_a_call_link_from_the_national_root(live_server: Any, page: Any, kamakura: Any) -> None:
    service = make_service(kamakura, "鎌倉市ひきこもり相談", phone="0467-61-3938")
    page.goto(live_server.url + "/")
    page.get_by_role("link", name=kamakura.name).click()
    page.get_by_role("link", name="鎌倉市ひきこもり相談").click()
    assert page.url.endswith(f"/kamakura/services/{service.pk}/")
    call = page.locator("a[href^='tel:']", has_text="0467-61-3938")
    assert call.get_attribute("href") == "tel:0467613938"


def test_the_emergency_strip_is_on_every_portal_page(live_server: Any, page: Any, kamakura: Any, national: Any) -> None:
    from tsunagari.directory.models import CrisisLine

    CrisisLine.objects.create(
        platform=national, label="子どもの虐待", number="189", phone_href="tel:189", is_primary=True, kinds=["child"]
    )
    service = make_service(kamakura)
    for path in ("/", "/kamakura/", f"/kamakura/services/{service.pk}/"):
        page.goto(live_server.url + path)
        strip = page.locator("aside.emergency")
        assert strip.is_visible()
        assert strip.locator("a[href='tel:189']").count() == 1
