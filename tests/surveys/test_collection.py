"""The respondent's questionnaire: invitations and the open link, pages, save and resume, one response per code."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.surveys.rows import make_survey
from tsunagari.surveys import actions
from tsunagari.surveys.models import Response, Survey
from tsunagari.tenancy.scoping import platform_scope, scopes_disabled

pytestmark = pytest.mark.django_db


@pytest.fixture
def carer_survey(kamakura: Any, alice: Any) -> Survey:
    """Young-carer items (page 1) then demographics (page 2); the follow-ups only for carers."""
    with platform_scope(kamakura, with_national=False):
        return make_survey(kamakura, alice, "young_carer", "demographics", title="ヤングケアラー調査")


def invite(survey: Survey, alice: Any) -> str:
    with platform_scope(survey.platform, with_national=False):
        return actions.make_invitations(survey, 1, batch="", actor=alice)[0].token


def stored(survey: Survey) -> list[Response]:
    with scopes_disabled():
        return list(Response.objects.filter(survey=survey).order_by("pk"))


def test_a_respondent_answers_by_invitation_page_by_page(client: Client, carer_survey: Survey, alice: Any) -> None:
    url = f"/kamakura/surveys/t/{invite(carer_survey, alice)}/"
    first = client.get(url)
    assert first.status_code == 200
    assert "家族の中にあなたがお世話をしている人はいますか。" in first.content.decode()
    assert "private" in first["Cache-Control"] and "no-store" in first["Cache-Control"]
    assert stored(carer_survey) == []  # a GET (a mail filter) starts nothing
    # The follow-ups ask only carers: a non-carer goes on to the demographics (page 3).
    assert "お世話を必要としている人は誰ですか" not in first.content.decode()
    response = client.post(url, {"page": "1", "action": "next", "carer": "2", "cared_for": ["1"]})
    assert response.status_code == 302
    assert response["Location"] == f"{url}?page=3"
    page3 = client.get(response["Location"]).content.decode()
    assert "あなたの年齢を教えてください。" in page3
    done = client.post(url, {"page": "3", "action": "submit", "age_band": "2", "sex": "2"})
    assert done.status_code == 200
    assert "回答を送信しました" in done.content.decode()
    (saved,) = stored(carer_survey)
    assert saved.answers == {"carer": "2", "age_band": "2", "sex": "2"}
    assert saved.is_submitted


def test_the_link_of_an_answered_invitation_shows_nothing_of_the_answers(
    client: Client, carer_survey: Survey, alice: Any
) -> None:
    url = f"/kamakura/surveys/t/{invite(carer_survey, alice)}/"
    assert client.post(url, {"page": "1", "action": "next", "carer": "1"})["Location"] == f"{url}?page=2"
    assert "お世話を必要としている人は誰ですか" in client.get(f"{url}?page=2").content.decode()
    client.post(url, {"page": "2", "action": "next", "cared_for": ["2"], "care_kind": ["7"]})
    client.post(url, {"page": "3", "action": "submit", "age_band": "1"})
    other = Client()  # someone else holding the letter
    body = other.get(url).content.decode()
    assert "すでに回答済み" in body
    assert "祖父母" not in body and "見守り" not in body
    # Posting again changes nothing: one response per invitation.
    other.post(url, {"page": "1", "action": "next", "carer": "2"})
    (saved,) = stored(carer_survey)
    assert saved.answers["carer"] == "1"


def test_required_and_options_are_checked_with_a_message(client: Client, carer_survey: Survey, alice: Any) -> None:
    url = f"/kamakura/surveys/t/{invite(carer_survey, alice)}/"
    missing = client.post(url, {"page": "1", "action": "next"})
    assert missing.status_code == 400
    body = missing.content.decode()
    assert "この質問に答えてください。" in body
    assert 'role="alert"' in body
    forged = client.post(url, {"page": "1", "action": "next", "carer": "9"})
    assert "「9」は選択肢にありません。" in forged.content.decode()


def test_save_and_resume_by_the_open_link(client: Client, carer_survey: Survey) -> None:
    start = client.post(f"/kamakura/surveys/o/{carer_survey.public_key}/")
    assert start.status_code == 302
    resume_url = start["Location"]
    assert resume_url.startswith("/kamakura/surveys/r/")
    client.post(resume_url, {"page": "1", "action": "next", "carer": "1"})
    saved = client.post(resume_url, {"page": "2", "action": "save", "care_kind": ["1", "6"]})
    assert saved.status_code == 200
    assert resume_url in saved.content.decode()
    # Later, on another device: the same link brings the answers back, on the page left.
    later = Client().get(resume_url).content.decode()
    assert 'value="6" checked' in later
    (response,) = stored(carer_survey)
    assert response.answers == {"carer": "1", "care_kind": ["1", "6"]}
    assert response.resume_hash and response.resume_hash not in resume_url  # only its hash is stored


def test_a_made_up_resume_code_or_token_is_404(client: Client, carer_survey: Survey) -> None:
    assert client.get("/kamakura/surveys/r/not-a-code/").status_code == 404
    assert client.get("/kamakura/surveys/t/not-a-token/").status_code == 404


def test_another_platforms_invitation_is_404_here(
    client: Client, carer_survey: Survey, alice: Any, tottori: Any
) -> None:
    token = invite(carer_survey, alice)
    assert client.get(f"/tottori-pref/surveys/t/{token}/").status_code == 404
    assert client.post(f"/tottori-pref/surveys/o/{carer_survey.public_key}/").status_code == 404
    assert stored(carer_survey) == []


def test_draft_surveys_do_not_exist_and_closed_ones_take_no_answers(
    client: Client, carer_survey: Survey, alice: Any
) -> None:
    token = invite(carer_survey, alice)
    with platform_scope(carer_survey.platform, with_national=False):
        actions.change_survey(carer_survey, actor=alice, status=Survey.Status.DRAFT)
    assert client.get(f"/kamakura/surveys/t/{token}/").status_code == 404
    assert client.get(f"/kamakura/surveys/o/{carer_survey.public_key}/").status_code == 404
    with platform_scope(carer_survey.platform, with_national=False):
        actions.change_survey(carer_survey, actor=alice, status=Survey.Status.CLOSED)
    response = client.post(f"/kamakura/surveys/t/{token}/", {"page": "1", "carer": "2"})
    assert "回答を受け付けていません" in response.content.decode()
    assert stored(carer_survey) == []


def test_the_open_link_works_only_when_the_survey_allows_it(client: Client, carer_survey: Survey, alice: Any) -> None:
    with platform_scope(carer_survey.platform, with_national=False):
        actions.change_survey(carer_survey, actor=alice, open_link=False)
    assert client.post(f"/kamakura/surveys/o/{carer_survey.public_key}/").status_code == 404


def test_the_code_typed_in_leads_to_the_questionnaire(client: Client, carer_survey: Survey, alice: Any) -> None:
    token = invite(carer_survey, alice)
    assert client.post("/kamakura/surveys/", {"code": f" {token} "})["Location"] == f"/kamakura/surveys/t/{token}/"
    wrong = client.post("/kamakura/surveys/", {"code": "wrong"})
    assert wrong.status_code == 400
    assert "見つかりません" in wrong.content.decode()


def test_starting_and_answering_are_rate_limited(
    client: Client, carer_survey: Survey, settings: Any, database_cache: None
) -> None:
    settings.SURVEY_START_RATE = "2/h"
    url = f"/kamakura/surveys/o/{carer_survey.public_key}/"
    assert [client.post(url).status_code for _i in range(3)] == [302, 302, 429]
    assert len(stored(carer_survey)) == 2
    settings.SURVEY_CODE_RATE = "1/h"
    assert [client.post("/kamakura/surveys/", {"code": "x"}).status_code for _i in range(2)] == [400, 429]


def test_follow_up_questions_come_on_the_next_page_only_when_they_apply(
    client: Client, kamakura: Any, alice: Any
) -> None:
    """The hikikomori items: how long and why are asked only when the outing answer is 5–8."""
    with platform_scope(kamakura, with_national=False):
        survey = make_survey(kamakura, alice, "hikikomori")
    url = f"/kamakura/surveys/t/{invite(survey, alice)}/"
    assert "現在の状態になってから" not in client.get(url).content.decode()
    assert client.post(url, {"page": "1", "action": "next", "outing": "7"})["Location"] == f"{url}?page=2"
    assert "現在の状態になってから" in client.get(f"{url}?page=2").content.decode()
    done = client.post(url, {"page": "2", "action": "submit", "outing_duration": "3"})
    assert "回答を送信しました" in done.content.decode()
    # Someone who goes out every day is done after the first page.
    other = f"/kamakura/surveys/t/{invite(survey, alice)}/"
    assert (
        "回答を送信しました" in Client().post(other, {"page": "1", "action": "submit", "outing": "1"}).content.decode()
    )
    assert [r.answers for r in stored(survey)] == [{"outing": "7", "outing_duration": "3"}, {"outing": "1"}]


def test_a_web_answer_replaced_by_paper_meanwhile_is_not_overwritten(
    client: Client, carer_survey: Survey, alice: Any
) -> None:
    token = invite(carer_survey, alice)
    url = f"/kamakura/surveys/t/{token}/"
    client.post(url, {"page": "1", "action": "next", "carer": "2"})
    with platform_scope(carer_survey.platform, with_national=False):
        actions.enter_paper(carer_survey, {"carer": "1"}, token=token, actor=alice)
    # The resident, still on page 3 in the browser, sends it.
    response = client.post(url, {"page": "3", "action": "submit", "age_band": "1"})
    assert "すでに回答済み" in response.content.decode()
    (only,) = stored(carer_survey)
    assert only.mode == "paper" and only.answers == {"carer": "1"}


def test_two_tabs_cannot_submit_twice(client: Client, carer_survey: Survey, alice: Any) -> None:
    url = f"/kamakura/surveys/t/{invite(carer_survey, alice)}/"
    client.post(url, {"page": "1", "action": "next", "carer": "2"})
    assert "回答を送信しました" in client.post(url, {"page": "3", "action": "submit", "age_band": "1"}).content.decode()
    client.post(url, {"page": "3", "action": "submit", "age_band": "5"})
    (only,) = stored(carer_survey)
    assert only.answers["age_band"] == "1"


def test_the_button_says_next_while_a_follow_up_may_come(client: Client, kamakura: Any, alice: Any) -> None:
    with platform_scope(kamakura, with_national=False):
        survey = make_survey(kamakura, alice, "hikikomori")
    url = f"/kamakura/surveys/t/{invite(survey, alice)}/"
    first = client.get(url).content.decode()
    assert 'value="next"' in first and 'value="submit"' not in first
    client.post(url, {"page": "1", "action": "next", "outing": "8"})
    assert 'value="submit"' in client.get(f"{url}?page=2").content.decode()
