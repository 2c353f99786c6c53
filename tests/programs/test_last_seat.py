"""Two people taking the last seat at the same moment: one gets it, the other joins the waiting list."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection

from tests.programs.rows import event_fields
from tsunagari.programs import actions
from tsunagari.programs.models import Event, Registration
from tsunagari.tenancy.scoping import platform_scope, scopes_disabled

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_registrations_for_the_last_seat_cannot_both_get_in(kamakura: Any, alice: Any, monkeypatch: Any) -> None:
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:memorydb"):
        pytest.skip("SQLite's shared in-memory test database reports 'table is locked' instead of waiting.")
    with platform_scope(kamakura, with_national=False):
        event = actions.create_event(kamakura, actor=alice, **event_fields(audience="public", capacity=1))

    # Widen the window between locking the event and counting its seats, so that without the lock
    # both requests would count one free seat and both would take it.
    original = Event.accepts_registrations

    def slow(self: Event, now: Any = None) -> bool:
        time.sleep(0.3)
        return original(self, now)

    monkeypatch.setattr(Event, "accepts_registrations", slow)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def take_seat(n: int) -> None:
        try:
            barrier.wait()
            with platform_scope(kamakura, with_national=False):
                actions.register(event, name=f"住民{n}", email=f"r{n}@example.jp")
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=take_seat, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with scopes_disabled():
        statuses = sorted(Registration.objects.filter(event=event).values_list("status", flat=True))
    assert statuses == [Registration.Status.CONFIRMED, Registration.Status.WAITLISTED]
