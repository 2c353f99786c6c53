"""Results read from outside the platform: never below REPORTING_SMALL_CELL, whatever the survey's own threshold.

A coordinator may lower a survey's `min_cell` to 3 for the platform's own work. Observers (prefecture
and national staff) and superusers holding no role on the platform read the same pages and
downloads, but for them the threshold is max(min_cell, REPORTING_SMALL_CELL): every path is probed.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import openpyxl
import pytest
from django.test import Client
from pypdf import PdfReader

from tests.surveys.rows import answer, make_survey
from tsunagari.surveys.models import Survey
from tsunagari.tenancy.scoping import platform_scope

pytestmark = pytest.mark.django_db

# Direct loneliness, 60 answers: 1×20 (33.3%), 2×15 (25.0%), 3×12 (20.0%), 4×10 (16.7%), 5×3 (5.0%).
CODES = ["1"] * 20 + ["2"] * 15 + ["3"] * 12 + ["4"] * 10 + ["5"] * 3
FIVE, FOUR = "5.0%", "16.7%"  # option 5 (3 answers) and option 4, withheld beside it below 10


@pytest.fixture
def survey(kamakura: Any, alice: Any) -> Survey:
    """A survey whose coordinator shows counts from 3 on: option 5 (3 answers) is shown inside."""
    with platform_scope(kamakura, with_national=False):
        survey = make_survey(kamakura, alice, "direct", min_cell=3)
        for code in CODES:
            answer(survey, {"loneliness_direct": code})
    return survey


def shares(text: str) -> set[str]:
    """Every percentage written in `text` (so that 25.0% is not read as 5.0%)."""
    return set(re.findall(r"(?<![\d.])\d+\.\d%", text))


def html_shares(client: Client, survey: Survey) -> set[str]:
    response = client.get(f"/kamakura/workspace/surveys/{survey.pk}/report/")
    assert response.status_code == 200
    return {
        line["value"] for _result, charts in response.context["charts"] for _d, _c, lines in charts for line in lines
    }


def pdf_shares(client: Client, survey: Survey) -> set[str]:
    response = client.get(f"/kamakura/workspace/surveys/{survey.pk}/report.pdf")
    assert response.status_code == 200
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    return shares(text)


def xlsx_estimates(client: Client, survey: Survey) -> dict[str, Any]:
    response = client.get(f"/kamakura/workspace/surveys/{survey.pk}/report.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["結果"]
    table = list(sheet.iter_rows(min_row=4, values_only=True))
    header = list(table[0])
    rows = [dict(zip(header, row, strict=False)) for row in table[1:] if row[0] == "loneliness_direct"]
    return {row["category"]: row["estimate"] for row in rows}


def csv_estimates(client: Client, survey: Survey) -> dict[str, Any]:
    response = client.get(f"/kamakura/workspace/surveys/{survey.pk}/results.csv")
    assert response.status_code == 200
    rows = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    return {row["category"]: row["estimate"] or None for row in rows if row["question"] == "loneliness_direct"}


def json_data(client: Client, survey: Survey) -> dict[str, Any]:
    response = client.get(f"/kamakura/workspace/surveys/{survey.pk}/results.json")
    assert response.status_code == 200
    data: dict[str, Any] = json.loads(response.content)
    return data


def json_estimates(client: Client, survey: Survey) -> dict[str, Any]:
    return {r["category"]: r["estimate"] for r in json_data(client, survey)["results"]}


def test_the_coordinator_sees_the_surveys_own_threshold(client: Client, survey: Survey, alice: Any) -> None:
    client.force_login(alice)
    assert {FIVE, FOUR} <= html_shares(client, survey)
    assert {FIVE, FOUR} <= pdf_shares(client, survey)
    assert xlsx_estimates(client, survey)["5"] == pytest.approx(3 / 60)
    assert float(csv_estimates(client, survey)["5"]) == pytest.approx(3 / 60)
    assert json_estimates(client, survey)["5"] == pytest.approx(3 / 60)
    assert json_data(client, survey)["min_cell"] == 3


@pytest.mark.parametrize("reader", ["oscar", "root"])
def test_outside_the_platform_nothing_under_reporting_small_cell_is_shown(
    client: Client, survey: Survey, reader: str, request: pytest.FixtureRequest
) -> None:
    """The observer (and a superuser with no role on the platform) gets 10: option 5 and the one beside it go."""
    client.force_login(request.getfixturevalue(reader))
    for name, shown in (("html", html_shares(client, survey)), ("pdf", pdf_shares(client, survey))):
        assert FIVE not in shown and FOUR not in shown, name
        assert "33.3%" in shown, name  # the rest stays
    for name, estimates in (
        ("xlsx", xlsx_estimates(client, survey)),
        ("csv", csv_estimates(client, survey)),
        ("json", json_estimates(client, survey)),
    ):
        assert estimates["5"] is None and estimates["4"] is None, name
        assert float(estimates["1"]) == pytest.approx(20 / 60), name
    assert json_data(client, survey)["min_cell"] == 10
    body = client.get(f"/kamakura/workspace/surveys/{survey.pk}/report/").content.decode()
    assert "回答者が10人未満" in body  # the page states the threshold applied


def test_an_observer_sees_nothing_until_reporting_small_cell_answers_are_in(
    client: Client, kamakura: Any, alice: Any, oscar: Any
) -> None:
    with platform_scope(kamakura, with_national=False):
        survey = make_survey(kamakura, alice, "direct", min_cell=3)
        for code in ["1"] * 5 + ["2"] * 4:
            answer(survey, {"loneliness_direct": code})
    client.force_login(alice)
    assert json_estimates(client, survey)["1"] == pytest.approx(5 / 9)
    client.force_login(oscar)
    assert json_data(client, survey)["results"] == []
    assert xlsx_estimates(client, survey) == {}


def test_the_higher_of_the_two_thresholds_applies(
    client: Client, survey: Survey, alice: Any, oscar: Any, settings: Any
) -> None:
    settings.REPORTING_SMALL_CELL = 11  # option 4 (10 answers) is now small by itself
    client.force_login(oscar)
    assert json_data(client, survey)["min_cell"] == 11
    with platform_scope(survey.platform, with_national=False):
        Survey.objects.filter(pk=survey.pk).update(min_cell=13)  # above the reporting threshold
    assert json_data(client, survey)["min_cell"] == 13
    estimates = json_estimates(client, survey)
    assert estimates["3"] is None and estimates["2"] is not None  # 12 answers < 13
