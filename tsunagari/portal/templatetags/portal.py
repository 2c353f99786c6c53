"""Template helpers of the public portal."""

from __future__ import annotations

import re

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language

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


@register.filter
def ja(text: str) -> SafeString:
    """Data text (Japanese) marked `lang="ja"` on a page in another language; on a Japanese page, which
    says lang="ja" once on <html>, the text alone (issue 9's page weight: no span for nothing)."""
    if (get_language() or "ja").startswith("ja"):
        return conditional_escape(text)
    return format_html('<span lang="ja">{}</span>', text)
