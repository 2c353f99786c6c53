"""A survey's questions ready to be answered: which are shown, which options, which answers are valid.

The same rules serve the web form, the paper data-entry screen and the CSV/Excel import, so that
an answer accepted one way is accepted every way. Answers are read in question order; an answer to a
question that is not shown (its `relevant` is false given the earlier answers) is dropped, as ODK
does, and a required question must be answered only when it is shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from .expressions import Expression, compile_expression
from .models import Choice, Question, Survey

MAX_TEXT = 2000

Raw = str | list[str] | None


@dataclass
class Questionnaire:
    survey: Survey
    questions: list[Question]
    choices: dict[int, list[Choice]]
    relevant: dict[str, Expression] = field(default_factory=dict)
    constraint: dict[str, Expression] = field(default_factory=dict)
    choice_filter: dict[str, Expression] = field(default_factory=dict)

    @classmethod
    def load(cls, survey: Survey) -> Questionnaire:
        """Read the survey's questions and options (inside the platform's scope)."""
        questions = list(survey.questions.select_related("choice_list").order_by("page", "position", "pk"))
        choices: dict[int, list[Choice]] = {}
        for choice in Choice.objects.filter(choice_list__survey=survey).order_by("position", "pk"):
            choices.setdefault(choice.choice_list_id, []).append(choice)
        form = cls(survey, questions, choices)
        for question in questions:
            if question.relevant:
                form.relevant[question.name] = compile_expression(question.relevant)
            if question.constraint:
                form.constraint[question.name] = compile_expression(question.constraint, allow_current=True)
            if question.choice_filter:
                form.choice_filter[question.name] = compile_expression(question.choice_filter, allow_columns=True)
        form._break_pages()
        return form

    def _break_pages(self) -> None:
        """Renumber pages so that a question depending on another (relevant, choice_filter) comes on a later page.

        Without JavaScript a page cannot react to the answers given on it, so a follow-up question
        ("who do you look after?") moves to the next page, where the earlier answer is known.
        """
        page, original = 0, -1
        on_page: set[str] = set()
        for question in self.questions:
            depends: set[str] = set()
            for expression in (self.relevant.get(question.name), self.choice_filter.get(question.name)):
                if expression is not None:
                    depends |= expression.references
            if question.page != original or depends & on_page:
                page, original, on_page = page + 1, question.page, set()
            question.page = page
            on_page.add(question.name)

    @property
    def answerable(self) -> list[Question]:
        return [q for q in self.questions if q.kind != Question.Kind.NOTE]

    @property
    def pages(self) -> list[int]:
        return sorted({q.page for q in self.questions}) or [1]

    def on_page(self, page: int) -> list[Question]:
        return [q for q in self.questions if q.page == page]

    def is_shown(self, question: Question, answers: Mapping[str, Any]) -> bool:
        expression = self.relevant.get(question.name)
        return expression is None or expression.evaluate(answers)

    def options(self, question: Question, answers: Mapping[str, Any] | None = None) -> list[Choice]:
        """The question's options; with `answers`, only those its choice_filter keeps."""
        options = self.choices.get(question.choice_list_id or 0, [])
        expression = self.choice_filter.get(question.name)
        if expression is None or answers is None:
            return options
        return [c for c in options if expression.evaluate(answers, columns={"name": c.value, **c.columns})]

    def clean(self, question: Question, raw: Raw, answers: Mapping[str, Any]) -> tuple[Any, str | None]:
        """The stored value of `raw` for `question` and None, or None and what is wrong (for the respondent)."""
        if isinstance(raw, str):
            raw = raw.strip()
        if raw in (None, "", []):
            if question.required:
                return None, _("Please answer this question.")
            return None, None
        value: Any
        if question.kind == Question.Kind.SINGLE:
            text = raw if isinstance(raw, str) else " ".join(raw)
            if text not in {c.value for c in self.options(question, answers)}:
                return None, _("“%(value)s” is not one of the options.") % {"value": text}
            value = text
        elif question.kind == Question.Kind.MULTIPLE:
            codes = raw.split() if isinstance(raw, str) else [str(v).strip() for v in raw if str(v).strip()]
            allowed = [c.value for c in self.options(question, answers)]
            unknown = [code for code in codes if code not in allowed]
            if unknown:
                return None, _("“%(value)s” is not one of the options.") % {"value": unknown[0]}
            value = [code for code in allowed if code in codes]
        elif question.kind in {Question.Kind.INTEGER, Question.Kind.DECIMAL}:
            text = _normalise_number(raw if isinstance(raw, str) else " ".join(raw))
            try:
                number = Decimal(text)
            except InvalidOperation:
                number = None
            if number is None or not number.is_finite():
                return None, _("Enter a number.")
            if question.kind == Question.Kind.INTEGER:
                if number != number.to_integral_value():
                    return None, _("Enter a whole number.")
                value = int(number)
            else:
                value = float(number)
        elif question.kind == Question.Kind.TEXT:
            value = raw if isinstance(raw, str) else " ".join(raw)
            if len(value) > MAX_TEXT:
                return None, _("Keep the answer under %(limit)s characters.") % {"limit": f"{MAX_TEXT:,}"}
        else:
            return None, None
        constraint = self.constraint.get(question.name)
        if constraint is not None and not constraint.evaluate({**answers, question.name: value}, current=value):
            return None, question.constraint_message_ja or _("This answer is not possible here; please check it.")
        return value, None

    def apply(
        self, questions: Iterable[Question], raw: Mapping[str, Raw], answers: Mapping[str, Any]
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """Read `raw` answers to `questions` on top of earlier `answers`: (all answers, errors by question name)."""
        result = dict(answers)
        errors: dict[str, str] = {}
        for question in questions:
            if question.kind == Question.Kind.NOTE:
                continue
            result.pop(question.name, None)
            if not self.is_shown(question, result):
                continue
            value, error = self.clean(question, raw.get(question.name), result)
            if error:
                errors[question.name] = error
            elif value is not None:
                result[question.name] = value
        return result, errors

    def prune(self, answers: Mapping[str, Any]) -> dict[str, Any]:
        """`answers` without those to questions no longer shown (an earlier answer was changed)."""
        result: dict[str, Any] = {}
        for question in self.answerable:
            if question.name in answers and self.is_shown(question, result):
                result[question.name] = answers[question.name]
        return result

    def missing(self, answers: Mapping[str, Any]) -> list[Question]:
        """Required questions shown but not answered (before a response is submitted)."""
        return [
            q
            for q in self.answerable
            if q.required and self.is_shown(q, answers) and answers.get(q.name) in (None, "", [])
        ]


_FULL_WIDTH = str.maketrans("０１２３４５６７８９．－，", "0123456789.-,")


def _normalise_number(text: str) -> str:
    """Numbers as people type them in Japan: full-width digits, thousands separators."""
    return text.translate(_FULL_WIDTH).replace(",", "").strip()
