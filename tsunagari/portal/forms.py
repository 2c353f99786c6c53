"""The portal's search form: every filter a resident can set, validated with Japanese messages."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from tsunagari.directory.models import Channel
from tsunagari.directory.taxonomy import term_label, term_rows
from tsunagari.portal.places import find_place
from tsunagari.tenancy.models import Municipality

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
    """A vocabulary's codes with their labels in the page's language."""
    return [(row["code"], term_label(row)) for row in term_rows(filename)]


def clean_place(value: str) -> Municipality | None:
    """The municipality a resident typed, or a Japanese error that says what to type instead."""
    value = value.strip()
    if not value:
        return None
    place = find_place(value)
    if place.municipality is not None:
        return place.municipality
    if place.municipalities:
        names = "、".join(m.full_name for m in place.municipalities)
        raise forms.ValidationError(
            _("There is more than one %(name)s (%(names)s): add the prefecture, e.g. %(example)s.")
            % {"name": value, "names": names, "example": place.municipalities[0].full_name}
        )
    raise forms.ValidationError(
        _(
            "We could not find this place. Enter a 7-digit postal code (e.g. 248-0014) or a municipality name (e.g. 鎌倉市)."
        )
    )


class PlaceForm(forms.Form):
    """Where do you live? On the national home page: leads to the area's portal or the national search."""

    place = forms.CharField(
        label=_("Where do you live?"),
        max_length=40,
        help_text=_("Postal code or municipality, e.g. 248-0014 or 鎌倉市"),
        error_messages={"required": _("Enter a postal code or a municipality name.")},
    )

    def clean_place(self) -> Municipality | None:
        return clean_place(self.cleaned_data["place"])


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
        label=_("Where you live (postal code or municipality)"),
        required=False,
        max_length=40,
        help_text=_("e.g. 248-0014 or 鎌倉市"),
    )
    near = forms.CharField(required=False, widget=forms.HiddenInput, max_length=40)
    radius = forms.FloatField(required=False, min_value=0.1, max_value=100, widget=forms.HiddenInput)
    page = forms.IntegerField(required=False, min_value=1, max_value=1000, widget=forms.HiddenInput)

    option_counts: dict[str, dict[str, int]]
    """Per filter and option, how many of the results have it (set by the view; none: no counts shown)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.option_counts = {}

    # The need, target and channel boxes (about fifty) are written here rather than by Django's
    # widget templates: rendering each box through a template took half of a results page's time.
    # With counts, the needs and targets that no result has are left out (a box that can only give "0" is a
    # dead end, and thirty of them pushed the filters page over 20 KB); one line says how many. The channels
    # all stay: choosing LINE or chat also brings the national lines that offer it.
    @property
    def need_boxes(self) -> SafeString:
        return self._boxes("need", leave_out_empty=True)

    @property
    def target_boxes(self) -> SafeString:
        return self._boxes("target", leave_out_empty=True)

    @property
    def channel_boxes(self) -> SafeString:
        return self._boxes("channel")

    @property
    def fast(self) -> _FastFields:
        """`form.fast.q` in a template: the field's input as Django would write it, without its template."""
        return _FastFields(self)

    def chosen(self, name: str) -> set[str]:
        return set(self.data.getlist(name)) if self.is_bound and hasattr(self.data, "getlist") else set()

    def _boxes(self, name: str, *, leave_out_empty: bool = False) -> SafeString:
        field = self.fields[name]
        assert isinstance(field, forms.MultipleChoiceField)
        chosen = self.chosen(name)
        counts = self.option_counts.get(name)
        choices = list(cast("list[tuple[str, Any]]", field.choices))
        shown = choices
        if leave_out_empty and counts is not None:
            # A chosen option stays, with its count, so that it can be unticked. With one chosen, ticking
            # another of the group would widen the search (options of a group are ORed): for another kind
            # of help the person searches again, rather than scanning thirty boxes on a phone.
            shown = [(value, label) for value, label in choices if counts.get(str(value)) or str(value) in chosen]
        # Plain escaping and joining: format_html for each of fifty boxes cost more than the search.
        boxes = "".join(
            f'<label><input type="checkbox" name="{escape(name)}" value="{escape(value)}"'
            f"{' checked' if str(value) in chosen else ''}> {escape(label)}"
            f"{_count(None if counts is None else counts.get(str(value), 0))}</label>"
            for value, label in shown
        )
        left_out = len(choices) - len(shown)
        if left_out and not shown:
            none = gettext("None of these results has one of these recorded.")
            boxes += f'<p class="note">{escape(none)}</p>'
        elif left_out:
            note = ngettext(
                "%(count)d other option is not shown: none of these results has it.",
                "%(count)d other options are not shown: none of these results has them.",
                left_out,
            ) % {"count": left_out}
            boxes += f'<p class="note">{escape(note)}</p>'
        return SafeString(boxes)

    def active_filters(self) -> list[str]:
        """The labels of every filter set, in the order of the form: shown on the folded filters."""
        if not self.is_bound or not self.is_valid():
            return []
        data = self.cleaned_data
        labels: list[str] = []
        for name in ("need", "target", "channel"):
            field = self.fields[name]
            assert isinstance(field, forms.MultipleChoiceField)
            choices = cast("list[tuple[str, Any]]", field.choices)
            labels += [str(label) for value, label in choices if value in data[name]]
        labels += [str(self.fields[name].label) for name in ("open_now", "open_24h", "free", "anonymous") if data[name]]
        if data["lang"]:
            labels.append(str(dict(LANGUAGES)[data["lang"]]))
        if data["area"]:
            labels.append(data["area"]["label"])
        return labels

    def clean_area(self) -> dict[str, str] | None:
        value = self.cleaned_data["area"].strip()
        if not value:
            return None
        place = find_place(value)
        if place.municipality is not None:
            return {"municipality_code": place.municipality.code, "label": place.municipality.full_name}
        if place.municipalities:
            names = "、".join(m.full_name for m in place.municipalities)
            raise forms.ValidationError(
                _("There is more than one %(name)s (%(names)s): add the prefecture, e.g. %(example)s.")
                % {"name": value, "names": names, "example": place.municipalities[0].full_name}
            )
        raise forms.ValidationError(
            _(
                "We could not find this place. Enter a 7-digit postal code (e.g. 248-0014) or a municipality name (e.g. 鎌倉市)."
            )
        )

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
            kwargs["municipality_code"] = data["area"]["municipality_code"]
        if data["near"]:
            kwargs["near"] = data["near"]
            kwargs["radius_km"] = data["radius"] or 10.0
        return kwargs


def _count(count: int | None) -> str:
    return "" if count is None else f" <small>({count})</small>"


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
