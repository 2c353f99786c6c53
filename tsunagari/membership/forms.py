"""Forms of membership, with Japanese messages that say what to fix."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tsunagari.directory.models import Organization, Service
from tsunagari.directory.taxonomy import read_terms
from tsunagari.notices import files

from . import listings
from .models import DEFAULT_VERIFICATION_MONTHS, Agreement, MemberOrganisation, ProblemReport
from .validators import normalise_corporate_number, validate_corporate_number, validate_pdf

PHONE = re.compile(r"^\+?[0-9][0-9\-() ]{5,20}[0-9]$")
TEXTAREA = forms.Textarea(attrs={"rows": 4})


def term_choices(filename: str) -> list[tuple[str, str]]:
    return [(row["code"], row["label_ja"]) for row in read_terms(filename)]


def nfkc(value: str) -> str:
    """Full-width digits and letters to half-width, spaces trimmed: how people type in Japan."""
    return unicodedata.normalize("NFKC", value or "").strip()


def clean_phone(value: str) -> str:
    value = nfkc(value).replace("ー", "-").replace("―", "-")
    if value and not PHONE.match(value):
        raise forms.ValidationError(_("Write the phone number with digits and hyphens, e.g. 0467-23-3000."))
    return value


class JoinForm(forms.ModelForm):
    """An organisation applies to join a platform; no account is needed."""

    # Longer than the 13 digits stored: people type hyphens and full-width digits.
    corporate_number = forms.CharField(
        label=_("Corporate number (法人番号)"),
        max_length=30,
        required=False,
        help_text=_("13 digits, if the organisation has one. Optional."),
    )
    website = forms.URLField(
        label=_("Website"),
        max_length=500,
        required=False,
        assume_scheme="https",
        error_messages={"invalid": _("Write the full address of the website, starting with https://.")},
    )

    needs = forms.MultipleChoiceField(
        label=_("Needs it works on"),
        required=False,
        choices=lambda: term_choices("needs.tsv"),
        widget=forms.CheckboxSelectMultiple,
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that, once approved, the organisation's name, type and what it does are shown on the public "
            "member list. The contact person's details are seen only by the platform's coordinators."
        ),
        error_messages={"required": _("Please agree to the member list to apply.")},
    )

    class Meta:
        model = MemberOrganisation
        fields = [
            "name",
            "kind",
            "corporate_number",
            "areas",
            "needs",
            "description",
            "website",
            "contact_name",
            "contact_email",
            "contact_phone",
        ]
        widgets = {"description": TEXTAREA, "kind": forms.RadioSelect}
        help_texts = {
            "areas": _("e.g. the whole city, or the districts where you work."),
            "description": _("A few sentences for the public member list."),
        }
        error_messages = {
            "name": {"required": _("Write the name of the organisation.")},
            "kind": {"required": _("Choose the type of organisation.")},
            "contact_name": {"required": _("Write the name of the person we can contact.")},
            "contact_email": {
                "required": _("Write an e-mail address where we can reach you."),
                "invalid": _("Check the e-mail address: it should look like name@example.jp."),
            },
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Radio buttons without the empty "---------" choice of a model field.
        self.fields["kind"].choices = MemberOrganisation.Kind.choices  # type: ignore[attr-defined]

    def clean_corporate_number(self) -> str:
        value = normalise_corporate_number(self.cleaned_data.get("corporate_number", ""))
        validate_corporate_number(value)
        return value

    def clean_contact_phone(self) -> str:
        return clean_phone(self.cleaned_data.get("contact_phone", ""))


class ApproveForm(forms.Form):
    """A coordinator approves an application, possibly linking an organisation already listed."""

    organization: forms.ModelChoiceField[Organization] = forms.ModelChoiceField(
        label=_("Organisation already in the directory"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("None: add it as a new organisation"),
        help_text=_("Choose it when the directory already lists this organisation, so its listings become its own."),
    )
    invite_contact = forms.BooleanField(
        label=_("Invite the contact person as the organisation's administrator"), required=False, initial=False
    )

    def __init__(self, *args: Any, application: MemberOrganisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The platform's own organisations that no member stands for yet (read inside its scope).
        taken = MemberOrganisation.objects.filter(organization__isnull=False).values("organization_id")
        self.fields["organization"].queryset = (  # type: ignore[attr-defined]
            Organization.objects.filter(platform=application.platform).exclude(pk__in=taken).order_by("name")
        )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the applicant)"),
        widget=TEXTAREA,
        max_length=2000,
        error_messages={"required": _("Write the reason: the applicant receives it by e-mail.")},
    )


class TrustForm(forms.Form):
    trusted = forms.BooleanField(label=_("Publish this member's listing changes at once"), required=False)


class AgreementForm(forms.ModelForm):
    """A partnership agreement, with its signed PDF."""

    parties = forms.ModelMultipleChoiceField(
        label=_("Member organisations"),
        queryset=MemberOrganisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    upload = forms.FileField(label=_("Signed document (PDF)"), required=False)

    class Meta:
        model = Agreement
        fields = ["title", "parties", "other_parties", "status", "signed_on", "starts_on", "ends_on", "notes"]
        widgets = {
            "signed_on": forms.DateInput(attrs={"type": "date"}),
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "notes": TEXTAREA,
        }
        error_messages = {"title": {"required": _("Give the agreement a title.")}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parties"].queryset = MemberOrganisation.objects.approved().order_by("name")  # type: ignore[attr-defined]
        self.fields["upload"].help_text = _(
            "A PDF of at most %(mb)d MB. Members can download it; residents cannot."
        ) % {"mb": files.max_upload_bytes() // (1024 * 1024)}

    def clean_upload(self) -> Any:
        upload = self.cleaned_data.get("upload")
        if upload:
            validate_pdf(upload)
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and starts_on > ends_on:
            self.add_error("ends_on", _("The end date comes before the start date."))
        if not data.get("parties") and not data.get("other_parties"):
            self.add_error("parties", _("Choose at least one party, or write the other parties."))
        return data


class ListingForm(forms.Form):
    """A service's main fields, as a member organisation's administrator edits them."""

    organization: forms.ModelChoiceField[Organization] = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organization.objects.none()
    )
    name = forms.CharField(label=listings.FIELDS["name"], max_length=300)
    alternate_name = forms.CharField(
        label=listings.FIELDS["alternate_name"],
        max_length=300,
        required=False,
        help_text=_("What a resident would call it, e.g. 「こころの相談電話」."),
    )
    description = forms.CharField(label=listings.FIELDS["description"], widget=TEXTAREA, required=False)
    status = forms.ChoiceField(label=listings.FIELDS["status"], choices=Service.Status.choices)
    phone = forms.CharField(label=listings.FIELDS["phone"], max_length=30, required=False)
    line = forms.CharField(
        label=listings.FIELDS["line"],
        max_length=200,
        required=False,
        help_text=_("LINE ID (@…) or link (https://lin.ee/…)."),
    )
    email = forms.EmailField(label=listings.FIELDS["email"], required=False)
    url = forms.URLField(label=listings.FIELDS["url"], max_length=500, required=False, assume_scheme="https")
    hours_text = forms.CharField(
        label=listings.FIELDS["hours_text"],
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_(
            "As you would write it on a poster, e.g. 月曜日～金曜日 9時～17時（祝日を除く） "
            "or, for a monthly group, 毎月第2土曜日 14:00～16:00."
        ),
    )
    closed_days_text = forms.CharField(
        label=listings.FIELDS["closed_days_text"],
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("e.g. 土曜日・日曜日・祝日・年末年始."),
    )
    needs = forms.MultipleChoiceField(
        label=listings.FIELDS["needs"],
        choices=lambda: term_choices("needs.tsv"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    targets = forms.MultipleChoiceField(
        label=listings.FIELDS["targets"],
        choices=lambda: term_choices("targets.tsv"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    free = forms.BooleanField(label=listings.FIELDS["free"], required=False)
    anonymous = forms.BooleanField(label=listings.FIELDS["anonymous"], required=False)
    open_24h = forms.BooleanField(label=listings.FIELDS["open_24h"], required=False)
    eligibility_description = forms.CharField(
        label=listings.FIELDS["eligibility_description"], widget=TEXTAREA, required=False
    )
    application_process = forms.CharField(label=listings.FIELDS["application_process"], widget=TEXTAREA, required=False)
    minimum_age = forms.IntegerField(label=listings.FIELDS["minimum_age"], min_value=0, max_value=130, required=False)
    maximum_age = forms.IntegerField(label=listings.FIELDS["maximum_age"], min_value=0, max_value=130, required=False)
    place_name = forms.CharField(
        label=listings.FIELDS["place_name"],
        max_length=300,
        required=False,
        help_text=_("e.g. 鎌倉市福祉センター 2階 相談室."),
    )
    postal_code = forms.CharField(label=listings.FIELDS["postal_code"], max_length=8, required=False)
    address = forms.CharField(
        label=listings.FIELDS["address"],
        max_length=300,
        required=False,
        help_text=_("After the municipality, e.g. 御成町18-10. The map places it from the address."),
    )
    position = forms.CharField(
        label=listings.FIELDS["position"],
        max_length=60,
        required=False,
        help_text=_(
            "Latitude and longitude of the entrance, e.g. 35.3190, 139.5467 (in 地理院地図 or an online map, "
            "the coordinates of the point you click). Without it the map shows only the town or the municipality."
        ),
    )
    author_note = forms.CharField(
        label=_("Note to the coordinators (optional)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, organizations: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        field.queryset = organizations  # type: ignore[attr-defined]
        self.fields["name"].error_messages["required"] = _("Write the name of the service.")
        self.fields["email"].error_messages["invalid"] = _(
            "Check the e-mail address: it should look like name@example.jp."
        )
        self.fields["url"].error_messages["invalid"] = _("Write the full address of the page, starting with https://.")

    def clean_phone(self) -> str:
        return clean_phone(self.cleaned_data.get("phone", ""))

    def clean_postal_code(self) -> str:
        code = nfkc(self.cleaned_data.get("postal_code", "")).replace("〒", "").strip()
        digits = code.replace("-", "").replace("ー", "")
        if code and not (digits.isdigit() and len(digits) == 7):
            raise forms.ValidationError(_("Write the postal code with 7 digits, e.g. 248-0012."))
        return f"{digits[:3]}-{digits[3:]}" if code else ""

    def clean_line(self) -> str:
        return nfkc(self.cleaned_data.get("line", ""))

    def clean_position(self) -> str:
        """「35.3190, 139.5467」 → "35.319000,139.546700"; a point outside Japan is refused with what to fix."""
        text = nfkc(self.cleaned_data.get("position", "")).strip()
        if not text:
            return ""
        parts = [p for p in re.split(r"[,\s、]+", text) if p]
        try:
            latitude, longitude = (float(p) for p in parts) if len(parts) == 2 else (None, None)
        except ValueError:
            latitude = longitude = None
        if latitude is None or longitude is None:
            raise forms.ValidationError(
                _("Write the latitude and the longitude as two numbers, e.g. 35.3190, 139.5467.")
            )
        if not (20 <= latitude <= 46 and 122 <= longitude <= 154):
            raise forms.ValidationError(
                _("This point is outside Japan. Write the latitude first (20 to 46), then the longitude (122 to 154).")
            )
        return f"{latitude:.6f},{longitude:.6f}"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        minimum, maximum = data.get("minimum_age"), data.get("maximum_age")
        if minimum is not None and maximum is not None and minimum > maximum:
            self.add_error("maximum_age", _("The maximum age is lower than the minimum age."))
        return data

    def snapshot(self) -> dict[str, Any]:
        """The cleaned values in the shape of listings.snapshot."""
        data = self.cleaned_data
        values = {name: data.get(name) for name in listings.FIELDS}
        for name in ("needs", "targets"):
            values[name] = sorted(values[name] or [])
        for name, value in values.items():
            if value is None and listings.EMPTY[name] is not None:
                values[name] = listings.EMPTY[name]
        return values


class ListingSettingsForm(forms.Form):
    verification_months = forms.IntegerField(
        label=_("Ask members to confirm a listing after this many months"),
        min_value=1,
        max_value=36,
        initial=DEFAULT_VERIFICATION_MONTHS,
        error_messages={
            "min_value": _("Choose between 1 and 36 months."),
            "max_value": _("Choose between 1 and 36 months."),
            "required": _("Choose between 1 and 36 months."),
        },
    )


class ReviewForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the organisation"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class RejectForm(forms.Form):
    note = forms.CharField(
        label=_("Why it is not published (sent to the organisation)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write why, so the organisation can correct it.")},
    )


class ProblemReportForm(forms.ModelForm):
    """What a resident tells us about a listing; no name or address is asked for."""

    class Meta:
        model = ProblemReport
        fields = ["kind", "text"]
        widgets = {"kind": forms.RadioSelect, "text": forms.Textarea(attrs={"rows": 4, "maxlength": 2000})}
        labels = {"text": _("Details (optional)")}
        help_texts = {"text": _("e.g. the right number, or since when it is closed. Please do not write your name.")}
        error_messages = {"kind": {"required": _("Choose what is wrong.")}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = ProblemReport.Kind.choices  # type: ignore[attr-defined]

    def clean_text(self) -> str:
        text = self.cleaned_data.get("text", "").strip()
        if len(text) > 2000:
            raise forms.ValidationError(_("Please keep it under 2,000 characters."))
        return text


class CloseReportForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write what was done, e.g. 「電話番号を直しました」.")},
    )
