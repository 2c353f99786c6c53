"""Look a public platform up for a request (404 when missing or not public).

What depends on who is signed in (a coordinator's platform) is in tsunagari.accounts.access."""

from __future__ import annotations

from django.http import Http404

from .models import Platform


def get_public_platform(slug: str) -> Platform:
    try:
        return Platform.objects.select_related("prefecture", "municipality").get(slug=slug, is_public=True)
    except Platform.DoesNotExist:
        raise Http404 from None
