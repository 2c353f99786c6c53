"""Forms of the know-how library: writing an entry, and searching."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Collaboration, Entry, term_labels


def _choices(filename: str) -> list[tuple[str, str]]:
    return list(term_labels(filename).items())


class EntryForm(forms.ModelForm):
    """Write or change an entry. Sharing it with every platform is the coordinators' decision."""

    needs = forms.MultipleChoiceField(label=_("Needs"), choices=(), required=False, widget=forms.CheckboxSelectMultiple)
    targets = forms.MultipleChoiceField(
        label=_("Target groups"), choices=(), required=False, widget=forms.CheckboxSelectMultiple
    )
    collaborations = forms.MultipleChoiceField(
        label=_("Kinds of collaboration"),
        choices=Collaboration.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Entry
        fields = ["kind", "title", "body", "cautions", "needs", "targets", "collaborations", "scope", "published"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 10}),
            "cautions": forms.Textarea(attrs={"rows": 5}),
            "scope": forms.RadioSelect,
        }
        help_texts = {
            "body": _("The situation, who worked together and how, and what came of it."),
            "cautions": _("What was hard, what you would do differently, what others should prepare."),
        }

    def __init__(self, *args: Any, is_coordinator: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["needs"].choices = _choices("needs.tsv")  # type: ignore[attr-defined]
        self.fields["targets"].choices = _choices("targets.tsv")  # type: ignore[attr-defined]
        if is_coordinator:
            self.fields["scope"].help_text = _(
                "Shared entries are read by the people of every platform in the country. "
                "Check that nobody can be recognised from it."
            )
        else:
            del self.fields["scope"]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Words"), required=False, max_length=200)
    need = forms.MultipleChoiceField(label=_("Needs"), choices=(), required=False, widget=forms.CheckboxSelectMultiple)
    target = forms.MultipleChoiceField(
        label=_("Target groups"), choices=(), required=False, widget=forms.CheckboxSelectMultiple
    )
    collaboration = forms.MultipleChoiceField(
        label=_("Kinds of collaboration"),
        choices=Collaboration.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    kind = forms.MultipleChoiceField(
        label=_("Kind"), choices=Entry.Kind.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    shared = forms.BooleanField(label=_("Only entries shared by all platforms"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["need"].choices = _choices("needs.tsv")  # type: ignore[attr-defined]
        self.fields["target"].choices = _choices("targets.tsv")  # type: ignore[attr-defined]

    def search_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "text": data.get("q", ""),
            "needs": data.get("need", []),
            "targets": data.get("target", []),
            "collaborations": data.get("collaboration", []),
            "kinds": data.get("kind", []),
            "shared_only": data.get("shared", False),
        }
