"""An organisation applies, is approved, corrects its listing, and residents see the correction."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail

from tests.accounts.personas import PASSWORD, totp_code
from tests.conftest import with_totp
from tests.factories import make_service
from tsunagari.accounts.models import User

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page: Any, base: str, email: str, password: str, user: Any, then: str) -> None:
    page.goto(base + then)
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    page.locator("input[name=code]").fill(totp_code(user))
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_url("**" + then)


def test_apply_approve_edit_approve_and_see_it_on_the_portal(
    live_server: Any, browser: Any, page: Any, kamakura: Any, alice: Any
) -> None:
    base = live_server.url
    # The directory already lists the organisation's window (imported before it joined).
    service = make_service(
        kamakura, "かまくら居場所ネット 電話相談", phone="0467-24-0000", organization_name="かまくら居場所ネット"
    )

    # 1. The organisation applies on the portal, without an account.
    page.goto(base + "/kamakura/")
    page.locator("a[href='/kamakura/join/']").click()
    page.locator("input[name=name]").fill("NPO法人 かまくら居場所ネット")
    page.locator("input[name=kind][value=npo]").check()
    # A registered corporation's number (registry office 0210, 組織区分 05); a national body's is refused.
    page.locator("input[name=corporate_number]").fill("6021005012345")
    page.locator("input[name=areas]").fill("鎌倉市全域")
    page.locator("input[name=needs][value=loneliness]").check()
    page.locator("textarea[name=description]").fill("ひとり暮らしの方の居場所づくり。")
    page.locator("input[name=contact_name]").fill("山田 花子")
    page.locator("input[name=contact_email]").fill("hanako@ibasho.example.jp")
    page.locator("input[name=consent]").check()
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_url("**/kamakura/join/thanks/")

    # 2. The coordinator approves it, linking the organisation already listed, and invites the contact.
    coordinator = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP").new_page()
    sign_in(coordinator, base, "alice@example.jp", PASSWORD, alice, "/kamakura/workspace/members/applications/")
    coordinator.get_by_role("link", name="NPO法人 かまくら居場所ネット").click()
    coordinator.locator("select[name=organization]").select_option(label="かまくら居場所ネット")
    coordinator.locator("input[name=invite_contact]").check()
    coordinator.locator("form[action$='/approve/'] button[type=submit]").click()
    coordinator.wait_for_url("**/kamakura/workspace/members/applications/")
    assert "NPO法人 かまくら居場所ネット" in coordinator.locator("table.grid").nth(1).inner_text()

    # 3. The contact person takes up the invitation and signs in with two-factor authentication.
    invitation = next(m for m in mail.outbox if "/accounts/invitation/" in m.body)
    link = re.search(r"https?://[^/\s]+(/accounts/invitation/\S+)", invitation.body)
    assert link is not None
    admin_page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP").new_page()
    admin_page.goto(base + link.group(1))
    admin_page.locator("input[name=display_name]").fill("山田 花子")
    admin_page.locator("input[name=password1]").fill("a long new passphrase")
    admin_page.locator("input[name=password2]").fill("a long new passphrase")
    admin_page.locator("form.stacked button[type=submit]").click()
    # Her role needs two-factor authentication; here her authenticator is set up for her.
    admin_page.wait_for_url("**/accounts/login/**")
    hanako = with_totp(User.objects.get(email="hanako@ibasho.example.jp"))
    sign_in(
        admin_page, base, "hanako@ibasho.example.jp", "a long new passphrase", hanako, "/kamakura/workspace/listings/"
    )

    # 4. She corrects the phone number of her organisation's listing.
    admin_page.locator(f"a[href='/kamakura/workspace/listings/{service.pk}/edit/']").click()
    phone = admin_page.locator("input[name=phone]")
    assert phone.input_value() == "0467-24-0000"
    phone.fill("0467-61-3938")
    admin_page.locator("form.stacked button[type=submit]").click()
    admin_page.wait_for_url(re.compile(r".*/kamakura/workspace/listings/changes/[0-9a-f-]+/$"))
    # Not published yet.
    resident = browser.new_context(locale="ja-JP").new_page()
    resident.goto(f"{base}/kamakura/services/{service.pk}/")
    assert resident.locator("a[href='tel:0467240000']").count() == 1

    # 5. The coordinator reads the diff and approves.
    coordinator.goto(base + "/kamakura/workspace/listings/")
    coordinator.get_by_role("link", name="かまくら居場所ネット 電話相談").first.click()
    diff = coordinator.locator("table.diff")
    assert diff.locator("del").inner_text() == "0467-24-0000"
    assert diff.locator("ins").inner_text() == "0467-61-3938"
    coordinator.locator("form[action$='/approve/'] button[type=submit]").click()
    coordinator.wait_for_url("**/kamakura/workspace/listings/")

    # 6. Residents see the new number on the portal.
    resident.goto(f"{base}/kamakura/services/{service.pk}/")
    call = resident.locator("a[href^='tel:']", has_text="0467-61-3938")
    assert call.get_attribute("href") == "tel:0467613938"
    assert resident.locator("a[href='tel:0467240000']").count() == 0
