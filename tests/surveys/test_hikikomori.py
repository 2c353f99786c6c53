"""The Cabinet Office's hikikomori definition: an unanswered duration is undecided (判定不能), not "no"."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from tests.surveys.rows import answer, make_survey
from tsunagari.surveys import estimation
from tsunagari.surveys.instruments import hikikomori_class
from tsunagari.surveys.models import Survey
from tsunagari.surveys.results import headline, results
from tsunagari.tenancy.scoping import platform_scope

pytestmark = pytest.mark.django_db


def test_a_blank_duration_leaves_the_definition_undecided() -> None:
    assert hikikomori_class({"outing": "7"}) is None
    assert hikikomori_class({"outing": "6", "outing_duration": ""}) is None
    assert hikikomori_class({"outing": "7", "outing_duration": "1"}) == "none"  # under six months: decided
    assert hikikomori_class({"outing": "2"}) == "none"  # not asked how long: nothing missing


@pytest.fixture
def survey(kamakura: Any, alice: Any) -> Survey:
    """40 answers: 20 go out to work, 10 stay in (狭義) for 1–3 years, 10 stay in and left the duration blank."""
    with platform_scope(kamakura, with_national=False):
        survey = make_survey(kamakura, alice, "hikikomori")
        for _i in range(20):
            answer(survey, {"outing": "1"})
        for _i in range(10):
            answer(survey, {"outing": "7", "outing_duration": "3"})
        for _i in range(10):
            answer(survey, {"outing": "7"})
    return survey


def test_undecided_respondents_are_a_missing_answer_in_the_report(survey: Survey) -> None:
    with platform_scope(survey.platform, with_national=False):
        found = {r.name: r for r in results(survey)}
        figures = {h.key: h for h in headline(survey)}
    rows = {row.category: row.estimate for row in found["hikikomori"].rows if row.domain is None}
    broad = rows["broad"]
    # 10 of the 30 decided, not 10 of 40: the blanks are neither hikikomori nor not.
    assert broad.n == 30 and math.isclose(broad.estimate, 10 / 30)
    assert found["hikikomori"].n == 30
    assert figures["hikikomori"].n == 30 and math.isclose(figures["hikikomori"].estimate or 0, 10 / 30)
    # Excluded as a domain of the whole design (all 40 rows kept), as R's subset(): the engine on 40 rows.
    flags = ["0"] * 20 + ["1"] * 10 + [None] * 10
    (expected,) = estimation.share(estimation.Design(weights=np.ones(40)), flags, ["1"], "hikikomori")
    assert broad.se == pytest.approx(expected.se, rel=1e-12)
    assert broad.ci95 == pytest.approx(expected.ci95, rel=1e-12)
    (deleted,) = estimation.share(estimation.Design(weights=np.ones(30)), flags[:30], ["1"], "hikikomori")
    assert not math.isclose(broad.se, deleted.se, rel_tol=1e-6)  # rows were not deleted
