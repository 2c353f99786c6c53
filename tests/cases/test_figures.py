"""Issue 11 item 10: monthly figures for coordinators — aggregates only, small cells hidden for good."""

from __future__ import annotations

import datetime
import random
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.cases.rows import consent_to_share
from tsunagari.cases import actions
from tsunagari.cases.figures import SECONDARY, SMALL, monthly, suppress_line
from tsunagari.cases.models import Outcome, Referral, Status
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db


def hidden_count(cells: list[Any], total: Any) -> int:
    return sum(cell.suppressed for cell in cells) + total.suppressed


def test_a_single_small_month_is_not_given_back_by_the_total() -> None:
    cells, total = suppress_line([0, 3, 0, 25], threshold=10)
    assert total.value == 28
    assert cells[1].hidden == SMALL
    # Total minus the shown months leaves two unknowns: the small month and a second one.
    assert [cell.hidden for cell in cells] == [SECONDARY, SMALL, "", ""]
    shown = sum(cell.value for cell in cells if not cell.suppressed)
    assert total.value - shown == 3  # …a sum of two hidden cells, neither of which it names


def test_a_one_month_line_hides_its_total_with_the_month() -> None:
    cells, total = suppress_line([4], threshold=10)
    assert cells[0].hidden == SMALL and total.suppressed


@pytest.mark.parametrize("seed", range(5))
def test_no_line_ever_hides_exactly_one_cell(seed: int) -> None:
    """Subtraction undoes a hidden cell only when it is the one unknown of its line (months + total)."""
    rng = random.Random(seed)
    for _ in range(2000):
        months = [rng.choice([0, 0, 1, 2, 5, 9, 10, 11, 40]) for _m in range(rng.randint(1, 12))]
        cells, total = suppress_line(months, threshold=10)
        assert hidden_count(cells, total) != 1, months
        for value, cell in zip(months, cells, strict=True):
            if 0 < value < 10:
                assert cell.suppressed, months  # every small cell is hidden
            assert cell.suppressed or cell.value == value
        assert total.suppressed or total.value == sum(months)


def make_referral(rows: dict[str, Any], *, status: str, made: datetime.datetime, **fields: Any) -> Referral:
    with scopes_disabled():
        referral = actions.refer(
            person=rows["person"], sender=rows["council"], receiver=rows["centre"], need="（見本）", need_code="elderly"
        )
        Referral.objects.filter(pk=referral.pk).update(status=status, created_at=made, **fields)
    return referral


@pytest.fixture
def rows(kamakura: Any, kamakura_council: Any, case_rows: dict[str, Any]) -> dict[str, Any]:
    with scopes_disabled():
        Referral.objects.all().delete()  # case_rows' own referral: this test counts its own
    return {"platform": kamakura, "council": kamakura_council, **case_rows}


def at(year: int, month: int, day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=timezone.get_current_timezone())


def test_monthly_counts_rates_and_medians(rows: dict[str, Any]) -> None:
    # April: 12 completed with an outcome (accepted 2 days after the request), 10 failed. May: 2 requested.
    for i in range(12):
        make_referral(
            rows,
            status=Status.COMPLETED,
            made=at(2026, 4, 1 + i),
            requested_at=at(2026, 4, 1 + i),
            accepted_at=at(2026, 4, 3 + i),
            closed_at=at(2026, 4, 20),
            outcome=Outcome.GOT_HELP,
        )
    for i in range(10):
        make_referral(
            rows, status=Status.FAILED, made=at(2026, 4, 2 + i), closed_at=at(2026, 4, 25), outcome=Outcome.DECLINED
        )
    for i in range(2):
        make_referral(rows, status=Status.REQUESTED, made=at(2026, 5, 3 + i), requested_at=at(2026, 5, 3 + i))
    make_referral(rows, status=Status.FAILED, made=at(2026, 5, 6), closed_at=at(2026, 5, 7), outcome=Outcome.DECLINED)

    april, may, total = monthly(rows["platform"], datetime.date(2026, 4, 1), datetime.date(2026, 5, 31))
    assert (april.month, may.month, total.month) == (datetime.date(2026, 4, 1), datetime.date(2026, 5, 1), None)
    assert april.concerns is not None and april.concerns.value == 0  # councils installed, none received
    assert april.referrals_by_state[Status.COMPLETED].value == 12
    assert may.referrals_by_state[Status.COMPLETED].value == 0
    # May's 2 requested are small, and so is their total: two unknowns, April's 0 can stay.
    assert may.referrals_by_state[Status.REQUESTED].hidden == SMALL
    assert total.referrals_by_state[Status.REQUESTED].hidden == SMALL
    assert april.referrals_by_state[Status.REQUESTED].value == 0
    # May's 1 failed is small but the total (11) is not: April's 10 is hidden too, or 11 − 10 gives it.
    assert may.referrals_by_state[Status.FAILED].hidden == SMALL
    assert april.referrals_by_state[Status.FAILED].hidden == SECONDARY
    assert total.referrals_by_state[Status.FAILED].value == 11
    assert april.closed_loop_rate.value == pytest.approx(54.5)  # 12 of 22
    assert april.median_days_to_acceptance.value == 2.0
    assert may.closed_loop_rate.hidden == SMALL  # one ended
    assert total.closed_loop_rate.value == pytest.approx(52.2)  # 12 of 23
    assert may.median_days_to_acceptance.value is None and not may.median_days_to_acceptance.suppressed
    assert april.outcomes_by_need[("elderly", Outcome.GOT_HELP)].value == 12
    assert total.outcomes_by_need[("elderly", Outcome.DECLINED)].value == 11


def test_rates_and_medians_of_few_referrals_are_hidden(rows: dict[str, Any]) -> None:
    for i in range(12):
        make_referral(
            rows,
            status=Status.COMPLETED,
            made=at(2026, 4, 1),
            requested_at=at(2026, 4, 1),
            accepted_at=at(2026, 4, 2 + (i % 3)),
            closed_at=at(2026, 4, 20),
            outcome=Outcome.GOT_HELP if i else "",
        )
    (april, _total) = monthly(rows["platform"], datetime.date(2026, 4, 1), datetime.date(2026, 4, 30))
    # 11 of 12 with an outcome: the 1 without could be read back from the rate.
    assert april.closed_loop_rate.hidden == SMALL
    assert april.median_days_to_acceptance.value == 2.0
    (april, _total) = monthly(rows["platform"], datetime.date(2026, 4, 1), datetime.date(2026, 4, 30), threshold=13)
    assert april.median_days_to_acceptance.hidden == SMALL


def test_the_lifecycle_sets_the_times_the_figures_count(rows: dict[str, Any], olga: Any) -> None:
    with scopes_disabled():
        referral = actions.refer(
            person=rows["person"], sender=rows["council"], receiver=rows["centre"], need="（見本）", need_code="elderly"
        )
        council, centre = frozenset({rows["council"].pk}), frozenset({rows["centre"].pk})
        consent_to_share(rows["person"], sender=rows["council"], receiver=rows["centre"])
        actions.move(referral, Status.REQUESTED, orgs=council, actor=olga)
        actions.move(referral, Status.ACCEPTED, orgs=centre, actor=rows["rita"])
        actions.move(referral, Status.IN_PROGRESS, orgs=centre, actor=rows["rita"])
        with pytest.raises(actions.TransitionError):
            actions.move(referral, Status.ON_HOLD, orgs=centre, actor=rows["rita"], outcome=Outcome.GOT_HELP)
        done = actions.move(
            referral, Status.COMPLETED, orgs=centre, actor=rows["rita"], reason="つながった", outcome="got_help"
        )
    assert done.requested_at and done.accepted_at and done.closed_at and done.outcome == Outcome.GOT_HELP
    assert done.requested_at <= done.accepted_at <= done.closed_at


def test_the_page_shows_hidden_cells_and_no_person(client: Client, alice: Any, rows: dict[str, Any]) -> None:
    make_referral(rows, status=Status.REQUESTED, made=timezone.now())
    client.force_login(alice)
    response = client.get("/kamakura/workspace/figures/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "10未満" in body
    assert "鎌倉 花子" not in body and "見守り" not in body and "（見本）" not in body
    assert client.get("/kamakura/workspace/figures/?from=2026-13&to=x").status_code == 200


def test_the_programme_report_counts_referrals_sent_and_closed_in_each_period(rows: dict[str, Any]) -> None:
    from tsunagari.reporting.counters import REGISTRY, Period

    for day in (1, 2, 3):
        make_referral(rows, status=Status.REQUESTED, made=at(2026, 4, day), requested_at=at(2026, 4, day))
    make_referral(  # sent in April, closed in May
        rows,
        status=Status.COMPLETED,
        made=at(2026, 4, 4),
        requested_at=at(2026, 4, 4),
        closed_at=at(2026, 5, 2),
        outcome=Outcome.GOT_HELP,
    )
    make_referral(rows, status=Status.DRAFT, made=at(2026, 4, 5))  # never sent
    april = Period(datetime.date(2026, 4, 1), datetime.date(2026, 5, 1))
    may = Period(datetime.date(2026, 5, 1), datetime.date(2026, 6, 1))
    pk = rows["platform"].pk
    sent = REGISTRY["referrals"].count_periods([pk], [april, may])
    closed = REGISTRY["referrals_closed"].count_periods([pk], [april, may])
    assert [c.get(pk, 0) for c in sent] == [4, 0]
    assert [c.get(pk, 0) for c in closed] == [0, 1]
    assert REGISTRY["referrals"].count([pk], april) == {pk: 4}
