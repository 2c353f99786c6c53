"""Public event pages on the portal: what is on, registering, a resident's own registration, iCalendar.

Only public events (audience PUBLIC, published or cancelled) exist here; meetings, workshops and
members' events are answered with 404 like anything else that is not public. Residents register
with a name and an e-mail address or a telephone number, nothing more; the form is protected by
CSRF and limited per client address.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_ratelimit.core import get_usage, is_ratelimited

from tsunagari.directory.crisis import crisis_lines
from tsunagari.tenancy.access import get_public_platform
from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import platform_scope

from . import actions, ical
from .access import get_public_event, public_events
from .forms import ResidentRegistrationForm
from .models import Event, Registration


def _context(platform: Platform, **extra: object) -> dict[str, object]:
    return {"platform": platform, "lines": crisis_lines(), **extra}


def event_list(request: HttpRequest, platform_slug: str) -> HttpResponse:
    """The platform's coming public events."""
    platform = get_public_platform(platform_slug)
    with platform_scope(platform):
        events = public_events(platform).upcoming().order_by("starts_at", "pk")
        return render(request, "programs/portal/event_list.html", _context(platform, events=events))


def _detail(request: HttpRequest, platform: Platform, event: Event, form: ResidentRegistrationForm) -> HttpResponse:
    return render(
        request,
        "programs/portal/event_detail.html",
        _context(
            platform,
            event=event,
            form=form,
            open=event.accepts_registrations(),
            seats_left=event.seats_left(),
            ended=event.ends_at < timezone.now(),
        ),
        status=400 if form.is_bound else 200,
    )


@never_cache
def event_detail(request: HttpRequest, platform_slug: str, event_id: int) -> HttpResponse:
    """A public event; residents register here (a place, or the waiting list when it is full)."""
    platform = get_public_platform(platform_slug)
    with platform_scope(platform):
        event = get_public_event(platform, event_id)
        form = ResidentRegistrationForm(request.POST or None)
        if request.method != "POST":
            return _detail(request, platform, event, form)
        if is_ratelimited(
            request,
            group="programs.register",
            key="ip",
            rate=settings.EVENT_REGISTRATION_RATE,
            method="POST",
            increment=True,
        ):
            return render(request, "programs/portal/too_many.html", _context(platform), status=429)
        if not form.is_valid():
            return _detail(request, platform, event, form)
        if _seats_taken_from_here(request, event, increment=False):
            return render(request, "programs/portal/too_many.html", _context(platform), status=429)
        try:
            registration = actions.register(event, **form.cleaned_data)
            _seats_taken_from_here(request, event, increment=True)
        except actions.RegistrationClosedError:
            form.add_error(None, _("Registration for this event is closed."))
            return _detail(request, platform, event, form)
        except actions.AlreadyRegisteredError:
            # Say no more than that: the page must not tell a stranger who registered.
            form.add_error(
                "email",
                _("This e-mail address is already registered for this event. Look for our e-mail to see or cancel it."),
            )
            return _detail(request, platform, event, form)
        return redirect("events:registration", platform.slug, actions.registration_token(registration))


def _seats_taken_from_here(request: HttpRequest, event: Event, *, increment: bool) -> bool:
    """Whether this client address has registered EVENT_SEATS_PER_ADDRESS people for this event already.

    Counts registrations made, not attempts, so a resident who mistypes is never locked out. The
    seats of one event cannot be taken with made-up names from one address; see docs/workspace.md
    for why this limit rather than a confirmation by e-mail.
    """
    usage = get_usage(
        request,
        group=f"programs.seats.{event.pk}",
        key="ip",
        rate=settings.EVENT_SEATS_PER_ADDRESS,
        method="POST",
        increment=increment,
    )
    return usage is not None and usage["count"] >= usage["limit"]


@never_cache
def registration(request: HttpRequest, platform_slug: str, token: str) -> HttpResponse:
    """A resident's own registration, reached by the link we e-mailed (and shown right after registering)."""
    platform = get_public_platform(platform_slug)
    registration_id = actions.registration_from_token(token)
    if registration_id is None:
        raise Http404
    with platform_scope(platform):
        found: Registration = get_object_or_404(
            Registration.objects.filter(platform=platform, user__isnull=True).select_related("event"),
            pk=registration_id,
        )
        if request.method == "POST" and found.is_live:
            actions.cancel_registration(found)
            messages.success(request, _("Your registration is cancelled."))
            return redirect(request.path)
        return render(
            request,
            "programs/portal/registration.html",
            _context(
                platform,
                registration=found,
                event=found.event,
                can_cancel=found.is_live and found.event.ends_at > timezone.now(),
                event_url=reverse("events:detail", args=[platform.slug, found.event_id]),
            ),
        )


def _ics(body: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "public, max-age=900"
    return response


def _item(request: HttpRequest, platform: Platform, event: Event) -> ical.CalendarEvent:
    url = request.build_absolute_uri(reverse("events:detail", args=[platform.slug, event.pk]))
    # The online link of a public event goes only to people who registered (in their e-mail).
    return ical.CalendarEvent(event, url, show_online_link=False)


def event_ics(request: HttpRequest, platform_slug: str, event_id: int) -> HttpResponse:
    platform = get_public_platform(platform_slug)
    with platform_scope(platform):
        event = get_public_event(platform, event_id)
        return _ics(ical.calendar([_item(request, platform, event)], name=platform.name), f"event-{event.pk}.ics")


def calendar_ics(request: HttpRequest, platform_slug: str) -> HttpResponse:
    """The platform's public events as a feed that calendar apps can subscribe to."""
    platform = get_public_platform(platform_slug)
    with platform_scope(platform):
        since = timezone.now() - datetime.timedelta(days=90)
        events = public_events(platform).filter(ends_at__gte=since)
        items = [_item(request, platform, event) for event in events]
        return _ics(ical.calendar(items, name=platform.name), f"{platform.slug}-events.ics")
