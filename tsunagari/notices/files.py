"""Files members share (notice attachments, minutes, materials): checked on the way in, served safely.

An upload is accepted only when its name, its size and its first bytes agree on one of a few
document types; scripts, macros and executables are refused. Files are stored under a random
name, outside any public URL (MEDIA_URL is not served), and come back only through a view that
has checked the person may see them: always as a download, never inline, with nosniff and a
sandboxing Content-Security-Policy, so that a disguised HTML or SVG file cannot run on our site.
Used by `notices` (attachments) and `programs` (minutes and materials).
"""

from __future__ import annotations

import io
import os
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject


@dataclass(frozen=True)
class FileType:
    """A document type we accept: what we serve it as, and how its first bytes begin."""

    content_type: str
    magic: tuple[bytes, ...]
    family: str  # "pdf", "office" (a ZIP container), "image" or "text"


_OOXML = "application/vnd.openxmlformats-officedocument."
ALLOWED: dict[str, FileType] = {
    ".pdf": FileType("application/pdf", (b"%PDF-",), "pdf"),
    ".docx": FileType(_OOXML + "wordprocessingml.document", (b"PK\x03\x04",), "office"),
    ".xlsx": FileType(_OOXML + "spreadsheetml.sheet", (b"PK\x03\x04",), "office"),
    ".pptx": FileType(_OOXML + "presentationml.presentation", (b"PK\x03\x04",), "office"),
    ".odt": FileType("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",), "office"),
    ".ods": FileType("application/vnd.oasis.opendocument.spreadsheet", (b"PK\x03\x04",), "office"),
    ".odp": FileType("application/vnd.oasis.opendocument.presentation", (b"PK\x03\x04",), "office"),
    ".png": FileType("image/png", (b"\x89PNG\r\n\x1a\n",), "image"),
    ".jpg": FileType("image/jpeg", (b"\xff\xd8\xff",), "image"),
    ".jpeg": FileType("image/jpeg", (b"\xff\xd8\xff",), "image"),
    ".txt": FileType("text/plain", (), "text"),
    ".csv": FileType("text/csv", (), "text"),
}
# Names a PDF uses to run a script or another program when opened or when a page or field is
# touched, or to carry other files (as dictionary keys, action types or object types).
ACTIVE_PDF_NAMES = frozenset(
    {
        "/JavaScript",
        "/JS",
        "/OpenAction",
        "/AA",
        "/Launch",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/FileAttachment",
        "/RichMedia",
        "/XFA",
    }
)
# The ones long enough never to turn up by chance in compressed bytes, looked for in the raw file too.
_RAW_ACTIVE_PDF_NAMES = ACTIVE_PDF_NAMES - {"/JS", "/AA", "/XFA"}
# A name: a slash and regular characters (PDF 32000-1 §7.3.5), escapes (#xx) included.
_PDF_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]+)")
# Where Office and OpenDocument files keep macros.
MACRO_PARTS = ("vbaproject.bin", "basic/", "scripts/")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def max_upload_bytes() -> int:
    """The largest file accepted (WORKSPACE_UPLOAD_MAX_MB, 10 MB unless set)."""
    return int(getattr(settings, "WORKSPACE_UPLOAD_MAX_MB", 10)) * 1024 * 1024


def allowed_extensions() -> str:
    return ", ".join(sorted(ALLOWED))


def clean_name(name: str) -> str:
    """The file name to show and to download under: no folders, no control characters, at most 150 characters."""
    name = unicodedata.normalize("NFC", os.path.basename((name or "").replace("\\", "/")))
    name = _CONTROL.sub("", name).strip().lstrip(".") or "file"
    stem, ext = os.path.splitext(name)
    return stem[: 150 - len(ext)] + ext


def file_type(name: str) -> FileType | None:
    return ALLOWED.get(os.path.splitext(name)[1].lower())


def validate_upload(upload: UploadedFile) -> FileType:
    """Check an uploaded file; raise ValidationError with a message a person can act on."""
    kind = file_type(upload.name or "")
    if kind is None:
        raise ValidationError(
            _("This type of file cannot be shared here. Accepted: %(types)s."),
            code="file_type",
            params={"types": allowed_extensions()},
        )
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("The file is empty."), code="file_empty")
    if size > max_upload_bytes():
        raise ValidationError(
            _("The file is larger than %(mb)d MB. Make it smaller or split it, and upload it again."),
            code="file_size",
            params={"mb": max_upload_bytes() // (1024 * 1024)},
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if kind.magic and not any(head.startswith(magic) for magic in kind.magic):
        raise ValidationError(
            _("The contents of this file do not match its name (%(name)s). Save it again in that format."),
            code="file_magic",
            params={"name": clean_name(upload.name or "")},
        )
    if kind.family == "pdf":
        _check_pdf(upload)
    elif kind.family == "office":
        _check_office(upload)
    elif kind.family == "text":
        _check_text(upload)
    upload.seek(0)
    return kind


def _check_pdf(upload: UploadedFile) -> None:
    """Refuse a PDF that would run something or carry other files when opened, however it is spelled.

    The file is parsed (pypdf): every object in the cross-reference table and in compressed object
    streams is read, with name escapes such as `/J#61vaScript` decoded, and refused if it names a
    script, an automatic action, a launch action or an embedded file. The raw bytes are also read
    for the longer of those names, decoded the same way, to catch objects left out of the table.
    A file that cannot be parsed is refused: we cannot tell what it would do.
    """
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValidationError(
                _(
                    "This PDF is protected by a password, so we cannot check it. "
                    "Remove the password (or print it to a new PDF) and upload it again."
                ),
                code="file_encrypted",
            )
        active = _active_pdf_names(reader)
        if not len(reader.pages):
            raise PdfReadError("no pages")
    except ValidationError:
        raise
    except Exception:
        raise ValidationError(
            _("This PDF could not be read; it may be damaged. Save or print it to a new PDF and upload that."),
            code="file_unreadable",
        ) from None
    if active or _RAW_ACTIVE_PDF_NAMES & _raw_pdf_names(data):
        raise ValidationError(
            _(
                "This PDF contains scripts or embedded files, which we do not accept. "
                "Print it to a new PDF and upload that."
            ),
            code="file_active",
        )


def _active_pdf_names(reader: PdfReader) -> set[str]:
    """The names in ACTIVE_PDF_NAMES that any object of the file uses, as key or as value."""
    found: set[str] = set()
    pending: list[Any] = [reader.trailer]
    for generation, numbers in reader.xref.items():
        pending.extend(reader.get_object(IndirectObject(number, generation, reader)) for number in numbers)
    pending.extend(reader.get_object(IndirectObject(number, 0, reader)) for number in reader.xref_objStm)
    while pending:
        item = pending.pop()
        if isinstance(item, DictionaryObject):
            for key, value in item.items():
                if key in ACTIVE_PDF_NAMES:
                    found.add(key)
                pending.append(value)
        elif isinstance(item, ArrayObject):
            pending.extend(item)
        elif isinstance(item, NameObject) and item in ACTIVE_PDF_NAMES:
            found.add(str(item))
    return found


def _raw_pdf_names(data: bytes) -> set[str]:
    """Every PDF name written in the raw bytes, with #xx escapes decoded."""
    return {
        "/" + re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw).decode("latin-1")
        for raw in _PDF_NAME.findall(data)
    }


def _check_office(upload: UploadedFile) -> None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = [info.filename.lower() for info in archive.infolist()]
    except (zipfile.BadZipFile, OSError, ValueError):
        names = None
    upload.seek(0)
    if names is None or not ("[content_types].xml" in names or "mimetype" in names):
        raise ValidationError(
            _("The contents of this file do not match its name (%(name)s). Save it again in that format."),
            code="file_magic",
            params={"name": clean_name(upload.name or "")},
        )
    if any(part in name for name in names for part in MACRO_PARTS):
        raise ValidationError(
            _("This file contains macros, which we do not accept. Save it without macros and upload it again."),
            code="file_macros",
        )


def _check_text(upload: UploadedFile) -> None:
    data = upload.read()
    upload.seek(0)
    if b"\x00" in data:
        raise ValidationError(_("This is not a text file."), code="file_binary")
    for encoding in ("utf-8-sig", "cp932"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return
    raise ValidationError(
        _("This text file is in an encoding we cannot read. Save it as UTF-8 and upload it again."),
        code="file_encoding",
    )


def random_name(folder: str, platform_id: int | None, filename: str) -> str:
    """Where to store an upload: a random name under the platform's folder, keeping only the extension."""
    ext = os.path.splitext(filename)[1].lower()
    return f"{folder}/{platform_id}/{uuid.uuid4().hex}{ext if ext in ALLOWED else ''}"


def download(stored: FieldFile, name: str, content_type: str) -> FileResponse:
    """A response that makes the browser save the file, never show or run it."""
    response = FileResponse(stored.open("rb"), as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response
