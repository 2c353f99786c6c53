"""Forms for events, registrations (members and residents), documents and training records."""

from __future__ import annotations

import datetime
import re
import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagari.accounts.models import User
from tsunagari.notices import files
from tsunagari.notices.forms import PersonChoiceField, platform_people
from tsunagari.tenancy.models import Platform

from .models import COURSE_SUGGESTIONS, Event, EventDocument

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
_PHONE = re.compile(r"^\+?[0-9][0-9\-() ]{7,19}$")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=DATETIME_FORMAT, **kwargs)


class EventForm(forms.ModelForm):
    """Create or change an event; times are in Japan time (the site's time zone)."""

    online_url = forms.URLField(
        label=_("Online meeting link"),
        required=False,
        assume_scheme="https",
        help_text=_("Shown to members who can see the event; for public events, sent only to registered people."),
    )
    invited = PersonChoiceField(
        label=_("Invited people"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For events for invited people only. They receive an e-mail when the event is published."),
    )

    class Meta:
        model = Event
        fields = [
            "kind",
            "title",
            "description",
            "starts_at",
            "ends_at",
            "place",
            "online_url",
            "capacity",
            "audience",
            "audience_note",
            "fee",
            "invited",
            "status",
            "registration_open",
            "registration_deadline",
            "minutes",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "minutes": forms.Textarea(attrs={"rows": 6}),
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
            "registration_deadline": DateTimeInput(),
        }

    def __init__(self, *args: Any, platform: Platform, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["invited"].queryset = platform_people(platform)  # type: ignore[attr-defined]
        for name in ("starts_at", "ends_at", "registration_deadline"):
            self.fields[name].input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M"]  # type: ignore[attr-defined]
        if not self.instance.pk:
            del self.fields["minutes"]
            # A new event is a draft until the coordinator publishes it: saving must not put it on
            # the portal (or e-mail the invited people) before it is ready.
            self.fields["status"].initial = Event.Status.DRAFT

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The end must be after the start."))
        if not data.get("place") and not data.get("online_url"):
            self.add_error("place", _("Give a place, an online meeting link, or both."))
        deadline = data.get("registration_deadline")
        if deadline and starts and deadline > starts:
            self.add_error("registration_deadline", _("The registration deadline must be before the start."))
        if data.get("audience") == Event.Audience.INVITED and not data.get("invited"):
            self.add_error("invited", _("Choose the people you invite."))
        return data


class ResidentRegistrationForm(forms.Form):
    """What a resident gives to register: a name, and an e-mail address or a telephone number. Nothing more."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("A nickname is fine."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        help_text=_("We send the confirmation here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Telephone"),
        max_length=30,
        required=False,
        help_text=_("If you have no e-mail address: we call only if the event changes."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    def clean_phone(self) -> str:
        phone = unicodedata.normalize("NFKC", self.cleaned_data.get("phone", "")).strip()
        phone = phone.replace("ー", "-").replace("−", "-")
        if phone and not _PHONE.match(phone):
            raise ValidationError(_("Write the telephone number with digits, for example 0467-00-0000."))
        return phone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("email") and not data.get("phone") and not self.errors:
            raise ValidationError(_("Give an e-mail address or a telephone number, so that we can reach you."))
        return data


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EventDocument.Kind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, Word, Excel, PowerPoint, OpenDocument, images, text or CSV; up to 10 MB."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        files.validate_upload(upload)
        return upload


class TrainingRecordForm(forms.Form):
    """A completed course: a person of the platform, or the name of someone without an account."""

    user = forms.ModelChoiceField(label=_("Person of the platform"), queryset=User.objects.none(), required=False)
    attendee_name = forms.CharField(
        label=_("Or the name of someone without an account"), max_length=100, required=False
    )
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    course = forms.CharField(
        label=_("Course"),
        max_length=200,
        widget=forms.TextInput(attrs={"list": "course-suggestions"}),
    )
    completed_on = forms.DateField(label=_("Completed on"), widget=forms.DateInput(attrs={"type": "date"}))

    suggestions = COURSE_SUGGESTIONS

    def __init__(self, *args: Any, platform: Platform, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = platform_people(platform)  # type: ignore[attr-defined]

    def clean_completed_on(self) -> datetime.date:
        day: datetime.date = self.cleaned_data["completed_on"]
        if day > timezone.localdate():
            raise ValidationError(_("The date is in the future. Record a course once it is completed."))
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("user") and not (data.get("attendee_name") or "").strip():
            self.add_error("attendee_name", _("Choose a person or write the name of the person who took the course."))
        return data


class OnBehalfRegistrationForm(ResidentRegistrationForm):
    """A coordinator registers a resident who telephoned: a name and a way to reach them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "behalf-%s")
        super().__init__(*args, **kwargs)
        self.fields["name"].help_text = _("As the person gave it on the telephone.")
        self.fields["email"].help_text = _("The confirmation goes here, if they have one.")
        self.fields["phone"].help_text = _("To call them if the event changes.")
        for field in self.fields.values():
            field.widget.attrs.pop("autocomplete", None)
