"""Object-level probes: a member let into their own workspace asks for another platform's rows by id.

The permission matrix's outsider is refused at the door (404 before any row is read), so it cannot
tell whether the rows themselves are looked up inside the platform. Here Tottori's people — each
holding the role the page asks for, and the superuser, who passes every role check — request
every workspace URL that carries an id, in Tottori's workspace, with the ids of Kamakura's rows
(and Kamakura's ids in the form data where a form takes one). Each must answer 404 (or refuse the
form), show nothing of the row, and write nothing: the whole database is compared before and after.

The pages without an id are probed too: Tottori's people use each of them in Tottori's workspace,
and no page may show Kamakura's rows, nor any request add, change or remove a row of Kamakura's.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern

from tests.cases.rows import case_rows  # noqa: F401
from tests.conftest import make_user, with_totp
from tests.councils.rows import council_rows  # noqa: F401
from tests.dbstate import database_state, rows_by_repr, touched_on_platform
from tests.knowhow.rows import knowhow_rows  # noqa: F401
from tests.membership.rows import membership_rows  # noqa: F401
from tests.notices.rows import notice_rows  # noqa: F401
from tests.programs.rows import program_rows  # noqa: F401
from tests.reporting.rows import reporting_rows  # noqa: F401
from tests.surveys.rows import survey_rows  # noqa: F401
from tests.workspace.test_permissions import DONE, MATRIX, OK, kamakura_objects, url_for  # noqa: F401
from tsunagari.accounts.models import Membership, Role
from tsunagari.directory.models import Organization
from tsunagari.tenancy.scoping import scopes_disabled
from tsunagari.urls import WORKSPACE_PATTERNS

pytestmark = pytest.mark.django_db

# URLs whose form data (not their path) names a row of the platform.
IDS_IN_DATA = {"organisation-invite"}
# Parts of a path that name no row: a fiscal year, a kind of plan row (tsunagari/reporting).
NOT_IDS = ("<int:year>", "<str:kind>")


def names_a_row(pattern: str) -> bool:
    for part in NOT_IDS:
        pattern = pattern.replace(part, "")
    return "<" in pattern


WITH_IDS = sorted(
    {p.name for p in WORKSPACE_PATTERNS if isinstance(p, URLPattern) and names_a_row(str(p.pattern))} | IDS_IN_DATA
)
ROLES = ["coordinator", "org_admin", "org_staff", "observer"]


def allowed_role(url_name: str) -> str:
    """The first role the matrix lets use the page: the probe comes from inside the workspace."""
    statuses = MATRIX[url_name][1]
    return next(role for role in ROLES if statuses[role] in {OK, DONE})


@pytest.fixture
def tottori_people(tottori: Any, charlie: Any, root: Any) -> dict[str, Any]:
    """Tottori's own people, one per role (Charlie coordinates it), and the superuser."""
    with scopes_disabled():
        council = Organization.objects.create(platform=tottori, name="鳥取県社会福祉協議会")
    people = {"coordinator": charlie, "superuser": root}
    for role in ("org_admin", "org_staff", "observer"):
        user = make_user(f"tottori-{role}")
        organization = council if role in {"org_admin", "org_staff"} else None
        Membership.objects.create(user=user, platform=tottori, role=role, organization=organization)
        people[role] = with_totp(user) if role == Role.ORG_ADMIN else user
    return people


def marks_of(obj: Any) -> list[str]:
    """Text that would show the page revealed Kamakura's row.

    A question's name taken from the library of standard instruments (loneliness_direct …) is the
    same on every platform, and pages that offer those items show it: it reveals nothing.
    """
    from tsunagari.surveys.references import ITEMS

    marks = []
    if len(str(obj.pk)) >= 8:
        marks.append(str(obj.pk))
    for field in ("title", "name", "body", "email", "source_title"):
        value = getattr(obj, field, None)
        if isinstance(value, str) and len(value) >= 4 and value not in ITEMS:
            marks.append(value)
    return marks


def case_log_rows(platform_id: int) -> int:
    """The probed platform's case-log rows (the prober's own refused requests go to its own log)."""
    from tsunagari.cases.models import CaseLogEntry

    with scopes_disabled():
        return CaseLogEntry.objects.filter(platform_id=platform_id).count()


def test_every_url_with_an_id_is_probed() -> None:
    assert len(WITH_IDS) >= 40
    assert set(WITH_IDS) <= set(MATRIX)


@pytest.mark.parametrize("who", ["member", "superuser"])
@pytest.mark.parametrize("url_name", WITH_IDS)
def test_kamakuras_ids_in_tottoris_workspace_are_404(
    client: Client,
    url_name: str,
    who: str,
    kamakura_objects: dict[str, Any],  # noqa: F811 - the matrix's fixture
    tottori_people: dict[str, Any],
) -> None:
    person = tottori_people[allowed_role(url_name) if who == "member" else "superuser"]
    client.force_login(person)
    method, _statuses = MATRIX[url_name]
    url, data = url_for(url_name, "tottori-pref", kamakura_objects)
    before = database_state()
    kamakura_log = case_log_rows(kamakura_objects["cases"]["person"].platform_id)
    response = getattr(client, method)(url, data)
    assert database_state() == before, f"{method.upper()} {url} wrote to the database"
    assert case_log_rows(kamakura_objects["cases"]["person"].platform_id) == kamakura_log
    if url_name in IDS_IN_DATA:
        assert response.status_code in {200, 400, 404}, f"{method.upper()} {url}: {response.status_code}"
    else:
        assert response.status_code == 404, f"{method.upper()} {url}: {response.status_code}"
    body = response.content.decode(errors="replace")
    for obj in kamakura_objects.values():
        if hasattr(obj, "pk") and url_name not in IDS_IN_DATA:
            for mark in marks_of(obj):
                assert mark not in body, f"{url} showed {mark!r}"


WITHOUT_IDS = sorted(set(MATRIX) - set(WITH_IDS))


@pytest.mark.parametrize("who", ["member", "superuser"])
@pytest.mark.parametrize("url_name", WITHOUT_IDS)
def test_tottoris_pages_show_and_touch_nothing_of_kamakuras(
    client: Client,
    url_name: str,
    who: str,
    kamakura: Any,
    kamakura_objects: dict[str, Any],  # noqa: F811 - the matrix's fixture
    tottori_people: dict[str, Any],
) -> None:
    person = tottori_people[allowed_role(url_name) if who == "member" else "superuser"]
    client.force_login(person)
    method, _statuses = MATRIX[url_name]
    url, data = url_for(url_name, "tottori-pref", kamakura_objects)
    before = rows_by_repr()
    response = getattr(client, method)(url, data)
    if who == "superuser" and (url_name.startswith("case") or url_name == "concerns"):
        # Person data is for the organisations that hold a consent or referral, not for the
        # superuser (docs/cases.md): stricter than the rest of the workspace. Concerns likewise
        # are for the platform's own coordinators with a signed pledge.
        assert response.status_code == 404, f"{method.upper()} {url}: {response.status_code}"
        assert rows_by_repr() == before
        return
    assert response.status_code in {200, 302}, f"{method.upper()} {url}: {response.status_code}"
    assert touched_on_platform(before, rows_by_repr(), kamakura.pk) == []
    body = b"".join(response.streaming_content if response.streaming else [response.content]).decode(errors="replace")
    for obj in kamakura_objects.values():
        if hasattr(obj, "pk"):
            for mark in marks_of(obj):
                assert mark not in body, f"{url} showed {mark!r}"
