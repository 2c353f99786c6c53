"""The referral actions refuse on their own what the referral form refuses (defence in depth).

Called directly — as a command, the demo or a future page would call them — `start_referral` and
`move(…, requested)` refuse a referral whose legal basis does not hold for the acting member now,
and one the person stopped (個人情報保護法 第35条), with a Japanese message saying why.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.cases.rows import consent_to_share
from tsunagari.cases import actions
from tsunagari.cases.models import Basis, Notification, PersonRequest, Referral, Status
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db


def grant_stop(rows: dict[str, Any], sender: Any, actor: Any, kind: str = PersonRequest.Kind.STOP_PROVISION) -> None:
    request = actions.record_request(
        rows["person"],
        organization_id=sender.pk,
        actor=actor,
        kind=kind,
        received_on=date.today(),
        channel="written",
        asked="他の団体に渡さないでほしい",
    )
    actions.answer_request(request, actor=actor, decision="done", answered_on=date.today())


def start(rows: dict[str, Any], sender: Any, actor: Any, basis: str, *, send: bool = True) -> Referral:
    return actions.start_referral(
        rows["person"], sender=sender, receiver=rows["other"], need="見守り", basis=basis, actor=actor, send=send
    )


def test_starting_a_referral_without_a_basis_is_refused(
    case_rows: dict[str, Any], kamakura_council: Any, olga: Any
) -> None:
    with scopes_disabled():
        before = Referral.objects.count()
        for basis in (Basis.CONSENT, Basis.SUPPORT_COUNCIL, Basis.REGIONAL_COUNCIL):
            for send in (True, False):
                with pytest.raises(actions.ReferralError, match="別の法的根拠を選んでください。"):
                    start(case_rows, kamakura_council, olga, basis, send=send)
        assert Referral.objects.count() == before
        # With the person's consent to tell that organisation, the same call goes through.
        consent_to_share(case_rows["person"], sender=kamakura_council, receiver=case_rows["other"])
        assert start(case_rows, kamakura_council, olga, Basis.CONSENT).status == Status.REQUESTED


@pytest.mark.parametrize("kind", [PersonRequest.Kind.STOP_USE, PersonRequest.Kind.STOP_PROVISION])
def test_starting_a_referral_of_a_person_who_stopped_it_is_refused(
    case_rows: dict[str, Any], kamakura_council: Any, olga: Any, kind: str
) -> None:
    with scopes_disabled():
        consent_to_share(case_rows["person"], sender=kamakura_council, receiver=case_rows["other"])
        grant_stop(case_rows, kamakura_council, olga, kind)
        before = Referral.objects.count()
        # Not even in danger to life or body (the emergency basis is always offered).
        for basis in (Basis.CONSENT, Basis.EMERGENCY):
            with pytest.raises(actions.ReferralError, match="紹介できません"):
                start(case_rows, kamakura_council, olga, basis, send=False)
        assert Referral.objects.count() == before


def test_sending_a_draft_rechecks_its_basis(case_rows: dict[str, Any], kamakura_council: Any, olga: Any) -> None:
    sender = frozenset({kamakura_council.pk})
    with scopes_disabled():
        draft = actions.refer(
            person=case_rows["person"], sender=kamakura_council, receiver=case_rows["other"], need="見守り"
        )
        with pytest.raises(actions.ReferralError, match="本人の同意が記録されていません。"):
            actions.move(draft, Status.REQUESTED, orgs=sender, actor=olga)
        draft.refresh_from_db()
        assert draft.status == Status.DRAFT and draft.requested_at is None
        # The receiving organisation heard nothing.
        assert not Notification.objects.filter(key=f"referral-requested:{draft.pk}").exists()
        consent_to_share(case_rows["person"], sender=kamakura_council, receiver=case_rows["other"])
        assert actions.move(draft, Status.REQUESTED, orgs=sender, actor=olga).status == Status.REQUESTED


def test_sending_a_draft_after_a_granted_stop_is_refused(
    case_rows: dict[str, Any], kamakura_council: Any, olga: Any
) -> None:
    with scopes_disabled():
        draft = start(case_rows, kamakura_council, olga, Basis.EMERGENCY, send=False)
        grant_stop(case_rows, kamakura_council, olga)
        with pytest.raises(actions.ReferralError, match="紹介できません"):
            actions.move(draft, Status.REQUESTED, orgs=frozenset({kamakura_council.pk}), actor=olga)
        draft.refresh_from_db()
        assert draft.status == Status.DRAFT
