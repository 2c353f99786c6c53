"""Where a resident lives, from what they type (postal code, municipality code or name), and whose portal covers it."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.db.models import Q

from tsunagari.search.areas import normalise_postal_code, postal_code_municipality
from tsunagari.tenancy.models import Municipality, Platform

# 「鎌倉市」「神奈川県鎌倉市」「東京都 府中市」: an optional prefecture, then the municipality.
_PREFECTURE = re.compile(r"^(北海道|東京都|(?:京都|大阪)府|.{2,3}県)")


@dataclass(frozen=True)
class Place:
    """What a resident's answer to "where do you live?" resolved to."""

    municipalities: tuple[Municipality, ...] = ()
    """One when the answer is clear; several when a name exists in more than one prefecture."""
    unknown: bool = False
    """Something was typed, but it is no postal code, code or name we know."""

    @property
    def municipality(self) -> Municipality | None:
        return self.municipalities[0] if len(self.municipalities) == 1 else None


def find_place(text: str) -> Place:
    """The municipality a postal code, a 6-digit local government code or a municipality name names."""
    value = unicodedata.normalize("NFKC", text).strip()
    if not value:
        return Place()
    related = Municipality.objects.select_related("prefecture")
    if normalise_postal_code(value):
        found = postal_code_municipality(value)
        return Place((found,)) if found else Place(unknown=True)
    digits = value.replace("-", "")
    if re.fullmatch(r"\d{5,6}", digits):
        found = related.filter(code__startswith=digits[:5]).first()
        return Place((found,)) if found else Place(unknown=True)
    name = re.sub(r"\s+", "", value)
    prefecture = ""
    match = _PREFECTURE.match(name)
    if match and len(name) > len(match.group(1)):
        prefecture, name = match.group(1), name[len(match.group(1)) :]
    candidates = related.filter(Q(name=name) | Q(kana=name))
    if prefecture:
        candidates = candidates.filter(prefecture__name=prefecture)
    found_all = tuple(candidates.order_by("code")[:10])
    if not found_all and not prefecture:
        # 「鎌倉」 for 鎌倉市: the name without its 市・区・町・村.
        found_all = tuple(related.filter(name__in=[name + suffix for suffix in "市区町村"]).order_by("code")[:10])
    return Place(found_all) if found_all else Place(unknown=True)


def covering_platform(municipality: Municipality) -> Platform | None:
    """The public local platform for this municipality: its own, else its prefecture's; None when neither exists."""
    public = Platform.objects.public()
    return (
        public.filter(kind=Platform.Kind.MUNICIPALITY, municipality=municipality).first()
        or public.filter(kind=Platform.Kind.PREFECTURE, prefecture_id=municipality.prefecture_id).first()
    )


def national_platform() -> Platform | None:
    return Platform.objects.public().filter(kind=Platform.Kind.NATIONAL).first()


def covers(platform: Platform, municipality: Municipality) -> bool:
    """Whether this platform's portal is the one for residents of `municipality`."""
    if platform.kind == Platform.Kind.MUNICIPALITY:
        return platform.municipality_id == municipality.code
    if platform.kind == Platform.Kind.PREFECTURE:
        return platform.prefecture_id == municipality.prefecture_id
    return True
