"""The report's sampling-error table (標本誤差早見表), read back from the HTML, the PDF and the Excel file."""

from __future__ import annotations

import io
import math
from typing import Any

import openpyxl
import pytest
from django.test import Client
from pypdf import PdfReader

from tests.surveys.rows import answer, make_survey
from tsunagari.surveys.models import Survey
from tsunagari.tenancy.scoping import platform_scope

pytestmark = pytest.mark.django_db

Z = 1.959963984540054
POPULATION = 20000


def margin(n: int, p: float) -> float:
    """The textbook ± margin in percentage points, simple random sampling from POPULATION."""
    return 100 * Z * math.sqrt((POPULATION - n) / (POPULATION - 1) * p * (1 - p) / n)


@pytest.fixture
def survey(kamakura: Any, alice: Any) -> Survey:
    """60 answers to the direct question, from a population of 20,000."""
    with platform_scope(kamakura, with_national=False):
        survey = make_survey(kamakura, alice, "direct", population=POPULATION)
        for i in range(60):
            answer(survey, {"loneliness_direct": str(1 + i % 5)})
    return survey


def test_the_html_report_prints_the_sampling_error_table(client: Client, survey: Survey, alice: Any) -> None:
    client.force_login(alice)
    response = client.get(f"/kamakura/workspace/surveys/{survey.pk}/report/")
    body = response.content.decode()
    assert "標本誤差早見表" in body
    note, header, rows = response.context["sampling"]
    assert header[1:] == ["5%（95%）", "10%（90%）", "20%（80%）", "30%（70%）", "40%（60%）", "50%（50%）"]
    assert [row[0] for row in rows] == ["60", "50"]  # the respondents, then the smaller usual bases
    assert rows[0][-1] == f"±{margin(60, 0.5):.1f}" == "±12.6"
    assert rows[1][1] == f"±{margin(50, 0.05):.1f}"
    assert "20,000" in note  # the finite population correction is stated
    assert f"<td>±{margin(60, 0.5):.1f}</td>" in body


def test_the_pdf_prints_the_sampling_error_table(client: Client, survey: Survey, alice: Any) -> None:
    client.force_login(alice)
    content = client.get(f"/kamakura/workspace/surveys/{survey.pk}/report.pdf").content
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "標本誤差早見表" in text
    for n in (60, 50):
        for p in (0.05, 0.5):
            assert f"{margin(n, p):.1f}" in text, (n, p)


def test_the_workbook_has_a_sampling_error_sheet(client: Client, survey: Survey, alice: Any) -> None:
    client.force_login(alice)
    content = client.get(f"/kamakura/workspace/surveys/{survey.pk}/report.xlsx").content
    sheet = openpyxl.load_workbook(io.BytesIO(content))["標本誤差早見表"]
    table = list(sheet.iter_rows(min_row=4, values_only=True))
    assert [row[0] for row in table] == [60, 50]
    for row in table:
        n = int(row[0])  # type: ignore[arg-type]
        assert row[1:] == pytest.approx([round(margin(n, p), 1) for p in (0.05, 0.1, 0.2, 0.3, 0.4, 0.5)])


def test_the_table_waits_for_the_threshold(client: Client, kamakura: Any, alice: Any) -> None:
    with platform_scope(kamakura, with_national=False):
        survey = make_survey(kamakura, alice, "direct")
        for i in range(9):
            answer(survey, {"loneliness_direct": str(1 + i % 5)})
    client.force_login(alice)
    assert client.get(f"/kamakura/workspace/surveys/{survey.pk}/report/").context["sampling"] is None
    content = client.get(f"/kamakura/workspace/surveys/{survey.pk}/report.xlsx").content
    assert "標本誤差早見表" not in openpyxl.load_workbook(io.BytesIO(content)).sheetnames
