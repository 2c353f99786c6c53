"""The served OpenAPI document against the server: schemathesis generates the requests.

Every operation of /api/openapi.json is called with requests generated from the document (valid
ones, and invalid ones that must be refused), through the WSGI application, and each answer is
checked against the document: no server error, status code and content type declared, body and
headers as the response schema says. Bounded (a fixed number of examples per operation, fixed
seed) so that it runs in every CI build.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.conftest import HSDS, shared_data
from tsunagari.directory.models import Service

pytestmark = pytest.mark.django_db

# The official document refers to the HSDS schemas by URL: tests read the same files locally.
SCHEMA_BASE = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
EXAMPLES_PER_OPERATION = 20
# Every check runs on every request, positive_data_acceptance ("a schema-valid request is
# accepted") but for the requests below, which are refused with the declared 400 for a reason no
# JSON Schema can state (docs/api.md). Schema-violating requests are refused everywhere.
TRUE = {"true", "1", "yes"}


def refused_for_a_reason_outside_the_schema(case: Any) -> str | None:
    query = case.query or {}
    if (
        case.path == "/services"
        and str(query.get("minimal")).lower() in TRUE
        and str(query.get("full")).lower() in TRUE
    ):
        return "minimal and full together: a rule between two parameters, which OpenAPI cannot express"
    if case.path == "/service_at_locations" and (query.get("postcode") or query.get("proximity")):
        return (
            "a well-formed postcode that Japan Post's data does not know (no schema lists 120,000 codes), or a"
            " proximity outside latitude/longitude ranges or in metres without a postcode"
        )
    return None


def _inline_remote_refs(node: Any) -> Any:
    """The document with each HSDS schema URL replaced by that schema, read from the data set."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(SCHEMA_BASE):
            path = shared_data(HSDS / "schema" / ref.removeprefix(SCHEMA_BASE))
            schema = json.loads(path.read_text(encoding="utf-8"))
            schema.pop("$schema", None)
            schema.pop("$id", None)
            return _inline_remote_refs(schema)
        return {key: _inline_remote_refs(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline_remote_refs(item) for item in node]
    return node


@pytest.fixture
def api_schema(rich_service: Service, settings: Any) -> Iterator[Any]:
    settings.RATELIMIT_ENABLE = False
    shared_data(HSDS / "schema" / "openapi.json")
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    doc = _inline_remote_refs(json.loads(response.content))
    schema = schemathesis.openapi.from_dict(doc)
    schema.app = get_wsgi_application()
    # The WSGI handler closes "old" database connections at each request's start and end, which in a
    # test (inside a transaction) is the test's own connection; Django's test client turns that off
    # the same way. Without it, every request after the first answered 500 on PostgreSQL.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield schema
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_the_api_answers_as_its_openapi_document_says(api_schema: Any, caplog: Any) -> None:
    failures: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 12
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                derandomize=True,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def call(case: Any) -> None:
                reason = refused_for_a_reason_outside_the_schema(case)
                case.call_and_validate(excluded_checks=[positive_data_acceptance] if reason else [])

            try:
                call()
            except Unsatisfiable:
                continue  # nothing invalid can be generated for this operation (e.g. no parameters)
            except (Exception, BaseExceptionGroup) as error:  # every failure is collected, reported below
                failures.append(f"{operation.label} ({mode.value}): {error}")
    # A server error's own traceback (django.request logs it), not only "500".
    tracebacks = [
        logging.Formatter().formatException(r.exc_info)
        for r in caplog.records
        if r.name == "django.request" and r.exc_info
    ]
    assert not failures, "\n\n".join(failures + tracebacks[:1])
