"""Workspace forms for surveys: the survey's settings, a question, invitations, uploads, paper answers."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .expressions import ExpressionError, compile_expression
from .instruments import INSTRUMENTS
from .models import ChoiceList, Question, ReferenceFigure, SampleDesign, Survey, Weighting
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
    batch = forms.CharField(
        label=_("Batch"),
        required=False,
        max_length=100,
        help_text=_("e.g. 第1回発送; the stratum of a stratified sample"),
    )
    psu = forms.CharField(
        label=_("Primary sampling unit"),
        required=False,
        max_length=100,
        help_text=_("Two-stage samples only: the 町丁目 or school the people were drawn in, e.g. 由比ガ浜一丁目"),
    )


class DesignForm(forms.Form):
    """How the invitations were drawn: the design, the non-response adjustment, and per batch its figures.

    `batches` maps each invitation batch to (invitations, PSUs with invitations); the form checks what
    can be checked from them, in Japanese, naming the batch and the field.
    """

    design = forms.ChoiceField(label=_("Sample design"), choices=SampleDesign.choices, widget=forms.RadioSelect)
    nonresponse_adjustment = forms.BooleanField(
        label=_("Adjust for non-response by weighting class (invitations sent ÷ responses received)"), required=False
    )

    def __init__(self, *args: Any, batches: dict[str, tuple[int, int]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.batches = batches
        for i, batch in enumerate(batches):
            name = batch or "—"
            self.fields[f"people_{i}"] = forms.IntegerField(
                label=_("People in stratum 「%(batch)s」") % {"batch": name}, min_value=1, required=False
            )
            self.fields[f"psus_{i}"] = forms.IntegerField(
                label=_("PSUs in stratum 「%(batch)s」") % {"batch": name}, min_value=1, required=False
            )
            self.fields[f"class_{i}"] = forms.CharField(
                label=_("Non-response class of 「%(batch)s」") % {"batch": name}, max_length=100, required=False
            )

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "batch": batch,
                "invited": invited,
                "psus": psus,
                "fields": [self[f"people_{i}"], self[f"psus_{i}"], self[f"class_{i}"]],
            }
            for i, (batch, (invited, psus)) in enumerate(self.batches.items())
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        design = data.get("design")
        strata: dict[str, tuple[int | None, int | None, str]] = {}
        names = {batch or "—" for batch in self.batches}
        for i, (batch, (invited, psus)) in enumerate(self.batches.items()):
            people, count = data.get(f"people_{i}"), data.get(f"psus_{i}")
            cls = (data.get(f"class_{i}") or "").strip()
            name = batch or "—"
            if design == SampleDesign.STRATIFIED and not people:
                self.add_error(
                    f"people_{i}",
                    _("Stratum 「%(batch)s」: enter the number of people its %(n)s invitations were drawn from.")
                    % {"batch": name, "n": invited},
                )
            if people and people < invited:
                self.add_error(
                    f"people_{i}",
                    _("Stratum 「%(batch)s」 has %(n)s invitations: its population cannot be smaller.")
                    % {"batch": name, "n": invited},
                )
            if count and count < psus:
                self.add_error(
                    f"psus_{i}",
                    _(
                        "Stratum 「%(batch)s」 has invitations in %(n)s PSUs: the PSUs in its population cannot be fewer."
                    )
                    % {"batch": name, "n": psus},
                )
            if cls and cls not in names:
                self.add_error(
                    f"class_{i}",
                    _("「%(cls)s」 is not a batch: give the batch whose non-response class this one joins.")
                    % {"cls": cls},
                )
            strata[batch] = (people, count, "" if cls == name else ("" if cls == "—" and not batch else cls))
        if design == SampleDesign.TWO_STAGE:
            given = [bool(data.get(f"psus_{i}")) for i in range(len(self.batches))]
            if any(given) and not all(given):
                self.add_error(
                    None,
                    _(
                        "Enter the number of PSUs for every stratum (finite population correction) or for none "
                        "(no correction)."
                    ),
                )
        if design != SampleDesign.SRS and not self.batches:
            self.add_error("design", _("A stratified or two-stage design needs invitations: make them first."))
        if data.get("nonresponse_adjustment") and not self.batches:
            self.add_error(
                "nonresponse_adjustment",
                _("The non-response adjustment counts the invitations sent: make the invitations first."),
            )
        data["strata"] = strata
        return data


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


class ReferenceUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Published figures (CSV or Excel)"),
        help_text=_("One row per option, with the columns named in the first row (see below)."),
    )


class ReferenceItemForm(forms.Form):
    """The first step of entering a published figure: which standard item it is for."""

    item = forms.ChoiceField(label=_("Item"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .references import ITEMS

        super().__init__(*args, **kwargs)
        field = self.fields["item"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(name, f"{name}: {label[:40]}") for name, (label, _options) in ITEMS.items()]


class ReferenceFigureForm(forms.ModelForm):
    """A published distribution of one standard item, with its source: every option's percentage as printed.

    Percentages (0–100) sum to about 100 with the 無回答 share when the table prints one (published
    figures are rounded: ± SUM_TOLERANCE); an interval is both ends or none and holds its estimate.
    """

    url = forms.URLField(label=_("URL of the source"), max_length=500, assume_scheme="https")

    class Meta:
        model = ReferenceFigure
        fields = ["year", "population", "source_title", "publisher", "url", "table", "n", "no_answer"]
        help_texts = {
            "population": _("As the source states it, e.g. 全国の満16歳以上の者."),
            "table": _("The table or page the figures are taken from."),
            "n": _("The number of respondents the published shares rest on, if printed."),
            "no_answer": _("The 無回答 share, if the published table counts it among the 100%."),
        }

    def __init__(self, *args: Any, options: tuple[tuple[str, str, str], ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options = options
        for code, label, _en in options:
            self.fields[f"percent_{code}"] = forms.FloatField(label=f"{code} {label} (%)", min_value=0, max_value=100)
            self.fields[f"low_{code}"] = forms.FloatField(
                label=_("%(label)s: 95%% interval, lower (%%)") % {"label": label},
                required=False,
                min_value=0,
                max_value=100,
            )
            self.fields[f"high_{code}"] = forms.FloatField(
                label=_("%(label)s: 95%% interval, upper (%%)") % {"label": label},
                required=False,
                min_value=0,
                max_value=100,
            )

    def option_rows(self) -> list[tuple[str, Any, Any, Any]]:
        return [
            (label, self[f"percent_{code}"], self[f"low_{code}"], self[f"high_{code}"])
            for code, label, _en in self.options
        ]

    def clean_year(self) -> int:
        from django.utils import timezone

        year = self.cleaned_data["year"]
        if not 1990 <= year <= timezone.localdate().year:
            raise forms.ValidationError(
                _("Enter the year the survey was carried out, between 1990 and this year (%(year)s).")
                % {"year": timezone.localdate().year}
            )
        return int(year)

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if not url.startswith(("https://", "http://")):
            raise forms.ValidationError(_("Enter the address of the published source, starting with https://."))
        return str(url)

    def clean(self) -> dict[str, Any]:
        from .references import SUM_TOLERANCE

        data = super().clean() or {}
        figures: dict[str, dict[str, Any]] = {}
        for code, label, _en in self.options:
            percent = data.get(f"percent_{code}")
            low, high = data.get(f"low_{code}"), data.get(f"high_{code}")
            if percent is None:
                continue  # the field's own error says it is missing
            interval = None
            if (low is None) != (high is None):
                self.add_error(
                    f"low_{code}", _("Enter both ends of the interval of “%(label)s”, or neither.") % {"label": label}
                )
            elif low is not None and high is not None:
                if not low <= percent <= high:
                    self.add_error(
                        f"low_{code}",
                        _("The interval of “%(label)s” must hold its figure: lower ≤ %(percent)s ≤ upper.")
                        % {"label": label, "percent": percent},
                    )
                interval = [low, high]
            figures[code] = {"percent": percent, "ci95": interval}
        if len(figures) == len(self.options):
            total = sum(f["percent"] for f in figures.values()) + (data.get("no_answer") or 0.0)
            if abs(total - 100.0) > SUM_TOLERANCE:
                raise forms.ValidationError(
                    _(
                        "The percentages add up to %(total)s%%, not 100%%. Check each figure against the source "
                        "and enter the 無回答 share if the table counts it."
                    )
                    % {"total": f"{total:.1f}"}
                )
        data["figures"] = figures
        return data
