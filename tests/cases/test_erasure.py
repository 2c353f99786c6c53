"""Erasing a person's record after a granted request to stop use (個人情報保護法 第35条第1項).

The registering organisation erases the record's personal fields in one confirmed click once it
granted the request and no other organisation holds the person; the provision records, the
requests and the logs stay.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from tests.cases.rows import consent_to_share
from tsunagari.audit.models import AuditEvent
from tsunagari.cases import actions
from tsunagari.cases.lookup import find_person
from tsunagari.cases.models import CaseLogEntry, Consent, Person, PersonRequest, ProvisionRecord, Status
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db

BASE = "/kamakura/workspace/cases/"


def erase_url(rows: dict[str, Any]) -> str:
    return f"{BASE}persons/{rows['person'].pk}/erase/"


def grant_stop_use(rows: dict[str, Any], actor: Any) -> PersonRequest:
    with scopes_disabled():
        request = actions.record_request(
            rows["person"],
            organization_id=rows["person"].registered_by_id,
            actor=actor,
            kind=PersonRequest.Kind.STOP_USE,
            received_on=date.today(),
            channel="written",
            asked="私の情報を消してほしい",
        )
        actions.answer_request(request, actor=actor, decision="done", answered_on=date.today())
    return request


def close_referral(rows: dict[str, Any]) -> None:
    """The centre accepted Hanako (a provision record) and finished: it no longer holds her."""
    centre = frozenset({rows["centre"].pk})
    with scopes_disabled():
        referral = rows["referral"]
        actions.move(referral, Status.ACCEPTED, orgs=centre, actor=rows["rita"])
        actions.move(referral, Status.IN_PROGRESS, orgs=centre, actor=rows["rita"])
        actions.move(referral, Status.COMPLETED, orgs=centre, actor=rows["rita"], reason="つながった")


def stored(person: Person) -> dict[str, Any]:
    with scopes_disabled():
        fresh = Person.objects.get(pk=person.pk)
    return {name: getattr(fresh, name) for name in actions.ERASED_FIELDS}


def test_the_registering_organisation_erases_the_record_and_keeps_the_records(
    client: Client, olga: Any, case_rows: dict[str, Any]
) -> None:
    person = case_rows["person"]
    close_referral(case_rows)
    request = grant_stop_use(case_rows, olga)
    with scopes_disabled():
        consent = case_rows["consent"]
        consent.given_by = "鎌倉 太郎（長男）"
        consent.save(update_fields=["given_by"])
        provisions = ProvisionRecord.objects.filter(person=person).count()
    assert provisions >= 1
    client.force_login(olga)
    page = client.get(f"{BASE}persons/{person.pk}/").content.decode()
    assert erase_url(case_rows) in page
    confirm = client.get(erase_url(case_rows)).content.decode()
    assert "元に戻せません" in confirm and "鎌倉 花子" in confirm
    # Without ticking the confirmation, nothing happens.
    assert client.post(erase_url(case_rows), {"erase": ""}).status_code == 400
    assert stored(person)["name"] == "鎌倉 花子"
    response = client.post(erase_url(case_rows), {"erase": "", "confirm": "on"})
    assert response.status_code == 302 and response["Location"] == f"{BASE}persons/{person.pk}/"
    assert stored(person) == {
        "name": "（消去済みの記録）",
        "kana": "",
        "birth_date": None,
        "phone": "",
        "address": "",
        "note": "",
        "received_on": None,
    }
    with scopes_disabled():
        assert not find_person(Person.objects.all(), "鎌倉 花子", date(1950, 5, 6)).exists()
        assert ProvisionRecord.objects.filter(person=person).count() == provisions
        assert PersonRequest.objects.filter(pk=request.pk, decision="done").exists()
        assert all(consent.given_by == "" for consent in Consent.objects.filter(person=person))
        event = AuditEvent.objects.filter(action="cases.person.erased").get()
        logged = CaseLogEntry.objects.filter(detail__person=person.pk, detail__has_key="erased").get()
    # The council's attachment (case_rows) is part of the record: erased with it.
    assert event.actor == olga and event.changes == {"fields": ["name", "birth_date", "note", "attachments"]}
    assert logged.detail["erased"] == ["name", "birth_date", "note", "attachments"] and logged.persons == [person.pk]
    assert "花子" not in json.dumps([event.changes, event.object_repr, logged.detail], ensure_ascii=False)
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, note, address FROM cases_person WHERE id = %s", [person.pk])
        name, note, address = cursor.fetchone()
    assert name.startswith("gcm1:") and note == address == ""  # nothing of hers left, even encrypted
    # The page still shows what was provided and the request, and offers no second erasure.
    page = client.get(f"{BASE}persons/{person.pk}/").content.decode()
    assert "消去済みの記録" in page and "私の情報を消してほしい" in page and "鎌倉市地域包括支援センター" in page
    assert erase_url(case_rows) not in page
    assert "すでに消去されています。" in client.get(erase_url(case_rows)).content.decode()


def test_no_erasure_without_a_granted_request_to_stop_use(client: Client, olga: Any, case_rows: dict[str, Any]) -> None:
    close_referral(case_rows)
    client.force_login(olga)
    assert erase_url(case_rows) not in client.get(f"{BASE}persons/{case_rows['person'].pk}/").content.decode()
    assert "応じたことを記録" in client.get(erase_url(case_rows)).content.decode()
    assert client.post(erase_url(case_rows), {"erase": "", "confirm": "on"}).status_code == 400
    with scopes_disabled():
        # A granted stop of provision alone is not a request to erase; nor is the action called directly.
        stop = actions.record_request(
            case_rows["person"],
            organization_id=case_rows["person"].registered_by_id,
            actor=olga,
            kind=PersonRequest.Kind.STOP_PROVISION,
            received_on=date.today(),
            channel="written",
            asked="渡さないでほしい",
        )
        actions.answer_request(stop, actor=olga, decision="done", answered_on=date.today())
        with pytest.raises(actions.ErasureError):
            actions.erase_person(case_rows["person"], organization_id=case_rows["person"].registered_by_id, actor=olga)
    assert stored(case_rows["person"])["name"] == "鎌倉 花子"


def test_no_erasure_while_another_organisation_holds_the_person(
    client: Client, olga: Any, case_rows: dict[str, Any]
) -> None:
    """One record for every organisation: the centre's accepted referral, or its own consent, blocks it."""
    grant_stop_use(case_rows, olga)
    client.force_login(olga)
    with scopes_disabled():
        # The fixture's referral is open (requested): the centre may accept it.
        with pytest.raises(actions.ErasureError, match="ほかの団体"):
            actions.erase_person(case_rows["person"], organization_id=case_rows["person"].registered_by_id, actor=olga)
        close_referral(case_rows)
        consent_to_share(case_rows["person"], sender=case_rows["centre"], receiver=case_rows["other"])
    assert client.post(erase_url(case_rows), {"erase": "", "confirm": "on"}).status_code == 400
    assert stored(case_rows["person"])["name"] == "鎌倉 花子"
    with scopes_disabled():
        Consent.objects.filter(person=case_rows["person"], organization=case_rows["centre"]).delete()
    assert client.post(erase_url(case_rows), {"erase": "", "confirm": "on"}).status_code == 302


def test_another_organisation_cannot_erase(client: Client, olga: Any, case_rows: dict[str, Any]) -> None:
    grant_stop_use(case_rows, olga)
    client.force_login(case_rows["rita"])
    with scopes_disabled():
        actions.move(case_rows["referral"], Status.ACCEPTED, orgs=frozenset({case_rows["centre"].pk}), actor=None)
    assert client.get(f"{BASE}persons/{case_rows['person'].pk}/").status_code == 200  # she sees Hanako
    assert client.get(erase_url(case_rows)).status_code == 404
    assert client.post(erase_url(case_rows), {"erase": "", "confirm": "on"}).status_code == 404
    with scopes_disabled(), pytest.raises(actions.ErasureError, match="登録した団体だけ"):
        actions.erase_person(case_rows["person"], organization_id=case_rows["centre"].pk, actor=None)
    assert stored(case_rows["person"])["name"] == "鎌倉 花子"
