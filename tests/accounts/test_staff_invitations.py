"""A member organisation's administrator invites, and removes, the staff of their own organisation."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from tests.accounts.personas import link_in
from tests.conftest import make_user
from tsunagari.accounts import actions
from tsunagari.accounts.models import Invitation, Membership, Role, User
from tsunagari.audit.models import AuditEvent
from tsunagari.directory.models import Organization
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db

PAGE = "/kamakura/workspace/organisation/"


@pytest.fixture
def kamakura_npo(kamakura: Any) -> Any:
    """Another member organisation of Kamakura, which Olga does not administer."""
    with scopes_disabled():
        return Organization.objects.create(platform=kamakura, name="NPO法人かまくらの居場所")


@pytest.fixture
def tottori_npo(tottori: Any) -> Any:
    with scopes_disabled():
        return Organization.objects.create(platform=tottori, name="NPO法人とっとりの居場所")


def test_an_administrator_invites_staff_who_join_their_organisation(
    client: Client, olga: Any, kamakura: Any, kamakura_council: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(olga)
    assert client.get(PAGE).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            PAGE + "invite/",
            {"email": "New.Staff@Example.jp", "organization": kamakura_council.pk},
            REMOTE_ADDR="192.0.2.31",
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.role, invitation.organization, invitation.invited_by) == (
        Role.ORG_STAFF,
        kamakura_council,
        olga,
    )
    (message,) = mail.outbox
    assert message.to == ["new.staff@example.jp"] and kamakura_council.name in message.body
    with scopes_disabled():
        (sent,) = AuditEvent.objects.filter(action="invitation.sent")
    assert (sent.actor, sent.platform, sent.ip) == (olga, kamakura, "192.0.2.31")

    newcomer = Client()
    newcomer.post(
        link_in(message.body),
        {"display_name": "新しい 職員", "password1": "a long new passphrase", "password2": "a long new passphrase"},
    )
    person = User.objects.get(email="new.staff@example.jp")
    assert list(Membership.objects.filter(user=person).values_list("platform", "role", "organization")) == [
        (kamakura.pk, Role.ORG_STAFF, kamakura_council.pk)
    ]


def test_someone_with_an_account_gets_the_staff_role_at_once(
    client: Client, olga: Any, kamakura: Any, kamakura_council: Any
) -> None:
    existing = make_user("existing")
    client.force_login(olga)
    client.post(PAGE + "invite/", {"email": "existing@example.jp", "organization": kamakura_council.pk})
    assert Membership.objects.filter(
        user=existing, platform=kamakura, role=Role.ORG_STAFF, organization=kamakura_council
    ).exists()


def test_an_administrator_can_give_no_other_role(
    client: Client, olga: Any, kamakura: Any, kamakura_council: Any
) -> None:
    client.force_login(olga)
    for role in (Role.COORDINATOR, Role.ORG_ADMIN, Role.OBSERVER):
        client.post(
            PAGE + "invite/", {"email": f"{role}@example.jp", "role": role, "organization": kamakura_council.pk}
        )
    assert set(Invitation.objects.values_list("role", flat=True)) == {Role.ORG_STAFF}
    # The coordinators' invitation form stays closed to administrators.
    response = client.post("/kamakura/workspace/people/invite/", {"email": "boss@example.jp", "role": Role.COORDINATOR})
    assert response.status_code == 403
    assert not Invitation.objects.filter(email="boss@example.jp").exists()


@pytest.mark.parametrize("organisation", ["kamakura_npo", "tottori_npo"])
def test_an_administrator_cannot_invite_to_another_organisation(
    request: pytest.FixtureRequest, client: Client, olga: Any, organisation: str
) -> None:
    other = request.getfixturevalue(organisation)
    client.force_login(olga)
    response = client.post(PAGE + "invite/", {"email": "x@example.jp", "organization": other.pk})
    assert response.status_code == 400
    assert response.context["form"].errors["organization"]
    assert not Invitation.objects.exists()


def test_an_administrator_has_no_staff_page_on_another_platform(
    client: Client, olga: Any, tottori: Any, tottori_npo: Any
) -> None:
    client.force_login(olga)
    assert client.get("/tottori-pref/workspace/organisation/").status_code == 404
    response = client.post(
        "/tottori-pref/workspace/organisation/invite/", {"email": "x@example.jp", "organization": tottori_npo.pk}
    )
    assert response.status_code == 404
    assert not Invitation.objects.exists()


def test_the_action_refuses_another_platforms_organisation(kamakura: Any, olga: Any, tottori_npo: Any) -> None:
    with pytest.raises(ValueError):
        actions.invite_staff(platform=kamakura, organization=tottori_npo, email="x@example.jp", invited_by=olga)
    assert not Invitation.objects.exists()


def test_the_page_shows_only_the_administrators_organisation(
    client: Client, olga: Any, sam: Any, kamakura: Any, kamakura_npo: Any, alice: Any
) -> None:
    stranger = make_user("npo-staff")
    Membership.objects.create(user=stranger, platform=kamakura, role=Role.ORG_STAFF, organization=kamakura_npo)
    actions.invite(
        platform=kamakura, email="npo-new@example.jp", role=Role.ORG_STAFF, organization=kamakura_npo, invited_by=alice
    )
    client.force_login(olga)
    page = client.get(PAGE).content.decode()
    assert "sam@example.jp" in page and "olga@example.jp" in page
    assert "npo-staff@example.jp" not in page and "npo-new@example.jp" not in page


def test_an_administrator_revokes_staff_invitations_of_their_organisation_only(
    client: Client, olga: Any, alice: Any, kamakura: Any, kamakura_council: Any, kamakura_npo: Any
) -> None:
    own = actions.invite_staff(platform=kamakura, organization=kamakura_council, email="s@example.jp", invited_by=olga)
    others = [
        actions.invite(platform=kamakura, email="o@example.jp", role=Role.OBSERVER, invited_by=alice),
        actions.invite(
            platform=kamakura,
            email="a@example.jp",
            role=Role.ORG_ADMIN,
            organization=kamakura_council,
            invited_by=alice,
        ),
        actions.invite_staff(platform=kamakura, organization=kamakura_npo, email="n@example.jp", invited_by=alice),
    ]
    client.force_login(olga)
    for invitation in others:
        assert client.post(PAGE + f"invitations/{invitation.pk}/revoke/").status_code == 404
        invitation.refresh_from_db()
        assert invitation.revoked_at is None
    assert client.post(PAGE + f"invitations/{own.pk}/revoke/").status_code == 302
    own.refresh_from_db()
    assert own.revoked_at is not None
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="invitation.revoked", actor=olga, platform=kamakura).exists()


def test_an_administrator_removes_staff_of_their_organisation_only(
    client: Client, olga: Any, sam: Any, alice: Any, kamakura: Any, kamakura_council: Any, kamakura_npo: Any
) -> None:
    theirs = Membership.objects.create(
        user=make_user("npo-staff"), platform=kamakura, role=Role.ORG_STAFF, organization=kamakura_npo
    )
    untouchable = [
        theirs,
        Membership.objects.get(user=olga, platform=kamakura),  # an administrator, herself
        Membership.objects.get(user=alice, platform=kamakura),  # the coordinator
    ]
    client.force_login(olga)
    for membership in untouchable:
        assert client.post(PAGE + f"roles/{membership.pk}/remove/").status_code == 404
        assert Membership.objects.filter(pk=membership.pk).exists()
    sams = Membership.objects.get(user=sam, platform=kamakura)
    assert client.post(PAGE + f"roles/{sams.pk}/remove/").status_code == 302
    assert not Membership.objects.filter(pk=sams.pk).exists()
    with scopes_disabled():
        (removed,) = AuditEvent.objects.filter(action="role.removed")
    assert (removed.actor, removed.platform, removed.changes["user"]) == (olga, kamakura, "sam@example.jp")


def test_staff_coordinators_and_observers_do_not_manage_an_organisations_staff(
    client: Client, sam: Any, alice: Any, oscar: Any, kamakura_council: Any
) -> None:
    for person in (sam, alice, oscar):
        client.force_login(person)
        assert client.get(PAGE).status_code == 403
        assert (
            client.post(PAGE + "invite/", {"email": "x@example.jp", "organization": kamakura_council.pk}).status_code
            == 403
        )
    assert not Invitation.objects.exists()
