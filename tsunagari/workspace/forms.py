"""Forms of the workspace's people pages: a coordinator invites someone, an organisation invites its staff."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tsunagari.accounts.models import ORGANISATION_ROLES, Role
from tsunagari.directory.models import Organization
from tsunagari.tenancy.models import Platform


class InviteForm(forms.Form):
    """A coordinator invites an e-mail address to a role on their platform."""

    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    organization: forms.ModelChoiceField[Organization] = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("Needed for member organisation administrators and staff."),
    )

    def __init__(self, *args: Any, platform: Platform, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only this platform's own organisations; read inside the platform's scope by the view.
        self.fields["organization"].queryset = Organization.objects.filter(platform=platform).order_by("name")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("role") in ORGANISATION_ROLES and not data.get("organization"):
            self.add_error("organization", _("Choose the organisation this person works for."))
        if data.get("role") not in ORGANISATION_ROLES:
            data["organization"] = None
        return data


class StaffInviteForm(forms.Form):
    """A member organisation's administrator invites a member of staff of their own organisation."""

    email = forms.EmailField(label=_("E-mail address"))
    organization: forms.ModelChoiceField[Organization] = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organization.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, organisations: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the organisations this person administers on this platform (see workspace.views).
        self.fields["organization"].queryset = organisations  # type: ignore[attr-defined]
