"""How allauth behaves here: no open sign-up, e-mail after commit, TOTP kept by those who need it."""

from __future__ import annotations

import time
from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest

from .mail import send_after_commit
from .models import requires_mfa


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Accounts come from invitations (accounts.invitations); nobody signs themselves up.
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        # Someone sent to set up two-factor authentication just after signing in with their
        # password is not asked for it again; removing or replacing a factor still asks.
        request = allauth_context.request
        if app == "allauth.mfa" and request is not None and _first_factor_is_fresh(request):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request), **context}
        send_after_commit(self.render_mail(template_prefix, email, ctx))


def _first_factor_is_fresh(request: HttpRequest) -> bool:
    user = request.user
    if not user.is_authenticated or is_mfa_enabled(user, [Authenticator.Type.TOTP]):
        return False
    records = get_authentication_records(request, user)
    return bool(records) and time.time() - records[-1]["at"] < account_settings.REAUTHENTICATION_TIMEOUT


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        # Coordinators and administrators may replace their authenticator app, never go without.
        return not (authenticator.type == Authenticator.Type.TOTP and requires_mfa(authenticator.user))


def user_display(user: Any) -> str:
    """How allauth names a person in its messages: their name, or their e-mail address."""
    return str(getattr(user, "display_name", "") or getattr(user, "email", "") or user)
