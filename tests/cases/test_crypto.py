"""Field encryption (issue 11 item 1): round trip, rotation, no plaintext in the database, lookup."""

from __future__ import annotations

import stat
from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from tsunagari.cases import crypto
from tsunagari.cases.lookup import find_person
from tsunagari.cases.models import Person
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db

NAME = "鎌倉 花子"
BIRTH = date(1961, 4, 2)


def raw_row(person: Person) -> tuple[str, str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, birth_date, note FROM cases_person WHERE id = %s", [person.pk])
        return cursor.fetchone()


@pytest.fixture
def person(kamakura: Any, kamakura_council: Any) -> Person:
    with scopes_disabled():
        return Person.objects.create(
            platform=kamakura, name=NAME, birth_date=BIRTH, note="夜間に不安が強い", registered_by=kamakura_council
        )


def test_round_trip(person: Person) -> None:
    with scopes_disabled():
        again = Person.objects.get(pk=person.pk)
    assert (again.name, again.birth_date, again.note) == (NAME, BIRTH, "夜間に不安が強い")


def test_no_plaintext_in_the_database(person: Person) -> None:
    name, birth, note = raw_row(person)
    for stored in (name, birth, note):
        assert stored.startswith("gcm1:k1:")
    joined = name + birth + note
    assert "花子" not in joined and "1961" not in joined and "不安" not in joined
    assert person.lookup not in joined and len(person.lookup) == 64


def test_values_are_bound_to_their_column(person: Person) -> None:
    """A ciphertext copied into another column does not open (associated data = the column)."""
    name, _, _ = raw_row(person)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_person SET note = %s WHERE id = %s", [name, person.pk])
    with scopes_disabled(), pytest.raises(crypto.DecryptionError):
        Person.objects.get(pk=person.pk)


def test_tampering_is_detected(person: Person) -> None:
    name, _, _ = raw_row(person)
    flipped = name[:-3] + ("A" if name[-3] != "A" else "B") + name[-2:]
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(flipped, context="cases.person.name")


def test_rotation_reencrypts_with_the_new_key(person: Person, settings: Any, case_keys: dict[str, str]) -> None:
    # A new key first, the old one after it: old values still open.
    settings.CASES_FIELD_KEYS = f"k2:{crypto.new_key()},{case_keys['field']}"
    with scopes_disabled():
        assert Person.objects.get(pk=person.pk).name == NAME
    assert raw_row(person)[0].startswith("gcm1:k1:")
    out = StringIO()
    call_command("reencrypt_cases", stdout=out)
    assert "cases.Person: 1 rows sealed with key k2" in out.getvalue()
    assert all(value.startswith("gcm1:k2:") for value in raw_row(person))
    # The old key can go now.
    settings.CASES_FIELD_KEYS = settings.CASES_FIELD_KEYS.split(",")[0]
    with scopes_disabled():
        again = Person.objects.get(pk=person.pk)
    assert (again.name, again.birth_date) == (NAME, BIRTH)


def test_a_removed_key_no_longer_opens(person: Person, settings: Any) -> None:
    settings.CASES_FIELD_KEYS = f"k2:{crypto.new_key()}"
    with scopes_disabled(), pytest.raises(crypto.DecryptionError):
        Person.objects.get(pk=person.pk)


def test_exact_lookup_by_name_and_birth_date(person: Person, kamakura: Any) -> None:
    with scopes_disabled():
        persons = Person.objects.filter(platform=kamakura)
        # Spaces and full-width forms do not matter; anything else does.
        assert list(find_person(persons, "鎌倉花子", BIRTH)) == [person]
        assert list(find_person(persons, "鎌倉　花子", BIRTH)) == [person]
        assert not find_person(persons, "鎌倉 花子", date(1961, 4, 3)).exists()
        assert not find_person(persons, "鎌倉 花", BIRTH).exists()


def test_lookup_key_rotation_recomputes_hashes(person: Person, settings: Any, kamakura: Any) -> None:
    settings.CASES_LOOKUP_KEY = crypto.new_key()
    with scopes_disabled():
        assert not find_person(Person.objects.filter(platform=kamakura), NAME, BIRTH).exists()
        call_command("reencrypt_cases", stdout=StringIO())
        assert list(find_person(Person.objects.filter(platform=kamakura), NAME, BIRTH)) == [person]


def test_demo_key_file_is_random_private_and_made_once(settings: Any, tmp_path: Any) -> None:
    settings.CASES_FIELD_KEYS = settings.CASES_LOOKUP_KEY = ""
    settings.DATA_DIR = tmp_path
    first = crypto.keyring()
    key_file = tmp_path / crypto.KEY_FILE_NAME
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    crypto._cache.clear()
    assert crypto.keyring() == first
    assert settings.SECRET_KEY.encode() not in key_file.read_bytes()


def test_production_refuses_without_keys(settings: Any) -> None:
    settings.CASES_FIELD_KEYS = settings.CASES_LOOKUP_KEY = ""
    settings.PRODUCTION = True
    with pytest.raises(ImproperlyConfigured):
        crypto.keyring()


def test_bad_key_list_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured):
        crypto.parse_keyring("k1:c2hvcnQ=", crypto.new_key())
    with pytest.raises(ImproperlyConfigured):
        crypto.parse_keyring(f"k1:{crypto.new_key()},k1:{crypto.new_key()}", crypto.new_key())
