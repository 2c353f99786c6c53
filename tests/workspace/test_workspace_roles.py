"""The Workspace value every view receives: which roles it says a person holds (bench/results/mutation.md)."""

from __future__ import annotations

from typing import Any

import pytest

from tsunagari.accounts.models import Role
from tsunagari.workspace.access import Workspace

pytestmark = pytest.mark.django_db


def test_only_observers_are_read_only(kamakura: Any) -> None:
    assert Workspace(kamakura, frozenset({Role.OBSERVER})).is_read_only
    for role in (Role.COORDINATOR, Role.ORG_ADMIN, Role.ORG_STAFF):
        assert not Workspace(kamakura, frozenset({Role.OBSERVER, role})).is_read_only, role
    assert not Workspace(kamakura, frozenset(), is_superuser=True).is_read_only


def test_a_role_is_held_only_when_given(kamakura: Any) -> None:
    staff = Workspace(kamakura, frozenset({Role.ORG_STAFF}))
    assert staff.has_role(Role.ORG_STAFF, Role.ORG_ADMIN)
    assert not staff.has_role(Role.COORDINATOR)
    assert not staff.is_coordinator
    assert Workspace(kamakura, frozenset(), is_superuser=True).is_coordinator


def test_the_role_labels_are_those_held_in_the_roles_order(kamakura: Any) -> None:
    workspace = Workspace(kamakura, frozenset({Role.ORG_STAFF, Role.COORDINATOR}))
    held = [str(Role(role).label) for role in Role.values if role in {Role.ORG_STAFF, Role.COORDINATOR}]
    assert workspace.role_labels() == held
    assert len(held) == 2
