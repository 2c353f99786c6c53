"""A supporter reports a concern on a 390×844 phone with JavaScript off; the pages pass axe.

Measured by this test (the figures in docs/cases.md): from the bookmarked form, a supporter
answers 3 fields (what, where, how urgent: 2 typed, 1 tap) and taps send — 4 interactions, one
page load and one form submission; the call buttons for 110 and 119 are on screen before any
field, without scrolling.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.accounts.personas import PASSWORD, kamakura_council  # noqa: F401
from tests.councils.rows import council_rows  # noqa: F401
from tsunagari.cases import crypto
from tsunagari.councils.models import Concern
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db(transaction=True)

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}


@pytest.fixture(autouse=True)
def case_keys(settings: Any) -> None:
    settings.CASES_FIELD_KEYS = f"k1:{crypto.new_key()}"
    settings.CASES_LOOKUP_KEY = crypto.new_key()


def test_a_supporter_reports_a_concern_on_a_phone_without_javascript(
    live_server: Any,
    browser: Any,
    council_rows: dict[str, Any],  # noqa: F811
) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="ja-JP", is_mobile=True, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    report = live_server.url + "/kamakura/workspace/concerns/report/"

    # Signing in once (the phone then stays signed in until the idle timeout); not counted.
    page.goto(report)
    page.locator("input[name=login]").fill(council_rows["suzu"].email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_url("**/concerns/report/")

    # The call buttons come first, fully on screen before scrolling.
    first_field = page.locator("textarea[name=what]").bounding_box()
    for number in ("110", "119"):
        button = page.locator(f"a[href='tel:{number}']").bounding_box()
        assert button is not None and first_field is not None
        assert button["y"] + button["height"] <= 844 and button["y"] < first_field["y"]
        assert button["height"] >= 44 and button["width"] >= 44

    started = time.monotonic()
    interactions = 0
    page.locator("textarea[name=what]").fill("新聞が三日分たまっていて、呼んでも返事がない")
    interactions += 1
    page.locator("input[name=place]").fill("材木座三丁目の角の家")
    interactions += 1
    page.get_by_label("様子がおかしい（今日中）").check()
    interactions += 1
    page.get_by_role("button", name="事務局に送る").click()
    interactions += 1
    page.wait_for_url("**/concerns/report/sent/")
    elapsed = time.monotonic() - started

    assert interactions == 4
    assert "事務局に届きました" in page.content()
    assert "新聞" not in page.content()
    with scopes_disabled():
        concern = Concern.objects.latest("pk")
    assert concern.what.startswith("新聞が三日分") and concern.urgency == "today"
    print(f"\nconcern submitted: {interactions} interactions, 3 fields, {elapsed:.2f} s of browser time")

    # axe runs in the page, so it needs JavaScript: the same pages, signed in as the same supporter.
    checker = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="ja-JP", is_mobile=True, storage_state=context.storage_state()
    )
    context.close()
    axe_page = checker.new_page()
    for path in ("/kamakura/workspace/concerns/report/", "/kamakura/workspace/concerns/report/sent/?life=1"):
        axe_page.goto(live_server.url + path)
        results = Axe().run(axe_page, options=WCAG_AA)
        assert results.violations_count == 0, path + "\n" + results.generate_report()
    checker.close()
