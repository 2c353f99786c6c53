"""The chat on the portal and the finder's workspace page. Views resolve the platform and render a turn."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_ratelimit.core import get_usage

from tsunagari.audit.log import record
from tsunagari.directory.taxonomy import term_label, term_rows
from tsunagari.tenancy.access import get_public_platform
from tsunagari.tenancy.models import Platform
from tsunagari.workspace.access import Workspace, workspace_view

from . import dialogue, stats
from .forms import AnswerForm, MessageForm
from .models import Conversation, FinderSettings, SavedText
from .ranking import need_labels
from .retention import saved_text_cutoff
from .safety import lines_for_kinds
from .understanding import understand

# Needs offered as taps before anything is typed (the portal's home tiles, shorter).
TAP_NEEDS = frozenset(
    {"mental_health", "loneliness", "money", "housing", "work", "caregiving", "hikikomori", "parenting"}
)


RATE_GROUP = "tsunagari.chat"


def _render_turn(
    request: HttpRequest,
    platform: Platform,
    turn: dialogue.Turn | None,
    form: MessageForm,
    *,
    notice: str = "",
    notice_lines: list[Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "finder/chat.html",
        {
            "platform": platform,
            "lines": _header_lines(platform, turn),
            "turn": turn,
            "form": form,
            # (words sent, label shown): the finder reads the Japanese label whatever the page's language.
            "needs_taps": [
                (row["label_ja"], label)
                for row, label in ((row, term_label(row)) for row in term_rows("needs.tsv"))
                if row["code"] in TAP_NEEDS
            ],
            "keeps_text": FinderSettings.stores_text(platform),
            "retention_days": settings.SAVED_TEXT_RETENTION_DAYS,
            "notice": notice,
            "notice_turn": {"lines": notice_lines or []},
        },
        status=status,
    )


def _header_lines(platform: Platform, turn: dialogue.Turn | None) -> list[Any]:
    from tsunagari.directory.crisis import crisis_lines
    from tsunagari.tenancy.scoping import platform_scope

    with platform_scope(platform):
        return crisis_lines()


@never_cache  # Back after the quick exit must not bring back the conversation.
def chat(request: HttpRequest, platform_slug: str) -> HttpResponse:
    """The chat's first page; a POSTed message starts a conversation (works without JavaScript)."""
    platform = get_public_platform(platform_slug)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        usage = get_usage(request, group=RATE_GROUP, key="ip", rate=settings.CHAT_RATE, method="POST", increment=True)
        if usage is not None and usage["should_limit"]:
            return _slow_down(request, platform, form, text, retry_after=max(int(usage["time_left"]), 1))
        turn = dialogue.start(text, platform=platform)
        return redirect("finder:conversation", platform.slug, turn.id)
    return _render_turn(request, platform, None, form)


def _slow_down(
    request: HttpRequest, platform: Platform, form: MessageForm, text: str, retry_after: int
) -> HttpResponse:
    """Over CHAT_RATE: keep the text in the box and still show the lines that fit it (only the safety check runs)."""
    kinds = understand(text).crisis_kinds
    response = _render_turn(
        request,
        platform,
        None,
        form,
        notice=_(
            "Too many messages were sent from this connection. Your text is still in the box: please send it "
            "again in about %(seconds)s seconds. You can call one of the lines below right now."
        )
        % {"seconds": retry_after},
        notice_lines=lines_for_kinds(kinds or ("general",), platform),
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


@never_cache
def conversation(request: HttpRequest, platform_slug: str, conversation_id: str) -> HttpResponse:
    platform = get_public_platform(platform_slug)
    turn = dialogue.resume(conversation_id, platform=platform)
    if turn is None:
        return _expired(request, platform, conversation_id)
    return _render_turn(request, platform, turn, MessageForm())


@require_POST
def answer(request: HttpRequest, platform_slug: str, conversation_id: str) -> HttpResponse:
    platform = get_public_platform(platform_slug)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return redirect("finder:conversation", platform.slug, conversation_id)
    turn = dialogue.answer(conversation_id, form.cleaned_data["q"], form.cleaned_data["v"], platform=platform)
    if turn is None:
        return _expired(request, platform, conversation_id)
    if turn.unknown_area:
        response = _render_turn(request, platform, turn, MessageForm())
        return response
    return redirect("finder:conversation", platform.slug, conversation_id)


@require_POST
def share(request: HttpRequest, platform_slug: str, conversation_id: str) -> HttpResponse:
    platform = get_public_platform(platform_slug)
    turn = dialogue.resume(conversation_id, platform=platform)
    if turn is None:
        return _expired(request, platform, conversation_id)
    return redirect("finder:shared", platform.slug, dialogue.share(turn))


def _shared(platform_slug: str, token: str) -> tuple[Platform, dialogue.Turn]:
    platform = get_public_platform(platform_slug)
    turn = dialogue.shared_turn(token, platform=platform)
    if turn is None:
        raise Http404
    return platform, turn


def shared(request: HttpRequest, platform_slug: str, token: str) -> HttpResponse:
    platform, turn = _shared(platform_slug, token)
    path = f"/{platform.slug}/chat/r/{token}/"
    return render(
        request,
        "finder/shared.html",
        {
            "platform": platform,
            "lines": _header_lines(platform, turn),
            "turn": turn,
            "token": token,
            "share_url": request.build_absolute_uri(path),
            "qr_path": path,
        },
    )


def shared_print(request: HttpRequest, platform_slug: str, token: str) -> HttpResponse:
    platform, turn = _shared(platform_slug, token)
    path = f"/{platform.slug}/chat/r/{token}/"
    return render(
        request,
        "finder/print.html",
        {"platform": platform, "turn": turn, "share_url": request.build_absolute_uri(path), "qr_path": path},
    )


def shared_text(request: HttpRequest, platform_slug: str, token: str) -> HttpResponse:
    """Plain text, for screen readers, read-aloud and copying into a message."""
    _platform, turn = _shared(platform_slug, token)
    return HttpResponse(plain_text(turn), content_type="text/plain; charset=utf-8")


def plain_text(turn: dialogue.Turn) -> str:
    out: list[str] = []
    if turn.lines:
        out.append(_("You can talk to someone right now:"))
        for line in turn.lines:
            out.append(f"{line.shown_label} {line.number} {line.shown_availability}".strip())
        out.append("")
    out.append(_("Places that can help:"))
    for number, result in enumerate(turn.results, start=1):
        service = turn.services.get(result.id)
        if service is None:
            continue
        out.append(f"{number}. {service.name}")
        out.append(result.why)
        for channel in service.channels.all():
            if channel.value:
                out.append(f"{channel.get_kind_display()}: {channel.value}")
        out.append("")
    return "\n".join(out).strip() + "\n"


def _expired(request: HttpRequest, platform: Platform, conversation_id: str) -> HttpResponse:
    """A conversation that is over: say so, show the lines (those it was about, if still known), ask again."""
    ended = Conversation.objects.filter(pk=conversation_id, platform=platform).only("state").first()
    kinds = tuple(ended.state["situation"].get("crisis_kinds", ())) if ended is not None else ()
    return _render_turn(
        request,
        platform,
        None,
        MessageForm(),
        notice=_(
            "This conversation has ended: to protect your privacy, what the chat understood is deleted "
            "%(minutes)s minutes after the last answer. Please write again what you are going through. "
            "You can also call one of the lines below right now."
        )
        % {"minutes": dialogue.chat_ttl() // 60},
        notice_lines=lines_for_kinds(kinds or ("general",), platform),
        status=410,
    )


@workspace_view(roles=["coordinator", "observer"])
def need_chart(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    """What residents asked about over the last 30 days: counts only, as a bar chart."""
    totals = stats.need_totals(workspace.platform)
    chart = stats.bars(totals)
    return render(
        request,
        "finder/need_chart.html",
        {"platform": workspace.platform, "workspace": workspace, "bars": chart, "height": max(24, 24 * len(chart))},
    )


# The reader shows the newest texts first, this many at most (the rest wait for the purge).
SAVED_TEXTS_SHOWN = 500


@never_cache
@workspace_view(roles=["coordinator"])
def saved_texts(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    """The residents' own words this platform keeps (by its opt-in), newest first; each reading is audited."""
    platform = workspace.platform
    kept = SavedText.objects.filter(platform=platform, created_at__gte=saved_text_cutoff())
    texts = list(kept[:SAVED_TEXTS_SHOWN])
    record("finder.saved_texts_read", platform=platform, changes={"texts": len(texts)}, object_type="finder.savedtext")
    return render(
        request,
        "finder/saved_texts.html",
        {
            "platform": platform,
            "workspace": workspace,
            "texts": texts,
            "total": kept.count(),
            "shown_max": SAVED_TEXTS_SHOWN,
            "store_text": FinderSettings.stores_text(platform),
            "retention_days": settings.SAVED_TEXT_RETENTION_DAYS,
            "labels": need_labels(),
        },
    )
