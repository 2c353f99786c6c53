"""Workspace forms for surveys: the survey's settings, a question, invitations, uploads, paper answers."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .expressions import ExpressionError, compile_expression
from .instruments import INSTRUMENTS
from .models import ChoiceList, Question, Survey, Weighting
from .questionnaire import Questionnaire
from .weighting import Grid

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["title", "intro", "status", "open_link", "population", "min_cell"]

    def clean_min_cell(self) -> int:
        value = self.cleaned_data["min_cell"]
        if value < 3:
            raise forms.ValidationError(_("Show no result counting fewer than 3 respondents."))
        return int(value)


class QuestionForm(forms.Form):
    """A question built in the workspace; options one per line as `code label` (or just the label)."""

    name = forms.CharField(label=_("Name"), max_length=64, help_text=_("Letters, digits and _; e.g. q1."))
    kind = forms.ChoiceField(label=_("Kind"), choices=Question.Kind.choices)
    label_ja = forms.CharField(label=_("Question (Japanese)"), widget=forms.Textarea(attrs={"rows": 2}))
    label_en = forms.CharField(label=_("Question (English)"), required=False)
    hint_ja = forms.CharField(label=_("Hint (Japanese)"), required=False)
    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For a choice: one option per line, its code first: “1 はい”. Leave empty for other kinds."),
    )
    required = forms.BooleanField(label=_("An answer is required"), required=False)
    relevant = forms.CharField(label=_("Shown only if"), required=False, help_text=_("e.g. ${q1} = '1'"))
    constraint = forms.CharField(label=_("Answer must satisfy"), required=False, help_text=_("e.g. . >= 0 and . < 120"))
    constraint_message_ja = forms.CharField(label=_("Message when it does not"), required=False, max_length=300)
    page = forms.IntegerField(label=_("Page"), min_value=1, initial=1)

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.survey = survey

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not NAME.match(name):
            raise forms.ValidationError(_("Use letters, digits and _ only, starting with a letter."))
        if self.survey.questions.filter(name=name).exists():
            raise forms.ValidationError(_("The survey already has a question with this name."))
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        known = set(self.survey.questions.values_list("name", flat=True)) | {data.get("name", "")}
        for field, options in (("relevant", {}), ("constraint", {"allow_current": True})):
            text = (data.get(field) or "").strip()
            if text:
                try:
                    compile_expression(text, known=known, **options)
                except ExpressionError as error:
                    self.add_error(field, str(error))
        kind = data.get("kind")
        lines = [line.strip() for line in (data.get("options") or "").splitlines() if line.strip()]
        if kind in {Question.Kind.SINGLE, Question.Kind.MULTIPLE}:
            if len(lines) < 2:
                self.add_error("options", _("Give at least two options, one per line."))
            parsed = []
            for number, line in enumerate(lines, start=1):
                code, _space, label = line.partition(" ")
                if not label.strip():
                    code, label = str(number), line
                parsed.append((code, label.strip(), ""))
            codes = [code for code, _l, _e in parsed]
            if len(set(codes)) != len(codes):
                self.add_error("options", _("Two options have the same code."))
            data["parsed_options"] = tuple(parsed)
        return data


class InstrumentForm(forms.Form):
    instrument = forms.ChoiceField(label=_("Standard instrument"), choices=[(i.key, i.title) for i in INSTRUMENTS])


class XLSFormUploadForm(forms.Form):
    file = forms.FileField(label=_("XLSForm workbook (.xlsx)"))


class InvitationsForm(forms.Form):
    count = forms.IntegerField(label=_("Number of invitations"), min_value=1, max_value=20000)
    batch = forms.CharField(label=_("Batch"), required=False, max_length=100, help_text=_("e.g. 第1回発送"))


class ResponsesUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Answers (CSV or Excel)"),
        help_text=_(
            "One row per questionnaire; the header names the questions, and the column “token” the invitation code."
        ),
    )


class PaperForm(forms.Form):
    """Every question of the survey as one form, for keying in a paper questionnaire."""

    token = forms.CharField(
        label=_("Invitation code"),
        required=False,
        max_length=32,
        help_text=_("As printed on the questionnaire; leave empty if it has none."),
    )

    def __init__(self, *args: Any, questionnaire: Questionnaire, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questionnaire = questionnaire
        for question in questionnaire.answerable:
            label = f"{question.name}: {question.label_ja}"
            if question.has_choices:
                choices = [(c.value, f"{c.value} {c.label_ja}") for c in questionnaire.options(question)]
                if question.kind == Question.Kind.SINGLE:
                    field: forms.Field = forms.ChoiceField(label=label, choices=[("", "—"), *choices], required=False)
                else:
                    field = forms.MultipleChoiceField(
                        label=label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple
                    )
            elif question.kind == Question.Kind.TEXT:
                field = forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": 2}))
            else:
                field = forms.CharField(label=label, required=False)
            self.fields[f"q_{question.name}"] = field

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        raw = {q.name: data.get(f"q_{q.name}") for q in self.questionnaire.answerable}
        answers, errors = self.questionnaire.apply(self.questionnaire.answerable, raw, {})
        for name, error in errors.items():
            self.add_error(f"q_{name}", error)
        data["answers"] = answers
        return data


def choice_list_for(survey: Survey, name: str) -> ChoiceList | None:
    return ChoiceList.objects.filter(survey=survey, name=name).first()


class WeightingForm(forms.Form):
    """How the report weighs respondents, and the population of each sex × age band cell.

    With an area question there is also one sex × age band table per area; the figures are entered
    either for all areas together or by area, not both.
    """

    method = forms.ChoiceField(label=_("Weighting"), choices=Weighting.choices, widget=forms.RadioSelect)

    def __init__(self, *args: Any, grid: Grid, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.grid = grid
        for area_code, area_label in [("", ""), *((a.value, a.label_ja) for a in grid.areas)]:
            for sex in grid.sexes:
                for age in grid.ages:
                    label = "・".join(x for x in (sex.label_ja, age.label_ja, area_label) if x)
                    self.fields[self.field_name(sex.value, age.value, area_code)] = forms.IntegerField(
                        label=label, min_value=0, required=False
                    )

    @staticmethod
    def field_name(sex: str, age: str, area: str = "") -> str:
        return f"pop_{sex}_{age}_{area}" if area else f"pop_{sex}_{age}"

    def rows(self, area: str = "") -> list[tuple[str, list[Any]]]:
        """The population fields as a table: one row per age band, one column per sex."""
        return [
            (age.label_ja, [self[self.field_name(sex.value, age.value, area)] for sex in self.grid.sexes])
            for age in self.grid.ages
        ]

    def area_tables(self) -> list[tuple[str, list[tuple[str, list[Any]]]]]:
        """(area label, rows) for each area of the survey's area question."""
        return [(area.label_ja, self.rows(area.value)) for area in self.grid.areas]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        cells = [
            (sex.value, age.value, area)
            for area in ["", *(a.value for a in self.grid.areas)]
            for sex in self.grid.sexes
            for age in self.grid.ages
        ]
        figures = {cell: data.get(self.field_name(*cell)) or 0 for cell in cells}
        overall = {cell: n for cell, n in figures.items() if not cell[2]}
        by_area = {cell: n for cell, n in figures.items() if cell[2]}
        if any(overall.values()) and any(by_area.values()):
            self.add_error(
                None,
                _("Enter the population either for all areas together or by area, not both (empty one of them)."),
            )
        data["figures"] = by_area if any(by_area.values()) else overall
        if data.get("method") not in {None, Weighting.NONE} and not any(figures.values()):
            self.add_error("method", _("Enter the population of at least one cell to weight the results."))
        return data


class PopulationUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Population figures (CSV or Excel)"),
        help_text=_(
            "Columns 性別, 年齢階級, 人口 (and 地区 for figures by area): one row per cell, written as in the "
            "questionnaire."
        ),
    )
