"""What a resident does on the portal, in Chromium: search, call, map, quick exit, keyboard, axe."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings

from tests.factories import make_service
from tsunagari.directory.models import CrisisLine, Location, Service, ServiceProgram, SupportProgram
from tsunagari.search.index import reindex_services
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db(transaction=True)

# A 1×1 PNG stands in for map tiles: the test machine has no internet, and the test is about our
# page, not the tile server.
TILE = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}


@pytest.fixture
def portal(kamakura: Any, national: Any) -> dict[str, Any]:
    with scopes_disabled():
        CrisisLine.objects.create(
            platform=national,
            label="子どもの虐待",
            number="189",
            phone_href="tel:189",
            is_primary=True,
            kinds=["child"],
            availability="24時間",
        )
    service = make_service(kamakura, "引きこもり相談窓口", phone="0467-61-3938")
    other = make_service(kamakura, "フードバンク鎌倉", needs=("food",), phone="0467-00-0000")
    with scopes_disabled():
        Location.objects.filter(service_at_locations__service=service).update(
            latitude=35.319, longitude=139.5467, precision="exact"
        )
        # A window known only to its town: a circle 「鎌倉市大船付近 1件」, never a pin (issue 9 item 12).
        Location.objects.filter(service_at_locations__service=other).update(
            latitude=35.35, longitude=139.53, precision="town", place_label="鎌倉市大船"
        )
        # A programme the window handles, and one no window names (the programmes page's two cases).
        for name, need, at in (("生活福祉資金貸付制度", "money", other), ("障害年金", "disability", None)):
            program = SupportProgram.objects.create(
                platform=national,
                name=name,
                need=need,
                alternate_name=f"{name}のやさしい説明",
                application_process="市区町村の窓口で相談してください。",
                source_url="https://www.mhlw.go.jp/",
                source_publisher="厚生労働省",
                publication=Service.Publication.PUBLISHED,
            )
            if at is not None:
                ServiceProgram.objects.create(platform=national, program=program, service=at)
    reindex_services([service.pk, other.pk])
    return {"service": service, "other": other}


def stub_outside(page: Any) -> None:
    page.route("https://cyberjapandata.gsi.go.jp/**", lambda route: route.fulfill(body=TILE, content_type="image/png"))
    page.route(
        settings.QUICK_EXIT_URL + "**",
        lambda route: route.fulfill(
            body="<html><title>天気予報</title><body>天気</body></html>", content_type="text/html"
        ),
    )


def test_the_national_map_opens_a_prefecture_when_its_circle_is_chosen(
    live_server: Any, page: Any, national: Any
) -> None:
    kamakura_window = make_service(national, "鎌倉の相談", municipality="142042")
    kyoto_window = make_service(national, "京都の相談", municipality="261009", phone="075-000-0000")
    with scopes_disabled():
        Location.objects.filter(service_at_locations__service=kamakura_window).update(
            latitude=35.319, longitude=139.546, precision="town", place_label="鎌倉市御成町"
        )
        Location.objects.filter(service_at_locations__service=kyoto_window).update(
            latitude=35.0116, longitude=135.7681, precision="exact"
        )
    stub_outside(page)
    page.goto(live_server.url + "/zenkoku/map/")
    page.wait_for_selector("#map[data-regions='2']")
    assert page.locator("path.map-prefecture").count() == 2
    assert page.locator(".leaflet-marker-icon").count() == 0  # no window downloaded yet
    page.locator("path.map-prefecture").last.click(force=True)
    page.wait_for_selector("#map[data-regions='1']")
    # One prefecture opened: its window is drawn (a pin in Kyoto, or a town circle in Kamakura).
    assert page.locator(".leaflet-marker-icon").count() + page.locator("path.map-town").count() == 1


def test_search_then_detail_then_call_link(live_server: Any, page: Any, portal: dict[str, Any]) -> None:
    page.goto(live_server.url + "/kamakura/")
    page.get_by_label("What is troubling you?").or_(page.locator("#q")).first.fill("ひきこもり")
    page.locator("form.search button[type=submit]").first.click()
    page.get_by_role("link", name="引きこもり相談窓口").click()
    assert page.url.endswith(f"/kamakura/services/{portal['service'].pk}/")
    assert page.locator("a[href='tel:0467613938']").is_visible()
    assert page.locator("aside.emergency a[href='tel:189']").is_visible()


def test_the_map_shows_clustered_markers(live_server: Any, page: Any, portal: dict[str, Any]) -> None:
    stub_outside(page)
    page.goto(live_server.url + "/kamakura/map/")
    page.wait_for_selector("#map[data-markers]")
    assert page.locator("#map").get_attribute("data-markers") == "1"
    assert page.locator(".leaflet-marker-icon").count() == 1
    assert page.locator("#map").get_attribute("data-areas") == "1"
    assert page.locator("path.map-town").count() == 1


def test_quick_exit_leaves_and_replaces_the_page_in_history(
    live_server: Any, page: Any, portal: dict[str, Any]
) -> None:
    stub_outside(page)
    page.goto(live_server.url + "/kamakura/")
    page.goto(live_server.url + f"/kamakura/services/{portal['service'].pk}/")
    page.locator("[data-quick-exit]").click()
    page.wait_for_url(settings.QUICK_EXIT_URL + "**")
    page.go_back()
    # The service page was replaced: Back leads to the page before it, not to the window's page.
    assert page.url == live_server.url + "/kamakura/"


def test_a_keyboard_alone_reaches_a_call_link(live_server: Any, page: Any, portal: dict[str, Any]) -> None:
    page.goto(live_server.url + "/kamakura/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.locator("#q").focus()
    page.keyboard.type("フードバンク")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/**")
    link = page.get_by_role("link", name="フードバンク鎌倉")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/services/{portal['other'].pk}/")
    call = page.locator("a[href='tel:0467000000']")
    call.focus()
    assert page.evaluate("document.activeElement.getAttribute('href')") == "tel:0467000000"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/kamakura/",
        "/kamakura/search/?q=ひきこもり",
        "/kamakura/search/?q=障害年金",
        "DETAIL",
        "/kamakura/map/",
        "/kamakura/programmes/",
        "/zenkoku/programmes/?place=どこにもない町",
    ],
)
def test_main_pages_have_no_axe_violations(live_server: Any, page: Any, portal: dict[str, Any], path: str) -> None:
    stub_outside(page)
    if path == "DETAIL":
        path = f"/kamakura/services/{portal['service'].pk}/"
    page.goto(live_server.url + path)
    results = Axe().run(page, options=WCAG_AA)
    assert results.violations_count == 0, results.generate_report()


def tab_to(page: Any, selector: str, limit: int = 80) -> None:
    """Press Tab until the focus is on an element matching `selector` (fails after `limit` presses)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_the_maps_circles_and_pins_open_by_keyboard_with_a_visible_focus(
    live_server: Any, page: Any, portal: dict[str, Any]
) -> None:
    stub_outside(page)
    page.goto(live_server.url + "/kamakura/map/")
    page.wait_for_selector("#map[data-areas='1']")
    # The town circle 「鎌倉市大船付近 1件」: reached by Tab, named, drawn with a focus ring, opened by Enter.
    tab_to(page, "path.map-town")
    circle = page.locator("path.map-town")
    assert circle.get_attribute("role") == "button"
    assert "鎌倉市大船" in (circle.get_attribute("aria-label") or "")
    assert page.evaluate("getComputedStyle(document.activeElement).stroke") == "rgb(242, 169, 0)"
    page.keyboard.press("Enter")
    popup_link = page.locator(".leaflet-popup a", has_text="フードバンク鎌倉")
    popup_link.wait_for()
    assert page.evaluate("document.activeElement.textContent") == "フードバンク鎌倉"
    page.keyboard.press("Escape")
    page.locator(".leaflet-popup").wait_for(state="detached")  # after Leaflet's fade
    assert page.evaluate("document.activeElement.matches('path.map-town')")
    # The exact pin: Leaflet's own button; Enter opens its popup, whose link takes the focus.
    tab_to(page, ".leaflet-marker-icon")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineColor") == "rgb(242, 169, 0)"
    page.keyboard.press("Enter")
    page.wait_for_timeout(900)  # two presses of Escape within 0.8 s are the quick exit (portal.js)
    page.locator(".leaflet-popup a", has_text="引きこもり相談窓口").wait_for()
    assert page.evaluate("document.activeElement.textContent") == "引きこもり相談窓口"
    page.keyboard.press("Escape")
    page.locator(".leaflet-popup").wait_for(state="detached")  # after Leaflet's fade
    assert page.evaluate("document.activeElement.matches('.leaflet-marker-icon')")


def test_the_national_maps_prefecture_circles_open_by_keyboard(live_server: Any, page: Any, national: Any) -> None:
    kamakura_window = make_service(national, "鎌倉の相談", municipality="142042")
    kyoto_window = make_service(national, "京都の相談", municipality="261009", phone="075-000-0000")
    with scopes_disabled():
        Location.objects.filter(service_at_locations__service=kamakura_window).update(
            latitude=35.319, longitude=139.546, precision="town", place_label="鎌倉市御成町"
        )
        Location.objects.filter(service_at_locations__service=kyoto_window).update(
            latitude=35.0116, longitude=135.7681, precision="exact"
        )
    stub_outside(page)
    page.goto(live_server.url + "/zenkoku/map/")
    page.wait_for_selector("#map[data-regions='2']")
    tab_to(page, "path.map-prefecture")
    label = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert "京都府" in label or "神奈川県" in label
    page.keyboard.press("Enter")
    page.wait_for_selector("#map[data-regions='1']")
    # The prefecture's window is drawn, and the focus waits on the map for the next Tab.
    assert page.locator(".leaflet-marker-icon").count() + page.locator("path.map-town").count() == 1
    assert page.evaluate("document.activeElement.id") == "map"


def test_without_javascript_the_map_page_shows_no_empty_map_box(
    live_server: Any, browser: Any, portal: dict[str, Any]
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False, locale="ja-JP")
    page = context.new_page()
    for path in ("/kamakura/map/", f"/kamakura/services/{portal['service'].pk}/"):
        page.goto(live_server.url + path)
        assert page.locator("#map").count() == 1
        assert not page.locator("#map").is_visible(), path
    page.goto(live_server.url + "/kamakura/map/")
    assert page.locator(".map-list a", has_text="引きこもり相談窓口").is_visible()
    context.close()
