"""Questionnaires, invitations and responses of a platform's fact-finding surveys (実態調査).

Every row belongs to one platform and is scoped. Respondents are anonymous: an invitation is a
random token printed on a mailed letter (never linked to a name or address here: the address list
stays with whoever mails the letters), and a response holds only its answers. Answers are kept as
JSON keyed by the question's name, as XLSForm and ODK do: a single choice is its code, a multiple
choice a list of codes, a number a number, a text a string.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import PlatformScopedManager

AUDIT_LABELS: dict[str, str | Promise] = {
    "survey.created": _("created a survey"),
    "survey.changed": _("changed a survey"),
    "survey.imported": _("imported a questionnaire from XLSForm"),
    "survey.instrument_added": _("added a standard instrument to a survey"),
    "survey.question_changed": _("changed a survey question"),
    "survey.question_deleted": _("deleted a survey question"),
    "survey.invitations_made": _("made invitations for a survey"),
    "survey.paper_entered": _("entered a paper response"),
    "survey.responses_imported": _("imported paper responses"),
    "survey.response_deleted": _("deleted a survey response"),
    "survey.microdata_exported": _("downloaded a survey's anonymised answers"),
    "survey.report_exported": _("downloaded a survey's report"),
    "survey.weighting_changed": _("changed a survey's weighting"),
    "survey.design_changed": _("changed a survey's sample design"),
    "survey.reference_added": _("entered a published reference figure"),
    "survey.reference_withdrawn": _("withdrew a published reference figure"),
}

# Cells counting fewer respondents than this are not shown (default; each survey may raise it).
DEFAULT_MIN_CELL = 10


def new_key(nbytes: int = 12) -> str:
    return secrets.token_urlsafe(nbytes)


def digest(secret: str) -> str:
    """How a resume code is stored: only its hash, so that the database does not hold live links."""
    return hashlib.sha256(secret.encode()).hexdigest()


class Weighting(models.TextChoices):
    """How the report weighs respondents (weighting.py); the population figures are PopulationCell rows."""

    NONE = "none", _("none: every respondent counts the same")
    STRATIFIED = (
        "stratified",
        _("stratified sample by sex × age band (N_h / n_h, with the finite population correction)"),
    )
    POSTSTRATIFIED = "poststratified", _("post-stratification to the population by sex × age band")
    RAKED = "raked", _("raking to the population by sex and by age band (margins)")


class SampleDesign(models.TextChoices):
    """How the invitations were drawn (weighting.py): the design weights and the variance's strata and PSUs."""

    SRS = "srs", _("simple random sample of the whole population")
    STRATIFIED = "stratified", _("stratified: a simple random sample in each invitation batch (stratum)")
    TWO_STAGE = "two_stage", _("two-stage: areas or schools (PSUs) drawn in each batch, then people in them")


class Survey(models.Model):
    """A questionnaire and its collection: questions, invitations, responses."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft: being prepared")
        OPEN = "open", _("open: taking answers")
        CLOSED = "closed", _("closed: no more answers")

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_("Shown to respondents before the first question: who asks, why, and how answers are used."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    open_link = models.BooleanField(
        _("anyone with the link may answer"),
        default=False,
        help_text=_("Otherwise only people with an invitation (the code on a mailed letter) can answer."),
    )
    # The open link's key (the survey id would let anyone guess other surveys' links).
    public_key = models.CharField(max_length=32, unique=True, default=new_key, editable=False)
    min_cell = models.PositiveSmallIntegerField(
        _("smallest number shown"),
        default=DEFAULT_MIN_CELL,
        help_text=_("Results counting fewer respondents than this are not shown anywhere (at least 3)."),
    )
    population = models.PositiveIntegerField(
        _("population surveyed"),
        null=True,
        blank=True,
        help_text=_(
            "How many people the sample was drawn from (e.g. residents aged 16 or over). Gives the estimates "
            "their finite population correction; leave empty for an open link."
        ),
    )
    weighting = models.CharField(
        _("weighting"),
        max_length=16,
        choices=Weighting.choices,
        default=Weighting.NONE,
        db_default=Weighting.NONE,
        editable=False,
    )
    sample_design = models.CharField(
        _("sample design"),
        max_length=16,
        choices=SampleDesign.choices,
        default=SampleDesign.SRS,
        db_default=SampleDesign.SRS,
        editable=False,
    )
    # Weighting-class non-response adjustment by invitation batch (DesignStratum.weighting_class).
    nonresponse_adjustment = models.BooleanField(default=False, db_default=False, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: models.Manager[Survey] = PlatformScopedManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.CheckConstraint(name="survey_min_cell_at_least_3", condition=Q(min_cell__gte=3)),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class ChoiceList(models.Model):
    """A named list of answer options (XLSForm's `list_name`), shared by the questions that use it."""

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, models.CASCADE, related_name="choice_lists")
    name = models.CharField(_("list name"), max_length=64)

    objects: models.Manager[ChoiceList] = PlatformScopedManager()

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["survey", "name"], name="one_choice_list_name_per_survey")]

    def __str__(self) -> str:
        return self.name


class Choice(models.Model):
    """One answer option: its code (what is stored and exported) and its labels."""

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    choice_list = models.ForeignKey(ChoiceList, models.CASCADE, related_name="choices")
    position = models.PositiveIntegerField(default=0)
    value = models.CharField(_("code"), max_length=64)
    label_ja = models.CharField(_("label (Japanese)"), max_length=300)
    label_en = models.CharField(_("label (English)"), max_length=300, blank=True)
    # Other columns of the XLSForm choices sheet, read by `choice_filter`.
    columns = models.JSONField(default=dict, blank=True)

    objects: models.Manager[Choice] = PlatformScopedManager()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["choice_list", "value"], name="one_code_per_choice_list")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.label_en if get_language() == "en" and self.label_en else self.label_ja


class Question(models.Model):
    """A question of a survey, or a note (text shown without an answer)."""

    class Kind(models.TextChoices):
        SINGLE = "single", _("single choice")
        MULTIPLE = "multiple", _("multiple choice")
        INTEGER = "integer", _("whole number")
        DECIMAL = "decimal", _("number")
        TEXT = "text", pgettext_lazy("question kind", "free text")
        NOTE = "note", _("note (no answer)")

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(default=0)
    # The respondent sees one page at a time (XLSForm groups become pages).
    page = models.PositiveIntegerField(default=1)
    name = models.CharField(
        _("name"), max_length=64, help_text=_("Letters, digits and _; used in data files and expressions as ${name}.")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    label_ja = models.TextField(_("question (Japanese)"))
    label_en = models.TextField(_("question (English)"), blank=True)
    hint_ja = models.TextField(_("hint (Japanese)"), blank=True)
    hint_en = models.TextField(_("hint (English)"), blank=True)
    required = models.BooleanField(_("an answer is required"), default=False)
    relevant = models.TextField(_("shown only if"), blank=True, help_text=_("XLSForm `relevant`, e.g. ${q1} = '1'."))
    constraint = models.TextField(
        _("answer must satisfy"), blank=True, help_text=_("XLSForm `constraint`, e.g. . < 120.")
    )
    constraint_message_ja = models.CharField(_("message when it does not"), max_length=300, blank=True)
    choice_list = models.ForeignKey(
        ChoiceList, models.RESTRICT, null=True, blank=True, related_name="questions", verbose_name=_("answer options")
    )
    choice_filter = models.TextField(_("options shown only if"), blank=True)
    # The standard instrument it came from (instruments.py), for the report: e.g. "ucla3".
    instrument = models.CharField(max_length=32, blank=True)

    objects: models.Manager[Question] = PlatformScopedManager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [models.UniqueConstraint(fields=["survey", "name"], name="one_question_name_per_survey")]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return self.label_en if get_language() == "en" and self.label_en else self.label_ja

    @property
    def hint(self) -> str:
        return self.hint_en if get_language() == "en" and self.hint_en else self.hint_ja

    @property
    def has_choices(self) -> bool:
        return self.kind in {self.Kind.SINGLE, self.Kind.MULTIPLE}

    @property
    def is_free_text(self) -> bool:
        return self.kind == self.Kind.TEXT


class Invitation(models.Model):
    """One letter's code: one response per invitation. Knows nothing of who received it."""

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, models.CASCADE, related_name="invitations")
    token = models.CharField(_("code"), max_length=32, unique=True, default=new_key)
    # A batch label for the mailing (e.g. "第1回発送"); the stratum of the sample, if any.
    batch = models.CharField(_("batch"), max_length=100, blank=True)
    # The primary sampling unit of a two-stage sample (a 町丁目, a school), as the coordinator names it.
    psu = models.CharField(_("primary sampling unit"), max_length=100, blank=True, default="", db_default="")
    created_at = models.DateTimeField(auto_now_add=True)

    objects: models.Manager[Invitation] = PlatformScopedManager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return self.token


class Response(models.Model):
    """One respondent's answers, on the web (in progress or submitted) or keyed in from paper."""

    class Mode(models.TextChoices):
        WEB = "web", _("web")
        PAPER = "paper", _("paper")

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, models.CASCADE, related_name="responses")
    invitation = models.ForeignKey(Invitation, models.RESTRICT, null=True, blank=True, related_name="responses")
    mode = models.CharField(_("how answered"), max_length=10, choices=Mode.choices, default=Mode.WEB)
    # The hash of an open-link respondent's resume code (the code itself is only in their link).
    resume_hash = models.CharField(max_length=64, blank=True, db_index=True)
    answers = models.JSONField(default=dict, blank=True)
    page = models.PositiveIntegerField(default=1)
    started_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")

    objects: models.Manager[Response] = PlatformScopedManager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            # Web and paper merged: one response per invitation, whichever way it came.
            models.UniqueConstraint(
                fields=["invitation"], condition=Q(invitation__isnull=False), name="one_response_per_invitation"
            ),
        ]
        indexes = [models.Index(fields=["survey", "submitted_at"], name="surveys_response_submitted")]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.pk}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


def answer_text(question: Question, value: Any) -> str:
    """An answer as written in data files: codes separated by spaces for a multiple choice."""
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer() and question.kind == Question.Kind.INTEGER:
        return str(int(value))
    return str(value)


class PopulationCell(models.Model):
    """The population of one sex × age band (× area) cell (the resident register's figure), for weighting.

    `sex`, `age_band` and `area` are codes of the survey's `sex`, `age_band` and `area` questions (the
    demographics instrument), so a respondent's answers find their cell. `area` is "" (all areas
    together) unless the figures are entered by area; a survey's figures are all by area or none.
    """

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, models.CASCADE, related_name="population_cells")
    sex = models.CharField(_("sex"), max_length=64)
    age_band = models.CharField(_("age band"), max_length=64)
    area = models.CharField(_("area"), max_length=64, blank=True, default="", db_default="")
    population = models.PositiveIntegerField(_("population"))

    objects: models.Manager[PopulationCell] = PlatformScopedManager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("population figure")
        verbose_name_plural = _("population figures")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "sex", "age_band", "area"], name="one_population_per_cell_and_area"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sex}×{self.age_band}{'×' + self.area if self.area else ''}: {self.population}"


class DesignStratum(models.Model):
    """What the coordinator states about one invitation batch: its stratum's population and weighting class.

    `population` is the number of people in the stratum (design weight population / invitations);
    `psus` the number of primary sampling units in the stratum's population (the finite population
    correction of a two-stage design); `weighting_class` the non-response class the batch belongs to
    ("" = its own), so that a batch without answers can be merged with another.
    """

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, models.CASCADE, related_name="design_strata")
    batch = models.CharField(_("batch"), max_length=100, blank=True)
    population = models.PositiveIntegerField(_("people in the stratum"), null=True, blank=True)
    psus = models.PositiveIntegerField(_("PSUs in the stratum"), null=True, blank=True)
    weighting_class = models.CharField(_("non-response class"), max_length=100, blank=True, default="")

    objects: models.Manager[DesignStratum] = PlatformScopedManager()

    class Meta:
        ordering = ["batch", "pk"]
        constraints = [models.UniqueConstraint(fields=["survey", "batch"], name="one_design_stratum_per_batch")]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.batch}"


class ReferenceFigure(models.Model):
    """A published distribution of a standard item (e.g. the national direct loneliness question), as its source prints it.

    Entered by a coordinator for the platform's own reports, or on the national platform for every
    platform's. `figures` maps each option's code to {"percent": p, "ci95": [lo, hi] or None}, percentages
    as published; `no_answer` is the published 無回答 share when the table counts it (the report then
    compares shares of those answering, as its own are). Nothing here is ever typed in by the project:
    every figure comes from a person citing the source, and the entry is audited.
    """

    platform = models.ForeignKey(Platform, models.CASCADE, related_name="+")
    item = models.CharField(_("item"), max_length=64)
    year = models.PositiveSmallIntegerField(_("year of the survey"))
    population = models.CharField(_("population surveyed"), max_length=200)
    source_title = models.CharField(_("title of the source"), max_length=300)
    publisher = models.CharField(_("publisher"), max_length=200)
    url = models.URLField(_("URL of the source"), max_length=500)
    table = models.CharField(_("table or page"), max_length=200, blank=True, default="")
    n = models.PositiveIntegerField(_("respondents"), null=True, blank=True)
    no_answer = models.FloatField(_("no answer (%)"), null=True, blank=True)
    figures = models.JSONField(_("figures"), default=dict)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects: models.Manager[ReferenceFigure] = PlatformScopedManager()

    class Meta:
        ordering = ["-year", "-pk"]
        verbose_name = _("published reference figure")
        verbose_name_plural = _("published reference figures")

    def __str__(self) -> str:
        return f"{self.item} {self.year}: {self.source_title}"

    def answering(self, code: str) -> float | None:
        """The published share of option `code` among those answering (0–1), None if not entered."""
        figure = self.figures.get(code)
        if figure is None:
            return None
        base = 100.0 - (self.no_answer or 0.0)
        return float(figure["percent"]) / base

    def interval(self, code: str) -> tuple[float, float] | None:
        """The published 95% interval of option `code`, as a share of those answering, when entered."""
        figure = self.figures.get(code)
        if not figure or not figure.get("ci95"):
            return None
        base = 100.0 - (self.no_answer or 0.0)
        low, high = figure["ci95"]
        return float(low) / base, float(high) / base
