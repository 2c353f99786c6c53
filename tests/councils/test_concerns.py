"""Concerns (気づき): a supporter reports, seeing nothing else; the coordinator triages by urgency."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone

from tsunagari.audit.models import AuditEvent
from tsunagari.councils import actions
from tsunagari.councils.models import Concern, ConcernState, Urgency
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db

REPORT = "/kamakura/workspace/concerns/report/"
QUEUE = "/kamakura/workspace/concerns/"


def test_the_call_buttons_come_before_the_form(client: Client, council_rows: dict[str, Any]) -> None:
    client.force_login(council_rows["suzu"])
    body = client.get(REPORT).content.decode()
    assert 'href="tel:110"' in body and 'href="tel:119"' in body
    assert body.index('href="tel:110"') < body.index('<form method="post" class="stacked concern-form"')


def test_a_supporter_reports_a_concern_and_it_is_stored_encrypted(client: Client, council_rows: dict[str, Any]) -> None:
    client.force_login(council_rows["suzu"])
    response = client.post(
        REPORT, {"what": "雨戸が一週間閉まったまま", "place": "由比ガ浜二丁目の青い屋根の家", "urgency": "days"}
    )
    assert response.status_code == 302 and response["Location"].endswith("/concerns/report/sent/")
    with scopes_disabled():
        concern = Concern.objects.latest("pk")
    assert concern.what == "雨戸が一週間閉まったまま" and concern.reporter_kind == "welfare_commissioner"
    assert concern.due_at - concern.received_at == datetime.timedelta(days=3)
    with connection.cursor() as cursor:
        cursor.execute("SELECT what, place FROM councils_concern WHERE id = %s", [concern.pk])
        what, place = cursor.fetchone()
    assert "雨戸" not in what and "由比ガ浜" not in place and what.startswith("gcm1:")
    # What they sent is not shown back to them.
    sent = client.get(response["Location"]).content.decode()
    assert "雨戸" not in sent and "由比ガ浜" not in sent


def test_danger_to_life_shows_the_call_buttons_again(client: Client, council_rows: dict[str, Any]) -> None:
    client.force_login(council_rows["suzu"])
    response = client.post(REPORT, {"what": "倒れている", "place": "駅前", "urgency": "life"}, follow=True)
    assert 'href="tel:119"' in response.content.decode()


def test_missing_answers_are_named_in_japanese(client: Client, council_rows: dict[str, Any]) -> None:
    client.force_login(council_rows["suzu"])
    response = client.post(REPORT, {"what": "", "place": "", "urgency": ""})
    body = response.content.decode()
    assert response.status_code == 400
    assert (
        "気づいたことを書いてください。" in body
        and "場所を書いてください。" in body
        and "緊急度を選んでください。" in body
    )


def test_the_queue_puts_the_concern_due_first_on_top_and_flags_overdue(
    client: Client, alice: Any, kamakura: Any, council_rows: dict[str, Any]
) -> None:
    suzu = council_rows["suzu"]
    with scopes_disabled():
        start = timezone.now()
        with time_machine.travel(start - datetime.timedelta(days=20), tick=False):
            old_watch = actions.report_concern(
                kamakura, user=suzu, reporter_kind="x", what="a", place="b", urgency=Urgency.WATCH
            )
        life = actions.report_concern(kamakura, user=suzu, reporter_kind="x", what="c", place="d", urgency=Urgency.LIFE)
        days = actions.report_concern(kamakura, user=suzu, reporter_kind="x", what="e", place="f", urgency=Urgency.DAYS)
        queue = list(Concern.objects.queue())
    today = council_rows["concern"]
    assert [c.pk for c in queue] == [old_watch.pk, life.pk, today.pk, days.pk]
    assert old_watch.is_overdue and not life.is_overdue
    client.force_login(alice)
    body = client.get(QUEUE).content.decode()
    assert body.count('class="overdue"') == 1
    assert "新聞" not in body  # the list never shows what was written; only the audited detail page does


def test_triage_states_and_reasons(client: Client, alice: Any, council_rows: dict[str, Any]) -> None:
    concern = council_rows["concern"]
    client.force_login(alice)
    url = f"{QUEUE}{concern.pk}/"
    assert "新聞が三日分たまっている" in client.get(url).content.decode()
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="councils.concern.viewed", object_id=str(concern.pk)).exists()
    # Handing over before triage is refused; so is handing over to no one, and closing without a reason.
    client.post(url + "move/", {"to": "linked", "handed_to": council_rows["npo"].pk})
    client.post(url + "move/", {"to": "triaged"})
    client.post(url + "move/", {"to": "linked"})
    client.post(url + "move/", {"to": "closed"})
    with scopes_disabled():
        concern.refresh_from_db()
    assert concern.state == ConcernState.TRIAGED
    client.post(url + "move/", {"to": "linked", "handed_to": council_rows["npo"].pk, "note": "受付番号 12"})
    with scopes_disabled():
        concern.refresh_from_db()
        moves = AuditEvent.objects.filter(action="councils.concern.moved").count()
    assert concern.state == ConcernState.LINKED and concern.handed_to == council_rows["npo"]
    assert concern.note == "受付番号 12" and not concern.is_overdue and moves == 2
    response = client.post(url + "move/", {"to": "closed", "note": "重複"}, follow=True)
    assert "「引き継ぎ済み」から「終了」には進めません。" in response.content.decode()


def test_the_triage_pages_need_two_factor(client: Client, alice: Any, council_rows: dict[str, Any]) -> None:
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=alice).delete()
    client.force_login(alice)
    for url in [QUEUE, f"{QUEUE}{council_rows['concern'].pk}/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/totp/activate"), url


def test_a_coordinator_without_a_pledge_sees_no_concern(
    client: Client, alice: Any, council_rows: dict[str, Any]
) -> None:
    with scopes_disabled():
        council_rows["alice_pledge"].delete()
    client.force_login(alice)
    assert client.get(QUEUE)["Location"] == "/kamakura/workspace/pledge/"
    assert client.get(f"{QUEUE}{council_rows['concern'].pk}/").status_code == 404
    assert client.post(f"{QUEUE}{council_rows['concern'].pk}/move/", {"to": "triaged"}).status_code == 404


def test_triage_pages_are_never_stored(client: Client, alice: Any, council_rows: dict[str, Any]) -> None:
    client.force_login(alice)
    for url in [QUEUE, f"{QUEUE}{council_rows['concern'].pk}/", REPORT]:
        assert "no-store" in client.get(url)["Cache-Control"], url
