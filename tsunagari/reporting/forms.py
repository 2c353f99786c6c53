"""Forms of the plan and report pages; bad input gets a message saying what to fix."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tsunagari.notices import files

from .counters import counter_choices
from .models import Activity, BudgetLine, Evidence, Item, Kpi, Milestone, Plan


class TextsForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["summary", "achievements", "issues", "next_year"]
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in fields}


class ActivityForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["item", "title", "description", "timing", "carried_out_on", "result"]
        widgets = {
            "carried_out_on": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 2}),
            "result": forms.Textarea(attrs={"rows": 2}),
        }


class BudgetLineForm(forms.ModelForm):
    class Meta:
        model = BudgetLine
        fields = ["name", "item", "budget", "spent", "note"]
        help_texts = {"name": _("As your budget names it: 委託料, 謝金, 印刷製本費 …")}


class KpiForm(forms.ModelForm):
    class Meta:
        model = Kpi
        fields = ["item", "name", "target", "counter", "manual_value", "how_counted"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["counter"] = forms.ChoiceField(
            label=_("Counted from"),
            choices=[("", _("entered by hand")), *counter_choices()],
            required=False,
            help_text=_("A figure the platform counts by itself; leave empty to enter the result by hand."),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("counter") and not data.get("how_counted"):
            self.add_error("how_counted", _("Say how the result is counted, or choose a figure it is counted from."))
        return data


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "due_on", "done_on"]
        widgets = {
            "due_on": forms.DateInput(attrs={"type": "date"}),
            "done_on": forms.DateInput(attrs={"type": "date"}),
        }


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Evidence.Kind.choices)
    item = forms.ChoiceField(label=_("Item"), choices=[("", "—"), *Item.choices], required=False)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, Word, Excel, PowerPoint, OpenDocument, images, text or CSV; up to 10 MB."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        files.validate_upload(upload)
        return upload


# The kinds of rows the plan page edits, by the name used in their URLs.
ROW_FORMS: dict[str, Any] = {
    "activities": ActivityForm,
    "budget": BudgetLineForm,
    "kpis": KpiForm,
    "milestones": MilestoneForm,
}
