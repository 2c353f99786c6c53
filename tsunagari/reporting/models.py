"""A platform's plan for one fiscal year (年度) and what it reports at the end of it.

The national programme asks each platform to plan and report five items (three required). The plan
is typed by the coordinator: activities under each item, budget lines, KPIs with their targets,
milestones. The results are mostly counted from what the platform already records (see
counters.py); the coordinator adds what no record holds: spending, achievements, issues, next
year's plans and evidence files. Every row belongs to one platform and is scoped.

UsageDailyCount is the one counter this app keeps itself: anonymous visits, searches and chats
started on the portal, per platform and day (no address, no session, nothing about anyone).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import connection, models
from django.db.models import F
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tsunagari.notices import files
from tsunagari.notices.models import SharedFile
from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import PlatformScopedManager

AUDIT_LABELS: dict[str, str | Promise] = {
    "reporting.plan_changed": _("changed the programme plan or report"),
    "reporting.evidence_added": _("attached evidence to the programme report"),
    "reporting.evidence_deleted": _("deleted evidence of the programme report"),
    "reporting.evidence_downloaded": _("downloaded evidence of the programme report"),
    "reporting.report_downloaded": _("downloaded a programme report"),
    "reporting.open_data_downloaded": _("downloaded the programme's aggregate open data"),
}


class Item(models.TextChoices):
    """The five items of the national programme (地方版孤独・孤立対策官民連携プラットフォーム推進事業)."""

    PLATFORM = "platform", _("Setting up and running the public–private platform")
    AWARENESS = "awareness", _("Informing residents")
    PILOT = "pilot", _("Joint pilot support between public and private organisations")
    SITUATION = "situation", _("Finding out the local situation")
    TRAINING = "training", _("Training people")


# ◎ in the programme's documents: every funded platform must do these.
REQUIRED_ITEMS = (Item.PLATFORM, Item.AWARENESS, Item.PILOT)


class Plan(models.Model):
    """One platform's plan and report texts for one fiscal year (April of `fiscal_year` to March)."""

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    summary = models.TextField(_("aims of the year"), blank=True)
    achievements = models.TextField(_("achievements"), blank=True)
    issues = models.TextField(_("issues"), blank=True)
    next_year = models.TextField(_("plans for next year"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")

    objects: models.Manager[Plan] = PlatformScopedManager()

    class Meta:
        verbose_name = _("programme plan")
        verbose_name_plural = _("programme plans")
        constraints = [models.UniqueConstraint(fields=["platform", "fiscal_year"], name="one_plan_per_year")]

    def __str__(self) -> str:
        return f"{self.platform_id} FY{self.fiscal_year}"


class Activity(models.Model):
    """A planned activity under one item; marked carried out once it has happened."""

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    plan = models.ForeignKey(Plan, models.CASCADE, related_name="activities")
    item = models.CharField(_("item"), max_length=20, choices=Item.choices)
    title = models.CharField(pgettext_lazy("activity", "title"), max_length=200)
    description = models.TextField(_("what is planned"), blank=True)
    timing = models.CharField(_("when (planned)"), max_length=100, blank=True)
    carried_out_on = models.DateField(_("carried out on"), null=True, blank=True)
    result = models.TextField(_("what was done"), blank=True)

    objects: models.Manager[Activity] = PlatformScopedManager()

    class Meta:
        ordering = ["item", "pk"]
        verbose_name = _("planned activity")
        verbose_name_plural = _("planned activities")

    def __str__(self) -> str:
        return self.title


class BudgetLine(models.Model):
    """A budget line as the coordinator names it (委託料, 謝金, 印刷製本費 …), in yen, and what was spent."""

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    plan = models.ForeignKey(Plan, models.CASCADE, related_name="budget_lines")
    name = models.CharField(_("budget line"), max_length=100)
    item = models.CharField(_("item"), max_length=20, choices=Item.choices, blank=True)
    budget = models.PositiveBigIntegerField(_("budget (yen)"))
    spent = models.PositiveBigIntegerField(_("spent (yen)"), default=0)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects: models.Manager[BudgetLine] = PlatformScopedManager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")

    def __str__(self) -> str:
        return self.name


class Kpi(models.Model):
    """A key performance indicator with its target, counted by a counter or entered by hand."""

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    plan = models.ForeignKey(Plan, models.CASCADE, related_name="kpis")
    item = models.CharField(_("item"), max_length=20, choices=Item.choices)
    name = models.CharField(_("indicator"), max_length=200)
    target = models.PositiveIntegerField(_("target"))
    counter = models.CharField(
        _("counted from"),
        max_length=60,
        blank=True,
        help_text=_("A figure the platform counts by itself; leave empty to enter the result by hand."),
    )
    manual_value = models.PositiveIntegerField(_("result (entered by hand)"), null=True, blank=True)
    how_counted = models.CharField(_("how it is counted (when entered by hand)"), max_length=300, blank=True)

    objects: models.Manager[Kpi] = PlatformScopedManager()

    class Meta:
        ordering = ["item", "pk"]
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")

    def __str__(self) -> str:
        return self.name


class Milestone(models.Model):
    """A date the plan means to reach something by, and when it was reached."""

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    plan = models.ForeignKey(Plan, models.CASCADE, related_name="milestones")
    title = models.CharField(pgettext_lazy("milestone", "title"), max_length=200)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("reached on"), null=True, blank=True)

    objects: models.Manager[Milestone] = PlatformScopedManager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return self.title


def evidence_path(instance: Evidence, filename: str) -> str:
    return files.random_name("reporting", instance.platform_id, filename)


class Evidence(SharedFile):
    """Minutes, a flyer or a photo that shows an activity happened; checked like every workspace upload."""

    class Kind(models.TextChoices):
        MINUTES = "minutes", _("minutes")
        FLYER = "flyer", _("flyer or leaflet")
        PHOTO = "photo", _("photo")
        OTHER = "other", _("other")

    plan = models.ForeignKey(Plan, models.CASCADE, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    item = models.CharField(_("item"), max_length=20, choices=Item.choices, blank=True)
    file = models.FileField(upload_to=evidence_path, max_length=200)

    objects: models.Manager[Evidence] = PlatformScopedManager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")


class UsageDailyCount(models.Model):
    """How many portal pages were seen, searches made and chats started on one platform and day."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("portal pages seen")
        SEARCH = "search", _("searches")
        CHAT = "chat", _("chats started")

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    date = models.DateField(_("date"))
    kind = models.CharField(_("what"), max_length=10, choices=Kind.choices)
    count = models.PositiveIntegerField(_("count"), default=0)

    objects: models.Manager[UsageDailyCount] = PlatformScopedManager()

    class Meta:
        ordering = ["-date", "kind"]
        verbose_name = _("portal use per day")
        verbose_name_plural = _("portal use per day")
        constraints = [models.UniqueConstraint(fields=["platform", "date", "kind"], name="usage_daily_count_unique")]

    def __str__(self) -> str:
        return f"{self.date} {self.kind} {self.count}"

    @classmethod
    def add(cls, platform_slug: str, date: datetime.date, kind: str, n: int) -> None:
        """`n` more for (the platform named `platform_slug`, day, kind), in one statement.

        An upsert both SQLite and PostgreSQL understand; it names the table's own columns, so it
        reads no tenant's rows (the scope does not apply to raw SQL). A slug with no platform adds nothing.
        """
        table = connection.ops.quote_name(cls._meta.db_table)
        platforms = connection.ops.quote_name(Platform._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (platform_id, date, kind, count) "  # noqa: S608 - table names, not input
                f"SELECT id, %s, %s, %s FROM {platforms} WHERE slug = %s "
                f"ON CONFLICT (platform_id, date, kind) DO UPDATE SET count = {table}.count + excluded.count",
                [date, kind, n, platform_slug],
            )

    @classmethod
    def increment(cls, platform_id: int, date: datetime.date, kind: str) -> None:
        """One more for (platform, day, kind): an UPDATE, and an INSERT the first time that day."""
        updated = cls.objects.filter(platform_id=platform_id, date=date, kind=kind).update(count=F("count") + 1)
        if not updated:
            row, created = cls.objects.get_or_create(
                platform_id=platform_id, date=date, kind=kind, defaults={"count": 1}
            )
            if not created:
                cls.objects.filter(pk=row.pk).update(count=F("count") + 1)
