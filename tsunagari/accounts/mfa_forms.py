"""The two-factor code form of a pending sign-in, with a limit on wrong codes."""

from __future__ import annotations

from allauth.account.internal.stagekit import clear_login
from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm
from django import forms
from django.utils.translation import gettext as _

from .lockout import count_wrong_code


class LimitedAuthenticateForm(AuthenticateForm):
    """allauth's form; after MFA_CODE_ATTEMPTS_PER_SIGN_IN wrong codes the sign-in starts again."""

    def clean_code(self) -> str:
        try:
            return super().clean_code()
        except forms.ValidationError:
            request = context.request
            if request is not None and count_wrong_code(request, self.user):
                clear_login(request)
                raise forms.ValidationError(
                    _("Too many wrong codes. Sign in again with your e-mail address and password.")
                ) from None
            raise
