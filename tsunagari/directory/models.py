"""The support directory, shaped like Open Referral HSDS 3.0.

Organizations offer Services, reached at Locations (ServiceAtLocation), through contact Channels,
on Schedules, for ServiceAreas, classified by TaxonomyTerms. Every row belongs to a Platform and is
scoped by default (see tenancy.scoping). Taxonomies and source data sets are shared by all.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tsunagari.tenancy.models import Municipality, Platform, Prefecture
from tsunagari.tenancy.scoping import PlatformScopedManager

# Stable ids for imported rows: the same source record always gets the same HSDS id.
ID_NAMESPACE = uuid.UUID("6f0b7d36-4f6e-4a53-9a43-7f3c1c1e2b10")


def stable_id(*parts: str) -> uuid.UUID:
    return uuid.uuid5(ID_NAMESPACE, "\x1f".join(parts))


def stale_cutoff(today: datetime.date | None = None) -> datetime.date:
    """Listings last verified before this date are stale."""
    today = today or timezone.localdate()
    months = settings.STALE_AFTER_MONTHS
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    day = min(today.day, 28)
    return datetime.date(year, month + 1, day)


class SourceDataset(models.Model):
    """Where imported records come from, with the licence and the attribution it requires."""

    slug = models.SlugField(primary_key=True, max_length=60)
    name = models.CharField(_("name"), max_length=200)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    url = models.URLField(_("URL"), blank=True)
    licence = models.CharField(_("licence"), max_length=100, blank=True)
    licence_url = models.URLField(_("licence URL"), blank=True)
    attribution = models.TextField(_("attribution to show"), blank=True)
    data_changed_note = models.TextField(_("how we changed the data"), blank=True)
    retrieved_on = models.DateField(_("retrieved on"), null=True, blank=True)

    class Meta:
        verbose_name = _("source data set")
        verbose_name_plural = _("source data sets")

    def __str__(self) -> str:
        return self.name


class Taxonomy(models.Model):
    """A vocabulary: the project's need codes, target groups, or service attributes."""

    id = models.SlugField(primary_key=True, max_length=60)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    uri = models.URLField(blank=True)
    version = models.CharField(max_length=20, blank=True)

    class Meta:
        verbose_name = _("taxonomy")
        verbose_name_plural = _("taxonomies")

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(models.Model):
    """One term of a taxonomy, e.g. need `hikikomori` or target group `young`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    taxonomy = models.ForeignKey(Taxonomy, models.CASCADE, related_name="terms")
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    parent = models.ForeignKey("self", models.CASCADE, null=True, blank=True, related_name="children")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["taxonomy_id", "position", "code"]
        verbose_name = _("taxonomy term")
        verbose_name_plural = _("taxonomy terms")
        constraints = [models.UniqueConstraint(fields=["taxonomy", "code"], name="term_code_unique")]

    def __str__(self) -> str:
        return self.name


class PlatformOwned(models.Model):
    """Base of every row that belongs to a platform: scoped by default, timestamped."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    platform = models.ForeignKey(Platform, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = PlatformScopedManager()

    class Meta:
        abstract = True


class Imported(PlatformOwned):
    """A row that may come from an import, upserted by (platform, dataset, source_id)."""

    # `dataset` (not `source`) so that its column, dataset_id, cannot clash with source_id.
    dataset = models.ForeignKey(
        SourceDataset, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("source data set")
    )
    source_id = models.CharField(_("id in the source"), max_length=200, blank=True)

    class Meta:
        abstract = True


class Organization(Imported):
    """A body that offers services: a municipality's office, a 社協, an NPO, …"""

    name = models.CharField(_("name"), max_length=200)
    alternate_name = models.CharField(_("other name"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), max_length=500, blank=True)
    legal_status = models.CharField(_("legal status"), max_length=100, blank=True)
    corporate_number = models.CharField(_("corporate number (法人番号)"), max_length=13, blank=True)
    municipality = models.ForeignKey(Municipality, models.PROTECT, null=True, blank=True, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "dataset", "source_id"],
                condition=~Q(source_id=""),
                name="organization_source_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ServiceQuerySet(models.QuerySet["Service"]):
    def published(self) -> ServiceQuerySet:
        return self.filter(publication=Service.Publication.PUBLISHED).exclude(status=Service.Status.DEFUNCT)

    def stale(self, today: datetime.date | None = None) -> ServiceQuerySet:
        cutoff = stale_cutoff(today)
        return self.filter(Q(last_verified_on__lt=cutoff) | Q(last_verified_on__isnull=True))


class Service(Imported):
    """A service or consultation window (相談窓口) offered by an organisation."""

    class Status(models.TextChoices):
        # HSDS 3.0 service.status values.
        ACTIVE = "active", _("active")
        INACTIVE = "inactive", _("inactive")
        DEFUNCT = "defunct", _("defunct")
        TEMPORARILY_CLOSED = "temporarily closed", _("temporarily closed")

    class Publication(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")

    organization = models.ForeignKey(Organization, models.PROTECT, related_name="services")
    name = models.CharField(_("name"), max_length=300)
    alternate_name = models.CharField(_("plain name"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    url = models.URLField(_("official page"), max_length=500, blank=True)
    email = models.EmailField(_("email"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    publication = models.CharField(
        _("publication"), max_length=20, choices=Publication.choices, default=Publication.DRAFT, db_index=True
    )
    needs_review = models.BooleanField(
        _("needs review"), default=False, help_text=_("The source marked this record for review.")
    )
    application_process = models.TextField(_("how to apply"), blank=True)
    interpretation_services = models.TextField(_("interpretation"), blank=True)
    fees_description = models.TextField(_("fees"), blank=True)
    eligibility_description = models.TextField(_("who it is for"), blank=True)
    minimum_age = models.PositiveSmallIntegerField(
        _("minimum age"), null=True, blank=True, validators=[MaxValueValidator(130)]
    )
    maximum_age = models.PositiveSmallIntegerField(
        _("maximum age"), null=True, blank=True, validators=[MaxValueValidator(130)]
    )
    languages = models.JSONField(
        _("languages"), default=list, blank=True, help_text=_("BCP 47 codes, e.g. ja, en, vi.")
    )
    reservation_required = models.BooleanField(_("reservation required"), null=True, blank=True)
    hours_text = models.TextField(_("opening hours as published"), blank=True)
    closed_days_text = models.TextField(_("closed days as published"), blank=True)
    hours_parsed = models.BooleanField(
        _("opening hours understood"),
        null=True,
        blank=True,
        help_text=_("Empty when there is no hours text; false when the text could not be turned into schedules."),
    )
    last_verified_on = models.DateField(_("last verified on"), null=True, blank=True, db_index=True)
    last_verified_by = models.CharField(_("verified by"), max_length=200, blank=True)
    terms = models.ManyToManyField(TaxonomyTerm, blank=True, related_name="services", verbose_name=_("taxonomy terms"))

    objects = PlatformScopedManager(ServiceQuerySet)  # type: ignore[misc]
    history = HistoricalRecords(m2m_fields=[terms])

    class Meta:
        ordering = ["name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "dataset", "source_id"], condition=~Q(source_id=""), name="service_source_unique"
            ),
            models.CheckConstraint(
                name="service_age_range_ordered",
                condition=Q(minimum_age__isnull=True)
                | Q(maximum_age__isnull=True)
                | Q(minimum_age__lte=models.F("maximum_age")),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_stale(self, today: datetime.date | None = None) -> bool:
        return self.last_verified_on is None or self.last_verified_on < stale_cutoff(today)


class SupportProgram(Imported):
    """A support programme (制度) such as 生活保護, which residents apply for at service windows.

    HSDS's `program`: national programmes live on the national open-data platform, a municipality's
    own on the platform that imported it. ServiceProgram links a programme to the windows that
    handle it; HSDS gives a service one programme, the export picks it (docs/hsds.md).
    """

    class Scope(models.TextChoices):
        NATIONAL = "national", _("national")
        MUNICIPALITY = "municipality", _("municipal")

    class SupportType(models.TextChoices):
        BENEFIT = "benefit", _("benefit or allowance")
        LOAN = "loan", _("loan")
        REDUCTION = "reduction", _("reduction of costs")
        CONSULTATION = "consultation", _("consultation")
        HOUSING = "housing", _("housing")
        OTHER = "other", _("other support")

    # The body whose official page describes the programme (a ministry, or the municipality).
    organization = models.ForeignKey(Organization, models.PROTECT, null=True, blank=True, related_name="programs")
    municipality = models.ForeignKey(Municipality, models.PROTECT, null=True, blank=True, related_name="+")
    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices, default=Scope.NATIONAL)
    name = models.CharField(_("name"), max_length=200)
    alternate_name = models.CharField(_("plain name"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    target_people = models.TextField(_("who it is for"), blank=True)
    # The need (directory/data/needs.tsv code) residents look for it under; "" when the data gives none.
    need = models.CharField(_("need"), max_length=40, blank=True, default="", db_default="")
    support_type = models.CharField(
        _("kind of support"), max_length=20, choices=SupportType.choices, default=SupportType.OTHER
    )
    repayment_required = models.BooleanField(_("must be paid back"), null=True, blank=True)
    amount_description = models.TextField(_("amount"), blank=True)
    application_deadline = models.TextField(_("application deadline"), blank=True)
    required_documents = models.TextField(_("documents needed"), blank=True)
    documents_optional_note = models.TextField(
        _("note on documents"), blank=True, help_text=_("E.g. that one may ask for advice before having every paper.")
    )
    application_process = models.TextField(_("how to apply"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Service.Status.choices, default=Service.Status.ACTIVE)
    publication = models.CharField(
        _("publication"), max_length=20, choices=Service.Publication.choices, default=Service.Publication.DRAFT
    )
    needs_review = models.BooleanField(_("needs review"), default=False)
    source_title = models.CharField(_("source page"), max_length=300, blank=True)
    source_publisher = models.CharField(_("source publisher"), max_length=200, blank=True)
    source_url = models.URLField(_("source URL"), max_length=500, blank=True)
    last_verified_on = models.DateField(_("last verified on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("support programme")
        verbose_name_plural = _("support programmes")
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "dataset", "source_id"],
                condition=~Q(source_id=""),
                name="supportprogram_source_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_shown(self) -> bool:
        return self.publication == Service.Publication.PUBLISHED and self.status != Service.Status.DEFUNCT


class ServiceProgram(Imported):
    """A programme handled at one service window, with the window's own name and words for it."""

    program = models.ForeignKey(SupportProgram, models.CASCADE, related_name="links")
    service = models.ForeignKey(Service, models.CASCADE, related_name="program_links")
    local_name = models.CharField(_("local name"), max_length=200, blank=True)
    local_description = models.TextField(_("local description"), blank=True)
    source_title = models.CharField(_("source page"), max_length=300, blank=True)
    source_url = models.URLField(_("source URL"), max_length=500, blank=True)
    last_verified_on = models.DateField(_("last verified on"), null=True, blank=True)
    # Set from municipality-programs.csv, which names the window that handles a national programme
    # for its municipality; the export prefers these when it must pick one programme (docs/hsds.md).
    is_local_link = models.BooleanField(_("named by the municipality's list"), default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_local_link", "program__name"]
        verbose_name = _("programme handled at a window")
        verbose_name_plural = _("programmes handled at windows")
        constraints = [
            models.UniqueConstraint(fields=["program", "service"], name="service_program_unique"),
            models.UniqueConstraint(
                fields=["platform", "dataset", "source_id"],
                condition=~Q(source_id=""),
                name="serviceprogram_source_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program_id} @ {self.service_id}"

    @property
    def display_name(self) -> str:
        return self.local_name or self.program.name

    @property
    def source_link(self) -> str:
        """The official page to check: the municipality's own when the link has one, else the programme's."""
        return self.source_url or self.program.source_url

    @property
    def source_name(self) -> str:
        """Who published the official page, when the data says (the programme's source)."""
        return "" if self.source_url else self.program.source_publisher

    @property
    def checked_on(self) -> datetime.date | None:
        return self.last_verified_on or self.program.last_verified_on


class Location(Imported):
    """A place where services are delivered (or a virtual one: a phone line, a web chat)."""

    class Kind(models.TextChoices):
        PHYSICAL = "physical", _("physical")
        VIRTUAL = "virtual", _("virtual")
        POSTAL = "postal", _("postal")

    class Precision(models.TextChoices):
        EXACT = "exact", _("exact")
        TOWN = "town", _("town (approximate)")
        MUNICIPALITY = "municipality", _("municipality (approximate)")
        NONE = "none", _("no position")

    organization = models.ForeignKey(Organization, models.PROTECT, null=True, blank=True, related_name="locations")
    location_type = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.PHYSICAL)
    name = models.CharField(_("name"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    postal_code = models.CharField(_("postal code"), max_length=8, blank=True, db_index=True)
    region = models.CharField(_("prefecture"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=60, blank=True)
    address_1 = models.CharField(_("address"), max_length=300, blank=True)
    municipality = models.ForeignKey(Municipality, models.PROTECT, null=True, blank=True, related_name="+")
    latitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    # How much the coordinates say: "exact" = given by the source or set by a person (never recomputed);
    # "town" / "municipality" = placed from the address by `place-locations` (drawn as approximate).
    precision = models.CharField(
        _("position precision"),
        max_length=12,
        choices=Precision.choices,
        default=Precision.NONE,
        db_default=Precision.NONE,  # processes still running the previous code insert rows during a deploy
        db_index=True,
    )
    # The town or municipality the approximate point stands for (「○○町付近」「○○市内」).
    place_label = models.CharField(
        _("place of the approximate position"), max_length=120, blank=True, default="", db_default=""
    )
    accessibility = models.TextField(_("accessibility"), blank=True)
    transportation = models.TextField(_("how to get there"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "dataset", "source_id"], condition=~Q(source_id=""), name="location_source_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name or self.address_1

    @property
    def full_address(self) -> str:
        return (
            f"{self.region}{self.city}{self.address_1}"
            if not self.address_1.startswith(self.region)
            else self.address_1
        )


class ServiceAtLocation(PlatformOwned):
    """A service as delivered at one location."""

    service = models.ForeignKey(Service, models.CASCADE, related_name="service_at_locations")
    location = models.ForeignKey(Location, models.CASCADE, related_name="service_at_locations")
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service at location")
        verbose_name_plural = _("services at locations")
        constraints = [models.UniqueConstraint(fields=["service", "location"], name="service_location_unique")]

    def __str__(self) -> str:
        return f"{self.service_id} @ {self.location_id}"


class Channel(PlatformOwned):
    """One way to reach a service: a phone number, LINE, SNS, chat, e-mail, a web form, a visit."""

    class Kind(models.TextChoices):
        PHONE = "phone", _("phone")
        LINE = "line", _("LINE")
        SNS = "sns", _("SNS")
        CHAT = "chat", _("chat")
        EMAIL = "email", _("e-mail")
        WEB_FORM = "web_form", _("web form")
        VISIT = "visit", _("visit in person")
        OUTREACH = "outreach", _("home visit / outreach")
        FAX = "fax", _("fax")

    service = models.ForeignKey(Service, models.CASCADE, related_name="channels")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    value = models.CharField(
        _("number, address or link"), max_length=500, blank=True, help_text=_("Empty for a visit or outreach.")
    )
    label = models.CharField(_("label"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "kind"]
        verbose_name = _("contact channel")
        verbose_name_plural = _("contact channels")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"

    @property
    def href(self) -> str:
        """A link a phone can follow: tel:, mailto: or the URL itself."""
        if self.kind in (self.Kind.PHONE,):
            digits = "".join(ch for ch in self.value if ch.isdigit() or ch in "#+*")
            return "tel:" + digits.replace("#", "%23")
        if self.kind == self.Kind.EMAIL:
            return f"mailto:{self.value}"
        if self.value.startswith(("https://", "http://")):
            return self.value
        return ""


class Schedule(PlatformOwned):
    """A weekly opening (HSDS schedule, freq WEEKLY), in Asia/Tokyo."""

    service = models.ForeignKey(Service, models.CASCADE, related_name="schedules")
    service_at_location = models.ForeignKey(
        ServiceAtLocation, models.CASCADE, null=True, blank=True, related_name="schedules"
    )
    byday = models.CharField(_("days"), max_length=30, help_text=_("RFC 5545 days, e.g. MO,TU,WE,TH,FR."))
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)
    open_24h = models.BooleanField(_("open 24 hours"), default=False)
    closed_on_holidays = models.BooleanField(_("closed on national holidays"), default=False)
    closed_year_end = models.BooleanField(_("closed at the year end (Dec 29 – Jan 3)"), default=False)
    closed_dates = models.CharField(
        _("also closed every year on"),
        max_length=400,
        blank=True,
        default="",
        db_default="",
        help_text=_("Month and day, comma-separated, e.g. 06-23 for Okinawa's Memorial Day."),
    )
    closed_unlisted_days = models.BooleanField(
        _("also closed on days not dated"),
        default=False,
        db_default=False,
        help_text=_("Closed on days the hours name but do not date, such as the building's closing days."),
    )
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["byday", "opens_at"]
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")

    def __str__(self) -> str:
        return "24h" if self.open_24h else f"{self.byday} {self.opens_at}-{self.closes_at}"


class ServiceArea(PlatformOwned):
    """Where a service is for: municipalities, a prefecture, or the whole country."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("municipality")
        PREFECTURE = "prefecture", _("prefecture")
        NATIONWIDE = "nationwide", _("nationwide")

    service = models.ForeignKey(Service, models.CASCADE, related_name="service_areas")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    municipality = models.ForeignKey(Municipality, models.PROTECT, null=True, blank=True, related_name="+")
    prefecture = models.ForeignKey(Prefecture, models.PROTECT, null=True, blank=True, related_name="+")
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service area")
        verbose_name_plural = _("service areas")
        constraints = [
            models.CheckConstraint(
                name="service_area_matches_kind",
                condition=(
                    Q(kind="municipality", municipality__isnull=False)
                    | Q(kind="prefecture", prefecture__isnull=False, municipality__isnull=True)
                    | Q(kind="nationwide", prefecture__isnull=True, municipality__isnull=True)
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if self.kind == self.Kind.NATIONWIDE:
            return "全国"
        if self.kind == self.Kind.PREFECTURE and self.prefecture:
            return self.prefecture.name
        return self.municipality.name if self.municipality else ""


def _lang_attribute(lang: str) -> SafeString:
    """A lang attribute only where the text's language differs from the page's: the page says its own once."""
    if (translation.get_language() or "ja").split("-")[0] == lang:
        return mark_safe("")
    return format_html(' lang="{}"', lang)


class CrisisLine(Imported):
    """A 24-hour or emergency line shown before anything else to a person at risk.

    The national lines come from data with their official source; coordinators add local ones.
    """

    class Kind(models.TextChoices):
        SUICIDE = "suicide", _("suicide and despair")
        VIOLENCE = "violence", _("violence and abuse at home")
        CHILD = "child", _("a child in danger")
        EMERGENCY = "emergency", _("emergency (police, ambulance)")
        MEDICAL = "medical", _("medical emergency (ambulance)")
        GENERAL = "general", _("any worry, any time")

    label = models.CharField(_("label"), max_length=200)
    short_label = models.CharField(
        _("short label"),
        max_length=20,
        blank=True,
        default="",
        db_default="",  # so that processes still running the previous code can insert rows during a deploy
        help_text=_("A few words for the call button in the strip."),
    )
    number = models.CharField(_("number"), max_length=30, blank=True)
    phone_href = models.CharField(_("call link"), max_length=40, blank=True)
    url = models.URLField(_("official page"), max_length=500, blank=True)
    chat_url = models.URLField(_("chat or SNS link"), max_length=500, blank=True)
    publisher = models.CharField(_("run by"), max_length=200, blank=True)
    cost = models.CharField(_("cost"), max_length=100, blank=True)
    availability = models.CharField(_("when"), max_length=200, blank=True)
    kinds = models.JSONField(_("for whom"), default=list, help_text=_("Which kinds of crisis this line answers."))
    is_primary = models.BooleanField(_("show first"), default=False)
    position = models.PositiveSmallIntegerField(default=0)
    strip_position = models.PositiveSmallIntegerField(
        _("place in the emergency strip"),
        null=True,
        blank=True,
        help_text=_('1 is first. Empty: shown only under "Other lines" on every page.'),
    )
    # The same texts in English, for residents who read the site in English (empty: the Japanese is shown,
    # marked lang="ja"). Numbers, publishers and addresses stay as they are.
    label_en = models.CharField(_("label in English"), max_length=200, blank=True, default="", db_default="")
    short_label_en = models.CharField(_("short label in English"), max_length=30, blank=True, default="", db_default="")
    availability_en = models.CharField(_("when, in English"), max_length=200, blank=True, default="", db_default="")
    cost_en = models.CharField(_("cost in English"), max_length=100, blank=True, default="", db_default="")
    last_verified_on = models.DateField(_("last verified on"), null=True, blank=True)
    verification_note = models.CharField(
        _("how it was verified"),
        max_length=500,
        blank=True,
        default="",
        db_default="",
        help_text=_("Where the hours and number were checked, e.g. the official page's address."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_primary", "position", "label"]
        verbose_name = _("24-hour or emergency line")
        verbose_name_plural = _("24-hour and emergency lines")
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "dataset", "source_id"], condition=~Q(source_id=""), name="crisisline_source_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.number}".strip()

    @property
    def in_english(self) -> bool:
        """Whether this line is shown in English: the page is in English and the line has an English label."""
        return bool(self.label_en) and (translation.get_language() or "").startswith("en")

    @property
    def lang(self) -> str:
        """The language of the label shown (for the element's lang attribute)."""
        return "en" if self.in_english else "ja"

    @property
    def lang_attribute(self) -> SafeString:
        """` lang="…"` for the label where its language is not the page's (nothing where it is)."""
        return _lang_attribute(self.lang)

    @property
    def when_lang_attribute(self) -> SafeString:
        """` lang="…"` for the hours and cost where their language is not the page's."""
        return _lang_attribute(self.when_lang)

    @property
    def shown_label(self) -> str:
        return self.label_en if self.in_english else self.label

    @property
    def button_label(self) -> str:
        if self.in_english:
            return self.short_label_en or self.label_en
        return self.short_label or self.label

    @property
    def when_lang(self) -> str:
        """The language of the hours and cost shown."""
        english = (self.availability_en or not self.availability) and (self.cost_en or not self.cost)
        return "en" if self.in_english and english else "ja"

    @property
    def shown_availability(self) -> str:
        return self.availability_en if self.when_lang == "en" else self.availability

    @property
    def shown_cost(self) -> str:
        return self.cost_en if self.when_lang == "en" else self.cost

    @property
    def is_stored(self) -> bool:
        """False for the curated defaults shown from the repository's file (directory.crisis)."""
        return not self._state.adding


class ImportRun(models.Model):
    """One run of the importer: who, when, what, and the outcome. The audit trail of imports."""

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    platform = models.ForeignKey(Platform, models.PROTECT, related_name="+")
    path = models.CharField(max_length=500)
    format = models.CharField(max_length=20)
    actor = models.CharField(max_length=200, blank=True)
    ok = models.BooleanField(default=False)
    counts = models.JSONField(default=dict)
    problems = models.JSONField(default=list)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")

    def __str__(self) -> str:
        return f"{self.format} {self.path} ({self.started_at:%Y-%m-%d %H:%M})"


# Taxonomy ids the project owns.
NEEDS = "tsunagari-needs"
TARGETS = "tsunagari-targets"
ATTRIBUTES = "tsunagari-attributes"
# くらし支援ナビ's representative window of each municipality (市役所・町村役場の代表窓口) has this
# source id ending: the finder reaches a municipality through it, the map places its office by it.
REPRESENTATIVE_SOURCE_SUFFIX = "-city-general"
