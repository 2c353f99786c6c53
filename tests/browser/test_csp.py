"""The main pages work under the Content-Security-Policy: no violation reported in Chromium (issue 10 item 8)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.accounts.personas import (
    PASSWORD,
    root,  # noqa: F401
    totp_code,
)
from tests.browser.test_portal import (
    portal,  # noqa: F401
    stub_outside,
)

pytestmark = pytest.mark.django_db(transaction=True)

# Registered before any page script runs (Playwright injects it outside the page's policy).
WATCH = (
    "window.__csp = [];"
    "document.addEventListener('securitypolicyviolation',"
    " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber));"
)


def watched(page: Any) -> list[str]:
    """Violations the page reported, from the DOM event and from the console."""
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text) if "Content Security Policy" in m.text else None)
    page.add_init_script(WATCH)
    page.set_default_timeout(30_000)  # the test machine is shared
    return messages


def visit(page: Any, url: str, console: list[str], wait_for: str = "main") -> list[str]:
    page.goto(url)
    page.wait_for_selector(wait_for)
    page.wait_for_load_state("networkidle")
    return [*page.evaluate("window.__csp"), *console]


def test_the_portal_and_the_map_run_under_the_policy(
    live_server: Any, page: Any, request: pytest.FixtureRequest
) -> None:
    service = request.getfixturevalue("portal")["service"]
    stub_outside(page)
    console = watched(page)
    base = live_server.url
    seen: dict[str, list[str]] = {}
    for path, wait_for in [
        ("/", "main"),
        ("/kamakura/", "main"),
        ("/kamakura/search/?q=ひきこもり", "main"),
        (f"/kamakura/services/{service.pk}/", "main"),
        ("/kamakura/map/", "#map[data-markers] .leaflet-tile-loaded"),
        ("/kamakura/chat/", "main"),
        ("/kamakura/events/", "main"),
        ("/accounts/login/", "main"),
    ]:
        seen[path] = visit(page, base + path, console, wait_for)
        console.clear()
    assert {path: found for path, found in seen.items() if found} == {}
    # The scripts did run: Leaflet drew the tiles and the marker from the fetched GeoJSON.
    page.goto(base + "/kamakura/map/")
    page.wait_for_selector("#map[data-markers='1'] .leaflet-marker-icon")


def test_sign_in_the_workspace_and_the_admin_run_under_the_policy(
    live_server: Any, page: Any, request: pytest.FixtureRequest
) -> None:
    superuser = request.getfixturevalue("root")
    service = request.getfixturevalue("portal")["service"]
    console = watched(page)
    base = live_server.url
    page.goto(base + "/admin/")
    page.locator("input[name=login]").fill(superuser.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    page.locator("input[name=code]").fill(totp_code(superuser))
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_url("**/admin/")
    seen: dict[str, list[str]] = {}
    for path, wait_for in [
        ("/admin/", "#content"),
        ("/admin/directory/service/", "#changelist"),
        ("/admin/directory/service/add/", "form"),
        (f"/admin/directory/service/{service.pk}/change/", "form"),
        (f"/admin/directory/service/{service.pk}/history/", "#content"),
        ("/kamakura/workspace/", "main"),
        ("/kamakura/workspace/events/new/", "main"),
        ("/accounts/2fa/", "main"),
    ]:
        seen[path] = visit(page, base + path, console, wait_for)
        console.clear()
    assert {path: found for path, found in seen.items() if found} == {}
    # The admin's own scripts ran (they add the "show all"/date shortcuts and collapse fieldsets).
    page.goto(base + "/admin/directory/service/")
    assert page.evaluate("typeof window.django") == "object"


def test_the_two_factor_set_up_shows_its_qr_code_under_the_policy(live_server: Any, page: Any, kamakura: Any) -> None:
    from tsunagari.accounts.models import User

    User.objects.create_superuser("fresh", "fresh@example.jp", PASSWORD)
    console = watched(page)
    page.goto(live_server.url + "/admin/")
    page.locator("input[name=login]").fill("fresh@example.jp")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_url("**/2fa/totp/activate/**")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.querySelector('img.totp-qr').naturalWidth") > 0
    assert [*page.evaluate("window.__csp"), *console] == []
