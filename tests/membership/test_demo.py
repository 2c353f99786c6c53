"""`seed-demo` gives both demo platforms members, an agreement, and something in every membership queue."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from tsunagari.accounts.models import User
from tsunagari.membership.models import Agreement, ListingChange, MemberOrganisation, ProblemReport
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db


def test_seeding_twice_gives_one_set_of_demo_members(client: Client, areas: None) -> None:
    for _ in range(2):
        call_command("seed_demo", stdout=StringIO())
    with scopes_disabled():
        for slug in ("kamakura", "kyoto-city"):
            members = MemberOrganisation.objects.filter(platform__slug=slug)
            assert members.approved().count() == 2
            assert members.applications().count() == 1
            assert all("（デモ）" in m.name for m in members)
            assert Agreement.objects.filter(platform__slug=slug).count() == 1
            (change,) = ListingChange.objects.filter(platform__slug=slug, status=ListingChange.Status.PENDING)
            assert change.author is not None and change.author.username.endswith("-org-admin")
            assert ProblemReport.objects.filter(platform__slug=slug, status=ProblemReport.Status.OPEN).count() == 1
    # The coordinator's queues are not empty, and the public list shows the demo members.
    assert "（デモ）" in client.get("/kamakura/members/").content.decode()
    client.force_login(User.objects.get(username="kamakura-coordinator"))
    page: Any = client.get("/kamakura/workspace/listings/")
    assert len(page.context["pending"]) == 1
