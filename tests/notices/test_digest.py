"""The daily digest of unread notices: who gets it, what it lists, and that it never repeats itself."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tsunagari.notices import actions
from tsunagari.notices.digest import send_digests
from tsunagari.notices.models import DigestOptOut, DigestSent, Notice
from tsunagari.tenancy.scoping import platform_scope

pytestmark = pytest.mark.django_db


def post(platform: Any, author: Any, title: str, *, at: datetime.datetime, **fields: Any) -> Notice:
    with platform_scope(platform, with_national=False):
        notice = actions.post_notice(platform, author=author, title=title, body="本文は送りません", **fields)
        Notice.objects.filter(pk=notice.pk).update(created_at=at)
        notice.refresh_from_db()
        return notice


@pytest.fixture
def run(django_capture_on_commit_callbacks: Any) -> Any:
    def run(now: datetime.datetime) -> dict[str, str]:
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            send_digests(now)
        return {message.to[0]: message.body for message in mail.outbox}

    return run


def test_each_person_gets_their_unread_notices_once(
    run: Any, kamakura: Any, alice: Any, sam: Any, olga: Any, oscar: Any, notice_rows: dict[str, Any]
) -> None:
    now = timezone.now()
    group = notice_rows["group"]
    # The fixture's notice is older than the first digest's window.
    with platform_scope(kamakura, with_national=False):
        Notice.objects.filter(pk=notice_rows["notice"].pk).update(created_at=now - datetime.timedelta(days=3))
    everyone = post(kamakura, alice, "全体会議の日程", at=now - datetime.timedelta(hours=3))
    post(kamakura, alice, "部会だけのお知らせ", at=now - datetime.timedelta(hours=2), visibility="group", group=group)
    with platform_scope(kamakura, with_national=False):
        actions.mark_read(everyone, olga)

    sent = run(now)
    assert set(sent) == {"sam@example.jp", "oscar@example.jp"}  # Olga has read it; Alice wrote both.
    assert "全体会議の日程" in sent["sam@example.jp"] and "部会だけのお知らせ" in sent["sam@example.jp"]
    assert "部会だけのお知らせ" not in sent["oscar@example.jp"]
    assert f"/kamakura/workspace/notices/{everyone.pk}/" in sent["sam@example.jp"]
    assert "本文は送りません" not in sent["sam@example.jp"]
    assert "12月の全体会議について" not in sent["sam@example.jp"]

    # The same day again: nothing. The next day, only what is new since.
    assert run(now + datetime.timedelta(hours=1)) == {}
    tomorrow = now + datetime.timedelta(days=1)
    assert run(tomorrow) == {}
    post(kamakura, alice, "新しいお知らせ", at=tomorrow + datetime.timedelta(hours=1))
    sent = run(tomorrow + datetime.timedelta(days=1))
    assert set(sent) == {"sam@example.jp", "oscar@example.jp", "olga@example.jp"}
    assert "新しいお知らせ" in sent["sam@example.jp"] and "全体会議の日程" not in sent["sam@example.jp"]
    assert DigestSent.objects.filter(user=sam).count() == 2


def test_one_email_covers_every_platform_of_a_person(
    run: Any, kamakura: Any, tottori: Any, alice: Any, charlie: Any, sam: Any
) -> None:
    from tsunagari.accounts.models import Membership, Role

    Membership.objects.create(user=sam, platform=tottori, role=Role.ORG_STAFF)
    now = timezone.now()
    post(kamakura, alice, "鎌倉のお知らせ", at=now - datetime.timedelta(hours=1))
    post(tottori, charlie, "鳥取のお知らせ", at=now - datetime.timedelta(hours=1))
    sent = run(now)
    assert "鎌倉のお知らせ" in sent["sam@example.jp"] and "鳥取のお知らせ" in sent["sam@example.jp"]
    # Each author has read their own; neither coordinator can read the other platform's notice.
    assert set(sent) == {"sam@example.jp"}


def test_the_command_runs(kamakura: Any, alice: Any, sam: Any, capsys: Any) -> None:
    call_command("send_notice_digest")
    assert "0" in capsys.readouterr().out


def test_a_person_turns_the_digest_off_and_on_again_from_the_workspace(
    client: Client, run: Any, kamakura: Any, alice: Any, sam: Any, oscar: Any
) -> None:
    client.force_login(sam)
    page = client.get("/kamakura/workspace/notices/digest/")
    assert page.status_code == 200 and page.context["enabled"] is True
    assert client.post("/kamakura/workspace/notices/digest/", {"digest": "off"}).status_code == 302
    assert client.get("/kamakura/workspace/notices/digest/").context["enabled"] is False
    assert client.get("/kamakura/workspace/notices/").context["digest_enabled"] is False

    now = timezone.now()
    post(kamakura, alice, "全体会議の日程", at=now - datetime.timedelta(hours=1))
    assert set(run(now)) == {"oscar@example.jp"}
    assert not DigestSent.objects.filter(user=sam).exists()

    assert client.post("/kamakura/workspace/notices/digest/", {"digest": "on"}).status_code == 302
    post(kamakura, alice, "次のお知らせ", at=now + datetime.timedelta(hours=1))
    tomorrow = now + datetime.timedelta(days=1)
    sent = run(tomorrow)
    assert "次のお知らせ" in sent["sam@example.jp"]


def test_opening_the_settings_page_changes_nothing(client: Client, kamakura: Any, sam: Any) -> None:
    """Mail filters open links; only the button changes the setting."""
    client.force_login(sam)
    client.get("/kamakura/workspace/notices/digest/?digest=off")
    with platform_scope(kamakura, with_national=False):
        assert DigestOptOut.wants_digest(kamakura, sam)


def test_turning_the_digest_off_counts_for_one_platform_only(
    client: Client, run: Any, kamakura: Any, tottori: Any, alice: Any, charlie: Any, sam: Any
) -> None:
    from tsunagari.accounts.models import Membership, Role

    Membership.objects.create(user=sam, platform=tottori, role=Role.ORG_STAFF)
    client.force_login(sam)
    client.post("/tottori-pref/workspace/notices/digest/", {"digest": "off"})
    now = timezone.now()
    post(kamakura, alice, "鎌倉のお知らせ", at=now - datetime.timedelta(hours=1))
    post(tottori, charlie, "鳥取のお知らせ", at=now - datetime.timedelta(hours=1))
    body = run(now)["sam@example.jp"]
    assert "鎌倉のお知らせ" in body and "鳥取のお知らせ" not in body


def test_the_digest_links_to_its_setting(run: Any, kamakura: Any, alice: Any, sam: Any) -> None:
    now = timezone.now()
    post(kamakura, alice, "全体会議の日程", at=now - datetime.timedelta(hours=1))
    body = run(now)["sam@example.jp"]
    link = next(line.strip() for line in body.splitlines() if line.strip().endswith("/notices/digest/"))
    assert link.endswith("/kamakura/workspace/notices/digest/")


def test_outsiders_cannot_reach_the_setting(client: Client, kamakura: Any, charlie: Any) -> None:
    client.force_login(charlie)
    assert client.get("/kamakura/workspace/notices/digest/").status_code == 404
    assert client.post("/kamakura/workspace/notices/digest/", {"digest": "off"}).status_code == 404
