"""Reporting rows for tests: Kamakura's plan for FY 2025 with one row of each kind and a piece of evidence.

Imported by tests/reporting/conftest.py and by the permission matrix in tests/workspace.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.notices.rows import pdf
from tsunagari.reporting import actions
from tsunagari.reporting.models import Activity, BudgetLine, Item, Kpi, Milestone
from tsunagari.tenancy.scoping import platform_scope

YEAR = 2025


@pytest.fixture
def reporting_rows(settings: Any, tmp_path: Path, kamakura: Any, alice: Any) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path / "media"
    with platform_scope(kamakura, with_national=False):
        plan = actions.plan_for(kamakura, YEAR)
        actions.save_texts(
            plan, {"summary": "官民連携の土台づくり", "achievements": "", "issues": "", "next_year": ""}, actor=alice
        )
        activity = Activity(item=Item.PLATFORM, title="鎌倉市官民連携会議の開催", timing="6月・12月")
        actions.save_row(plan, activity, actor=alice, kind="activities")
        budget = BudgetLine(name="広報チラシの印刷", budget=300_000, spent=120_000)
        actions.save_row(plan, budget, actor=alice, kind="budget")
        kpi = Kpi(item=Item.TRAINING, name="つながりサポーター養成数", target=50, counter="training_completed")
        actions.save_row(plan, kpi, actor=alice, kind="kpis")
        milestone = Milestone(title="中間報告の提出", due_on=datetime.date(YEAR, 10, 31))
        actions.save_row(plan, milestone, actor=alice, kind="milestones")
        evidence = actions.add_evidence(plan, pdf("会議の議事録.pdf"), kind="minutes", item=Item.PLATFORM, actor=alice)
    return {
        "plan": plan,
        "activity": activity,
        "budget_line": budget,
        "kpi": kpi,
        "milestone": milestone,
        "evidence": evidence,
    }
