"""The know-how library: case studies and notes on what worked and what to watch out for.

An entry belongs to the platform that wrote it. Kept INTERNAL, only that platform's people read
it; SHARED, the people of every platform do: collecting this and sharing it with every
municipality is what the national programme asks for. Residents never see the library.

Search uses the project's Japanese analyser (tsunagari.lib.japanese) and a full-text index beside
`knowhow_entrydocument`, built like tsunagari.search's: FTS5 on SQLite, a generated tsvector with
GIN on PostgreSQL (migration 0002).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tsunagari.directory.taxonomy import read_terms
from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import PlatformScopedManager

AUDIT_LABELS: dict[str, str | Promise] = {
    "knowhow.created": _("wrote a know-how entry"),
    "knowhow.changed": _("changed a know-how entry"),
    "knowhow.deleted": _("deleted a know-how entry"),
}


class Collaboration(models.TextChoices):
    """How the bodies worked together: the library's own small vocabulary."""

    GOV_COUNCIL = "gov_council", _("government × council of social welfare (行政×社協)")
    GOV_NPO = "gov_npo", _("government × NPO (行政×NPO)")
    GOV_BUSINESS = "gov_business", _("government × business (行政×企業)")
    PLATFORM_MEETING = "platform_meeting", _("public–private council meeting (官民連携会議)")
    CASE_REVIEW = "case_review", _("case review (事例検討)")
    TRAINING = "training", _("training (研修)")
    PLACES = "places", _("places to belong (居場所づくり)")
    OUTREACH = "outreach", _("outreach (アウトリーチ)")
    SUPPORTERS = "supporters", _("community supporters (つながりサポーター)")
    AWARENESS = "awareness", _("public awareness (普及啓発)")
    REFERRAL = "referral", _("information sharing and referral (情報共有・つなぎ)")


def term_labels(filename: str) -> dict[str, str]:
    """Code → Japanese label of a project taxonomy (needs.tsv, targets.tsv), in the taxonomy's order."""
    return {row["code"]: row["label_ja"] for row in read_terms(filename)}


class Entry(models.Model):
    """A case study or a know-how note, tagged by need, target group and kind of collaboration."""

    class Kind(models.TextChoices):
        CASE_STUDY = "case_study", _("case study")
        NOTE = "note", _("know-how note")

    class Scope(models.TextChoices):
        INTERNAL = "internal", _("this platform only")
        SHARED = "shared_all_platforms", _("shared with every platform")

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CASE_STUDY)
    title = models.CharField(pgettext_lazy("know-how", "title"), max_length=200)
    body = models.TextField(_("what was done and what worked"))
    cautions = models.TextField(_("what to watch out for"), blank=True)
    needs = models.JSONField(_("needs"), default=list, blank=True)
    targets = models.JSONField(_("target groups"), default=list, blank=True)
    collaborations = models.JSONField(_("kinds of collaboration"), default=list, blank=True)
    scope = models.CharField(_("who can read it"), max_length=30, choices=Scope.choices, default=Scope.INTERNAL)
    published = models.BooleanField(
        _("publish it"),
        default=True,
        help_text=_("Unpublished entries are drafts: only you and the coordinators see them."),
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects: models.Manager[Entry] = PlatformScopedManager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("know-how entry")
        verbose_name_plural = _("know-how entries")

    def __str__(self) -> str:
        return self.title

    @property
    def is_shared(self) -> bool:
        return self.scope == self.Scope.SHARED

    def need_labels(self) -> list[str]:
        labels = term_labels("needs.tsv")
        return [labels[code] for code in self.needs if code in labels]

    def target_labels(self) -> list[str]:
        labels = term_labels("targets.tsv")
        return [labels[code] for code in self.targets if code in labels]

    def collaboration_labels(self) -> list[str]:
        return [str(Collaboration(code).label) for code in self.collaborations if code in Collaboration.values]


class EntryDocument(models.Model):
    """What search knows about one published entry: its analysed words and its filter tokens."""

    # An integer key, because FTS5 addresses rows by integer rowid.
    id = models.BigAutoField(primary_key=True)
    entry = models.OneToOneField(Entry, models.CASCADE, related_name="search_document")
    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    body = models.TextField()
    facets = models.TextField()

    objects: models.Manager[EntryDocument] = PlatformScopedManager()

    class Meta:
        verbose_name = _("know-how search document")
        verbose_name_plural = _("know-how search documents")

    def __str__(self) -> str:
        return str(self.entry_id)
