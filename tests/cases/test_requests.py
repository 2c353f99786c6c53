"""Issue 11 gaps: editing a person's record, the person's APPI requests, and the paged case list.

Only the organisation that registered a person edits the record; a granted stop of use or of
provision (個人情報保護法 第35条) stops that organisation referring the person; the case list
costs the same queries for 3 persons as for 60.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.cases.rows import OUTSIDERS, outsider
from tests.cases.test_intake import person_url, refer, referrals_of
from tsunagari.audit.models import AuditEvent
from tsunagari.cases import actions, crypto
from tsunagari.cases.lookup import find_person
from tsunagari.cases.models import Basis, CaseLogEntry, Person, PersonRequest, Status
from tsunagari.cases.views import CASES_PER_PAGE
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db

BASE = "/kamakura/workspace/cases/"
RECORD = {
    "name": "鎌倉 花子",
    "kana": "かまくら はなこ",
    "birth_date": "1950-05-06",
    "phone": "0467-00-0000",
    "address": "鎌倉市大町2-2",
    "note": "玄関を開けなくなった",
}


def last_event(action: str) -> AuditEvent:
    with scopes_disabled():
        return AuditEvent.objects.filter(action=action).latest("pk")


# --- editing a person's record --------------------------------------------------------------


def test_the_registering_organisation_edits_the_record(client: Client, olga: Any, rows: dict[str, Any]) -> None:
    person = rows["person"]
    client.force_login(olga)
    form = client.get(person_url(person, "edit/")).content.decode()
    assert "鎌倉 花子" in form and "1950-05-06" in form
    response = client.post(person_url(person, "edit/"), {**RECORD, "name": "鎌倉 華子", "birth_date": "1950-06-05"})
    assert response.status_code == 302 and response["Location"] == person_url(person)
    with scopes_disabled():
        person = Person.objects.get(pk=person.pk)
        assert (person.name, person.birth_date, person.address) == ("鎌倉 華子", date(1950, 6, 5), "鎌倉市大町2-2")
        # The keyed lookup follows the new name and birth date; the old ones no longer find her.
        assert person.lookup == crypto.lookup_hash("鎌倉 華子", date(1950, 6, 5))
        assert find_person(Person.objects.all(), "鎌倉 華子", date(1950, 6, 5)).get() == person
        assert not find_person(Person.objects.all(), "鎌倉 花子", date(1950, 5, 6)).exists()
        logged = CaseLogEntry.objects.filter(persons=[person.pk], detail__person=person.pk).latest("seq")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, address FROM cases_person WHERE id = %s", [person.pk])
        assert all(value.startswith("gcm1:") for value in cursor.fetchone())
    # The logs name the fields that changed, never their values.
    event = last_event("cases.person.changed")
    assert event.actor == olga
    assert event.changes == {"fields": ["name", "kana", "birth_date", "phone", "address"]}
    assert logged.detail["changed"] == ["name", "kana", "birth_date", "phone", "address"]
    written = json.dumps([event.changes, event.object_repr, logged.detail], ensure_ascii=False)
    assert "華子" not in written and "大町" not in written and "1950" not in written


def test_an_edit_keeps_the_errors_in_japanese(client: Client, olga: Any, rows: dict[str, Any]) -> None:
    client.force_login(olga)
    response = client.post(person_url(rows["person"], "edit/"), {**RECORD, "name": "", "birth_date": "2999-01-01"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "氏名を書いてください。" in body and "生年月日に未来の日付は入れられません。" in body
    with scopes_disabled():
        assert Person.objects.get(pk=rows["person"].pk).name == "鎌倉 花子"


def test_an_organisation_seeing_the_person_through_a_referral_cannot_edit(
    client: Client, olga: Any, rows: dict[str, Any]
) -> None:
    person = rows["person"]
    client.force_login(rows["rita"])
    assert client.post(f"{BASE}referrals/{rows['referral'].pk}/move/", {"to": Status.ACCEPTED}).status_code == 302
    assert client.get(person_url(person)).status_code == 200  # the centre now holds her through the referral
    assert "edit/" not in client.get(person_url(person)).content.decode()
    assert client.get(person_url(person, "edit/")).status_code == 404
    assert client.post(person_url(person, "edit/"), {**RECORD, "name": "別人"}).status_code == 404
    with scopes_disabled():
        assert Person.objects.get(pk=person.pk).name == "鎌倉 花子"


def test_an_organisation_seeing_the_person_through_a_meeting_cannot_edit(
    client: Client, olga: Any, rows: dict[str, Any]
) -> None:
    from tsunagari.councils import actions as council_actions

    with scopes_disabled():  # Dora's organisation joins the support council the meeting is held under
        council_actions.add_member(rows["support"], rows["other"], actor=None)
        council_actions.sign_pledge(rows["support"], user=rows["dora"], organization=rows["other"])
    client.force_login(olga)
    meeting = f"{BASE}meetings/{rows['meeting'].pk}/participants/"
    assert client.post(meeting, {"user": rows["dora"].pk}).status_code == 302
    client.force_login(rows["dora"])
    assert client.get(person_url(rows["person"])).status_code == 200
    assert client.post(person_url(rows["person"], "edit/"), {**RECORD, "name": "別人"}).status_code == 404


# --- APPI requests --------------------------------------------------------------------------


def test_recording_and_answering_a_request(client: Client, olga: Any, rows: dict[str, Any]) -> None:
    person = rows["person"]
    client.force_login(olga)
    response = client.post(
        person_url(person, "requests/new/"),
        {
            "kind": "disclosure",
            "received_on": "2026-12-01",
            "channel": "written",
            "asked": "持っている情報を全部見せてほしい",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        request = PersonRequest.objects.filter(person=person).latest("pk")
    assert (request.kind, request.organization, request.received_on, request.decision) == (
        "disclosure",
        rows["council"],
        date(2026, 12, 1),
        "",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT asked FROM cases_personrequest WHERE id = %s", [request.pk])
        assert cursor.fetchone()[0].startswith("gcm1:")
    assert last_event("cases.request.recorded").changes == {"kind": "disclosure"}
    page = client.get(person_url(person)).content.decode()
    assert "持っている情報を全部見せてほしい" in page and "未回答" in page
    # The disclosure kind leads to the disclosure export.
    row = page.split("持っている情報を全部見せてほしい")[0].rsplit("<tr>", 1)[1]
    assert person_url(person, "disclosure/") in row
    answer = f"{BASE}requests/{request.pk}/answer/"
    response = client.post(answer, {"decision": "refused", "answered_on": "2026-12-02"})
    assert response.status_code == 400 and "断った理由を書いてください。" in response.content.decode()
    response = client.post(answer, {"decision": "done", "answered_on": "2026-11-30"})
    assert response.status_code == 400  # before it was received
    assert client.post(answer, {"decision": "done", "answered_on": "2026-12-02"}).status_code == 302
    with scopes_disabled():
        request.refresh_from_db()
    assert (request.decision, request.answered_on) == ("done", date(2026, 12, 2))
    event = last_event("cases.request.answered")
    assert event.actor == olga and event.changes == {"decision": "done"}


def test_a_request_needs_what_was_asked(client: Client, olga: Any, rows: dict[str, Any]) -> None:
    client.force_login(olga)
    response = client.post(person_url(rows["person"], "requests/new/"), {"kind": "stop_use", "channel": "phone"})
    body = response.content.decode()
    assert response.status_code == 400 and "請求の内容を書いてください。" in body and "日付を書いてください。" in body


def test_another_organisations_requests_are_not_shown_or_answerable(client: Client, rows: dict[str, Any]) -> None:
    client.force_login(rows["rita"])
    assert client.post(f"{BASE}referrals/{rows['referral'].pk}/move/", {"to": Status.ACCEPTED}).status_code == 302
    assert "住所の番地が違う" not in client.get(person_url(rows["person"])).content.decode()
    answer = f"{BASE}requests/{rows['person_request'].pk}/answer/"
    assert client.post(answer, {"decision": "done", "answered_on": str(date.today())}).status_code == 404
    with scopes_disabled():
        rows["person_request"].refresh_from_db()
    assert rows["person_request"].decision == ""


@pytest.mark.parametrize("kind", ["stop_use", "stop_provision"])
def test_a_granted_stop_request_stops_referrals(client: Client, olga: Any, rows: dict[str, Any], kind: str) -> None:
    client.force_login(olga)
    assert refer(client, rows, Basis.EMERGENCY, send=None, draft="", emergency="on").status_code == 302
    draft = referrals_of(rows["person"])[-1]
    with scopes_disabled():
        request = actions.record_request(
            rows["person"],
            organization_id=rows["council"].pk,
            actor=olga,
            kind=kind,
            received_on=date.today(),
            channel="written",
            asked="他の団体に渡さないでほしい",
        )
    # Recorded but not yet granted: referrals still go.
    assert refer(client, rows, Basis.EMERGENCY, emergency="on").status_code == 302
    count = len(referrals_of(rows["person"]))
    with scopes_disabled():
        actions.answer_request(request, actor=olga, decision="done", answered_on=date.today())
    response = refer(client, rows, Basis.EMERGENCY, emergency="on")
    assert response.status_code == 400
    assert "紹介できません" in response.content.decode()
    assert len(referrals_of(rows["person"])) == count
    # A draft made before cannot be sent either.
    response = client.post(f"{BASE}referrals/{draft.pk}/move/", {"to": Status.REQUESTED}, follow=True)
    assert "紹介できません" in response.content.decode()
    assert referrals_of(rows["person"])[0].status == Status.REQUESTED  # the fixture's, sent before
    with scopes_disabled():
        draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_a_refused_stop_request_does_not_stop_referrals(client: Client, olga: Any, rows: dict[str, Any]) -> None:
    with scopes_disabled():
        request = actions.record_request(
            rows["person"],
            organization_id=rows["council"].pk,
            actor=olga,
            kind="stop_use",
            received_on=date.today(),
            channel="written",
            asked="利用をやめてほしい",
        )
        actions.answer_request(
            request, actor=olga, decision="refused", answered_on=date.today(), reason="生命に関わるため"
        )
    client.force_login(olga)
    assert refer(client, rows, Basis.EMERGENCY, emergency="on").status_code == 302


# --- the paged case list --------------------------------------------------------------------


def add_persons(rows: dict[str, Any], kamakura: Any, count: int) -> None:
    with scopes_disabled():
        for number in range(count):
            actions.register_person(
                platform=kamakura, organization=rows["council"], name=f"利用者 {number}", birth_date=None
            )


def test_the_case_list_is_paged_in_japanese(client: Client, olga: Any, rows: dict[str, Any], kamakura: Any) -> None:
    add_persons(rows, kamakura, CASES_PER_PAGE + 5)
    client.force_login(olga)
    first = client.get(BASE).content.decode()
    assert first.count(f"{BASE}persons/") - first.count(f"{BASE}persons/new/") == CASES_PER_PAGE
    assert "1 / 2 ページ" in first and "次へ" in first and "?page=2" in first
    second = client.get(BASE + "?page=2").content.decode()
    assert "2 / 2 ページ" in second and "前へ" in second and "鎌倉 花子" in second
    # Only the persons on the page shown are logged as seen.
    with scopes_disabled():
        logged = CaseLogEntry.objects.filter(url_name="cases").latest("seq")
    assert len(logged.persons) == 6
    assert client.get(BASE + "?page=99").status_code == 200  # the last page, not an error


def test_a_page_of_the_case_list_costs_the_same_queries(
    client: Client, olga: Any, rows: dict[str, Any], kamakura: Any
) -> None:
    client.force_login(olga)
    add_persons(rows, kamakura, 3)
    client.get(BASE)  # warm caches (session, pledge)
    with CaptureQueriesContext(connection) as few:
        assert client.get(BASE).status_code == 200
    add_persons(rows, kamakura, 2 * CASES_PER_PAGE)
    with CaptureQueriesContext(connection) as many:
        assert client.get(BASE + "?page=2").status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


# --- who may open the new pages -------------------------------------------------------------


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_404_on_the_new_pages(
    request: pytest.FixtureRequest, client: Client, olga: Any, rows: dict[str, Any], tottori: Any, who: str
) -> None:
    user, slug = outsider(request, who, olga, rows, tottori)
    client.force_login(user)
    base = f"/{slug}/workspace/cases/"
    person = rows["person"].pk
    for path, data in (
        (f"{base}persons/{person}/edit/", {**RECORD, "name": "別人"}),
        (
            f"{base}persons/{person}/requests/new/",
            {"kind": "stop_use", "received_on": "2026-12-01", "channel": "phone", "asked": "x"},
        ),
        (f"{base}requests/{rows['person_request'].pk}/answer/", {"decision": "done", "answered_on": str(date.today())}),
    ):
        assert client.get(path).status_code == 404, path
        assert client.post(path, data).status_code == 404, path
    with scopes_disabled():
        assert Person.objects.get(pk=person).name == "鎌倉 花子"
        assert PersonRequest.objects.count() == 1
        assert PersonRequest.objects.get().decision == ""
