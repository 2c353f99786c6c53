"""The form for taking up an invitation (the invitation forms, which name organisations, are the
workspace's: tsunagari.workspace.forms)."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from .models import User


class AcceptInvitationForm(forms.Form):
    """A new person chooses their name and password."""

    display_name = forms.CharField(label=_("Your name (shown to other members)"), max_length=100)
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(
        label=_("Password (again)"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password1, password2 = data.get("password1"), data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ."))
        elif password1:
            # Checked against a stand-in user, so that a password resembling the address is refused.
            candidate = User(username=self.email, email=self.email, display_name=data.get("display_name", ""))
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class LoginForm(AllauthLoginForm):
    """allauth's sign-in form, with the address filled in for someone who just took up an invitation."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = kwargs.get("request")
        hint = request.session.get("login_hint") if request is not None and hasattr(request, "session") else None
        if hint and not self.is_bound:
            self.initial["login"] = hint
