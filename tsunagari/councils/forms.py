"""Forms of the councils register, supporters and concerns. Errors say in Japanese what to fix."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tsunagari.directory.models import Organization
from tsunagari.membership.models import MemberOrganisation

from .models import ConcernState, Council, SupporterKind, Urgency


def member_organisations() -> QuerySet[Organization]:
    """The platform's approved member organisations (call inside the platform's scope)."""
    ids = MemberOrganisation.objects.approved().filter(organization__isnull=False).values("organization_id")
    return Organization.objects.filter(pk__in=ids).order_by("name")


class CouncilForm(forms.ModelForm):
    coordinating_body: forms.ModelChoiceField[Organization] = forms.ModelChoiceField(
        label=_("Coordinating body (調整機関)"), queryset=Organization.objects.none(), required=False
    )

    class Meta:
        model = Council
        fields = ["name", "basis", "coordinating_body", "announced_on", "announcement"]
        widgets = {
            "announced_on": forms.DateInput(attrs={"type": "date"}),
            "announcement": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "announced_on": _(
                "A regional council is listed on the portal, with its members, once it has been announced. "
                "Other councils are never listed."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["coordinating_body"].queryset = member_organisations()  # type: ignore[attr-defined]


class MemberForm(forms.Form):
    organization: forms.ModelChoiceField[Organization] = forms.ModelChoiceField(
        queryset=Organization.objects.none(), label=_("Member organisation")
    )

    def __init__(self, *args: Any, council: Council, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        seated = council.members.filter(left_on__isnull=True).values("organization_id")
        self.fields["organization"].queryset = member_organisations().exclude(pk__in=seated)  # type: ignore[attr-defined]


class SupporterForm(forms.Form):
    display_name = forms.CharField(label=_("Name"), max_length=100)
    email = forms.EmailField(label=_("E-mail address"))
    kind = forms.ChoiceField(label=_("Kind of supporter"), choices=SupporterKind.choices)
    organization: forms.ModelChoiceField[Organization] = forms.ModelChoiceField(
        queryset=Organization.objects.none(),
        required=False,
        label=_("Partner business"),
        help_text=_("Only for the staff of a partner business."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = member_organisations()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == SupporterKind.PARTNER_STAFF and not data.get("organization"):
            self.add_error("organization", _("Choose the partner business this person works for."))
        return data


class ConcernForm(forms.Form):
    """What a supporter fills in on a phone: three answers, nothing about themselves."""

    what = forms.CharField(
        label=_("What did you notice?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: the newspapers are piling up; the lights have not been on for days."),
        error_messages={"required": _("Write what you noticed.")},
    )
    place = forms.CharField(
        label=_("Where?"),
        max_length=300,
        help_text=_("An address, a building or a landmark."),
        error_messages={"required": _("Write where it was.")},
    )
    urgency = forms.ChoiceField(
        label=_("How urgent is it?"),
        choices=Urgency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how urgent it is.")},
    )


class ConcernMoveForm(forms.Form):
    to = forms.ChoiceField(choices=ConcernState.choices)
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    handed_to: forms.ModelChoiceField[Organization] = forms.ModelChoiceField(
        queryset=Organization.objects.none(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["handed_to"].queryset = member_organisations()  # type: ignore[attr-defined]
