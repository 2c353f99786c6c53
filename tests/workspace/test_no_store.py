"""Cache-Control: no-store on every signed-in workspace page, export and file, and on the admin (issue 10 item 8)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.cases.rows import case_rows  # noqa: F401
from tests.councils.rows import council_rows  # noqa: F401
from tests.knowhow.rows import knowhow_rows  # noqa: F401
from tests.membership.rows import membership_rows  # noqa: F401
from tests.notices.rows import notice_rows  # noqa: F401
from tests.programs.rows import program_rows  # noqa: F401
from tests.reporting.rows import reporting_rows  # noqa: F401
from tests.surveys.rows import survey_rows  # noqa: F401
from tests.workspace.test_permissions import (
    MATRIX,
    OK,
    kamakura_objects,  # noqa: F401
    url_for,
)

pytestmark = pytest.mark.django_db

# Every page the coordinator reads, exports (CSV, iCalendar) and files (attachments, documents) included.
READ_URLS = [name for name, (method, statuses) in MATRIX.items() if method == "get" and statuses["superuser"] == OK]
EXPORTS = {
    "audit-export",
    "event-registrations-export",
    "training-export",
    "events-ics",
    "event-ics",
    "reporting-report-pdf",
    "reporting-report-xlsx",
}
FILES = {"notice-attachment", "event-document", "members-agreement-document", "reporting-evidence"}


def assert_no_store(response: Any) -> None:
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives, response["Cache-Control"]
    assert "public" not in directives


def test_the_list_holds_every_export_and_file() -> None:
    assert set(READ_URLS) >= EXPORTS | FILES


def test_every_workspace_page_and_export_is_no_store(client: Client, root: Any, request: pytest.FixtureRequest) -> None:
    objects = request.getfixturevalue("kamakura_objects")
    client.force_login(root)
    cached = {}
    for url_name in READ_URLS:
        url, _data = url_for(url_name, "kamakura", objects)
        response = client.get(url)
        assert response.status_code == 200, url
        directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
        if not {"no-store", "private"} <= directives or "public" in directives:
            cached[url_name] = response.get("Cache-Control")
    assert cached == {}


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/directory/service/",
        "/admin/directory/service/add/",
        "/admin/audit/auditevent/",
        "/admin/tsunagari_channels/linechannel/",
    ],
)
def test_admin_pages_are_no_store(client: Client, root: Any, kamakura: Any, path: str) -> None:
    client.force_login(root)
    response = client.get(path)
    assert response.status_code == 200, path
    assert_no_store(response)


def test_the_admin_sign_in_page_is_no_store_even_before_signing_in(client: Client) -> None:
    response = client.get("/admin/login/", follow=True)
    assert_no_store(response)


def test_a_signed_in_person_gets_no_store_even_on_public_pages(client: Client, alice: Any, kamakura: Any) -> None:
    # The page names the person's workspace; the portal's public max-age is for anonymous residents only.
    public = client.get("/kamakura/qr.svg")
    assert "public" in public["Cache-Control"]
    client.force_login(alice)
    assert_no_store(client.get("/kamakura/"))
    assert_no_store(client.get("/kamakura/qr.svg"))
