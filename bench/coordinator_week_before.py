# ruff: noqa: F811  (pytest fixtures imported from tests.membership.rows are parameters here)
"""Issue 14's "before": the coordinator's week walked on the code as it was before the work began.

Runs only on that commit (e55bd52, the parent of the commit that landed the issue 14 work), where
half of the week's tasks have no page; the other tasks are walked as a coordinator had to, counting
clicks as tests/browser/test_coordinator_week.py does (typing is not a click; signing in is not
counted). From a checkout of main:

    git worktree add /tmp/week-before e55bd52 && ln -s "$PWD/.venv" /tmp/week-before/.venv
    cp bench/coordinator_week_before.py /tmp/week-before/tests/browser/test_week_before.py
    cd /tmp/week-before && COORDINATOR_WEEK_BEFORE_OUT=/tmp/before.json REQUIRE_BROWSER=1 \
        .venv/bin/python -m pytest -p no:randomly -q tests/browser/test_week_before.py

Results: bench/results/coordinator_week.md.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from tests.accounts.personas import kamakura_council, olga  # noqa: F401
from tests.membership.rows import membership_rows  # noqa: F401
from tests.programs.rows import event_fields
from tsunagari.programs import actions as program_actions
from tsunagari.programs.models import Event
from tsunagari.tenancy.scoping import platform_scope

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_week_before(live_server: Any, browser: Any, kamakura: Any, alice: Any, membership_rows: Any) -> None:
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
        # The resident who telephoned: before, the coordinator could only register them through the
        # portal's public form, as the resident (not counted here: task 5 had no workspace page).
        phoned = program_actions.register(event, name="電話の 鈴木 花子", phone="0467-11-2222")
    client = Client()
    client.force_login(alice)
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="ja-JP")
    name = settings.SESSION_COOKIE_NAME
    context.add_cookies([{"name": name, "value": client.cookies[name].value, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    base = live_server.url
    clicks: dict[str, int] = {}
    notes: dict[str, str] = {}
    task = ""

    def click(locator: Any) -> None:
        clicks[task] += 1
        locator.click()
        page.wait_for_load_state("networkidle")

    def menu(suffix: str) -> Any:
        return page.locator(f"nav.workspace-nav a[href$='{suffix}']")

    # 1. What waits: the home page only describes each role; one menu page per queue. The listings to
    # check come last: that page drops the workspace menu (issue 14 §9).
    task = "1. see what waits (applications, changes, reports, stale listings)"
    clicks[task] = 0
    page.goto(base + "/kamakura/workspace/")
    assert page.locator("ul.todo").count() == 0
    click(menu("/members/applications/"))
    assert "かまくら居場所ネット" in page.locator("main").inner_text()
    click(menu("/workspace/listings/"))
    click(menu("/workspace/reports/"))
    click(menu("/workspace/notices/"))
    click(menu("/workspace/events/"))
    click(page.get_by_role("link", name="ひとりじゃないよ講座").first)
    click(menu("/staff/"))
    notes[task] = (
        "applications, listings and changes, problem reports, notices, events and each event, listings to check"
    )

    # 2. Approve the application: the menu, the application, untick "invite the contact" (ticked by
    # default), approve.
    task = "2. approve a membership application"
    clicks[task] = 0
    page.goto(base + "/kamakura/workspace/")
    click(menu("/members/applications/"))
    click(page.get_by_role("link", name="NPO法人 かまくら居場所ネット"))
    box = page.locator("input[name=invite_contact]")
    ticked = box.is_checked()
    if ticked:
        clicks[task] += 1
        box.uncheck()
    notes[task] = "invite the contact: ticked by default" if ticked else "invite the contact: not ticked"
    click(page.locator("form[action$='/approve/'] button[type=submit]"))
    page.wait_for_url("**/members/applications/")

    # 6. Cancel someone's place, from the event's page (as after): one button, no confirmation.
    task = "6. cancel someone's place (with a confirmation)"
    clicks[task] = 0
    page.goto(base + f"/kamakura/workspace/events/{event.pk}/")
    assert "電話の 鈴木 花子" in page.locator("main").inner_text()
    click(page.locator(f"button[form='cancel-{phoned.pk}']"))
    assert "電話の 鈴木 花子" not in page.locator("table.registrations").inner_text()
    notes[task] = "no confirmation"

    # 7. The listings to check: one menu item, and the workspace menu is gone there.
    task = "7. open the listings to check"
    clicks[task] = 0
    page.goto(base + "/kamakura/workspace/")
    click(menu("/staff/"))
    notes[task] = "workspace menu shown there: " + ("yes" if page.locator("nav.workspace-nav").count() else "no")

    context.close()
    out = os.environ.get("COORDINATOR_WEEK_BEFORE_OUT")
    if out:
        with open(out, "w", encoding="utf-8") as f:
            json.dump({"clicks": clicks, "notes": notes}, f, ensure_ascii=False, indent=1)
