"""Survey rows for tests: an open survey with the standard instruments, invitations and answers.

Imported by tests/surveys/conftest.py and by the permission matrix in tests/workspace.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from tsunagari.surveys import actions
from tsunagari.surveys.instruments import BY_KEY
from tsunagari.surveys.models import Response, Survey
from tsunagari.tenancy.scoping import platform_scope


def make_survey(platform: Any, actor: Any, *instruments: str, **fields: Any) -> Survey:
    values = {"title": "孤独・孤立に関する実態調査", "status": Survey.Status.OPEN, "open_link": True, **fields}
    survey = actions.create_survey(platform, actor=actor, **values)
    for key in instruments:
        actions.add_instrument(survey, BY_KEY[key], actor=actor)
    return survey


def answer(survey: Survey, answers: dict[str, Any], *, invitation: Any = None, mode: str = "web") -> Response:
    return Response.objects.create(
        platform=survey.platform,
        survey=survey,
        invitation=invitation,
        mode=mode,
        answers=answers,
        submitted_at=timezone.now(),
    )


@pytest.fixture
def survey_rows(kamakura: Any, alice: Any) -> dict[str, Any]:
    """Kamakura's open survey (direct loneliness, demographics), two invitations, one answered."""
    with platform_scope(kamakura, with_national=False):
        survey = make_survey(kamakura, alice, "direct", "demographics")
        first, second = actions.make_invitations(survey, 2, batch="第1回発送", actor=alice)
        response = answer(survey, {"loneliness_direct": "2", "age_band": "3"}, invitation=first)
        draft = make_survey(kamakura, alice, "direct", title="下書きの調査", status=Survey.Status.DRAFT)
        question = draft.questions.get(name="loneliness_direct")
        reference = actions.add_reference(kamakura, "loneliness_direct", reference_fields(), actor=alice)
    return {
        "survey": survey,
        "survey_draft": draft,
        "survey_invitation": second,
        "survey_answered_invitation": first,
        "survey_response": response,
        "survey_question": question,
        "survey_reference": reference,
    }


def reference_fields(**changes: Any) -> dict[str, Any]:
    """A published distribution for the direct loneliness question: TEST DATA, made up, not any survey's figures."""
    percents = {"1": 40.0, "2": 30.0, "3": 15.0, "4": 10.0, "5": 5.0}
    return {
        "year": 2024,
        "population": "テスト用の架空の母集団",
        "source_title": "テスト用の架空の調査（公表値ではありません）",
        "publisher": "テスト",
        "url": "https://example.jp/test-reference",
        "table": "表1（架空）",
        "n": 1000,
        "no_answer": None,
        "figures": {code: {"percent": p, "ci95": None} for code, p in percents.items()},
        **changes,
    }


def xlsform_bytes(rows: list[list[str]] | None = None, choices: list[list[str]] | None = None) -> bytes:
    """An XLSForm workbook: a survey sheet (type, name, label::ja, label::en, required, relevant,
    constraint, choice_filter) and a choices sheet (list_name, name, label::ja, label::en, region)."""
    import io

    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "survey"
    sheet.append(["type", "name", "label::ja", "label::en", "required", "relevant", "constraint", "choice_filter"])
    for row in rows or [
        ["select_one yn", "lonely", "孤独を感じますか", "Do you feel lonely?", "yes", "", "", ""],
        ["integer", "age", "年齢", "Age", "", "", ". >= 16 and . < 120", ""],
        ["text", "comment", "ご意見", "Comments", "", "${lonely} = 'y'", "", ""],
    ]:
        sheet.append(row)
    sheet_choices = workbook.create_sheet("choices")
    sheet_choices.append(["list_name", "name", "label::ja", "label::en", "region"])
    for row in choices or [["yn", "y", "はい", "Yes", ""], ["yn", "n", "いいえ", "No", ""]]:
        sheet_choices.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
