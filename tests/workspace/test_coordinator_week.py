# ruff: noqa: F811  (pytest fixtures imported from tests.membership.rows are parameters here)
"""Issue 14: what a coordinator meets in a week — the dashboard, error pages, sign-in and -out, forms."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import get_resolver
from django.utils import timezone

from tests.accounts.personas import PASSWORD, link_in, sign_in, totp_code
from tests.factories import make_service
from tests.membership.rows import membership_rows  # noqa: F401
from tsunagari.accounts import actions as account_actions
from tsunagari.accounts.models import Role
from tsunagari.notices import actions as notice_actions
from tsunagari.tenancy.scoping import platform_scope, scopes_disabled
from tsunagari.workspace import dashboard

pytestmark = pytest.mark.django_db


def todo_rows(body: str) -> str:
    start = body.index('class="todo"')
    return body[start : body.index("</ul>", start)]


def test_the_dashboard_lists_what_waits_for_the_coordinator(
    client: Client, alice: Any, membership_rows: dict[str, Any]
) -> None:
    client.force_login(alice)
    body = client.get("/kamakura/workspace/").content.decode()
    rows = todo_rows(body)
    assert "参加申請" in rows and "/kamakura/workspace/members/applications/" in rows
    assert "/kamakura/workspace/listings/" in rows
    assert "/kamakura/workspace/reports/" in rows
    assert 'class="figures"' in body


def test_an_organisations_administrator_sees_only_their_own_reports_not_the_applications(
    client: Client, olga: Any, membership_rows: dict[str, Any]
) -> None:
    client.force_login(olga)
    rows = todo_rows(client.get("/kamakura/workspace/").content.decode())
    assert "/kamakura/workspace/reports/" in rows  # the report is on her organisation's listing
    assert "/members/applications/" not in rows
    assert "/listings/" not in rows


def test_member_staff_are_not_shown_the_coordinators_queues(
    client: Client, sam: Any, membership_rows: dict[str, Any]
) -> None:
    client.force_login(sam)
    body = client.get("/kamakura/workspace/").content.decode()
    assert "/members/applications/" not in body.split('class="workspace-nav"')[0] + body.split("</nav>", 1)[1]
    assert "/reports/" not in body.split("</nav>", 1)[1]


def test_the_dashboard_counts_unread_notices_and_leaves_out_ones_own(
    rf: Any, alice: Any, olga: Any, kamakura: Any
) -> None:
    with platform_scope(kamakura, with_national=False):
        notice_actions.post_notice(kamakura, author=olga, title="会議のお知らせ", body="本文", visibility="all_members")
        notice_actions.post_notice(kamakura, author=alice, title="自分の", body="本文", visibility="all_members")
        request = rf.get("/")
        request.user = alice
        from tsunagari.workspace.access import Workspace

        workspace = Workspace(platform=kamakura, roles=frozenset({Role.COORDINATOR}))
        rows = dashboard.todos(request, workspace)
    unread = [row for row in rows if "/notices/" in row.url]
    assert [row.count for row in unread] == [1]


def test_the_read_counter_counts_everyone_who_may_read_the_notice(
    client: Client, alice: Any, olga: Any, sam: Any, kamakura: Any
) -> None:
    with platform_scope(kamakura, with_national=False):
        notice = notice_actions.post_notice(
            kamakura, author=alice, title="会議のお知らせ", body="本文", visibility="all_members"
        )
    client.force_login(olga)
    client.get(f"/kamakura/workspace/notices/{notice.pk}/")
    client.force_login(alice)
    body = client.get(f"/kamakura/workspace/notices/{notice.pk}/").content.decode()
    assert "3 人中 2 人が既読" in body  # Alice (opening it), Olga; Sam has not read it


def test_404_is_japanese_with_a_way_back(client: Client, kamakura: Any) -> None:
    response = client.get("/kamakura/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "ページが見つかりません" in body
    assert 'href="/kamakura/"' in body and "Not Found" not in body


def test_500_is_japanese_with_ways_on(rf: Any, kamakura: Any) -> None:
    """The project's handler500 (not Django's bare English page), as Django calls it on a server error."""
    handler = get_resolver().resolve_error_handler(500)
    response = handler(rf.get("/kamakura/workspace/"))
    assert response.status_code == 500
    body = response.content.decode()
    assert "システムでエラーが起きました" in body and "Server Error" not in body
    assert 'href="/"' in body and 'href="tel:0120279338"' in body


def test_the_admin_history_screens_are_in_japanese(client: Client, alice: Any, kamakura: Any) -> None:
    service = make_service(kamakura, name="ひだまりサロン")
    service.name = "ひだまりサロン鎌倉"
    service.save()
    version = service.history.latest("history_date").history_id
    client.force_login(alice)
    listing = client.get(f"/admin/directory/service/{service.pk}/history/").content.decode()
    assert "変更した人" in listing and "Changed by" not in listing
    one = client.get(f"/admin/directory/service/{service.pk}/history/{version}/").content.decode()
    assert "元に戻す" in one and "Revert" not in one


def test_403_in_the_workspace_keeps_the_menu(client: Client, sam: Any, membership_rows: dict[str, Any]) -> None:
    client.force_login(sam)
    response = client.get("/kamakura/workspace/audit/")
    assert response.status_code == 403
    body = response.content.decode()
    assert 'class="workspace-nav"' in body and "Forbidden" not in body
    assert "権限" in body


def test_an_outsider_gets_the_plain_404_without_the_workspace_menu(client: Client, charlie: Any, kamakura: Any) -> None:
    client.force_login(charlie)
    response = client.get("/kamakura/workspace/")
    assert response.status_code == 404
    assert 'class="workspace-nav"' not in response.content.decode()


def test_the_listings_to_check_page_keeps_the_workspace_menu(client: Client, alice: Any, kamakura: Any) -> None:
    client.force_login(alice)
    body = client.get("/kamakura/staff/").content.decode()
    assert 'class="workspace-nav"' in body


def test_after_taking_up_an_invitation_the_welcome_shows_once_and_the_address_is_filled_in(
    client: Client, alice: Any, kamakura: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        account_actions.invite(
            platform=kamakura, email="new@example.jp", role=Role.OBSERVER, organization=None, invited_by=alice
        )
    path = link_in(mail.outbox[-1].body)
    response = client.post(
        path,
        {"display_name": "新井 さくら", "password1": "a long new passphrase", "password2": "a long new passphrase"},
        follow=True,
    )
    body = response.content.decode()
    assert body.count("ようこそ") == 1
    assert 'value="new@example.jp"' in body


def test_the_sign_in_message_names_the_person(client: Client, alice: Any) -> None:
    alice.display_name = "青木 ありさ"
    alice.save()
    sign_in(client, alice.email, PASSWORD)
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(alice)}, follow=True)
    message = response.content.decode().split('class="messages"')[1].split("</ul>")[0]
    assert "青木 ありさ さん、ログインしました。" in message


def test_signing_out_of_the_workspace_lands_on_the_platform(client: Client, alice: Any, kamakura: Any) -> None:
    client.force_login(alice)
    assert 'name="next" value="/kamakura/"' in client.get("/kamakura/workspace/").content.decode()
    response = client.post("/accounts/logout/", {"next": "/kamakura/"})
    assert response.status_code == 302 and response["Location"] == "/kamakura/"


def test_labels_have_no_half_width_colon_and_required_fields_are_marked(
    client: Client, alice: Any, kamakura: Any
) -> None:
    client.force_login(alice)
    body = client.get("/kamakura/workspace/notices/new/").content.decode()
    assert ":</label>" not in body
    assert 'class="required-mark"' in body


def test_inviting_the_contact_is_not_ticked_by_default(
    client: Client, alice: Any, membership_rows: dict[str, Any]
) -> None:
    client.force_login(alice)
    application = membership_rows["application"]
    body = client.get(f"/kamakura/workspace/members/applications/{application.pk}/").content.decode()
    tag = body[body.index('name="invite_contact"') - 80 : body.index('name="invite_contact"') + 80]
    assert "checked" not in tag
    assert 'class="danger"' in body


def test_the_audit_log_heads_the_address_column_as_such_and_the_csv_in_japanese(client: Client, alice: Any) -> None:
    client.force_login(alice)
    body = client.get("/kamakura/workspace/audit/").content.decode()
    assert "IPアドレス</th>" in body and "開始日</th>" not in body
    csv = b"".join(client.get("/kamakura/workspace/audit/export.csv").streaming_content).decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("日時,操作した人（メールアドレス）")


def test_the_months_figures_count_this_month_only(client: Client, alice: Any, membership_rows: dict[str, Any]) -> None:
    from tsunagari.membership.models import ProblemReport
    from tsunagari.workspace.dashboard import month_start

    def figures() -> dict[str, int]:
        body = client.get("/kamakura/workspace/").content.decode()
        block = body[body.index('<dl class="figures">') : body.index("</dl>", body.index('<dl class="figures">'))]
        return {dt: int(dd) for dt, dd in re.findall(r"<dt>(.*?)</dt><dd>(\d+)</dd>", block)}

    client.force_login(alice)
    with scopes_disabled():
        reports = ProblemReport.objects.filter(platform=membership_rows["service"].platform)
        this_month = reports.filter(created_at__gte=month_start()).count()
    assert this_month >= 1
    assert figures()["受け付けた問題の報告"] == this_month
    with scopes_disabled():  # one of them moved to last month: no longer this month's
        report = reports.first()
        ProblemReport.objects.filter(pk=report.pk).update(created_at=month_start() - datetime.timedelta(days=1))
    assert figures()["受け付けた問題の報告"] == this_month - 1


def test_the_dashboard_lists_stale_listings_and_people_waiting_for_a_place(
    client: Client, alice: Any, kamakura: Any
) -> None:
    from tests.programs.test_events import make_event
    from tsunagari.programs.models import Event, Registration

    make_service(kamakura, "長く確認されていない窓口", verified=datetime.date(2020, 4, 1))
    event = make_event(kamakura, alice, capacity=1)
    with scopes_disabled():
        assert event.status == Event.Status.PUBLISHED and event.ends_at > timezone.now()
        for status, name in [(Registration.Status.CONFIRMED, "一人目"), (Registration.Status.WAITLISTED, "二人目")]:
            Registration.objects.create(platform=kamakura, event=event, name=name, status=status)
    client.force_login(alice)
    rows = todo_rows(client.get("/kamakura/workspace/").content.decode())
    stale = re.search(
        r'href="/kamakura/staff/"><span class="todo-count">(\d+)</span> 長く確認されていない掲載情報', rows
    )
    waiting = re.search(
        r'href="/kamakura/workspace/events/"><span class="todo-count">(\d+)</span> 今後のイベントのキャンセル待ちの人',
        rows,
    )
    assert stale and int(stale.group(1)) >= 1, rows
    assert waiting and int(waiting.group(1)) == 1, rows
