"""Per-platform credentials of the outside channels residents write from (LINE)."""

from __future__ import annotations

import datetime
import os

from django.db import models
from django.utils.translation import gettext_lazy as _

from tsunagari.tenancy.models import Platform


class LineChannel(models.Model):
    """A platform's LINE official account: the channel secret and access token, set in the admin.

    Environment variables LINE_<SLUG>_SECRET and LINE_<SLUG>_TOKEN (slug upper-cased, hyphens as
    underscores) take precedence, so production can keep them out of the database.
    """

    platform = models.OneToOneField(Platform, models.CASCADE, primary_key=True, related_name="line_channel")
    channel_secret = models.CharField(_("channel secret"), max_length=100, blank=True)
    access_token = models.CharField(_("channel access token"), max_length=500, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("LINE channel")
        verbose_name_plural = _("LINE channels")

    def __str__(self) -> str:
        return str(self.platform)


def env_name(platform: Platform, what: str) -> str:
    return f"LINE_{platform.slug.upper().replace('-', '_')}_{what}"


def line_credentials(platform: Platform) -> tuple[str, str] | None:
    """(channel secret, access token) for the platform, from the environment or the admin; None if unset."""
    secret = os.environ.get(env_name(platform, "SECRET"), "")
    token = os.environ.get(env_name(platform, "TOKEN"), "")
    if not (secret and token):
        stored = LineChannel.objects.filter(platform=platform, enabled=True).first()
        if stored is not None:
            secret = secret or stored.channel_secret
            token = token or stored.access_token
    return (secret, token) if secret and token else None


class LineEventQuerySet(models.QuerySet["LineEvent"]):
    def forgotten(self, before: datetime.datetime) -> LineEventQuerySet:
        return self.filter(received_at__lt=before)


class LineEvent(models.Model):
    """A LINE webhook event already taken (its `webhookEventId`), so that a replay or redelivery is ignored.

    Kept for LINE_EVENT_MAX_AGE; older events are refused by their own timestamp, so nothing older
    needs remembering (the webhook deletes what is past that on the way).
    """

    event_id = models.CharField(max_length=64, primary_key=True)
    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    received_at = models.DateTimeField(db_index=True)

    objects = LineEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("LINE event received")
        verbose_name_plural = _("LINE events received")

    def __str__(self) -> str:
        return self.event_id
