"""Referral lifecycle (issue 11 item 4): who may move which state; preview; rejecting keeps nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tsunagari.cases import actions
from tsunagari.cases.models import Referral, Status
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db


def state(referral: Referral) -> str:
    with scopes_disabled():
        referral.refresh_from_db()
    return referral.status


def move(client: Client, rows: dict[str, Any], to: str, reason: str = "") -> Any:
    return client.post(f"/kamakura/workspace/cases/referrals/{rows['referral'].pk}/move/", {"to": to, "reason": reason})


def test_the_receiver_sees_only_the_need_before_accepting(client: Client, case_rows: dict[str, Any]) -> None:
    client.force_login(case_rows["rita"])
    body = client.get(f"/kamakura/workspace/cases/referrals/{case_rows['referral'].pk}/").content.decode()
    assert "見守りと買い物の支援" in body
    assert "花子" not in body and "1950" not in body
    assert client.get(f"/kamakura/workspace/cases/persons/{case_rows['person'].pk}/").status_code == 404


def test_accepting_gives_the_receiver_the_person(client: Client, case_rows: dict[str, Any]) -> None:
    client.force_login(case_rows["rita"])
    assert move(client, case_rows, Status.ACCEPTED).status_code == 302
    assert state(case_rows["referral"]) == Status.ACCEPTED
    assert client.get(f"/kamakura/workspace/cases/persons/{case_rows['person'].pk}/").status_code == 200


def test_the_sender_cannot_accept_its_own_referral(client: Client, olga: Any, case_rows: dict[str, Any]) -> None:
    client.force_login(olga)
    move(client, case_rows, Status.ACCEPTED)
    assert state(case_rows["referral"]) == Status.REQUESTED


def test_the_receiver_cannot_cancel(client: Client, case_rows: dict[str, Any]) -> None:
    client.force_login(case_rows["rita"])
    response = move(client, case_rows, Status.CANCELLED)
    assert state(case_rows["referral"]) == Status.REQUESTED
    assert "送り手の）団体だけ" in client.get(response["Location"]).content.decode()


def test_states_cannot_be_skipped(client: Client, case_rows: dict[str, Any]) -> None:
    client.force_login(case_rows["rita"])
    move(client, case_rows, Status.COMPLETED, "支援につながった")
    assert state(case_rows["referral"]) == Status.REQUESTED
    move(client, case_rows, "nonsense")
    assert state(case_rows["referral"]) == Status.REQUESTED


def test_rejecting_needs_a_reason_and_keeps_nothing(client: Client, olga: Any, case_rows: dict[str, Any]) -> None:
    client.force_login(case_rows["rita"])
    move(client, case_rows, Status.REJECTED)
    assert state(case_rows["referral"]) == Status.REQUESTED
    assert move(client, case_rows, Status.REJECTED, "受け入れ枠がない")["Location"] == "/kamakura/workspace/cases/"
    assert state(case_rows["referral"]) == Status.REJECTED
    for url in (
        f"/kamakura/workspace/cases/referrals/{case_rows['referral'].pk}/",
        f"/kamakura/workspace/cases/persons/{case_rows['person'].pk}/",
    ):
        assert client.get(url).status_code == 404
    assert "見守り" not in client.get("/kamakura/workspace/cases/").content.decode()
    # The sender still sees it, with the reason.
    client.force_login(olga)
    assert (
        "受け入れ枠がない"
        in client.get(f"/kamakura/workspace/cases/referrals/{case_rows['referral'].pk}/").content.decode()
    )


def test_the_whole_lifecycle(case_rows: dict[str, Any], kamakura_council: Any) -> None:
    sender, receiver = frozenset({kamakura_council.pk}), frozenset({case_rows["centre"].pk})
    with scopes_disabled():
        referral = case_rows["referral"]
        for to in (Status.ACCEPTED, Status.IN_PROGRESS, Status.ON_HOLD, Status.IN_PROGRESS):
            actions.move(referral, to, orgs=receiver, actor=None)
        actions.move(referral, Status.COMPLETED, orgs=receiver, actor=None, reason="支援につながった")
        assert state(referral) == Status.COMPLETED
        with pytest.raises(actions.TransitionError):
            actions.move(referral, Status.CANCELLED, orgs=sender, actor=None)
