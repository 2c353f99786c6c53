"""The LINE Messaging API webhook of one platform: /<slug>/line/webhook.

The signature (X-Line-Signature: base64 HMAC-SHA256 of the body with the channel secret) is
checked by line-bot-sdk's WebhookParser before anything is read; a bad or missing one gets 400
and nothing is processed. Replies go out through the reply API (MessagingApi.reply_message).

A LINE user's conversation id is kept in the cache under a hash of their user id, so the same
expiry as the web chat applies and no LINE id is stored in the database.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any
from urllib.parse import parse_qs

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from linebot.v3 import WebhookParser
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.messaging import ApiClient, Configuration, MessagingApi, ReplyMessageRequest
from linebot.v3.webhooks import MessageEvent, PostbackEvent, TextMessageContent

from tsunagari.channels.models import line_credentials
from tsunagari.finder import dialogue
from tsunagari.tenancy.access import get_public_platform
from tsunagari.tenancy.models import Platform

from .replies import turn_messages

logger = logging.getLogger(__name__)


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
    with ApiClient(Configuration(access_token=token)) as client:
        api = MessagingApi(client)
        for event in events:
            turn = handle_event(event, platform)
            if turn is None or not getattr(event, "reply_token", None):
                continue
            api.reply_message(
                ReplyMessageRequest(
                    reply_token=event.reply_token,
                    messages=turn_messages(turn, base_url),
                )
            )
    return HttpResponse("ok")


def handle_event(event: object, platform: Platform) -> dialogue.Turn | None:
    """The finder's turn for one webhook event; None for events it does not answer (follow, sticker…)."""
    user_id = getattr(getattr(event, "source", None), "user_id", None) or "anonymous"
    key = _user_key(platform, user_id)
    conversation = cache.get(key)
    turn: dialogue.Turn | None = None
    if isinstance(event, PostbackEvent):
        data = parse_qs(event.postback.data)
        question, value = data.get("q", [""])[0], data.get("v", [""])[0]
        if conversation:
            turn = dialogue.answer(conversation, question, value, platform=platform)
    elif isinstance(event, MessageEvent) and isinstance(event.message, TextMessageContent):
        text = event.message.text
        state = dialogue.load(conversation, platform) if conversation else None
        awaiting_area = state is not None and _awaiting(conversation, state, platform) == "area"
        if awaiting_area:
            turn = dialogue.answer(conversation, "area", text, platform=platform)
            # Not a place after all: treat it as a new message.
            if turn is not None and turn.unknown_area:
                turn = None
        if turn is None:
            turn = dialogue.start(text, platform=platform)
    if turn is not None and turn.id:
        cache.set(key, turn.id, dialogue.chat_ttl())
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
