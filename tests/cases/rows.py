"""Case rows for the case tests and the workspace permission matrix.

Olga (administrator) and Sam (staff, no second factor) work for Kamakura's council, which
registered Hanako with her written consent and referred her to the community centre (Rita is its
administrator); Dora administers a third organisation with nothing to do with her. All four work
in one consent-based group and signed its confidentiality pledge (tsunagari.councils), without
which no case page opens. Olga's council
holds a case meeting about Hanako (a support council, Olga alone takes part so far) with a shared
PDF and a follow-up task for Olga; the council keeps a PDF with Hanako's record (an attachment). Hanako asked the council by telephone to correct her address (an
APPI request, not answered yet). The meeting's basis is the support council on which the council
and the centre sit (Dora's organisation does not).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import make_user, with_totp
from tests.notices.rows import pdf
from tsunagari.accounts.models import Membership, Role
from tsunagari.cases import actions, crypto
from tsunagari.cases.models import Basis, Consent, Status
from tsunagari.councils import actions as council_actions
from tsunagari.councils.models import Basis as CouncilBasis
from tsunagari.councils.models import Council
from tsunagari.tenancy.scoping import scopes_disabled


@pytest.fixture
def case_rows(settings: Any, tmp_path: Path, kamakura: Any, kamakura_council: Any, olga: Any) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path / "media"
    if not settings.CASES_FIELD_KEYS:
        settings.CASES_FIELD_KEYS = f"k1:{crypto.new_key()}"
        settings.CASES_LOOKUP_KEY = crypto.new_key()
    from tsunagari.directory.models import Organization

    with scopes_disabled():
        centre = Organization.objects.create(platform=kamakura, name="鎌倉市地域包括支援センター")
        other = Organization.objects.create(platform=kamakura, name="鎌倉子ども食堂ネットワーク")
        rita = with_totp(make_user("rita"))
        Membership.objects.create(user=rita, platform=kamakura, role=Role.ORG_ADMIN, organization=centre)
        dora = with_totp(make_user("dora"))
        Membership.objects.create(user=dora, platform=kamakura, role=Role.ORG_ADMIN, organization=other)
        person = actions.register_person(
            platform=kamakura,
            organization=kamakura_council,
            name="鎌倉 花子",
            birth_date=date(1950, 5, 6),
            note="玄関を開けなくなった",
        )
        consent = Consent.objects.get(person=person)
        referral = actions.refer(person=person, sender=kamakura_council, receiver=centre, need="見守りと買い物の支援")
        referral.status = Status.REQUESTED
        referral.requested_at = timezone.now()
        referral.save()
        group = Council.objects.create(platform=kamakura, name="鎌倉市つなぎ連絡会", basis=CouncilBasis.CONSENT_GROUP)
        for organization in (kamakura_council, centre, other):
            council_actions.add_member(group, organization, actor=None)
        for user, organization in ((olga, kamakura_council), (rita, centre), (dora, other)):
            council_actions.sign_pledge(group, user=user, organization=organization)
        sam = Membership.objects.filter(platform=kamakura, organization=kamakura_council, role=Role.ORG_STAFF).first()
        if sam is not None:
            council_actions.sign_pledge(group, user=sam.user, organization=kamakura_council)
        # The meeting's basis: a support council (支援会議) on which the council and the centre sit (not
        # Dora's organisation), Olga and Rita having signed its pledge.
        support = Council.objects.create(platform=kamakura, name="鎌倉市支援会議", basis=CouncilBasis.SUPPORT_COUNCIL)
        for organization in (kamakura_council, centre):
            council_actions.add_member(support, organization, actor=None)
        for user, organization in ((olga, kamakura_council), (rita, centre)):
            council_actions.sign_pledge(support, user=user, organization=organization)
        meeting = actions.create_meeting(
            platform=kamakura,
            organizer_id=kamakura_council.pk,
            actor=olga,
            title="鎌倉 花子さん 個別ケース会議",
            held_at=timezone.now(),
            basis=Basis.SUPPORT_COUNCIL,
            access_until=date.today() + timedelta(days=30),
            agenda="見守り体制の確認",
        )
        actions.put_on_agenda(meeting, person, actor=olga)
        document = actions.add_document(meeting, pdf("花子さん支援計画.pdf"), actor=olga)
        task = actions.add_task(
            meeting,
            actor=olga,
            title="自宅を訪問する",
            owner=olga,
            due_on=date.today() + timedelta(days=7),
            person=person,
        )
        attachment = actions.add_attachment(
            person, pdf("花子さん 主治医意見書.pdf"), organization_id=kamakura_council.pk, actor=olga
        )
        person_request = actions.record_request(
            person,
            organization_id=kamakura_council.pk,
            actor=olga,
            kind="correction",
            received_on=date.today(),
            channel="phone",
            asked="住所の番地が違うので直してほしい",
        )
    return {
        "person": person,
        "consent": consent,
        "referral": referral,
        "centre": centre,
        "other": other,
        "rita": rita,
        "dora": dora,
        "group": group,
        "support": support,
        "meeting": meeting,
        "document": document,
        "task": task,
        "person_request": person_request,
        "attachment": attachment,
    }


def consent_to_share(person: Any, *, sender: Any, receiver: Any) -> Any:
    """The person's written consent to `sender` referring them to `receiver` (what a referral shares)."""
    with scopes_disabled():
        return actions.record_consent(
            person,
            organization_id=sender.pk,
            actor=None,
            method="written",
            given_on=date.today(),
            recipients=[receiver.pk],
            items=actions.REFERRAL_ITEMS,
        )


OUTSIDERS = ["other_organisation", "other_platform", "former_member", "no_pledge", "observer"]


def outsider(
    request: pytest.FixtureRequest, who: str, olga: Any, rows: dict[str, Any], tottori: Any
) -> tuple[Any, str]:
    """One of the people who must get 404 on case pages, and the platform slug they try: another
    organisation, another platform's organisation admin, a former member, a member without a
    pledge, an observer (olga is the registering organisation's admin)."""
    from tsunagari.councils.models import Pledge
    from tsunagari.directory.models import Organization
    from tsunagari.tenancy.scoping import scopes_disabled

    if who == "other_organisation":
        return rows["dora"], "kamakura"
    if who == "other_platform":
        with scopes_disabled():
            their_org = Organization.objects.create(platform=tottori, name="鳥取市社協")
        user = with_totp(make_user("toru"))
        Membership.objects.create(user=user, platform=tottori, role=Role.ORG_ADMIN, organization=their_org)
        return user, tottori.slug
    if who == "former_member":
        Membership.objects.filter(user=olga).delete()
        return olga, "kamakura"
    if who == "no_pledge":
        with scopes_disabled():
            Pledge.objects.filter(user=olga).delete()
        return olga, "kamakura"
    return with_totp(request.getfixturevalue("oscar")), "kamakura"
