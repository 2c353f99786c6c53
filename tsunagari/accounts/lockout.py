"""django-axes glue: which account a failed sign-in was for."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def client_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The e-mail address tried, lower-cased so that a change of case does not reset the count.

    allauth hands `email` to the backends; the POSTed form field is `login`.
    """
    credentials = credentials or {}
    value = credentials.get("email")
    if not value and credentials.get("username"):
        # After a successful sign-in axes passes the account's username; its failures were
        # counted under the e-mail address, and must be reset under it (AXES_RESET_ON_SUCCESS).
        from .models import User

        value = User.objects.filter(username=credentials["username"]).values_list("email", flat=True).first()
        value = value or credentials["username"]
    if not value and request is not None and request.method == "POST":
        value = request.POST.get("login") or request.POST.get("username")
    return str(value).strip().lower() if value else None


PENDING_WRONG_CODES = "tsunagari.mfa_wrong_codes"


def count_wrong_code(request: HttpRequest, user: Any) -> bool:
    """Count a wrong two-factor code; True when this pending sign-in has had too many.

    The count is kept per pending sign-in (it starts again only with the password). Each wrong
    code also counts as a failed sign-in for django-axes, so that the address is locked as after
    wrong passwords; allauth's "login_failed" limit on the account applies from any address.
    """
    from django.conf import settings
    from django.contrib.auth.signals import user_login_failed

    stage = getattr(request, "_login_stage", None)
    started = stage.login.initiated_at if stage is not None else None
    record = request.session.get(PENDING_WRONG_CODES) or {}
    count = record.get("count", 0) + 1 if record.get("started") == started else 1
    request.session[PENDING_WRONG_CODES] = {"started": started, "count": count}
    user_login_failed.send(sender=__name__, credentials={"email": user.email}, request=request)
    return count >= settings.MFA_CODE_ATTEMPTS_PER_SIGN_IN
