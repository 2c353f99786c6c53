"""A coordinator signs in with e-mail, password and a code from their authenticator app."""

from __future__ import annotations

from typing import Any

import pytest

from tests.accounts.personas import totp_code

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_coordinator_signs_in_with_a_totp_code(live_server: Any, page: Any, alice: Any, kamakura: Any) -> None:
    page.goto(live_server.url + "/kamakura/workspace/")
    # Not signed in: sent to the sign-in page, which brings them back afterwards.
    assert "/accounts/login/" in page.url
    page.locator("input[name=login]").fill("alice@example.jp")
    page.locator("input[name=password]").fill("correct horse battery staple")
    page.locator("form.stacked button[type=submit]").click()

    page.wait_for_url("**/accounts/2fa/authenticate/**")
    page.locator("input[name=code]").fill(totp_code(alice))
    page.locator("form.stacked button[type=submit]").click()

    page.wait_for_url("**/kamakura/workspace/")
    assert page.get_by_role("heading", level=1).inner_text().startswith(kamakura.name)
    # A coordinator's menu leads to the audit log.
    assert page.locator("nav.workspace-nav a[href='/kamakura/workspace/audit/']").count() == 1
