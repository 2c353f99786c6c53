"""Records for the programme report (tsunagari.reporting counters), which only ever counts them."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import Concern


def concerns_received(platforms: Any) -> QuerySet[Concern]:
    """Concerns (気づき) of the platforms, dated by when they were received."""
    return Concern.objects.filter(platform_id__in=platforms)
