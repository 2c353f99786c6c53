"""The permission matrix: every workspace URL × every persona → the expected status.

Outsiders (another platform's coordinator) get 404 everywhere, exactly as for a platform that does
not exist; people of the platform whose role does not allow a page get 403; anonymous visitors are
sent to sign in. A new workspace URL fails `test_the_matrix_covers_every_workspace_url` until it is
added here.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern

from tests.cases.rows import case_rows  # noqa: F401
from tests.councils.rows import council_rows, handed_concern  # noqa: F401
from tests.knowhow.rows import knowhow_rows  # noqa: F401
from tests.membership.rows import membership_rows  # noqa: F401
from tests.notices.rows import notice_rows, pdf  # noqa: F401
from tests.programs.rows import program_rows  # noqa: F401
from tests.reporting.rows import YEAR, reporting_rows  # noqa: F401
from tests.surveys.rows import survey_rows, xlsform_bytes  # noqa: F401
from tsunagari.accounts import actions
from tsunagari.accounts.models import Membership, Role
from tsunagari.urls import WORKSPACE_PATTERNS

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "coordinator", "org_admin", "org_staff", "observer", "outsider", "superuser"]
FIXTURE = {
    "coordinator": "alice",
    "org_admin": "olga",
    "org_staff": "sam",
    "observer": "oscar",
    "outsider": "charlie",
    "superuser": "root",
}

# url name → (method, expected status per persona). "login" means a redirect to the sign-in page.
OK, DONE, DENIED, HIDDEN, LOGIN = 200, 302, 403, 404, "login"
READ_REPORT: tuple[str, dict[str, int | str]] = (
    "get",
    {"coordinator": OK, "org_admin": DENIED, "org_staff": DENIED, "observer": OK, "superuser": OK},
)
WRITE_REPORT: tuple[str, dict[str, int | str]] = (
    "post",
    {"coordinator": DONE, "org_admin": DENIED, "org_staff": DENIED, "observer": DENIED, "superuser": DONE},
)
MATRIX: dict[str, tuple[str, dict[str, int | str]]] = {
    "home": ("get", {"coordinator": OK, "org_admin": OK, "org_staff": OK, "observer": OK, "superuser": OK}),
    "people": ("get", {"coordinator": OK, "org_admin": DENIED, "org_staff": DENIED, "observer": OK, "superuser": OK}),
    "invite": (
        "post",
        {"coordinator": DONE, "org_admin": DENIED, "org_staff": DENIED, "observer": DENIED, "superuser": DONE},
    ),
    "revoke-invitation": (
        "post",
        {"coordinator": DONE, "org_admin": DENIED, "org_staff": DENIED, "observer": DENIED, "superuser": DONE},
    ),
    "remove-role": (
        "post",
        {"coordinator": DONE, "org_admin": DENIED, "org_staff": DENIED, "observer": DENIED, "superuser": DONE},
    ),
    # A member organisation's administrator and their staff: Olga administers Sam's organisation.
    "organisation-staff": (
        "get",
        {"coordinator": DENIED, "org_admin": OK, "org_staff": DENIED, "observer": DENIED, "superuser": OK},
    ),
    "organisation-invite": (
        "post",
        {"coordinator": DENIED, "org_admin": DONE, "org_staff": DENIED, "observer": DENIED, "superuser": DONE},
    ),
    "organisation-revoke-invitation": (
        "post",
        {"coordinator": DENIED, "org_admin": DONE, "org_staff": DENIED, "observer": DENIED, "superuser": DONE},
    ),
    "organisation-remove-role": (
        "post",
        {"coordinator": DENIED, "org_admin": DONE, "org_staff": DENIED, "observer": DENIED, "superuser": DONE},
    ),
    "audit": (
        "get",
        {"coordinator": OK, "org_admin": DENIED, "org_staff": DENIED, "observer": DENIED, "superuser": OK},
    ),
    "audit-export": (
        "get",
        {"coordinator": OK, "org_admin": DENIED, "org_staff": DENIED, "observer": DENIED, "superuser": OK},
    ),
    # Membership (tsunagari/membership): members, agreements, listings, problem reports.
    "members": ("get", {"coordinator": OK, "org_admin": OK, "org_staff": OK, "observer": OK, "superuser": OK}),
    # The member list with contacts as CSV (audited), and to print: contacts only for coordinators (issue 14 §3).
    "members-export": (
        "get",
        {"coordinator": OK, "org_admin": DENIED, "org_staff": DENIED, "observer": DENIED, "superuser": OK},
    ),
    "members-print": ("get", {"coordinator": OK, "org_admin": OK, "org_staff": OK, "observer": OK, "superuser": OK}),
    "members-applications": (
        "get",
        {"coordinator": OK, "org_admin": DENIED, "org_staff": DENIED, "observer": DENIED, "superuser": OK},
    ),
    "members-application": (
        "get",
        {"coordinator": OK, "org_admin": DENIED, "org_staff": DENIED, "observer": DENIED, "superuser": OK},
    ),
    "members-application-approve": (
        "post",
        {"coordinator": DONE, "org_admin": DENIED, "org_staff": DENIED, "observer": DENIED, "superuser": DONE},
    ),
    "members-application-decline": (
        "post",
        {"coordinator": DONE, "org_admin": DENIED, "org_staff": DENIED, "observer": DENIED, "superuser": DONE},
    ),
    "members-agreements": (
        "get",
        {"coordinator": OK, "org_admin": OK, "org_staff": OK, "observer": OK, "superuser": OK},
    ),
    "members-agreement-new": (
        "get",
        {"coordinator": OK, "org_admin": DENIED, "org_staff": DENIED, "observer": DENIED, "superuser": OK},
    ),
    "members-agreement-edit": (
        "get",
        {"coordinator": OK, "org_admin": DENIED, "org_staff": DENIED, "observer": DENIED, "superuser": OK},
    ),
    "members-agreement-document": (
        "get",
        {"coordinator": OK, "org_admin": OK, "org_staff": OK, "observer": OK, "superuser": OK},
    ),
    "members-detail": ("get", {"coordinator": OK, "org_admin": OK, "org_staff": OK, "observer": OK, "superuser": OK}),
    "members-trust": (
        "post",
        {"coordinator": DONE, "org_admin": DENIED, "org_staff": DENIED, "observer": DENIED, "superuser": DONE},
    ),
    "listings": ("get", {"coordinator": OK, "org_admin": OK, "org_staff": DENIED, "observer": DENIED, "superuser": OK}),
    "listings-new": (
        "get",
        {"coordinator": DENIED, "org_admin": OK, "org_staff": DENIED, "observer": DENIED, "superuser": OK},
    ),
    "listings-settings": (
        "post",
        {"coordinator": DONE, "org_admin": DENIED, "org_staff": DENIED, "observer": DENIED, "superuser": DONE},
    ),
    "listings-change": (
        "get",
        {"coordinator": OK, "org_admin": OK, "org_staff": DENIED, "observer": DENIED, "superuser": OK},
    ),
    "listings-change-approve": (
        "post",
        {"coordinator": DONE, "org_admin": DENIED, "org_staff": DENIED, "observer": DENIED, "superuser": DONE},
    ),
    "listings-change-reject": (
        "post",
        {"coordinator": DONE, "org_admin": DENIED, "org_staff": DENIED, "observer": DENIED, "superuser": DONE},
    ),
    # Coordinators correct any of the platform's listings themselves (issue 14 §4).
    "listings-edit": (
        "get",
        {"coordinator": OK, "org_admin": OK, "org_staff": DENIED, "observer": DENIED, "superuser": OK},
    ),
    "reports": ("get", {"coordinator": OK, "org_admin": OK, "org_staff": DENIED, "observer": DENIED, "superuser": OK}),
    "reports-close": (
        "post",
        {"coordinator": DONE, "org_admin": DONE, "org_staff": DENIED, "observer": DENIED, "superuser": DONE},
    ),
    "reports-ask": (
        "post",
        {"coordinator": DONE, "org_admin": DENIED, "org_staff": DENIED, "observer": DENIED, "superuser": DONE},
    ),
    # Notices and working groups (tsunagari/notices). The notice is Alice's (the coordinator's), for
    # all members; the comment is Sam's; Sam is in the working group.
    "notices": ("get", {"coordinator": OK, "org_admin": OK, "org_staff": OK, "observer": OK, "superuser": OK}),
    "notice-new": ("get", {"coordinator": OK, "org_admin": OK, "org_staff": OK, "observer": DENIED, "superuser": OK}),
    "notices-read-all": (
        "post",
        {"coordinator": DONE, "org_admin": DONE, "org_staff": DONE, "observer": DONE, "superuser": DONE},
    ),
    "notices-digest": (
        "post",
        {"coordinator": DONE, "org_admin": DONE, "org_staff": DONE, "observer": DONE, "superuser": DONE},
    ),
    "notice": ("get", {"coordinator": OK, "org_admin": OK, "org_staff": OK, "observer": OK, "superuser": OK}),
    "notice-edit": (
        "get",
        {"coordinator": OK, "org_admin": DENIED, "org_staff": DENIED, "observer": DENIED, "superuser": OK},
    ),
    "notice-delete": (
        "post",
        {"coordinator": DONE, "org_admin": DENIED, "org_staff": DENIED, "observer": DENIED, "superuser": DONE},
    ),
    "notice-pin": (
        "post",
        {"coordinator": DONE, "org_admin": DENIED, "org_staff": DENIED, "observer": DENIED, "superuser": DONE},
    ),
    # Coordinators only: the e-mail carries the notice's full text to every reader (issue 14 §2).
    "notice-email": (
        "get",
        {"coordinator": OK, "org_admin": DENIED, "org_staff": DENIED, "observer": DENIED, "superuser": OK},
    ),
    "notice-comment": (
        "post",
        {"coordinator": DONE, "org_admin": DONE, "org_staff": DONE, "observer": DENIED, "superuser": DONE},
    ),
    "notice-comment-delete": (
        "post",
        {"coordinator": DONE, "org_admin": DENIED, "org_staff": DONE, "observer": DENIED, "superuser": DONE},
    ),
    "notice-attachment": (
        "get",
        {"coordinator": OK, "org_admin": OK, "org_staff": OK, "observer": OK, "superuser": OK},
    ),
    "groups": ("get", {"coordinator": OK, "org_admin": OK, "org_staff": OK, "observer": OK, "superuser": OK}),
    "group-new": (
        "post",
        {"coordinator": DONE, "org_admin": DENIED, "org_staff": DENIED, "observer": DENIED, "superuser": DONE},
    ),
    "group": ("get", {"coordinator": OK, "org_admin": OK, "org_staff": OK, "observer": OK, "superuser": OK}),
    "group-edit": (
        "post",
        {"coordinator": DONE, "org_admin": DENIED, "org_staff": DENIED, "observer": DENIED, "superuser": DONE},
    ),
    # Events and training (tsunagari/programs). The meeting is for members; Alice, Olga, Sam and Root
    # are registered for it (so each can cancel their own place); the forum is open.
    "events": ("get", {"coordinator": OK, "org_admin": OK, "org_staff": OK, "observer": OK, "superuser": OK}),
    "event-new": (
        "get",
        {"coordinator": OK, "org_admin": DENIED, "org_staff": DENIED, "observer": DENIED, "superuser": OK},
    ),
    "events-ics": ("get", {"coordinator": OK, "org_admin": OK, "org_staff": OK, "observer": OK, "superuser": OK}),
    "event": ("get", {"coordinator": OK, "org_admin": OK, "org_staff": OK, "observer": OK, "superuser": OK}),
    "event-edit": (
        "get",
        {"coordinator": OK, "org_admin": DENIED, "org_staff": DENIED, "observer": DENIED, "superuser": OK},
    ),
    "event-ics": ("get", {"coordinator": OK, "org_admin": OK, "org_staff": OK, "observer": OK, "superuser": OK}),
    "event-register": (
        "post",
        {"coordinator": DONE, "org_admin": DONE, "org_staff": DONE, "observer": DENIED, "superuser": DONE},
    ),
    "event-unregister": (
        "post",
        {"coordinator": DONE, "org_admin": DONE, "org_staff": DONE, "observer": DENIED, "superuser": DONE},
    ),
    "event-registration-add": (
        "post",
        {"coordinator": DONE, "org_admin": DENIED, "org_staff": DENIED, "observer": DENIED, "superuser": DONE},
    ),
    "event-registration-cancel": (
        "post",
        {"coordinator": DONE, "org_admin": DENIED, "org_staff": DENIED, "observer": DENIED, "superuser": DONE},
    ),
    "event-registrations-export": (
        "get",
        {"coordinator": OK, "org_admin": DENIED, "org_staff": DENIED, "observer": DENIED, "superuser": OK},
    ),
    "event-attendance": (
        "post",
        {"coordinator": DONE, "org_admin": DENIED, "org_staff": DENIED, "observer": DENIED, "superuser": DONE},
    ),
    "event-document-upload": (
        "post",
        {"coordinator": DONE, "org_admin": DENIED, "org_staff": DENIED, "observer": DENIED, "superuser": DONE},
    ),
    "event-document": ("get", {"coordinator": OK, "org_admin": OK, "org_staff": OK, "observer": OK, "superuser": OK}),
    "event-document-delete": (
        "post",
        {"coordinator": DONE, "org_admin": DENIED, "org_staff": DENIED, "observer": DENIED, "superuser": DONE},
    ),
    "training": ("get", {"coordinator": OK, "org_admin": DENIED, "org_staff": DENIED, "observer": OK, "superuser": OK}),
    "training-new": (
        "post",
        {"coordinator": DONE, "org_admin": DENIED, "org_staff": DENIED, "observer": DENIED, "superuser": DONE},
    ),
    "training-delete": (
        "post",
        {"coordinator": DONE, "org_admin": DENIED, "org_staff": DENIED, "observer": DENIED, "superuser": DONE},
    ),
    "training-export": (
        "get",
        {"coordinator": OK, "org_admin": DENIED, "org_staff": DENIED, "observer": OK, "superuser": OK},
    ),
    # What residents ask about: the finder's counts (tsunagari/finder).
    "finder-stats": (
        "get",
        {"coordinator": OK, "org_admin": DENIED, "org_staff": DENIED, "observer": OK, "superuser": OK},
    ),
    # Residents' own words, kept by the platform's opt-in: the coordinator only (each reading audited).
    "finder-texts": (
        "get",
        {"coordinator": OK, "org_admin": DENIED, "org_staff": DENIED, "observer": DENIED, "superuser": OK},
    ),
    # The know-how library (tsunagari/knowhow). The entry is Sam's, kept inside Kamakura.
    "knowhow": ("get", {"coordinator": OK, "org_admin": OK, "org_staff": OK, "observer": OK, "superuser": OK}),
    "knowhow-new": (
        "get",
        {"coordinator": OK, "org_admin": OK, "org_staff": OK, "observer": DENIED, "superuser": OK},
    ),
    "knowhow-entry": ("get", {"coordinator": OK, "org_admin": OK, "org_staff": OK, "observer": OK, "superuser": OK}),
    "knowhow-edit": (
        "get",
        {"coordinator": OK, "org_admin": DENIED, "org_staff": OK, "observer": DENIED, "superuser": OK},
    ),
    "knowhow-delete": (
        "post",
        {"coordinator": DONE, "org_admin": DENIED, "org_staff": DONE, "observer": DENIED, "superuser": DONE},
    ),
    # Joint support cases (tsunagari/cases): only organisations holding a consent or an active
    # referral for the person, with two-factor. Olga's organisation holds Hanako; Sam (same
    # organisation, no second factor) is sent to set one up; the coordinator, observers and
    # superusers see no person data at all (404, as for a record that does not exist).
    "cases": (
        "get",
        {"coordinator": HIDDEN, "org_admin": OK, "org_staff": DONE, "observer": HIDDEN, "superuser": HIDDEN},
    ),
    "case-person": (
        "get",
        {"coordinator": HIDDEN, "org_admin": OK, "org_staff": DONE, "observer": HIDDEN, "superuser": HIDDEN},
    ),
    "case-referral": (
        "get",
        {"coordinator": HIDDEN, "org_admin": OK, "org_staff": DONE, "observer": HIDDEN, "superuser": HIDDEN},
    ),
    "case-referral-move": (
        "post",
        {"coordinator": HIDDEN, "org_admin": DONE, "org_staff": DONE, "observer": HIDDEN, "superuser": HIDDEN},
    ),
    # Monthly joint-support figures: aggregates only, for the coordinator and the observers' reports.
    "figures": (
        "get",
        {"coordinator": OK, "org_admin": DENIED, "org_staff": DENIED, "observer": OK, "superuser": OK},
    ),
    # Surveys (tsunagari/surveys): coordinators run them, observers read the questionnaire and the
    # report; member organisations see nothing. Anonymised answers and the letters are coordinators' only.
    **{
        name: (
            "get",
            {"coordinator": OK, "org_admin": DENIED, "org_staff": DENIED, "observer": OK, "superuser": OK},
        )
        for name in (
            "surveys",
            "survey",
            "survey-report",
            "survey-report-pdf",
            "survey-report-xlsx",
            "survey-open-data-csv",
            "survey-open-data-json",
            "survey-references",
        )
    },
    **{
        name: (
            "get",
            {"coordinator": OK, "org_admin": DENIED, "org_staff": DENIED, "observer": DENIED, "superuser": OK},
        )
        for name in (
            "survey-invitations",
            "survey-invitations-export",
            "survey-letters",
            "survey-entry",
            "survey-microdata",
            "survey-weighting",
            "survey-reference-new",
        )
    },
    **{
        name: (
            "post",
            {"coordinator": DONE, "org_admin": DENIED, "org_staff": DENIED, "observer": DENIED, "superuser": DONE},
        )
        for name in (
            "survey-new",
            "survey-edit",
            "survey-instrument",
            "survey-xlsform",
            "survey-question-new",
            "survey-question-delete",
            "survey-import",
            "survey-weighting-import",
            "survey-design",
            "survey-reference-withdraw",
            "survey-reference-import",
        )
    },
    # Programme plan and report (tsunagari/reporting): coordinators write, observers read and download.
    "reporting": READ_REPORT,
    "reporting-usage": READ_REPORT,
    "reporting-year": READ_REPORT,
    "reporting-texts": WRITE_REPORT,
    "reporting-row-new": WRITE_REPORT,
    "reporting-row-edit": (
        "get",
        {"coordinator": OK, "org_admin": DENIED, "org_staff": DENIED, "observer": DENIED, "superuser": OK},
    ),
    "reporting-row-delete": WRITE_REPORT,
    "reporting-evidence-upload": WRITE_REPORT,
    # Evidence files (minutes, photos: people in them) stay with the platform's coordinators.
    "reporting-evidence": (
        "get",
        {"coordinator": OK, "org_admin": DENIED, "org_staff": DENIED, "observer": HIDDEN, "superuser": OK},
    ),
    "reporting-evidence-delete": WRITE_REPORT,
    "reporting-report": READ_REPORT,
    "reporting-report-pdf": READ_REPORT,
    "reporting-report-xlsx": READ_REPORT,
    # Councils (tsunagari/councils). The register and supporters are the coordinator's.
    **{
        name: (
            method,
            {"coordinator": ok, "org_admin": DENIED, "org_staff": DENIED, "observer": DENIED, "superuser": ok},
        )
        for name, method, ok in [
            ("councils", "get", OK),
            ("council-new", "get", OK),
            ("council", "get", OK),
            ("council-edit", "get", OK),
            ("council-member-add", "post", DONE),
            ("council-member-remove", "post", DONE),
            ("supporters", "get", OK),
            ("supporter-end", "post", DONE),
        ]
    },
    # The pledge page is for everyone who may take part in a council. Signing is only for a council
    # one sits on through that organisation: Olga and Sam sign through their 社協; the coordinator
    # signs as coordinator (no organisation) and the superuser sits on nothing, so both get 404.
    "pledge": ("get", {"coordinator": OK, "org_admin": OK, "org_staff": OK, "observer": DENIED, "superuser": OK}),
    "pledge-sign": (
        "post",
        {"coordinator": HIDDEN, "org_admin": DONE, "org_staff": DONE, "observer": DENIED, "superuser": HIDDEN},
    ),
    # Any working member (and supporters, tests/councils) may report a concern; observers only read.
    "concern-report": (
        "get",
        {"coordinator": OK, "org_admin": OK, "org_staff": OK, "observer": DENIED, "superuser": OK},
    ),
    "concern-report-sent": (
        "get",
        {"coordinator": OK, "org_admin": OK, "org_staff": OK, "observer": DENIED, "superuser": OK},
    ),
    # Triage: the coordinator only (two-factor and a signed pledge); every other role 404.
    "concerns": (
        "get",
        {"coordinator": OK, "org_admin": HIDDEN, "org_staff": HIDDEN, "observer": HIDDEN, "superuser": HIDDEN},
    ),
    "concern": (
        "get",
        {"coordinator": OK, "org_admin": HIDDEN, "org_staff": HIDDEN, "observer": HIDDEN, "superuser": HIDDEN},
    ),
    "concern-move": (
        "post",
        {"coordinator": DONE, "org_admin": HIDDEN, "org_staff": HIDDEN, "observer": HIDDEN, "superuser": HIDDEN},
    ),
    # A concern handed to Olga's council: a case page for that organisation's people (two-factor, pledge).
    "concern-handed": (
        "get",
        {"coordinator": HIDDEN, "org_admin": OK, "org_staff": DONE, "observer": HIDDEN, "superuser": HIDDEN},
    ),
    # Case meetings, disclosure and notifications: the same rule (Olga's council organises the meeting).
    **{
        name: (
            "get",
            {"coordinator": HIDDEN, "org_admin": OK, "org_staff": DONE, "observer": HIDDEN, "superuser": HIDDEN},
        )
        for name in (
            "case-person-disclosure",
            "case-person-edit",
            "case-person-erase",
            "case-request-new",
            "case-request-answer",
            "case-requests",
            "case-person-new",
            "case-consent-new",
            "case-referral-new",
            "case-meetings",
            "case-meeting-new",
            "case-meeting",
            "case-meeting-document",
            "case-notifications",
            "case-attachment",
        )
    },
    **{
        name: (
            "post",
            {"coordinator": HIDDEN, "org_admin": DONE, "org_staff": DONE, "observer": HIDDEN, "superuser": HIDDEN},
        )
        for name in (
            "case-meeting-person",
            "case-meeting-participant",
            "case-meeting-record",
            "case-meeting-attendance",
            "case-meeting-document-upload",
            "case-meeting-task",
            "case-task-done",
            "case-notifications-read",
            "case-consent-withdraw",
            "case-attachment-upload",
        )
    },
}


def expected(url_name: str, persona: str) -> int | str:
    if persona == "anonymous":
        return LOGIN
    if persona == "outsider":
        return HIDDEN
    return MATRIX[url_name][1][persona]


@pytest.fixture
def kamakura_objects(request: pytest.FixtureRequest, alice: Any, sam: Any, kamakura: Any) -> dict[str, Any]:
    """The rows that URLs with ids point at: an open invitation and a role, and membership's rows."""
    invitation = actions.invite(platform=kamakura, email="pending@example.jp", role=Role.OBSERVER, invited_by=alice)
    council = request.getfixturevalue("kamakura_council")
    staff_invitation = actions.invite_staff(
        platform=kamakura, organization=council, email="new-staff@example.jp", invited_by=alice
    )
    objects = {
        "invitation": invitation,
        "staff_invitation": staff_invitation,
        "council": council,
        "membership": Membership.objects.get(user=sam, platform=kamakura),
        **request.getfixturevalue("membership_rows"),
        **request.getfixturevalue("notice_rows"),
        **request.getfixturevalue("program_rows"),
        **request.getfixturevalue("knowhow_rows"),
        "cases": request.getfixturevalue("case_rows"),
        **request.getfixturevalue("survey_rows"),
        **request.getfixturevalue("reporting_rows"),
    }
    # Last: council_rows approves the council as a member organisation, which membership_rows makes.
    councils = request.getfixturevalue("council_rows")
    return {**objects, "councils": {**councils, "handed": handed_concern(councils, alice, council)}}


def url_for(url_name: str, slug: str, objects: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    base = f"/{slug}/workspace/"
    return {
        "home": (base, {}),
        "people": (base + "people/", {}),
        "invite": (base + "people/invite/", {"email": "matrix@example.jp", "role": Role.OBSERVER}),
        "revoke-invitation": (base + f"people/invitations/{objects['invitation'].pk}/revoke/", {}),
        "remove-role": (base + f"people/roles/{objects['membership'].pk}/remove/", {}),
        "organisation-staff": (base + "organisation/", {}),
        "organisation-invite": (
            base + "organisation/invite/",
            {"email": "staff@example.jp", "organization": objects["council"].pk},
        ),
        "organisation-revoke-invitation": (
            base + f"organisation/invitations/{objects['staff_invitation'].pk}/revoke/",
            {},
        ),
        "organisation-remove-role": (base + f"organisation/roles/{objects['membership'].pk}/remove/", {}),
        "audit": (base + "audit/", {}),
        "audit-export": (base + "audit/export.csv", {}),
        "members": (base + "members/", {}),
        "members-export": (base + "members/export.csv", {}),
        "members-print": (base + "members/print/", {}),
        "members-applications": (base + "members/applications/", {}),
        "members-application": (base + f"members/applications/{objects['application'].pk}/", {}),
        "members-application-approve": (
            base + f"members/applications/{objects['application'].pk}/approve/",
            {"invite_contact": ""},
        ),
        "members-application-decline": (
            base + f"members/applications/{objects['application'].pk}/decline/",
            {"reason": "活動地域が違うため"},
        ),
        "members-agreements": (base + "members/agreements/", {}),
        "members-agreement-new": (base + "members/agreements/new/", {}),
        "members-agreement-edit": (base + f"members/agreements/{objects['agreement'].pk}/edit/", {}),
        "members-agreement-document": (base + f"members/agreements/{objects['agreement'].pk}/document/", {}),
        "members-detail": (base + f"members/{objects['member'].pk}/", {}),
        "members-trust": (base + f"members/{objects['member'].pk}/trust/", {"trusted": "on"}),
        "listings": (base + "listings/", {}),
        "listings-new": (base + "listings/new/", {}),
        "listings-settings": (base + "listings/settings/", {"verification_months": "3"}),
        "listings-change": (base + f"listings/changes/{objects['change'].pk}/", {}),
        "listings-change-approve": (base + f"listings/changes/{objects['change'].pk}/approve/", {}),
        "listings-change-reject": (
            base + f"listings/changes/{objects['change'].pk}/reject/",
            {"note": "根拠が不明です"},
        ),
        "listings-edit": (base + f"listings/{objects['service'].pk}/edit/", {}),
        "reports": (base + "reports/", {}),
        "reports-close": (base + f"reports/{objects['report'].pk}/close/", {"note": "直しました"}),
        "reports-ask": (base + f"reports/{objects['report'].pk}/ask/", {"message": "電話番号をご確認ください"}),
        "notices": (base + "notices/", {}),
        "notice-new": (base + "notices/new/", {}),
        "notices-read-all": (base + "notices/read-all/", {}),
        "notices-digest": (base + "notices/digest/", {"digest": "off"}),
        "notice": (base + f"notices/{objects['notice'].pk}/", {}),
        "notice-edit": (base + f"notices/{objects['notice'].pk}/edit/", {}),
        "notice-delete": (base + f"notices/{objects['notice'].pk}/delete/", {}),
        "notice-pin": (base + f"notices/{objects['notice'].pk}/pin/", {}),
        "notice-email": (base + f"notices/{objects['notice'].pk}/email/", {}),
        "notice-comment": (base + f"notices/{objects['notice'].pk}/comments/", {"body": "承知しました。"}),
        "notice-comment-delete": (base + f"notices/comments/{objects['comment'].pk}/delete/", {}),
        "notice-attachment": (base + f"notices/attachments/{objects['attachment'].pk}/", {}),
        "groups": (base + "notices/groups/", {}),
        "group-new": (base + "notices/groups/new/", {"name": "居場所づくり部会"}),
        "group": (base + f"notices/groups/{objects['group'].pk}/", {}),
        "group-edit": (base + f"notices/groups/{objects['group'].pk}/edit/", {"name": "ひきこもり支援部会"}),
        "events": (base + "events/", {}),
        "event-new": (base + "events/new/", {}),
        "events-ics": (base + "events/calendar.ics", {}),
        "event": (base + f"events/{objects['meeting'].pk}/", {}),
        "event-edit": (base + f"events/{objects['meeting'].pk}/edit/", {}),
        "event-ics": (base + f"events/{objects['meeting'].pk}/event.ics", {}),
        "event-register": (base + f"events/{objects['forum'].pk}/register/", {}),
        "event-unregister": (base + f"events/{objects['meeting'].pk}/unregister/", {}),
        "event-registration-add": (
            base + f"events/{objects['meeting'].pk}/registrations/new/",
            {"name": "電話の 鈴木さん", "phone": "0467-00-1234"},
        ),
        "event-registration-cancel": (
            base + f"events/{objects['meeting'].pk}/registrations/{objects['registrations']['sam'].pk}/cancel/",
            {},
        ),
        "event-registrations-export": (base + f"events/{objects['meeting'].pk}/registrations.csv", {}),
        "event-attendance": (
            base + f"events/{objects['meeting'].pk}/attendance/",
            {"attended": [objects["registrations"]["olga"].pk]},
        ),
        "event-document-upload": (
            base + f"events/{objects['meeting'].pk}/documents/",
            {"kind": "material", "file": pdf("資料.pdf")},
        ),
        "event-document": (base + f"events/documents/{objects['document'].pk}/", {}),
        "event-document-delete": (base + f"events/documents/{objects['document'].pk}/delete/", {}),
        "training": (base + "training/", {}),
        "training-new": (
            base + "training/new/",
            {"attendee_name": "鎌倉 太郎", "course": "つながりサポーター養成講座", "completed_on": "2026-04-01"},
        ),
        "training-delete": (base + f"training/{objects['training'].pk}/delete/", {}),
        "training-export": (base + "training/export.csv", {}),
        "finder-stats": (base + "finder/", {}),
        "finder-texts": (base + "finder/texts/", {}),
        "knowhow": (base + "knowhow/", {}),
        "knowhow-new": (base + "knowhow/new/", {}),
        "knowhow-entry": (base + f"knowhow/{objects['entry'].pk}/", {}),
        "knowhow-edit": (base + f"knowhow/{objects['entry'].pk}/edit/", {}),
        "knowhow-delete": (base + f"knowhow/{objects['entry'].pk}/delete/", {}),
        "cases": (base + "cases/", {}),
        "case-person": (base + f"cases/persons/{objects['cases']['person'].pk}/", {}),
        "case-referral": (base + f"cases/referrals/{objects['cases']['referral'].pk}/", {}),
        "case-referral-move": (base + f"cases/referrals/{objects['cases']['referral'].pk}/move/", {"to": "cancelled"}),
        **_survey_urls(base, objects),
        "reporting": (base + "reporting/", {}),
        "reporting-usage": (base + "reporting/usage/", {}),
        "reporting-year": (base + f"reporting/{YEAR}/", {}),
        "reporting-texts": (base + f"reporting/{YEAR}/texts/", {"achievements": "会議を4回開いた"}),
        "reporting-row-new": (
            base + f"reporting/{YEAR}/milestones/new/",
            {"title": "年度末報告", "due_on": f"{YEAR + 1}-03-31"},
        ),
        "reporting-row-edit": (base + f"reporting/kpis/{objects['kpi'].pk}/edit/", {}),
        "reporting-row-delete": (base + f"reporting/budget/{objects['budget_line'].pk}/delete/", {}),
        "reporting-evidence-upload": (
            base + f"reporting/{YEAR}/evidence/",
            {"kind": "flyer", "item": "awareness", "file": pdf("チラシ.pdf")},
        ),
        "reporting-evidence": (base + f"reporting/evidence/{objects['evidence'].pk}/", {}),
        "reporting-evidence-delete": (base + f"reporting/evidence/{objects['evidence'].pk}/delete/", {}),
        "reporting-report": (base + f"reporting/{YEAR}/report/", {}),
        "reporting-report-pdf": (base + f"reporting/{YEAR}/report.pdf", {}),
        "reporting-report-xlsx": (base + f"reporting/{YEAR}/report.xlsx", {}),
        **council_urls(base, objects["councils"]),
        **case_meeting_urls(base, objects["cases"]),
        "figures": (base + "figures/", {}),
    }[url_name]


def case_meeting_urls(base: str, rows: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    meeting = f"{base}cases/meetings/{rows['meeting'].pk}/"
    return {
        "case-person-disclosure": (base + f"cases/persons/{rows['person'].pk}/disclosure/", {}),
        "case-person-new": (base + "cases/persons/new/", {}),
        "case-person-edit": (base + f"cases/persons/{rows['person'].pk}/edit/", {}),
        "case-person-erase": (base + f"cases/persons/{rows['person'].pk}/erase/", {}),
        "case-request-new": (base + f"cases/persons/{rows['person'].pk}/requests/new/", {}),
        "case-request-answer": (base + f"cases/requests/{rows['person_request'].pk}/answer/", {}),
        "case-requests": (base + "cases/requests/", {}),
        "case-consent-new": (base + f"cases/persons/{rows['person'].pk}/consents/new/", {}),
        "case-referral-new": (base + f"cases/persons/{rows['person'].pk}/referrals/new/", {}),
        "case-consent-withdraw": (base + f"cases/consents/{rows['consent'].pk}/withdraw/", {}),
        "case-meetings": (base + "cases/meetings/", {}),
        "case-meeting-new": (base + "cases/meetings/new/", {}),
        "case-meeting": (meeting, {}),
        "case-meeting-person": (meeting + "persons/", {"person": rows["person"].pk}),
        "case-meeting-participant": (meeting + "participants/", {"user": rows["rita"].pk}),
        "case-meeting-record": (meeting + "record/", {"agenda": "見守り", "decisions": "", "minutes": ""}),
        "case-meeting-attendance": (meeting + "attendance/", {"attended": []}),
        "case-meeting-document-upload": (meeting + "documents/", {"file": pdf("追加資料.pdf")}),
        "case-meeting-document": (base + f"cases/meetings/documents/{rows['document'].pk}/", {}),
        "case-meeting-task": (meeting + "tasks/", {"title": "電話する", "owner": "", "due_on": "2027-01-15"}),
        "case-task-done": (base + f"cases/tasks/{rows['task'].pk}/done/", {}),
        "case-attachment-upload": (base + f"cases/persons/{rows['person'].pk}/attachments/", {"file": pdf("追加.pdf")}),
        "case-attachment": (base + f"cases/attachments/{rows['attachment'].pk}/", {}),
        "case-notifications": (base + "cases/notifications/", {}),
        "case-notifications-read": (base + "cases/notifications/read/", {}),
    }


def _survey_urls(base: str, objects: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    survey = base + f"surveys/{objects['survey'].pk}/"
    draft = base + f"surveys/{objects['survey_draft'].pk}/"
    workbook = SimpleUploadedFile("form.xlsx", xlsform_bytes())
    answers = SimpleUploadedFile("answers.csv", b"token,loneliness_direct,age_band\n,3,2\n")
    return {
        "surveys": (base + "surveys/", {}),
        "survey-new": (base + "surveys/new/", {"title": "実態調査", "status": "draft", "min_cell": "10"}),
        "survey": (survey, {}),
        "survey-edit": (survey + "edit/", {"title": "実態調査（改）", "status": "open", "min_cell": "10"}),
        "survey-instrument": (draft + "instrument/", {"instrument": "ucla3"}),
        "survey-xlsform": (draft + "xlsform/", {"file": workbook}),
        "survey-question-new": (
            draft + "questions/new/",
            {"name": "q_age", "kind": "integer", "label_ja": "あなたの年齢", "page": "1"},
        ),
        "survey-question-delete": (base + f"surveys/questions/{objects['survey_question'].pk}/delete/", {}),
        "survey-invitations": (survey + "invitations/", {}),
        "survey-invitations-export": (survey + "invitations.csv", {}),
        "survey-letters": (survey + "letters/", {}),
        "survey-entry": (survey + "entry/", {}),
        "survey-import": (survey + "import/", {"file": answers}),
        "survey-weighting": (survey + "weighting/", {}),
        "survey-design": (survey + "weighting/design/", {"design": "srs"}),
        "survey-weighting-import": (
            survey + "weighting/import/",
            {"file": SimpleUploadedFile("人口.csv", "性別,年齢階級,人口\n男性,20～29歳,5000\n".encode())},
        ),
        "survey-report": (survey + "report/", {}),
        "survey-report-pdf": (survey + "report.pdf", {}),
        "survey-report-xlsx": (survey + "report.xlsx", {}),
        "survey-open-data-csv": (survey + "results.csv", {}),
        "survey-open-data-json": (survey + "results.json", {}),
        "survey-microdata": (survey + "answers.csv", {}),
        "survey-references": (base + "surveys/references/", {}),
        "survey-reference-new": (base + "surveys/references/new/?item=loneliness_direct", {}),
        "survey-reference-withdraw": (base + f"surveys/references/{objects['survey_reference'].pk}/withdraw/", {}),
        "survey-reference-import": (
            base + "surveys/references/import/",
            {
                "file": SimpleUploadedFile(
                    "公表値.csv",
                    (
                        "item,year,population,source_title,publisher,url,code,percent\n"
                        + "".join(
                            f"someone_to_consult,2024,架空,架空の調査,テスト,https://example.jp/x,{code},{p}\n"
                            for code, p in (("1", "90"), ("2", "10"))
                        )
                    ).encode(),
                )
            },
        ),
    }


def council_urls(base: str, rows: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    council = rows["regional"].pk
    return {
        "councils": (base + "councils/", {}),
        "council-new": (base + "councils/new/", {}),
        "council": (base + f"councils/{council}/", {}),
        "council-edit": (base + f"councils/{council}/edit/", {}),
        "council-member-add": (base + f"councils/{council}/members/", {"organization": rows["npo"].pk}),
        "council-member-remove": (base + f"councils/{council}/members/{rows['seat'].pk}/remove/", {}),
        "supporters": (base + "supporters/", {}),
        "supporter-end": (base + f"supporters/{rows['supporter'].pk}/end/", {}),
        "pledge": (base + "pledge/", {}),
        "pledge-sign": (
            base + f"pledge/{council}/sign/",
            {"organization": str(rows["seat"].organization_id), "agree": "yes"},
        ),
        "concern-report": (base + "concerns/report/", {}),
        "concern-report-sent": (base + "concerns/report/sent/", {}),
        "concerns": (base + "concerns/", {}),
        "concern": (base + f"concerns/{rows['concern'].pk}/", {}),
        "concern-move": (base + f"concerns/{rows['concern'].pk}/move/", {"to": "triaged"}),
        "concern-handed": (base + f"concerns/handed/{rows['handed'].pk}/", {}),
    }


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url_name", list(MATRIX))
def test_permission_matrix(
    request: pytest.FixtureRequest,
    client: Client,
    url_name: str,
    persona: str,
    kamakura_objects: dict[str, Any],
    charlie: Any,
    olga: Any,
    oscar: Any,
    root: Any,
) -> None:
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(FIXTURE[persona]))
    method, _statuses = MATRIX[url_name]
    url, data = url_for(url_name, "kamakura", kamakura_objects)
    response = getattr(client, method)(url, data)
    want = expected(url_name, persona)
    if want == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == want, f"{persona} {method.upper()} {url}"


@pytest.mark.parametrize("url_name", list(MATRIX))
def test_a_missing_platform_looks_like_someone_elses(
    client: Client, url_name: str, alice: Any, kamakura_objects: dict[str, Any]
) -> None:
    client.force_login(alice)
    method, _statuses = MATRIX[url_name]
    url, data = url_for(url_name, "no-such-platform", kamakura_objects)
    assert getattr(client, method)(url, data).status_code == 404


def test_ids_from_another_platform_are_404(
    client: Client, alice: Any, charlie: Any, tottori: Any, kamakura: Any
) -> None:
    """Kamakura's coordinator cannot reach Tottori's rows through Kamakura's URLs."""
    theirs = actions.invite(platform=tottori, email="t@example.jp", role=Role.OBSERVER, invited_by=charlie)
    their_role = Membership.objects.get(user=charlie, platform=tottori)
    client.force_login(alice)
    assert client.post(f"/kamakura/workspace/people/invitations/{theirs.pk}/revoke/").status_code == 404
    assert client.post(f"/kamakura/workspace/people/roles/{their_role.pk}/remove/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert Membership.objects.filter(pk=their_role.pk).exists()


def test_the_matrix_covers_every_workspace_url() -> None:
    names = {p.name for p in WORKSPACE_PATTERNS if isinstance(p, URLPattern)}
    assert names == set(MATRIX)


def test_observers_read_without_forms(client: Client, oscar: Any, kamakura: Any) -> None:
    client.force_login(oscar)
    body = client.get("/kamakura/workspace/people/").content.decode()
    assert "/people/invite/" not in body
    assert "remove/" not in body
