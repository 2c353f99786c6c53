"""The chat on the portal and the finder's workspace page. Views resolve the platform and render a turn."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagari.tenancy.access import get_public_platform
from tsunagari.tenancy.models import Platform
from tsunagari.workspace.access import Workspace, workspace_view

from . import dialogue, stats
from .forms import AnswerForm, MessageForm
from .ranking import need_labels

# Needs offered as taps before anything is typed (the portal's home tiles, shorter).
TAP_NEEDS = frozenset(
    {"mental_health", "loneliness", "money", "housing", "work", "caregiving", "hikikomori", "parenting"}
)


def _render_turn(
    request: HttpRequest, platform: Platform, turn: dialogue.Turn | None, form: MessageForm
) -> HttpResponse:
    return render(
        request,
        "finder/chat.html",
        {
            "platform": platform,
            "lines": _header_lines(platform, turn),
            "turn": turn,
            "form": form,
            "needs_taps": [(code, label) for code, label in need_labels().items() if code in TAP_NEEDS],
        },
    )


def _header_lines(platform: Platform, turn: dialogue.Turn | None) -> list[Any]:
    from tsunagari.directory.models import CrisisLine
    from tsunagari.tenancy.scoping import platform_scope

    with platform_scope(platform):
        return list(CrisisLine.objects.all())


def chat(request: HttpRequest, platform_slug: str) -> HttpResponse:
    """The chat's first page; a POSTed message starts a conversation (works without JavaScript)."""
    platform = get_public_platform(platform_slug)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        turn = dialogue.start(form.cleaned_data["text"], platform=platform)
        return redirect("finder:conversation", platform.slug, turn.id)
    return _render_turn(request, platform, None, form)


def conversation(request: HttpRequest, platform_slug: str, conversation_id: str) -> HttpResponse:
    platform = get_public_platform(platform_slug)
    turn = dialogue.resume(conversation_id, platform=platform)
    if turn is None:
        return _expired(request, platform)
    return _render_turn(request, platform, turn, MessageForm())


@require_POST
def answer(request: HttpRequest, platform_slug: str, conversation_id: str) -> HttpResponse:
    platform = get_public_platform(platform_slug)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return redirect("finder:conversation", platform.slug, conversation_id)
    turn = dialogue.answer(conversation_id, form.cleaned_data["q"], form.cleaned_data["v"], platform=platform)
    if turn is None:
        return _expired(request, platform)
    if turn.unknown_area:
        response = _render_turn(request, platform, turn, MessageForm())
        return response
    return redirect("finder:conversation", platform.slug, conversation_id)


@require_POST
def share(request: HttpRequest, platform_slug: str, conversation_id: str) -> HttpResponse:
    platform = get_public_platform(platform_slug)
    turn = dialogue.resume(conversation_id, platform=platform)
    if turn is None:
        return _expired(request, platform)
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
            out.append(f"{line.label} {line.number} {line.availability}".strip())
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


def _expired(request: HttpRequest, platform: Platform) -> HttpResponse:
    response = _render_turn(request, platform, None, MessageForm())
    response.status_code = 410
    return response


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
