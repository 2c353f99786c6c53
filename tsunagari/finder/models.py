"""What the finder keeps: per-platform settings, aggregate need counts, conversations in progress (never a
resident's words), and the words only where a platform has turned that on (for a limited time)."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagari.tenancy.models import Platform


class FinderSettings(models.Model):
    """A platform's choices for its chat: whether the residents' own words may be kept."""

    platform = models.OneToOneField(Platform, models.CASCADE, primary_key=True, related_name="finder_settings")
    store_text = models.BooleanField(
        _("keep what residents type"),
        default=False,
        help_text=_("Off by default: only the counts of needs per day are kept."),
    )

    class Meta:
        verbose_name = _("finder settings")
        verbose_name_plural = _("finder settings")

    def __str__(self) -> str:
        return str(self.platform)

    @classmethod
    def stores_text(cls, platform: Platform) -> bool:
        return cls.objects.filter(platform=platform, store_text=True).exists()


class NeedDailyCount(models.Model):
    """How many finished conversations or finds on one platform and day were about one need."""

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    date = models.DateField(_("date"))
    need_code = models.SlugField(_("need"), max_length=60)
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        ordering = ["-date", "need_code"]
        verbose_name = _("need count per day")
        verbose_name_plural = _("need counts per day")
        constraints = [
            models.UniqueConstraint(fields=["platform", "date", "need_code"], name="need_daily_count_unique")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.need_code} {self.count}"

    @classmethod
    def increment(cls, platform: Platform, date: datetime.date, codes: list[str]) -> None:
        """Count one more conversation for each need code (created at 1 the first time)."""
        for code in dict.fromkeys(codes):
            updated = cls.objects.filter(platform=platform, date=date, need_code=code).update(count=F("count") + 1)
            if not updated:
                _row, created = cls.objects.get_or_create(
                    platform=platform, date=date, need_code=code, defaults={"count": 1}
                )
                if not created:
                    cls.objects.filter(pk=_row.pk).update(count=F("count") + 1)


class SavedText(models.Model):
    """A resident's words, kept only when the platform has turned that on (FinderSettings.store_text)."""

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    text = models.TextField(_("text"))
    needs = models.JSONField(_("needs"), default=list)
    crisis_kind = models.CharField(_("crisis"), max_length=20, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("kept text")
        verbose_name_plural = _("kept texts")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M}"


class SharedResult(models.Model):
    """A result someone chose to share: the situation (need codes, area, answers), never their words."""

    token = models.CharField(max_length=16, primary_key=True)
    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    situation = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("shared result")
        verbose_name_plural = _("shared results")

    def __str__(self) -> str:
        return self.token


class ConversationQuerySet(models.QuerySet["Conversation"]):
    def live(self, now: datetime.datetime | None = None) -> ConversationQuerySet:
        return self.filter(expires_at__gt=now or timezone.now())

    def expired(self, now: datetime.datetime | None = None) -> ConversationQuerySet:
        return self.filter(expires_at__lte=now or timezone.now())


class Conversation(models.Model):
    """A chat in progress, in the database so that every app process sees it; never the resident's words.

    `state` is what the finder understood (need codes with scores, crisis kinds, answers) and the
    candidate pool (service ids and the features the questions split on). Each turn moves
    `expires_at` FINDER_CHAT_TTL seconds ahead; `purge-chat` deletes what has expired.
    """

    id = models.CharField(max_length=32, primary_key=True)
    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    state = models.JSONField()
    # The channel's own key for the person (LINE: a hash of the platform and the LINE user id), or "".
    channel_key = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    objects = ConversationQuerySet.as_manager()

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")

    def __str__(self) -> str:
        return self.id
