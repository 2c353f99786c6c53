"""Named actions on surveys: building questionnaires, invitations, collecting and importing answers.

Each is atomic and writes its audit record, except what respondents do on the public form: their
answers are their own record, and the log must not follow an anonymous respondent.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagari.audit.log import record
from tsunagari.tenancy.models import Platform

from .instruments import Instrument
from .models import (
    Choice,
    ChoiceList,
    DesignStratum,
    Invitation,
    PopulationCell,
    Question,
    ReferenceFigure,
    Response,
    Survey,
    digest,
    new_key,
)
from .questionnaire import Questionnaire

SURVEY_FIELDS = ("title", "intro", "status", "open_link", "population", "min_cell")
MAX_INVITATIONS = 20000
MAX_IMPORT_ROWS = 20000
MAX_IMPORT_BYTES = 20 * 1024 * 1024


class SurveyError(ValueError):
    """A change that cannot be made; the message says why, for the coordinator."""


class DuplicateResponseError(SurveyError):
    """This invitation has been answered already (on the web or on paper)."""


@dataclass
class ResponsesImportError(Exception):
    """Rows of an import that cannot be read; nothing was saved."""

    errors: list[str]


def create_survey(platform: Platform, *, actor: Any, **fields: Any) -> Survey:
    with transaction.atomic():
        survey = Survey.objects.create(platform=platform, created_by=actor, **fields)
        record("survey.created", actor=actor, platform=platform, obj=survey)
    return survey


def change_survey(survey: Survey, *, actor: Any, **fields: Any) -> Survey:
    with transaction.atomic():
        changes = {k: [str(getattr(survey, k)), str(v)] for k, v in fields.items() if getattr(survey, k) != v}
        for key, value in fields.items():
            setattr(survey, key, value)
        survey.save()
        record("survey.changed", actor=actor, platform=survey.platform, obj=survey, changes=changes)
    return survey


def set_weighting(survey: Survey, method: str, figures: dict[tuple[str, str, str], int], *, actor: Any) -> Survey:
    """State how the report weighs respondents and the population by (sex code, age band code, area code).

    The area code is "" when the figures are for all areas together. The figures replace the ones
    entered before; a cell of 0 is the same as no figure.
    """
    with transaction.atomic():
        before = {(c.sex, c.age_band, c.area): c.population for c in PopulationCell.objects.filter(survey=survey)}
        kept = {cell: count for cell, count in figures.items() if count > 0}
        if kept != before:
            PopulationCell.objects.filter(survey=survey).delete()
            PopulationCell.objects.bulk_create(
                PopulationCell(
                    platform=survey.platform, survey=survey, sex=sex, age_band=age, area=area, population=count
                )
                for (sex, age, area), count in sorted(kept.items())
            )
        changes: dict[str, Any] = {}
        if survey.weighting != method:
            changes["weighting"] = [survey.weighting, method]
            survey.weighting = method
            survey.save(update_fields=["weighting", "updated_at"])
        if kept != before:
            changes["population"] = [sum(before.values()), sum(kept.values())]
        record("survey.weighting_changed", actor=actor, platform=survey.platform, obj=survey, changes=changes)
    return survey


def set_design(
    survey: Survey,
    design: str,
    nonresponse_adjustment: bool,
    strata: dict[str, tuple[int | None, int | None, str]],
    *,
    actor: Any,
) -> Survey:
    """State how the invitations were drawn and whether to adjust for non-response by weighting class.

    `strata` maps each invitation batch to (people in the stratum, PSUs in the stratum, non-response
    class or "" for its own); they replace what was stated before.
    """
    with transaction.atomic():
        before = {
            s.batch: (s.population, s.psus, s.weighting_class) for s in DesignStratum.objects.filter(survey=survey)
        }
        changes: dict[str, Any] = {}
        if strata != before:
            DesignStratum.objects.filter(survey=survey).delete()
            DesignStratum.objects.bulk_create(
                DesignStratum(
                    platform=survey.platform,
                    survey=survey,
                    batch=batch,
                    population=people,
                    psus=psus,
                    weighting_class=cls,
                )
                for batch, (people, psus, cls) in sorted(strata.items())
            )
            changes["strata"] = [
                {b: list(v) for b, v in sorted(before.items())},
                {b: list(v) for b, v in sorted(strata.items())},
            ]
        if survey.sample_design != design:
            changes["sample_design"] = [survey.sample_design, design]
        if survey.nonresponse_adjustment != nonresponse_adjustment:
            changes["nonresponse_adjustment"] = [survey.nonresponse_adjustment, nonresponse_adjustment]
        survey.sample_design = design
        survey.nonresponse_adjustment = nonresponse_adjustment
        survey.save(update_fields=["sample_design", "nonresponse_adjustment", "updated_at"])
        record("survey.design_changed", actor=actor, platform=survey.platform, obj=survey, changes=changes)
    return survey


REFERENCE_FIELDS = ("year", "population", "source_title", "publisher", "url", "table", "n", "no_answer", "figures")


def add_reference(platform: Platform, item: str, fields: dict[str, Any], *, actor: Any) -> ReferenceFigure:
    """Enter a published distribution of a standard item with its source; the audit keeps every figure."""
    with transaction.atomic():
        reference = ReferenceFigure.objects.create(
            platform=platform, item=item, entered_by=actor, **{k: fields[k] for k in REFERENCE_FIELDS}
        )
        changes = {"item": item, **{k: fields[k] for k in REFERENCE_FIELDS}}
        record("survey.reference_added", actor=actor, platform=platform, obj=reference, changes=changes)
    return reference


def add_references(
    platform: Platform, entries: list[tuple[str, dict[str, Any]]], *, actor: Any
) -> list[ReferenceFigure]:
    """Enter several published distributions at once (a file), all or none; each audited as one entry."""
    with transaction.atomic():
        return [add_reference(platform, item, fields, actor=actor) for item, fields in entries]


def withdraw_reference(reference: ReferenceFigure, *, actor: Any) -> ReferenceFigure:
    """Take a reference out of the reports (kept, with its audit trail, to show what reports printed before)."""
    with transaction.atomic():
        if reference.withdrawn_at is None:
            reference.withdrawn_at = timezone.now()
            reference.save(update_fields=["withdrawn_at"])
            record("survey.reference_withdrawn", actor=actor, platform=reference.platform, obj=reference)
    return reference


def _insert(survey: Survey, instrument: Instrument, *, page: int | None) -> list[Question]:
    """Add `instrument`'s lists and items to `survey` (after its questions, on page `page` or the items' own)."""
    existing = set(survey.questions.values_list("name", flat=True))
    clashes = sorted(existing & {item.name for item in instrument.items})
    if clashes:
        raise SurveyError(_("The survey already has a question named “%(name)s”.") % {"name": clashes[0]})
    lists: dict[str, ChoiceList] = {}
    for list_name, options in instrument.lists.items():
        choice_list, created = ChoiceList.objects.get_or_create(platform=survey.platform, survey=survey, name=list_name)
        if created:
            Choice.objects.bulk_create(
                Choice(
                    platform=survey.platform,
                    choice_list=choice_list,
                    position=position,
                    value=code,
                    label_ja=label_ja,
                    label_en=label_en,
                    columns=instrument.columns.get((list_name, code), {}),
                )
                for position, (code, label_ja, label_en) in enumerate(options)
            )
        lists[list_name] = choice_list
    last = survey.questions.order_by("-position").values_list("position", flat=True).first() or 0
    questions = []
    for offset, item in enumerate(instrument.items, start=1):
        if item.kind in {Question.Kind.SINGLE, Question.Kind.MULTIPLE} and item.choice_list not in lists:
            raise SurveyError(_("Question “%(name)s” has no list of options.") % {"name": item.name})
        questions.append(
            Question(
                platform=survey.platform,
                survey=survey,
                position=last + offset,
                page=page if page is not None else item.page or 1,
                name=item.name,
                kind=item.kind,
                label_ja=item.label_ja,
                label_en=item.label_en,
                hint_ja=item.hint_ja,
                hint_en=item.hint_en,
                required=item.required,
                relevant=item.relevant,
                constraint=item.constraint,
                constraint_message_ja=item.constraint_message_ja,
                choice_list=lists.get(item.choice_list),
                choice_filter=item.choice_filter,
                instrument=instrument.key if instrument.key not in {"xlsform", "custom"} else "",
            )
        )
    Question.objects.bulk_create(questions)
    return questions


def _refuse_once_answered(survey: Survey) -> None:
    if survey.responses.exists():
        raise SurveyError(
            _("The survey already has answers: its questions can no longer be replaced. Make a new survey instead.")
        )


def add_instrument(survey: Survey, instrument: Instrument, *, actor: Any) -> list[Question]:
    """Insert a standard instrument on a new page at the end of the questionnaire."""
    with transaction.atomic():
        _refuse_once_answered(survey)
        pages = survey.questions.order_by("-page").values_list("page", flat=True).first()
        questions = _insert(survey, instrument, page=(pages or 0) + 1)
        record(
            "survey.instrument_added",
            actor=actor,
            platform=survey.platform,
            obj=survey,
            changes={"instrument": instrument.key},
        )
    return questions


def add_question(survey: Survey, question: Instrument, *, page: int, actor: Any) -> list[Question]:
    """Add a question built in the workspace (an Instrument of one item) on page `page`."""
    with transaction.atomic():
        _refuse_once_answered(survey)
        questions = _insert(survey, question, page=page)
        record("survey.question_changed", actor=actor, platform=survey.platform, obj=questions[0])
    return questions


def import_xlsform(survey: Survey, form: Instrument, *, actor: Any) -> list[Question]:
    """Replace the survey's questions with those of an XLSForm (read by xlsform.read)."""
    with transaction.atomic():
        _refuse_once_answered(survey)
        survey.questions.all().delete()
        survey.choice_lists.all().delete()
        questions = _insert(survey, form, page=None)
        if form.title and not survey.title:
            survey.title = str(form.title)
            survey.save(update_fields=["title"])
        record(
            "survey.imported", actor=actor, platform=survey.platform, obj=survey, changes={"questions": len(questions)}
        )
    return questions


def delete_question(question: Question, *, actor: Any) -> None:
    with transaction.atomic():
        _refuse_once_answered(question.survey)
        record("survey.question_deleted", actor=actor, platform=question.platform, obj=question)
        choice_list = question.choice_list
        question.delete()
        if choice_list is not None and not choice_list.questions.exists():
            choice_list.delete()


def make_invitations(survey: Survey, count: int, *, batch: str, psu: str = "", actor: Any) -> list[Invitation]:
    """Letters' codes for one batch (the stratum) and, in a two-stage sample, one PSU (町丁目, school)."""
    if not 1 <= count <= MAX_INVITATIONS:
        raise SurveyError(_("Make between 1 and %(max)s invitations at a time.") % {"max": f"{MAX_INVITATIONS:,}"})
    with transaction.atomic():
        invitations = Invitation.objects.bulk_create(
            Invitation(platform=survey.platform, survey=survey, batch=batch, psu=psu) for _i in range(count)
        )
        record(
            "survey.invitations_made",
            actor=actor,
            platform=survey.platform,
            obj=survey,
            changes={"count": count, "batch": batch, "psu": psu},
        )
    return invitations


# The respondent's side: no audit records (see the module docstring).


def response_for_invitation(invitation: Invitation) -> Response:
    """The invitation's response, started now if there is none (one per invitation, even from two tabs)."""
    found = Response.objects.filter(invitation=invitation).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Response.objects.create(
                platform=invitation.platform, survey=invitation.survey, invitation=invitation
            )
    except IntegrityError:
        return Response.objects.get(invitation=invitation)


def start_open_response(survey: Survey) -> tuple[Response, str]:
    """A new response by the open link, and the code of the respondent's own link back to it."""
    code = new_key(18)
    response = Response.objects.create(platform=survey.platform, survey=survey, resume_hash=digest(code))
    return response, code


def save_page(response: Response, answers: dict[str, Any], page: int) -> bool:
    """Keep the answers given so far (also when the respondent stops to finish later).

    False when the response is no longer open: submitted from another tab, or replaced by the
    paper questionnaire of the same letter.
    """
    return bool(Response.objects.filter(pk=response.pk, submitted_at__isnull=True).update(answers=answers, page=page))


def submit(response: Response, answers: dict[str, Any]) -> bool:
    """Submit the answers; False when the response is no longer open (see save_page)."""
    return bool(
        Response.objects.filter(pk=response.pk, submitted_at__isnull=True).update(
            answers=answers, submitted_at=timezone.now()
        )
    )


# Paper answers.


def _invitation_by_token(survey: Survey, token: str) -> Invitation | None:
    return Invitation.objects.filter(survey=survey, token=token.strip()).first()


def _claim(invitation: Invitation) -> None:
    """Make way for a paper response: refuse if answered; a web answer left unfinished gives way to paper."""
    existing = Response.objects.filter(invitation=invitation).first()
    if existing is None:
        return
    if existing.is_submitted:
        raise DuplicateResponseError(
            _("The invitation code “%(token)s” has already been answered (%(mode)s).")
            % {"token": invitation.token, "mode": existing.get_mode_display()}
        )
    existing.delete()


def enter_paper(survey: Survey, answers: dict[str, Any], *, token: str, actor: Any) -> Response:
    """Save one paper questionnaire keyed in on the data-entry screen (answers already checked)."""
    with transaction.atomic():
        invitation = None
        if token.strip():
            invitation = _invitation_by_token(survey, token)
            if invitation is None:
                raise SurveyError(_("There is no invitation code “%(token)s” in this survey.") % {"token": token})
            _claim(invitation)
        try:
            with transaction.atomic():
                response = Response.objects.create(
                    platform=survey.platform,
                    survey=survey,
                    invitation=invitation,
                    mode=Response.Mode.PAPER,
                    answers=answers,
                    submitted_at=timezone.now(),
                    entered_by=actor,
                )
        except IntegrityError:
            # The resident answered on the web at this very moment.
            raise DuplicateResponseError(
                _("The invitation code “%(token)s” has already been answered (%(mode)s).")
                % {"token": token, "mode": Response.Mode.WEB.label}
            ) from None
        record("survey.paper_entered", actor=actor, platform=survey.platform, obj=survey)
    return response


TOKEN_COLUMNS = {"token", "code", "招待コード", "コード"}


def _read_table(upload: IO[bytes], filename: str) -> list[list[str]]:
    data = upload.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise ResponsesImportError([_("The file is larger than 20 MB; split it into several files.")])
    name = filename.lower()
    if name.endswith(".xlsx"):
        import openpyxl

        try:
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:
            raise ResponsesImportError([_("The file could not be read as an Excel workbook (.xlsx).")]) from None
        sheet = workbook.worksheets[0]
        rows = [["" if cell is None else _cell_text(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
        workbook.close()
        return rows
    if name.endswith(".csv"):
        for encoding in ("utf-8-sig", "cp932"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ResponsesImportError([_("The CSV file is neither UTF-8 nor Shift_JIS; save it again as UTF-8 CSV.")])
        return [row for row in csv.reader(io.StringIO(text))]
    raise ResponsesImportError([_("Upload a CSV file (.csv) or an Excel workbook (.xlsx).")])


def _cell_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def import_responses(survey: Survey, upload: IO[bytes], filename: str, *, actor: Any) -> int:
    """Load paper answers from CSV or Excel: one row per questionnaire, all or nothing.

    The header names the questions (their `name`), and optionally the invitation code (`token`);
    a multiple choice lists its codes separated by spaces, as XLSForm data does. Every row is
    checked as the web form checks it; if any row is wrong, nothing is saved and each problem is
    reported with its row number.
    """
    rows = [row for row in _read_table(upload, filename)]
    while rows and not any(str(c).strip() for c in rows[-1]):
        rows.pop()
    if len(rows) < 2:
        raise ResponsesImportError([_("The file has no rows of answers under its header.")])
    if len(rows) - 1 > MAX_IMPORT_ROWS:
        raise ResponsesImportError(
            [_("At most %(max)s rows can be imported at a time.") % {"max": f"{MAX_IMPORT_ROWS:,}"}]
        )
    form = Questionnaire.load(survey)
    names = {q.name for q in form.answerable}
    header = [str(h).strip() for h in rows[0]]
    errors: list[str] = []
    token_column = next((i for i, h in enumerate(header) if h.lower() in TOKEN_COLUMNS), None)
    for column, name in enumerate(header):
        if column != token_column and name and name not in names:
            errors.append(_("Column “%(name)s” is not a question of this survey.") % {"name": name})
    if errors:
        raise ResponsesImportError(errors)
    tokens = dict(Invitation.objects.filter(survey=survey).values_list("token", "pk"))
    answered = set(
        Response.objects.filter(survey=survey, invitation__isnull=False, submitted_at__isnull=False).values_list(
            "invitation_id", flat=True
        )
    )
    seen: dict[str, int] = {}
    ready: list[tuple[int | None, dict[str, Any]]] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(str(c).strip() for c in row):
            continue
        raw = {
            header[i]: str(value) for i, value in enumerate(row) if i < len(header) and header[i] and i != token_column
        }
        invitation_id = None
        if token_column is not None and token_column < len(row) and str(row[token_column]).strip():
            token = str(row[token_column]).strip()
            invitation_id = tokens.get(token)
            if invitation_id is None:
                errors.append(
                    _("Row %(row)s: there is no invitation code “%(token)s” in this survey.")
                    % {"row": number, "token": token}
                )
            elif token in seen:
                errors.append(
                    _("Row %(row)s: the invitation code “%(token)s” is also on row %(other)s.")
                    % {"row": number, "token": token, "other": seen[token]}
                )
            elif invitation_id in answered:
                errors.append(
                    _("Row %(row)s: the invitation code “%(token)s” has already been answered.")
                    % {"row": number, "token": token}
                )
            seen.setdefault(token, number)
        answers, problems = form.apply(form.answerable, raw, {})
        for name, problem in problems.items():
            errors.append(_("Row %(row)s, “%(name)s”: %(problem)s") % {"row": number, "name": name, "problem": problem})
        ready.append((invitation_id, answers))
        if len(errors) >= 200:
            errors.append(_("… and more: correct these first."))
            break
    if errors:
        raise ResponsesImportError(errors)
    try:
        return _save_imported(survey, ready, filename, actor=actor)
    except IntegrityError:
        # A web answer to one of these codes arrived while the file was being checked.
        raise ResponsesImportError(
            [_("An answer to one of these invitation codes arrived meanwhile; import the file again.")]
        ) from None


def _save_imported(survey: Survey, ready: list[tuple[int | None, dict[str, Any]]], filename: str, *, actor: Any) -> int:
    with transaction.atomic():
        now = timezone.now()
        # Web answers left unfinished give way to the paper questionnaire (as on the data-entry screen).
        Response.objects.filter(
            invitation_id__in=[i for i, _a in ready if i is not None], submitted_at__isnull=True
        ).delete()
        Response.objects.bulk_create(
            Response(
                platform=survey.platform,
                survey=survey,
                invitation_id=invitation_id,
                mode=Response.Mode.PAPER,
                answers=answers,
                submitted_at=now,
                entered_by=actor,
            )
            for invitation_id, answers in ready
        )
        record(
            "survey.responses_imported",
            actor=actor,
            platform=survey.platform,
            obj=survey,
            changes={"rows": len(ready), "file": filename[:100]},
        )
    return len(ready)


def delete_response(response: Response, *, actor: Any) -> None:
    with transaction.atomic():
        record("survey.response_deleted", actor=actor, platform=response.platform, obj=response)
        response.delete()


def submitted(survey: Survey) -> Iterable[Response]:
    return survey.responses.filter(submitted_at__isnull=False).order_by("pk")
