"""Prefectures, municipalities and the platforms (官民連携プラットフォーム) that run on them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

# Slugs that would shadow the site's own top-level URLs.
RESERVED_SLUGS = frozenset(
    {
        "admin",
        "api",
        "static",
        "media",
        "accounts",
        "i18n",
        "healthz",
        "national",
        "confirm",
        "clear-history",
        "reporting",
    }
)


class Prefecture(models.Model):
    """One of the 47 prefectures, keyed by its JIS X 0401 code ("01" to "47")."""

    code = models.CharField(_("prefecture code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=10)
    kana = models.CharField(_("kana"), max_length=20)

    class Meta:
        ordering = ["code"]
        verbose_name = _("prefecture")
        verbose_name_plural = _("prefectures")

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    """A municipality with its 6-digit local government code (全国地方公共団体コード)."""

    class Kind(models.TextChoices):
        CITY = "city", _("city")
        WARD = "special_ward", _("special ward")
        TOWN = "town", _("town")
        VILLAGE = "village", _("village")

    code = models.CharField(_("local government code"), max_length=6, primary_key=True)
    prefecture = models.ForeignKey(Prefecture, models.PROTECT, related_name="municipalities")
    name = models.CharField(_("name"), max_length=30)
    kana = models.CharField(_("kana"), max_length=60)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    official_url = models.URLField(_("official website"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return self.name

    @property
    def full_name(self) -> str:
        return f"{self.prefecture.name}{self.name}"


class PlatformQuerySet(QuerySet["Platform"]):
    def public(self) -> PlatformQuerySet:
        return self.filter(is_public=True)


class Platform(models.Model):
    """A local public–private platform, run by a municipality or a prefecture.

    The one platform of kind NATIONAL owns the nationwide open data (the windows of every
    municipality and the national lines); every local portal shows what of it covers its area.
    """

    class Kind(models.TextChoices):
        NATIONAL = "national", _("nationwide open data")
        PREFECTURE = "prefecture", _("prefecture")
        MUNICIPALITY = "municipality", _("municipality")

    slug = models.SlugField(
        _("URL name"),
        max_length=40,
        unique=True,
        validators=[RegexValidator(r"^[a-z][a-z0-9-]+$", _("Use lower-case letters, digits and hyphens."))],
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("run by"), max_length=20, choices=Kind.choices)
    prefecture = models.ForeignKey(Prefecture, models.PROTECT, null=True, blank=True, related_name="platforms")
    municipality = models.ForeignKey(Municipality, models.PROTECT, null=True, blank=True, related_name="platforms")
    description = models.TextField(_("description"), blank=True)
    is_public = models.BooleanField(_("portal is public"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PlatformQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "prefecture_id", "municipality_id"]
        verbose_name = _("platform")
        verbose_name_plural = _("platforms")
        constraints = [
            models.CheckConstraint(
                name="platform_area_matches_kind",
                condition=(
                    Q(kind="national", prefecture__isnull=True, municipality__isnull=True)
                    | Q(kind="prefecture", prefecture__isnull=False, municipality__isnull=True)
                    | Q(kind="municipality", municipality__isnull=False)
                ),
            ),
            models.UniqueConstraint(fields=["kind"], condition=Q(kind="national"), name="one_national_platform"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        if self.kind == self.Kind.MUNICIPALITY and self.municipality is not None and not self.prefecture_id:
            self.prefecture_id = self.municipality.prefecture_id
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> None:
        if self.slug in RESERVED_SLUGS:
            raise ValidationError({"slug": _("This URL name is reserved. Choose another.")})
        if self.kind == self.Kind.MUNICIPALITY and self.municipality is not None:
            self.prefecture_id = self.municipality.prefecture_id

    @property
    def is_national(self) -> bool:
        return self.kind == self.Kind.NATIONAL

    def scope_ids(self) -> list[int]:
        """Platform ids whose rows this platform's portal may read: its own and the national data.

        Kept on the instance once found, as an instance lives for one request or command: a search
        asks two or three times.
        """
        national = self.__dict__.get("_national_id")
        if national is None:
            national = Platform.objects.filter(kind=self.Kind.NATIONAL).values_list("pk", flat=True).first()
            if national is not None:
                self.__dict__["_national_id"] = national
        return [self.pk] if national is None or national == self.pk else [self.pk, national]


def national_platform() -> Platform:
    """The platform that owns nationwide open data, created on first use."""
    platform, _created = Platform.objects.get_or_create(
        kind=Platform.Kind.NATIONAL,
        defaults={"slug": "zenkoku", "name": "全国の公開データ"},
    )
    return platform
