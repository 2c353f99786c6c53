"""Reading a questionnaire from an XLSForm workbook with the official pyxform.

pyxform checks the workbook as ODK would (sheets, types, names, choice lists) and gives its JSON
form; we keep what our web form and paper entry can honour and refuse the rest by name, in
Japanese: other question types (dates, photos, repeats…) and expressions outside the subset of
expressions.py. Groups become pages. Labels are read from `label::ja` / `label::en` (or
`label::Japanese (ja)`, `label::日本語`); a plain `label` counts as Japanese.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _
from pyxform.errors import PyXFormError
from pyxform.xls2json import parse_file_to_json

from .expressions import ExpressionError, compile_expression
from .instruments import Instrument, Item, Option

TYPES = {
    "select one": "single",
    "select all that apply": "multiple",
    "integer": "integer",
    "decimal": "decimal",
    "text": "text",
    "note": "note",
}
# pyxform adds these on its own (instanceID, start, end…); they are not questions.
SKIPPED_TYPES = {"calculate", "start", "end", "today", "deviceid", "username", "audit", "start-geopoint"}
MAX_BYTES = 5 * 1024 * 1024


class XLSFormError(ValueError):
    """The workbook cannot be used; the message (in Japanese) says what to fix."""


def _language(key: str) -> str | None:
    low = key.strip().lower()
    if low in {"ja", "japanese", "日本語", "default"} or "(ja)" in low:
        return "ja"
    if low in {"en", "english"} or "(en)" in low:
        return "en"
    return None


def _labels(value: Any) -> tuple[str, str]:
    """(Japanese, English) of a label, hint or message as pyxform gives it (a string, or one per language)."""
    if value is None:
        return "", ""
    if isinstance(value, str):
        return value, ""
    found: dict[str, str] = {}
    for key, text in value.items():
        language = _language(str(key))
        if language and language not in found:
            found[language] = str(text)
    return found.get("ja", ""), found.get("en", "")


def _required(bind: dict[str, Any]) -> bool:
    return str(bind.get("required", "")).strip().lower() in {"yes", "true", "true()", "1"}


def read(upload: IO[bytes], filename: str) -> Instrument:
    """The questionnaire in an uploaded .xlsx file, as an Instrument ready to be inserted."""
    if not filename.lower().endswith(".xlsx"):
        raise XLSFormError(_("Upload the XLSForm as an Excel workbook (.xlsx)."))
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise XLSFormError(_("The file is larger than 5 MB; an XLSForm is much smaller."))
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "form.xlsx"
        path.write_bytes(data)
        try:
            form = parse_file_to_json(str(path))
        except PyXFormError as error:
            raise XLSFormError(_pyxform_message(str(error))) from None
        except Exception:
            raise XLSFormError(_("The file could not be read as an XLSForm workbook.")) from None
    return _convert(form)


def _pyxform_message(text: str) -> str:
    """pyxform's message in Japanese where we know it, else with pyxform's own words after ours."""
    missing = re.search(r"\[row : (\d+)\].*Could not find the name '([^']+)'", text)
    if missing:
        return _("Row %(row)s of the survey sheet refers to ${%(name)s}, but there is no question with that name.") % {
            "row": missing.group(1),
            "name": missing.group(2),
        }
    if "not recognized as a supported type" in text:
        return _("The file could not be read as an XLSForm workbook.")
    return _("The XLSForm has an error: %(error)s") % {"error": text}


def _convert(form: dict[str, Any]) -> Instrument:
    items: list[Item] = []
    lists: dict[str, tuple[Option, ...]] = {}
    columns: dict[tuple[str, str], dict[str, str]] = {}
    page = 1

    def visit(children: list[dict[str, Any]], top: bool) -> None:
        nonlocal page
        for child in children:
            kind = child.get("type", "")
            name = child.get("name", "")
            if kind == "group":
                if child.get("control", {}).get("bodyless"):
                    continue
                if top and items and items[-1].page == page:
                    page += 1
                visit(child.get("children", []), top=False)
                if top:
                    page += 1
                continue
            if kind == "repeat":
                raise XLSFormError(_("Question “%(name)s”: repeats are not supported.") % {"name": name})
            if kind in SKIPPED_TYPES:
                continue
            if kind not in TYPES:
                raise XLSFormError(
                    _(
                        "Question “%(name)s”: the type “%(type)s” is not supported (use select_one, select_multiple, integer, decimal, text or note)."
                    )
                    % {"name": name, "type": kind}
                )
            items.append(_item(child, TYPES[kind], page))
            if TYPES[kind] in {"single", "multiple"}:
                list_name = child.get("list_name") or child.get("itemset") or ""
                if list_name not in lists:
                    options: list[Option] = []
                    for choice in child.get("choices") or form.get("choices", {}).get(list_name, []):
                        code = str(choice.get("name", ""))
                        ja, en = _labels(choice.get("label"))
                        if not ja:
                            raise XLSFormError(
                                _("Option “%(code)s” of list “%(list)s” has no Japanese label (label::ja).")
                                % {"code": code, "list": list_name}
                            )
                        options.append((code, ja, en))
                        extra = {k: str(v) for k, v in choice.items() if k not in {"name", "label", "media"}}
                        if extra:
                            columns[(list_name, code)] = extra
                    lists[list_name] = tuple(options)

    visit(form.get("children", []), top=True)
    if not items:
        raise XLSFormError(_("The XLSForm has no questions."))
    _check_expressions(items)
    return Instrument(
        key="xlsform",
        title=str(form.get("title") or ""),
        source=str(form.get("id_string") or ""),
        items=tuple(items),
        lists=lists,
        columns=columns,
    )


def _item(child: dict[str, Any], kind: str, page: int) -> Item:
    name = child["name"]
    bind = child.get("bind", {})
    label_ja, label_en = _labels(child.get("label"))
    if not label_ja:
        raise XLSFormError(_("Question “%(name)s” has no Japanese label (label::ja).") % {"name": name})
    hint_ja, hint_en = _labels(child.get("hint"))
    message_ja, _message_en = _labels(bind.get("jr:constraintMsg"))
    return Item(
        name=name,
        kind=kind,
        label_ja=label_ja,
        label_en=label_en,
        choice_list=child.get("list_name") or child.get("itemset") or "",
        required=_required(bind),
        relevant=str(bind.get("relevant", "")).strip(),
        constraint=str(bind.get("constraint", "")).strip(),
        constraint_message_ja=message_ja[:300],
        hint_ja=hint_ja,
        hint_en=hint_en,
        choice_filter=str(child.get("choice_filter", "")).strip(),
        page=page,
    )


def _check_expressions(items: list[Item]) -> None:
    known = {item.name for item in items}
    for item in items:
        for column, text, options in (
            ("relevant", item.relevant, {}),
            ("constraint", item.constraint, {"allow_current": True}),
            ("choice_filter", item.choice_filter, {"allow_columns": True}),
        ):
            if not text:
                continue
            try:
                compile_expression(text, known=known, **options)
            except ExpressionError as error:
                raise XLSFormError(
                    _("Question “%(name)s”, %(column)s “%(text)s”: %(error)s")
                    % {"name": item.name, "column": column, "text": text, "error": error}
                ) from None
