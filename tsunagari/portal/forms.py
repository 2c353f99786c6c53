"""The portal's search form: every filter a resident can set, validated with Japanese messages."""

from __future__ import annotations

import re
from functools import cache
from typing import Any, cast

from django import forms
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
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


@cache
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

    # The need, target and channel boxes (about fifty) are written here rather than by Django's
    # widget templates: rendering each box through a template took half of a results page's time.
    @property
    def need_boxes(self) -> SafeString:
        return self._boxes("need")

    @property
    def target_boxes(self) -> SafeString:
        return self._boxes("target")

    @property
    def channel_boxes(self) -> SafeString:
        return self._boxes("channel")

    @property
    def fast(self) -> _FastFields:
        """`form.fast.q` in a template: the field's input as Django would write it, without its template."""
        return _FastFields(self)

    def _boxes(self, name: str) -> SafeString:
        field = self.fields[name]
        assert isinstance(field, forms.MultipleChoiceField)
        chosen = set(self.data.getlist(name)) if self.is_bound and hasattr(self.data, "getlist") else set()
        # Plain escaping and joining: format_html for each of fifty boxes cost more than the search.
        return SafeString(
            "".join(
                f'<label><input type="checkbox" name="{escape(name)}" value="{escape(value)}"'
                f"{' checked' if str(value) in chosen else ''}> {escape(label)}</label>"
                for value, label in cast("list[tuple[str, Any]]", field.choices)
            )
        )

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


class _FastFields:
    """The simple inputs of SearchForm written directly; a field with errors gets Django's own rendering.

    The output is the same as the widget templates' (tests compare them), with value, maxlength,
    checked, selected and the help text's aria-describedby.
    """

    def __init__(self, form: SearchForm) -> None:
        self.form = form

    def __getitem__(self, name: str) -> SafeString:
        bound = self.form[name]
        if bound.errors:
            return SafeString(str(bound))
        widget, value = bound.field.widget, bound.value()
        attrs = format_html('name="{}"', name)
        if isinstance(widget, forms.CheckboxInput):
            checked = mark_safe(" checked") if value else ""
            return format_html('<input type="checkbox" {} id="id_{}"{}>', attrs, name, checked)
        if isinstance(widget, forms.Select):
            options = format_html_join(
                "\n\n  ",
                '<option value="{}"{}>{}</option>',
                (
                    (code, mark_safe(" selected") if str(code) == str(value or "") else "", str(label))
                    for code, label in bound.field.choices  # type: ignore[attr-defined]
                ),
            )
            return format_html('<select {} id="id_{}">\n  {}\n\n</select>', attrs, name, options)
        if value not in (None, ""):
            attrs = format_html('{} value="{}"', attrs, widget.format_value(value))
        max_length = getattr(bound.field, "max_length", None)
        if max_length and not widget.is_hidden:
            attrs = format_html('{} maxlength="{}"', attrs, max_length)
        if bound.help_text:
            attrs = format_html('{} aria-describedby="id_{}_helptext"', attrs, name)
        return format_html('<input type="{}" {} id="id_{}">', widget.input_type, attrs, name)
