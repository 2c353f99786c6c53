"""Password spraying and guessing two-factor codes: limits per address, per account, reset on success."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.accounts.personas import PASSWORD, sign_in, totp_code
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_one_address_trying_many_accounts_is_stopped(client: Client, areas: None) -> None:
    for n in range(25):
        make_user(f"sprayed{n}")
    answers = [
        sign_in(client, f"sprayed{n}@example.jp", "Summer2026!", REMOTE_ADDR="198.51.100.44").status_code
        for n in range(25)
    ]
    # Each account saw one failure only (axes' per-account lock never fires), yet the address stops.
    assert answers[:20] == [200] * 20
    assert all(status != 302 for status in answers)
    refused = sign_in(client, "sprayed24@example.jp", PASSWORD, REMOTE_ADDR="198.51.100.44")
    assert refused.status_code != 302
    assert "_auth_user_id" not in client.session
    # Another address is not affected.
    assert sign_in(Client(), "sprayed24@example.jp", PASSWORD, REMOTE_ADDR="203.0.113.7").status_code == 302


def test_a_successful_sign_in_resets_the_accounts_failures(client: Client, sam: Any, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    for _round in range(3):
        for _mistype in range(2):
            assert sign_in(Client(), "sam@example.jp", "wrong", REMOTE_ADDR="198.51.100.9").status_code == 200
        browser = Client()
        assert sign_in(browser, "sam@example.jp", PASSWORD, REMOTE_ADDR="198.51.100.9").status_code == 302


def wrong_codes(user: Any, n: int) -> list[str]:
    right = totp_code(user)
    return [code for code in (f"{k:06d}" for k in range(n + 1)) if code != right][:n]


def test_a_pending_sign_in_ends_after_five_wrong_codes(client: Client, alice: Any) -> None:
    assert sign_in(client, "alice@example.jp").status_code == 302
    for code in wrong_codes(alice, 4):
        response = client.post("/accounts/2fa/authenticate/", {"code": code})
        assert response.status_code == 200
    last = client.post("/accounts/2fa/authenticate/", {"code": wrong_codes(alice, 5)[-1]})
    assert "もう一度" in str(last.context["form"].errors)
    # The pending sign-in is gone: even the right code now leads back to the password.
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(alice)})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_wrong_codes_lock_the_address_as_wrong_passwords_do(client: Client, alice: Any, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 5
    sign_in(client, "alice@example.jp", REMOTE_ADDR="198.51.100.60")
    for code in wrong_codes(alice, 5):
        client.post("/accounts/2fa/authenticate/", {"code": code}, REMOTE_ADDR="198.51.100.60")
    assert sign_in(Client(), "alice@example.jp", REMOTE_ADDR="198.51.100.60").status_code == 429
    # Locked as for passwords: this account from this address only.
    assert sign_in(Client(), "alice@example.jp", REMOTE_ADDR="203.0.113.61").status_code == 302


def test_wrong_codes_are_limited_per_account_across_sign_ins_and_addresses(alice: Any) -> None:
    codes = iter(wrong_codes(alice, 12))
    for n in range(3):
        browser = Client()
        address = f"198.51.100.{70 + n}"
        assert sign_in(browser, "alice@example.jp", REMOTE_ADDR=address).status_code == 302
        for _wrong in range(4):
            browser.post("/accounts/2fa/authenticate/", {"code": next(codes)}, REMOTE_ADDR=address)
    browser = Client()
    sign_in(browser, "alice@example.jp", REMOTE_ADDR="203.0.113.80")
    browser.post("/accounts/2fa/authenticate/", {"code": totp_code(alice)}, REMOTE_ADDR="203.0.113.80")
    assert "_auth_user_id" not in browser.session
