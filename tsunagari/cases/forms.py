"""Forms of the case pages: a new person, a consent, a referral, and the case-meeting pages.

Errors say in Japanese what to fix.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagari.directory.models import Organization
from tsunagari.directory.taxonomy import term_label, term_rows
from tsunagari.membership.models import MemberOrganisation
from tsunagari.notices import files

from .models import ITEMS, REFERRAL_CHOICES, Basis, Consent, PersonRequest


def member_organisations(*, besides: Any) -> QuerySet[Organization]:
    """The platform's approved member organisations but `besides` (call inside the platform's scope)."""
    ids = MemberOrganisation.objects.approved().filter(organization__isnull=False).values("organization_id")
    return Organization.objects.filter(pk__in=ids).exclude(pk=besides).order_by("name")


def _date(label: Any, **kwargs: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}), **kwargs)


class PersonRecordForm(forms.Form):
    """The fields of a person's record (editing it; PersonForm adds the consent when registering)."""

    name = forms.CharField(label=_("Full name"), max_length=100, error_messages={"required": _("Write the name.")})
    kana = forms.CharField(label=_("Name in kana"), max_length=100, required=False)
    birth_date = _date(
        _("Date of birth"),
        required=False,
        help_text=_("With the date of birth, a person already registered is found instead of being entered twice."),
        error_messages={"invalid": _("Write the date of birth as a date, for example 1950-05-06.")},
    )
    phone = forms.CharField(label=_("Telephone"), max_length=30, required=False)
    address = forms.CharField(label=_("Home address"), max_length=300, required=False)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def clean_birth_date(self) -> Any:
        born = self.cleaned_data.get("birth_date")
        if born and born > timezone.localdate():
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        return born


class PersonForm(PersonRecordForm):
    """A new person, with the consent under which the organisation holds their record."""

    method = forms.ChoiceField(
        label=_("How the person agreed to your organisation keeping this record"),
        choices=Consent.Method.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Health, disability and similar details are sensitive personal information (要配慮個人情報): "
            "keep them only with the person's consent."
        ),
        error_messages={"required": _("Choose how the person agreed.")},
    )
    given_on = _date(_("Agreed on"), initial=timezone.localdate, error_messages={"required": _("Write the date.")})


class ConsentForm(forms.Form):
    """A consent the person gave: to whom, what, how, when, until when."""

    recipients: forms.ModelMultipleChoiceField[Organization] = forms.ModelMultipleChoiceField(
        label=_("Organisations it may be shared with"),
        queryset=Organization.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Leave all unticked if the person agreed only to your organisation keeping the record."),
    )
    items = forms.MultipleChoiceField(
        label=_("What may be shared"),
        choices=list(ITEMS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "A referral always shares the name and what support is needed, and the other items its sender "
            "chooses: tick all that the person agreed to."
        ),
    )
    method = forms.ChoiceField(
        label=_("How the person agreed"),
        choices=Consent.Method.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the person agreed.")},
    )
    given_by = forms.CharField(
        label=_("Guardian's name and relation"),
        max_length=100,
        required=False,
        help_text=_("Only when a guardian agreed for the person."),
    )
    given_on = _date(_("Agreed on"), initial=timezone.localdate, error_messages={"required": _("Write the date.")})
    expires_on = _date(_("Valid until"), required=False, help_text=_("Leave empty if no end was agreed."))

    def __init__(self, *args: Any, organisation_id: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipients"].queryset = member_organisations(besides=organisation_id)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("method") == Consent.Method.GUARDIAN and not data.get("given_by", "").strip():
            self.add_error("given_by", _("Write who agreed for the person (name and relation)."))
        if data.get("recipients") and not data.get("items"):
            self.add_error("items", _("Tick what may be shared with the organisations you chose."))
        if data.get("items") and not data.get("recipients"):
            self.add_error("recipients", _("Tick the organisations it may be shared with."))
        given, until = data.get("given_on"), data.get("expires_on")
        if given and given > timezone.localdate():
            self.add_error("given_on", _("The date the person agreed cannot be in the future."))
        if given and until and until < given:
            self.add_error("expires_on", _("Choose a date on or after the date the person agreed."))
        return data


class PersonRequestForm(forms.Form):
    """A request the person made under the APPI: what, when, how, and what they asked."""

    kind = forms.ChoiceField(
        label=_("Kind of request"),
        choices=PersonRequest.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the kind of request.")},
    )
    received_on = _date(_("Received on"), initial=timezone.localdate, error_messages={"required": _("Write the date.")})
    channel = forms.ChoiceField(
        label=_("How it was received"),
        choices=PersonRequest.Channel.choices,
        error_messages={"required": _("Choose how the request was received.")},
    )
    asked = forms.CharField(
        label=_("What the person asked"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages={"required": _("Write what the person asked.")},
    )

    def clean_received_on(self) -> Any:
        received = self.cleaned_data.get("received_on")
        if received and received > timezone.localdate():
            raise forms.ValidationError(_("The date received cannot be in the future."))
        return received


class RequestAnswerForm(forms.Form):
    """The decision on a person's request and the date the person was answered."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=PersonRequest.Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the decision.")},
    )
    reason = forms.CharField(
        label=_("Reason for refusing"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text=_("The person must be told the reason when a request is refused (個人情報保護法 第36条)."),
    )
    answered_on = _date(_("Answered on"), initial=timezone.localdate, error_messages={"required": _("Write the date.")})

    def __init__(self, *args: Any, received_on: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.received_on = received_on

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == PersonRequest.Decision.REFUSED and not data.get("reason", "").strip():
            self.add_error("reason", _("Write why the request was refused."))
        answered = data.get("answered_on")
        if answered and answered > timezone.localdate():
            self.add_error("answered_on", _("The date answered cannot be in the future."))
        elif answered and answered < self.received_on:
            self.add_error("answered_on", _("Choose a date on or after the date the request was received."))
        return data


class ErasureForm(forms.Form):
    """The confirmation an erasure asks for."""

    confirm = forms.BooleanField(
        label=_("I understand that the person's record is erased for good."),
        error_messages={"required": _("Tick this to erase the record.")},
    )


REFERRAL_BASES = [
    (Basis.CONSENT, _("The person's consent (recorded, covering this organisation)")),
    (Basis.SUPPORT_COUNCIL, _("Support council (社会福祉法 §106-6): both organisations sit on it")),
    (Basis.REGIONAL_COUNCIL, _("Regional council (孤独・孤立対策推進法): both organisations sit on it")),
    (Basis.EMERGENCY, _("Danger to life or body, and the person's consent is hard to get")),
]


class ReferralForm(forms.Form):
    receiver: forms.ModelChoiceField[Organization] = forms.ModelChoiceField(
        label=_("Receiving organisation"),
        queryset=Organization.objects.none(),
        empty_label=_("(choose)"),
        error_messages={"required": _("Choose the organisation to refer the person to.")},
    )
    need = forms.CharField(
        label=_("What support is needed"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("The receiving organisation reads this before it accepts, without the person's name."),
        error_messages={"required": _("Write what support is needed.")},
    )
    need_code = forms.ChoiceField(label=_("Kind of need"), required=False)
    items = forms.MultipleChoiceField(
        label=_("What else the receiving organisation receives"),
        choices=[(item, ITEMS[item]) for item in REFERRAL_CHOICES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Once it accepts, the receiving organisation always receives the name and what support is needed, "
            "and only the items ticked here; nothing else of the record. Tick only what it needs to help the "
            "person. On the basis of consent, only items the person's consent covers for that organisation."
        ),
    )
    basis = forms.ChoiceField(
        label=_("Legal basis for sharing"),
        choices=REFERRAL_BASES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the legal basis for sharing.")},
    )
    emergency = forms.BooleanField(
        label=_(
            "I confirm that the person's life or body is in danger and that their consent is hard to get "
            "(個人情報保護法 第27条第1項第2号)."
        ),
        required=False,
    )

    def __init__(self, *args: Any, sender_id: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["receiver"].queryset = member_organisations(besides=sender_id)  # type: ignore[attr-defined]
        need_code = self.fields["need_code"]
        assert isinstance(need_code, forms.ChoiceField)
        need_code.choices = [("", "—"), *((row["code"], term_label(row)) for row in term_rows("needs.tsv"))]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("basis") == Basis.EMERGENCY and not data.get("emergency"):
            self.add_error("emergency", _("Tick this to share because of danger to life or body."))
        return data


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
