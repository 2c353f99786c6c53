"""`seed-demo` gives both demo platforms notices, a working group, events, a training record and know-how."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from tsunagari.accounts.models import User
from tsunagari.knowhow.models import Entry
from tsunagari.notices.models import Notice, WorkingGroup
from tsunagari.programs.models import Event, TrainingRecord
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db


def test_seeding_twice_gives_one_set_of_demo_notices_events_and_knowhow(client: Client, areas: None) -> None:
    for _ in range(2):
        call_command("seed_demo", stdout=StringIO())
    with scopes_disabled():
        for slug in ("kamakura", "kyoto-city"):
            assert WorkingGroup.objects.filter(platform__slug=slug).count() == 1
            assert Notice.objects.filter(platform__slug=slug).count() == 3
            events = Event.objects.filter(platform__slug=slug)
            assert sorted(events.values_list("audience", flat=True)) == ["members", "public", "public"]
            # The staff member who came to the course and the manual record; the resident who came has none.
            assert TrainingRecord.objects.filter(platform__slug=slug).count() == 2
            assert not TrainingRecord.objects.filter(platform__slug=slug, registration__user__isnull=True).exclude(
                registration=None
            )
            assert sorted(Entry.objects.filter(platform__slug=slug).values_list("scope", flat=True)) == [
                "internal",
                "shared_all_platforms",
            ]
            assert all("（デモ）" in title for title in events.values_list("title", flat=True))
    # Residents see the coming forum on the portal's home page; members meetings stay inside.
    home = client.get("/kamakura/").content.decode()
    assert "（デモ）孤独・孤立を考えるフォーラム" in home and "全体会議" not in home
    # Kamakura's people read Kyoto's shared note, not its internal case study.
    client.force_login(User.objects.get(username="kamakura-org-staff"))
    library = client.get("/kamakura/workspace/knowhow/").content.decode()
    assert "（デモ）つながりサポーター養成講座を大学と共催した" in library
    assert "（デモ）こども食堂と企業の連携で食材を安定させた" not in library
