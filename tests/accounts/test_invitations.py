"""Invitations: a coordinator invites an address with a role; the invitee sets a password."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from tests.accounts.personas import PASSWORD, link_in, sign_in
from tsunagari.accounts import actions
from tsunagari.accounts.models import Invitation, Membership, Role, User
from tsunagari.audit.models import AuditEvent
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db


def test_an_invitation_from_email_to_workspace(
    client: Client, alice: Any, kamakura: Any, kamakura_council: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/kamakura/workspace/people/invite/",
            {"email": "New.Member@Example.jp", "role": Role.ORG_STAFF, "organization": kamakura_council.pk},
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.member@example.jp"]
    assert kamakura.name in message.subject

    newcomer = Client()
    link = link_in(message.body)
    page = newcomer.get(link)
    assert page.status_code == 200
    assert "new.member@example.jp" in page.content.decode()
    response = newcomer.post(
        link,
        {"display_name": "新しい 職員", "password1": "a long new passphrase", "password2": "a long new passphrase"},
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.member@example.jp")
    assert user.display_name == "新しい 職員"
    assert Membership.objects.filter(
        user=user, platform=kamakura, role=Role.ORG_STAFF, organization=kamakura_council
    ).exists()

    # The link works once.
    assert newcomer.get(link).status_code == 404
    # And the new person signs in with the password they chose.
    assert sign_in(newcomer, "new.member@example.jp", "a long new passphrase").status_code == 302
    assert newcomer.get("/kamakura/workspace/").status_code == 200
    with scopes_disabled():
        actions_done = set(AuditEvent.objects.filter(platform=kamakura).values_list("action", flat=True))
    assert {"invitation.sent", "invitation.accepted", "role.granted"} <= actions_done


def test_the_email_is_sent_only_after_the_commit(
    alice: Any, kamakura: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.invite(platform=kamakura, email="later@example.jp", role=Role.OBSERVER, invited_by=alice)
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [["later@example.jp"]]


def test_someone_with_an_account_just_gets_the_role(
    charlie: Any, alice: Any, kamakura: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invitation = actions.invite(platform=kamakura, email="CHARLIE@example.jp", role=Role.OBSERVER, invited_by=alice)
    assert invitation.accepted_at is not None
    assert Membership.objects.filter(user=charlie, platform=kamakura, role=Role.OBSERVER).exists()
    assert len(mail.outbox) == 1
    assert "/kamakura/workspace/" in mail.outbox[0].body
    assert User.objects.filter(email__iexact="charlie@example.jp").count() == 1


def test_a_revoked_or_expired_or_forged_link_does_not_work(
    client: Client, alice: Any, kamakura: Any, django_capture_on_commit_callbacks: Any
) -> None:
    revoked = actions.invite(platform=kamakura, email="revoked@example.jp", role=Role.OBSERVER, invited_by=alice)
    actions.revoke_invitation(revoked, actor=alice)
    expired = actions.invite(platform=kamakura, email="expired@example.jp", role=Role.OBSERVER, invited_by=alice)
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    for invitation in (revoked, expired):
        assert client.get(f"/accounts/invitation/{actions.invitation_token(invitation)}/").status_code == 404
    assert client.get("/accounts/invitation/1:forged:token/").status_code == 404
    assert not User.objects.filter(email__in=["revoked@example.jp", "expired@example.jp"]).exists()


def test_a_short_password_is_refused(client: Client, alice: Any, kamakura: Any) -> None:
    invitation = actions.invite(platform=kamakura, email="short@example.jp", role=Role.OBSERVER, invited_by=alice)
    link = f"/accounts/invitation/{actions.invitation_token(invitation)}/"
    response = client.post(link, {"display_name": "短い", "password1": "short", "password2": "short"})
    assert response.status_code == 200
    assert not User.objects.filter(email="short@example.jp").exists()


def test_org_roles_need_an_organisation(client: Client, alice: Any, kamakura: Any) -> None:
    client.force_login(alice)
    response = client.post("/kamakura/workspace/people/invite/", {"email": "x@example.jp", "role": Role.ORG_ADMIN})
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_another_platforms_organisation_cannot_be_chosen(
    client: Client, alice: Any, tottori: Any, kamakura: Any
) -> None:
    from tsunagari.directory.models import Organization

    with scopes_disabled():
        theirs = Organization.objects.create(platform=tottori, name="鳥取の団体")
    client.force_login(alice)
    response = client.post(
        "/kamakura/workspace/people/invite/",
        {"email": "x@example.jp", "role": Role.ORG_STAFF, "organization": theirs.pk},
    )
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_the_last_coordinator_stays(client: Client, alice: Any, kamakura: Any) -> None:
    client.force_login(alice)
    membership = Membership.objects.get(user=alice, platform=kamakura)
    client.post(f"/kamakura/workspace/people/roles/{membership.pk}/remove/")
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_a_coordinator_removes_a_role(client: Client, alice: Any, sam: Any, kamakura: Any) -> None:
    client.force_login(alice)
    membership = Membership.objects.get(user=sam, platform=kamakura)
    assert client.post(f"/kamakura/workspace/people/roles/{membership.pk}/remove/").status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="role.removed", platform=kamakura, actor=alice).exists()
    # Without a role Sam is an outsider now.
    sam_client = Client()
    sam_client.force_login(sam)
    assert sam_client.get("/kamakura/workspace/").status_code == 404


def test_signing_in_lands_on_a_list_when_a_person_has_several_platforms(
    client: Client, alice: Any, charlie: Any, tottori: Any
) -> None:
    Membership.objects.create(user=alice, platform=tottori, role=Role.OBSERVER)
    client.force_login(alice)
    page = client.get("/accounts/home/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "/kamakura/workspace/" in body
    assert "/tottori-pref/workspace/" in body
    assert PASSWORD not in body


def test_coordinators_get_the_admin_and_lose_it_with_the_role(
    alice: Any, kamakura: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from tests.conftest import make_user

    second = make_user("second")
    actions.invite(platform=kamakura, email="second@example.jp", role=Role.COORDINATOR, invited_by=alice)
    second.refresh_from_db()
    assert second.is_staff
    actions.remove_role(Membership.objects.get(user=second, platform=kamakura), actor=alice)
    second.refresh_from_db()
    assert not second.is_staff
