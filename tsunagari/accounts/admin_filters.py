"""Admin list filters shared by every app's admin (the apps above accounts import them from here)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest

from .models import staff_platform_ids

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise
else:
    StrOrPromise = str


class OwnPlatformsFilter(admin.RelatedFieldListFilter):
    """ "By platform", offering only the platforms the person coordinates (not every platform's name)."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> list[tuple[str, StrOrPromise]]:
        choices = super().field_choices(field, request, model_admin)
        if request.user.is_superuser:
            return choices
        own = {str(pk) for pk in staff_platform_ids(request.user)}
        return [(pk, name) for pk, name in choices if str(pk) in own]


PLATFORM_FILTER = ("platform", OwnPlatformsFilter)
