"""The portal's search form: every filter a resident can set, validated with Japanese messages."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tsunagari.directory.models import Channel
from tsunagari.directory.taxonomy import read_terms

LANGUAGES = [
    ("", _("Any language")),
    ("en", "English"),
    ("zh", "中文"),
    ("ko", "한국어"),
    ("vi", "Tiếng Việt"),
    ("pt", "Português"),
    ("tl", "Tagalog"),
    ("ne", "नेपाली"),
]
CHANNELS = [
    (Channel.Kind.PHONE, _("Phone")),
    (Channel.Kind.LINE, _("LINE")),
    (Channel.Kind.CHAT, _("Chat")),
    (Channel.Kind.SNS, _("SNS")),
    (Channel.Kind.EMAIL, _("E-mail")),
    (Channel.Kind.WEB_FORM, _("Web form")),
    (Channel.Kind.VISIT, _("Visit in person")),
    (Channel.Kind.OUTREACH, _("Home visit")),
]


def choices(filename: str) -> list[tuple[str, str]]:
    return [(row["code"], row["label_ja"]) for row in read_terms(filename)]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Words"), required=False, max_length=200)
    need = forms.MultipleChoiceField(label=_("What it is about"), required=False, choices=lambda: choices("needs.tsv"))
    target = forms.MultipleChoiceField(label=_("For whom"), required=False, choices=lambda: choices("targets.tsv"))
    channel = forms.MultipleChoiceField(label=_("How to reach"), required=False, choices=CHANNELS)
    open_now = forms.BooleanField(label=_("Open now"), required=False)
    open_24h = forms.BooleanField(label=_("24 hours"), required=False)
    free = forms.BooleanField(label=_("Free"), required=False)
    anonymous = forms.BooleanField(label=_("Anonymous OK"), required=False)
    lang = forms.ChoiceField(label=_("Language"), required=False, choices=LANGUAGES)
    area = forms.CharField(
        label=_("Postal code or municipality code"),
        required=False,
        max_length=8,
        help_text=_("e.g. 248-0014"),
    )
    near = forms.CharField(required=False, widget=forms.HiddenInput, max_length=40)
    radius = forms.FloatField(required=False, min_value=0.1, max_value=100, widget=forms.HiddenInput)
    page = forms.IntegerField(required=False, min_value=1, max_value=1000, widget=forms.HiddenInput)

    def clean_area(self) -> dict[str, str] | None:
        value = self.cleaned_data["area"].strip().translate(str.maketrans("０１２３４５６７８９－ー", "0123456789--"))
        if not value:
            return None
        digits = value.replace("-", "")
        if re.fullmatch(r"\d{3}-?\d{4}", value):
            return {"postal_code": digits}
        if re.fullmatch(r"\d{6}", digits):
            return {"municipality_code": digits}
        raise forms.ValidationError(_("Enter a 7-digit postal code (e.g. 248-0014) or a 6-digit municipality code."))

    def clean_near(self) -> tuple[float, float] | None:
        value = self.cleaned_data["near"].strip()
        if not value:
            return None
        try:
            lat_text, lon_text = value.split(",")
            lat, lon = float(lat_text), float(lon_text)
        except ValueError:
            raise forms.ValidationError(_("The position must be latitude,longitude.")) from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise forms.ValidationError(_("The position must be latitude,longitude."))
        return lat, lon

    def search_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        kwargs: dict[str, Any] = {
            "text": data["q"],
            "needs": tuple(data["need"]),
            "targets": tuple(data["target"]),
            "channels": tuple(data["channel"]),
            "open_now": data["open_now"],
            "open_24h": data["open_24h"],
            "free": data["free"],
            "anonymous": data["anonymous"],
            "languages": (data["lang"],) if data["lang"] else (),
            "page": data["page"] or 1,
        }
        if data["area"]:
            kwargs.update(data["area"])
        if data["near"]:
            kwargs["near"] = data["near"]
            kwargs["radius_km"] = data["radius"] or 10.0
        return kwargs
