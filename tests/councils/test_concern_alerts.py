"""A new concern (気づき) reaches the coordinators: on their first page, in the app, and by e-mail without its text."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from tsunagari.cases.models import Notification
from tsunagari.councils import actions
from tsunagari.councils.models import Concern, Urgency
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db

REPORT = "/kamakura/workspace/concerns/report/"
QUEUE = "/kamakura/workspace/concerns/"
HOME = "/kamakura/workspace/"
WHAT, PLACE = "新聞が五日分たまり、夜も明かりがつかない", "稲村ガ崎一丁目の坂の上の家"


def report(client: Client, council_rows: dict[str, Any], capture: Any, urgency: str = "life") -> Concern:
    client.force_login(council_rows["suzu"])
    with capture(execute=True):
        response = client.post(REPORT, {"what": WHAT, "place": PLACE, "urgency": urgency})
    assert response.status_code == 302
    with scopes_disabled():
        return Concern.objects.latest("pk")


def notices(user: Any, concern: Concern) -> list[Notification]:
    with scopes_disabled():
        return list(Notification.objects.filter(user=user, key=f"concern-new:{concern.pk}"))


def test_the_coordinators_are_told_in_the_app_and_by_mail_without_the_text(
    client: Client,
    council_rows: dict[str, Any],
    alice: Any,
    charlie: Any,
    olga: Any,
    oscar: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    mail.outbox.clear()
    concern = report(client, council_rows, django_capture_on_commit_callbacks)
    # Alice (Kamakura's coordinator) only: not Tottori's coordinator, not organisation staff, not observers.
    [notice] = notices(alice, concern)
    assert notice.key == f"concern-new:{concern.pk}" and notice.link == f"/kamakura/workspace/concerns/{concern.pk}/"
    assert not notices(charlie, concern) and not notices(olga, concern) and not notices(oscar, concern)
    [message] = mail.outbox
    assert message.to == [alice.email]
    text = message.subject + message.body
    assert "新しい気づき" in message.subject
    assert "緊急度: 命の危険があるかもしれない" in message.body  # the urgency, as a label
    assert f"/kamakura/workspace/concerns/{concern.pk}/" in message.body and QUEUE in message.body
    for secret in (WHAT, PLACE, "新聞", "稲村ガ崎", "鈴木", council_rows["suzu"].email):
        assert secret not in text, secret
    # A second run of the same notice (the key) tells nobody twice.
    with django_capture_on_commit_callbacks(execute=True), scopes_disabled():
        assert actions.tell_coordinators(concern) == 0
    assert len(mail.outbox) == 1


def test_the_queue_marks_new_concerns_until_opened(
    client: Client, council_rows: dict[str, Any], alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    concern = report(client, council_rows, django_capture_on_commit_callbacks)
    client.force_login(alice)
    # The fixture's concern and this one.
    assert client.get(QUEUE).content.decode().count("あなたにとって新着") == 2
    assert client.get(f"{QUEUE}{concern.pk}/").status_code == 200
    assert notices(alice, concern)[0].read_at is not None
    body = client.get(QUEUE).content.decode()
    assert body.count("あなたにとって新着") == 1
    assert f'{concern.pk}/">気づき #{concern.pk}</a></td>' in body


def test_the_coordinators_first_page_counts_untriaged_and_highlights_urgent_concerns(
    client: Client, council_rows: dict[str, Any], alice: Any, olga: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # The fixture's concern (today) is new; one more that may be about a life, one to keep an eye on.
    report(client, council_rows, django_capture_on_commit_callbacks, urgency=Urgency.LIFE)
    report(client, council_rows, django_capture_on_commit_callbacks, urgency=Urgency.WATCH)
    client.force_login(alice)
    body = client.get(HOME).content.decode()
    assert f'<li class="urgent"><a href="{QUEUE}"><span class="todo-count">2</span> <strong>' in body
    assert f'<a href="{QUEUE}"><span class="todo-count">3</span> まだトリアージしていない気づき' in body
    for secret in (WHAT, PLACE):
        assert secret not in body
    # Triaged concerns are no longer "not triaged"; a concern kept an eye on turns urgent once past due.
    with scopes_disabled():
        for concern in Concern.objects.filter(urgency__in=[Urgency.LIFE, Urgency.TODAY]):
            actions.move_concern(concern, "closed", actor=alice, note="重複")
    body = client.get(HOME).content.decode()
    assert 'class="urgent"' not in body and '<span class="todo-count">1</span> まだトリアージ' in body
    with scopes_disabled():
        Concern.objects.filter(urgency=Urgency.WATCH).update(due_at=timezone.now() - datetime.timedelta(minutes=1))
    body = client.get(HOME).content.decode()
    assert f'<li class="urgent"><a href="{QUEUE}"><span class="todo-count">1</span>' in body
    # Nobody else's first page counts concerns: an organisation's staff do not triage.
    client.force_login(olga)
    body = client.get(HOME).content.decode()
    assert f'href="{QUEUE}"' not in body and "トリアージしていない" not in body and "急ぎの気づき" not in body
