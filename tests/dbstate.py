"""Every row of every table, to tell whether a request wrote anything at all (isolation probes)."""

from __future__ import annotations

from typing import Any

from django.apps import apps

from tsunagari.tenancy.scoping import scopes_disabled

# Sessions change with every request of a signed-in person; they are not the views' to write.
# The case log records every request to a case page, refused ones included (tsunagari/cases/caselog.py):
# the probes check separately that it never gains a row on the probed platform.
NOT_COMPARED = {"sessions.session", "cases.caselogentry", "cases.caseloghead"}


def database_state() -> dict[str, list[tuple[Any, ...]]]:
    state = {}
    with scopes_disabled():
        for model in apps.get_models():
            label = model._meta.label_lower
            if label in NOT_COMPARED or model._meta.proxy:
                continue
            state[label] = list(model._default_manager.order_by("pk").values_list())
    return state


def rows_by_repr() -> dict[str, dict[str, dict[str, Any]]]:
    """Every row of every table as a dict, keyed by its repr (to diff two snapshots)."""
    state: dict[str, dict[str, dict[str, Any]]] = {}
    with scopes_disabled():
        for model in apps.get_models():
            label = model._meta.label_lower
            if label in NOT_COMPARED or model._meta.proxy:
                continue
            state[label] = {repr(row): row for row in model._default_manager.order_by("pk").values()}
    return state


def touched_on_platform(before: dict[str, Any], after: dict[str, Any], platform_id: int) -> list[str]:
    """Rows of `platform_id` that were added, changed or removed between two `rows_by_repr()` snapshots."""
    touched = []
    for label, rows in after.items():
        old = before.get(label, {})
        for key in set(rows) ^ set(old):
            row = rows.get(key) or old[key]
            if row.get("platform_id") == platform_id:
                touched.append(f"{label}: {row}")
    return touched
