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

import re
import time
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from django.urls import URLPattern

from tests.accounts.personas import kamakura_council, olga, oscar, root, sam  # noqa: F401
from tests.browser.results import record
from tests.cases.rows import case_rows  # noqa: F401
from tests.conftest import make_user, with_totp
from tests.councils.rows import council_rows  # noqa: F401
from tests.knowhow.rows import knowhow_rows  # noqa: F401
from tests.membership.rows import membership_rows  # noqa: F401
from tests.notices.rows import notice_rows  # noqa: F401
from tests.programs.rows import program_rows  # noqa: F401
from tests.reporting.rows import reporting_rows  # noqa: F401
from tests.surveys.rows import survey_rows  # noqa: F401
from tests.workspace.test_permissions import FIXTURE, kamakura_objects, url_for  # noqa: F401
from tsunagari.accounts.models import Membership, Role
from tsunagari.tenancy.models import Platform
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
    "survey-design": POST_ONLY,
    "survey-reference-withdraw": POST_ONLY,
    "survey-reference-import": POST_ONLY,
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


# The states a page reaches from its first-open state that differ in markup, checked on the same page
# right after it (one browser, one tab per person, no new server):
# - its own form (a POST form to the page's own address, with fields) sent empty, with the browser's
#   own required-field check off (as for what the browser cannot check: a wrong 法人番号, a deadline
#   after the start), so that the page comes back with the server's errors;
# - its filters (a GET form on the page) applied: each choice set to its last option, each text box filled;
# - every <details> on it opened.
# A page with a form of its own that is not sent empty must say why here; the test fails for a page
# whose form accepts an empty submission (nothing to show) until it is listed.
NO_ERROR_STATE: dict[str, str] = {}

# Pages also checked at a phone's 390×844 (coordinators and member organisations use phones).
PHONE_PAGES = ["home", "listings", "listings-edit", "events", "event", "notices", "notice-new"]

OWN_FORM = """() => {
  const here = location.pathname;
  const own = [...document.querySelectorAll("main form")].filter(f =>
    f.method === "post" && new URL(f.action, location.href).pathname === here &&
    [...f.elements].some(e => !["hidden", "submit", "button"].includes(e.type)));
  if (!own.length) return false;
  own.sort((a, b) => b.elements.length - a.elements.length)[0].dataset.axeOwn = "1";
  return true;
}"""

SEND_EMPTY = """() => {
  const form = document.querySelector("form[data-axe-own]");
  form.noValidate = true;
  for (const e of form.elements) {
    if (["hidden", "submit", "button", "file"].includes(e.type)) continue;
    if (e.type === "checkbox" || e.type === "radio") e.checked = false;
    else if (e.tagName === "SELECT") for (const o of e.options) o.selected = false;
    else e.value = "";
  }
  form.dataset.axeSent = "1";
  form.requestSubmit(form.querySelector("[type=submit]"));
}"""

# A filter is a GET form that sends to the page itself; a GET form that leads elsewhere (choosing an
# item to enter on the survey references page) opens a page of PAGES, checked on its own.
FILTER_FORM = """() => [...document.querySelectorAll("main form[method=get]")].find(
  f => new URL(f.action, location.href).pathname === location.pathname) || null"""

FILTER = """() => {
  const form = [...document.querySelectorAll("main form[method=get]")].find(
    f => new URL(f.action, location.href).pathname === location.pathname);
  for (const e of form.elements) {
    if (e.tagName === "SELECT" && e.options.length) e.selectedIndex = e.options.length - 1;
    else if (["text", "search"].includes(e.type)) e.value = "鎌倉";
  }
  form.dataset.axeSent = "1";
  form.requestSubmit(form.querySelector("[type=submit]") || undefined);
}"""

OPEN_DETAILS = """() => {
  const closed = [...document.querySelectorAll("details:not([open])")];
  closed.forEach(d => { d.open = true; });
  return closed.length;
}"""

ROW_ID = re.compile(r"/(\d+|[0-9a-f-]{36})/")

# The page's forms that post to an action of their own (a comment, an invitation, a registration by
# telephone, a new row) and have a required field: the n-th such form is sent without it.
ACTION_FORMS = """() => [...document.querySelectorAll("main form")].filter(f =>
  f.method === "post" && new URL(f.action, location.href).pathname !== location.pathname &&
  [...f.elements].some(e => e.required && e.type !== "hidden")).length"""

MARK_ACTION_FORM = """(n) => {
  const forms = [...document.querySelectorAll("main form")].filter(f =>
    f.method === "post" && new URL(f.action, location.href).pathname !== location.pathname &&
    [...f.elements].some(e => e.required && e.type !== "hidden"));
  forms[n].dataset.axeOwn = "1";
  return new URL(forms[n].action, location.href).pathname;
}"""

ERROR_SHOWN = "main .errorlist, main [aria-invalid=true], main [role=alert], .messages .error"


def pattern_names() -> set[str]:
    return {p.name for p in WORKSPACE_PATTERNS if isinstance(p, URLPattern) and p.name}


def test_every_workspace_url_is_a_page_or_says_why_not() -> None:
    assert not set(PAGES) & set(NOT_PAGES)
    missing = pattern_names() - set(PAGES) - set(NOT_PAGES)
    assert not missing, f"add these workspace URLs to PAGES (checked with axe) or NOT_PAGES: {sorted(missing)}"
    assert set(PAGES) | set(NOT_PAGES) == pattern_names()
    assert set(NO_ERROR_STATE) <= set(PAGES) and set(PHONE_PAGES) <= set(PAGES)


def signed_in(browser: Any, live_server: Any, user: Any, phone: bool = False) -> Any:
    """A laptop-sized page (or a phone's) with `user` signed in (the session made by Django's test
    client: signing in through the forms, with the second factor, is tests/browser/test_coordinator_week.py's)."""
    client = Client()
    client.force_login(user)
    size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 800}
    context = browser.new_context(viewport=size, locale="ja-JP", is_mobile=phone)
    name = settings.SESSION_COOKIE_NAME
    context.add_cookies([{"name": name, "value": client.cookies[name].value, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


class Sweep:
    """axe on one page after another, keeping what was checked and what failed."""

    def __init__(self, live_server: Any) -> None:
        self.base = live_server.url
        self.checked: list[str] = []
        self.failures: list[str] = []
        self.started = time.monotonic()

    def axe(self, page: Any, label: str) -> None:
        results = Axe().run(page, options=WCAG_AA)
        self.checked.append(label)
        if results.violations_count:
            self.failures.append(f"{label}\n{results.generate_report()}")

    def open(self, page: Any, path: str) -> Any:
        response = page.goto(self.base + path)
        page.wait_for_load_state("networkidle")
        return response

    def send(self, page: Any, script: str) -> None:
        """Run `script`, which submits a form marked data-axe-sent, and wait for the page that answers:
        portal.js sends a form with fetch and writes the answer into this page, or follows a redirect."""
        page.evaluate(script)
        page.wait_for_function("() => !document.querySelector('form[data-axe-sent]')")
        page.wait_for_load_state("networkidle")

    def other_states(self, page: Any, name: str, who: str, path: str) -> None:
        """The page at `path`, open in `page`, in the states it reaches from there (see above)."""
        if page.evaluate(OPEN_DETAILS):
            self.axe(page, f"{who} {path} (details opened)")
        if page.evaluate(f"({FILTER_FORM})() !== null"):
            self.send(page, FILTER)
            landed = page.url.removeprefix(self.base)
            assert landed.startswith(path + "?"), f"{who} {path}: filtering landed on {landed}"
            self.axe(page, f"{who} {landed} (filtered)")
            self.open(page, path)
        for n in range(page.evaluate(ACTION_FORMS)):
            action = page.evaluate(MARK_ACTION_FORM, n)
            self.send(page, SEND_EMPTY)
            landed = page.url.removeprefix(self.base)
            if not page.locator(ERROR_SHOWN).count():
                self.failures.append(f"{who} {path}: the form to {action}, sent empty, showed no error ({landed})")
            else:
                self.axe(page, f"{who} {landed} (the form to {action} sent empty: errors)")
            self.open(page, path)
        if not page.evaluate(OWN_FORM):
            assert name not in NO_ERROR_STATE, f"{name} has no form of its own: take it out of NO_ERROR_STATE"
            return
        if name in NO_ERROR_STATE:
            return
        self.send(page, SEND_EMPTY)
        landed = page.url.removeprefix(self.base)
        if (landed, page.locator(ERROR_SHOWN).count() > 0) != (path, True):
            self.failures.append(
                f"{who} {path}: sent empty, it came back as {landed} with no error shown: "
                "give it NO_ERROR_STATE's reason"
            )
            return
        self.axe(page, f"{who} {path} (sent empty: errors)")


@pytest.mark.django_db(transaction=True)
def test_every_workspace_page_passes_axe(
    request: pytest.FixtureRequest, live_server: Any, browser: Any, kamakura_objects: dict[str, Any], alice: Any
) -> None:
    roles = set(PAGES.values()) | {who for who, _what in OTHER_VIEWS}
    people = {who: request.getfixturevalue(FIXTURE[who]) for who in roles}
    visits = [(name, who, url_for(name, "kamakura", kamakura_objects)[0]) for name, who in PAGES.items()]
    visits += [
        (what, who, url_for(what, "kamakura", kamakura_objects)[0] if what in PAGES else f"/kamakura/workspace/{what}")
        for who, what in OTHER_VIEWS
    ]
    sweep = Sweep(live_server)
    other_states = 0.0
    pages: dict[str, Any] = {}
    for name, who, path in visits:
        if who not in pages:
            pages[who] = signed_in(browser, live_server, people[who])
        page = pages[who]
        response = sweep.open(page, path)
        assert response is not None
        landed = page.url.removeprefix(live_server.url)
        expected_status = 403 if path.endswith("/audit/") and who == ORG_STAFF else 404 if "no-such" in path else 200
        assert (response.status, landed) == (expected_status, path), f"{who} {path}"
        sweep.axe(page, f"{who} {path}")
        if name in PAGES and PAGES[name] == who:
            started = time.monotonic()
            sweep.other_states(page, name, who, path)
            other_states += time.monotonic() - started
    first_open = time.monotonic() - sweep.started - other_states
    phone = signed_in(browser, live_server, alice, phone=True)
    for name in PHONE_PAGES:
        path = url_for(name, "kamakura", kamakura_objects)[0]
        assert sweep.open(phone, path).status == 200, path
        phone.evaluate(OPEN_DETAILS)
        sweep.axe(phone, f"{COORDINATOR} {path} (phone 390×844)")
    # A platform that has nothing yet: every page the coordinator opens whose address needs no row.
    hayama = Platform.objects.create(
        slug="hayama", name="葉山町つながりプラットフォーム", kind="municipality", municipality_id="143014"
    )
    newcomer = make_user("hana")
    Membership.objects.create(user=newcomer, platform=hayama, role=Role.COORDINATOR)
    empty = signed_in(browser, live_server, with_totp(newcomer))
    for name, who in PAGES.items():
        path = url_for(name, "hayama", kamakura_objects)[0]
        if who != COORDINATOR or ROW_ID.search(path):
            continue
        assert sweep.open(empty, path).status == 200, path
        empty.evaluate(OPEN_DETAILS)
        sweep.axe(empty, f"{COORDINATOR} {path} (empty platform)")
    for page in [*pages.values(), phone, empty]:
        page.context.close()
    seconds = {"first open": round(first_open), "other states": round(time.monotonic() - sweep.started - first_open)}
    record(
        "workspace_pages_checked_with_axe", {"count": len(sweep.checked), "seconds": seconds, "pages": sweep.checked}
    )
    assert not sweep.failures, "\n\n".join(sweep.failures)


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
