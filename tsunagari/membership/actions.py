"""Named actions of membership: joining, agreements, listing changes, checks and problem reports.

Each is atomic, writes its audit record when a coordinator or an administrator acts, and queues
its e-mails for after the commit. Call them inside the platform's scope (workspace views are).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from tsunagari.accounts import actions as account_actions
from tsunagari.accounts.mail import render_message, send_after_commit
from tsunagari.accounts.models import Membership, Role
from tsunagari.audit.log import record
from tsunagari.directory.models import Organization, Service
from tsunagari.notices import files
from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import scopes_disabled

from . import listings
from .models import (
    Agreement,
    ListingChange,
    MemberOrganisation,
    PlatformSettings,
    ProblemReport,
    VerificationRequest,
    months_before,
)

VERIFICATION_SALT = "tsunagari.membership.verification"


class InvalidStateError(Exception):
    """The row has moved on (already decided, closed, …): the action no longer applies."""


class NothingChangedError(Exception):
    """A proposed listing change that changes nothing."""


# ---------------------------------------------------------------------------------------------
# Who hears of what


def site_url(name: str, *args: Any) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


def coordinator_emails(platform: Platform) -> list[str]:
    return sorted(
        set(Membership.objects.filter(platform=platform, role=Role.COORDINATOR).values_list("user__email", flat=True))
    )


def organisation_admin_emails(platform: Platform, organization: Organization) -> list[str]:
    return sorted(
        set(
            Membership.objects.filter(platform=platform, role=Role.ORG_ADMIN, organization=organization).values_list(
                "user__email", flat=True
            )
        )
    )


def _mail(template_prefix: str, recipients: Iterable[str], context: dict[str, Any]) -> None:
    """One e-mail per address, so that nobody sees who else received it."""
    for address in sorted({a for a in recipients if a}):
        send_after_commit(render_message(f"membership/email/{template_prefix}", address, context))


# ---------------------------------------------------------------------------------------------
# Joining


def apply_to_join(platform: Platform, *, acknowledge: bool = True, **fields: Any) -> MemberOrganisation:
    """Record an organisation's application; acknowledge it to the contact and tell the coordinators.

    The address is not proven yet, so the acknowledgement is a fixed text with nothing the applicant
    wrote (no names, no description): the public form cannot be used to send chosen words to
    anyone's inbox. `acknowledge=False` skips it (the address has had enough of them lately).
    """
    with transaction.atomic():
        application = MemberOrganisation(platform=platform, status=MemberOrganisation.Status.APPLIED, **fields)
        application.full_clean()
        application.save()
        context: dict[str, Any] = {"platform": platform}
        if acknowledge:
            _mail("application_received", [application.contact_email], context)
        context["application"] = application
        context["url"] = site_url("workspace:members-application", platform.slug, application.pk)
        _mail("application_to_review", coordinator_emails(platform), context)
    return application


def _lock_application(application: MemberOrganisation) -> MemberOrganisation:
    locked = MemberOrganisation.objects.select_for_update().get(pk=application.pk)
    if locked.status != MemberOrganisation.Status.APPLIED:
        raise InvalidStateError
    return locked


def approve_application(
    application: MemberOrganisation,
    *,
    actor: Any,
    organization: Organization | None = None,
    invite_contact: bool = True,
) -> MemberOrganisation:
    """Make the applicant a member, linked to `organization` or to a new directory organisation.

    With `invite_contact`, the contact person is invited as the organisation's administrator, so
    they can look after its listings.
    """
    with transaction.atomic():
        application = _lock_application(application)
        platform = application.platform
        if organization is None:
            organization = Organization(
                platform=platform,
                name=application.name,
                description=application.description,
                website=application.website,
                corporate_number=application.corporate_number,
            )
            listings.save_with_history(organization, actor, f"会員の承認: {application.name}"[:100])
        elif organization.platform_id != platform.pk:
            raise ValueError("An organisation of another platform.")
        application.organization = organization
        application.status = MemberOrganisation.Status.APPROVED
        application.decided_at = timezone.now()
        application.decided_by = actor
        application.save()
        record(
            "membership.approved",
            actor=actor,
            platform=platform,
            obj=application,
            changes={"organization": str(organization), "invite_contact": invite_contact},
        )
        _mail(
            "application_approved",
            [application.contact_email],
            {"platform": platform, "application": application, "url": site_url("membership:members", platform.slug)},
        )
        if invite_contact:
            account_actions.invite(
                platform=platform,
                email=application.contact_email,
                role=Role.ORG_ADMIN,
                organization=organization,
                invited_by=actor,
            )
    return application


def decline_application(application: MemberOrganisation, *, actor: Any, reason: str) -> MemberOrganisation:
    """Decline an application with a reason, which the applicant receives by e-mail."""
    reason = reason.strip()
    if not reason:
        raise ValueError("Declining needs a reason.")
    with transaction.atomic():
        application = _lock_application(application)
        application.status = MemberOrganisation.Status.DECLINED
        application.decline_reason = reason
        application.decided_at = timezone.now()
        application.decided_by = actor
        application.save()
        record(
            "membership.declined",
            actor=actor,
            platform=application.platform,
            obj=application,
            changes={"reason": reason},
        )
        _mail(
            "application_declined",
            [application.contact_email],
            {"platform": application.platform, "application": application},
        )
    return application


def set_trusted(member: MemberOrganisation, *, trusted: bool, actor: Any) -> None:
    """Let a member's listing changes go live at once (trusted) or wait for review."""
    with transaction.atomic():
        member.trusted = trusted
        member.save(update_fields=["trusted", "modified_at"])
        record(
            "membership.trust_changed", actor=actor, platform=member.platform, obj=member, changes={"trusted": trusted}
        )


# ---------------------------------------------------------------------------------------------
# Agreements


def save_agreement(
    agreement: Agreement,
    *,
    actor: Any,
    parties: Iterable[MemberOrganisation],
    document: UploadedFile | None = None,
) -> Agreement:
    """Create or update a partnership agreement; a new document replaces the old file."""
    created = agreement._state.adding
    old_file = None if created or document is None else agreement.document.name
    with transaction.atomic():
        if created:
            agreement.created_by = actor
        if document is not None:
            agreement.document_name = files.clean_name(document.name or "agreement.pdf")
            agreement.document.save("agreement.pdf", document, save=False)
        agreement.full_clean(exclude=["document"])
        agreement.save()
        agreement.parties.set(list(parties))
        record(
            "agreement.created" if created else "agreement.changed",
            actor=actor,
            platform=agreement.platform,
            obj=agreement,
            changes={
                "status": agreement.status,
                "parties": sorted(str(p) for p in agreement.parties.all()),
                "document": agreement.document_name if document is not None else None,
            },
        )
        if old_file:
            storage = agreement.document.storage
            transaction.on_commit(lambda: storage.delete(old_file))
    return agreement


# ---------------------------------------------------------------------------------------------
# Listing changes


def _trusted(organization: Organization) -> bool:
    return (
        MemberOrganisation.objects.approved()
        .filter(platform_id=organization.platform_id, organization=organization, trusted=True)
        .exists()
    )


def propose_listing_change(
    *,
    organization: Organization,
    service: Service | None,
    after: dict[str, Any],
    author: Any,
    note: str = "",
    by_coordinator: bool = False,
) -> ListingChange:
    """Propose new values for `service` (or a new listing) on behalf of `organization`.

    `by_coordinator`: a coordinator corrects the listing themselves; they are the reviewers, so it
    is published at once, like a trusted member's change (and recorded the same way).

    Only the organisation's own rows on its own platform: national open data is corrected
    through a problem report instead. A change still waiting for review is updated rather than
    doubled. Trusted members' changes are published at once (and still recorded).
    """
    if service is not None and (
        service.platform_id != organization.platform_id or service.organization_id != organization.pk
    ):
        raise ValueError("A member organisation edits only its own listings on its own platform.")
    platform = organization.platform
    with transaction.atomic():
        before = listings.snapshot(service)
        if not listings.changed_fields(before, after):
            raise NothingChangedError
        change = None
        if service is not None:
            change = (
                ListingChange.objects.select_for_update()
                .filter(service=service, status=ListingChange.Status.PENDING)
                .first()
            )
        if change is None:
            change = ListingChange(platform=platform, organization=organization, service=service)
        change.before, change.after = before, after
        change.author, change.author_note = author, note.strip()
        trusted = by_coordinator or _trusted(organization)
        if trusted:
            change.service = listings.apply(
                after,
                service=service,
                organization=organization,
                fields=listings.changed_fields(before, after),
                user=author,
                reason=(
                    f"事務局による修正: {organization.name}"
                    if by_coordinator
                    else f"信頼された会員による即時公開: {organization.name}"
                )[:100],
            )
            change.status = ListingChange.Status.APPROVED
            change.published_at_once = True
            change.decided_at = timezone.now()
        change.save()
        record(
            "listing.published" if trusted else "listing.proposed",
            actor=author,
            platform=platform,
            obj=change,
            changes={"fields": listings.changed_fields(before, after), "service": str(change.service_id or "")},
        )
        context = {
            "platform": platform,
            "change": change,
            "organization": organization,
            "changes": listings.diff(before, after),
            "url": site_url("workspace:listings-change", platform.slug, change.pk),
        }
        if not by_coordinator:
            _mail("listing_change_to_review", coordinator_emails(platform), context)
    return change


def _lock_change(change: ListingChange) -> ListingChange:
    locked = (
        ListingChange.objects.select_for_update(of=("self",))
        .select_related("organization", "service")
        .get(pk=change.pk)
    )
    if locked.status != ListingChange.Status.PENDING:
        raise InvalidStateError
    return locked


def approve_listing_change(change: ListingChange, *, actor: Any, note: str = "") -> ListingChange:
    """Publish a proposed change: write it to the directory with `actor` in its history."""
    with transaction.atomic():
        change = _lock_change(change)
        fields = listings.changed_fields(change.before, change.after)
        change.service = listings.apply(
            change.after,
            service=change.service,
            organization=change.organization,
            fields=fields,
            user=actor,
            reason=f"掲載変更の承認: {change.organization.name}"[:100],
        )
        change.status = ListingChange.Status.APPROVED
        change.reviewer, change.note, change.decided_at = actor, note.strip(), timezone.now()
        change.save()
        record(
            "listing.approved",
            actor=actor,
            platform=change.platform,
            obj=change,
            changes={"fields": fields, "service": str(change.service_id), "note": change.note},
        )
        _tell_author(change)
    return change


def reject_listing_change(change: ListingChange, *, actor: Any, note: str) -> ListingChange:
    """Turn a proposed change down with a note saying why; the listing stays as it was."""
    note = note.strip()
    if not note:
        raise ValueError("Rejecting needs a note.")
    with transaction.atomic():
        change = _lock_change(change)
        change.status = ListingChange.Status.REJECTED
        change.reviewer, change.note, change.decided_at = actor, note, timezone.now()
        change.save()
        record("listing.rejected", actor=actor, platform=change.platform, obj=change, changes={"note": note})
        _tell_author(change)
    return change


def _tell_author(change: ListingChange) -> None:
    if change.author is None:
        return
    context = {
        "platform": change.platform,
        "change": change,
        "url": site_url("workspace:listings-change", change.platform.slug, change.pk),
    }
    _mail("listing_change_decided", [change.author.email], context)


def set_verification_months(platform: Platform, *, months: int, actor: Any) -> None:
    with transaction.atomic():
        settings_row, _created = PlatformSettings.objects.get_or_create(platform=platform)
        old = settings_row.verification_months
        settings_row.verification_months = months
        settings_row.full_clean()
        settings_row.save()
        record(
            "listing.settings_changed",
            actor=actor,
            platform=platform,
            object_repr=str(platform),
            changes={"verification_months": [old, months]},
        )


# ---------------------------------------------------------------------------------------------
# Checking listings


def verification_token(request: VerificationRequest) -> str:
    return signing.dumps(request.token, salt=VERIFICATION_SALT)


def verification_from_token(token: str) -> VerificationRequest | None:
    """The request a confirm link stands for, or None when forged or too old (any platform)."""
    max_age = settings.VERIFICATION_LINK_MAX_AGE_DAYS * 24 * 60 * 60
    try:
        raw = signing.loads(token, salt=VERIFICATION_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    # Leaving the scope on purpose: the link names no platform; the row says which one it is.
    with scopes_disabled():
        return (
            VerificationRequest.objects.select_related("platform", "service", "organization").filter(token=raw).first()
        )


def services_due(platform: Platform, today: datetime.date | None = None) -> list[Service]:
    """The platform's own published listings of member organisations that nobody has confirmed lately."""
    today = today or timezone.localdate()
    cutoff = months_before(today, PlatformSettings.months_for(platform))
    asked_since = timezone.now() - datetime.timedelta(days=settings.VERIFICATION_REMIND_DAYS)
    member_orgs = MemberOrganisation.objects.approved().filter(platform=platform).values("organization_id")
    admin_orgs = Membership.objects.filter(platform=platform, role=Role.ORG_ADMIN).values("organization_id")
    recently_asked = VerificationRequest.objects.filter(platform=platform, sent_at__gte=asked_since).values(
        "service_id"
    )
    return list(
        Service.objects.published()
        .filter(platform=platform)
        .filter(Q(organization_id__in=member_orgs) | Q(organization_id__in=admin_orgs))
        .filter(Q(last_verified_on__lt=cutoff) | Q(last_verified_on__isnull=True))
        .exclude(pk__in=recently_asked)
        .select_related("organization")
        .order_by("organization__name", "name")
    )


def send_verification_requests(platform: Platform, *, today: datetime.date | None = None) -> int:
    """Ask each member organisation, by one e-mail, to confirm its listings that are due.

    Safe to run any number of times (from cron): a listing asked about within
    VERIFICATION_REMIND_DAYS is not asked about again. Returns the number of listings asked about.
    """
    by_org: dict[Organization, list[Service]] = {}
    for service in services_due(platform, today):
        by_org.setdefault(service.organization, []).append(service)
    contacts = dict(
        MemberOrganisation.objects.approved()
        .filter(platform=platform, organization__in=list(by_org))
        .values_list("organization_id", "contact_email")
    )
    asked = 0
    for organization, services in by_org.items():
        recipients = sorted(
            {*organisation_admin_emails(platform, organization), contacts.get(organization.pk, "")} - {""}
        )
        if not recipients:
            continue
        with transaction.atomic():
            items = []
            for service in services:
                request = VerificationRequest.objects.create(
                    platform=platform, service=service, organization=organization, sent_to=recipients
                )
                items.append(
                    {
                        "service": service,
                        "confirm_url": site_url("membership-confirm", verification_token(request)),
                        "edit_url": site_url("workspace:listings-edit", platform.slug, service.pk),
                    }
                )
            context = {
                "platform": platform,
                "organization": organization,
                "items": items,
                "months": PlatformSettings.months_for(platform),
            }
            _mail("verification_request", recipients, context)
        asked += len(services)
    return asked


def confirm_listing(request: VerificationRequest, *, actor: Any = None) -> bool:
    """Mark the listing as checked today by its organisation; False when it was confirmed already."""
    with transaction.atomic():
        request = (
            VerificationRequest.objects.select_for_update(of=("self",))
            .select_related("service", "organization")
            .get(pk=request.pk)
        )
        if request.confirmed_at is not None:
            return False
        now = timezone.now()
        service = request.service
        service.last_verified_on = timezone.localdate(now)
        service.last_verified_by = request.organization.name[:200]
        listings.save_with_history(service, actor, f"掲載内容の確認: {request.organization.name}"[:100])
        VerificationRequest.objects.filter(service=service, confirmed_at__isnull=True).update(confirmed_at=now)
        record(
            "listing.confirmed",
            actor=actor,
            platform=request.platform,
            obj=service,
            changes={"organization": request.organization.name},
        )
    return True


# ---------------------------------------------------------------------------------------------
# Problem reports


def report_problem(
    *, platform: Platform, service: Service, kind: str, text: str = "", reporter: Any = None
) -> ProblemReport:
    """File a resident's report; it goes to the coordinators and, for own listings, the organisation."""
    with transaction.atomic():
        report = ProblemReport(
            platform=platform,
            service=service,
            kind=kind,
            text=text.strip(),
            reported_by=reporter if getattr(reporter, "is_authenticated", False) else None,
        )
        report.full_clean()
        report.save()
        recipients = coordinator_emails(platform)
        if service.platform_id == platform.pk:
            recipients += organisation_admin_emails(platform, service.organization)
        context = {
            "platform": platform,
            "report": report,
            "service": service,
            "url": site_url("workspace:reports", platform.slug),
        }
        _mail("problem_reported", recipients, context)
    return report


def close_report(report: ProblemReport, *, actor: Any, note: str) -> ProblemReport:
    """Close a report with a note saying what was done."""
    note = note.strip()
    if not note:
        raise ValueError("Closing needs a note.")
    with transaction.atomic():
        report = ProblemReport.objects.select_for_update().get(pk=report.pk)
        if report.status == ProblemReport.Status.CLOSED:
            raise InvalidStateError
        report.status = ProblemReport.Status.CLOSED
        report.note, report.closed_by, report.closed_at = note, actor, timezone.now()
        report.save()
        record("report.closed", actor=actor, platform=report.platform, obj=report, changes={"note": note})
    return report


def ask_organisation_to_fix(report: ProblemReport, *, actor: Any, message: str = "") -> list[str]:
    """Mark a report as being fixed and e-mail the listing's organisation administrators; returns whom.

    Only for the platform's own listings (national open data has no organisation here to ask).
    """
    with transaction.atomic():
        report = ProblemReport.objects.select_for_update().select_related("service__organization").get(pk=report.pk)
        service = report.service
        if report.status == ProblemReport.Status.CLOSED or service.platform_id != report.platform_id:
            raise InvalidStateError
        recipients = organisation_admin_emails(report.platform, service.organization) if service.organization else []
        report.status = ProblemReport.Status.IN_PROGRESS
        report.save(update_fields=["status", "modified_at"])
        record(
            "report.sent_to_organisation",
            actor=actor,
            platform=report.platform,
            obj=report,
            changes={"recipients": len(recipients)},
        )
        _mail(
            "problem_fix_request",
            recipients,
            {
                "platform": report.platform,
                "report": report,
                "service": service,
                "message": message.strip(),
                "url": site_url("workspace:reports", report.platform.slug),
                "edit_url": site_url("workspace:listings-edit", report.platform.slug, service.pk),
            },
        )
    return recipients
