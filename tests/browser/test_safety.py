"""Safety in a phone-sized Chromium (390×844): crisis lines first, a small strip, a quick exit that leaves no trail.

Issue 9 items 2, 3 and 4.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from tests.factories import make_service
from tsunagari.search.index import reindex_services

pytestmark = pytest.mark.django_db(transaction=True)

VIEWPORT_HEIGHT = 844
STRIP_MAX = 180


@pytest.fixture(autouse=True)
def _patient(page: Any) -> None:
    # The first request loads the Japanese analyser; on a busy CI machine that takes a while.
    page.set_default_timeout(60_000)


@pytest.fixture
def windows(kamakura: Any, national: Any) -> dict[str, Any]:
    dv = make_service(kamakura, "配偶者からの暴力の相談窓口", needs=("violence",), phone="0467-00-1111")
    others = [
        make_service(kamakura, f"暮らしの相談窓口 {n}", needs=("money",), phone="0467-00-2222") for n in range(12)
    ]
    reindex_services([dv.pk, *(s.pk for s in others)])
    return {"dv": dv}


@pytest.fixture(params=["live_server", "demo"])
def site(request: Any, windows: dict[str, Any]) -> str:
    """The address to test: Django's live server, or the README's demo shape (two gunicorn
    processes, three workers, one database, no Redis) with the same data."""
    if request.param == "demo":
        return str(request.getfixturevalue("two_processes")[0])
    return str(request.getfixturevalue("live_server").url)


def stub_exit(page: Any) -> None:
    page.route(
        settings.QUICK_EXIT_URL + "**",
        lambda route: route.fulfill(
            body="<html><title>天気予報</title><body>天気</body></html>", content_type="text/html"
        ),
    )


def box(page: Any, selector: str) -> dict[str, float]:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, selector
    return dict(found)


def test_dying_in_search_gives_a_24_hour_suicide_line_before_anything(
    site: str, page: Any, windows: dict[str, Any]
) -> None:
    page.goto(site + "/kamakura/")
    page.locator("#q").fill("死にたい")
    page.locator("#q").press("Enter")
    page.wait_for_url("**/search/**")
    first = page.locator("section.crisis a.call-big").first
    assert first.get_attribute("href") == "tel:0120279338"
    assert first.is_visible()
    call = box(page, "section.crisis a.call-big")
    assert call["y"] + call["height"] <= VIEWPORT_HEIGHT  # on the first screen, large
    assert call["height"] >= 56
    assert call["y"] < box(page, "ol.results")["y"]
    # The strip also has a 24-hour suicide line, on every page.
    strip_call = page.locator("aside.emergency .emergency-row a[href='tel:0120279338']")
    assert strip_call.is_visible() and "24時間" in strip_call.inner_text()


@pytest.mark.parametrize("path", ["/", "/kamakura/", "/kamakura/search/?q=%E5%AE%B6%E8%B3%83", "DETAIL"])
def test_the_strip_takes_at_most_180_px_and_has_the_24_hour_dv_line(
    live_server: Any, page: Any, windows: dict[str, Any], path: str
) -> None:
    if path == "DETAIL":
        path = f"/kamakura/services/{windows['dv'].pk}/"
    page.goto(live_server.url + path)
    strip = box(page, "aside.emergency")
    header = box(page, "header.site")
    print(f"{path}: header {header['height']:.0f} px, strip {strip['height']:.0f} px")
    assert strip["height"] <= STRIP_MAX
    dv = page.locator("aside.emergency .emergency-row a[href='tel:0120279889']")
    assert dv.is_visible() and "24時間" in dv.inner_text()
    # The other lines are one tap away.
    page.locator("details.more-lines > summary").click()
    assert page.locator("details.more-lines a[href='tel:0120783556']").is_visible()


@pytest.mark.parametrize("path", ["/", "/kamakura/"])
def test_the_strip_in_english_fits_in_180_px_and_speaks_english(
    live_server: Any, browser: Any, windows: dict[str, Any], path: str
) -> None:
    """The English labels are longer than the Japanese ones: they must still fit, no label cut off."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US", is_mobile=True)
    page = context.new_page()
    try:
        page.goto(live_server.url + path)
        strip = box(page, "aside.emergency")
        print(f"{path} (English): strip {strip['height']:.0f} px")
        assert strip["height"] <= STRIP_MAX
        suicide = page.locator("aside.emergency .emergency-row a[href='tel:0120279338']")
        assert suicide.is_visible() and "24 hours" in suicide.inner_text()
        assert "Feeling suicidal" in suicide.inner_text()
        clipped = page.evaluate(
            """[...document.querySelectorAll('aside.emergency .emergency-row a > span')]
               .filter(e => e.scrollWidth > e.clientWidth).map(e => e.innerText)"""
        )
        assert clipped == []
    finally:
        context.close()


def test_the_quick_exit_stays_on_screen_at_every_scroll_position(
    live_server: Any, page: Any, windows: dict[str, Any]
) -> None:
    page.goto(live_server.url + "/kamakura/search/?need=money")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height > 2 * VIEWPORT_HEIGHT
    for y in (0, 400, height // 2, height):
        page.evaluate(f"window.scrollTo(0, {y})")
        exit_box = box(page, "[data-quick-exit]")
        assert exit_box["y"] >= 0 and exit_box["y"] + exit_box["height"] <= VIEWPORT_HEIGHT, y
    # It covers nothing: at the top, the page's content starts below the header.
    page.evaluate("window.scrollTo(0, 0)")
    assert box(page, "aside.emergency")["y"] >= box(page, "header.site")["height"] - 1
    assert page.locator("header.site a[href='/clear-history/']").is_visible()


# Longer than any real platform name (the real ones are about 23 characters): two lines on a phone.
LONG_NAME = "北九州市孤独・孤立対策官民連携プラットフォーム（地域のつながり・相談窓口）"


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_platform_name_is_readable_beside_a_large_quick_exit_at_390_px(
    live_server: Any, page: Any, windows: dict[str, Any], kamakura: Any, language: str
) -> None:
    kamakura.name = LONG_NAME
    kamakura.save()
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    for path in ("/kamakura/", "/kamakura/search/?q=%E6%AD%BB%E3%81%AB%E3%81%9F%E3%81%84"):
        page.goto(live_server.url + path)
        brand = page.locator("header.site .brand")
        assert brand.inner_text() == LONG_NAME
        # Not clipped: the whole name is inside its box, and the box inside the screen.
        clipped = page.evaluate(
            "b => [b.scrollWidth - b.clientWidth, b.scrollHeight - b.clientHeight, getComputedStyle(b).textOverflow]",
            brand.element_handle(),
        )
        assert clipped[0] <= 0 and clipped[1] <= 0 and clipped[2] != "ellipsis", (path, language, clipped)
        name = box(page, "header.site .brand")
        assert name["x"] >= 0 and name["x"] + name["width"] <= 390, name
        assert page.evaluate("b => parseFloat(getComputedStyle(b).fontSize)", brand.element_handle()) >= 14
        # The quick exit stays whole on the screen and large.
        exit_box = box(page, "[data-quick-exit]")
        assert exit_box["x"] >= 0 and exit_box["x"] + exit_box["width"] <= 390, exit_box
        assert exit_box["height"] >= 44 and exit_box["width"] >= 150, exit_box
        # The header and the strip together leave most of the first screen to the page.
        header = box(page, "header.site")
        strip = box(page, "aside.emergency")
        print(f"{language} {path}: header {header['height']:.0f} px, strip {strip['height']:.0f} px")
        assert header["height"] <= 110 and strip["height"] <= STRIP_MAX
        assert strip["y"] >= header["height"] - 1  # the header covers nothing


def test_back_after_the_quick_exit_reveals_nothing(site: str, page: Any, windows: dict[str, Any]) -> None:
    stub_exit(page)
    page.goto(site + "/kamakura/")
    entries = page.evaluate("history.length")
    page.locator("#q").fill("夫から暴力を受けている")
    page.locator("form.search button[type=submit]").first.click()
    page.wait_for_url("**/search/**")
    page.get_by_role("link", name="配偶者からの暴力の相談窓口").click()
    page.wait_for_url(f"**/services/{windows['dv'].pk}/")
    # Moving inside the site added no history entry.
    assert page.evaluate("history.length") == entries
    page.locator("[data-quick-exit]").click()
    page.wait_for_url(settings.QUICK_EXIT_URL + "**")
    page.go_back()
    page.wait_for_load_state()
    assert not page.url.startswith(site), page.url
    assert "暴力" not in page.content()
    # And forward leads to the neutral page, not back into the site.
    page.go_forward()
    page.wait_for_load_state()
    assert page.url.startswith(settings.QUICK_EXIT_URL)


@pytest.mark.parametrize("path", ["/kamakura/search/?q=%E6%AD%BB%E3%81%AB%E3%81%9F%E3%81%84", "/clear-history/"])
def test_the_crisis_page_and_the_history_page_have_no_axe_violations(
    live_server: Any, page: Any, windows: dict[str, Any], path: str
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page.goto(live_server.url + path)
    page.locator("details.more-lines > summary").click()
    results = Axe().run(
        page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}
    )
    assert results.violations_count == 0, results.generate_report()
