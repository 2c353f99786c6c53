"""Starting work from the workspace (issue 11, "Cases and people", "Consent", "Referrals").

A member registers a person (after the keyed lookup for one already held), records a consent and
its withdrawal, and makes a referral that needs a legal basis: a consent covering the receiver, a
support or regional council both organisations sit on (with the sender's pledge), or danger to life.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.cases.rows import OUTSIDERS, consent_to_share, outsider
from tsunagari.audit.models import AuditEvent
from tsunagari.cases import actions
from tsunagari.cases.models import Basis, CaseLogEntry, Consent, Person, Referral, Status
from tsunagari.councils import actions as council_actions
from tsunagari.councils.models import Basis as CouncilBasis
from tsunagari.councils.models import Council, Pledge
from tsunagari.membership.models import MemberOrganisation
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db

BASE = "/kamakura/workspace/cases/"
NEW_PERSON = {
    "name": "鎌倉 次郎",
    "kana": "かまくら じろう",
    "birth_date": "1948-02-03",
    "phone": "0467-11-2222",
    "address": "鎌倉市御成町1-1",
    "note": "一人暮らし",
    "method": "verbal",
    "given_on": "2026-12-01",
}


def person_url(person: Any, tail: str = "") -> str:
    return f"{BASE}persons/{person.pk}/{tail}"


def events(action: str) -> list[AuditEvent]:
    with scopes_disabled():
        return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def referrals_of(person: Any) -> list[Referral]:
    with scopes_disabled():
        return list(Referral.objects.filter(person=person).order_by("pk"))


# --- a new person ---------------------------------------------------------------------------


def test_registering_a_person(client: Client, olga: Any, rows: dict[str, Any]) -> None:
    client.force_login(olga)
    assert "no-store" in client.get(BASE + "persons/new/")["Cache-Control"]
    response = client.post(BASE + "persons/new/", NEW_PERSON)
    assert response.status_code == 302
    with scopes_disabled():
        person = Person.objects.exclude(pk=rows["person"].pk).get()
        consent = Consent.objects.get(person=person)
        assert (person.name, person.kana, person.phone, person.birth_date) == (
            "鎌倉 次郎",
            "かまくら じろう",
            "0467-11-2222",
            date(1948, 2, 3),
        )
        assert person.registered_by == rows["council"]
        assert (consent.organization, consent.method, consent.given_on) == (
            rows["council"],
            "verbal",
            date(2026, 12, 1),
        )
        assert consent.recorded_by == olga
        logged = CaseLogEntry.objects.filter(persons=[person.pk], action="change", url_name="")
        assert logged.filter(detail__registered=True).exists()
    assert response["Location"] == person_url(person)
    assert [e.actor for e in events("cases.person.registered")][-1] == olga
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, phone, address FROM cases_person WHERE id = %s", [person.pk])
        assert all(value.startswith("gcm1:") for value in cursor.fetchone())
    body = client.get(person_url(person)).content.decode()
    assert "鎌倉 次郎" in body and "鎌倉市御成町1-1" in body
    # Only the registering organisation sees the person.
    for other in (rows["dora"], rows["rita"]):
        client.force_login(other)
        assert client.get(person_url(person)).status_code == 404


def test_errors_say_in_japanese_what_to_fix(client: Client, olga: Any, rows: dict[str, Any]) -> None:
    client.force_login(olga)
    response = client.post(BASE + "persons/new/", {**NEW_PERSON, "name": "", "birth_date": "2999-01-01"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "氏名を書いてください。" in body and "生年月日に未来の日付は入れられません。" in body
    assert "必須" in body  # the required marks
    with scopes_disabled():
        assert Person.objects.count() == 1


def test_a_person_already_held_is_offered_instead_of_a_duplicate(
    client: Client, olga: Any, rows: dict[str, Any]
) -> None:
    client.force_login(olga)
    response = client.post(BASE + "persons/new/", {**NEW_PERSON, "name": "鎌倉　花子", "birth_date": "1950-05-06"})
    assert response.status_code == 409
    assert person_url(rows["person"]) in response.content.decode()
    with scopes_disabled():
        assert Person.objects.count() == 1
    assert not events("cases.person.registered")[1:]  # only the fixture's own registration


def test_a_match_the_organisation_cannot_see_is_not_revealed(client: Client, rows: dict[str, Any]) -> None:
    """Dora's organisation does not hold Hanako: her registration goes through, saying nothing of the other."""
    client.force_login(rows["dora"])
    response = client.post(BASE + "persons/new/", {**NEW_PERSON, "name": "鎌倉 花子", "birth_date": "1950-05-06"})
    assert response.status_code == 302
    assert response["Location"] != person_url(rows["person"])
    body = client.get(response["Location"]).content.decode()
    assert "玄関を開けなくなった" not in body and person_url(rows["person"]) not in body
    with scopes_disabled():
        assert Person.objects.count() == 2


# --- consent -------------------------------------------------------------------------------


def test_recording_and_withdrawing_a_consent(client: Client, olga: Any, rows: dict[str, Any]) -> None:
    client.force_login(olga)
    form = client.get(person_url(rows["person"], "consents/new/")).content.decode()
    assert rows["centre"].name in form and rows["council"].name not in form.split("<form")[1]
    response = client.post(
        person_url(rows["person"], "consents/new/"),
        {
            "recipients": [rows["centre"].pk],
            "items": actions.REFERRAL_ITEMS,
            "method": "guardian",
            "given_by": "鎌倉 一郎（長男）",
            "given_on": "2026-11-30",
            "expires_on": "2027-11-29",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        consent = Consent.objects.filter(person=rows["person"]).latest("pk")
        assert list(consent.recipients.all()) == [rows["centre"]]
        assert (consent.method, consent.given_by, consent.expires_on) == (
            "guardian",
            "鎌倉 一郎（長男）",
            date(2027, 11, 29),
        )
    assert events("cases.consent.recorded")[-1].actor == olga
    page = client.get(person_url(rows["person"])).content.decode()
    assert "鎌倉 一郎（長男）" in page and rows["centre"].name in page
    # The fixture's referral to the centre rests on consent: withdrawing the one that covered it cancels it.
    assert client.post(f"{BASE}consents/{consent.pk}/withdraw/").status_code == 302
    with scopes_disabled():
        consent.refresh_from_db()
        rows["referral"].refresh_from_db()
    assert consent.withdrawn_at is not None
    assert rows["referral"].status == Status.CANCELLED
    assert events("cases.consent.withdrawn")[-1].actor == olga


def test_a_guardians_consent_says_who_gave_it(client: Client, olga: Any, rows: dict[str, Any]) -> None:
    client.force_login(olga)
    response = client.post(
        person_url(rows["person"], "consents/new/"),
        {"recipients": [rows["centre"].pk], "method": "guardian", "given_on": "2026-11-30", "expires_on": "2026-11-01"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "代理で同意した人" in body and "提供してよい情報に印をつけてください。" in body
    assert "同意日以降の日付を選んでください。" in body
    with scopes_disabled():
        assert Consent.objects.filter(person=rows["person"]).count() == 1


def test_another_organisations_consent_cannot_be_withdrawn(client: Client, rows: dict[str, Any]) -> None:
    client.force_login(rows["dora"])
    assert client.post(f"{BASE}consents/{rows['consent'].pk}/withdraw/").status_code == 404
    with scopes_disabled():
        rows["consent"].refresh_from_db()
    assert rows["consent"].withdrawn_at is None


# --- referrals ------------------------------------------------------------------------------


def refer(client: Client, rows: dict[str, Any], basis: str, *, to: str = "other", **extra: Any) -> Any:
    return client.post(
        person_url(rows["person"], "referrals/new/"),
        {
            key: value
            for key, value in {
                "receiver": rows[to].pk,
                "need": "子ども食堂での見守り",
                "basis": basis,
                "send": "",
                **extra,
            }.items()
            if value is not None
        },
    )


def test_a_referral_without_a_legal_basis_is_refused(client: Client, olga: Any, rows: dict[str, Any]) -> None:
    client.force_login(olga)
    before = referrals_of(rows["person"])
    for basis in (Basis.CONSENT, Basis.SUPPORT_COUNCIL, Basis.REGIONAL_COUNCIL):
        response = refer(client, rows, basis)
        assert response.status_code == 400, basis
        assert "別の法的根拠を選んでください。" in response.content.decode()
    assert referrals_of(rows["person"]) == before


def test_a_consent_covering_the_receiver_lets_the_referral_go(client: Client, olga: Any, rows: dict[str, Any]) -> None:
    consent_to_share(rows["person"], sender=rows["council"], receiver=rows["other"])
    client.force_login(olga)
    response = refer(client, rows, Basis.CONSENT, need_code="food")
    assert response.status_code == 302
    referral = referrals_of(rows["person"])[-1]
    assert (referral.receiver, referral.status, referral.basis, referral.need_code) == (
        rows["other"],
        Status.REQUESTED,
        Basis.CONSENT,
        "food",
    )
    assert events("cases.referral.created")[-1].actor == olga
    # The receiver sees the need, not the person, until it accepts.
    client.force_login(rows["dora"])
    assert "子ども食堂での見守り" in client.get(response["Location"]).content.decode()
    assert client.get(person_url(rows["person"])).status_code == 404


def test_a_consent_not_covering_what_a_referral_shares_is_not_enough(
    client: Client, olga: Any, rows: dict[str, Any]
) -> None:
    with scopes_disabled():
        actions.record_consent(
            rows["person"],
            organization_id=rows["council"].pk,
            actor=None,
            method="written",
            given_on=date.today(),
            recipients=[rows["other"].pk],
            items=["name"],
        )
    client.force_login(olga)
    assert refer(client, rows, Basis.CONSENT).status_code == 400


def test_a_council_basis_needs_both_seats_and_the_senders_pledge(
    client: Client, olga: Any, rows: dict[str, Any], kamakura: Any
) -> None:
    with scopes_disabled():
        council = Council.objects.create(platform=kamakura, name="鎌倉市支援会議", basis=CouncilBasis.SUPPORT_COUNCIL)
        council_actions.add_member(council, rows["council"], actor=None)
        council_actions.sign_pledge(council, user=olga, organization=rows["council"])
    client.force_login(olga)
    assert refer(client, rows, Basis.SUPPORT_COUNCIL).status_code == 400  # the receiver has no seat
    with scopes_disabled():
        council_actions.add_member(council, rows["other"], actor=None)
    assert refer(client, rows, Basis.REGIONAL_COUNCIL).status_code == 400  # not that kind of council
    with scopes_disabled():
        Pledge.objects.filter(council=council).delete()
    assert refer(client, rows, Basis.SUPPORT_COUNCIL).status_code == 400  # no pledge for it
    with scopes_disabled():
        council_actions.sign_pledge(council, user=olga, organization=rows["council"])
    assert refer(client, rows, Basis.SUPPORT_COUNCIL, draft="").status_code == 302
    referral = referrals_of(rows["person"])[-1]
    assert (referral.basis, referral.status) == (Basis.SUPPORT_COUNCIL, Status.REQUESTED)


def test_an_emergency_is_confirmed_and_a_draft_can_be_kept(client: Client, olga: Any, rows: dict[str, Any]) -> None:
    client.force_login(olga)
    response = client.post(
        person_url(rows["person"], "referrals/new/"),
        {"receiver": rows["other"].pk, "need": "安否確認", "basis": Basis.EMERGENCY, "draft": ""},
    )
    assert response.status_code == 400 and "生命・身体の危険" in response.content.decode()
    response = client.post(
        person_url(rows["person"], "referrals/new/"),
        {"receiver": rows["other"].pk, "need": "安否確認", "basis": Basis.EMERGENCY, "emergency": "on", "draft": ""},
    )
    assert response.status_code == 302
    referral = referrals_of(rows["person"])[-1]
    assert (referral.basis, referral.status) == (Basis.EMERGENCY, Status.DRAFT)


def test_sending_a_draft_checks_the_basis_again(client: Client, olga: Any, rows: dict[str, Any]) -> None:
    consent = consent_to_share(rows["person"], sender=rows["council"], receiver=rows["other"])
    client.force_login(olga)
    assert refer(client, rows, Basis.CONSENT, send=None, draft="").status_code == 302
    referral = referrals_of(rows["person"])[-1]
    assert referral.status == Status.DRAFT
    with scopes_disabled():
        Consent.objects.filter(pk=consent.pk).update(expires_on=timezone.localdate() - timedelta(days=1))
    response = client.post(f"{BASE}referrals/{referral.pk}/move/", {"to": Status.REQUESTED}, follow=True)
    assert "有効な本人の同意が記録されていません" in response.content.decode()
    assert referrals_of(rows["person"])[-1].status == Status.DRAFT


def test_the_receiver_list_is_the_platforms_members_but_oneself(
    client: Client, olga: Any, rows: dict[str, Any]
) -> None:
    client.force_login(olga)
    response = refer(client, rows, Basis.EMERGENCY, to="council", emergency="on")
    assert response.status_code == 400
    with scopes_disabled():
        MemberOrganisation.objects.filter(organization=rows["other"]).update(status=MemberOrganisation.Status.APPLIED)
    assert refer(client, rows, Basis.EMERGENCY, emergency="on").status_code == 400
    assert len(referrals_of(rows["person"])) == 1


def test_referring_again_keeps_the_chain(client: Client, olga: Any, rows: dict[str, Any]) -> None:
    client.force_login(rows["rita"])
    move = f"{BASE}referrals/{rows['referral'].pk}/move/"
    assert client.post(move, {"to": Status.REJECTED, "reason": "受け入れ枠がない"}).status_code == 302
    client.force_login(olga)
    again = f"{person_url(rows['person'], 'referrals/new/')}?again={rows['referral'].pk}"
    assert again in client.get(f"{BASE}referrals/{rows['referral'].pk}/").content.decode().replace("&amp;", "&")
    assert "見守りと買い物の支援" in client.get(again).content.decode()  # the need, carried over
    response = client.post(
        again,
        {"receiver": rows["other"].pk, "need": "見守りと買い物の支援", "basis": Basis.EMERGENCY, "emergency": "on"},
    )
    assert response.status_code == 302
    assert referrals_of(rows["person"])[-1].previous == rows["referral"]
    # Only from a referral that ended without help.
    open_one = referrals_of(rows["person"])[-1]
    assert client.get(f"{person_url(rows['person'], 'referrals/new/')}?again={open_one.pk}").status_code == 404


def test_a_receiver_before_accepting_cannot_start_anything_about_the_person(
    client: Client, rows: dict[str, Any]
) -> None:
    client.force_login(rows["rita"])
    for tail in ("consents/new/", "referrals/new/"):
        assert client.get(person_url(rows["person"], tail)).status_code == 404


# --- who may open the new pages -------------------------------------------------------------


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_404_on_the_new_pages(
    request: pytest.FixtureRequest, client: Client, olga: Any, rows: dict[str, Any], tottori: Any, who: str
) -> None:
    user, slug = outsider(request, who, olga, rows, tottori)
    client.force_login(user)
    base = f"/{slug}/workspace/cases/"
    for path in (
        f"{base}persons/{rows['person'].pk}/consents/new/",
        f"{base}persons/{rows['person'].pk}/referrals/new/",
    ):
        assert client.get(path).status_code == 404, path
        assert client.post(path, {"receiver": rows["other"].pk, "need": "x", "basis": "emergency"}).status_code == 404
    assert client.post(f"{base}consents/{rows['consent'].pk}/withdraw/").status_code == 404
    new_person = client.post(f"{base}persons/new/", NEW_PERSON)
    if who == "no_pledge":
        assert new_person.status_code == 302 and new_person["Location"].endswith("/workspace/pledge/")
    elif who == "other_platform":
        # Kamakura's ids on their own platform's URLs find nothing; its new-person page asks for a pledge.
        assert new_person.status_code == 302 and new_person["Location"] == f"/{slug}/workspace/pledge/"
    elif who == "other_organisation":
        assert new_person.status_code == 302  # staff of a member organisation register their own persons
    else:
        assert new_person.status_code == 404
    with scopes_disabled():
        rows["consent"].refresh_from_db()
        assert rows["consent"].withdrawn_at is None
        assert len(referrals_of(rows["person"])) == 1
        assert not Person.objects.filter(kana="かまくら じろう", registered_by=rows["council"]).exists()
