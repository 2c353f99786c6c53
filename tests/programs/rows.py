"""Event rows for tests: a members' meeting with registrations and a document, an open event, a training record.

Imported by tests/programs/conftest.py and by the permission matrix in tests/workspace.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tests.notices.rows import pdf
from tsunagari.programs import actions
from tsunagari.programs.models import Event
from tsunagari.tenancy.scoping import platform_scope


def event_fields(**overrides: Any) -> dict[str, Any]:
    """A members' meeting next week, 14:00 to 16:00 Japan time."""
    day = timezone.localdate() + datetime.timedelta(days=7)
    starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(14, 0)))
    fields: dict[str, Any] = {
        "kind": Event.Kind.MEETING,
        "title": "第3回 全体会議",
        "description": "今年度の取組の報告と意見交換。",
        "starts_at": starts,
        "ends_at": starts + datetime.timedelta(hours=2),
        "place": "鎌倉市役所 第3会議室",
        "audience": Event.Audience.MEMBERS,
        "capacity": 30,
    }
    return {**fields, **overrides}


@pytest.fixture
def program_rows(
    settings: Any, tmp_path: Path, kamakura: Any, alice: Any, olga: Any, sam: Any, root: Any
) -> dict[str, Any]:
    """A members' meeting where Alice, Olga, Sam and Root are registered, with minutes; an open forum; a record."""
    settings.MEDIA_ROOT = tmp_path / "media"
    with platform_scope(kamakura, with_national=False):
        meeting = actions.create_event(kamakura, actor=alice, **event_fields())
        registrations = {person.username: actions.register(meeting, user=person) for person in (alice, olga, sam, root)}
        document = actions.add_document(meeting, pdf("議事録.pdf"), kind="minutes", actor=alice)
        forum = actions.create_event(
            kamakura,
            actor=alice,
            **event_fields(
                kind=Event.Kind.PUBLIC_EVENT, title="孤独・孤立を考えるフォーラム", audience=Event.Audience.PUBLIC
            ),
        )
        training = actions.record_training(
            kamakura,
            actor=alice,
            attendee_name="鎌倉 花子",
            course="つながりサポーター養成講座",
            completed_on=timezone.localdate(),
        )
    return {
        "meeting": meeting,
        "forum": forum,
        "registrations": registrations,
        "document": document,
        "training": training,
    }
