"""Finding a person again by exact name + birth date, through the keyed hash only."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from . import crypto
from .models import Person


def find_person(persons: QuerySet[Person], name: str, birth_date: date | None) -> QuerySet[Person]:
    return persons.filter(lookup=crypto.lookup_hash(name, birth_date))
