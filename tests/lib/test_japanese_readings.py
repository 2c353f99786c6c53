"""Readings: a word written in kana finds the same word written in kanji (issue 10 item 17)."""

from __future__ import annotations

import pytest

from tsunagari.directory.taxonomy import read_terms
from tsunagari.lib.japanese import analyze, query_clauses, reading


def matches(document: str, query: str) -> bool:
    """Whether the index's tokens of `document` satisfy the query, as the search evaluates them."""
    tokens = set(analyze(document))
    return all(
        any(all(any(form in tokens for form in word) for word in alternative) for alternative in clause)
        for clause in query_clauses(query)
    )


# A key word of every need in needs.tsv, as listings write it, and its reading.
KEY_WORDS = {
    "suicide": ("自殺", "じさつ"),
    "mental_health": ("不安", "ふあん"),
    "loneliness": ("孤独", "こどく"),
    "hikikomori": ("引きこもり", "ひきこもり"),
    "violence": ("暴力", "ぼうりょく"),
    "child_abuse": ("虐待", "ぎゃくたい"),
    "sexual_violence": ("性暴力", "せいぼうりょく"),
    "money": ("生活費", "せいかつひ"),
    "food": ("食料", "しょくりょう"),
    "housing": ("家賃", "やちん"),
    "debt": ("借金", "しゃっきん"),
    "work": ("仕事", "しごと"),
    "caregiving": ("介護", "かいご"),
    "young_carer": ("ヤングケアラー", "やんぐけあらー"),
    "parenting": ("子育て", "こそだて"),
    "pregnancy": ("妊娠", "にんしん"),
    "children": ("子供", "こども"),
    "school": ("不登校", "ふとうこう"),
    "single_parent": ("ひとり親", "ひとりおや"),
    "elderly": ("高齢者", "こうれいしゃ"),
    "disability": ("障害", "しょうがい"),
    "health": ("病気", "びょうき"),
    "addiction": ("依存症", "いぞんしょう"),
    "lgbtq": ("性自認", "せいじにん"),
    "foreign": ("外国人", "がいこくじん"),
    "women": ("女性", "じょせい"),
    "bereavement": ("死別", "しべつ"),
    "crime_victim": ("被害者", "ひがいしゃ"),
    "disaster": ("災害", "さいがい"),
    "legal": ("法律", "ほうりつ"),
    "community": ("居場所", "いばしょ"),
    "unsure": ("総合相談", "そうごうそうだん"),
}


def katakana(text: str) -> str:
    return "".join(chr(ord(char) + 0x60) if "ぁ" <= char <= "ゖ" else char for char in text)


def test_every_need_has_a_key_word() -> None:
    assert {row["code"] for row in read_terms("needs.tsv")} == set(KEY_WORDS)


@pytest.mark.parametrize(("need", "spelling"), [(need, kana) for need, (_word, kana) in KEY_WORDS.items()])
def test_a_need_s_key_word_in_hiragana_finds_it_written_in_kanji(need: str, spelling: str) -> None:
    word = KEY_WORDS[need][0]
    assert matches(f"{word}の相談窓口です。", spelling)


@pytest.mark.parametrize(("need", "spelling"), [(need, katakana(kana)) for need, (_word, kana) in KEY_WORDS.items()])
def test_a_need_s_key_word_in_katakana_finds_it_written_in_kanji(need: str, spelling: str) -> None:
    word = KEY_WORDS[need][0]
    assert matches(f"{word}の相談窓口です。", spelling)


@pytest.mark.parametrize("spelling", ["ヒキコモリ", "ひきこもり", "引き籠もり", "引きこもり"])
def test_every_spelling_of_hikikomori_meets_every_other(spelling: str) -> None:
    for listing in ("ヒキコモリ", "ひきこもり", "引き籠もり", "引きこもり"):
        assert matches(f"{listing}の家族会", spelling)


def test_shakkin_in_kana_meets_the_kanji() -> None:
    assert matches("借金の返済に困っている方の相談", "しゃっきん")
    assert matches("多重債務・借金相談", "しゃっきん 相談")


def test_young_carer_in_hiragana_is_one_word_not_fragments() -> None:
    assert matches("ヤングケアラー相談窓口", "やんぐけあらー")
    assert matches("ヤングケアラー相談窓口", "ヤングケアラー")
    # Cut into やん・ぐ・け・あら, the fragments alone would not be what finds it.
    assert not matches("あらゆる相談", "やんぐけあらー")


def test_readings_are_compared_in_hiragana() -> None:
    # Remove the katakana → hiragana fold and the readings of kanji words (katakana in the
    # dictionary) no longer meet what residents type in hiragana: this test then fails.
    assert reading("ヒキコモリ") == "ひきこもり"
    assert "しゃっきん" in analyze("借金")


def test_a_kanji_query_does_not_match_by_sound() -> None:
    # Only words written in kana are compared by reading: 橋 must not find 箸.
    assert not matches("箸の使い方", "橋")
