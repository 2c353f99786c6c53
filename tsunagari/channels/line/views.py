"""The LINE Messaging API webhook of one platform: /<slug>/line/webhook.

The signature (X-Line-Signature: base64 HMAC-SHA256 of the body with the channel secret) is
checked by line-bot-sdk's WebhookParser before anything is read; a bad or missing one gets 400
and nothing is processed. Replies go out through the reply API (MessagingApi.reply_message).

Each event is taken once: its `webhookEventId` is stored (LineEvent, shared by every app process)
and an event seen before, or older than LINE_EVENT_MAX_AGE by its own timestamp, is skipped — a
replayed request, even correctly signed, gets no second answer. Messages per LINE user are limited
to LINE_RATE (counters in the shared cache); over it, the person gets the 24-hour lines and a
request to wait, and the finder does not run.

A LINE user's conversation is the web chat's Conversation, found by a hash of the platform and their
user id (`channel_key`), with the same expiry; no LINE id is stored.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from typing import Any
from urllib.parse import parse_qs

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_ratelimit.core import get_usage
from linebot.v3 import WebhookParser
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.messaging import ApiClient, Configuration, MessagingApi, ReplyMessageRequest
from linebot.v3.webhooks import MessageEvent, PostbackEvent, TextMessageContent

from tsunagari.channels.models import LineEvent, line_credentials
from tsunagari.finder import dialogue
from tsunagari.finder.models import Conversation
from tsunagari.finder.safety import lines_for_kinds
from tsunagari.finder.understanding import understand
from tsunagari.tenancy.access import get_public_platform
from tsunagari.tenancy.models import Platform

from .replies import slow_down_messages, turn_messages

logger = logging.getLogger(__name__)

RATE_GROUP = "tsunagari.line"
# LINE redelivers a webhook that failed for a while; anything older than this is not answered.
LINE_EVENT_MAX_AGE = datetime.timedelta(hours=24)


def _user_key(platform: Platform, user_id: str) -> str:
    digest = hashlib.sha256(f"{platform.pk}:{user_id}".encode()).hexdigest()[:32]
    return f"finder:line:{digest}"


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, platform_slug: str) -> HttpResponse:
    platform = get_public_platform(platform_slug)
    credentials = line_credentials(platform)
    if credentials is None:
        raise Http404
    secret, token = credentials
    signature = request.headers.get("X-Line-Signature", "")
    if not signature:
        return HttpResponseBadRequest("missing signature")
    try:
        events = WebhookParser(secret).parse(request.body.decode("utf-8"), signature)
    except (InvalidSignatureError, ValueError, UnicodeDecodeError):
        return HttpResponseBadRequest("bad signature")
    base_url = request.build_absolute_uri(f"/{platform.slug}").rstrip("/")
    LineEvent.objects.forgotten(timezone.now() - LINE_EVENT_MAX_AGE).delete()
    with ApiClient(Configuration(access_token=token)) as client:
        api = MessagingApi(client)
        for event in events:
            if not take_event(event, platform):
                continue
            try:
                messages = event_messages(request, event, platform, base_url)
            except Exception:
                # Not answered: let LINE's redelivery try again.
                LineEvent.objects.filter(pk=event.webhook_event_id).delete()
                raise
            if not messages or not getattr(event, "reply_token", None):
                continue
            api.reply_message(ReplyMessageRequest(reply_token=event.reply_token, messages=messages))
    return HttpResponse("ok")


def take_event(event: Any, platform: Platform, now: datetime.datetime | None = None) -> bool:
    """Whether to answer `event`: not seen before (by webhookEventId) and not older than LINE_EVENT_MAX_AGE."""
    now = now or timezone.now()
    event_id = getattr(event, "webhook_event_id", None)
    sent_at = datetime.datetime.fromtimestamp(event.timestamp / 1000, tz=datetime.UTC)
    if not event_id or sent_at < now - LINE_EVENT_MAX_AGE:
        return False
    try:
        with transaction.atomic():
            LineEvent.objects.create(event_id=event_id, platform=platform, received_at=now)
    except IntegrityError:
        return False
    return True


def event_messages(request: HttpRequest, event: Any, platform: Platform, base_url: str) -> list[Any]:
    """The reply to one event: the finder's turn, or the lines and "please wait" when over LINE_RATE."""
    user_id = getattr(getattr(event, "source", None), "user_id", None) or "anonymous"
    if isinstance(event, MessageEvent | PostbackEvent) and _over_rate(request, platform, user_id):
        text = event.message.text if isinstance(event, MessageEvent) and hasattr(event.message, "text") else ""
        kinds = understand(text).crisis_kinds if text else ()
        return slow_down_messages(lines_for_kinds(kinds or ("general",), platform))
    turn = handle_event(event, platform)
    return [] if turn is None else turn_messages(turn, base_url)


def _over_rate(request: HttpRequest, platform: Platform, user_id: str) -> bool:
    key = _user_key(platform, user_id)
    usage = get_usage(
        request, group=RATE_GROUP, key=lambda _group, _request: key, rate=settings.LINE_RATE, increment=True
    )
    return usage is not None and usage["should_limit"]


def handle_event(event: object, platform: Platform) -> dialogue.Turn | None:
    """The finder's turn for one webhook event; None for events it does not answer (follow, sticker…)."""
    user_id = getattr(getattr(event, "source", None), "user_id", None) or "anonymous"
    key = _user_key(platform, user_id)
    conversation = (
        Conversation.objects.live()
        .filter(platform=platform, channel_key=key)
        .order_by("-created_at")
        .values_list("pk", flat=True)
        .first()
    )
    turn: dialogue.Turn | None = None
    if isinstance(event, PostbackEvent):
        data = parse_qs(event.postback.data)
        question, value = data.get("q", [""])[0], data.get("v", [""])[0]
        if conversation:
            turn = dialogue.answer(conversation, question, value, platform=platform)
    elif isinstance(event, MessageEvent) and isinstance(event.message, TextMessageContent):
        text = event.message.text
        state = dialogue.load(conversation, platform) if conversation else None
        if conversation and state is not None and _awaiting(conversation, state, platform) == "area":
            turn = dialogue.answer(conversation, "area", text, platform=platform)
            # Not a place after all: treat it as a new message.
            if turn is not None and turn.unknown_area:
                turn = None
        if turn is None:
            turn = dialogue.start(text, platform=platform)
    if turn is not None and turn.id:
        Conversation.objects.filter(pk=turn.id).update(channel_key=key)
    return turn


def _awaiting(conversation: str, state: dict[str, Any], platform: Platform) -> str | None:
    from tsunagari.finder.ranking import Candidate, Situation

    question = dialogue.next_question(
        Situation.from_dict(state["situation"]),
        [Candidate.from_dict(item) for item in state["pool"]],
        state["asked"],
        platform,
    )
    return question.code if question else None
