"""Paper answers: keyed in or imported from CSV/Excel, checked like the web form, merged with it, duplicates caught."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.surveys.rows import answer, make_survey
from tsunagari.surveys import actions
from tsunagari.surveys.models import Response, Survey
from tsunagari.tenancy.scoping import platform_scope, scopes_disabled

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(kamakura: Any, alice: Any) -> Survey:
    with platform_scope(kamakura, with_national=False):
        return make_survey(kamakura, alice, "direct", "isolation", "young_carer")


@pytest.fixture
def tokens(survey: Survey, alice: Any) -> list[str]:
    with platform_scope(survey.platform, with_national=False):
        return [i.token for i in actions.make_invitations(survey, 3, batch="第1回", actor=alice)]


def count(survey: Survey) -> int:
    with scopes_disabled():
        return Response.objects.filter(survey=survey, submitted_at__isnull=False).count()


def upload(name: str, body: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body)


def test_a_paper_questionnaire_keyed_in_is_checked_and_saved(
    client: Client, alice: Any, survey: Survey, tokens: list[str]
) -> None:
    client.force_login(alice)
    url = f"/kamakura/workspace/surveys/{survey.pk}/entry/"
    bad = client.post(url, {"token": tokens[0], "q_loneliness_direct": "", "q_carer": "1", "q_care_hours": "9"})
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "この質問に答えてください。" in body  # loneliness_direct is required
    assert count(survey) == 0
    good = {
        "token": tokens[0],
        "q_loneliness_direct": "4",
        "q_carer": "1",
        "q_care_kind": ["1", "6"],
        "q_participation": ["5"],
    }
    assert client.post(url, good).status_code == 302
    with scopes_disabled():
        (saved,) = Response.objects.filter(survey=survey)
    assert saved.mode == "paper" and saved.invitation.token == tokens[0]
    assert saved.answers == {"loneliness_direct": "4", "participation": ["5"], "carer": "1", "care_kind": ["1", "6"]}
    # The same code again (a second copy of the questionnaire): refused.
    again = client.post(url, good)
    assert again.status_code == 400
    assert f"招待コード「{tokens[0]}」にはすでに回答があります（紙）。" in again.content.decode()
    assert count(survey) == 1


def test_a_constraint_is_checked_on_paper_too(client: Client, alice: Any, survey: Survey) -> None:
    client.force_login(alice)
    response = client.post(
        f"/kamakura/workspace/surveys/{survey.pk}/entry/",
        {"q_loneliness_direct": "1", "q_carer": "2", "q_participation": ["1", "5"]},
    )
    assert "「特に参加していない」は他の選択肢と一緒に選べません。" in response.content.decode()
    assert count(survey) == 0


def test_web_and_paper_answers_of_one_letter_are_one_response(
    client: Client, alice: Any, survey: Survey, tokens: list[str]
) -> None:
    # The resident starts on the web, stops, then mails the paper questionnaire: paper wins.
    Client().post(f"/kamakura/surveys/t/{tokens[1]}/", {"page": "1", "action": "save", "loneliness_direct": "2"})
    with platform_scope(survey.platform, with_national=False):
        actions.enter_paper(survey, {"loneliness_direct": "5"}, token=tokens[1], actor=alice)
        (only,) = Response.objects.filter(invitation__token=tokens[1])
    assert only.mode == "paper" and only.answers == {"loneliness_direct": "5"}
    # And then the web link says it is answered.
    assert "すでに回答済み" in Client().get(f"/kamakura/surveys/t/{tokens[1]}/").content.decode()


CSV_OK = "token,loneliness_direct,carer,care_kind,participation,contact_in_person\n{t0},3,1,1 6,5,2\n,4,2,,1 2,\n"


def test_a_csv_import_saves_every_row(client: Client, alice: Any, survey: Survey, tokens: list[str]) -> None:
    client.force_login(alice)
    body = CSV_OK.format(t0=tokens[0]).encode("utf-8-sig")
    response = client.post(f"/kamakura/workspace/surveys/{survey.pk}/import/", {"file": upload("answers.csv", body)})
    assert response.status_code == 302
    with scopes_disabled():
        rows = list(Response.objects.filter(survey=survey).order_by("pk").values_list("answers", "mode"))
    assert rows == [
        (
            {
                "loneliness_direct": "3",
                "contact_in_person": "2",
                "participation": ["5"],
                "carer": "1",
                "care_kind": ["1", "6"],
            },
            "paper",
        ),
        ({"loneliness_direct": "4", "participation": ["1", "2"], "carer": "2"}, "paper"),
    ]


def test_an_import_with_any_bad_row_saves_nothing_and_names_each_problem(
    client: Client, alice: Any, survey: Survey, tokens: list[str]
) -> None:
    with platform_scope(survey.platform, with_national=False):
        invitation = survey.invitations.get(token=tokens[2])
        answer(survey, {"loneliness_direct": "1"}, invitation=invitation)  # answered on the web
    client.force_login(alice)
    body = (
        "token,loneliness_direct,carer,care_hours\n"
        f"{tokens[0]},3,2,\n"  # fine
        f"{tokens[0]},2,2,\n"  # the same letter twice
        f"{tokens[2]},2,2,\n"  # answered on the web already
        "nosuchcode,2,2,\n"
        ",7,2,\n"  # not an option
        ",,1,5\n"  # required missing, care_hours option 5 does not exist
    ).encode("cp932")  # Shift_JIS, as Excel saves CSV on Japanese Windows
    response = client.post(f"/kamakura/workspace/surveys/{survey.pk}/import/", {"file": upload("answers.csv", body)})
    assert response.status_code == 400
    text = response.content.decode()
    for message in (
        f"3行目：招待コード「{tokens[0]}」は2行目と重複しています。",
        f"4行目：招待コード「{tokens[2]}」にはすでに回答があります。",
        "5行目：この調査に招待コード「nosuchcode」はありません。",
        "6行目「loneliness_direct」：「7」は選択肢にありません。",
        "7行目「loneliness_direct」：この質問に答えてください。",
        "7行目「care_hours」：「5」は選択肢にありません。",
    ):
        assert message in text
    assert count(survey) == 1  # only the web answer


def test_an_excel_import_and_unknown_columns(client: Client, alice: Any, survey: Survey) -> None:
    client.force_login(alice)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["loneliness_direct", "carer"])
    sheet.append([3, 2])  # numbers, as Excel stores them
    sheet.append([5, 2])
    buffer = io.BytesIO()
    workbook.save(buffer)
    url = f"/kamakura/workspace/surveys/{survey.pk}/import/"
    assert client.post(url, {"file": upload("answers.xlsx", buffer.getvalue())}).status_code == 302
    assert count(survey) == 2
    wrong = client.post(url, {"file": upload("answers.csv", "loneliness_direct,name\n3,山田\n".encode())})
    assert "列「name」はこの調査の質問にありません。" in wrong.content.decode()
    odd = client.post(url, {"file": upload("answers.xls", b"\xd0\xcf\x11\xe0")})
    assert "CSVファイル（.csv）またはExcelブック（.xlsx）をアップロードしてください。" in odd.content.decode()
    assert count(survey) == 2
