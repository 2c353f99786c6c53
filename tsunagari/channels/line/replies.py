"""LINE messages for a finder turn: the lines first when at risk, then the windows, then the question."""

from __future__ import annotations

from django.utils.translation import gettext as _
from linebot.v3.messaging import (
    Message,
    PostbackAction,
    QuickReply,
    QuickReplyItem,
    TextMessage,
)

from tsunagari.directory.models import CrisisLine
from tsunagari.finder.dialogue import Turn

# LINE's limits: 5 messages per reply, 5,000 characters a text, 13 quick-reply items, 20-char labels.
MAX_MESSAGES = 5
MAX_TEXT = 5000


def crisis_text(turn: Turn) -> str:
    lines = [_("You are not alone. You can talk to someone right now, for free:")]
    for line in turn.lines:
        parts = [f"■ {line.label}"]
        if line.number:
            parts.append(f"☎ {line.number}")
        if line.availability:
            parts.append(f"（{line.availability}）")
        lines.append(" ".join(parts))
        if line.chat_url:
            lines.append(f"💬 {line.chat_url}")
        elif line.url:
            lines.append(f"🔗 {line.url}")
    lines.append(_("If you are in danger right now, call 110 (police) or 119 (ambulance)."))
    return "\n".join(lines)


def results_text(turn: Turn, base_url: str) -> str:
    if not turn.results:
        return _("No window matched yet. The 24-hour line よりそいホットライン 0120-279-338 takes any worry.")
    out = [_("Places that can help (%(count)s match):") % {"count": turn.matching}]
    for number, result in enumerate(turn.results, start=1):
        service = turn.services.get(result.id)
        if service is None:
            continue
        phones = [c.value for c in service.channels.all() if c.kind == "phone" and c.value]
        out.append(f"{number}. {service.name}")
        out.append(f"   {result.why}")
        if phones:
            out.append(f"   ☎ {phones[0]}")
        out.append(f"   {base_url}/services/{service.pk}/")
    return "\n".join(out)[:MAX_TEXT]


def turn_messages(turn: Turn, base_url: str) -> list[Message]:
    """The reply for one turn; a crisis reply leads with the 24-hour lines."""
    messages: list[Message] = []
    if turn.lines:
        messages.append(TextMessage(text=crisis_text(turn)[:MAX_TEXT]))
    question = turn.question
    body = results_text(turn, base_url)
    if question is None:
        messages.append(TextMessage(text=body))
        return messages[:MAX_MESSAGES]
    prompt = _("%(count)s windows match so far.") % {"count": turn.matching} + "\n" + question.prompt
    items = [
        QuickReplyItem(
            action=PostbackAction(label=label[:20], data=f"q={question.code}&v={value}", display_text=label),
        )
        for value, label in question.options
    ]
    items.append(
        QuickReplyItem(
            action=PostbackAction(
                label=_("Show results")[:20], data=f"q={question.code}&v=skip", display_text=_("Show results")
            ),
        )
    )
    messages.append(TextMessage(text=prompt, quick_reply=QuickReply(items=items[:13])))
    return messages[:MAX_MESSAGES]


def slow_down_messages(lines: list[CrisisLine]) -> list[Message]:
    """Over LINE_RATE: ask the person to wait, and give the 24-hour lines meanwhile."""
    text = _("Many messages arrived in a short time. Please wait a minute, then send your message again.")
    body = [text, _("You can talk to someone right now, for free:")]
    for line in lines:
        body.append(" ".join(part for part in (f"■ {line.label}", f"☎ {line.number}" if line.number else "") if part))
    return [TextMessage(text="\n".join(body)[:MAX_TEXT])]
