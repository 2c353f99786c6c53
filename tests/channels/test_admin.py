"""The LINE channel's secret and token in the admin: replaceable, never shown (issue 10 item 8)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.accounts.personas import root  # noqa: F401
from tsunagari.channels.models import LineChannel

pytestmark = pytest.mark.django_db

SECRET = "0123456789abcdef0123456789abcdef"
TOKEN = "T" * 150 + "tokn"


@pytest.fixture
def channel(kamakura: Any) -> LineChannel:
    return LineChannel.objects.create(platform=kamakura, channel_secret=SECRET, access_token=TOKEN)


def change_url(channel: LineChannel) -> str:
    return f"/admin/tsunagari_channels/linechannel/{channel.pk}/change/"


def test_the_secret_and_token_never_reach_the_browser(
    client: Client, request: pytest.FixtureRequest, channel: LineChannel
) -> None:
    client.force_login(request.getfixturevalue("root"))
    for url in (change_url(channel), "/admin/tsunagari_channels/linechannel/"):
        body = client.get(url).content.decode()
        assert SECRET not in body and SECRET[:-4] not in body
        assert TOKEN not in body and "T" * 20 not in body
    body = client.get(change_url(channel)).content.decode()
    assert 'type="password"' in body
    assert "…cdef" in body  # the last four, to tell which value is stored


def post(client: Client, channel: LineChannel, **fields: str) -> Any:
    data = {"platform": channel.pk, "enabled": "on", "channel_secret": "", "access_token": "", **fields}
    return client.post(change_url(channel), data)


def test_an_empty_box_keeps_the_stored_value(
    client: Client, request: pytest.FixtureRequest, channel: LineChannel
) -> None:
    client.force_login(request.getfixturevalue("root"))
    assert post(client, channel).status_code == 302
    channel.refresh_from_db()
    assert (channel.channel_secret, channel.access_token) == (SECRET, TOKEN)


def test_a_new_value_replaces_and_the_box_clears(
    client: Client, request: pytest.FixtureRequest, channel: LineChannel
) -> None:
    client.force_login(request.getfixturevalue("root"))
    assert post(client, channel, channel_secret="f" * 32).status_code == 302
    channel.refresh_from_db()
    assert (channel.channel_secret, channel.access_token) == ("f" * 32, TOKEN)
    assert post(client, channel, clear_secrets="on").status_code == 302
    channel.refresh_from_db()
    assert (channel.channel_secret, channel.access_token) == ("", "")
