"""A resident answers a survey on a 390×844 phone, with JavaScript off and on: letter code, pages, save and resume, axe."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.surveys.rows import make_survey
from tsunagari.surveys import actions
from tsunagari.surveys.models import Response
from tsunagari.tenancy.scoping import platform_scope, scopes_disabled

pytestmark = pytest.mark.django_db(transaction=True)

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}


@pytest.fixture
def tokens(kamakura: Any, alice: Any) -> list[str]:
    with platform_scope(kamakura, with_national=False):
        survey = make_survey(kamakura, alice, "young_carer", "demographics", title="ヤングケアラー実態調査")
        return [i.token for i in actions.make_invitations(survey, 2, batch="", actor=alice)]


def assert_accessible(page: Any) -> None:
    results = Axe().run(page, options=WCAG_AA)
    assert results.violations_count == 0, results.generate_report()


def assert_fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def answer_all(page: Any, base: str, token: str, *, check: bool) -> None:
    """Type the letter's code, answer three pages, stop half-way and resume from the same link."""
    page.set_default_timeout(30_000)  # two cores shared by the whole suite
    page.goto(base + "/kamakura/surveys/")
    page.get_by_label("依頼状に印刷されているコード").fill(token)
    page.get_by_role("button", name="回答を始める").click()
    page.wait_for_url(f"**/surveys/t/{token}/")
    if check:
        assert_accessible(page)
    assert_fits(page)
    # Page 1: the screening question. Labels are the touch targets.
    page.get_by_text("いる", exact=True).click()
    page.get_by_role("button", name="次へ").click()
    page.wait_for_url("**?page=2")
    assert page.get_by_text("お世話を必要としている人は誰ですか。").is_visible()
    page.get_by_text("祖父母").click()
    page.get_by_text("見守り", exact=True).click()
    page.get_by_role("button", name="保存して後で続ける").click()
    page.get_by_text("回答を保存しました").first.wait_for()
    if check:
        assert_accessible(page)
    # Later: the same link (the QR code) brings the answers back.
    page.goto(base + f"/kamakura/surveys/t/{token}/")
    assert page.get_by_label("祖父母").is_checked()
    page.get_by_role("button", name="次へ").click()
    page.wait_for_url("**?page=3")
    # Page 3: the age band is required; sending without it explains what is missing.
    page.get_by_role("button", name="回答を送信する").click()
    page.get_by_role("alert").wait_for()
    assert "この質問に答えてください。" in page.get_by_role("alert").inner_text()
    if check:
        assert_accessible(page)
    assert_fits(page)
    page.get_by_text("20～29歳").click()
    page.get_by_role("button", name="回答を送信する").click()
    page.get_by_text("回答を送信しました。").wait_for()


def test_a_resident_answers_on_a_phone_without_javascript(live_server: Any, browser: Any, tokens: list[str]) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False, locale="ja-JP")
    page = context.new_page()
    page.set_default_timeout(30_000)
    answer_all(page, live_server.url, tokens[0], check=False)
    context.close()
    with scopes_disabled():
        saved = Response.objects.get(invitation__token=tokens[0])
    assert saved.is_submitted
    assert saved.answers == {"carer": "1", "cared_for": ["2"], "care_kind": ["7"], "age_band": "2"}


def test_a_resident_answers_on_a_phone_with_javascript_and_axe_finds_nothing(
    live_server: Any, page: Any, tokens: list[str]
) -> None:
    answer_all(page, live_server.url, tokens[1], check=True)
    assert_accessible(page)
    with scopes_disabled():
        saved = Response.objects.get(invitation__token=tokens[1])
    assert saved.is_submitted and saved.answers["age_band"] == "2"
    # The letter's link now says only that it was answered.
    page.goto(live_server.url + f"/kamakura/surveys/t/{tokens[1]}/")
    assert "すでに回答済み" in page.content()
    assert "祖父母" not in page.content()
