"""The person's items a referral provides: chosen by the sender, within the basis, and all the receiver sees.

Hanako (registered by Olga's council, with a phone, an address and a name in kana added here) is
referred to Dora's organisation. Dora sees, once she accepts, the name, the need and the items
Olga ticked — on the person's page, in the disclosure file and among the files — and both sides'
provision records list exactly those.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.test import Client

from tests.cases.test_intake import BASE, person_url, refer, referrals_of
from tests.notices.rows import pdf
from tsunagari.cases import actions
from tsunagari.cases.models import Basis, Consent, ProvisionRecord, Status
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db

PHONE, ADDRESS, KANA = "0467-99-1234", "鎌倉市材木座9-9-9", "かまくら はなこ"
BIRTH, NOTE = "1950-05-06", "玄関を開けなくなった"


@pytest.fixture
def hanako(rows: dict[str, Any], olga: Any) -> Any:
    person = rows["person"]
    with scopes_disabled():
        actions.edit_person(
            person, organization_id=rows["council"].pk, actor=olga, phone=PHONE, address=ADDRESS, kana=KANA
        )
    return person


def consent(rows: dict[str, Any], items: list[str]) -> Consent:
    with scopes_disabled():
        return actions.record_consent(
            rows["person"],
            organization_id=rows["council"].pk,
            actor=None,
            method="written",
            given_on=date.today(),
            recipients=[rows["other"].pk],
            items=items,
        )


def accept(client: Client, user: Any, referral: Any) -> None:
    client.force_login(user)
    assert client.post(f"{BASE}referrals/{referral.pk}/move/", {"to": Status.ACCEPTED}).status_code == 302


def test_the_receiver_sees_only_the_chosen_items(client: Client, olga: Any, rows: dict[str, Any], hanako: Any) -> None:
    consent(rows, ["name", "phone", "need"])
    client.force_login(olga)
    assert refer(client, rows, Basis.CONSENT, items=["phone"]).status_code == 302
    referral = referrals_of(hanako)[-1]
    assert (referral.items, referral.status) == (["name", "phone", "need"], Status.REQUESTED)
    # Before accepting, the preview: the need alone, none of the chosen items.
    client.force_login(rows["dora"])
    preview = client.get(f"{BASE}referrals/{referral.pk}/").content.decode()
    assert "子ども食堂での見守り" in preview and "鎌倉 花子" not in preview and PHONE not in preview
    accept(client, rows["dora"], referral)
    page = client.get(person_url(hanako)).content.decode()
    assert "鎌倉 花子" in page and PHONE in page
    for value in (BIRTH, NOTE, ADDRESS, KANA, "主治医意見書"):
        assert value not in page, value
    assert (
        "受け入れ時に提供する項目: 氏名、電話番号、必要な支援"
        in client.get(f"{BASE}referrals/{referral.pk}/").content.decode()
    )
    # Both sides' provision record: exactly the chosen items.
    with scopes_disabled():
        provision = ProvisionRecord.objects.get(referral=referral)
    assert (provision.items, provision.provider, provision.recipient) == (
        ["name", "phone", "need"],
        rows["council"],
        rows["other"],
    )
    assert "氏名、電話番号、必要な支援" in page
    client.force_login(olga)
    assert "氏名、電話番号、必要な支援" in client.get(person_url(hanako)).content.decode()
    # The receiver's disclosure file: the record's chosen items only; the referral and record list them.
    client.force_login(rows["dora"])
    answer = json.loads(client.get(person_url(hanako, "disclosure/")).content)
    assert {key: answer["person"].get(key) for key in ("name", "phone")} == {"name": "鎌倉 花子", "phone": PHONE}
    assert not {"birth_date", "note", "address", "kana"} & set(answer["person"])
    assert answer["referrals"][0]["items"] == ["氏名", "電話番号", "必要な支援"]
    assert answer["provision_records"][-1]["items"] == ["氏名", "電話番号", "必要な支援"]
    assert answer["attachments"] == []
    for value in (BIRTH, NOTE, ADDRESS, KANA):
        assert value not in json.dumps(answer, ensure_ascii=False), value
    # The registering organisation's own file still holds every field.
    client.force_login(olga)
    own = json.loads(client.get(person_url(hanako, "disclosure/")).content)["person"]
    assert (own["birth_date"], own["note"], own["address"], own["kana"]) == (BIRTH, NOTE, ADDRESS, KANA)


def test_the_default_is_the_name_and_the_need(client: Client, olga: Any, rows: dict[str, Any], hanako: Any) -> None:
    client.force_login(olga)
    form = client.get(person_url(hanako, "referrals/new/")).content.decode()
    assert "つなぎ先に提供するほかの項目" in form and "支援に必要な項目だけをチェックしてください" in form
    assert 'name="items" value="phone" id="id_items_3" checked' not in form
    assert refer(client, rows, Basis.EMERGENCY, emergency="on").status_code == 302
    referral = referrals_of(hanako)[-1]
    assert referral.items == ["name", "need"]
    accept(client, rows["dora"], referral)
    page = client.get(person_url(hanako)).content.decode()
    for value in (BIRTH, NOTE, ADDRESS, KANA, PHONE):
        assert value not in page, value


def test_on_consent_an_item_outside_its_scope_is_refused_by_name(
    client: Client,
    olga: Any,
    rows: dict[str, Any],
    hanako: Any,
) -> None:
    consent(rows, ["name", "birth_date", "need"])
    client.force_login(olga)
    response = refer(client, rows, Basis.CONSENT, items=["birth_date", "phone"])
    assert response.status_code == 400
    text = response.content.decode()
    assert "本人の同意は、この団体への次の項目の提供を含んでいません: 電話番号。" in text
    assert len(referrals_of(hanako)) == 1  # the fixture's referral only
    with scopes_disabled(), pytest.raises(actions.ReferralError) as refused:
        actions.start_referral(
            hanako,
            sender=rows["council"],
            receiver=rows["other"],
            need="x",
            basis=Basis.CONSENT,
            actor=olga,
            send=True,
            items=["address"],
        )
    assert "住所" in str(refused.value) and refused.value.field == "items"
    # Within the scope it goes.
    assert refer(client, rows, Basis.CONSENT, items=["birth_date"]).status_code == 302
    assert referrals_of(hanako)[-1].items == ["name", "birth_date", "need"]


def test_sending_a_draft_checks_its_items_against_the_consent_again(
    client: Client,
    olga: Any,
    rows: dict[str, Any],
    hanako: Any,
) -> None:
    given = consent(rows, ["name", "phone", "need"])
    client.force_login(olga)
    assert refer(client, rows, Basis.CONSENT, items=["phone"], send=None, draft="").status_code == 302
    draft = referrals_of(hanako)[-1]
    with scopes_disabled():
        Consent.objects.filter(pk=given.pk).update(items=["name", "need"])
    response = client.post(f"{BASE}referrals/{draft.pk}/move/", {"to": Status.REQUESTED}, follow=True)
    assert "電話番号" in response.content.decode()
    assert referrals_of(hanako)[-1].status == Status.DRAFT


def test_a_receiver_passes_on_no_more_than_it_was_provided(
    client: Client,
    olga: Any,
    rows: dict[str, Any],
    hanako: Any,
) -> None:
    client.force_login(olga)
    assert refer(client, rows, Basis.EMERGENCY, emergency="on", items=["phone"]).status_code == 302
    accept(client, rows["dora"], referral := referrals_of(hanako)[-1])
    assert referral.items == ["name", "phone", "need"]
    # Dora's organisation refers Hanako on to the centre: not the date of birth it never got.
    onwards = {"receiver": rows["centre"].pk, "need": "訪問", "basis": Basis.EMERGENCY, "emergency": "on"}
    url = person_url(hanako, "referrals/new/")
    response = client.post(url, {**onwards, "items": ["phone", "birth_date"], "send": ""})
    assert response.status_code == 400
    assert "あなたの団体はこの人の次の項目の提供を受けていないため、ほかの団体に提供できません: 生年月日。" in (
        response.content.decode()
    )
    assert client.post(url, {**onwards, "items": ["phone"], "send": ""}).status_code == 302
    assert referrals_of(hanako)[-1].items == ["name", "phone", "need"]
    # A case meeting organised by Dora's organisation could not pass the date of birth and note on either.
    with scopes_disabled():
        meeting = actions.create_meeting(
            platform=hanako.platform,
            organizer_id=rows["other"].pk,
            actor=rows["dora"],
            title="会議",
            held_at=referral.created_at,
            basis=Basis.SUPPORT_COUNCIL,
            access_until=date.today(),
        )
        problem = actions.meeting_disclosure_problem(meeting, hanako, rows["centre"].pk, actor=rows["dora"])
    assert "生年月日、記録（メモ）" in problem


def test_referring_again_offers_the_last_choice(client: Client, olga: Any, rows: dict[str, Any], hanako: Any) -> None:
    client.force_login(olga)
    assert refer(client, rows, Basis.EMERGENCY, emergency="on", items=["address"]).status_code == 302
    first = referrals_of(hanako)[-1]
    client.force_login(rows["dora"])
    client.post(f"{BASE}referrals/{first.pk}/move/", {"to": Status.REJECTED, "reason": "枠がない"})
    client.force_login(olga)
    form = client.get(f"{person_url(hanako, 'referrals/new/')}?again={first.pk}").content.decode()
    assert 'value="address" id="id_items_2" checked' in form
    assert 'value="phone" id="id_items_3" checked' not in form


def test_files_go_with_a_referral_only_when_chosen(
    client: Client, olga: Any, rows: dict[str, Any], hanako: Any
) -> None:
    # The fixture's referral to the centre chose nothing but the name and the need.
    accept(client, rows["rita"], rows["referral"])
    attachment_url = f"{BASE}attachments/{rows['attachment'].pk}/"
    assert client.get(attachment_url).status_code == 404
    assert "主治医意見書" not in client.get(person_url(hanako)).content.decode()
    client.force_login(olga)
    assert refer(client, rows, Basis.EMERGENCY, emergency="on", items=["attachments"]).status_code == 302
    referral = referrals_of(hanako)[-1]
    accept(client, rows["dora"], referral)
    assert "主治医意見書" in client.get(person_url(hanako)).content.decode()
    download = client.get(attachment_url)
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    answer = json.loads(client.get(person_url(hanako, "disclosure/")).content)
    assert [a["id"] for a in answer["attachments"]] == [rows["attachment"].pk]
    # A file the council adds after the acceptance was not provided.
    with scopes_disabled():
        later = actions.add_attachment(hanako, pdf("後日の記録.pdf"), organization_id=rows["council"].pk, actor=olga)
    assert client.get(f"{BASE}attachments/{later.pk}/").status_code == 404
    assert "後日の記録" not in client.get(person_url(hanako)).content.decode()
