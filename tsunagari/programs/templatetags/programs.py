"""`{% upcoming_events platform %}`: the next public events, for the portal's home page."""

from __future__ import annotations

from typing import Any

from django import template

from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import platform_scope

from ..access import public_events

register = template.Library()

HOME_EVENTS = 3


@register.inclusion_tag("programs/portal/_upcoming.html")
def upcoming_events(platform: Platform, count: int = HOME_EVENTS) -> dict[str, Any]:
    with platform_scope(platform, with_national=False):
        events = list(public_events(platform).upcoming().order_by("starts_at", "pk")[:count])
    return {"platform": platform, "events": events}
