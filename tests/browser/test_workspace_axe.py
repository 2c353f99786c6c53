# ruff: noqa: F811  (pytest fixtures imported from the rows modules are parameters here)
"""Issue 14: axe-core (WCAG 2.2 A/AA) on every page under /<platform>/workspace/, 0 violations.

Every workspace URL pattern is either a page (checked in Chromium at 1280×800, signed in as someone who
may open it, with the permission matrix's rows behind its ids) or listed in NOT_PAGES with the reason
(a download or an action that only takes a POST). `test_every_workspace_url_is_a_page_or_says_why_not`
fails for a new pattern until it is put in one of the two; `test_what_is_not_a_page_has_no_page` checks
that nothing in NOT_PAGES answers a GET with an HTML page, for any role.

`COORDINATOR_WEEK_OUT=path.json` adds the pages checked to the week's results (bench/results/coordinator_week.md).
"""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from django.urls import URLPattern

from tests.accounts.personas import kamakura_council, olga, oscar, root, sam  # noqa: F401
from tests.browser.results import record
from tests.cases.rows import case_rows  # noqa: F401
from tests.councils.rows import council_rows  # noqa: F401
from tests.knowhow.rows import knowhow_rows  # noqa: F401
from tests.membership.rows import membership_rows  # noqa: F401
from tests.notices.rows import notice_rows  # noqa: F401
from tests.programs.rows import program_rows  # noqa: F401
from tests.reporting.rows import reporting_rows  # noqa: F401
from tests.surveys.rows import survey_rows  # noqa: F401
from tests.workspace.test_permissions import FIXTURE, kamakura_objects, url_for  # noqa: F401
from tsunagari.urls import WORKSPACE_PATTERNS

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}

COORDINATOR, ORG_ADMIN, ORG_STAFF = "coordinator", "org_admin", "org_staff"

# url name → who opens it. The coordinator wherever they may (they see the most: registrations, who
# read a notice, contacts); the member organisation's administrator (two-factor, pledge signed) for
# their organisation's staff page and the joint-support case pages, which no coordinator may open.
PAGES: dict[str, str] = {
    "home": COORDINATOR,
    "people": COORDINATOR,
    "organisation-staff": ORG_ADMIN,
    "audit": COORDINATOR,
    "members": COORDINATOR,
    "members-print": COORDINATOR,
    "members-applications": COORDINATOR,
    "members-application": COORDINATOR,
    "members-agreements": COORDINATOR,
    "members-agreement-new": COORDINATOR,
    "members-agreement-edit": COORDINATOR,
    "members-detail": COORDINATOR,
    "listings": COORDINATOR,
    "listings-new": ORG_ADMIN,
    "listings-change": COORDINATOR,
    "listings-edit": COORDINATOR,
    "reports": COORDINATOR,
    "notices": COORDINATOR,
    "notice-new": COORDINATOR,
    "notices-digest": COORDINATOR,
    "notice": COORDINATOR,
    "notice-edit": COORDINATOR,
    "notice-email": COORDINATOR,
    "groups": COORDINATOR,
    "group": COORDINATOR,
    "events": COORDINATOR,
    "event-new": COORDINATOR,
    "event": COORDINATOR,
    "event-edit": COORDINATOR,
    "event-registration-cancel": COORDINATOR,
    "training": COORDINATOR,
    "knowhow": COORDINATOR,
    "knowhow-new": COORDINATOR,
    "knowhow-entry": COORDINATOR,
    "knowhow-edit": COORDINATOR,
    "finder-stats": COORDINATOR,
    "finder-texts": COORDINATOR,
    "cases": ORG_ADMIN,
    "case-person-new": ORG_ADMIN,
    "case-person": ORG_ADMIN,
    "case-person-edit": ORG_ADMIN,
    "case-person-erase": ORG_ADMIN,
    "case-request-new": ORG_ADMIN,
    "case-requests": ORG_ADMIN,
    "case-request-answer": ORG_ADMIN,
    "case-consent-new": ORG_ADMIN,
    "case-referral-new": ORG_ADMIN,
    "case-referral": ORG_ADMIN,
    "case-meetings": ORG_ADMIN,
    "case-meeting-new": ORG_ADMIN,
    "case-meeting": ORG_ADMIN,
    "case-notifications": ORG_ADMIN,
    "figures": COORDINATOR,
    "surveys": COORDINATOR,
    "survey": COORDINATOR,
    "survey-invitations": COORDINATOR,
    "survey-letters": COORDINATOR,
    "survey-entry": COORDINATOR,
    "survey-weighting": COORDINATOR,
    "survey-report": COORDINATOR,
    "survey-references": COORDINATOR,
    "survey-reference-new": COORDINATOR,
    "reporting": COORDINATOR,
    "reporting-usage": COORDINATOR,
    "reporting-year": COORDINATOR,
    "reporting-row-edit": COORDINATOR,
    "reporting-report": COORDINATOR,
    "councils": COORDINATOR,
    "council-new": COORDINATOR,
    "council": COORDINATOR,
    "council-edit": COORDINATOR,
    "supporters": COORDINATOR,
    "pledge": COORDINATOR,
    "concern-report": COORDINATOR,
    "concern-report-sent": COORDINATOR,
    "concerns": COORDINATOR,
    "concern": COORDINATOR,
    "concern-handed": ORG_ADMIN,
}

DOWNLOAD = "a file to download, not a page"
POST_ONLY = "an action: takes a POST and redirects, no page of its own"
NOT_PAGES: dict[str, str] = {
    "audit-export": DOWNLOAD,
    "members-export": DOWNLOAD,
    "members-agreement-document": DOWNLOAD,
    "notice-attachment": DOWNLOAD,
    "events-ics": DOWNLOAD,
    "event-ics": DOWNLOAD,
    "event-registrations-export": DOWNLOAD,
    "event-document": DOWNLOAD,
    "training-export": DOWNLOAD,
    "survey-report-pdf": DOWNLOAD,
    "survey-report-xlsx": DOWNLOAD,
    "survey-open-data-csv": DOWNLOAD,
    "survey-open-data-json": DOWNLOAD,
    "survey-invitations-export": DOWNLOAD,
    "survey-microdata": DOWNLOAD,
    "reporting-evidence": DOWNLOAD,
    "reporting-report-pdf": DOWNLOAD,
    "reporting-report-xlsx": DOWNLOAD,
    "case-person-disclosure": DOWNLOAD,
    "case-meeting-document": DOWNLOAD,
    "case-attachment": DOWNLOAD,
    "invite": POST_ONLY,
    "revoke-invitation": POST_ONLY,
    "remove-role": POST_ONLY,
    "organisation-invite": POST_ONLY,
    "organisation-revoke-invitation": POST_ONLY,
    "organisation-remove-role": POST_ONLY,
    "members-application-approve": POST_ONLY,
    "members-application-decline": POST_ONLY,
    "members-trust": POST_ONLY,
    "listings-settings": POST_ONLY,
    "listings-change-approve": POST_ONLY,
    "listings-change-reject": POST_ONLY,
    "reports-close": POST_ONLY,
    "reports-ask": POST_ONLY,
    "notices-read-all": POST_ONLY,
    "notice-delete": POST_ONLY,
    "notice-pin": POST_ONLY,
    "notice-comment": POST_ONLY,
    "notice-comment-delete": POST_ONLY,
    "group-new": POST_ONLY,
    "group-edit": POST_ONLY,
    "event-register": POST_ONLY,
    "event-unregister": POST_ONLY,
    "event-registration-add": POST_ONLY,
    "event-attendance": POST_ONLY,
    "event-document-upload": POST_ONLY,
    "event-document-delete": POST_ONLY,
    "training-new": POST_ONLY,
    "training-delete": POST_ONLY,
    "knowhow-delete": POST_ONLY,
    "case-referral-move": POST_ONLY,
    "survey-new": POST_ONLY,
    "survey-edit": POST_ONLY,
    "survey-instrument": POST_ONLY,
    "survey-xlsform": POST_ONLY,
    "survey-question-new": POST_ONLY,
    "survey-question-delete": POST_ONLY,
    "survey-import": POST_ONLY,
    "survey-weighting-import": POST_ONLY,
    "survey-reference-withdraw": POST_ONLY,
    "reporting-texts": POST_ONLY,
    "reporting-row-new": POST_ONLY,
    "reporting-row-delete": POST_ONLY,
    "reporting-evidence-upload": POST_ONLY,
    "reporting-evidence-delete": POST_ONLY,
    "council-member-add": POST_ONLY,
    "council-member-remove": POST_ONLY,
    "supporter-end": POST_ONLY,
    "pledge-sign": POST_ONLY,
    "concern-move": POST_ONLY,
    "case-meeting-person": POST_ONLY,
    "case-meeting-participant": POST_ONLY,
    "case-meeting-record": POST_ONLY,
    "case-meeting-attendance": POST_ONLY,
    "case-meeting-document-upload": POST_ONLY,
    "case-attachment-upload": POST_ONLY,
    "case-meeting-task": POST_ONLY,
    "case-task-done": POST_ONLY,
    "case-notifications-read": POST_ONLY,
    "case-consent-withdraw": POST_ONLY,
}

# The same pages seen by other roles where they show something else (the dashboard per role), and
# the workspace's own 403 and 404 pages: (who, url name or a path under the workspace).
OTHER_VIEWS: list[tuple[str, str]] = [
    (ORG_ADMIN, "home"),
    (ORG_STAFF, "home"),
    ("observer", "home"),
    (ORG_STAFF, "audit/"),  # 403: the workspace's own page
    (COORDINATOR, "no-such-page/"),  # 404
]


def pattern_names() -> set[str]:
    return {p.name for p in WORKSPACE_PATTERNS if isinstance(p, URLPattern) and p.name}


def test_every_workspace_url_is_a_page_or_says_why_not() -> None:
    assert not set(PAGES) & set(NOT_PAGES)
    missing = pattern_names() - set(PAGES) - set(NOT_PAGES)
    assert not missing, f"add these workspace URLs to PAGES (checked with axe) or NOT_PAGES: {sorted(missing)}"
    assert set(PAGES) | set(NOT_PAGES) == pattern_names()


def signed_in(browser: Any, live_server: Any, user: Any) -> Any:
    """A laptop-sized page with `user` signed in (the session made by Django's test client: signing
    in through the forms, with the second factor, is tests/browser/test_coordinator_week.py's)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="ja-JP")
    name = settings.SESSION_COOKIE_NAME
    context.add_cookies([{"name": name, "value": client.cookies[name].value, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


@pytest.mark.django_db(transaction=True)
def test_every_workspace_page_passes_axe(
    request: pytest.FixtureRequest, live_server: Any, browser: Any, kamakura_objects: dict[str, Any], alice: Any
) -> None:
    roles = set(PAGES.values()) | {who for who, _what in OTHER_VIEWS}
    people = {who: request.getfixturevalue(FIXTURE[who]) for who in roles}
    visits = [(who, url_for(name, "kamakura", kamakura_objects)[0]) for name, who in PAGES.items()]
    visits += [
        (who, url_for(what, "kamakura", kamakura_objects)[0] if what in PAGES else f"/kamakura/workspace/{what}")
        for who, what in OTHER_VIEWS
    ]
    pages: dict[str, Any] = {}
    failures: list[str] = []
    checked: list[str] = []
    for who, path in visits:
        if who not in pages:
            pages[who] = signed_in(browser, live_server, people[who])
        page = pages[who]
        response = page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        assert response is not None
        landed = page.url.removeprefix(live_server.url)
        expected_status = 403 if path.endswith("/audit/") and who == ORG_STAFF else 404 if "no-such" in path else 200
        assert (response.status, landed) == (expected_status, path), f"{who} {path}"
        results = Axe().run(page, options=WCAG_AA)
        checked.append(f"{who} {path}")
        if results.violations_count:
            failures.append(f"{who} {path}\n{results.generate_report()}")
    for page in pages.values():
        page.context.close()
    record("workspace_pages_checked_with_axe", {"count": len(checked), "pages": checked})
    assert not failures, "\n\n".join(failures)


@pytest.mark.django_db
@pytest.mark.parametrize("who", [COORDINATOR, ORG_ADMIN])
def test_what_is_not_a_page_has_no_page(
    request: pytest.FixtureRequest, client: Client, who: str, kamakura_objects: dict[str, Any]
) -> None:
    """Nothing in NOT_PAGES answers a GET with an HTML page, to the two people who open every page."""
    client.force_login(request.getfixturevalue(FIXTURE[who]))
    for name in NOT_PAGES:
        response = client.get(url_for(name, "kamakura", kamakura_objects)[0])
        is_page = response.status_code == 200 and response["Content-Type"].startswith("text/html")
        assert not is_page, f"{name} is a page for {who}: move it to PAGES"
