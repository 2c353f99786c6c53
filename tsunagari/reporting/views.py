"""The plan and report pages of a platform's workspace (/<platform>/workspace/reporting/…).

Coordinators write the plan and the report texts; observers read them and download the report
(with small counts withheld, as it leaves the platform). Every report, in every format, is
audited when it is opened or downloaded. Evidence files stay with the coordinators (audited too).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagari.accounts.models import Role
from tsunagari.audit.log import record
from tsunagari.lib.fiscal import fiscal_year_of
from tsunagari.notices import files
from tsunagari.workspace.access import Workspace, workspace_view
from tsunagari.workspace.nav import menu

from . import actions, formats, report
from .forms import ROW_FORMS, EvidenceForm, TextsForm
from .models import Activity, BudgetLine, Evidence, Item, Kpi, Milestone, Plan, UsageDailyCount

READERS = [Role.COORDINATOR, Role.OBSERVER]
COORDINATORS = [Role.COORDINATOR]
ROW_MODELS: dict[str, Any] = {"activities": Activity, "budget": BudgetLine, "kpis": Kpi, "milestones": Milestone}


def _render(
    request: HttpRequest, workspace: Workspace, template: str, status: int = 200, **context: Any
) -> HttpResponse:
    context = {"workspace": workspace, "platform": workspace.platform, "menu": menu(workspace), **context}
    return render(request, template, context, status=status)


def _year(year: int) -> int:
    if not 2000 <= year <= 2100:
        raise Http404
    return year


def _plan(workspace: Workspace, year: int) -> Plan | None:
    return Plan.objects.filter(platform=workspace.platform, fiscal_year=_year(year)).first()


def _suppress(workspace: Workspace) -> bool:
    """Counts leave the platform when someone other than its coordinators reads them: withhold small ones."""
    return not workspace.is_coordinator


def _roles(workspace: Workspace) -> frozenset[str]:
    """The roles the reader holds here, for the figures' links. A superuser passes every page's role
    check as an observer would, but not the pages that ask for the role itself (the concern queue)."""
    return workspace.roles | {Role.OBSERVER} if workspace.is_superuser else workspace.roles


@workspace_view(roles=READERS)
def home(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    """The years with a plan, and the current one."""
    this_year = fiscal_year_of(timezone.localdate())
    planned = set(Plan.objects.filter(platform=workspace.platform).values_list("fiscal_year", flat=True))
    years = sorted(planned | {this_year, this_year + 1}, reverse=True)
    return _render(request, workspace, "reporting/home.html", years=years, planned=planned, this_year=this_year)


@workspace_view(roles=READERS)
def year_page(request: HttpRequest, workspace: Workspace, year: int) -> HttpResponse:
    return _year_page(request, workspace, year)


def _year_page(
    request: HttpRequest, workspace: Workspace, year: int, *, status: int = 200, **forms: Any
) -> HttpResponse:
    plan = _plan(workspace, year)
    data = report.build(workspace.platform, year, suppress=_suppress(workspace), roles=_roles(workspace))
    context: dict[str, Any] = {"year": year, "plan": plan, "data": data, "items": Item.choices}
    if plan is not None:
        context["rows"] = {
            "activities": plan.activities.all(),
            "budget": plan.budget_lines.all(),
            "kpis": plan.kpis.all(),
            "milestones": plan.milestones.all(),
        }
        context["evidence"] = plan.evidence.all()
    if workspace.is_coordinator:
        context["texts_form"] = forms.get("texts_form") or TextsForm(instance=plan)
        context["row_forms"] = {kind: forms.get(f"{kind}_form") or form() for kind, form in ROW_FORMS.items()}
        context["evidence_form"] = forms.get("evidence_form") or EvidenceForm()
    return _render(request, workspace, "reporting/year.html", status=status, **context)


@require_POST
@workspace_view(roles=COORDINATORS)
def texts(request: HttpRequest, workspace: Workspace, year: int) -> HttpResponse:
    form = TextsForm(request.POST)
    if not form.is_valid():
        return _year_page(request, workspace, _year(year), status=400, texts_form=form)
    actions.save_texts(actions.plan_for(workspace.platform, _year(year)), form.cleaned_data, actor=request.user)
    messages.success(request, _("Saved."))
    return redirect("workspace:reporting-year", workspace.platform.slug, year)


@require_POST
@workspace_view(roles=COORDINATORS)
def row_new(request: HttpRequest, workspace: Workspace, year: int, kind: str) -> HttpResponse:
    if kind not in ROW_FORMS:
        raise Http404
    form = ROW_FORMS[kind](request.POST)
    if not form.is_valid():
        return _year_page(request, workspace, _year(year), status=400, **{f"{kind}_form": form})
    plan = actions.plan_for(workspace.platform, _year(year))
    actions.save_row(plan, form.instance, actor=request.user, kind=kind)
    messages.success(request, _("Saved."))
    return redirect("workspace:reporting-year", workspace.platform.slug, year)


def _row(workspace: Workspace, kind: str, row_id: int) -> Any:
    if kind not in ROW_MODELS:
        raise Http404
    return get_object_or_404(
        ROW_MODELS[kind].objects.filter(platform=workspace.platform).select_related("plan"), pk=row_id
    )


@workspace_view(roles=COORDINATORS)
def row_edit(request: HttpRequest, workspace: Workspace, kind: str, row_id: int) -> HttpResponse:
    row = _row(workspace, kind, row_id)
    form = ROW_FORMS[kind](request.POST or None, instance=row)
    if request.method == "POST" and form.is_valid():
        actions.save_row(row.plan, form.instance, actor=request.user, kind=kind)
        messages.success(request, _("Saved."))
        return redirect("workspace:reporting-year", workspace.platform.slug, row.plan.fiscal_year)
    return _render(
        request,
        workspace,
        "reporting/row_form.html",
        status=400 if form.is_bound else 200,
        form=form,
        row=row,
        year=row.plan.fiscal_year,
    )


@require_POST
@workspace_view(roles=COORDINATORS)
def row_delete(request: HttpRequest, workspace: Workspace, kind: str, row_id: int) -> HttpResponse:
    row = _row(workspace, kind, row_id)
    actions.delete_row(row.plan, row, actor=request.user, kind=kind)
    messages.success(request, _("Deleted."))
    return redirect("workspace:reporting-year", workspace.platform.slug, row.plan.fiscal_year)


@require_POST
@workspace_view(roles=COORDINATORS)
def evidence_upload(request: HttpRequest, workspace: Workspace, year: int) -> HttpResponse:
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        return _year_page(request, workspace, _year(year), status=400, evidence_form=form)
    plan = actions.plan_for(workspace.platform, _year(year))
    data = form.cleaned_data
    actions.add_evidence(plan, data["file"], kind=data["kind"], item=data["item"], actor=request.user)
    messages.success(request, _("The file was attached."))
    return redirect("workspace:reporting-year", workspace.platform.slug, year)


def _evidence(workspace: Workspace, evidence_id: int) -> Evidence:
    return get_object_or_404(
        Evidence.objects.filter(platform=workspace.platform).select_related("plan"), pk=evidence_id
    )


@workspace_view(roles=READERS)
def evidence(request: HttpRequest, workspace: Workspace, evidence_id: int) -> HttpResponseBase:
    """An evidence file, for the platform's coordinators only: minutes, flyers and photos show people,
    and nothing about a person leaves the platform. Observers get 404, as for a file that is not
    theirs; every download is audited."""
    if not workspace.is_coordinator:
        raise Http404
    found = _evidence(workspace, evidence_id)
    record(
        "reporting.evidence_downloaded",
        platform=workspace.platform,
        obj=found.plan,
        changes={"file": found.name, "evidence": found.pk},
    )
    return files.download(found.file, found.name, found.content_type)


@require_POST
@workspace_view(roles=COORDINATORS)
def evidence_delete(request: HttpRequest, workspace: Workspace, evidence_id: int) -> HttpResponse:
    found = _evidence(workspace, evidence_id)
    actions.delete_evidence(found, actor=request.user)
    messages.success(request, _("Deleted."))
    return redirect("workspace:reporting-year", workspace.platform.slug, found.plan.fiscal_year)


def _report(request: HttpRequest, workspace: Workspace, year: int, fmt: str) -> dict[str, Any]:
    """The report's data, and the audit record of who took it in which format."""
    data = report.build(workspace.platform, _year(year), suppress=_suppress(workspace), roles=_roles(workspace))
    record(
        "reporting.report_downloaded",
        platform=workspace.platform,
        object_type="reporting.report",
        object_id=str(year),
        object_repr=f"FY{year}",
        changes={"format": fmt, "withheld_below": data["suppressed_below"]},
    )
    return data


@workspace_view(roles=READERS)
def report_html(request: HttpRequest, workspace: Workspace, year: int) -> HttpResponse:
    data = _report(request, workspace, year, "html")
    chart = [
        {"label": label, "percent": value, "width": min(value, 150) * 2, "end": min(value, 150) * 2 + 205, "y": 24 * i}
        for i, (label, value) in enumerate(formats.bars(data))
    ]
    return _render(
        request, workspace, "reporting/report.html", data=data, year=year, chart=chart, chart_height=24 * len(chart) + 8
    )


def _attachment(body: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@workspace_view(roles=READERS)
def report_pdf(request: HttpRequest, workspace: Workspace, year: int) -> HttpResponse:
    data = _report(request, workspace, year, "pdf")
    return _attachment(formats.pdf(data), "application/pdf", f"report-{workspace.platform.slug}-{year}.pdf")


@workspace_view(roles=READERS)
def report_xlsx(request: HttpRequest, workspace: Workspace, year: int) -> HttpResponse:
    data = _report(request, workspace, year, "xlsx")
    return _attachment(
        formats.xlsx(data),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"report-{workspace.platform.slug}-{year}.xlsx",
    )


@workspace_view(roles=READERS)
def usage(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    """The portal's anonymous daily counts over the last 60 days: the records behind three figures."""
    since = timezone.localdate() - datetime.timedelta(days=60)
    rows: dict[datetime.date, dict[str, int]] = {}
    for day, kind, count in UsageDailyCount.objects.filter(platform=workspace.platform, date__gte=since).values_list(
        "date", "kind", "count"
    ):
        rows.setdefault(day, {})[kind] = count
    suppress = _suppress(workspace)
    table = [
        (day, [report.withhold(rows[day].get(kind, 0), suppress=suppress) for kind in UsageDailyCount.Kind.values])
        for day in sorted(rows, reverse=True)
    ]
    return _render(request, workspace, "reporting/usage.html", table=table, kinds=UsageDailyCount.Kind.choices)
