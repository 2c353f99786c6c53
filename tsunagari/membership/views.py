"""Workspace pages of membership: members, applications, agreements, listings and problem reports.

Every view goes through workspace_view (one 404 for outsiders, 403 for a role too low), fetches
rows through membership.access, calls one action and renders.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagari.accounts.models import Role
from tsunagari.audit.log import record
from tsunagari.directory.models import Organization, Service
from tsunagari.lib.fiscal import fiscal_year_bounds, fiscal_year_param
from tsunagari.lib.hours import parse_hours
from tsunagari.lib.spreadsheet import csv_lines
from tsunagari.notices import files
from tsunagari.workspace.access import Workspace, workspace_view
from tsunagari.workspace.nav import menu

from . import access, actions, listings
from .forms import (
    AgreementForm,
    ApproveForm,
    CloseReportForm,
    DeclineForm,
    ListingForm,
    ListingSettingsForm,
    RejectForm,
    ReviewForm,
    TrustForm,
)
from .models import Agreement, ListingChange, MemberOrganisation, PlatformSettings, ProblemReport
from .register import check_register

COORDINATORS = {Role.COORDINATOR}
LISTING_ROLES = {Role.COORDINATOR, Role.ORG_ADMIN}


def _render(request: HttpRequest, workspace: Workspace, template: str, status: int = 200, **extra: Any) -> HttpResponse:
    context = {"workspace": workspace, "platform": workspace.platform, "menu": menu(workspace), **extra}
    return render(request, f"membership/workspace/{template}", context, status=status)


# ---------------------------------------------------------------------------------------------
# Members and applications


@workspace_view()
def members(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    """The internal member directory: every member with its public contact; contact persons for coordinators."""
    rows = (
        MemberOrganisation.objects.approved()
        .filter(platform=workspace.platform)
        .select_related("organization")
        .order_by("kind", "name")
    )
    year = fiscal_year_param(request.GET.get("year"))
    if year is not None:
        # The programme report's link: the members whose application was approved in that fiscal year.
        start, end = fiscal_year_bounds(year)
        rows = rows.filter(decided_at__gte=start, decided_at__lt=end)
    waiting = MemberOrganisation.objects.applications().filter(platform=workspace.platform).count()
    return _render(
        request,
        workspace,
        "members.html",
        year=year,
        members=rows,
        waiting=waiting if workspace.is_coordinator else 0,
        with_contacts=access.sees_contact_persons(workspace),
    )


# The member list's CSV columns: fields of MemberOrganisation, headed by their (Japanese) names.
EXPORT_FIELDS = [
    "name",
    "kind",
    "corporate_number",
    "areas",
    "needs",
    "description",
    "website",
    "contact_name",
    "contact_email",
    "contact_phone",
]


def _export_row(member: MemberOrganisation) -> list[Any]:
    values = {
        **{field: getattr(member, field) for field in EXPORT_FIELDS},
        "kind": member.get_kind_display(),
        "needs": "、".join(member.need_labels),
    }
    member_since = timezone.localdate(member.decided_at).isoformat() if member.decided_at else ""
    return [*(values[field] for field in EXPORT_FIELDS), str(member.corporate_number_kind_label), member_since]


# Contact persons are in the export: only coordinators may download it (access.sees_contact_persons).
@workspace_view(roles=COORDINATORS)
def members_export(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    """The member list with contacts as CSV for Excel (coordinators only; the download is audited)."""
    rows = list(MemberOrganisation.objects.approved().filter(platform=workspace.platform).order_by("kind", "name"))
    record("membership.exported", actor=request.user, platform=workspace.platform, changes={"members": len(rows)})
    header = [
        *(str(getattr(MemberOrganisation._meta.get_field(field), "verbose_name", field)) for field in EXPORT_FIELDS),
        _("Kind of corporate number"),
        _("Member since"),
    ]
    response = HttpResponse("".join(csv_lines(header, map(_export_row, rows))), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="members-{workspace.platform.slug}.csv"'
    return response


@workspace_view()
def members_print(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    """The member list to print (A4); the contact persons only for coordinators."""
    rows = MemberOrganisation.objects.approved().filter(platform=workspace.platform).order_by("kind", "name")
    context = {"platform": workspace.platform, "members": rows, "with_contacts": access.sees_contact_persons(workspace)}
    return render(request, "membership/members_print.html", context)


@workspace_view()
def member_detail(request: HttpRequest, workspace: Workspace, member_id: uuid.UUID) -> HttpResponse:
    member = access.get_member(workspace, member_id)
    return _render(
        request,
        workspace,
        "member_detail.html",
        member=member,
        with_contacts=access.sees_contact_persons(workspace),
        agreements=member.agreements.order_by("-signed_on"),
        trust_form=TrustForm(initial={"trusted": member.trusted}) if workspace.is_coordinator else None,
    )


@require_POST
@workspace_view(roles=COORDINATORS)
def member_trust(request: HttpRequest, workspace: Workspace, member_id: uuid.UUID) -> HttpResponse:
    member = access.get_member(workspace, member_id)
    form = TrustForm(request.POST)
    form.is_valid()
    trusted = bool(form.cleaned_data.get("trusted"))
    actions.set_trusted(member, trusted=trusted, actor=request.user)
    if trusted:
        messages.success(request, _("%(name)s's listing changes are now published at once.") % {"name": member.name})
    else:
        messages.success(request, _("%(name)s's listing changes now wait for review.") % {"name": member.name})
    return redirect("workspace:members-detail", workspace.platform.slug, member.pk)


@workspace_view(roles=COORDINATORS)
def applications(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    """Applications waiting for a decision, and the latest decisions."""
    rows = MemberOrganisation.objects.filter(platform=workspace.platform)
    return _render(
        request,
        workspace,
        "applications.html",
        waiting=rows.applications().order_by("created_at"),
        decided=rows.exclude(status=MemberOrganisation.Status.APPLIED)
        .select_related("decided_by")
        .order_by("-decided_at")[:30],
    )


def _application_page(
    request: HttpRequest,
    workspace: Workspace,
    application: MemberOrganisation,
    approve_form: ApproveForm | None = None,
    decline_form: DeclineForm | None = None,
) -> HttpResponse:
    bound = (approve_form and approve_form.is_bound) or (decline_form and decline_form.is_bound)
    return _render(
        request,
        workspace,
        "application_detail.html",
        status=400 if bound else 200,
        application=application,
        with_contacts=True,  # the page is for coordinators only
        register=check_register(application.corporate_number, application.name),
        approve_form=approve_form or ApproveForm(application=application),
        decline_form=decline_form or DeclineForm(),
    )


@workspace_view(roles=COORDINATORS)
def application_detail(request: HttpRequest, workspace: Workspace, application_id: uuid.UUID) -> HttpResponse:
    return _application_page(request, workspace, access.get_application(workspace, application_id))


@require_POST
@workspace_view(roles=COORDINATORS)
def application_approve(request: HttpRequest, workspace: Workspace, application_id: uuid.UUID) -> HttpResponse:
    application = access.get_application(workspace, application_id)
    form = ApproveForm(request.POST, application=application)
    if not form.is_valid():
        return _application_page(request, workspace, application, approve_form=form)
    try:
        actions.approve_application(
            application,
            actor=request.user,
            organization=form.cleaned_data["organization"],
            invite_contact=form.cleaned_data["invite_contact"],
        )
    except actions.InvalidStateError:
        messages.error(request, _("This application was already decided."))
        return redirect("workspace:members-application", workspace.platform.slug, application.pk)
    message = _("%(name)s is now a member. We told %(email)s by e-mail.")
    if form.cleaned_data["invite_contact"]:
        message = _("%(name)s is now a member. We told %(email)s by e-mail and invited them as its administrator.")
    messages.success(request, message % {"name": application.name, "email": application.contact_email})
    return redirect("workspace:members-applications", workspace.platform.slug)


@require_POST
@workspace_view(roles=COORDINATORS)
def application_decline(request: HttpRequest, workspace: Workspace, application_id: uuid.UUID) -> HttpResponse:
    application = access.get_application(workspace, application_id)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return _application_page(request, workspace, application, decline_form=form)
    try:
        actions.decline_application(application, actor=request.user, reason=form.cleaned_data["reason"])
    except actions.InvalidStateError:
        messages.error(request, _("This application was already decided."))
        return redirect("workspace:members-application", workspace.platform.slug, application.pk)
    messages.success(
        request,
        _("The application of %(name)s was declined. We sent the reason to %(email)s.")
        % {"name": application.name, "email": application.contact_email},
    )
    return redirect("workspace:members-applications", workspace.platform.slug)


# ---------------------------------------------------------------------------------------------
# Agreements


@workspace_view()
def agreements(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    rows = Agreement.objects.filter(platform=workspace.platform).prefetch_related("parties")
    year = fiscal_year_param(request.GET.get("year"))
    if year is not None:
        # The programme report's link: the agreements signed in that fiscal year.
        rows = rows.filter(signed_on__gte=datetime.date(year, 4, 1), signed_on__lt=datetime.date(year + 1, 4, 1))
    return _render(request, workspace, "agreements.html", agreements=rows, year=year)


def _agreement_form(request: HttpRequest, workspace: Workspace, agreement: Agreement) -> HttpResponse:
    form = AgreementForm(request.POST or None, request.FILES or None, instance=agreement)
    if request.method == "POST" and form.is_valid():
        saved = actions.save_agreement(
            form.save(commit=False),
            actor=request.user,
            parties=form.cleaned_data["parties"],
            document=form.cleaned_data.get("upload"),
        )
        messages.success(request, _("The agreement “%(title)s” was saved.") % {"title": saved.title})
        return redirect("workspace:members-agreements", workspace.platform.slug)
    return _render(
        request,
        workspace,
        "agreement_form.html",
        status=400 if form.is_bound else 200,
        form=form,
        agreement=agreement,
        is_new=agreement._state.adding,
    )


@workspace_view(roles=COORDINATORS)
def agreement_new(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    return _agreement_form(request, workspace, Agreement(platform=workspace.platform))


@workspace_view(roles=COORDINATORS)
def agreement_edit(request: HttpRequest, workspace: Workspace, agreement_id: uuid.UUID) -> HttpResponse:
    return _agreement_form(request, workspace, access.get_agreement(workspace, agreement_id))


@workspace_view()
def agreement_document(request: HttpRequest, workspace: Workspace, agreement_id: uuid.UUID) -> FileResponse:
    """The signed PDF, for the platform's people only: never served from MEDIA_URL, never shown inline."""
    agreement = access.get_agreement(workspace, agreement_id)
    if not agreement.document:
        raise Http404
    try:
        return files.download(agreement.document, agreement.document_name or "agreement.pdf", "application/pdf")
    except FileNotFoundError:
        raise Http404 from None


# ---------------------------------------------------------------------------------------------
# Listings


@workspace_view(roles=LISTING_ROLES)
def listings_home(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    """Coordinators: changes waiting for review. Administrators: their listings and their proposals."""
    platform = workspace.platform
    changes = ListingChange.objects.filter(platform=platform).select_related("organization", "service", "author")
    context: dict[str, Any] = {}
    if workspace.is_coordinator:
        context["pending"] = changes.filter(status=ListingChange.Status.PENDING).order_by("created_at")
        context["decided"] = changes.exclude(status=ListingChange.Status.PENDING).order_by("-decided_at")[:30]
        context["settings_form"] = ListingSettingsForm(
            initial={"verification_months": PlatformSettings.months_for(platform)}
        )
    if workspace.has_role(Role.ORG_ADMIN):
        organizations = access.administered_organisations(request, workspace)
        context["services"] = (
            Service.objects.filter(platform=platform, organization__in=organizations)
            .select_related("organization")
            .order_by("organization__name", "name")
        )
        context["own_changes"] = changes.filter(organization__in=organizations).order_by("-modified_at")[:30]
    return _render(request, workspace, "listings.html", **context)


def _listing_page(
    request: HttpRequest, workspace: Workspace, service: Service | None, pending: ListingChange | None
) -> HttpResponse:
    organizations: QuerySet[Organization]
    if service is not None and workspace.is_coordinator:
        organizations = Organization.objects.filter(pk=service.organization_id)
    else:
        organizations = access.administered_organisations(request, workspace)
        if service is not None:
            organizations = organizations.filter(pk=service.organization_id)
    if request.method == "POST":
        form = ListingForm(request.POST, organizations=organizations)
    else:
        initial = dict(pending.after if pending else listings.snapshot(service))
        initial["organization"] = service.organization_id if service else organizations.first()
        form = ListingForm(initial=initial, organizations=organizations)
    if service is not None:
        form.fields["organization"].disabled = True
        form.fields["organization"].initial = service.organization_id
    if request.method == "POST" and form.is_valid():
        organization = service.organization if service is not None else form.cleaned_data["organization"]
        try:
            change = actions.propose_listing_change(
                organization=organization,
                service=service,
                after=form.snapshot(),
                author=request.user,
                note=form.cleaned_data["author_note"],
                by_coordinator=workspace.is_coordinator,
            )
        except actions.NothingChangedError:
            form.add_error(None, _("Nothing was changed. Change a field, or go back to the list."))
        else:
            if change.published_at_once:
                messages.success(request, _("The change is published."))
            else:
                messages.success(request, _("Thank you. The change is published once a coordinator approves it."))
            hours = parse_hours(change.after.get("hours_text", ""), change.after.get("closed_days_text", ""))
            if hours is not None and not hours.parsed:
                messages.warning(
                    request,
                    _(
                        "We could not read the opening hours as a timetable. They are shown as you wrote them, "
                        "but the portal cannot say whether it is open now. Try e.g. 月曜日～金曜日 9時～17時 "
                        "or 毎月第2土曜日 14:00～16:00."
                    ),
                )
            return redirect("workspace:listings-change", workspace.platform.slug, change.pk)
    return _render(
        request,
        workspace,
        "listing_form.html",
        status=400 if form.is_bound else 200,
        form=form,
        service=service,
        pending=pending,
    )


@workspace_view(roles={Role.ORG_ADMIN})
def listing_new(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    if not access.administered_organisations(request, workspace).exists():
        raise Http404
    return _listing_page(request, workspace, None, None)


@workspace_view(roles=LISTING_ROLES)
def listing_edit(request: HttpRequest, workspace: Workspace, service_id: uuid.UUID) -> HttpResponse:
    """Administrators edit their organisations' listings; coordinators any of the platform's own (published at once)."""
    service = access.get_editable_service(request, workspace, service_id)
    pending = ListingChange.objects.filter(service=service, status=ListingChange.Status.PENDING).first()
    return _listing_page(request, workspace, service, pending)


def _change_page(
    request: HttpRequest, workspace: Workspace, change: ListingChange, reject_form: RejectForm | None = None
) -> HttpResponse:
    current = listings.snapshot(change.service) if change.service and change.status == change.Status.PENDING else None
    return _render(
        request,
        workspace,
        "listing_change.html",
        status=400 if reject_form is not None else 200,
        change=change,
        changes=listings.diff(change.before, change.after, current),
        review_form=ReviewForm() if workspace.is_coordinator else None,
        reject_form=reject_form or (RejectForm() if workspace.is_coordinator else None),
    )


@workspace_view(roles=LISTING_ROLES)
def listing_change(request: HttpRequest, workspace: Workspace, change_id: uuid.UUID) -> HttpResponse:
    return _change_page(request, workspace, access.get_change(request, workspace, change_id))


@require_POST
@workspace_view(roles=COORDINATORS)
def listing_change_approve(request: HttpRequest, workspace: Workspace, change_id: uuid.UUID) -> HttpResponse:
    change = access.get_change(request, workspace, change_id)
    form = ReviewForm(request.POST)
    form.is_valid()
    try:
        change = actions.approve_listing_change(change, actor=request.user, note=form.cleaned_data.get("note", ""))
    except actions.InvalidStateError:
        messages.error(request, _("This change was already decided."))
        return redirect("workspace:listings-change", workspace.platform.slug, change.pk)
    messages.success(request, _("“%(name)s” is published.") % {"name": change})
    return redirect("workspace:listings", workspace.platform.slug)


@require_POST
@workspace_view(roles=COORDINATORS)
def listing_change_reject(request: HttpRequest, workspace: Workspace, change_id: uuid.UUID) -> HttpResponse:
    change = access.get_change(request, workspace, change_id)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _change_page(request, workspace, change, reject_form=form)
    try:
        actions.reject_listing_change(change, actor=request.user, note=form.cleaned_data["note"])
    except actions.InvalidStateError:
        messages.error(request, _("This change was already decided."))
        return redirect("workspace:listings-change", workspace.platform.slug, change.pk)
    messages.success(request, _("The change was not published. We told the organisation why."))
    return redirect("workspace:listings", workspace.platform.slug)


@require_POST
@workspace_view(roles=COORDINATORS)
def listing_settings(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    form = ListingSettingsForm(request.POST)
    if form.is_valid():
        actions.set_verification_months(
            workspace.platform, months=form.cleaned_data["verification_months"], actor=request.user
        )
        messages.success(
            request,
            _("Members are now asked to confirm a listing after %(months)d months.")
            % {"months": form.cleaned_data["verification_months"]},
        )
    else:
        messages.error(request, " ".join(str(e) for e in form.errors["verification_months"]))
    return redirect("workspace:listings", workspace.platform.slug)


# ---------------------------------------------------------------------------------------------
# Problem reports


@workspace_view(roles=LISTING_ROLES)
def reports(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    rows = access.reports_for(request, workspace)
    return _render(
        request,
        workspace,
        "reports.html",
        open_reports=rows.exclude(status=ProblemReport.Status.CLOSED).order_by("created_at"),
        closed_reports=rows.filter(status=ProblemReport.Status.CLOSED).order_by("-closed_at")[:30],
        close_form=CloseReportForm(),
    )


@require_POST
@workspace_view(roles=LISTING_ROLES)
def report_close(request: HttpRequest, workspace: Workspace, report_id: uuid.UUID) -> HttpResponse:
    report = access.get_report(request, workspace, report_id)
    form = CloseReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors["note"]))
    else:
        try:
            actions.close_report(report, actor=request.user, note=form.cleaned_data["note"])
        except actions.InvalidStateError:
            messages.error(request, _("This report was already closed."))
        else:
            messages.success(request, _("The report is closed."))
    return redirect("workspace:reports", workspace.platform.slug)


@require_POST
@workspace_view(roles=COORDINATORS)
def report_ask(request: HttpRequest, workspace: Workspace, report_id: uuid.UUID) -> HttpResponse:
    """Ask the listing's organisation to correct it: the report becomes "being fixed"."""
    report = access.get_report(request, workspace, report_id)
    try:
        recipients = actions.ask_organisation_to_fix(
            report, actor=request.user, message=request.POST.get("message", "")[:2000]
        )
    except actions.InvalidStateError:
        messages.error(request, _("This report cannot be sent to an organisation (closed, or national open data)."))
    else:
        if recipients:
            messages.success(
                request, _("We asked %(emails)s to correct the listing.") % {"emails": "、".join(recipients)}
            )
        else:
            messages.warning(
                request,
                _("The report is marked as being fixed, but the organisation has no administrator here to e-mail."),
            )
    return redirect("workspace:reports", workspace.platform.slug)
