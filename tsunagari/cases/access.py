"""Who sees a person: only organisations holding an active referral, case-meeting grant or consent.

Case pages are for member organisations' people (administrators and staff) with two-factor
authentication and a valid confidentiality pledge (tsunagari.councils). Everyone else — coordinators, observers, superusers, other organisations, other
platforms, former members — gets 404, as for a record that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.cache import patch_cache_control

from tsunagari.accounts.models import ORGANISATION_ROLES, Membership
from tsunagari.workspace.access import Workspace, workspace_view

from . import caselog
from .models import (
    ITEMS,
    RECEIVER_HOLDS,
    SENDER_HOLDS,
    CaseMeeting,
    MeetingParticipant,
    Person,
    PersonAttachment,
    ProvisionRecord,
    Referral,
    Status,
)

# Whether a person has signed a valid confidentiality pledge on a platform. tsunagari.councils (built
# on this app) registers it when it starts; until then nobody passes: missing the check fails closed.
_pledge_checks: list[Callable[[Any, Any], bool]] = []


def register_pledge_check(check: Callable[[Any, Any], bool]) -> None:
    if check not in _pledge_checks:
        _pledge_checks.append(check)


def has_valid_pledge(user: Any, platform: Any) -> bool:
    return bool(_pledge_checks) and all(check(user, platform) for check in _pledge_checks)


# The councils (支援会議, 地域協議会) under which `user` may share from one organisation with another
# without the person's consent: registered by tsunagari.councils, like the pledge check. Without it,
# no council basis is offered (fails closed).
_council_basis_checks: list[Callable[[Any, Any, Any, Any], frozenset[str]]] = []


def register_council_bases(check: Callable[[Any, Any, Any, Any], frozenset[str]]) -> None:
    if check not in _council_basis_checks:
        _council_basis_checks.append(check)


def council_bases(user: Any, platform: Any, sender_id: Any, receiver_id: Any) -> frozenset[str]:
    """The council bases (models.Basis values) `user` may refer from `sender_id` to `receiver_id` under."""
    found: set[str] = set()
    for check in _council_basis_checks:
        found |= check(user, platform, sender_id, receiver_id)
    return frozenset(found)


def case_organisations(user: Any, workspace: Workspace) -> frozenset[Any]:
    """The organisations through which `user` works on cases on this platform (now, not formerly)."""
    return frozenset(
        Membership.objects.filter(
            user=user, platform=workspace.platform, role__in=ORGANISATION_ROLES, organization__isnull=False
        ).values_list("organization_id", flat=True)
    )


def _own_right(orgs: frozenset[Any], today: date) -> Q:
    active_consent = Q(consents__organization__in=orgs, consents__withdrawn_at__isnull=True) & (
        Q(consents__expires_on__isnull=True) | Q(consents__expires_on__gte=today)
    )
    holds_referral = Q(referrals__sender__in=orgs, referrals__status__in=SENDER_HOLDS) | Q(
        referrals__receiver__in=orgs, referrals__status__in=RECEIVER_HOLDS
    )
    return active_consent | holds_referral


def visible_persons(orgs: frozenset[Any], platform_id: int, today: date) -> QuerySet[Person]:
    """Persons `orgs` hold by consent or referral, or see as participants of a case meeting (until its end).

    The organiser's own organisation gets no grant from its meeting: it holds the person in its own
    right or not at all (a withdrawn consent ends its access, meeting or not).
    """
    granting = (
        MeetingParticipant.objects.filter(organization__in=orgs, meeting__access_until__gte=today)
        .exclude(meeting__organizer__in=orgs)
        .values("meeting_id")
    )
    meeting_grant = Q(meetings__in=granting)
    return Person.objects.filter(platform_id=platform_id).filter(_own_right(orgs, today) | meeting_grant).distinct()


def held_persons(orgs: frozenset[Any], platform_id: int, today: date) -> QuerySet[Person]:
    """Persons `orgs` hold in their own right (consent, referral): only these may be put on an agenda.

    A person seen through a meeting grant cannot be passed on to another meeting by the recipient.
    """
    return Person.objects.filter(platform_id=platform_id).filter(_own_right(orgs, today)).distinct()


def visible_meetings(orgs: frozenset[Any], platform_id: int, today: date) -> QuerySet[CaseMeeting]:
    """The organiser sees its meetings; participating organisations while the grant lasts."""
    return (
        CaseMeeting.objects.filter(platform_id=platform_id)
        .filter(Q(organizer__in=orgs) | Q(participants__organization__in=orgs, access_until__gte=today))
        .distinct()
    )


def visible_referrals(orgs: frozenset[Any], platform_id: int) -> QuerySet[Referral]:
    """The sender sees its referrals; the receiver from the request on, and nothing once it rejected."""
    receiver_states = {*RECEIVER_HOLDS, Status.REQUESTED, Status.COMPLETED, Status.FAILED}
    return Referral.objects.filter(platform_id=platform_id).filter(
        Q(sender__in=orgs) | Q(receiver__in=orgs, status__in=receiver_states)
    )


def seen_items(person: Person, orgs: frozenset[Any]) -> frozenset[str]:
    """The person's items (models.ITEMS codes) `orgs` may see and pass on, once they see the person at all.

    The registering organisation entered the record: all of it. Any other saw only what was provided
    to it (its provision records: a referral's chosen items, a meeting's), and always the name, which
    every disclosure carries. Pages, downloads and the disclosure file show no more; a referral or
    meeting onwards passes on no more.
    """
    if person.registered_by_id in orgs:
        return frozenset(ITEMS)
    provided: set[str] = {"name"}
    for items in ProvisionRecord.objects.filter(person=person, recipient__in=orgs).values_list("items", flat=True):
        provided.update(items)
    return frozenset(provided)


def seen_attachments(person: Person, orgs: frozenset[Any]) -> QuerySet[PersonAttachment]:
    """The person's files `orgs` may open: their own, and those provided to them by a referral with files.

    A referral providing "attachments" gives the sender's files of the person as they were when the
    receiver accepted (the provision's date); files added later were not provided.
    """
    provided = Q(organization__in=orgs)
    for provider_id, provided_at, items in ProvisionRecord.objects.filter(
        person=person, recipient__in=orgs
    ).values_list("provider_id", "provided_at", "items"):
        if "attachments" in items:
            provided |= Q(organization_id=provider_id, uploaded_at__lte=provided_at)
    return PersonAttachment.objects.filter(person=person).filter(provided)


def case_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A workspace view over person data: organisation people only, two-factor, never cached, logged.

    The view is called as `view(request, workspace, orgs, **kwargs)`. Every request that reaches it
    is written to the case log (caselog) with its URL name, method, status and the persons the view
    noted with `caselog.touch` — refused ones (404) included.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, workspace: Workspace, *args: Any, **kwargs: Any) -> HttpResponseBase:
        orgs = case_organisations(request.user, workspace)
        if not orgs:
            raise Http404
        response: HttpResponseBase
        if not is_mfa_enabled(request.user, [Authenticator.Type.TOTP]):
            response = HttpResponseRedirect(
                reverse("mfa_activate_totp") + "?" + urlencode({"next": request.get_full_path()})
            )
            patch_cache_control(response, no_store=True, private=True)
            return response
        if not has_valid_pledge(request.user, workspace.platform):
            # No case data before the confidentiality pledge: the case pages without a record (the
            # list, meetings, notifications) lead to it, and a direct link to a record is 404 like
            # any record one may not see.
            match = request.resolver_match
            if match is None or set(match.kwargs) - {"platform_slug"}:
                log_request(request, workspace.platform.pk, orgs, 404)
                raise Http404
            response = HttpResponseRedirect(reverse("workspace:pledge", args=[workspace.platform.slug]))
            patch_cache_control(response, no_store=True, private=True)
            return response
        status = 500
        try:
            response = view(request, workspace, orgs, *args, **kwargs)
            status = response.status_code
        except Http404:
            status = 404
            raise
        finally:
            log_request(request, workspace.platform.pk, orgs, status)
        patch_cache_control(response, no_store=True, private=True)
        return response

    # Marks the view as logged; the walk over every case URL checks it (tests/cases/test_case_log.py).
    wrapper.case_logged = True  # type: ignore[attr-defined]
    return workspace_view()(wrapper)


def log_request(request: HttpRequest, platform_id: int, orgs: Iterable[Any], status: int) -> None:
    """Write one case-log row for a request over person data (a view, or a change for POST and the like)."""
    match = request.resolver_match
    caselog.append(
        platform_id=platform_id,
        action=caselog.VIEW if request.method in ("GET", "HEAD") else caselog.CHANGE,
        actor=request.user,
        organizations=orgs,
        persons=getattr(request, "case_persons", ()),
        url_name=(match.url_name or "") if match else "",
        method=request.method or "",
        path=request.path,
        status=status,
        detail={
            "ids": {key: value for key, value in (match.kwargs if match else {}).items() if key != "platform_slug"}
        },
    )
