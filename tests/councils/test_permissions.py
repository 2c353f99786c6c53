"""Least privilege and object-level probes for the councils' pages (the role matrix is in tests/workspace).

A supporter has no workspace role: every workspace URL but the concern form is 404 for them, as
for a platform that does not exist. The probes below try the rows of one platform, organisation
or council through another.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.knowhow.rows import knowhow_rows  # noqa: F401
from tests.membership.rows import membership_rows  # noqa: F401
from tests.notices.rows import notice_rows, pdf  # noqa: F401
from tests.programs.rows import program_rows  # noqa: F401
from tests.reporting.rows import reporting_rows  # noqa: F401
from tests.surveys.rows import survey_rows  # noqa: F401
from tests.workspace.test_permissions import MATRIX, kamakura_objects, url_for  # noqa: F401
from tsunagari.accounts.models import Membership
from tsunagari.councils import actions
from tsunagari.councils.models import ConcernState, Council, Pledge, SupporterKind
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db

SUPPORTER_PAGES = {"concern-report", "concern-report-sent"}


@pytest.mark.parametrize("url_name", list(MATRIX))
def test_a_supporter_reaches_nothing_but_the_concern_form(
    request: pytest.FixtureRequest, client: Client, url_name: str
) -> None:
    objects = request.getfixturevalue("kamakura_objects")
    client.force_login(objects["councils"]["suzu"])
    method, _statuses = MATRIX[url_name]
    url, data = url_for(url_name, "kamakura", objects)
    want = 200 if url_name in SUPPORTER_PAGES else 404
    assert getattr(client, method)(url, data).status_code == want, url


def test_a_former_supporter_can_no_longer_report(client: Client, alice: Any, council_rows: dict[str, Any]) -> None:
    actions.end_supporter(council_rows["supporter"], actor=alice)
    client.force_login(council_rows["suzu"])
    assert client.get("/kamakura/workspace/concerns/report/").status_code == 404
    assert (
        client.post("/kamakura/workspace/concerns/report/", {"what": "x", "place": "y", "urgency": "today"}).status_code
        == 404
    )


def test_a_supporter_of_another_platform_cannot_report_here(
    client: Client, tottori: Any, charlie: Any, council_rows: dict[str, Any]
) -> None:
    from tests.conftest import make_user

    toru = make_user("toru")
    with scopes_disabled():
        actions.add_supporter(
            tottori,
            email=toru.email,
            display_name="",
            kind=SupporterKind.TSUNAGARI_SUPPORTER,
            organization=None,
            actor=charlie,
        )
    client.force_login(toru)
    assert client.get(f"/{tottori.slug}/workspace/concerns/report/").status_code == 200
    assert client.get("/kamakura/workspace/concerns/report/").status_code == 404


def test_another_platforms_coordinator_cannot_reach_kamakuras_rows_through_their_own_platform(
    client: Client, tottori: Any, charlie: Any, council_rows: dict[str, Any]
) -> None:
    """Charlie coordinates Tottori and signed a pledge there; Kamakura's ids stay 404 under /tottori/."""
    with scopes_disabled():
        theirs = Council.objects.create(platform=tottori, name="鳥取市地域協議会", basis="regional_council")
        actions.sign_pledge(theirs, user=charlie, organization=None)
    client.force_login(charlie)
    base = f"/{tottori.slug}/workspace/"
    assert client.get(base + "concerns/").status_code == 200
    concern, council, seat = council_rows["concern"], council_rows["regional"], council_rows["seat"]
    for method, url, data in [
        ("get", f"concerns/{concern.pk}/", {}),
        ("post", f"concerns/{concern.pk}/move/", {"to": "triaged"}),
        ("get", f"councils/{council.pk}/", {}),
        ("get", f"councils/{council.pk}/edit/", {}),
        ("post", f"councils/{council.pk}/members/", {"organization": council_rows["npo"].pk}),
        ("post", f"councils/{council.pk}/members/{seat.pk}/remove/", {}),
        ("post", f"supporters/{council_rows['supporter'].pk}/end/", {}),
        ("post", f"pledge/{council.pk}/sign/", {"organization": "", "agree": "yes"}),
    ]:
        assert getattr(client, method)(base + url, data).status_code == 404, url
    with scopes_disabled():
        concern.refresh_from_db()
        seat.refresh_from_db()
        council_rows["supporter"].refresh_from_db()
        assert not Pledge.objects.filter(user=charlie, council=council).exists()
    assert concern.state == ConcernState.NEW and seat.left_on is None and council_rows["supporter"].ended_at is None


def test_a_member_of_another_organisation_cannot_triage_or_sign_for_it(
    client: Client, council_rows: dict[str, Any], case_rows: dict[str, Any]
) -> None:
    dora = case_rows["dora"]  # administers an organisation that sits on no council of council_rows
    client.force_login(dora)
    assert client.get(f"/kamakura/workspace/concerns/{council_rows['concern'].pk}/").status_code == 404
    url = f"/kamakura/workspace/pledge/{council_rows['regional'].pk}/sign/"
    assert (
        client.post(url, {"organization": str(council_rows["seat"].organization_id), "agree": "yes"}).status_code == 404
    )


def test_a_former_coordinator_loses_triage_at_once(client: Client, alice: Any, council_rows: dict[str, Any]) -> None:
    client.force_login(alice)
    assert client.get("/kamakura/workspace/concerns/").status_code == 200
    Membership.objects.filter(user=alice).delete()
    assert client.get("/kamakura/workspace/concerns/").status_code == 404
    assert client.get(f"/kamakura/workspace/concerns/{council_rows['concern'].pk}/").status_code == 404


def test_an_observer_with_a_pledge_still_cannot_triage(
    client: Client, oscar: Any, council_rows: dict[str, Any]
) -> None:
    """Even a pledge row somehow made for an observer gives no triage: the role is checked first."""
    from tests.conftest import with_totp

    with scopes_disabled():
        actions.sign_pledge(council_rows["regional"], user=oscar, organization=None)
    client.force_login(with_totp(oscar))
    assert client.get("/kamakura/workspace/concerns/").status_code == 404
    assert client.get(f"/kamakura/workspace/concerns/{council_rows['concern'].pk}/").status_code == 404
