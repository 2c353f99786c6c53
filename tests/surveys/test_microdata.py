"""The anonymised answers (answers.csv): no free text, ages in bands, small areas merged."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client

from tests.surveys.rows import answer, make_survey
from tsunagari.surveys import actions
from tsunagari.surveys.instruments import Instrument, Item
from tsunagari.surveys.models import Survey
from tsunagari.tenancy.scoping import platform_scope

pytestmark = pytest.mark.django_db

SECRET = "三丁目の角の家に住む佐藤です"


@pytest.fixture
def survey(kamakura: Any, alice: Any) -> Survey:
    """30 answers: an exact age, area 1 ×20, area 2 ×8, area 3 ×2 (both below 10), a free-text note."""
    with platform_scope(kamakura, with_national=False):
        survey = make_survey(kamakura, alice, "direct", "demographics")
        custom = Instrument(
            key="custom",
            title="",
            source="",
            items=(
                Item(name="age", kind="integer", label_ja="年齢（満）", label_en="Age"),
                Item(name="members", kind="integer", label_ja="同居している人数", label_en="People at home"),
                Item(name="note", kind="text", label_ja="ご意見", label_en="Comments"),
            ),
            lists={},
        )
        actions.add_question(survey, custom, page=1, actor=alice)
        areas = ["1"] * 20 + ["2"] * 8 + ["3"] * 2
        for i, area in enumerate(areas):
            answers = {
                "loneliness_direct": "2",
                "age": 17 + 2 * i,
                "members": 1 + i % 4,
                "area": area,
                "note": f"{SECRET}{i}",
            }
            answer(survey, answers)
    return survey


def test_the_anonymised_answers_coarsen_quasi_identifiers(client: Client, survey: Survey, alice: Any) -> None:
    client.force_login(alice)
    response = client.get(f"/kamakura/workspace/surveys/{survey.pk}/answers.csv")
    text = response.content.decode("utf-8-sig")
    assert SECRET not in text and "note" not in text.splitlines()[0]
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 30
    ages = {row["age"] for row in rows}
    # 17, 19, …, 75: bands only, never an exact age.
    assert ages == {"<20", "20-29", "30-39", "40-49", "50-59", "60-69", "70-79"}
    areas = [row["area"] for row in rows]
    assert sorted(set(areas)) == ["1", "other"]  # 8 and 2 respondents: below min_cell (10), merged
    assert areas.count("1") == 20 and areas.count("other") == 10
    assert {row["members"] for row in rows} == {"1", "2", "3", "4"}  # not an age: as answered


def test_areas_at_the_threshold_stay(client: Client, survey: Survey, alice: Any) -> None:
    with platform_scope(survey.platform, with_national=False):
        actions.change_survey(survey, actor=alice, min_cell=8)
    client.force_login(alice)
    text = client.get(f"/kamakura/workspace/surveys/{survey.pk}/answers.csv").content.decode("utf-8-sig")
    assert sorted({row["area"] for row in csv.DictReader(io.StringIO(text))}) == ["1", "2", "other"]
