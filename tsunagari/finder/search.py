"""The one search of residents' words, for the portal's results page and the API alike (issue 9 item 6).

The words are searched as they are (lib.japanese: normalised forms and readings) and, through
the finder's understanding, for the needs they name: 家賃が払えない also finds the 住居確保給付金
window, さびしい the windows for loneliness. Both callers get the same services for the same words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tsunagari.search.query import SearchResults, search_services
from tsunagari.tenancy.models import Platform, national_platform

from .understanding import search_needs

__all__ = ["resident_search"]

# When the needs the words name have no window at all, the windows of a close need still help:
# a lonely person is welcome at a 居場所, and the other way round.
RELATED = {"loneliness": ("community",), "community": ("loneliness",), "sexual_violence": ("violence",)}


def resident_search(
    *, platform: Platform | None, text: str = "", visible_to: Sequence[int] | None = None, **filters: Any
) -> SearchResults:
    """search_services with the needs understood from `text`; `platform` None = every public platform.

    For None, `visible_to` must list the platforms whose published services count (the national
    API's catalogue).
    """
    understood = search_needs(text) if text.strip() else ()
    if platform is None:
        platform = national_platform()
    found = search_services(platform=platform, text=text, understood=understood, visible_to=visible_to, **filters)
    if found.total == 0 and understood:
        # Nothing for the strong needs: the weaker ones the words also name (いじめ → children).
        wider = search_needs(text, wider=True)
        wider = tuple(dict.fromkeys([*wider, *(code for need in wider for code in RELATED.get(need, ()))]))
        if wider != understood:
            found = search_services(platform=platform, text=text, understood=wider, visible_to=visible_to, **filters)
    return found
