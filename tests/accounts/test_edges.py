"""The edges of the sign-in rules, written against mutants that survived the suite (bench/results/mutation.md).

Each test pins one boundary or one branch that a mutation run showed no other test noticed: the
account a failure is counted under, the exact idle limit, how often the session is written.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.test import Client, RequestFactory

from tsunagari.accounts.lockout import client_username
from tsunagari.accounts.middleware import LAST_SEEN_KEY

pytestmark = pytest.mark.django_db

# The real time of the run, to the second: a session saved while the clock is moved expires
# SESSION_COOKIE_AGE after the moved time, and the test client reads it back at the real time, so a
# fixed date here failed every run made more than SESSION_COOKIE_AGE after it.
NOW = datetime.datetime.now(datetime.UTC).replace(microsecond=0)


def test_failures_are_counted_under_the_email_lower_cased_and_trimmed() -> None:
    assert client_username(RequestFactory().post("/"), {"email": "  Sam@Example.JP "}) == "sam@example.jp"


def test_after_a_success_the_username_is_turned_back_into_the_accounts_email(sam: Any) -> None:
    # axes resets the count under the name it was counted under: the e-mail, not the username.
    assert client_username(RequestFactory().post("/"), {"username": sam.username}) == "sam@example.jp"
    assert client_username(RequestFactory().post("/"), {"username": "Nobody"}) == "nobody"


def test_without_credentials_the_posted_login_field_names_the_account() -> None:
    factory = RequestFactory()
    assert client_username(factory.post("/", {"login": "Olga@Example.JP"}), None) == "olga@example.jp"
    assert client_username(factory.post("/", {"username": "olga"}), {}) == "olga"
    assert client_username(factory.get("/", {"login": "olga@example.jp"}), None) is None
    assert client_username(factory.post("/"), None) is None


def at(client: Client, moment: datetime.datetime, path: str = "/kamakura/workspace/") -> Any:
    with time_machine.travel(moment, tick=False):
        return client.get(path)


def last_seen(client: Client) -> int | None:
    value: int | None = client.session.get(LAST_SEEN_KEY)
    return value


def test_the_idle_limit_is_exact_to_the_second(client: Client, sam: Any, settings: Any) -> None:
    settings.SESSION_IDLE_MINUTES = 30
    settings.CASES_SESSION_IDLE_MINUTES = 0  # the general limit alone (sam may open case records)
    client.force_login(sam)
    assert at(client, NOW).status_code == 200
    assert at(client, NOW + datetime.timedelta(minutes=30)).status_code == 200  # exactly the limit: still in
    response = at(client, NOW + datetime.timedelta(minutes=60, seconds=1))  # one second past it
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_signing_out_for_idleness_says_why(client: Client, sam: Any, settings: Any) -> None:
    settings.SESSION_IDLE_MINUTES = 30
    client.force_login(sam)
    at(client, NOW)
    response = at(client, NOW + datetime.timedelta(minutes=31))
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "しばらく操作がなかったため、ログアウトしました。もう一度ログインしてください。"
    ]


def test_the_session_is_written_at_most_once_a_minute(client: Client, sam: Any) -> None:
    client.force_login(sam)
    at(client, NOW)
    first = last_seen(client)
    assert first == int(NOW.timestamp())
    # Written in seconds, not through LAST_SEEN_PRECISION: a test that reads the constant would
    # agree with any value of it (the mutation run showed it).
    at(client, NOW + datetime.timedelta(seconds=59))
    assert last_seen(client) == first
    at(client, NOW + datetime.timedelta(seconds=60))
    assert last_seen(client) == first + 60


def test_a_limit_of_zero_turns_the_idle_timeout_off(client: Client, sam: Any, settings: Any) -> None:
    settings.SESSION_IDLE_MINUTES = 0
    settings.CASES_SESSION_IDLE_MINUTES = 0
    client.force_login(sam)
    at(client, NOW)
    assert at(client, NOW + datetime.timedelta(hours=3)).status_code == 200
    assert last_seen(client) is None
