"""Builders for search tests: services with terms, channels, schedules, and an index to match."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest

from tests.factories import make_service
from tsunagari.directory.models import ATTRIBUTES, TARGETS, Channel, Schedule, Service, TaxonomyTerm
from tsunagari.search.index import reindex_services
from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import scopes_disabled


def build_service(
    platform: Platform,
    name: str,
    *,
    targets: tuple[str, ...] = (),
    attributes: tuple[str, ...] = (),
    channels: tuple[str, ...] = (),
    schedules: tuple[dict[str, Any], ...] = (),
    **fields: Any,
) -> Service:
    """make_service plus target groups, attributes, extra channels and weekly schedules."""
    service = make_service(platform, name, **fields)
    with scopes_disabled():
        service.terms.add(*TaxonomyTerm.objects.filter(taxonomy_id=TARGETS, code__in=targets))
        service.terms.add(*TaxonomyTerm.objects.filter(taxonomy_id=ATTRIBUTES, code__in=attributes))
        for kind in channels:
            Channel.objects.create(platform=platform, service=service, kind=kind, value="https://example.jp/")
        for schedule in schedules:
            Schedule.objects.create(platform=platform, service=service, **schedule)
    return service


OFFICE_HOURS = {
    "byday": "MO,TU,WE,TH,FR",
    "opens_at": datetime.time(8, 30),
    "closes_at": datetime.time(17, 15),
    "closed_on_holidays": True,
    "closed_year_end": True,
}
ROUND_THE_CLOCK = {"byday": "MO,TU,WE,TH,FR,SA,SU", "open_24h": True}


@pytest.fixture
def build() -> Callable[..., Service]:
    return build_service


@pytest.fixture
def index() -> Callable[[], int]:
    """Rebuild the whole index: the tests' transactions never commit, so signals never fire."""
    return reindex_services
