"""Organisations apply on the portal; coordinators approve or decline; members are listed."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from tests.accounts.personas import link_in
from tests.membership.rows import COMPANY_NUMBER, NTA_NUMBER, application_fields
from tsunagari.accounts.models import Invitation, Membership, Role
from tsunagari.audit.models import AuditEvent
from tsunagari.directory.models import Organization
from tsunagari.membership import actions
from tsunagari.membership.models import MemberOrganisation
from tsunagari.tenancy.scoping import platform_scope, scopes_disabled

pytestmark = pytest.mark.django_db


def form_data(**overrides: Any) -> dict[str, Any]:
    data = {**application_fields(), "consent": "on"}
    return {**data, **overrides}


def test_an_organisation_applies_without_an_account(
    client: Client, kamakura: Any, alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    assert client.get("/kamakura/join/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/kamakura/join/", form_data(corporate_number="１１８０－３０１０－１８７７１"))
    assert response.status_code == 302
    assert response["Location"] == "/kamakura/join/thanks/"
    with scopes_disabled():
        application = MemberOrganisation.objects.get()
    assert application.status == MemberOrganisation.Status.APPLIED
    assert application.platform == kamakura
    assert application.corporate_number == COMPANY_NUMBER
    assert application.needs == ["loneliness", "community"]
    # The applicant gets a receipt, the coordinators a link to the application.
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"hanako@ibasho.example.jp", "alice@example.jp"}
    assert f"/kamakura/workspace/members/applications/{application.pk}/" in by_address["alice@example.jp"].body


def test_a_wrong_corporate_number_is_answered_with_what_to_fix(client: Client, kamakura: Any) -> None:
    response = client.post("/kamakura/join/", form_data(corporate_number="1000012050002"))
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors.as_data()["corporate_number"][0].code == "corporate_number_check_digit"
    # What was typed stays in the form.
    assert "NPO法人 かまくら居場所ネット" in response.content.decode()
    with scopes_disabled():
        assert not MemberOrganisation.objects.exists()


@pytest.mark.parametrize("kind", ["npo", "company", "council"])
@pytest.mark.parametrize("number", [NTA_NUMBER, "8000020130001"])  # 国税庁; 東京都 (000020 + 130001)
def test_a_public_bodys_number_is_refused_for_an_npo_or_a_company(
    client: Client, kamakura: Any, kind: str, number: str
) -> None:
    response = client.post("/kamakura/join/", form_data(kind=kind, corporate_number=number))
    assert response.status_code == 400
    errors = response.context["form"].errors.as_data()["corporate_number"]
    assert errors[0].code == "corporate_number_public_body"
    body = response.content.decode()
    assert "国の機関" in body or "地方公共団体" in body
    with scopes_disabled():
        assert not MemberOrganisation.objects.exists()


def test_a_public_bodys_number_is_accepted_for_local_government(client: Client, kamakura: Any) -> None:
    # 鎌倉市: 000020 + its 全国地方公共団体コード 142042, check digit 3.
    response = client.post("/kamakura/join/", form_data(kind="government", corporate_number="3000020142042"))
    assert response.status_code == 302


def test_the_review_page_shows_the_numbers_kind_and_links_to_the_nta(client: Client, kamakura: Any, alice: Any) -> None:
    with platform_scope(kamakura, with_national=False):
        application = actions.apply_to_join(kamakura, **application_fields(corporate_number=COMPANY_NUMBER))
        # Saved before the rule existed (or through the shell): the page warns.
        old = MemberOrganisation.objects.create(
            platform=kamakura, **application_fields(name="古い申請", corporate_number=NTA_NUMBER)
        )
    client.force_login(alice)
    body = client.get(f"/kamakura/workspace/members/applications/{application.pk}/").content.decode()
    assert "設立登記法人" in body
    assert f"https://www.houjin-bangou.nta.go.jp/henkorireki-johoto.html?selHouzinNo={COMPANY_NUMBER}" in body
    assert 'class="warning"' not in body
    body = client.get(f"/kamakura/workspace/members/applications/{old.pk}/").content.decode()
    assert "国の機関" in body
    assert 'class="warning"' in body


def test_missing_fields_and_consent_are_named(client: Client, kamakura: Any) -> None:
    response = client.post("/kamakura/join/", {"name": "", "contact_email": "not-an-address"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"name", "kind", "contact_name", "contact_email", "consent"} <= set(errors)
    assert "name@example.jp" in errors["contact_email"][0]


def test_the_form_needs_its_csrf_token(kamakura: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post("/kamakura/join/", form_data()).status_code == 403


def test_applications_are_rate_limited_per_address(client: Client, kamakura: Any, settings: Any) -> None:
    settings.JOIN_RATE = "2/h"
    for n in range(2):
        assert client.post("/kamakura/join/", form_data(name=f"団体{n}")).status_code == 302
    response = client.post("/kamakura/join/", form_data(name="団体3"))
    assert response.status_code == 429
    with scopes_disabled():
        assert MemberOrganisation.objects.count() == 2
    # Reading the form is never limited.
    assert client.get("/kamakura/join/").status_code == 200


def test_the_acknowledgement_carries_nothing_the_applicant_wrote(
    client: Client, kamakura: Any, alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The address is unproven: the form must not deliver an attacker's words to someone's inbox (item 8)."""
    lure = "至急 https://evil.example/ にログインしてください"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/kamakura/join/",
            form_data(name=lure, contact_name=lure, description=lure, areas=lure, website="https://evil.example/"),
        )
    assert response.status_code == 302
    (receipt,) = [m for m in mail.outbox if m.to == ["hanako@ibasho.example.jp"]]
    assert "evil.example" not in receipt.subject + receipt.body
    assert "至急" not in receipt.subject + receipt.body
    assert kamakura.name in receipt.body
    # The coordinators still see what was sent, inside their workspace.
    (review,) = [m for m in mail.outbox if m.to == ["alice@example.jp"]]
    assert lure in review.body


def test_one_inbox_gets_few_acknowledgements_from_any_number_of_addresses(
    client: Client, kamakura: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.JOIN_ACKNOWLEDGEMENT_RATE = "2/d"
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(4):
            response = client.post(
                "/kamakura/join/",
                form_data(name=f"団体{n}", contact_email="Victim@Example.jp"),
                REMOTE_ADDR=f"198.51.100.{n + 1}",
            )
            assert response.status_code == 302
    assert sum(m.to == ["Victim@Example.jp"] for m in mail.outbox) == 2
    with scopes_disabled():
        assert MemberOrganisation.objects.count() == 4  # the applications themselves are kept


def test_a_private_platform_takes_no_applications(client: Client, kamakura: Any) -> None:
    kamakura.is_public = False
    kamakura.save()
    assert client.get("/kamakura/join/").status_code == 404
    assert client.get("/kamakura/members/").status_code == 404


@pytest.fixture
def application(kamakura: Any) -> MemberOrganisation:
    with platform_scope(kamakura):
        return actions.apply_to_join(kamakura, **application_fields())


def test_approval_creates_the_organisation_and_invites_its_contact(
    client: Client, alice: Any, kamakura: Any, application: MemberOrganisation, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(alice)
    page = client.get(f"/kamakura/workspace/members/applications/{application.pk}/")
    assert page.status_code == 200
    assert "山田 花子" in page.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/kamakura/workspace/members/applications/{application.pk}/approve/", {"invite_contact": "on"}
        )
    assert response.status_code == 302
    with scopes_disabled():
        application.refresh_from_db()
        organization = application.organization
        assert organization is not None and organization.platform == kamakura
        assert organization.name == "NPO法人 かまくら居場所ネット"
        assert organization.history.first().history_user == alice
        event = AuditEvent.objects.get(action="membership.approved")
    assert application.status == MemberOrganisation.Status.APPROVED
    assert application.decided_by == alice
    assert event.actor == alice and event.platform == kamakura
    invitation = Invitation.objects.get(email="hanako@ibasho.example.jp")
    assert invitation.role == Role.ORG_ADMIN and invitation.organization == organization
    subjects = sorted(message.subject for message in mail.outbox)
    assert len(subjects) == 2  # the welcome and the invitation
    assert all(message.to == ["hanako@ibasho.example.jp"] for message in mail.outbox)
    # Approving twice does nothing more.
    response = client.post(f"/kamakura/workspace/members/applications/{application.pk}/approve/", {})
    assert response.status_code == 302
    with scopes_disabled():
        assert Organization.objects.filter(name="NPO法人 かまくら居場所ネット").count() == 1


def test_approval_can_link_an_organisation_already_listed(
    client: Client, alice: Any, kamakura: Any, application: MemberOrganisation, kamakura_council: Any
) -> None:
    client.force_login(alice)
    response = client.post(
        f"/kamakura/workspace/members/applications/{application.pk}/approve/", {"organization": kamakura_council.pk}
    )
    assert response.status_code == 302
    with scopes_disabled():
        application.refresh_from_db()
    assert application.organization == kamakura_council
    assert not Invitation.objects.exists()


def test_another_platforms_organisation_cannot_be_linked(
    client: Client, alice: Any, application: MemberOrganisation, tottori: Any
) -> None:
    with scopes_disabled():
        theirs = Organization.objects.create(platform=tottori, name="鳥取の団体")
    client.force_login(alice)
    response = client.post(
        f"/kamakura/workspace/members/applications/{application.pk}/approve/", {"organization": theirs.pk}
    )
    assert response.status_code == 400
    with scopes_disabled():
        application.refresh_from_db()
    assert application.status == MemberOrganisation.Status.APPLIED


def test_declining_needs_a_reason_which_the_applicant_receives(
    client: Client, alice: Any, application: MemberOrganisation, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(alice)
    url = f"/kamakura/workspace/members/applications/{application.pk}/decline/"
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 400
    assert response.context["decline_form"].errors["reason"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"reason": "活動地域が市外のためです。"}).status_code == 302
    with scopes_disabled():
        application.refresh_from_db()
        assert AuditEvent.objects.filter(action="membership.declined", actor=alice).exists()
    assert application.status == MemberOrganisation.Status.DECLINED
    (message,) = mail.outbox
    assert message.to == ["hanako@ibasho.example.jp"]
    assert "活動地域が市外のためです。" in message.body


def test_the_public_list_shows_members_but_never_their_contacts(
    client: Client, kamakura: Any, application: MemberOrganisation, alice: Any
) -> None:
    with platform_scope(kamakura):
        actions.approve_application(application, actor=alice, invite_contact=False)
        actions.apply_to_join(kamakura, **application_fields(name="まだ審査中の団体", contact_email="x@example.jp"))
    body = client.get("/kamakura/members/").content.decode()
    assert "NPO法人 かまくら居場所ネット" in body
    assert "ひとり暮らしの方の居場所づくりをしています。" in body
    assert "まだ審査中の団体" not in body
    assert "hanako@ibasho.example.jp" not in body
    assert "山田 花子" not in body
    assert "0467-00-0000" not in body


def test_the_member_directory_shows_contacts_to_coordinators_only(
    client: Client, kamakura: Any, application: MemberOrganisation, alice: Any, sam: Any, oscar: Any, charlie: Any
) -> None:
    with platform_scope(kamakura):
        actions.approve_application(application, actor=alice, invite_contact=False)
    client.force_login(alice)
    assert "hanako@ibasho.example.jp" in client.get("/kamakura/workspace/members/").content.decode()
    # Member staff and observers see the organisation, not its contact person (test_member_list.py).
    for person in (sam, oscar):
        client.force_login(person)
        body = client.get("/kamakura/workspace/members/").content.decode()
        assert "かまくら居場所ネット" in body and "hanako@ibasho.example.jp" not in body
    client.force_login(charlie)
    assert client.get("/kamakura/workspace/members/").status_code == 404
    assert client.get(f"/kamakura/workspace/members/{application.pk}/").status_code == 404


def test_a_coordinator_cannot_decide_another_platforms_application(
    client: Client, charlie: Any, tottori: Any, application: MemberOrganisation
) -> None:
    client.force_login(charlie)
    url = f"/tottori-pref/workspace/members/applications/{application.pk}/"
    assert client.get(url).status_code == 404
    assert client.post(url + "approve/", {}).status_code == 404
    assert client.post(url + "decline/", {"reason": "x"}).status_code == 404
    with scopes_disabled():
        application.refresh_from_db()
    assert application.status == MemberOrganisation.Status.APPLIED


def test_trusting_a_member_is_recorded(client: Client, alice: Any, membership_rows: dict[str, Any]) -> None:
    member = membership_rows["member"]
    client.force_login(alice)
    response = client.post(f"/kamakura/workspace/members/{member.pk}/trust/", {"trusted": "on"})
    assert response.status_code == 302
    with scopes_disabled():
        member.refresh_from_db()
        event = AuditEvent.objects.get(action="membership.trust_changed")
    assert member.trusted
    assert event.changes == {"trusted": True}
    assert event.action_label != event.action  # the audit page names it


def test_the_invited_contact_reaches_the_workspace(
    client: Client, alice: Any, kamakura: Any, application: MemberOrganisation, django_capture_on_commit_callbacks: Any
) -> None:
    with platform_scope(kamakura), django_capture_on_commit_callbacks(execute=True):
        actions.approve_application(application, actor=alice)
    invitation_mail = next(m for m in mail.outbox if "/accounts/invitation/" in m.body)
    newcomer = Client()
    response = newcomer.post(
        link_in(invitation_mail.body),
        {"display_name": "山田 花子", "password1": "a long new passphrase", "password2": "a long new passphrase"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        application.refresh_from_db()
    assert Membership.objects.filter(
        user__email="hanako@ibasho.example.jp", role=Role.ORG_ADMIN, organization=application.organization
    ).exists()


def test_member_lists_cost_a_fixed_number_of_queries(
    client: Client, kamakura: Any, alice: Any, django_assert_max_num_queries: Any
) -> None:
    with platform_scope(kamakura):
        for n in range(10):
            application = actions.apply_to_join(kamakura, **application_fields(name=f"団体{n}"))
            actions.approve_application(application, actor=alice, invite_contact=False)
    with django_assert_max_num_queries(4):
        assert client.get("/kamakura/members/").status_code == 200
    client.force_login(alice)
    with django_assert_max_num_queries(12):
        assert client.get("/kamakura/workspace/members/").status_code == 200
