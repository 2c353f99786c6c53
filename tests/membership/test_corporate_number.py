"""The corporate number (法人番号) check digit, against numbers the NTA publishes."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tsunagari.membership.validators import (
    CorporateNumberKind,
    corporate_number_check_digit,
    corporate_number_kind,
    corporate_number_url,
    normalise_corporate_number,
    validate_corporate_number,
)

# Corporate numbers published on the NTA's 法人番号公表サイト, and a worked example checked by hand.
PUBLISHED = [
    "7000012050002",  # 国税庁
    "1180301018771",  # トヨタ自動車株式会社
    # From the right, 6·1 4·2 2·1 6·2 5·1 2·2 8·1 7·2 6·1 5·2 3·1 8·2 = 94; 94 mod 9 = 4; 9 − 4 = 5.
    "5835678256246",
]


@pytest.mark.parametrize("number", PUBLISHED)
def test_it_accepts_published_numbers(number: str) -> None:
    assert corporate_number_check_digit(number[1:]) == int(number[0])
    validate_corporate_number(number)


def test_every_other_check_digit_is_refused() -> None:
    base = PUBLISHED[0][1:]
    right = corporate_number_check_digit(base)
    for digit in range(10):
        if digit == right:
            continue
        with pytest.raises(ValidationError) as error:
            validate_corporate_number(f"{digit}{base}")
        assert error.value.code == "corporate_number_check_digit"


def test_a_remainder_of_zero_gives_nine() -> None:
    # 000000000009: Σ = 9 × 1 = 9, 9 mod 9 = 0, so the check digit is 9 − 0 = 9.
    assert corporate_number_check_digit("000000000009") == 9


def test_a_swap_of_neighbouring_digits_is_caught() -> None:
    # The weights alternate 1 and 2, so exchanging two different neighbours changes the sum.
    number = PUBLISHED[1]
    swapped = number[:5] + number[6] + number[5] + number[7:]
    assert swapped != number
    with pytest.raises(ValidationError):
        validate_corporate_number(swapped)


@pytest.mark.parametrize(
    "typed", ["７０００－０１２０－５０００２", "7000-0120-50002", " 7000012050002 ", "T7000012050002"]
)
def test_it_reads_numbers_as_people_type_them(typed: str) -> None:
    assert normalise_corporate_number(typed) == "7000012050002"
    validate_corporate_number(typed)


@pytest.mark.parametrize("wrong", ["700001205000", "70000120500021", "70000120500a2"])
def test_it_says_a_number_has_thirteen_digits(wrong: str) -> None:
    with pytest.raises(ValidationError) as error:
        validate_corporate_number(wrong)
    assert error.value.code == "corporate_number_length"


def test_an_empty_number_is_allowed() -> None:
    validate_corporate_number("")


@pytest.mark.parametrize(
    ("number", "kind"),
    [
        ("7000012050002", CorporateNumberKind.NATIONAL),  # 国税庁
        ("4000012090001", CorporateNumberKind.NATIONAL),  # 経済産業省
        ("8000020130001", CorporateNumberKind.LOCAL),  # 東京都: 000020 + 団体コード 130001
        ("3000020142042", CorporateNumberKind.LOCAL),  # 鎌倉市: 000020 + 142042
        ("1180301018771", CorporateNumberKind.REGISTERED),  # トヨタ自動車株式会社: 会社法人等番号 1803-01-…
        ("5835678256246", CorporateNumberKind.OTHER),  # twelve digits starting with 8: not a registry number
    ],
)
def test_it_tells_the_kind_of_a_number(number: str, kind: CorporateNumberKind) -> None:
    validate_corporate_number(number)
    assert corporate_number_kind(number) == kind


def test_it_links_to_the_numbers_page_on_the_nta_site() -> None:
    assert corporate_number_url("7000012050002") == (
        "https://www.houjin-bangou.nta.go.jp/henkorireki-johoto.html?selHouzinNo=7000012050002"
    )
