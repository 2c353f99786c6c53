"""A coordinator e-mails a notice now, with its text, to everyone who may read it: once, audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from tests.conftest import make_user
from tsunagari.accounts.models import Membership, Role
from tsunagari.audit.models import AuditEvent
from tsunagari.notices import actions
from tsunagari.notices.models import Notice
from tsunagari.tenancy.scoping import platform_scope, scopes_disabled

pytestmark = pytest.mark.django_db


def url(notice: Notice) -> str:
    return f"/kamakura/workspace/notices/{notice.pk}/email/"


def group_notice(platform: Any, author: Any, group: Any) -> Notice:
    with platform_scope(platform, with_national=False):
        return actions.post_notice(
            platform, author=author, title="部会の連絡", body="次回は1月です。", visibility="group", group=group
        )


def test_the_coordinator_is_told_how_many_people_before_sending(
    client: Client, alice: Any, sam: Any, olga: Any, oscar: Any, notice_rows: dict[str, Any]
) -> None:
    client.force_login(alice)
    response = client.get(url(notice_rows["notice"]))
    assert response.status_code == 200
    assert response.context["recipients"] == 4  # Alice, Olga, Sam, Oscar
    assert not mail.outbox


def test_it_sends_the_full_text_and_a_link_to_every_reader_once(
    client: Client,
    alice: Any,
    sam: Any,
    olga: Any,
    oscar: Any,
    notice_rows: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    notice = notice_rows["notice"]
    gone = make_user("gone")  # left the platform's work: inactive, gets nothing
    gone.is_active = False
    gone.save()
    Membership.objects.create(user=gone, platform=notice.platform, role=Role.OBSERVER)
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(notice))
    assert response.status_code == 302
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"alice@example.jp", "olga@example.jp", "sam@example.jp", "oscar@example.jp"}
    assert all(len(message.to) == 1 for message in mail.outbox)  # nobody sees the others' addresses
    body = by_address["sam@example.jp"].body
    assert "議題案を添付します。" in body  # the full text, unlike the digest
    assert f"/kamakura/workspace/notices/{notice.pk}/" in body
    assert "会議資料.pdf" in body
    assert "12月の全体会議について" in by_address["sam@example.jp"].subject
    with scopes_disabled():
        notice.refresh_from_db()
        event = AuditEvent.objects.get(action="notice.emailed")
    assert notice.emailed_at is not None and notice.emailed_by == alice and notice.emailed_count == 4
    assert event.actor == alice and event.changes["recipients"] == 4

    # A second click (or another coordinator's) sends nothing.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(notice), follow=True)
    assert not mail.outbox
    assert "送信済み" in response.content.decode() or "not sent again" in response.content.decode()
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="notice.emailed").count() == 1


def test_the_action_refuses_a_second_send(alice: Any, sam: Any, notice_rows: dict[str, Any]) -> None:
    notice = notice_rows["notice"]
    with platform_scope(notice.platform, with_national=False):
        # Two coordinators' pages, both read before either clicked: the row lock decides.
        first, second = Notice.objects.get(pk=notice.pk), Notice.objects.get(pk=notice.pk)
        actions.email_notice(first, actor=alice)
        with pytest.raises(actions.AlreadyEmailedError):
            actions.email_notice(second, actor=alice)


def test_a_group_notice_goes_to_the_group_only(
    client: Client,
    alice: Any,
    sam: Any,
    olga: Any,
    oscar: Any,
    notice_rows: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    notice = group_notice(notice_rows["notice"].platform, alice, notice_rows["group"])
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(notice))
    # Sam is in the group; coordinators read every group's notices. Olga and Oscar are not in it.
    assert sorted(message.to[0] for message in mail.outbox) == ["alice@example.jp", "sam@example.jp"]


@pytest.mark.parametrize("persona", ["olga", "sam", "oscar"])
def test_only_coordinators_send(
    request: pytest.FixtureRequest,
    client: Client,
    persona: str,
    alice: Any,
    notice_rows: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(request.getfixturevalue(persona))
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url(notice_rows["notice"])).status_code == 403
    assert not mail.outbox
    with scopes_disabled():
        assert Notice.objects.get(pk=notice_rows["notice"].pk).emailed_at is None


def test_the_notice_page_offers_it_to_coordinators_only(
    client: Client, alice: Any, sam: Any, notice_rows: dict[str, Any]
) -> None:
    notice = notice_rows["notice"]
    client.force_login(alice)
    assert url(notice) in client.get(f"/kamakura/workspace/notices/{notice.pk}/").content.decode()
    client.force_login(sam)
    assert url(notice) not in client.get(f"/kamakura/workspace/notices/{notice.pk}/").content.decode()
