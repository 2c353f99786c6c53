"""Issue 14 item 9: one word for two-factor authentication, 多要素認証, as django-allauth's own screens say."""

from __future__ import annotations

from pathlib import Path

import allauth

ROOT = Path(__file__).resolve().parents[2]
OURS = ROOT / "tsunagari" / "locale" / "ja" / "LC_MESSAGES" / "django.po"
ALLAUTH = Path(allauth.__file__).parent / "locale" / "ja" / "LC_MESSAGES" / "django.po"
OTHER_WORDS = ("2段階認証", "二段階認証", "２段階認証", "二要素認証", "2要素認証")


def test_the_catalogues_say_multi_factor_authentication_only() -> None:
    # The msgids are English: every Japanese word of a catalogue is in a translation.
    for catalogue in (OURS, ALLAUTH):
        text = catalogue.read_text(encoding="utf-8")
        for word in OTHER_WORDS:
            assert word not in text, (catalogue.name, word)
    assert "多要素認証" in OURS.read_text(encoding="utf-8")
