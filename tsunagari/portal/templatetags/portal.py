"""Template helpers of the public portal."""

from __future__ import annotations

import re

from django import template

register = template.Library()


@register.filter
def without_licence(attribution: str, licence: str) -> str:
    """The attribution without the licence's name, which the page adds once as a link.

    The open data's attribution already ends with 「（CC BY 4.0）」; written before the linked
    licence, the page said the licence twice.
    """
    if not licence:
        return attribution
    pattern = r"\s*[（(]\s*" + re.escape(licence) + r"\s*[)）]"
    return re.sub(pattern, "", attribution).strip()
