"""A demo survey for `seed-demo`: 鎌倉市's resident survey on loneliness, with fictional answers.

The questionnaire is the standard instruments (the national direct question, the UCLA 3-item
scale, demographics with 鎌倉市's five areas). 1,000 letters go to a simple random sample of the
fictional register below; about four in ten answer, older people and women more often, as in real
mailed surveys, so that the weighted and unweighted figures differ. Answers come from a seeded
random generator (the same every time) with loneliness higher among the young and people living
alone. Every figure is fictional, and the survey's title says （デモ）.

Idempotent: seeding again finds the survey and changes nothing.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.utils import timezone

from tsunagari.tenancy.models import Platform

from . import actions
from .instruments import BY_KEY
from .models import Choice, Question, Response, Survey, Weighting

TITLE = "（デモ）鎌倉市 人とのつながりに関する市民意識調査"
INTRO = (
    "デモ用の架空の調査です。回答も人口の数値もすべて架空のもので、実際の鎌倉市の調査・統計ではありません。"
    "住民基本台帳から無作為に選んだ16歳以上の1,000人に依頼状を郵送し、Web または紙で回答していただいた、という想定です。"
)
AREAS = ("鎌倉地域", "腰越地域", "深沢地域", "大船地域", "玉縄地域")
AREA_SHARES = (0.26, 0.19, 0.17, 0.25, 0.13)
# Fictional population aged 16+ by (sex code, age band code) — not the register's figures.
POPULATION: dict[tuple[str, str], int] = {
    ("1", "1"): 2900,
    ("2", "1"): 2800,
    ("1", "2"): 6900,
    ("2", "2"): 6800,
    ("1", "3"): 7200,
    ("2", "3"): 7600,
    ("1", "4"): 10400,
    ("2", "4"): 11300,
    ("1", "5"): 11800,
    ("2", "5"): 13000,
    ("1", "6"): 9700,
    ("2", "6"): 11000,
    ("1", "7"): 11300,
    ("2", "7"): 13600,
    ("1", "8"): 7600,
    ("2", "8"): 12300,
}
LETTERS = 1000
# Chance that a person sampled answers, by age band; women answer a little more often.
RESPONSE_RATE = {"1": 0.25, "2": 0.22, "3": 0.28, "4": 0.33, "5": 0.40, "6": 0.50, "7": 0.55, "8": 0.45}
# Loneliness (a latent score) by age band: higher among the young, as the national survey finds.
AGE_EFFECT = {"1": 0.1, "2": 0.35, "3": 0.3, "4": 0.15, "5": 0.1, "6": 0.0, "7": -0.2, "8": -0.1}
# Cut points of the latent score for the direct question's 5 options (about the national shares).
DIRECT_CUTS = (-0.92, 0.23, 0.81, 1.64)
UCLA_CUTS = (-0.3, 0.8, 1.7)
SEED = 20241203


def _level(score: float, cuts: tuple[float, ...]) -> str:
    return str(1 + sum(score > c for c in cuts))


def fictional_answers(rng: random.Random) -> list[dict[str, Any]]:
    """The answers of those among LETTERS sampled people who respond, in the order they came back."""
    cells = list(POPULATION)
    sampled = rng.choices(cells, weights=[POPULATION[c] for c in cells], k=LETTERS)
    out = []
    for sex, age in sampled:
        rate = RESPONSE_RATE[age] * (1.15 if sex == "2" else 1.0)
        if rng.random() >= rate:
            continue
        alone = rng.random() < (0.12 if age in {"1", "2", "3", "4", "5"} else 0.22)
        household = "1" if alone else rng.choices("2345", weights=(35, 45, 8, 12))[0]
        latent = rng.gauss(0, 1) + AGE_EFFECT[age] + (0.35 if alone else 0.0)
        answers: dict[str, Any] = {
            "loneliness_direct": _level(latent, DIRECT_CUTS),
            "ucla_companionship": _level(latent + rng.gauss(0, 0.8), UCLA_CUTS),
            "ucla_left_out": _level(latent + rng.gauss(0, 0.8) - 0.2, UCLA_CUTS),
            "ucla_isolated": _level(latent + rng.gauss(0, 0.8) - 0.1, UCLA_CUTS),
            "age_band": age,
            "area": str(1 + rng.choices(range(len(AREAS)), weights=AREA_SHARES)[0]),
        }
        answer_sex = rng.random()
        if answer_sex >= 0.035:
            answers["sex"] = sex
        elif answer_sex >= 0.015:
            answers["sex"] = "3"  # その他・回答しない: no register figure, left out of weighted estimates
        if rng.random() >= 0.03:
            answers["household"] = household
        out.append(answers)
    return out


def _use_kamakura_areas(survey: Survey) -> None:
    area = Question.objects.select_related("choice_list").get(survey=survey, name="area")
    assert area.choice_list is not None
    choices = list(Choice.objects.filter(choice_list=area.choice_list))
    for position, name in enumerate(AREAS):
        if position < len(choices):
            choice = choices[position]
            choice.label_ja, choice.label_en, choice.position = name, "", position
            choice.save()
        else:
            Choice.objects.create(
                platform=survey.platform,
                choice_list=area.choice_list,
                position=position,
                value=str(position + 1),
                label_ja=name,
            )


def seed_survey(platform: Platform, *, actor: Any) -> Survey:
    """Call with scopes disabled. The demo survey of the platform, made once."""
    found = Survey.objects.filter(platform=platform, title=TITLE).first()
    if found is not None:
        return found
    survey = actions.create_survey(
        platform,
        actor=actor,
        title=TITLE,
        intro=INTRO,
        status=Survey.Status.OPEN,
        population=sum(POPULATION.values()),
    )
    for key in ("direct", "ucla3", "demographics"):
        actions.add_instrument(survey, BY_KEY[key], actor=actor)
    _use_kamakura_areas(survey)
    rng = random.Random(SEED)  # noqa: S311 - fictional answers, the same every time, not a secret
    answers = fictional_answers(rng)
    invitations = actions.make_invitations(survey, LETTERS, batch="第1回発送（デモ）", actor=actor)
    answered = rng.sample(invitations, len(answers))
    now = timezone.now()
    Response.objects.bulk_create(
        Response(
            platform=platform,
            survey=survey,
            invitation=invitation,
            mode=Response.Mode.WEB if rng.random() < 0.35 else Response.Mode.PAPER,
            answers=given,
            page=1,
            submitted_at=now - datetime.timedelta(days=14 + 30 * rng.random()),
        )
        for invitation, given in zip(answered, answers, strict=True)
    )
    by_sex_and_age = {(sex, age, ""): count for (sex, age), count in POPULATION.items()}
    actions.set_weighting(survey, Weighting.POSTSTRATIFIED, by_sex_and_age, actor=actor)
    actions.change_survey(survey, actor=actor, status=Survey.Status.CLOSED)
    return survey
