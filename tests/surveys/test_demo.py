"""The demo survey `seed-demo` gives 鎌倉市: fictional but deterministic answers, a weighted report."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from django.test import Client

from tsunagari.surveys import demo
from tsunagari.surveys.models import Response, Survey
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db


def test_the_fictional_answers_are_the_same_every_time() -> None:
    first = demo.fictional_answers(random.Random(demo.SEED))
    assert first == demo.fictional_answers(random.Random(demo.SEED))
    assert 300 <= len(first) <= 500
    # Older people answer more often than their share of the population (what weighting corrects).
    older = sum(a["age_band"] in {"6", "7", "8"} for a in first) / len(first)
    population_older = sum(v for (_s, age), v in demo.POPULATION.items() if age in {"6", "7", "8"}) / sum(
        demo.POPULATION.values()
    )
    assert older > population_older + 0.05


def test_the_demo_survey_is_made_once_and_its_report_shows_weighted_results(
    client: Client, kamakura: Any, alice: Any
) -> None:
    with scopes_disabled():
        survey = demo.seed_survey(kamakura, actor=alice)
        assert demo.seed_survey(kamakura, actor=alice).pk == survey.pk
        assert Survey.objects.filter(platform=kamakura).count() == 1
        responses = Response.objects.filter(survey=survey, submitted_at__isnull=False)
        assert responses.count() == len(demo.fictional_answers(random.Random(demo.SEED)))
        assert survey.invitations.count() == demo.LETTERS
    assert survey.status == Survey.Status.CLOSED and survey.weighting == "poststratified"
    client.force_login(alice)
    base = f"/kamakura/workspace/surveys/{survey.pk}/"
    page = client.get(base + "report/?by=area").content.decode()
    assert "性別×年齢階級の人口による事後層化で重み付け" in page
    assert "鎌倉地域" in page and "玉縄地域" in page
    data = json.loads(client.get(base + "results.json").content)
    assert data["weighting"]["method"] == "poststratified" and data["weighting"]["problem"] is None
    assert data["weighting"]["excluded_respondents"] > 0  # sex unanswered or 「その他」
    rows = {(r["question"], r["category"]): r for r in data["results"] if r["domain"] is None}
    often = rows["loneliness_direct", "5"]
    assert often["estimate"] is not None and 0 < often["ci95_low"] < often["estimate"] < often["ci95_high"] < 0.2
    assert ("ucla3_band", "10～12点（常にある）") in rows
