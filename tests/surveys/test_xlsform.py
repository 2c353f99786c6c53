"""Questionnaires from XLSForm (pyxform) and from the library of standard instruments."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client

from tests.surveys.rows import make_survey, xlsform_bytes
from tsunagari.surveys import actions, xlsform
from tsunagari.surveys.instruments import INSTRUMENTS, hikikomori_class, ucla_band, ucla_score
from tsunagari.surveys.models import Question
from tsunagari.surveys.questionnaire import Questionnaire
from tsunagari.tenancy.scoping import platform_scope

pytestmark = pytest.mark.django_db


def read(data: bytes, name: str = "form.xlsx") -> Any:
    return xlsform.read(io.BytesIO(data), name)


def test_it_reads_types_labels_rules_and_groups_as_pages(kamakura: Any, alice: Any) -> None:
    rows = [
        ["begin group", "p1", "基本", "Basics", "", "", "", ""],
        ["select_one pref", "pref", "都道府県", "Prefecture", "yes", "", "", ""],
        ["select_one city", "city", "市町村", "City", "", "", "", "region=${pref}"],
        ["end group", "", "", "", "", "", "", ""],
        ["select_multiple act", "act", "参加している活動", "Activities", "", "", "", ""],
        ["integer", "age", "年齢", "Age", "yes", "", ". >= 16 and . < 120", ""],
        ["text", "other", "その他", "Other", "", "selected(${act}, 'x')", "", ""],
        ["note", "thanks", "ありがとうございました", "Thank you", "", "", "", ""],
    ]
    choices = [
        ["pref", "kanagawa", "神奈川県", "Kanagawa", ""],
        ["pref", "tottori", "鳥取県", "Tottori", ""],
        ["city", "kamakura", "鎌倉市", "Kamakura", "kanagawa"],
        ["city", "yonago", "米子市", "Yonago", "tottori"],
        ["act", "v", "ボランティア", "Volunteering", ""],
        ["act", "x", "その他", "Other", ""],
    ]
    form = read(xlsform_bytes(rows, choices))
    kinds = {item.name: item.kind for item in form.items}
    assert kinds == {
        "pref": "single",
        "city": "single",
        "act": "multiple",
        "age": "integer",
        "other": "text",
        "thanks": "note",
    }
    with platform_scope(kamakura, with_national=False):
        survey = make_survey(kamakura, alice, status="draft")
        actions.import_xlsform(survey, form, actor=alice)
        questionnaire = Questionnaire.load(survey)
        by_name = {q.name: q for q in questionnaire.questions}
        assert by_name["pref"].label_en == "Prefecture" and by_name["pref"].required
        # The group is page 1; city depends on pref, so it moves to the page after it.
        assert [by_name[n].page for n in ("pref", "city", "act", "age")] == [1, 2, 3, 3]
        city = by_name["city"]
        assert [c.value for c in questionnaire.options(city, {"pref": "tottori"})] == ["yonago"]
        assert questionnaire.clean(city, "kamakura", {"pref": "tottori"})[1] == "「kamakura」は選択肢にありません。"
        age = by_name["age"]
        assert questionnaire.clean(age, "１５", {})[1] == "この回答はここでは受け付けられません。確認してください。"
        assert questionnaire.clean(age, "４２", {}) == (42, None)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["date", "d", "日付", "Date", "", "", "", ""]], "型「date」には対応していません"),
        ([["geopoint", "g", "場所", "Place", "", "", "", ""]], "型「geopoint」には対応していません"),
        (
            [
                ["integer", "n", "人数", "People", "", "", ". > ${m} + 1", ""],
                ["integer", "m", "m", "m", "", "", "", ""],
            ],
            "質問「n」のconstraint「. > ${m} + 1」：「+」はここでは使えません。",
        ),
        (
            [
                ["integer", "n", "人数", "People", "", "count-selected(${m}) > 0", "", ""],
                ["select_multiple yn", "m", "m", "m", "", "", "", ""],
            ],
            "質問「n」のrelevant「count-selected(${m}) > 0」：関数「count-selected()」には対応していません。",
        ),
        (
            [["integer", "n", "人数", "People", "", "${nope} = '1'", "", ""]],
            "surveyシートの2行目が ${nope} を参照していますが、その名前の質問はありません。",
        ),
        ([["integer", "n", "", "People", "", "", "", ""]], "質問「n」に日本語のラベル（label::ja）がありません。"),
        ([["select_one nolist", "s", "選択", "Pick", "", "", "", ""]], "XLSFormに誤りがあります"),
    ],
)
def test_it_refuses_what_it_cannot_honour_with_a_japanese_message(rows: list[list[str]], message: str) -> None:
    with pytest.raises(xlsform.XLSFormError) as error:
        read(xlsform_bytes(rows))
    assert message in str(error.value)


def test_it_refuses_files_that_are_not_workbooks() -> None:
    with pytest.raises(xlsform.XLSFormError, match=r"Excelブック（\.xlsx）"):
        read(b"type,name\n", "form.csv")
    with pytest.raises(xlsform.XLSFormError, match="XLSFormのブックとして読み込めません"):
        read(b"PK\x03\x04 not really a zip")


def test_the_import_page_shows_the_error_and_changes_nothing(client: Client, kamakura: Any, alice: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    with platform_scope(kamakura, with_national=False):
        survey = make_survey(kamakura, alice, "direct", status="draft")
    client.force_login(alice)
    bad = SimpleUploadedFile("form.xlsx", xlsform_bytes([["integer", "n", "人数", "", "", "today() > 1", "", ""]]))
    response = client.post(f"/kamakura/workspace/surveys/{survey.pk}/xlsform/", {"file": bad})
    assert response.status_code == 400
    assert "関数「today()」には対応していません。" in response.content.decode()
    with platform_scope(kamakura, with_national=False):
        assert list(survey.questions.values_list("name", flat=True)) == ["loneliness_direct"]


def test_every_standard_instrument_can_be_inserted_and_its_rules_compile(kamakura: Any, alice: Any) -> None:
    with platform_scope(kamakura, with_national=False):
        survey = make_survey(kamakura, alice, *(i.key for i in INSTRUMENTS), status="draft")
        questionnaire = Questionnaire.load(survey)
        direct = next(q for q in questionnaire.questions if q.name == "loneliness_direct")
        assert direct.label_ja == "あなたはどの程度、孤独であると感じることがありますか。"
        assert [c.label_ja for c in questionnaire.options(direct)] == [
            "決してない",
            "ほとんどない",
            "たまにある",
            "時々ある",
            "しばしばある・常にある",
        ]
        ucla = [q for q in questionnaire.questions if q.instrument == "ucla3"]
        assert len(ucla) == 3 and all(len(questionnaire.options(q)) == 4 for q in ucla)
        assert survey.questions.filter(kind=Question.Kind.TEXT).count() == 1  # the 民生委員 form's note
        with pytest.raises(actions.SurveyError, match="すでに「loneliness_direct」という名前の質問があります"):
            actions.add_instrument(survey, INSTRUMENTS[0], actor=alice)


def test_ucla_scores_bands_and_the_hikikomori_definition() -> None:
    answers = {"ucla_companionship": "4", "ucla_left_out": "3", "ucla_isolated": "4"}
    assert ucla_score(answers) == 11 and ucla_band(11).startswith("10～12点")
    assert ucla_score({"ucla_companionship": "1"}) is None
    assert [ucla_band(s)[:2] for s in (3, 4, 6, 7, 9, 10, 12)] == ["3点", "4～", "4～", "7～", "7～", "10", "10"]
    assert hikikomori_class({"outing": "8", "outing_duration": "3"}) == "narrow"
    assert hikikomori_class({"outing": "6", "outing_duration": "3"}) == "broad_only"
    assert hikikomori_class({"outing": "7", "outing_duration": "1"}) == "none"  # under six months
    assert hikikomori_class({"outing": "7", "outing_duration": "4", "outing_reason": ["2"]}) == "none"  # pregnancy
    assert hikikomori_class({"outing": "1"}) == "none"
    assert hikikomori_class({}) is None
