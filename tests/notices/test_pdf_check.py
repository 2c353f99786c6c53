"""The PDF check: scripts, automatic and launch actions, embedded files refused however they are spelled."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader, PdfWriter

from tests.pdfs import PAGE, PAGES, compressed_pdf, plain_pdf, raw_pdf, written_pdf
from tsunagari.notices.files import validate_upload

CATALOG = b"<</Type/Catalog/Pages 2 0 R>>"


def check(content: bytes) -> None:
    validate_upload(SimpleUploadedFile("資料.pdf", content, content_type="application/pdf"))


def refusal(content: bytes) -> str:
    with pytest.raises(ValidationError) as raised:
        check(content)
    return str(raised.value.code)


@pytest.mark.parametrize(
    "content",
    [plain_pdf(), raw_pdf(CATALOG, PAGES, PAGE), compressed_pdf(b""), compressed_pdf(b"/PageMode/UseOutlines")],
    ids=["written", "raw", "object-stream", "object-stream-with-a-harmless-key"],
)
def test_plain_pdfs_pass(content: bytes) -> None:
    assert PdfReader(io.BytesIO(content)).pages  # the crafted files are real PDFs, not just bytes
    check(content)


@pytest.mark.parametrize(
    "content",
    [
        # The bypass found: a name escape spells /JavaScript without its bytes.
        raw_pdf(
            b"<</Type/Catalog/Pages 2 0 R/OpenAction 4 0 R>>", PAGES, PAGE, b"<</S/J#61vaScript/JS(app.alert(1))>>"
        ),
        # Every letter escaped, key and action type.
        raw_pdf(
            b"<</Type/Catalog/Pages 2 0 R/#4f#70#65#6e#41#63#74#69#6f#6e<</S/#4C#61#75#6E#63#68/F(cmd.exe)>>>>",
            PAGES,
            PAGE,
        ),
        # A harmless-looking action run automatically when a page opens (/AA), spelled with escapes.
        raw_pdf(
            CATALOG,
            PAGES,
            b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/#41#41<</O 4 0 R>>>>",
            b"<</S/URI/URI(https://evil.example/)>>",
        ),
        # A script key alone (/JS), escaped.
        raw_pdf(
            CATALOG,
            PAGES,
            b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Annots[<</Subtype/Link/A<</S/URI/#4aS(x)>>>>]>>",
        ),
        # Inside a compressed object stream, where the raw bytes show nothing.
        compressed_pdf(b"/OpenAction<</S/JavaScript/JS(app.alert(1))>>"),
        compressed_pdf(b"/AA<</WC<</S/URI/URI(https://evil.example/)>>>>"),
        compressed_pdf(b"/Names<</Embedded#46iles<</Names[]>>>>"),
        # An object the cross-reference table leaves out, after the end of the file.
        raw_pdf(CATALOG, PAGES, PAGE) + b"7 0 obj<</S/J#61vaScript/JS(app.alert(1))>>endobj\n",
        # What pypdf writes for a document script, an attachment, an action on opening.
        written_pdf(javascript="app.alert(1)"),
        written_pdf(attachment=b"MZ\x90\x00"),
        written_pdf(open_action=True),
    ],
    ids=[
        "escaped-javascript",
        "escaped-openaction-launch",
        "page-aa",
        "escaped-js-key",
        "objstm-javascript",
        "objstm-aa",
        "objstm-embedded-files",
        "outside-xref",
        "pypdf-js",
        "pypdf-attachment",
        "pypdf-openaction",
    ],
)
def test_active_pdfs_are_refused_however_spelled(content: bytes) -> None:
    assert refusal(content) == "file_active"


@pytest.mark.parametrize(
    "content",
    [b"%PDF-1.4 garbage", b"%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\n", plain_pdf()[:200]],
    ids=["garbage", "no-xref-no-pages", "truncated"],
)
def test_unreadable_pdfs_are_refused_with_a_japanese_message(content: bytes) -> None:
    with pytest.raises(ValidationError) as raised:
        check(content)
    assert raised.value.code == "file_unreadable"
    with pytest.raises(ValidationError) as raised_ja:
        from django.utils import translation

        with translation.override("ja"):
            check(content)

    assert "PDF" in str(raised_ja.value.messages[0]) and "読み" in str(raised_ja.value.messages[0])


def test_password_protected_pdfs_are_refused() -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="secret", owner_password="secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert refusal(buffer.getvalue()) == "file_encrypted"
