"""Counts for the programme report (tsunagari.reporting counters): aggregates only, one query."""

from __future__ import annotations

from typing import Any

from tsunagari.lib.counting import count_by_platform

from .models import Concern


def concerns_by_platform(platforms: Any, period: Any) -> dict[int, int]:
    """Concerns (気づき) received in the period, per platform."""
    return count_by_platform(
        Concern.objects.filter(
            platform_id__in=platforms, received_at__gte=period.start_at, received_at__lt=period.end_at
        )
    )
