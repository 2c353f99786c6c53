"""The XLSForm expression subset: evaluated as ODK would, anything else refused in Japanese."""

from __future__ import annotations

import pytest
from django.utils import translation

from tsunagari.surveys.expressions import ExpressionError, compile_expression


@pytest.mark.parametrize(
    ("text", "answers", "expected"),
    [
        ("${a} = '1'", {"a": "1"}, True),
        ("${a} = '1'", {}, False),
        ("${a} = ''", {}, True),
        ("${a} != '1'", {"a": "2"}, True),
        ("${age} > 15", {"age": 16}, True),
        ("${age} > 15", {"age": 15}, False),
        ("${age} > 15", {}, False),  # unanswered: not a number, so false (XPath NaN)
        ("${age} >= 16 and ${age} < 65", {"age": 40}, True),
        ("${a} = '1' or ${b} = '2'", {"b": "2"}, True),
        ("not(${a} = '1')", {"a": "1"}, False),
        ("selected(${m}, '3')", {"m": ["1", "3"]}, True),
        ("selected(${m}, '3')", {"m": ["1", "13"]}, False),
        ("selected(${m}, '3')", {}, False),
        ("(${a} = '1' or ${a} = '2') and not(selected(${m}, '9'))", {"a": "2", "m": ["1"]}, True),
        ("${a} = 1", {"a": "1"}, True),  # compared as numbers
        ('${a} = "x"', {"a": "x"}, True),
    ],
)
def test_it_evaluates_the_supported_subset(text: str, answers: dict[str, object], expected: bool) -> None:
    assert compile_expression(text).evaluate(answers) is expected


def test_current_value_and_choice_columns_where_allowed() -> None:
    assert compile_expression(". >= 0 and . < 120", allow_current=True).evaluate({}, current=42)
    assert not compile_expression(". < 120", allow_current=True).evaluate({}, current=130)
    keep = compile_expression("region = ${pref}", allow_columns=True)
    assert keep.evaluate({"pref": "kanto"}, columns={"region": "kanto"})
    assert not keep.evaluate({"pref": "kanto"}, columns={"region": "kinki"})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("${a} + 1 > 2", "「+」はここでは使えません。"),
        ("count-selected(${m}) > 2", "関数「count-selected()」には対応していません。"),
        ("today() > ${d}", "関数「today()」には対応していません。"),
        ("a = '1'", "「a」は使えません。質問は ${a} の形で参照してください。"),
        (". > 1", "「.」（この質問の回答）はconstraintの中でしか使えません。"),
        ("${a} = '1' and", "式が途中で終わっています。"),
        ("", "式が空です。"),
        ("${a} = '1')", "「)」はここでは使えません。"),
        ("/data/a = '1'", "「/」はここでは使えません。"),
    ],
)
def test_it_refuses_the_rest_with_a_japanese_message(text: str, message: str) -> None:
    with translation.override("ja"), pytest.raises(ExpressionError) as error:
        compile_expression(text)
    assert message in str(error.value)


def test_it_names_unknown_questions() -> None:
    with translation.override("ja"), pytest.raises(ExpressionError, match="「b」という名前の質問はありません"):
        compile_expression("${b} = '1'", known={"a"})


def test_it_never_evaluates_python() -> None:
    with pytest.raises(ExpressionError):
        compile_expression("__import__('os').system('true')")
