"""Forms of the case-meeting pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagari.notices import files

from .models import Basis

MEETING_BASES = [(value, label) for value, label in Basis.choices if value != Basis.EMERGENCY]


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    held_at = forms.DateTimeField(
        label=_("Date and time"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    basis = forms.ChoiceField(
        label=_("Legal basis for sharing"),
        choices=MEETING_BASES,
        help_text=_(
            "A support council (§106-6) or a regional council may share without the person's consent; "
            "otherwise the person's consent is needed."
        ),
    )
    access_until = forms.DateField(
        label=_("Participants may see the persons until"),
        widget=forms.DateInput(attrs={"type": "date"}),
        required=False,
        help_text=_("Leave empty for 90 days after the meeting."),
    )
    agenda = forms.CharField(label=_("Agenda"), widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        held_at = data.get("held_at")
        if held_at and not data.get("access_until"):
            data["access_until"] = timezone.localdate(held_at) + timedelta(days=90)
        if held_at and data.get("access_until") and data["access_until"] < timezone.localdate(held_at):
            self.add_error("access_until", _("Choose a date on or after the meeting."))
        return data


class RecordForm(forms.Form):
    agenda = forms.CharField(label=_("Agenda"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    decisions = forms.CharField(label=_("Decisions"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 8}), required=False)


class DocumentForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, Word, Excel, PowerPoint, OpenDocument, images, text or CSV; up to 10 MB."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        files.validate_upload(upload)
        return upload


class TaskForm(forms.Form):
    title = forms.CharField(label=_("What to do"), max_length=300)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int)
    person = forms.TypedChoiceField(label=_("About"), coerce=int, required=False, empty_value=None)
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, owners: list[tuple[int, str]], persons: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        owner_field = self.fields["owner"]
        person_field = self.fields["person"]
        assert isinstance(owner_field, forms.TypedChoiceField) and isinstance(person_field, forms.TypedChoiceField)
        owner_field.choices = owners
        person_field.choices = [("", "—"), *persons]
