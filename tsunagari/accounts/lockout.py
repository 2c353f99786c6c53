"""django-axes glue: which account a failed sign-in was for."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def client_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The e-mail address tried, lower-cased so that a change of case does not reset the count.

    allauth hands `email` to the backends; the POSTed form field is `login`.
    """
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username")
    if not value and request is not None and request.method == "POST":
        value = request.POST.get("login") or request.POST.get("username")
    return str(value).strip().lower() if value else None
