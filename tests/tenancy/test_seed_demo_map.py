"""`seed-demo` puts the demo platforms' published listings on their maps (the open data has no coordinates)."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from tsunagari.search.index import reindex_services

pytestmark = pytest.mark.django_db


def test_the_demo_maps_show_the_published_demo_listings(client: Client, areas: None) -> None:
    for _ in range(2):  # seeding twice adds no second marker
        call_command("seed_demo", stdout=StringIO())
    reindex_services()  # the test's transaction never commits, so the signals' reindex never runs
    names: dict[str, list[Any]] = {}
    for slug in ("kamakura", "kyoto-city"):
        features = client.get(f"/{slug}/map.json").json()["features"]
        names[slug] = sorted(feature["properties"]["name"] for feature in features)
    assert names["kamakura"] == ["（デモ）ひきこもり家族の会", "（デモ）鎌倉 居場所カフェ"]
    assert names["kyoto-city"] == ["（デモ）京都 こども食堂ネットワーク"]
