"""iCalendar export: RFC 5545 escaping, folding and line ends, per event and per platform."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from tests.programs.rows import event_fields
from tsunagari.programs import actions, ical
from tsunagari.tenancy.scoping import platform_scope

pytestmark = pytest.mark.django_db


def test_text_is_escaped() -> None:
    assert ical.escape_text("a,b;c\\d\r\ne\nf") == "a\\,b\\;c\\\\d\\ne\\nf"


@pytest.mark.parametrize("text", ["x" * 200, "孤独・孤立対策" * 20, "a" + "あ" * 100, "🙂" * 40])
def test_lines_fold_at_75_octets_without_splitting_a_character(text: str) -> None:
    folded = ical.fold("SUMMARY:" + text)
    lines = folded.split("\r\n")
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)
    assert all(line.startswith(" ") for line in lines[1:])
    assert lines[0] + "".join(line[1:] for line in lines[1:]) == "SUMMARY:" + text


def unfold(body: str) -> list[str]:
    return body.replace("\r\n ", "").split("\r\n")


def test_an_event_as_icalendar(client: Client, kamakura: Any, alice: Any, olga: Any) -> None:
    with platform_scope(kamakura, with_national=False):
        event = actions.create_event(
            kamakura,
            actor=alice,
            **event_fields(
                title="研修; 第1回, 基礎編",
                description="持ち物：筆記用具\n会場は2階です。" * 5,
                online_url="https://meet.example.jp/room",
                starts_at=datetime.datetime(2026, 12, 5, 14, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=9))),
                ends_at=datetime.datetime(2026, 12, 5, 16, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=9))),
            ),
        )
    client.force_login(olga)
    response = client.get(f"/kamakura/workspace/events/{event.pk}/event.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    assert body.endswith("\r\n") and "\n" not in body.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    lines = unfold(body)
    assert lines[0] == "BEGIN:VCALENDAR" and "VERSION:2.0" in lines and lines[-2] == "END:VCALENDAR"
    assert "DTSTART:20261205T050000Z" in lines and "DTEND:20261205T073000Z" in lines
    assert "SUMMARY:研修\\; 第1回\\, 基礎編" in lines
    assert any(line.startswith("UID:event-") for line in lines)
    assert any(line.startswith("DESCRIPTION:持ち物：筆記用具\\n会場は2階です。") for line in lines)
    assert "https://meet.example.jp/room" in body.replace("\r\n ", "")  # members see the link
    assert any(line.startswith("URL:http://testserver/kamakura/workspace/events/") for line in lines)


def test_the_portal_feed_has_public_events_only_without_online_links(client: Client, kamakura: Any, alice: Any) -> None:
    with platform_scope(kamakura, with_national=False):
        actions.create_event(
            kamakura,
            actor=alice,
            **event_fields(title="公開講座", audience="public", online_url="https://meet.example.jp/x"),
        )
        actions.create_event(kamakura, actor=alice, **event_fields(title="全体会議"))
    body = client.get("/kamakura/events/calendar.ics").content.decode().replace("\r\n ", "")
    assert "SUMMARY:公開講座" in body and "全体会議" not in body and "meet.example.jp" not in body
    assert "X-WR-CALNAME:" in body


def test_a_cancelled_event_says_so_and_its_sequence_grows(client: Client, kamakura: Any, alice: Any) -> None:
    with platform_scope(kamakura, with_national=False):
        event = actions.create_event(kamakura, actor=alice, **event_fields(audience="public"))
        actions.update_event(event, actor=alice, status="cancelled")
    lines = unfold(client.get(f"/kamakura/events/{event.pk}/event.ics").content.decode())
    assert "STATUS:CANCELLED" in lines and "SEQUENCE:1" in lines
