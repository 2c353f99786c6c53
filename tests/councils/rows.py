"""Council rows for the councils tests and the workspace permission matrix.

Kamakura has an announced regional council (its 社協 — Olga's and Sam's organisation — sits on
it) and a closed support council (§106-6). Alice, the coordinator, signed the regional council's
pledge; Suzu is a welfare commissioner (民生委員) registered as a supporter, with no workspace role;
she reported one concern.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from tests.conftest import make_user
from tsunagari.councils import actions
from tsunagari.councils.models import Basis, ConcernState, Council, SupporterKind, Urgency
from tsunagari.tenancy.scoping import scopes_disabled


def approve(platform: Any, organization: Any) -> None:
    """Make `organization` an approved member organisation of `platform`."""
    from tsunagari.membership.models import MemberOrganisation

    MemberOrganisation.objects.update_or_create(
        platform=platform,
        organization=organization,
        defaults={
            "status": MemberOrganisation.Status.APPROVED,
            "name": organization.name,
            "kind": MemberOrganisation.Kind.COUNCIL,
            "contact_name": "担当者",
            "contact_email": "contact@example.jp",
        },
    )


@pytest.fixture
def council_rows(kamakura: Any, kamakura_council: Any, alice: Any) -> dict[str, Any]:
    from tsunagari.directory.models import Organization

    with scopes_disabled():
        approve(kamakura, kamakura_council)
        npo = Organization.objects.create(platform=kamakura, name="NPO法人かまくら居場所の会")
        approve(kamakura, npo)
        regional = actions.save_council(
            Council(
                platform=kamakura,
                name="鎌倉市孤独・孤立対策地域協議会",
                basis=Basis.REGIONAL_COUNCIL,
                coordinating_body=kamakura_council,
                announced_on=datetime.date(2026, 4, 1),
                announcement="鎌倉市孤独・孤立対策地域協議会を設置したので公示します。",
            ),
            actor=alice,
        )
        seat = actions.add_member(regional, kamakura_council, actor=alice)
        support = actions.save_council(
            Council(platform=kamakura, name="鎌倉市支援会議", basis=Basis.SUPPORT_COUNCIL), actor=alice
        )
        actions.add_member(support, npo, actor=alice)
        alice_pledge = actions.sign_pledge(regional, user=alice, organization=None)
        suzu = make_user("suzu")
        supporter, _created = actions.add_supporter(
            kamakura,
            email=suzu.email,
            display_name="鈴木",
            kind=SupporterKind.WELFARE_COMMISSIONER,
            organization=None,
            actor=alice,
        )
        concern = actions.report_concern(
            kamakura,
            user=suzu,
            reporter_kind=supporter.kind,
            what="新聞が三日分たまっている",
            place="鎌倉市材木座三丁目の角の家",
            urgency=Urgency.TODAY,
        )
    return {
        "regional": regional,
        "support": support,
        "seat": seat,
        "npo": npo,
        "alice_pledge": alice_pledge,
        "suzu": suzu,
        "supporter": supporter,
        "concern": concern,
    }


def handed_concern(rows: dict[str, Any], coordinator: Any, organization: Any) -> Any:
    """A second concern from Suzu, triaged and handed to `organization` by the coordinator."""
    with scopes_disabled():
        concern = actions.report_concern(
            rows["concern"].platform,
            user=rows["suzu"],
            reporter_kind=rows["supporter"].kind,
            what="夜に大きな物音がして、そのあと静か",
            place="鎌倉市長谷二丁目の白い家",
            urgency=Urgency.LIFE,
        )
        actions.move_concern(concern, ConcernState.TRIAGED, actor=coordinator)
        return actions.move_concern(
            concern, ConcernState.LINKED, actor=coordinator, handed_to=organization, note="地域包括の担当: 山田"
        )
