"""Workspace pages for surveys: questionnaires, invitations and letters, paper answers, the report.

Coordinators build and run surveys; observers (the prefecture, the national office) read the
questionnaire and the report. Member organisations' staff see nothing here (403). Downloads of
results carry the survey's privacy rules (results.py); the anonymised answers go to coordinators
only, and each download is audited.
"""

from __future__ import annotations

import json
from typing import Any

import segno
from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagari.accounts.models import Role
from tsunagari.audit.log import record
from tsunagari.lib.fiscal import fiscal_year_bounds, fiscal_year_param
from tsunagari.lib.spreadsheet import csv_lines
from tsunagari.tenancy.scoping import platform_scope
from tsunagari.workspace.access import WRITERS, Workspace, workspace_view
from tsunagari.workspace.nav import menu

from . import actions, references, report, weighting, xlsform
from .forms import (
    DesignForm,
    InstrumentForm,
    InvitationsForm,
    PaperForm,
    PopulationUploadForm,
    QuestionForm,
    ReferenceFigureForm,
    ReferenceItemForm,
    ReferenceUploadForm,
    ResponsesUploadForm,
    SurveyForm,
    WeightingForm,
    XLSFormUploadForm,
)
from .instruments import BY_KEY, INSTRUMENTS, Instrument, Item
from .microdata import anonymised
from .models import DesignStratum, Invitation, Question, ReferenceFigure, Response, Survey
from .questionnaire import Questionnaire
from .results import results, sampling_errors, smallest_shown, table_rows, weighting_used

COORDINATORS = {Role.COORDINATOR}
READERS = {Role.COORDINATOR, Role.OBSERVER}
LETTERS_PER_PRINT = 500


def _render(
    request: HttpRequest, workspace: Workspace, template: str, status: int = 200, **context: Any
) -> HttpResponse:
    context = {"workspace": workspace, "platform": workspace.platform, "menu": menu(workspace), **context}
    return render(request, template, context, status=status)


def _survey(workspace: Workspace, survey_id: int) -> Survey:
    return get_object_or_404(Survey.objects.filter(platform=workspace.platform), pk=survey_id)


def _min_cell(workspace: Workspace, survey: Survey) -> int:
    """The smallest count this reader may see: the survey's own for the platform's members, at least
    REPORTING_SMALL_CELL for everyone else (observers, and superusers holding no role here)."""
    return smallest_shown(survey, inside=bool(workspace.roles & WRITERS))


def _download(body: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@workspace_view(roles=READERS)
def survey_list(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    surveys = Survey.objects.filter(platform=workspace.platform).annotate(
        submitted=Count("responses", filter=Q(responses__submitted_at__isnull=False))
    )
    year = fiscal_year_param(request.GET.get("year"))
    if year is not None:
        # The programme report's link: the surveys it counted for that fiscal year (created in it, past draft).
        start, end = fiscal_year_bounds(year)
        surveys = surveys.filter(created_at__gte=start, created_at__lt=end).exclude(status=Survey.Status.DRAFT)
    rows = [(s, s.submitted) for s in surveys]
    form = SurveyForm() if workspace.is_coordinator and year is None else None
    return _render(request, workspace, "surveys/workspace/list.html", rows=rows, form=form, year=year)


@workspace_view(roles=COORDINATORS)
@require_POST
def survey_new(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    form = SurveyForm(request.POST)
    if not form.is_valid():
        rows = [(s, 0) for s in Survey.objects.filter(platform=workspace.platform)]
        return _render(request, workspace, "surveys/workspace/list.html", status=400, rows=rows, form=form)
    survey = actions.create_survey(workspace.platform, actor=request.user, **form.cleaned_data)
    messages.success(request, _("The survey is created. Add its questions."))
    return redirect("workspace:survey", workspace.platform.slug, survey.pk)


def _detail(
    request: HttpRequest, workspace: Workspace, survey: Survey, status: int = 200, **forms: Any
) -> HttpResponse:
    questionnaire = Questionnaire.load(survey)
    coordinator = workspace.is_coordinator
    has_answers = survey.responses.exists()
    context: dict[str, Any] = {
        "survey": survey,
        "questionnaire": questionnaire,
        "pages": [(page, questionnaire.on_page(page)) for page in questionnaire.pages],
        "instruments": INSTRUMENTS,
        "has_answers": has_answers,
        "counts": {
            "submitted": survey.responses.filter(submitted_at__isnull=False).count(),
            "in_progress": survey.responses.filter(submitted_at__isnull=True).count(),
            "paper": survey.responses.filter(mode=Response.Mode.PAPER).count(),
            "invitations": survey.invitations.count(),
        },
        "open_url": request.build_absolute_uri(
            reverse("surveys:open", args=[workspace.platform.slug, survey.public_key])
        )
        if survey.open_link
        else "",
    }
    if coordinator:
        context.update(
            settings_form=forms.get("settings_form") or SurveyForm(instance=survey),
            question_form=forms.get("question_form") or QuestionForm(survey=survey),
            instrument_form=forms.get("instrument_form") or InstrumentForm(),
            xlsform_form=forms.get("xlsform_form") or XLSFormUploadForm(),
        )
    return _render(request, workspace, "surveys/workspace/detail.html", status=status, **context)


@workspace_view(roles=READERS)
def survey_detail(request: HttpRequest, workspace: Workspace, survey_id: int) -> HttpResponse:
    return _detail(request, workspace, _survey(workspace, survey_id))


@workspace_view(roles=COORDINATORS)
@require_POST
def survey_edit(request: HttpRequest, workspace: Workspace, survey_id: int) -> HttpResponse:
    survey = _survey(workspace, survey_id)
    form = SurveyForm(request.POST, instance=Survey.objects.get(pk=survey.pk))
    if not form.is_valid():
        return _detail(request, workspace, survey, status=400, settings_form=form)
    actions.change_survey(survey, actor=request.user, **{k: form.cleaned_data[k] for k in actions.SURVEY_FIELDS})
    messages.success(request, _("The survey is saved."))
    return redirect("workspace:survey", workspace.platform.slug, survey.pk)


@workspace_view(roles=COORDINATORS)
@require_POST
def survey_instrument(request: HttpRequest, workspace: Workspace, survey_id: int) -> HttpResponse:
    survey = _survey(workspace, survey_id)
    form = InstrumentForm(request.POST)
    if not form.is_valid():
        return _detail(request, workspace, survey, status=400, instrument_form=form)
    try:
        actions.add_instrument(survey, BY_KEY[form.cleaned_data["instrument"]], actor=request.user)
    except actions.SurveyError as error:
        form.add_error(None, str(error))
        return _detail(request, workspace, survey, status=400, instrument_form=form)
    messages.success(request, _("The questions are added on a new page."))
    return redirect("workspace:survey", workspace.platform.slug, survey.pk)


@workspace_view(roles=COORDINATORS)
@require_POST
def survey_xlsform(request: HttpRequest, workspace: Workspace, survey_id: int) -> HttpResponse:
    survey = _survey(workspace, survey_id)
    form = XLSFormUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, workspace, survey, status=400, xlsform_form=form)
    upload = form.cleaned_data["file"]
    try:
        parsed = xlsform.read(upload, upload.name)
        questions = actions.import_xlsform(survey, parsed, actor=request.user)
    except (xlsform.XLSFormError, actions.SurveyError) as error:
        form.add_error("file", str(error))
        return _detail(request, workspace, survey, status=400, xlsform_form=form)
    messages.success(request, _("%(count)s questions were read from the XLSForm.") % {"count": len(questions)})
    return redirect("workspace:survey", workspace.platform.slug, survey.pk)


@workspace_view(roles=COORDINATORS)
@require_POST
def question_new(request: HttpRequest, workspace: Workspace, survey_id: int) -> HttpResponse:
    survey = _survey(workspace, survey_id)
    form = QuestionForm(request.POST, survey=survey)
    if not form.is_valid():
        return _detail(request, workspace, survey, status=400, question_form=form)
    data = form.cleaned_data
    name = data["name"]
    has_choices = data["kind"] in {Question.Kind.SINGLE, Question.Kind.MULTIPLE}
    item = Item(
        name=name,
        kind=data["kind"],
        label_ja=data["label_ja"],
        label_en=data["label_en"],
        choice_list=name if has_choices else "",
        required=data["required"],
        relevant=data["relevant"].strip(),
        constraint=data["constraint"].strip(),
        constraint_message_ja=data["constraint_message_ja"],
        hint_ja=data["hint_ja"],
    )
    custom = Instrument(
        key="custom", title="", source="", items=(item,), lists={name: data["parsed_options"]} if has_choices else {}
    )
    try:
        actions.add_question(survey, custom, page=data["page"], actor=request.user)
    except actions.SurveyError as error:
        form.add_error(None, str(error))
        return _detail(request, workspace, survey, status=400, question_form=form)
    messages.success(request, _("The question is added."))
    return redirect("workspace:survey", workspace.platform.slug, survey.pk)


@workspace_view(roles=COORDINATORS)
@require_POST
def question_delete(request: HttpRequest, workspace: Workspace, question_id: int) -> HttpResponse:
    question = get_object_or_404(
        Question.objects.filter(platform=workspace.platform).select_related("survey"), pk=question_id
    )
    try:
        actions.delete_question(question, actor=request.user)
    except actions.SurveyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The question is deleted."))
    return redirect("workspace:survey", workspace.platform.slug, question.survey_id)


@workspace_view(roles=COORDINATORS)
def invitations(request: HttpRequest, workspace: Workspace, survey_id: int) -> HttpResponse:
    survey = _survey(workspace, survey_id)
    form = InvitationsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = actions.make_invitations(
                survey,
                form.cleaned_data["count"],
                batch=form.cleaned_data["batch"],
                psu=form.cleaned_data["psu"],
                actor=request.user,
            )
        except actions.SurveyError as error:
            form.add_error("count", str(error))
        else:
            messages.success(request, _("%(count)s invitations are made.") % {"count": len(made)})
            return redirect("workspace:survey-invitations", workspace.platform.slug, survey.pk)
    batches = survey.invitations.values_list("batch", flat=True).order_by("batch").distinct()
    answered = Response.objects.filter(survey=survey, invitation__isnull=False, submitted_at__isnull=False).count()
    return _render(
        request,
        workspace,
        "surveys/workspace/invitations.html",
        status=400 if form.errors else 200,
        survey=survey,
        form=form,
        batches=list(batches),
        total=survey.invitations.count(),
        answered=answered,
        code_url=request.build_absolute_uri(reverse("surveys:code", args=[workspace.platform.slug])),
    )


def _letters_queryset(request: HttpRequest, survey: Survey) -> Any:
    found = survey.invitations.all()
    if "batch" in request.GET:
        found = found.filter(batch=request.GET["batch"].replace("\x00", ""))  # PostgreSQL refuses a NUL
    return found.order_by("pk")


@workspace_view(roles=COORDINATORS)
def letters(request: HttpRequest, workspace: Workspace, survey_id: int) -> HttpResponse:
    """The letters to print: each with its QR code, its link and its code (A4, one per page)."""
    survey = _survey(workspace, survey_id)
    try:
        start = max(0, int(request.GET.get("from", "0")))
    except ValueError:
        start = 0
    chosen = list(_letters_queryset(request, survey)[start : start + LETTERS_PER_PRINT])
    items = []
    for invitation in chosen:
        url = request.build_absolute_uri(
            reverse("surveys:invitation", args=[workspace.platform.slug, invitation.token])
        )
        items.append(
            {
                "invitation": invitation,
                "url": url,
                "qr": segno.make(url, error="m").svg_inline(scale=4, title=_("QR code of the survey")),
            }
        )
    return render(
        request,
        "surveys/workspace/letters.html",
        {
            "platform": workspace.platform,
            "survey": survey,
            "items": items,
            "code_url": request.build_absolute_uri(reverse("surveys:code", args=[workspace.platform.slug])),
        },
    )


@workspace_view(roles=COORDINATORS)
def invitations_export(request: HttpRequest, workspace: Workspace, survey_id: int) -> StreamingHttpResponse:
    """Codes and links for a mail merge (the printer's own letters); answered or not, never the answers."""
    survey = _survey(workspace, survey_id)
    answered = set(
        Response.objects.filter(survey=survey, invitation__isnull=False, submitted_at__isnull=False).values_list(
            "invitation_id", flat=True
        )
    )
    rows = (
        [
            invitation.token,
            request.build_absolute_uri(reverse("surveys:invitation", args=[workspace.platform.slug, invitation.token])),
            invitation.batch,
            "1" if invitation.pk in answered else "0",
        ]
        for invitation in _letters_queryset(request, survey).iterator()
    )
    response = StreamingHttpResponse(
        csv_lines(["token", "url", "batch", "answered"], rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}-invitations.csv"'
    return response


@workspace_view(roles=COORDINATORS)
def paper_entry(request: HttpRequest, workspace: Workspace, survey_id: int) -> HttpResponse:
    """Key in one paper questionnaire; the same rules as the web form, and the code checked for duplicates."""
    survey = _survey(workspace, survey_id)
    questionnaire = Questionnaire.load(survey)
    form = PaperForm(request.POST or None, questionnaire=questionnaire)
    upload_form = ResponsesUploadForm()
    if request.method == "POST" and form.is_valid():
        try:
            actions.enter_paper(
                survey, form.cleaned_data["answers"], token=form.cleaned_data["token"], actor=request.user
            )
        except actions.SurveyError as error:
            form.add_error("token", str(error))
        else:
            messages.success(request, _("The questionnaire is saved. Enter the next one."))
            return redirect("workspace:survey-entry", workspace.platform.slug, survey.pk)
    return _render(
        request,
        workspace,
        "surveys/workspace/entry.html",
        status=400 if form.errors else 200,
        survey=survey,
        form=form,
        upload_form=upload_form,
        names=[q.name for q in questionnaire.answerable],
    )


@workspace_view(roles=COORDINATORS)
@require_POST
def responses_import(request: HttpRequest, workspace: Workspace, survey_id: int) -> HttpResponse:
    survey = _survey(workspace, survey_id)
    upload_form = ResponsesUploadForm(request.POST, request.FILES)
    questionnaire = Questionnaire.load(survey)
    errors: list[str] = []
    if upload_form.is_valid():
        upload = upload_form.cleaned_data["file"]
        try:
            count = actions.import_responses(survey, upload, upload.name, actor=request.user)
        except actions.ResponsesImportError as problems:
            errors = problems.errors
        else:
            messages.success(request, _("%(count)s questionnaires were imported.") % {"count": count})
            return redirect("workspace:survey-entry", workspace.platform.slug, survey.pk)
    return _render(
        request,
        workspace,
        "surveys/workspace/entry.html",
        status=400,
        survey=survey,
        form=PaperForm(questionnaire=questionnaire),
        upload_form=upload_form,
        import_errors=errors,
        names=[q.name for q in questionnaire.answerable],
    )


def _weighting_page(
    request: HttpRequest,
    workspace: Workspace,
    survey: Survey,
    *,
    form: WeightingForm | None = None,
    upload_form: PopulationUploadForm | None = None,
    import_errors: list[str] | None = None,
    design_form: DesignForm | None = None,
    status: int = 200,
) -> HttpResponse:
    found = weighting.grid(survey)
    if design_form is None:
        design_form = DesignForm(initial=_design_initial(survey), batches=_batches(survey))
    if form is None:
        figures = weighting.population(survey)
        initial: dict[str, Any] = {"method": survey.weighting}
        for (sex, age, area), count in figures.items():
            initial[WeightingForm.field_name(sex, age, area)] = count
        form = WeightingForm(initial=initial, grid=found)
    return _render(
        request,
        workspace,
        "surveys/workspace/weighting.html",
        status=status,
        survey=survey,
        grid=found,
        form=form,
        upload_form=upload_form or PopulationUploadForm(),
        import_errors=import_errors or [],
        applied=weighting_used(survey),
        design_form=design_form,
    )


def _batches(survey: Survey) -> dict[str, tuple[int, int]]:
    """Each invitation batch: its invitations and the PSUs they are in."""
    found: dict[str, tuple[int, set[str]]] = {}
    for batch, psu in Invitation.objects.filter(survey=survey).values_list("batch", "psu"):
        count, psus = found.get(batch, (0, set()))
        found[batch] = (count + 1, psus | {psu} if psu else psus)
    return {batch: (count, len(psus)) for batch, (count, psus) in sorted(found.items())}


def _design_initial(survey: Survey) -> dict[str, Any]:
    initial: dict[str, Any] = {"design": survey.sample_design, "nonresponse_adjustment": survey.nonresponse_adjustment}
    stated = {s.batch: s for s in DesignStratum.objects.filter(survey=survey)}
    for i, batch in enumerate(_batches(survey)):
        if batch in stated:
            initial |= {
                f"people_{i}": stated[batch].population,
                f"psus_{i}": stated[batch].psus,
                f"class_{i}": stated[batch].weighting_class,
            }
    return initial


@workspace_view(roles=COORDINATORS)
@require_POST
def survey_design(request: HttpRequest, workspace: Workspace, survey_id: int) -> HttpResponse:
    """State how the invitations were drawn (simple random, stratified, two-stage) and the non-response adjustment."""
    survey = _survey(workspace, survey_id)
    form = DesignForm(request.POST, batches=_batches(survey))
    if not form.is_valid():
        return _weighting_page(request, workspace, survey, design_form=form, status=400)
    data = form.cleaned_data
    actions.set_design(survey, data["design"], data["nonresponse_adjustment"], data["strata"], actor=request.user)
    messages.success(request, _("The sample design is saved."))
    return redirect("workspace:survey-weighting", workspace.platform.slug, survey.pk)


@workspace_view(roles=COORDINATORS)
def survey_weighting(request: HttpRequest, workspace: Workspace, survey_id: int) -> HttpResponse:
    """State the sample design: the population by sex × age band (× area) and how the report weighs respondents."""
    survey = _survey(workspace, survey_id)
    if request.method != "POST":
        return _weighting_page(request, workspace, survey)
    form = WeightingForm(request.POST, grid=weighting.grid(survey))
    if not form.is_valid():
        return _weighting_page(request, workspace, survey, form=form, status=400)
    actions.set_weighting(survey, form.cleaned_data["method"], form.cleaned_data["figures"], actor=request.user)
    messages.success(request, _("The weighting is saved."))
    return redirect("workspace:survey-weighting", workspace.platform.slug, survey.pk)


@workspace_view(roles=COORDINATORS)
@require_POST
def survey_weighting_import(request: HttpRequest, workspace: Workspace, survey_id: int) -> HttpResponse:
    """Population figures from a CSV or Excel file (性別, 年齢階級, 人口, optionally 地区): all or nothing."""
    survey = _survey(workspace, survey_id)
    upload_form = PopulationUploadForm(request.POST, request.FILES)
    if not upload_form.is_valid():
        return _weighting_page(request, workspace, survey, upload_form=upload_form, status=400)
    upload = upload_form.cleaned_data["file"]
    try:
        figures = weighting.read_population(survey, upload, upload.name)
    except weighting.PopulationImportError as problems:
        return _weighting_page(
            request, workspace, survey, upload_form=upload_form, import_errors=problems.errors, status=400
        )
    actions.set_weighting(survey, survey.weighting, figures, actor=request.user)
    messages.success(
        request,
        _("%(count)s population figures were read. Check the weighting below and save it.") % {"count": len(figures)},
    )
    return redirect("workspace:survey-weighting", workspace.platform.slug, survey.pk)


def _by(request: HttpRequest, questionnaire: Questionnaire) -> str | None:
    name = request.GET.get("by") or None
    return name if name in {q.name for q in questionnaire.answerable if q.kind == Question.Kind.SINGLE} else None


@workspace_view(roles=READERS)
def survey_report(request: HttpRequest, workspace: Workspace, survey_id: int) -> HttpResponse:
    survey = _survey(workspace, survey_id)
    questionnaire = Questionnaire.load(survey)
    by = _by(request, questionnaire)
    min_cell = _min_cell(workspace, survey)
    found = results(survey, by=by, min_cell=min_cell)
    charts = [
        (
            result,
            [
                (domain, report.bar_chart(result, domain), report.lines(result, domain, min_cell))
                for domain in result.domains()
            ],
        )
        for result in found
    ]
    sampling = sampling_errors(survey, min_cell=min_cell)
    compared, missing = _comparisons(workspace, found)
    return _render(
        request,
        workspace,
        "surveys/workspace/report.html",
        survey=survey,
        compared=[{"result": c.result, "text": report.comparison_text(c), "citation": c.citation()} for c in compared],
        comparison_header=report.comparison_header(),
        missing_references=missing,
        comparison_note=references.note(),
        min_cell=min_cell,
        sampling=report.sampling_error_text(sampling) if sampling else None,
        charts=charts,
        by=by,
        by_choices=[q for q in questionnaire.answerable if q.kind == Question.Kind.SINGLE],
        query=f"?by={by}" if by else "",
        applied=weighting_used(survey),
    )


def _comparisons(workspace: Workspace, found: list[Any]) -> tuple[list[references.Comparison], list[Any]]:
    """The survey's standard results beside the published figures entered here or on the national platform."""
    with platform_scope(workspace.platform):  # the national platform's references count for every platform
        entered = references.for_platform(workspace.platform)
    return references.comparisons(found, entered)


def _exported(request: HttpRequest, workspace: Workspace, survey: Survey, kind: str) -> None:
    record(
        "survey.report_exported", actor=request.user, platform=workspace.platform, obj=survey, changes={"format": kind}
    )


@workspace_view(roles=READERS)
def report_pdf(request: HttpRequest, workspace: Workspace, survey_id: int) -> HttpResponse:
    survey = _survey(workspace, survey_id)
    min_cell = _min_cell(workspace, survey)
    found = results(survey, by=_by(request, Questionnaire.load(survey)), min_cell=min_cell)
    _exported(request, workspace, survey, "pdf")
    return _download(
        report.pdf(
            survey,
            found,
            weighting_used(survey).description,
            min_cell=min_cell,
            sampling=sampling_errors(survey, min_cell=min_cell),
            compared=_comparisons(workspace, found),
        ),
        "application/pdf",
        f"survey-{survey.pk}-report.pdf",
    )


@workspace_view(roles=READERS)
def report_xlsx(request: HttpRequest, workspace: Workspace, survey_id: int) -> HttpResponse:
    survey = _survey(workspace, survey_id)
    min_cell = _min_cell(workspace, survey)
    found = results(survey, by=_by(request, Questionnaire.load(survey)), min_cell=min_cell)
    _exported(request, workspace, survey, "xlsx")
    return _download(
        report.xlsx(
            survey,
            found,
            weighting_used(survey).description,
            min_cell=min_cell,
            sampling=sampling_errors(survey, min_cell=min_cell),
            compared=_comparisons(workspace, found),
        ),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"survey-{survey.pk}-report.xlsx",
    )


@workspace_view(roles=READERS)
def open_data(request: HttpRequest, workspace: Workspace, survey_id: int, fmt: str) -> HttpResponse:
    """Aggregate results for publishing (CSV or JSON): estimates and intervals, withheld cells empty."""
    survey = _survey(workspace, survey_id)
    min_cell = _min_cell(workspace, survey)
    found = results(survey, by=_by(request, Questionnaire.load(survey)), min_cell=min_cell)
    rows = table_rows(found, min_cell)
    _exported(request, workspace, survey, fmt)
    if fmt == "json":
        body = json.dumps(
            {
                "survey": survey.title,
                "platform": workspace.platform.name,
                "generated": timezone.localdate().isoformat(),
                "min_cell": min_cell,
                "weighting": _weighting_summary(survey),
                "results": rows,
            },
            ensure_ascii=False,
            indent=1,
        )
        return _download(body, "application/json; charset=utf-8", f"survey-{survey.pk}-results.json")
    body = "".join(
        csv_lines(report.HEADER, ([row[key] if row[key] is not None else "" for key in report.HEADER] for row in rows))
    )
    return _download(body, "text/csv; charset=utf-8", f"survey-{survey.pk}-results.csv")


def _weighting_summary(survey: Survey) -> dict[str, Any]:
    applied = weighting_used(survey)
    return {
        "method": applied.method,
        "description": applied.description,
        "excluded_respondents": applied.excluded,
        "respondents_without_invitation": applied.without_invitation,
        "sample_design": survey.sample_design,
        "nonresponse_adjustment": survey.nonresponse_adjustment,
        "problem": applied.problem or None,
    }


@workspace_view(roles=COORDINATORS)
def microdata(request: HttpRequest, workspace: Workspace, survey_id: int) -> HttpResponse:
    """The submitted answers for a statistician, quasi-identifiers coarsened (microdata.py), audited."""
    survey = _survey(workspace, survey_id)
    header, rows, count = anonymised(survey)
    body = "".join(csv_lines(header, rows))
    record(
        "survey.microdata_exported",
        actor=request.user,
        platform=workspace.platform,
        obj=survey,
        changes={"rows": count},
    )
    return _download(body, "text/csv; charset=utf-8", f"survey-{survey.pk}-answers.csv")


@workspace_view(roles=READERS)
def reference_list(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    """The published figures the platform's reports compare with: its own and the national platform's."""
    return _reference_page(request, workspace)


def _reference_page(
    request: HttpRequest,
    workspace: Workspace,
    *,
    upload_form: ReferenceUploadForm | None = None,
    import_errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    with platform_scope(workspace.platform):
        entered = references.for_platform(workspace.platform)
        withdrawn = list(
            ReferenceFigure.objects.filter(platform=workspace.platform, withdrawn_at__isnull=False).order_by("-pk")[:20]
        )
    return _render(
        request,
        workspace,
        "surveys/workspace/references.html",
        entered=[(r, references.ITEMS[r.item][0] if r.item in references.ITEMS else "") for r in entered],
        withdrawn=withdrawn,
        item_form=ReferenceItemForm() if workspace.is_coordinator else None,
        upload_form=(upload_form or ReferenceUploadForm()) if workspace.is_coordinator else None,
        import_errors=import_errors or [],
        columns=", ".join(references.IMPORT_COLUMNS),
        status=status,
    )


@workspace_view(roles=COORDINATORS)
@require_POST
def reference_import(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    """Published figures from a CSV or Excel file, checked as the entry form checks them: all or nothing."""
    upload_form = ReferenceUploadForm(request.POST, request.FILES)
    if not upload_form.is_valid():
        return _reference_page(request, workspace, upload_form=upload_form, status=400)
    upload = upload_form.cleaned_data["file"]
    try:
        entries = references.read_references(upload, upload.name)
    except references.ReferenceImportError as problems:
        return _reference_page(request, workspace, upload_form=upload_form, import_errors=problems.errors, status=400)
    actions.add_references(workspace.platform, entries, actor=request.user)
    messages.success(
        request,
        _("%(count)s published distributions were read and saved. Reports now show them beside the survey's.")
        % {"count": len(entries)},
    )
    return redirect("workspace:survey-references", workspace.platform.slug)


@workspace_view(roles=COORDINATORS)
def reference_new(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    """Enter a published distribution for a standard item (?item=…), with its source; audited."""
    item = (request.POST.get("item") if request.method == "POST" else request.GET.get("item")) or ""
    if item not in references.ITEMS:
        item_form = ReferenceItemForm(request.GET or None)
        item_form.is_valid()
        return _render(
            request,
            workspace,
            "surveys/workspace/reference_new.html",
            status=400 if request.method == "POST" or request.GET else 200,
            item_form=item_form,
            form=None,
        )
    label, options = references.ITEMS[item]
    form = ReferenceFigureForm(request.POST or None, options=options)
    if request.method == "POST" and form.is_valid():
        actions.add_reference(workspace.platform, item, form.cleaned_data, actor=request.user)
        messages.success(request, _("The published figures are saved. Reports now show them beside the survey's."))
        return redirect("workspace:survey-references", workspace.platform.slug)
    return _render(
        request,
        workspace,
        "surveys/workspace/reference_new.html",
        status=400 if form.errors else 200,
        item=item,
        item_label=label,
        form=form,
    )


@workspace_view(roles=COORDINATORS)
@require_POST
def reference_withdraw(request: HttpRequest, workspace: Workspace, reference_id: int) -> HttpResponse:
    reference = get_object_or_404(ReferenceFigure.objects.filter(platform=workspace.platform), pk=reference_id)
    actions.withdraw_reference(reference, actor=request.user)
    messages.success(request, _("The published figures are withdrawn from the reports."))
    return redirect("workspace:survey-references", workspace.platform.slug)
