"""A coordinator creates a public event; residents find it on the portal, register, and the waiting list works."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from tests.accounts.personas import PASSWORD, totp_code

pytestmark = pytest.mark.django_db(transaction=True)

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}


def sign_in(page: Any, base: str, user: Any, then: str) -> None:
    page.goto(base + then)
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    page.locator("input[name=code]").fill(totp_code(user))
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_url("**" + then)


def register(page: Any, base: str, name: str, email: str) -> str:
    """A resident opens the portal, follows the event from the home page and registers; returns their page."""
    page.goto(base + "/kamakura/")
    page.locator(".upcoming-events").get_by_role("link", name="孤独・孤立を考えるフォーラム").click()
    page.locator("input[name=name]").fill(name)
    page.locator("input[name=email]").fill(email)
    page.locator("form.registration button[type=submit]").click()
    page.wait_for_url("**/kamakura/events/registration/**")
    return str(page.url)


def test_create_a_public_event_register_and_the_waiting_list(
    live_server: Any, browser: Any, page: Any, kamakura: Any, alice: Any
) -> None:
    base = live_server.url
    day = timezone.localdate() + datetime.timedelta(days=10)

    # 1. The coordinator creates a public forum with one seat.
    coordinator = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP").new_page()
    sign_in(coordinator, base, alice, "/kamakura/workspace/events/")
    coordinator.locator("a[href='/kamakura/workspace/events/new/']").click()
    coordinator.locator("select[name=kind]").select_option("public_event")
    coordinator.locator("input[name=title]").fill("孤独・孤立を考えるフォーラム")
    coordinator.locator("textarea[name=description]").fill("基調講演と、地域の団体によるパネル討論。")
    coordinator.locator("input[name=starts_at]").fill(f"{day:%Y-%m-%d}T14:00")
    coordinator.locator("input[name=ends_at]").fill(f"{day:%Y-%m-%d}T16:00")
    coordinator.locator("input[name=place]").fill("鎌倉芸術館 集会室")
    coordinator.locator("input[name=capacity]").fill("1")
    coordinator.locator("select[name=audience]").select_option("public")
    coordinator.locator("select[name=status]").select_option("published")  # a new event starts as a draft
    coordinator.locator("form.event-form button[type=submit]").click()
    # The event's own page (its number), not the form's /events/new/: portal.js sends the form with
    # fetch and then replaces the page, so the address changes a moment after the click.
    coordinator.wait_for_url(re.compile(r".*/kamakura/workspace/events/\d+/$"))
    event_url = coordinator.url

    # 2. A resident finds it on the portal's home page and takes the seat.
    first = register(page, base, "鎌倉 一郎", "ichiro@example.jp")
    assert "status-confirmed" in (page.locator(".registration-status").get_attribute("class") or "")
    results = Axe().run(page, options=WCAG_AA)
    assert results.violations_count == 0, results.generate_report()

    # 3. The event is on the portal's list; another resident joins the waiting list.
    other = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP", is_mobile=True).new_page()
    other.goto(base + "/kamakura/events/")
    assert other.get_by_role("link", name="孤独・孤立を考えるフォーラム").is_visible()
    results = Axe().run(other, options=WCAG_AA)
    assert results.violations_count == 0, results.generate_report()
    other.get_by_role("link", name="孤独・孤立を考えるフォーラム").click()
    other.locator("form.registration").wait_for()
    results = Axe().run(other, options=WCAG_AA)
    assert results.violations_count == 0, results.generate_report()
    second = register(other, base, "鎌倉 花子", "hanako@example.jp")
    assert "status-waitlisted" in (other.locator(".registration-status").get_attribute("class") or "")

    # 4. The coordinator sees one registered and one waiting.
    coordinator.goto(event_url)
    assert "鎌倉 一郎" in coordinator.locator("table.registrations").inner_text()
    assert "鎌倉 花子" in coordinator.locator("ol.waiting").inner_text()

    # 5. The first resident cancels; the second moves up by herself.
    page.goto(first)
    with page.expect_navigation():  # sent with fetch by portal.js, then the page is replaced
        page.locator("main form button[type=submit]").click()
    assert "status-cancelled" in (page.locator(".registration-status").get_attribute("class") or "")
    other.goto(second)
    assert "status-confirmed" in (other.locator(".registration-status").get_attribute("class") or "")
