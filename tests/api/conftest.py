"""Fixtures for the API tests: a clean cache, and validators for the official HSDS 3.0 schemas."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.conftest import HSDS, shared_data

# The URIs the HSDS OpenAPI document uses for the schemas, so that its $refs resolve locally.
SCHEMA_BASE = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"

Validate = Callable[[Any, str], None]


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Cached pages and rate-limit counters must not leak from one test to the next."""
    cache.clear()
    yield
    cache.clear()


def hsds_registry() -> Registry:
    """The official schemas (a shared data set): the test skips here when they are absent."""
    schema_dir = shared_data(HSDS / "schema")
    resources = []
    for path in [*schema_dir.glob("*.json"), *(schema_dir / "compiled").glob("*.json")]:
        if path.name.endswith("_package.json") or path.name in ("tabular.json", "service_with_definitions.json"):
            continue
        uri = SCHEMA_BASE + str(path.relative_to(schema_dir))
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((uri, Resource.from_contents(contents, default_specification=DRAFT202012)))
    return Registry().with_resources(resources)


@pytest.fixture(scope="session")
def validate() -> Validate:
    """validate(instance, "compiled/service.json"), or a JSON pointer into openapi.json.

    The schemas are read on the first call, so that a test without them checks everything else
    before it is skipped there (or fails, with REQUIRE_SHARED_DATA=1).
    """
    validators: dict[str, Draft202012Validator] = {}
    registries: list[Registry] = []

    def check(instance: Any, schema: str) -> None:
        if not registries:
            registries.append(hsds_registry())
        if schema not in validators:
            validators[schema] = Draft202012Validator(
                {"$ref": SCHEMA_BASE + schema},
                registry=registries[0],
                format_checker=Draft202012Validator.FORMAT_CHECKER,
            )
        errors = sorted(validators[schema].iter_errors(instance), key=lambda e: list(e.path))
        assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])

    return check


@pytest.fixture
def rich_service(kamakura: Any) -> Any:
    """A Kamakura service with every kind of related record the serialiser maps."""
    import datetime

    from tests.factories import make_service
    from tsunagari.directory.models import Channel, Schedule, SourceDataset, TaxonomyTerm
    from tsunagari.tenancy.scoping import scopes_disabled

    dataset = SourceDataset.objects.create(
        slug="kamakura-open-data",
        name="鎌倉市オープンデータ",
        publisher="鎌倉市",
        licence="CC BY 4.0",
        licence_url="https://creativecommons.org/licenses/by/4.0/",
        attribution="出典：鎌倉市オープンデータ",
    )
    service = make_service(
        kamakura,
        "こころの相談",
        needs=("mental_health", "loneliness"),
        dataset=dataset,
        source_id="K-1",
        alternate_name="こころの電話",
        description="不安やさびしさの相談。",
        languages=["ja", "en", "zh-Hans"],
        minimum_age=15,
        hours_text="平日 9時〜17時",
        closed_days_text="土日祝",
        reservation_required=True,
    )
    with scopes_disabled():
        service.last_verified_by = "verifier@example.jp"
        service.save()
        service.terms.add(
            *TaxonomyTerm.objects.filter(taxonomy_id="tsunagari-attributes", code__in=["free", "anonymous"])
        )
        service.terms.add(*TaxonomyTerm.objects.filter(taxonomy_id="tsunagari-targets", code="youth"))
        for position, (kind, value, label) in enumerate(
            [
                (Channel.Kind.FAX, "0467-23-3001", "FAX"),
                (Channel.Kind.EMAIL, "kokoro@example.jp", "相談メール"),
                (Channel.Kind.LINE, "https://lin.ee/example", "LINE相談"),
                (Channel.Kind.VISIT, "", "来所"),
            ],
            start=1,
        ):
            Channel.objects.create(
                platform=kamakura,
                service=service,
                kind=kind,
                value=value,
                label=label,
                position=position,
                languages=["ja"] if kind == Channel.Kind.FAX else [],
            )
        Schedule.objects.create(
            platform=kamakura,
            service=service,
            byday="MO,TU,WE,TH,FR",
            opens_at=datetime.time(9),
            closes_at=datetime.time(17),
            closed_on_holidays=True,
        )
        Schedule.objects.create(platform=kamakura, service=service, byday="SA,SU", open_24h=True)
        sal = service.service_at_locations.get()
        sal.location.latitude, sal.location.longitude = 35.319225, 139.546687
        sal.location.accessibility = "車いす可"
        sal.location.save()
        Schedule.objects.create(
            platform=kamakura,
            service=service,
            service_at_location=sal,
            byday="WE",
            opens_at=datetime.time(13),
            closes_at=datetime.time(16),
        )
    return service
