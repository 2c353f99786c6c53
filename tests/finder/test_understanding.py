"""Tests for the finder's understanding core: needs, crisis safety, hints and evidence (no database)."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SHARED, shared_data
from tsunagari.finder.understanding import Understanding, understand

SHARED_CASES = SHARED / "finder" / "dev-cases.jsonl"
HELDOUT_CASES = Path(__file__).resolve().parent / "data" / "heldout.jsonl"
FRESH_CASES = Path(__file__).resolve().parent / "data" / "fresh.jsonl"


def read_cases(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# The development cases live in the project's shared folder (not in the repository); without it
# only the held-out cases run, and test_the_development_cases_are_here says so.
DEV = read_cases(SHARED_CASES) if SHARED_CASES.exists() else []
HELDOUT = read_cases(HELDOUT_CASES)
ALL_CASES = DEV + HELDOUT
CRISIS_CASES = [case for case in ALL_CASES if case["crisis"] is True]
# Every crisis case we keep, with the kind of crisis it is (the kind decides which lines come first).
KIND_CASES = CRISIS_CASES + [case for case in read_cases(FRESH_CASES) if case["crisis"] is True]
# The shared development cases carry needs but no kind: the kind follows from them, most urgent first.
KIND_OF_NEED = (
    ("child_abuse", "child"),
    ("suicide", "suicide"),
    ("violence", "violence"),
    ("sexual_violence", "violence"),
)


def expected_kind(case: dict[str, Any]) -> str:
    if "kind" in case:
        return str(case["kind"])
    return next(kind for need, kind in KIND_OF_NEED if need in case["needs"])


CALM_CASES = [case for case in ALL_CASES if case["crisis"] is False]


def text_of(case: dict[str, Any]) -> str:
    return str(case["text"])


def test_the_development_cases_are_here() -> None:
    assert read_cases(shared_data(SHARED_CASES))


# --- Crisis safety -----------------------------------------------------------------------------


@pytest.mark.parametrize("case", CRISIS_CASES, ids=text_of)
def test_it_flags_every_crisis_case(case: dict[str, Any]) -> None:
    result = understand(text_of(case))
    assert result.crisis, f"missed crisis: {case['text']} → {result.top()}"
    assert result.crisis_kind is not None
    assert result.evidence["crisis"], "a crisis must say which words raised it"


@pytest.mark.parametrize("case", KIND_CASES, ids=text_of)
def test_it_names_the_right_kind_for_every_crisis_case(case: dict[str, Any]) -> None:
    # The flag alone is not enough: a child hit by a parent must get 189 first, not the DV lines.
    result = understand(text_of(case))
    assert result.crisis_kind == expected_kind(case), f"{case['text']} → {result.crisis_kinds}"


def test_it_keeps_false_alarms_at_or_below_three_percent() -> None:
    alarms = [text_of(case) for case in CALM_CASES if understand(text_of(case)).crisis]
    print("false alarms:", alarms)
    assert len(alarms) / len(CALM_CASES) <= 0.03


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("死にたいです", "suicide"),
        ("もう消えたい", "suicide"),
        ("いなくなりたい", "suicide"),
        ("生きてる意味ない", "suicide"),
        ("楽になりたい", "suicide"),
        ("もう疲れた", "suicide"),
        ("死にたくないけど、消えたい", "suicide"),
        ("死にてえ", "suicide"),
        ("死にたかった。今も", "suicide"),
        ("夫に殴られる", "violence"),
        ("彼氏に首を絞められた", "violence"),
        ("レイプされた", "violence"),
        ("父親に殴られた。中学生です", "child"),
        ("隣の家から子どもの泣き叫ぶ声が毎晩する", "child"),
        ("子どもを叩いてしまう", "child"),
        # Violence against a minor by anyone (not only a parent) is a child crisis: 189 first.
        ("高校生です。彼氏に殴られている", "child"),
        ("15歳です。彼氏に殴られた", "child"),
        ("中学生だけど、付き合ってる人に首を絞められた", "child"),
        ("I'm 15 and my boyfriend hits me", "child"),
        # An overdose already taken: 119 before anything else.
        ("薬をたくさん飲んでしまった", "emergency"),
        ("さっきODした", "emergency"),
        ("I took too many pills", "emergency"),
        ("薬を一気に飲んだらどうなるか調べてる", "suicide"),
        # Indirect ideation in English, like 消えたい and いないほうがいい.
        ("I want to disappear", "suicide"),
        ("I can't go on", "suicide"),
        ("everyone would be better off without me", "suicide"),
        ("I just want to sleep forever and not wake up", "suicide"),
    ],
)
def test_it_names_the_kind_of_crisis(text: str, kind: str) -> None:
    result = understand(text)
    assert result.crisis
    assert result.crisis_kind == kind


@pytest.mark.parametrize(
    "text",
    [
        "死ぬほど忙しい",
        "死ぬほど笑った",
        "死ぬかと思った",
        "死にたくない",
        "死にたいわけじゃないけど、誰かと話したい",
        "死にたいとは思わないけど、毎日つまらない",
        "殺す気か",
        "ガチャで爆死した",
        "死んだ魚の目で働いてる",
        "腹が減って死にそう",
        "自死遺族の会に参加したい",
        "自殺予防のボランティアをしたい",
        "仕事が忙しすぎて死ぬ",
        "テストの点が悪くて親に殺される笑",
        "母の介護でもう限界",
    ],
)
def test_it_does_not_raise_the_alarm_for_intensifiers_negations_and_idioms(text: str) -> None:
    result = understand(text)
    assert not result.crisis, f"false alarm: {text} ← {result.evidence.get('crisis')}"


def test_a_negated_risk_phrase_still_hints_at_distress() -> None:
    result = understand("死にたいわけじゃないけど")
    assert not result.crisis
    assert "mental_health" in result.top()
    assert any("negated" in item.note for item in result.ignored)


def test_a_weak_signal_alone_raises_the_alarm_but_not_when_something_else_explains_it() -> None:
    alone = understand("もう疲れた")
    explained = understand("仕事でもう疲れた")
    assert alone.crisis
    assert "nothing else explains it" in alone.evidence["crisis"][0].note
    assert not explained.crisis
    assert any("explained by work" in item.note for item in explained.ignored)


# --- Needs -------------------------------------------------------------------------------------


def top3_hit_rate(cases: list[dict[str, Any]]) -> float:
    misses = []
    for case in cases:
        result = understand(text_of(case))
        if not set(result.top(3)) & set(case["needs"]):
            misses.append(f"{case['text']} expected {case['needs']} got {result.top(3)}")
    print("top-3 misses:", *misses, sep="\n  ")
    return 1 - len(misses) / len(cases)


def test_every_dev_case_has_a_right_need_in_the_top_three() -> None:
    shared_data(SHARED_CASES)
    assert top3_hit_rate(DEV) >= 0.95


def test_the_held_out_cases_have_a_right_need_in_the_top_three() -> None:
    assert top3_hit_rate(HELDOUT) >= 0.95


@pytest.mark.parametrize(
    ("text", "need"),
    [
        ("母の介護で仕事をやめるしかないかも", "caregiving"),
        ("息子が10年部屋から出てこない", "hikikomori"),
        ("ワイ、ぼっちで草", "loneliness"),
        ("お金あらへん", "money"),
        ("お金ない", "money"),
        ("薬いっぱい飲んだ", "suicide"),
        ("きょうだいの世話で部活ができない", "young_carer"),
        ("シンママで余裕がない", "single_parent"),
        ("離婚の手続きがわからない", "legal"),
    ],
)
def test_it_understands_colloquial_and_indirect_wording(text: str, need: str) -> None:
    assert need in understand(text).top(3)


def test_a_child_caring_for_family_is_a_young_carer() -> None:
    result = understand("中学生です。毎日、祖父の介護をしています")
    assert "young_carer" in result.top(3)
    assert result.age_group == "child"
    assert any(item.concept == "rule.young_carer" for item in result.evidence["young_carer"])


@pytest.mark.parametrize("text", ["", "   ", "\u3000\n", "。。。"])
def test_empty_or_blank_input_is_unsure_and_never_a_crisis(text: str) -> None:
    result = understand(text)
    assert result.top() == ["unsure"]
    assert result.needs[0][1] < 0.2
    assert not result.crisis


def test_text_with_nothing_recognisable_falls_back_to_the_general_window() -> None:
    result = understand("こんにちは")
    assert result.top() == ["unsure"]
    assert result.evidence["unsure"][0].concept == "rule.fallback"


def test_scores_are_between_zero_and_one_and_best_first() -> None:
    scores = [score for _, score in understand("借金が返せなくて家賃も払えない、眠れない").needs]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < score < 1 for score in scores)


# --- Writing systems and languages ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "need"),
    [
        ("しにたい", "suicide"),
        ("おやのかいごでつかれた", "caregiving"),
        ("ひきこもりのむすこがいる", "hikikomori"),
        ("しゃっきんがかえせない", "debt"),
        ("いじめられてる", "school"),
        ("おっとになぐられた", "violence"),
    ],
)
def test_it_reads_hiragana_only_text(text: str, need: str) -> None:
    assert need in understand(text).top(3)


@pytest.mark.parametrize(
    ("text", "need"),
    [("ＤＶを受けている", "violence"), ("ｼﾆﾀｲ", "suicide"), ("ＬＧＢＴの相談", "lgbtq"), ("ｶｲｺﾞがつらい", "caregiving")],
)
def test_it_reads_full_width_and_half_width_text(text: str, need: str) -> None:
    assert need in understand(text).top(3)


@pytest.mark.parametrize(
    ("text", "need", "language"),
    [
        ("I want to die", "suicide", "en"),
        ("My husband hits me", "violence", "en"),
        ("I have no money and no food", "money", "en"),
        ("我想死", "suicide", "zh"),
        ("没有钱，找不到工作", "money", "zh"),
        ("죽고 싶어요", "suicide", "ko"),
        ("일자리를 잃었어요", "work", "ko"),
        ("Tôi muốn chết", "suicide", "vi"),
        ("Tôi không có tiền", "money", "vi"),
        ("Quero morrer", "suicide", "pt"),
        ("Preciso de um lugar para morar", "housing", "pt"),
        ("Gusto ko nang mamatay", "suicide", "tl"),
        ("Walang pera", "money", "tl"),
        ("म मर्न चाहन्छु", "suicide", "ne"),
        ("मसँग पैसा छैन", "money", "ne"),
    ],
)
def test_it_understands_short_texts_in_other_languages(text: str, need: str, language: str) -> None:
    result = understand(text)
    assert result.language == language
    assert need in result.top(3)
    assert "foreign" in result.top(3), "a non-Japanese text also needs the multilingual windows"
    assert result.crisis == (need in ("suicide", "violence"))


@pytest.mark.parametrize("text", ["I don't want to die", "Não quero morrer", "I'm not suicidal"])
def test_a_negated_risk_phrase_in_english_or_portuguese_is_no_crisis(text: str) -> None:
    assert not understand(text).crisis


def test_japanese_with_loaned_acronyms_is_still_japanese() -> None:
    result = understand("DV")
    assert result.language == "und"
    assert "foreign" not in result.top()


def test_it_handles_a_long_letter() -> None:
    letter = (
        "はじめまして。七十八歳の母と二人で暮らしている五十代の会社員です。母は三年前に父を亡くしてから物忘れが"
        "ひどくなり、夜中に外へ出ようとします。仕事を続けながら介護をしていますが、夜も眠れず職場でもミスが増えました。"
    ) * 20
    assert len(letter) > 2000
    result = understand(letter)
    assert result.top(1) == ["caregiving"]
    assert not result.crisis


def test_it_handles_a_text_longer_than_sudachi_accepts() -> None:
    # Sudachi refuses inputs over 49,149 bytes; the text is cut into sentences first.
    result = understand("毎日さびしい。" * 5000 + "死にたい")
    assert result.crisis
    assert "loneliness" in result.top(3)


# --- Hints -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "asker", "age_group"),
    [
        ("死にたい", "self", "unknown"),
        ("息子が10年部屋から出てこない", "family", "adult"),
        ("80歳の父が一人で暮らしていて心配", "family", "elderly"),
        ("民生委員です。担当地区の高齢者の見守りについて", "professional", "elderly"),
        ("中学生です。学校に行きたくない", "self", "child"),
        ("大学生で奨学金の返済が不安", "self", "youth"),
        ("こんにちは", "unknown", "unknown"),
    ],
)
def test_it_hints_who_is_asking_and_their_age(text: str, asker: str, age_group: str) -> None:
    result = understand(text)
    assert (result.asker, result.age_group) == (asker, age_group)


@pytest.mark.parametrize(
    ("text", "raw", "kind", "postal_code"),
    [
        ("〒２２０－００１２ 生活保護の相談", "〒220-0012", "postal_code", "2200012"),
        ("郵便番号 100-0001 です", "郵便番号 100-0001", "postal_code", "1000001"),
        ("横浜市に住んでいます", "横浜市", "municipality", None),
        ("札幌市中央区で仕事を探しています", "札幌市中央区", "municipality", None),
        ("大阪在住のシングルマザーです", "大阪", "prefecture", None),
    ],
)
def test_it_finds_the_place_in_the_text(text: str, raw: str, kind: str, postal_code: str | None) -> None:
    place = understand(text).place
    assert place is not None
    assert (place.raw, place.kind, place.postal_code) == (raw, kind, postal_code)


def test_a_phone_number_is_not_a_postal_code() -> None:
    assert understand("よりそいホットラインは0120-279-338です").place is None


def test_the_place_keeps_a_prefecture_named_alongside() -> None:
    place = understand("広島県府中市に住んでいます").place
    assert place is not None
    assert (place.raw, place.prefecture) == ("府中市", "広島県")


# --- Evidence ----------------------------------------------------------------------------------


def test_evidence_points_at_the_words_that_led_to_each_need() -> None:
    text = "母の介護で仕事をやめるしかないかも"
    result = understand(text)
    caregiving = result.evidence["caregiving"]
    assert any("介護" in item.matched and item.concept == "caregiving.word" for item in caregiving)
    assert all(result.text[item.start : item.end] == item.matched for item in caregiving)


def test_crisis_evidence_names_the_concept_and_the_words() -> None:
    result = understand("もう消えたい")
    (item,) = result.evidence["crisis"]
    assert (item.concept, item.matched, item.via) == ("suicide.disappear", "消えたい", "lemma")


def test_ignored_evidence_shows_why_an_idiom_did_not_count() -> None:
    result = understand("死ぬほど忙しい")
    assert not result.crisis
    idioms = [item for item in result.ignored if item.concept == "idiom.shinu_hodo"]
    assert idioms
    assert idioms[0].matched == "死ぬほど"


@pytest.mark.parametrize("case", ALL_CASES, ids=text_of)
def test_every_evidence_item_slices_the_normalised_text(case: dict[str, Any]) -> None:
    result = understand(text_of(case))
    items = [item for group in result.evidence.values() for item in group] + list(result.ignored)
    for item in items:
        if item.via != "rule":
            assert result.text[item.start : item.end] == item.matched


def test_the_result_serialises_to_json() -> None:
    result = understand("〒100-0001 夫に殴られて家に帰れない")
    data = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    assert data["crisis"] is True
    assert data["needs"][0]["code"] == "violence"
    assert data["place"]["postal_code"] == "1000001"
    assert data["evidence"]["crisis"][0]["concept"].startswith("violence.")


def test_it_gives_the_same_answers_from_many_threads() -> None:
    texts = [text_of(case) for case in DEV or HELDOUT]
    expected = [understand(text).top() for text in texts]
    results: dict[int, list[list[str]]] = {}

    def work(number: int) -> None:
        results[number] = [understand(text).top() for text in texts]

    threads = [threading.Thread(target=work, args=(number,)) for number in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(answers == expected for answers in results.values())


def test_understanding_is_a_plain_value() -> None:
    assert isinstance(understand("眠れない"), Understanding)
