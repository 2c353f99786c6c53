# ruff: noqa: F811  (pytest fixtures imported from tests.membership.rows are parameters here)
"""Issue 14: a coordinator's week in Chromium at 1280×800, counting clicks per task, with axe on every page.

`COORDINATOR_WEEK_OUT=path.json` writes the click counts and the pages checked (bench/results/coordinator_week.md);
tests/browser/test_workspace_axe.py adds every other workspace page to the same file.
"""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.accounts.personas import PASSWORD, kamakura_council, olga, totp_code  # noqa: F401
from tests.browser.results import record
from tests.membership.rows import membership_rows  # noqa: F401
from tests.programs.rows import event_fields
from tsunagari.programs import actions as program_actions
from tsunagari.programs.models import Event
from tsunagari.tenancy.scoping import platform_scope

pytestmark = pytest.mark.django_db(transaction=True)

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}


class Walk:
    """The coordinator's page, counting clicks per task and checking every page it lands on with axe."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.task = ""
        self.clicks: dict[str, int] = {}
        self.checked: set[str] = set()

    def start(self, task: str) -> None:
        self.task = task
        self.clicks[task] = 0

    def click(self, locator: Any) -> None:
        self.clicks[self.task] += 1
        locator.click()
        self.page.wait_for_load_state("networkidle")
        self.axe()

    def axe(self) -> None:
        path = self.page.url.split("://", 1)[1].split("/", 1)[1]
        key = "/" + path.split("?")[0]
        if key in self.checked:
            return
        self.checked.add(key)
        results = Axe().run(self.page, options=WCAG_AA)
        assert results.violations_count == 0, f"{key}\n{results.generate_report()}"


def test_a_coordinators_week(live_server: Any, browser: Any, kamakura: Any, alice: Any, membership_rows: Any) -> None:
    with platform_scope(kamakura, with_national=False):
        event = program_actions.create_event(
            kamakura,
            actor=alice,
            **event_fields(
                kind=Event.Kind.PUBLIC_EVENT,
                title="ひとりじゃないよ講座",
                audience=Event.Audience.PUBLIC,
                status=Event.Status.PUBLISHED,
                capacity=20,
            ),
        )
    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="ja-JP")
    page = context.new_page()
    page.set_default_timeout(15_000)
    walk = Walk(page)

    # Sign in (not counted: the same before and after).
    page.goto(base + "/kamakura/workspace/")
    page.locator("input[name=login]").fill(alice.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    page.locator("input[name=code]").fill(totp_code(alice))
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_url("**/kamakura/workspace/")
    walk.axe()

    # 1. What needs me now: on the first page, nothing to click.
    walk.start("1. see what waits (applications, changes, reports, stale listings)")
    todo = page.locator("ul.todo").inner_text()
    assert "参加申請" in todo and "問題の報告" in todo

    # 2. Approve the application from the dashboard.
    walk.start("2. approve a membership application")
    walk.click(page.locator("ul.todo a[href$='/members/applications/']"))
    walk.click(page.get_by_role("link", name="NPO法人 かまくら居場所ネット"))
    assert not page.locator("input[name=invite_contact]").is_checked()
    walk.click(page.locator("form[action$='/approve/'] button[type=submit]"))
    page.wait_for_url("**/members/applications/")

    # 3. A resident reported a wrong phone number: ask the organisation to fix it.
    walk.start("3. ask the organisation to correct a reported listing")
    page.goto(base + "/kamakura/workspace/")
    walk.click(page.locator("ul.todo a[href$='/reports/']"))
    page.locator("textarea[name=message]").first.fill("電話番号をご確認ください。")
    walk.click(page.get_by_role("button", name="団体に修正を依頼する"))
    expect(page.locator("main")).to_contain_text("対応中")

    # 4. Correct the listing's address and place yourself, from the report.
    walk.start("4. correct a listing's address and place")
    # Following the link (one click); opened by its address, as portal.js may still be replacing the page.
    href = page.locator("section.report a[href$='/edit/']").first.get_attribute("href")
    walk.clicks[walk.task] += 1
    page.wait_for_timeout(1500)
    page.goto(base + href)
    walk.axe()
    page.locator("input[name=place_name]").fill("鎌倉市福祉センター 2階")
    page.locator("input[name=postal_code]").fill("248-0012")
    page.locator("input[name=address]").fill("御成町18-10")
    walk.click(page.locator("form.stacked button[type=submit]"))
    page.wait_for_url("**/listings/changes/**")

    # 5. Register a resident who telephoned.
    walk.start("5. register a resident who telephoned")
    page.goto(base + "/kamakura/workspace/")
    walk.click(page.locator("nav.workspace-nav").get_by_role("link", name="イベント・会議"))
    walk.click(page.get_by_role("link", name="ひとりじゃないよ講座").first)
    page.locator("#behalf-name").fill("電話の 鈴木 花子")
    page.locator("#behalf-phone").fill("0467-11-2222")
    walk.click(page.get_by_role("button", name="この方の申し込みを受け付ける"))
    # portal.js sends the form with fetch and then replaces the page: wait for the new one.
    expect(page.locator("table.registrations")).to_contain_text("電話の 鈴木 花子")

    # 6. Cancel that place, with a confirmation first.
    walk.start("6. cancel someone's place (with a confirmation)")
    walk.click(page.get_by_role("link", name="電話の 鈴木 花子 さんの申し込みを取り消す"))
    walk.click(page.get_by_role("button", name="はい、申し込みを取り消します"))
    expect(page.locator("table.registrations")).not_to_contain_text("電話の 鈴木 花子")

    # 7. The listings that need checking, inside the workspace.
    walk.start("7. open the listings to check")
    page.goto(base + "/kamakura/workspace/")
    walk.click(page.locator("nav.workspace-nav").get_by_role("link", name="確認が必要な掲載情報"))
    assert page.locator("nav.workspace-nav").is_visible()

    # 8. Post a notice and e-mail it to every member now (a confirmation that says to how many first).
    walk.start("8. post a notice and e-mail it to the members now")
    page.goto(base + "/kamakura/workspace/notices/new/")
    page.locator("input[name=title]").fill("12月の全体会議の資料")
    page.locator("textarea[name=body]").fill("資料を添付しました。会議の前にご覧ください。")
    walk.click(page.locator("main form.stacked button[type=submit]"))
    walk.click(page.get_by_role("link", name="今すぐメールで知らせる"))
    walk.click(page.locator("main form:not([action]) button[type=submit]"))
    expect(page.locator("main")).to_contain_text("メール送信済み")

    # 9. Read the audit log at 1280 px: the tables of the workspace use the laptop's width, and no
    # column is squeezed until an e-mail address wraps a few letters a line (issue 14 item 8).
    page.goto(base + "/kamakura/workspace/audit/")
    assert page.locator("main").bounding_box()["width"] >= 1100
    widths = page.locator("table.audit thead th").evaluate_all("els => els.map(e => e.getBoundingClientRect().width)")
    assert len(widths) == 5 and min(widths) >= 140, widths
    # Prose stays at a readable measure.
    assert page.locator("main p.note, main > p").first.bounding_box()["width"] <= 48 * 16 + 1

    # axe on every page of the coordinator's menu, and on the forms behind them.
    links = page.locator("nav.workspace-nav a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    extra = [
        "/kamakura/workspace/events/new/",
        "/kamakura/workspace/notices/new/",
        f"/kamakura/workspace/events/{event.pk}/",
        "/kamakura/workspace/members/print/",
        "/kamakura/members/print/",
    ]
    for href in [*links, *extra, "/kamakura/workspace/no-such-page/"]:
        page.goto(base + href)
        walk.axe()

    record("clicks", walk.clicks)
    record("walk_pages_checked_with_axe", {"count": len(walk.checked), "pages": sorted(walk.checked)})
