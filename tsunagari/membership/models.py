"""Member organisations of a platform, their agreements, and the upkeep of their listings.

An organisation applies (MemberOrganisation, status APPLIED); coordinators approve it, linking it
to a directory Organization, or decline it. Member organisations propose edits to their services
(ListingChange), are asked to confirm listings nobody has checked for a while
(VerificationRequest), and hear from residents who found something wrong (ProblemReport). Every
row belongs to one platform and is scoped like the directory.
"""

from __future__ import annotations

import datetime
import secrets
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tsunagari.directory.models import Organization, PlatformOwned, Service
from tsunagari.directory.taxonomy import read_terms
from tsunagari.notices import files
from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import PlatformScopedManager

from .validators import (
    CORPORATE_NUMBER_KIND_LABELS,
    PUBLIC_BODIES,
    CorporateNumberKind,
    corporate_number_kind,
    corporate_number_url,
    validate_corporate_number,
)

# Audit actions this app records, with the words the audit page shows (see apps.ready).
AUDIT_LABELS: dict[str, str | Promise] = {
    "membership.approved": _("approved an application to join"),
    "membership.declined": _("declined an application to join"),
    "membership.trust_changed": _("changed whether a member publishes at once"),
    "agreement.created": _("added a partnership agreement"),
    "agreement.changed": _("changed a partnership agreement"),
    "listing.proposed": _("proposed a change to a listing"),
    "listing.published": _("published a listing change at once (trusted member)"),
    "listing.approved": _("approved a listing change"),
    "listing.rejected": _("rejected a listing change"),
    "listing.confirmed": _("confirmed a listing is still right"),
    "listing.settings_changed": _("changed how often listings are checked"),
    "report.closed": _("closed a problem report"),
    "report.sent_to_organisation": _("asked an organisation to correct its listing"),
    "membership.exported": _("downloaded the member list (CSV)"),
}

DEFAULT_VERIFICATION_MONTHS = 6


def need_labels(codes: list[str]) -> list[str]:
    """The Japanese labels of need codes, in the taxonomy's order."""
    labels = {row["code"]: row["label_ja"] for row in read_terms("needs.tsv")}
    return [labels[code] for code in labels if code in codes]


class MemberQuerySet(models.QuerySet["MemberOrganisation"]):
    def approved(self) -> MemberQuerySet:
        return self.filter(status=MemberOrganisation.Status.APPROVED)

    def applications(self) -> MemberQuerySet:
        return self.filter(status=MemberOrganisation.Status.APPLIED)


MemberManager = models.Manager.from_queryset(MemberQuerySet)
# The managers below are annotated so that type checking knows their rows; the "type: ignore"s
# are for PlatformOwned's own manager, which the checker cannot resolve (PlatformScopedManager
# builds it at run time).


class MemberOrganisation(PlatformOwned):
    """An organisation's membership of a platform, from its application to approval or decline.

    The application and the membership are one row: what the applicant wrote is what the member
    list shows once approved. `organization` links it to the directory (set on approval), which
    is what member staff roles and listings refer to.
    """

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("local government (行政)")
        COUNCIL = "council", _("council of social welfare (社協)")
        NPO = "npo", _("NPO")
        COMMISSIONER = "commissioner", _("welfare commissioners (民生委員)")
        COMPANY = "company", _("company (企業)")
        SCHOOL = "school", _("school (学校)")
        MEDICAL = "medical", _("medical (医療)")
        OTHER = "other", _("other (その他)")

    class Status(models.TextChoices):
        APPLIED = "applied", _("waiting for a decision")
        APPROVED = "approved", _("member")
        DECLINED = "declined", _("declined")

    organization = models.ForeignKey(
        Organization,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="platform_memberships",
        verbose_name=_("organisation in the directory"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.APPLIED, db_index=True)
    name = models.CharField(_("name of the organisation"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    corporate_number = models.CharField(
        _("corporate number (法人番号)"), max_length=13, blank=True, validators=[validate_corporate_number]
    )
    areas = models.CharField(_("areas where it works"), max_length=300, blank=True)
    needs = models.JSONField(_("needs it works on"), default=list, blank=True)
    description = models.TextField(_("what it does"), blank=True)
    website = models.URLField(_("website"), max_length=500, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=100)
    contact_email = models.EmailField(_("contact e-mail address"))
    contact_phone = models.CharField(_("contact phone number"), max_length=30, blank=True)
    trusted = models.BooleanField(
        _("publishes listing changes at once"),
        default=False,
        help_text=_("Changes by trusted members go live without waiting for a coordinator; they are still recorded."),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)

    objects: ClassVar[MemberManager] = PlatformScopedManager(MemberQuerySet)  # type: ignore[assignment]

    class Meta:
        ordering = ["name"]
        verbose_name = _("member organisation")
        verbose_name_plural = _("member organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "organization"],
                condition=Q(organization__isnull=False),
                name="one_membership_per_organisation",
            )
        ]

    # Kinds that are never a national body or a local government: their corporate number cannot be one.
    PRIVATE_KINDS: ClassVar[frozenset[str]] = frozenset({Kind.NPO, Kind.COMPANY, Kind.COUNCIL})

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.corporate_number_mismatch:
            raise ValidationError(
                {
                    "corporate_number": ValidationError(
                        _(
                            "This corporate number (法人番号) belongs to %(kind)s, not to an NPO, a company or a "
                            "council of social welfare. Please type your organisation's own number, as shown on "
                            "the 国税庁 法人番号公表サイト, or leave it empty."
                        ),
                        code="corporate_number_public_body",
                        params={"kind": self.corporate_number_kind_label},
                    )
                }
            )

    @property
    def need_labels(self) -> list[str]:
        return need_labels(self.needs)

    def _number_kind(self) -> CorporateNumberKind | None:
        number = self.corporate_number
        if len(number) != 13 or not number.isascii() or not number.isdigit():
            return None
        return corporate_number_kind(number)

    @property
    def corporate_number_kind_label(self) -> Promise | str:
        kind = self._number_kind()
        return CORPORATE_NUMBER_KIND_LABELS[kind] if kind else ""

    @property
    def corporate_number_is_public_body(self) -> bool:
        return self._number_kind() in PUBLIC_BODIES

    @property
    def corporate_number_mismatch(self) -> bool:
        """A national body's or local government's number on an NPO, company or 社協 (kept from before the check)."""
        return self.kind in self.PRIVATE_KINDS and self.corporate_number_is_public_body

    @property
    def corporate_number_url(self) -> str:
        return corporate_number_url(self.corporate_number) if self._number_kind() else ""


def agreement_upload_path(instance: Agreement, filename: str) -> str:
    """A random name under MEDIA_ROOT: nothing the uploader chose reaches the file system."""
    return files.random_name("agreements", instance.platform_id, filename)


class Agreement(PlatformOwned):
    """A partnership agreement (連携協定) between the platform and some of its members."""

    class Status(models.TextChoices):
        NEGOTIATING = "negotiating", _("being negotiated")
        IN_FORCE = "in_force", _("in force")
        ENDED = "ended", _("ended")

    title = models.CharField(_("title"), max_length=200)
    parties = models.ManyToManyField(
        MemberOrganisation, blank=True, related_name="agreements", verbose_name=_("member organisations")
    )
    other_parties = models.CharField(
        _("other parties"), max_length=300, blank=True, help_text=_("Parties that are not members, e.g. the city.")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEGOTIATING)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    starts_on = models.DateField(_("in force from"), null=True, blank=True)
    ends_on = models.DateField(_("in force until"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    document = models.FileField(_("signed document (PDF)"), upload_to=agreement_upload_path, blank=True)
    document_name = models.CharField(_("file name"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")

    objects: ClassVar[models.Manager[Agreement]] = PlatformScopedManager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-signed_on", "title"]
        verbose_name = _("partnership agreement")
        verbose_name_plural = _("partnership agreements")
        constraints = [
            models.CheckConstraint(
                name="agreement_dates_ordered",
                condition=Q(starts_on__isnull=True) | Q(ends_on__isnull=True) | Q(starts_on__lte=models.F("ends_on")),
                violation_error_message=_("The end date comes before the start date."),
            )
        ]

    def __str__(self) -> str:
        return self.title


class ListingChange(PlatformOwned):
    """An edit of a service (or a new one) proposed by a member organisation, with before and after.

    `before` and `after` hold the service's editable fields as listings.snapshot gives them, so
    coordinators review exactly what changes, field by field, even if the service moves on.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for review")
        APPROVED = "approved", _("published")
        REJECTED = "rejected", _("not published")

    organization = models.ForeignKey(
        Organization, models.PROTECT, related_name="listing_changes", verbose_name=_("organisation")
    )
    service = models.ForeignKey(
        Service,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="listing_changes",
        verbose_name=_("service"),
        help_text=_("Empty for a new listing until it is published."),
    )
    before = models.JSONField(_("before"), default=dict)
    after = models.JSONField(_("after"), default=dict)
    author_note = models.TextField(_("note to the coordinators"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    published_at_once = models.BooleanField(_("published at once (trusted member)"), default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("proposed by")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    note = models.TextField(_("reviewer's note"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects: ClassVar[models.Manager[ListingChange]] = PlatformScopedManager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-modified_at"]
        verbose_name = _("listing change")
        verbose_name_plural = _("listing changes")

    def __str__(self) -> str:
        return str(self.after.get("name") or self.before.get("name") or self.pk)

    @property
    def is_new_listing(self) -> bool:
        return not self.before


def new_token() -> str:
    return secrets.token_urlsafe(24)


class VerificationRequest(PlatformOwned):
    """An e-mail asking a member organisation to confirm one listing is still right."""

    service = models.ForeignKey(Service, models.CASCADE, related_name="verification_requests")
    organization = models.ForeignKey(Organization, models.CASCADE, related_name="verification_requests")
    # Random, stored, and signed in the link (see membership.verification), so a link can be
    # checked for age and tampering before the database is asked.
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    sent_to = models.JSONField(_("sent to"), default=list)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    objects: ClassVar[models.Manager[VerificationRequest]] = PlatformScopedManager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("listing check request")
        verbose_name_plural = _("listing check requests")
        indexes = [models.Index(fields=["service", "-sent_at"], name="verification_service_sent")]

    def __str__(self) -> str:
        return f"{self.service_id} {self.sent_at:%Y-%m-%d}"


class ProblemReport(PlatformOwned):
    """A resident's report that a listing is wrong, filed on the portal of `platform`.

    The service may be the platform's own or national open data shown on its portal; either way
    the report lands in this platform's queue (and, for its own rows, the organisation's).
    """

    class Kind(models.TextChoices):
        CLOSED = "closed", _("It is closed or no longer exists")
        PHONE = "phone", _("The phone number or other contact is wrong")
        HOURS = "hours", _("The opening hours are wrong")
        PLACE = "place", _("The address or place is wrong")
        DESCRIPTION = "description", _("The description is wrong or unclear")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        # Someone is on it: the coordinators asked the listing's organisation to fix it.
        IN_PROGRESS = "fixing", _("being fixed")
        CLOSED = "closed", _("closed")

    service = models.ForeignKey(Service, models.CASCADE, related_name="problem_reports", verbose_name=_("service"))
    kind = models.CharField(_("what is wrong"), max_length=20, choices=Kind.choices)
    text = models.TextField(_("details"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported by"),
    )
    note = models.TextField(_("what was done"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("closed by")
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects: ClassVar[models.Manager[ProblemReport]] = PlatformScopedManager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("problem report")
        verbose_name_plural = _("problem reports")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.service_id}"


class PlatformSettings(models.Model):
    """Membership settings of one platform; a platform without a row uses the defaults."""

    platform = models.OneToOneField(Platform, models.CASCADE, related_name="membership_settings")
    verification_months = models.PositiveSmallIntegerField(
        _("ask members to confirm a listing after this many months"),
        default=DEFAULT_VERIFICATION_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
    )

    objects: ClassVar[models.Manager[PlatformSettings]] = PlatformScopedManager()

    class Meta:
        verbose_name = _("membership settings")
        verbose_name_plural = _("membership settings")

    def __str__(self) -> str:
        return str(self.platform)

    @classmethod
    def months_for(cls, platform: Platform) -> int:
        """How many months a listing may go unconfirmed on `platform` (call inside its scope)."""
        months = cls.objects.filter(platform=platform).values_list("verification_months", flat=True).first()
        return months or DEFAULT_VERIFICATION_MONTHS


def months_before(today: datetime.date, months: int) -> datetime.date:
    """The date `months` calendar months before `today` (day capped at 28, like stale_cutoff)."""
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return datetime.date(year, month + 1, min(today.day, 28))


class CorporateRegisterEntry(models.Model):
    """One row of the NTA's corporate number register (法人番号公表サイト 全件データ), loaded offline.

    National public data, the same for every platform, so not scoped. Filled only by
    `python -m tsunagari load-corporate-register` (membership.register), which replaces the whole
    table in one transaction. A number has at most one latest row; a 差分 file may add older ones.
    """

    id = models.BigAutoField(primary_key=True)
    number = models.CharField(_("corporate number (法人番号)"), max_length=13, db_index=True)
    name = models.CharField(_("registered name"), max_length=500)
    furigana = models.CharField(_("furigana"), max_length=500, blank=True)
    kind = models.CharField(_("kind of corporation"), max_length=3)
    prefecture = models.CharField(_("prefecture"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    close_date = models.DateField(_("closed on"), null=True, blank=True)
    latest = models.BooleanField(_("latest record"), default=True)

    class Meta:
        verbose_name = _("corporate register entry")
        verbose_name_plural = _("corporate register entries")
        constraints = [
            models.UniqueConstraint(fields=["number"], condition=Q(latest=True), name="corporate_register_one_latest")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class CorporateRegisterLoad(models.Model):
    """When the corporate register was last loaded, from which files, and how current its data is."""

    loaded_at = models.DateTimeField(_("loaded at"), default=timezone.now)
    register_date = models.DateField(_("newest change in the register"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows"))
    files = models.JSONField(_("files"), default=list)

    class Meta:
        ordering = ["-loaded_at"]
        verbose_name = _("corporate register load")
        verbose_name_plural = _("corporate register loads")

    def __str__(self) -> str:
        return f"{self.loaded_at:%Y-%m-%d} ({self.rows})"
