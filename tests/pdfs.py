"""PDF files built in the tests: a plain one, and crafted ones that hide scripts in the ways readers accept."""

from __future__ import annotations

import io
import struct
import zlib

from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import DictionaryObject, NameObject, TextStringObject


def plain_pdf() -> bytes:
    """A one-page PDF as an office program saves it."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def written_pdf(*, javascript: str = "", attachment: bytes = b"", open_action: bool = False) -> bytes:
    """A PDF written by pypdf with a document script, an attached file or an action run on opening."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if javascript:
        writer.add_open_action(JavaScript(javascript))
    if attachment:
        writer.add_attachment("payload.exe", attachment)
    if open_action:
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
            {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("cmd.exe")}
        )
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def raw_pdf(*objects: bytes) -> bytes:
    """A PDF written byte by byte: object n+1 is objects[n], object 1 the catalogue, with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


PAGES = b"<</Type/Pages/Kids[3 0 R]/Count 1>>"
PAGE = b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>"


def compressed_pdf(hidden: bytes) -> bytes:
    """A PDF 1.5 file whose catalogue sits, compressed, in an object stream and whose xref is a stream.

    `hidden` is added to the catalogue dictionary, so it can be read only after inflating the stream.
    """
    members = [b"<</Type/Catalog/Pages 2 0 R" + hidden + b">>", PAGES, PAGE]
    header = b""
    body = b""
    for number, member in enumerate(members, start=1):
        header += b"%d %d " % (number, len(body))
        body += member + b"\n"
    packed = zlib.compress(header + body)
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    objstm_offset = len(out)
    out += b"4 0 obj\n<</Type/ObjStm/N %d/First %d/Filter/FlateDecode/Length %d>>stream\n" % (
        len(members),
        len(header),
        len(packed),
    )
    out += packed + b"\nendstream\nendobj\n"
    xref_offset = len(out)
    rows = struct.pack(">BIH", 0, 0, 65535)
    rows += b"".join(struct.pack(">BIH", 2, 4, index) for index in range(len(members)))
    rows += struct.pack(">BIH", 1, objstm_offset, 0)
    rows += struct.pack(">BIH", 1, xref_offset, 0)
    xref_data = zlib.compress(rows)
    out += b"6 0 obj\n<</Type/XRef/Size 7/W[1 4 2]/Root 1 0 R/Filter/FlateDecode/Length %d>>stream\n" % len(xref_data)
    out += xref_data + b"\nendstream\nendobj\n"
    out += b"startxref\n%d\n%%%%EOF\n" % xref_offset
    return bytes(out)
