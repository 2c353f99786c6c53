"""`{{ lines|crisis_strip }}`: the emergency strip's row of call buttons and the lines behind "Other lines"."""

from __future__ import annotations

from django import template

from tsunagari.directory.crisis import Strip, strip
from tsunagari.directory.models import CrisisLine

register = template.Library()


@register.filter
def crisis_strip(lines: list[CrisisLine] | None) -> Strip:
    return strip(list(lines or []))
