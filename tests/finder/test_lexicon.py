"""Tests for the concept lexicon: the file's format, its coverage, and how a correction takes effect."""

from __future__ import annotations

import unicodedata
from collections import Counter

import pytest

from tsunagari.finder.lexicon import LexiconError, default_concepts, need_codes, parse_lexicon
from tsunagari.finder.matching import compile_lexicon, default_lexicon, find_hits
from tsunagari.finder.text import views
from tsunagari.finder.understanding import understand

ROW = "{id}\t{needs}\t{crisis}\t{hint}\t{forms}"


def row(id: str = "money.test", needs: str = "money", crisis: str = "", hint: str = "", forms: str = "金欠") -> str:
    return ROW.format(id=id, needs=needs, crisis=crisis, hint=hint, forms=forms)


def test_the_projects_lexicon_loads() -> None:
    concepts = default_concepts()
    assert len(concepts) > 100
    assert sum(len(concept.forms) for concept in concepts) > 3000


def test_every_need_code_has_at_least_twenty_forms() -> None:
    forms: Counter[str] = Counter()
    for concept in default_concepts():
        for need, _ in concept.needs:
            forms[need] += len(concept.forms)
    thin = {code: forms[code] for code in need_codes() if forms[code] < 20}
    assert not thin


def test_every_crisis_kind_has_many_forms() -> None:
    forms: Counter[str] = Counter()
    for concept in default_concepts():
        if concept.crisis:
            forms[concept.crisis] += len(concept.forms)
    assert min(forms[kind] for kind in ("suicide", "violence", "child")) >= 100


def test_every_form_matches_its_own_words() -> None:
    # A form that cannot match anything (one kana, a misspelt gap part) is a silent hole in coverage.
    lexicon = default_lexicon()
    dead = []
    for index, concept in enumerate(lexicon.concepts):
        for form in concept.forms:
            text = unicodedata.normalize("NFKC", "、".join(part.lstrip("=!") for part in form.split("~")))
            if not any(hit.concept == index for hit in find_hits(lexicon, views(text))):
                dead.append((concept.id, form))
    assert not dead


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (row(needs="moneyy"), "unknown need code 'moneyy'"),
        (row(needs="money:9"), "weight of money must be in (0, 3]"),
        (row(needs="money:lots"), "weight 'lots' of money is not a number"),
        (row(crisis="fire"), "crisis kind must be one of"),
        (row(hint="age=ancient"), "hint must be"),
        (row(id="Money"), "must look like need.short_name"),
        (row(forms=""), "has no forms"),
        (row(forms="夫~"), "has an empty side"),
        (row() + "\n" + row(), "money.test is already defined at test:1"),
        ("money.test\tmoney", "expected 5 tab-separated columns, found 2"),
    ],
)
def test_a_bad_row_fails_loudly_with_its_line(text: str, message: str) -> None:
    with pytest.raises(LexiconError, match="test:"):
        parse_lexicon(text, source="test")
    with pytest.raises(LexiconError) as error:
        parse_lexicon(text, source="test")
    assert message in str(error.value)


def test_comments_and_blank_lines_are_skipped_and_weights_default_to_one() -> None:
    (concept,) = parse_lexicon("# a comment\n\n" + row(needs="money debt:0.5", crisis="suicide?"), source="test")
    assert concept.needs == (("money", 1.0), ("debt", 0.5))
    assert (concept.crisis, concept.weak) == ("suicide", True)


def test_a_correction_takes_effect_in_a_compiled_lexicon() -> None:
    # How staff check a change before it is merged: add the row, compile, ask again.
    text = "ぴえん案件で詰んでる"
    assert "mental_health" not in understand(text).top()
    extra = parse_lexicon(row(id="mental_health.pien", needs="mental_health", forms="ぴえん"), source="extra")
    lexicon = compile_lexicon([*default_concepts(), *extra])
    result = understand(text, lexicon=lexicon)
    assert result.top(1) == ["mental_health"]
    assert result.evidence["mental_health"][0].concept == "mental_health.pien"
