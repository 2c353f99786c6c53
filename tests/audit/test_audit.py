"""The audit log: what is recorded, who sees it, and the CSV export."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.test import Client

from tests.accounts.personas import sign_in, totp_code
from tests.factories import make_service
from tests.spreadsheets import FORMULAS, read_export
from tsunagari.accounts import actions
from tsunagari.accounts.models import Role
from tsunagari.audit.log import record
from tsunagari.audit.models import AuditEvent
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db


def events(**filters: Any) -> list[AuditEvent]:
    with scopes_disabled():
        return list(AuditEvent.objects.filter(**filters))


def test_signing_in_is_recorded_with_the_address_and_browser(client: Client, alice: Any) -> None:
    sign_in(client, "alice@example.jp", REMOTE_ADDR="203.0.113.5", HTTP_USER_AGENT="TestBrowser/1.0")
    client.post(
        "/accounts/2fa/authenticate/",
        {"code": totp_code(alice)},
        REMOTE_ADDR="203.0.113.5",
        HTTP_USER_AGENT="TestBrowser/1.0",
    )
    (login,) = events(action="account.login")
    assert login.actor == alice
    assert login.ip == "203.0.113.5"
    assert login.user_agent == "TestBrowser/1.0"


def test_a_failed_sign_in_is_recorded_against_the_account(client: Client, alice: Any) -> None:
    sign_in(client, "alice@example.jp", "wrong", REMOTE_ADDR="198.51.100.1")
    (failed,) = events(action="account.login_failed")
    assert failed.actor == alice
    assert failed.ip == "198.51.100.1"


def test_the_forwarded_address_counts_only_behind_a_trusted_proxy(client: Client, alice: Any, settings: Any) -> None:
    sign_in(client, "alice@example.jp", "wrong", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    settings.USE_X_FORWARDED_FOR = True
    sign_in(client, "alice@example.jp", "wrong", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert sorted(e.ip for e in events(action="account.login_failed")) == ["10.0.0.1", "203.0.113.9"]


def test_an_invitation_is_recorded_with_who_and_where(client: Client, alice: Any, kamakura: Any) -> None:
    client.force_login(alice)
    client.post(
        "/kamakura/workspace/people/invite/",
        {"email": "new@example.jp", "role": Role.OBSERVER},
        REMOTE_ADDR="192.0.2.44",
    )
    (sent,) = events(action="invitation.sent")
    assert (sent.actor, sent.platform, sent.ip) == (alice, kamakura, "192.0.2.44")
    assert sent.changes["email"] == "new@example.jp"
    assert sent.object_type == "accounts.invitation"


def test_admin_changes_are_recorded_on_the_rows_platform(alice: Any, kamakura: Any) -> None:
    service = make_service(kamakura, "鎌倉の窓口")
    LogEntry.objects.log_actions(alice.pk, [service], CHANGE, [{"changed": {"fields": ["name"]}}])
    (changed,) = events(action="admin.changed")
    assert changed.platform == kamakura
    assert changed.object_repr == "鎌倉の窓口"
    assert changed.object_id == str(service.pk)


def test_coordinators_see_their_platform_and_their_people_only(
    client: Client, alice: Any, charlie: Any, kamakura: Any, tottori: Any, sam: Any
) -> None:
    record("invitation.sent", actor=alice, platform=kamakura, object_repr="kamakura-invite")
    record("invitation.sent", actor=charlie, platform=tottori, object_repr="tottori-invite")
    record("account.login", actor=sam, object_repr="sam-login")
    record("account.login", actor=charlie, object_repr="charlie-login")
    client.force_login(alice)
    body = client.get("/kamakura/workspace/audit/").content.decode()
    assert "kamakura-invite" in body
    assert "sam-login" in body
    assert "tottori-invite" not in body
    assert "charlie-login" not in body


def test_the_audit_log_filters(client: Client, alice: Any, kamakura: Any) -> None:
    record("invitation.sent", actor=alice, platform=kamakura, object_repr="one")
    record("role.removed", actor=alice, platform=kamakura, object_repr="two")
    client.force_login(alice)
    body = client.get("/kamakura/workspace/audit/", {"action": "role.removed"}).content.decode()
    assert "two" in body
    assert ">one<" not in body


def test_the_audit_page_needs_a_fixed_number_of_queries(
    client: Client, alice: Any, kamakura: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(30):
        record("invitation.sent", actor=alice, platform=kamakura, object_repr=f"row {n}")
    client.force_login(alice)
    client.get("/kamakura/workspace/audit/")
    with django_assert_max_num_queries(15):
        assert client.get("/kamakura/workspace/audit/").status_code == 200


def test_the_csv_export(client: Client, alice: Any, kamakura: Any) -> None:
    actions.invite(platform=kamakura, email="csv@example.jp", role=Role.OBSERVER, invited_by=alice)
    client.force_login(alice)
    response = client.get(
        "/kamakura/workspace/audit/export.csv", {"action": "invitation.sent"}, REMOTE_ADDR="192.0.2.7"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 1
    # Headings in Japanese, for the 事務局's Excel (issue 14 §8).
    assert rows[0]["操作した人（メールアドレス）"] == "alice@example.jp"
    assert rows[0]["プラットフォーム"] == "kamakura"
    assert "csv@example.jp" in rows[0]["詳細"]
    (exported,) = events(action="audit.exported")
    assert exported.ip == "192.0.2.7"


def test_the_csv_export_defuses_every_cell_that_would_run_as_a_formula(
    client: Client, alice: Any, kamakura: Any
) -> None:
    """Issue 10 item 15: what people typed (names, e-mail addresses, a browser's user agent) reaches the log."""
    for formula in FORMULAS:
        record(
            "invitation.sent",
            actor=alice,
            platform=kamakura,
            object_repr=formula,
            object_type=formula,
            object_id=formula,
        )
    with scopes_disabled():
        AuditEvent.objects.filter(action="invitation.sent").update(user_agent=FORMULAS[0], actor_email=FORMULAS[3])
    client.force_login(alice)
    response = client.get("/kamakura/workspace/audit/export.csv", {"action": "invitation.sent"})
    rows = read_export(b"".join(response.streaming_content).decode("utf-8"))
    assert len(rows) == 1 + len(FORMULAS)
    header = rows[0]
    reprs = {row[header.index("対象")] for row in rows[1:]}
    assert "'-2+3" in reprs and "'\r=1+1" in reprs
