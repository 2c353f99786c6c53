"""A concern handed to an organisation: its people are told (no personal data by e-mail) and read it there.

The coordinator's hand-over is a share in the case log; the page is a case page of the receiving
organisation (two-factor, pledge, never cached, logged); every other organisation, platform or role
gets 404 as for a concern that does not exist.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from tests.cases.rows import OUTSIDERS, outsider
from tests.councils.rows import handed_concern
from tsunagari.cases import caselog
from tsunagari.cases.models import CaseLogEntry, Notification
from tsunagari.councils.models import ConcernState
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db

WHAT, PLACE, NOTE = "夜に大きな物音がして、そのあと静か", "鎌倉市長谷二丁目の白い家", "地域包括の担当: 山田"


def page(concern: Any, slug: str = "kamakura") -> str:
    return f"/{slug}/workspace/concerns/handed/{concern.pk}/"


def test_handing_a_concern_tells_the_organisations_people_without_personal_data(
    alice: Any,
    olga: Any,
    sam: Any,
    kamakura_council: Any,
    council_rows: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        concern = handed_concern(council_rows, alice, kamakura_council)
    with scopes_disabled():
        told = {n.user_id: n for n in Notification.objects.filter(kind=Notification.Kind.CONCERN_HANDED)}
        share = CaseLogEntry.objects.filter(action=caselog.SHARE, detail__concern_id=concern.pk).get()
    # The council's administrator and staff; not the coordinator, not the NPO that was not chosen.
    assert set(told) == {olga.pk, sam.pk}
    assert told[olga.pk].link == page(concern)
    assert share.actor_id == alice.pk and share.detail["handed_to"] == str(kamakura_council.pk)
    assert share.detail["urgency"] == "life" and share.detail["notified"] == 2
    assert WHAT not in str(share.detail) + share.path
    sent = [m for m in mail.outbox if m.to[0] in (olga.email, sam.email)]
    assert len(sent) == 2
    for message in sent:
        body = message.subject + message.body
        assert "気づきが引き継がれました" in body and "緊急度: 命の危険があるかもしれない" in body
        assert page(concern) in body
        for secret in (WHAT, "物音", PLACE, "長谷", NOTE, "山田", "鈴木", council_rows["suzu"].email):
            assert secret not in body, secret


def test_the_receiving_organisation_reads_it_and_the_notice_is_read(
    client: Client,
    alice: Any,
    olga: Any,
    kamakura_council: Any,
    case_rows: dict[str, Any],
    council_rows: dict[str, Any],
) -> None:
    concern = handed_concern(council_rows, alice, kamakura_council)
    client.force_login(olga)
    response = client.get(page(concern))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert WHAT in body and PLACE in body and NOTE in body and "民生委員" in body
    assert "鈴木" not in body  # who reported it is the coordinator's to pass on, in the note
    with scopes_disabled():
        notice = Notification.objects.get(user=olga, kind=Notification.Kind.CONCERN_HANDED)
    assert notice.read_at is not None
    # A concern not handed to the council (still new) is 404, as for one that does not exist.
    assert client.get(page(council_rows["concern"])).status_code == 404


def test_another_organisation_and_the_coordinator_get_404(
    client: Client, alice: Any, kamakura_council: Any, case_rows: dict[str, Any], council_rows: dict[str, Any]
) -> None:
    concern = handed_concern(council_rows, alice, case_rows["centre"])
    # Olga's council was not chosen: 404; Rita's centre was.
    client.force_login(case_rows["rita"])
    assert client.get(page(concern)).status_code == 200
    for user in (case_rows["dora"], alice):
        client.force_login(user)
        response = client.get(page(concern))
        assert response.status_code == 404 and WHAT not in response.content.decode()
    with scopes_disabled():
        concern.refresh_from_db()
    assert concern.state == ConcernState.LINKED


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_404(
    request: pytest.FixtureRequest,
    client: Client,
    alice: Any,
    olga: Any,
    kamakura_council: Any,
    case_rows: dict[str, Any],
    council_rows: dict[str, Any],
    tottori: Any,
    who: str,
) -> None:
    concern = handed_concern(council_rows, alice, kamakura_council)
    user, slug = outsider(request, who, olga, case_rows, tottori)
    client.force_login(user)
    response = client.get(page(concern, slug))
    assert response.status_code == 404 and WHAT not in response.content.decode()
