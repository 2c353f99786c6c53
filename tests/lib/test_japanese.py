"""Japanese normalisation for search: one spelling finds another."""

from __future__ import annotations

import threading

import pytest

from tsunagari.lib.japanese import analyze, analyze_query


@pytest.mark.parametrize("spelling", ["ひきこもり", "引きこもり", "引き籠もり"])
def test_hikikomori_is_one_word_however_it_is_written(spelling: str) -> None:
    assert analyze(spelling) == analyze("ひきこもり")


def test_kodomo_in_kana_and_kanji_is_one_word() -> None:
    assert analyze("子ども") == analyze("子供") == analyze("こども")


def test_full_width_latin_becomes_lower_case_ascii() -> None:
    assert analyze("ＤＶ") == analyze("DV") == ["dv"]
    assert analyze("ＬＩＮＥで相談") == ["line", "相談", "そうだん"]


def test_full_width_digits_become_ascii() -> None:
    assert analyze("２４時間") == analyze("24時間") == ["24", "時間", "じかん"]


def test_compounds_are_indexed_with_their_parts() -> None:
    tokens = analyze("こころの健康相談")
    assert "健康相談" in tokens
    assert {"健康", "相談"} <= set(tokens)


def test_a_query_uses_the_parts_of_its_compounds() -> None:
    assert analyze_query("健康相談") == ["健康", "相談"]


def test_particles_auxiliaries_and_symbols_are_dropped() -> None:
    assert analyze("相談できる窓口です。") == ["相談", "そうだん", "窓口", "まどぐち"]
    assert analyze("「子育て」・支援！") == ["子育て", "こそだて", "支援", "しえん"]


def test_a_query_has_no_repeats() -> None:
    assert analyze_query("相談 相談 そうだん") == ["相談"]


def test_underscores_never_reach_a_token() -> None:
    # The index reserves underscores for its filter tokens.
    assert all("_" not in token for token in analyze("foo_bar ＿ 子育て_支援"))


def test_a_long_text_is_analysed_whole() -> None:
    # Sudachi refuses inputs over 49,149 bytes; the text is cut at sentence ends instead.
    text = "ひきこもりの相談ができます。" * 5000
    tokens = analyze(text)
    assert tokens.count("引き籠もり") == 5000
    assert tokens.count("相談") == 5000


def test_a_long_text_without_sentence_ends_is_analysed() -> None:
    tokens = analyze("あ" * 20000 + "子育て")
    assert tokens[-2:] == ["子育て", "こそだて"]


def test_threads_each_use_their_own_tokenizer() -> None:
    results: list[list[str]] = []

    def work() -> None:
        for _ in range(50):
            results.append(analyze("引きこもり地域支援センター"))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 200
    assert all(tokens == results[0] for tokens in results)
