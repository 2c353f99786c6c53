"""The anonymised answers (answers.csv): one row per respondent, with the quasi-identifiers coarsened.

A row of answers can point at a person through what it says about them, not only through a name:
free text can name anyone (never exported); an exact age and a small district together often
fit one household. So, before a row leaves the database:

- free-text questions are left out entirely;
- a number asked as an age (a whole number or number whose name contains "age" or whose Japanese
  label contains 年齢) becomes a ten-year band (under 20, 20–29, …, 80 and over);
- the answers to the `area` question (the demographics instrument's district) held by fewer than
  `survey.min_cell` respondents become one "other areas" value;
- no codes, times or ids, and rows in a random order (the order of entry could be matched with a
  mailing list).
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from .models import Question, Response, Survey, answer_text
from .questionnaire import Questionnaire

AREA = "area"
SMALL_AREAS = "other"  # written for the areas with fewer than min_cell respondents
AGE_NAME = re.compile(r"(^|_)age($|_)")


def is_age(question: Question) -> bool:
    """A number the respondent gives as their (or someone's) age: exported in bands, never exactly."""
    numeric = question.kind in {Question.Kind.INTEGER, Question.Kind.DECIMAL}
    return numeric and (bool(AGE_NAME.search(question.name.lower())) or "年齢" in question.label_ja)


def age_band(value: Any) -> str:
    """Ten-year bands, open at both ends (under 20, 80 and over): what a frame's age strata look like."""
    try:
        age = float(value)
    except (TypeError, ValueError):
        return ""
    if not math.isfinite(age):
        return ""
    if age < 20:
        return "<20"
    if age >= 80:
        return "80+"
    low = int(age // 10) * 10
    return f"{low}-{low + 9}"


def anonymised(survey: Survey) -> tuple[list[str], Iterator[list[str]], int]:
    """(header, rows, number of rows) of the anonymised answers, shuffled; call in the platform's scope."""
    questionnaire = Questionnaire.load(survey)
    columns = [q for q in questionnaire.answerable if not q.is_free_text]
    responses = list(Response.objects.filter(survey=survey, submitted_at__isnull=False).values_list("answers", "mode"))
    random.SystemRandom().shuffle(responses)
    area = next((q for q in columns if q.name == AREA and q.kind == Question.Kind.SINGLE), None)
    small: set[str] = set()
    if area is not None:
        counts = Counter(answers.get(AREA) for answers, _mode in responses if answers.get(AREA) not in (None, ""))
        small = {code for code, n in counts.items() if n < survey.min_cell}

    def text(question: Question, value: Any) -> str:
        if value is None or value == "":
            return ""
        if is_age(question):
            return age_band(value)
        if question is area and value in small:
            return SMALL_AREAS
        return answer_text(question, value)

    rows = ([*(text(q, answers.get(q.name)) for q in columns), mode] for answers, mode in responses)
    return [*(q.name for q in columns), "mode"], rows, len(responses)
