"""`record`: write one audit event, filling in who and from where from the request."""

from __future__ import annotations

from typing import Any

from django.db import models

from tsunagari.tenancy.models import Platform

from .context import client_ip, current_request
from .models import AuditEvent


def record(
    action: str,
    *,
    actor: Any = None,
    platform: Platform | None = None,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    request: Any = None,
    object_repr: str | None = None,
    object_type: str = "",
    object_id: str = "",
) -> AuditEvent:
    """Record that `actor` did `action` (a dotted code, see ACTION_LABELS) to `obj` on `platform`.

    Call it inside the action's transaction, so that the record and the change stand or fall
    together. Without `request`, the request being served (if any) gives the IP address, the
    browser and, without `actor`, the signed-in person. `object_type`, `object_id` and
    `object_repr` name an object that is no longer there to pass as `obj`.
    """
    request = request if request is not None else current_request.get()
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    event = AuditEvent(
        actor=actor,
        actor_email=getattr(actor, "email", "") or "",
        platform=platform,
        action=action,
        changes=changes or {},
        object_type=object_type,
        object_id=object_id[:64],
    )
    if obj is not None:
        event.object_type = obj._meta.label_lower
        event.object_id = str(obj.pk)
        event.object_repr = (object_repr if object_repr is not None else str(obj))[:200]
    elif object_repr is not None:
        event.object_repr = object_repr[:200]
    if request is not None:
        event.ip = client_ip(request)
        event.user_agent = request.META.get("HTTP_USER_AGENT", "")[:300]
    # save(), not objects.create(): the scoped manager would refuse outside a platform scope, and
    # writing a record must never depend on one.
    event.save()
    return event
