"""Signing in: e-mail and password, then a TOTP code or a recovery code; lockout; idle timeout."""

from __future__ import annotations

import time
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.core import mail
from django.test import Client

from tests.accounts.personas import PASSWORD, link_in, sign_in, totp_code
from tests.conftest import make_user
from tsunagari.accounts.middleware import LAST_SEEN_KEY
from tsunagari.accounts.models import Membership, Role

pytestmark = pytest.mark.django_db


def test_a_coordinator_signs_in_with_email_password_and_a_totp_code(client: Client, alice: Any) -> None:
    response = sign_in(client, "alice@example.jp")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    # Not signed in yet: the password alone opens nothing.
    assert client.get("/kamakura/workspace/").status_code == 302

    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(alice)}, follow=True)
    assert response.redirect_chain[-1][0] == "/kamakura/workspace/"
    assert response.status_code == 200
    assert "alice" in response.content.decode()


def test_a_wrong_totp_code_is_refused(client: Client, alice: Any) -> None:
    sign_in(client, "alice@example.jp")
    wrong = "000000" if totp_code(alice) != "000000" else "111111"
    response = client.post("/accounts/2fa/authenticate/", {"code": wrong})
    assert response.status_code == 200
    assert client.get("/kamakura/workspace/").status_code == 302


def test_a_wrong_password_never_reaches_the_second_step(client: Client, alice: Any) -> None:
    response = sign_in(client, "alice@example.jp", "not the password")
    assert response.status_code == 200
    assert client.get("/accounts/2fa/authenticate/").status_code == 302


def test_a_recovery_code_works_once(client: Client, alice: Any) -> None:
    code = RecoveryCodes(
        Authenticator.objects.get(user=alice, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()[0]
    sign_in(client, "alice@example.jp")
    response = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 302
    assert client.get("/kamakura/workspace/").status_code == 200

    client.post("/accounts/logout/")
    sign_in(client, "alice@example.jp")
    response = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 200  # the form again, with an error
    assert client.get("/kamakura/workspace/").status_code == 302


def test_member_staff_sign_in_without_a_second_factor(client: Client, sam: Any) -> None:
    response = sign_in(client, "SAM@example.jp")  # addresses are not case-sensitive
    assert response.status_code == 302
    assert client.get("/kamakura/workspace/").status_code == 200


def test_sign_in_locks_after_repeated_failures(client: Client, sam: Any, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    for _attempt in range(2):
        assert sign_in(client, "sam@example.jp", "wrong", REMOTE_ADDR="198.51.100.9").status_code == 200
    locked = sign_in(client, "sam@example.jp", "wrong", REMOTE_ADDR="198.51.100.9")
    assert locked.status_code == 429
    assert "account/lockout.html" in [t.name for t in locked.templates]
    # Even the right password is refused from that address while the lock lasts…
    assert sign_in(client, "sam@example.jp", PASSWORD, REMOTE_ADDR="198.51.100.9").status_code == 429
    # …but the lock is on this address and this account only: the owner elsewhere still gets in.
    other = Client()
    assert sign_in(other, "sam@example.jp", PASSWORD, REMOTE_ADDR="203.0.113.20").status_code == 302


def test_the_admin_login_form_hands_over_to_allauth(client: Client) -> None:
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_nobody_can_sign_themselves_up(client: Client, areas: None) -> None:
    from tsunagari.accounts.models import User

    response = client.post(
        "/accounts/signup/", {"email": "me@example.jp", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="me@example.jp").exists()


def test_password_reset_by_email(client: Client, sam: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": "sam@example.jp"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sam@example.jp"]
    link = link_in(mail.outbox[0].body)
    # allauth moves the key out of the URL before showing the form.
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    new_password = "a new and long passphrase"
    response = client.post(form_page.redirect_chain[-1][0], {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    assert sign_in(Client(), "sam@example.jp", new_password).status_code == 302
    assert sign_in(Client(), "sam@example.jp", PASSWORD).status_code == 200


def test_an_idle_session_expires(client: Client, sam: Any, settings: Any) -> None:
    settings.SESSION_IDLE_MINUTES = 30
    client.force_login(sam)
    assert client.get("/kamakura/workspace/").status_code == 200
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - 31 * 60
    session.save()
    response = client.get("/kamakura/workspace/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_active_session_stays(client: Client, sam: Any) -> None:
    client.force_login(sam)
    client.get("/kamakura/workspace/")
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - 10 * 60
    session.save()
    assert client.get("/kamakura/workspace/").status_code == 200


def test_a_coordinator_without_mfa_is_sent_to_set_it_up(client: Client, kamakura: Any) -> None:
    newcomer = make_user("newcomer")
    newcomer.is_staff = True
    newcomer.save()
    Membership.objects.create(user=newcomer, platform=kamakura, role=Role.COORDINATOR)
    assert sign_in(client, "newcomer@example.jp").status_code == 302
    for path in ("/kamakura/workspace/", "/kamakura/workspace/people/", "/kamakura/staff/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/2fa/totp/activate/"), path

    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = page.context["form"].secret
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    response = client.post("/accounts/2fa/totp/activate/", {"code": code})
    assert response.status_code == 302
    assert client.get("/kamakura/workspace/").status_code == 200
    assert Authenticator.objects.filter(user=newcomer, type=Authenticator.Type.RECOVERY_CODES).exists()


def test_a_coordinator_cannot_turn_two_factor_authentication_off(client: Client, alice: Any) -> None:
    client.force_login(alice)
    client.post("/accounts/2fa/totp/deactivate/", {})
    assert Authenticator.objects.filter(user=alice, type=Authenticator.Type.TOTP).exists()


@pytest.mark.parametrize(
    ("who", "idle_minutes", "signed_out"),
    [
        ("olga", 16, True),  # administrator of a member organisation: may open case records
        ("sam", 16, True),  # that organisation's staff, likewise
        ("alice", 16, False),  # the coordinator sees no case records: the usual 30 minutes
        ("alice", 31, True),
        ("olga", 14, False),
    ],
)
def test_people_who_may_open_case_records_are_signed_out_sooner(
    request: pytest.FixtureRequest, client: Client, settings: Any, who: str, idle_minutes: int, signed_out: bool
) -> None:
    settings.SESSION_IDLE_MINUTES = 30
    settings.CASES_SESSION_IDLE_MINUTES = 15
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get("/kamakura/workspace/").status_code in (200, 302)
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - idle_minutes * 60
    session.save()
    response = client.get("/kamakura/workspace/")
    assert (response.status_code == 302 and response["Location"].startswith("/accounts/login/")) is signed_out
