"""The LINE webhook: signed payloads built with line-bot-sdk; only the outbound reply call is faked."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import time
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from linebot.v3 import SignatureValidator
from linebot.v3.messaging import MessagingApi, ReplyMessageRequest
from linebot.v3.webhooks import (
    DeliveryContext,
    MessageEvent,
    PostbackContent,
    PostbackEvent,
    TextMessageContent,
    UserSource,
)

from tests.finder.test_dialogue import ages  # noqa: F401
from tests.finder.test_ranking import windows  # noqa: F401
from tsunagari.channels.models import LineChannel, LineEvent

pytestmark = pytest.mark.django_db
SECRET = "0123456789abcdef0123456789abcdef"
URL = "/kamakura/line/webhook"


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


@pytest.fixture
def line(kamakura: Any) -> LineChannel:
    return LineChannel.objects.create(platform=kamakura, channel_secret=SECRET, access_token="test-token")


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[ReplyMessageRequest]:
    """The replies that would go to LINE: MessagingApi.reply_message records instead of calling out."""
    requests: list[ReplyMessageRequest] = []

    def record(self: MessagingApi, request: ReplyMessageRequest, **kwargs: Any) -> None:
        requests.append(request)

    monkeypatch.setattr(MessagingApi, "reply_message", record)
    return requests


_EVENT_IDS = itertools.count()


def _common() -> dict[str, Any]:
    return {
        "mode": "active",
        "timestamp": int(time.time() * 1000),
        "source": UserSource(type="user", user_id="U" + "1" * 32),
        "webhook_event_id": f"01HXYZ{next(_EVENT_IDS):020d}",
        "delivery_context": DeliveryContext(is_redelivery=False),
        "reply_token": "reply-token-1",
    }


def text_event(text: str) -> MessageEvent:
    return MessageEvent(
        type="message", message=TextMessageContent(type="text", id="1", text=text, quote_token="q"), **_common()
    )


def postback_event(data: str) -> PostbackEvent:
    return PostbackEvent(type="postback", postback=PostbackContent(data=data), **_common())


def body_of(*events: Any) -> str:
    return json.dumps({"destination": "U" + "0" * 32, "events": [event.to_dict() for event in events]})


def sign(body: str, secret: str = SECRET) -> str:
    signature = base64.b64encode(hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()).decode()
    assert SignatureValidator(secret).validate(body, signature)
    return signature


def post(client: Client, body: str, signature: str | None) -> Any:
    headers = {"HTTP_X_LINE_SIGNATURE": signature} if signature is not None else {}
    return client.post(URL, body, content_type="application/json", **headers)


def texts(request: ReplyMessageRequest) -> list[str]:
    return [message.text for message in request.messages]


def test_a_bad_or_missing_signature_is_refused_and_nothing_is_processed(
    client: Client, line: LineChannel, sent: list[Any]
) -> None:
    body = body_of(text_event("お金がない"))
    assert post(client, body, None).status_code == 400
    assert post(client, body, sign(body, "another-secret-another-secret-xx")).status_code == 400
    assert post(client, body + " ", sign(body)).status_code == 400
    assert sent == []


def test_a_crisis_reply_leads_with_the_24_hour_lines(client: Client, line: LineChannel, sent: list[Any]) -> None:
    body = body_of(text_event("もう消えたい"))
    assert post(client, body, sign(body)).status_code == 200
    [request] = sent
    assert request.reply_token == "reply-token-1"
    first = texts(request)[0]
    assert "0120-279-338" in first and "0570-064-556" in first


def test_follow_up_questions_come_as_quick_replies_and_postbacks_answer_them(
    client: Client,
    line: LineChannel,
    sent: list[Any],
    ages: None,  # noqa: F811
) -> None:
    body = body_of(text_event("家族が部屋から出てこない"))
    assert post(client, body, sign(body)).status_code == 200
    last = sent[-1].messages[-1]
    assert last.quick_reply is not None
    data = [item.action.data for item in last.quick_reply.items]
    assert all(value.startswith("q=") for value in data)
    skip = next(value for value in data if value.endswith("v=skip"))
    body = body_of(postback_event(skip))
    assert post(client, body, sign(body)).status_code == 200
    final = sent[-1].messages[-1]
    assert final.quick_reply is None
    assert "/kamakura/services/" in final.text


def test_credentials_can_come_from_the_environment(
    client: Client, kamakura: Any, sent: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINE_KAMAKURA_SECRET", SECRET)
    monkeypatch.setenv("LINE_KAMAKURA_TOKEN", "env-token")
    body = body_of(text_event("お金がない"))
    assert post(client, body, sign(body)).status_code == 200
    assert len(sent) == 1


def test_a_platform_without_line_has_no_webhook(client: Client, kamakura: Any) -> None:
    body = body_of(text_event("お金がない"))
    assert post(client, body, sign(body)).status_code == 404


def test_a_replayed_event_is_answered_once(client: Client, line: LineChannel, sent: list[Any]) -> None:
    body = body_of(text_event("お金がない"))
    assert post(client, body, sign(body)).status_code == 200
    assert post(client, body, sign(body)).status_code == 200  # the same signed request again
    assert len(sent) == 1
    assert LineEvent.objects.count() == 1


def test_an_event_older_than_a_day_is_not_answered(client: Client, line: LineChannel, sent: list[Any]) -> None:
    event = text_event("お金がない")
    event.timestamp = int(time.time() * 1000) - 25 * 3600 * 1000
    body = body_of(event)
    assert post(client, body, sign(body)).status_code == 200
    assert sent == []


def test_an_event_that_failed_can_be_redelivered(
    client: Client, line: LineChannel, sent: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tsunagari.channels.line import views

    body = body_of(text_event("お金がない"))

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(views, "handle_event", broken)
    with pytest.raises(RuntimeError):
        post(client, body, sign(body))
    monkeypatch.undo()
    monkeypatch.setattr(MessagingApi, "reply_message", lambda self, request, **kwargs: sent.append(request))
    assert post(client, body, sign(body)).status_code == 200
    assert len(sent) == 1


def test_messages_over_the_line_rate_get_the_lines_and_a_wait(
    client: Client, line: LineChannel, sent: list[Any], settings: Any
) -> None:
    settings.LINE_RATE = "2/m"
    for text in ("お金がない", "仕事がない", "もう消えたい"):
        body = body_of(text_event(text))
        assert post(client, body, sign(body)).status_code == 200
    assert len(sent) == 3
    [limited] = texts(sent[-1])
    assert "1分ほど待って" in limited
    assert "0120-279-338" in limited
