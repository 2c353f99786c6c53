"""Checks on what applicants and coordinators send: corporate numbers and signed PDF documents."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tsunagari.notices import files

# What people type around the digits: hyphens, spaces, the prefix 「T」 of an invoice number.
_SEPARATORS = re.compile(r"[\s\-‐－ー―]")

PDF_CONTENT_TYPES = frozenset({"application/pdf", "application/x-pdf"})


def corporate_number_check_digit(base: str) -> int:
    """The check digit (検査用数字) of a 12-digit corporate number base, by the NTA's formula.

    9 − (Σ Pn × Qn mod 9), where Pn is the n-th digit counted from the right and Qn is 1 for odd
    n and 2 for even n (法人番号の指定等に関する省令 第2条).
    """
    if len(base) != 12 or not base.isascii() or not base.isdigit():
        raise ValueError("A corporate number base has 12 digits.")
    total = sum(int(digit) * (1 if n % 2 else 2) for n, digit in enumerate(reversed(base), start=1))
    return 9 - total % 9


def normalise_corporate_number(value: str) -> str:
    """The digits of a corporate number as typed (full-width digits, hyphens and spaces allowed)."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", value or "")).removeprefix("T")


def validate_corporate_number(value: str) -> None:
    """Refuse anything but 13 digits whose first digit checks the other twelve."""
    digits = normalise_corporate_number(value)
    if not digits:
        return
    if len(digits) != 13 or not digits.isascii() or not digits.isdigit():
        raise ValidationError(
            _("A corporate number (法人番号) has 13 digits. Please check the number and type it again."),
            code="corporate_number_length",
        )
    if int(digits[0]) != corporate_number_check_digit(digits[1:]):
        raise ValidationError(
            _(
                "This corporate number (法人番号) does not exist: its first digit does not match the others. "
                "Please check it against the 国税庁 法人番号公表サイト."
            ),
            code="corporate_number_check_digit",
        )


class CorporateNumberKind(StrEnum):
    """Who a corporate number was given to, read from its twelve digits after the check digit."""

    NATIONAL = "national"  # 国の機関
    LOCAL = "local"  # 地方公共団体
    REGISTERED = "registered"  # 設立登記法人
    OTHER = "other"  # その他の法人・団体 (人格のない社団等, foreign companies …)


CORPORATE_NUMBER_KIND_LABELS: dict[CorporateNumberKind, Promise] = {
    CorporateNumberKind.NATIONAL: _("national government body (国の機関)"),
    CorporateNumberKind.LOCAL: _("local government (地方公共団体)"),
    CorporateNumberKind.REGISTERED: _("registered corporation (設立登記法人)"),
    CorporateNumberKind.OTHER: _("other corporation or association"),
}


def corporate_number_kind(number: str) -> CorporateNumberKind:
    """The kind of a valid 13-digit corporate number.

    The NTA numbers national bodies and local governments apart from the registry: a registered
    corporation's twelve digits are its 会社法人等番号 (registry office code 0100–5000, never
    starting with 00); national bodies get 00001…, local governments 00002… (000020 + the
    6-digit 全国地方公共団体コード, e.g. 東京都 8000020130001) or 00003… (those without a code);
    every other corporation or association gets 7….
    """
    base = number[1:]
    if base.startswith("00001"):
        return CorporateNumberKind.NATIONAL
    if base.startswith(("00002", "00003")):
        return CorporateNumberKind.LOCAL
    if base[:1] in "012345" and not base.startswith("00"):
        return CorporateNumberKind.REGISTERED
    return CorporateNumberKind.OTHER


PUBLIC_BODIES = frozenset({CorporateNumberKind.NATIONAL, CorporateNumberKind.LOCAL})


def corporate_number_url(number: str) -> str:
    """The number's page on the NTA's 法人番号公表サイト (name, address and their history)."""
    return f"https://www.houjin-bangou.nta.go.jp/henkorireki-johoto.html?selHouzinNo={number}"


def validate_pdf(upload: UploadedFile) -> None:
    """Accept only a real PDF: its name, its declared type, then the checks every shared file gets.

    notices.files.validate_upload checks the size (WORKSPACE_UPLOAD_MAX_MB), that it starts with
    %PDF- and parses, and that it carries no scripts, automatic or launch actions or embedded files.
    """
    if files.file_type(upload.name or "") != files.ALLOWED[".pdf"]:
        raise ValidationError(_("Upload the signed agreement as a PDF file (a name ending in .pdf)."), code="pdf_name")
    if upload.content_type not in PDF_CONTENT_TYPES:
        raise ValidationError(
            _("This file is not a PDF. Save the document as PDF and upload it again."), code="pdf_type"
        )
    files.validate_upload(upload)
