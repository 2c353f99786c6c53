"""Sending e-mail without holding up a page: after the transaction commits, off the request thread.

Every e-mail the project sends goes through `send_after_commit`: allauth's (password reset) via the
account adapter, and ours (invitations, role changes). With a real mail server
(EMAIL_IN_BACKGROUND, on by default for SMTP) a slow or unreachable server delays nobody's page;
with the console backend (demo) and in tests it sends in line, so `mail.outbox` is exact.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string

log = logging.getLogger(__name__)

# Two threads are plenty for the few e-mails a platform sends; a queue, not a pool, is the limit.
_executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="mail")


def _send(message: EmailMessage) -> None:
    try:
        message.send()
    except Exception:
        # A lost e-mail must not become a lost page; the log says who missed what.
        log.exception("Could not send e-mail %r to %s", message.subject, ", ".join(message.to))


def send_after_commit(message: EmailMessage) -> None:
    """Send `message` once the current transaction commits (at once outside a transaction)."""

    def send() -> None:
        if getattr(settings, "EMAIL_IN_BACKGROUND", False):
            _executor.submit(_send, message)
        else:
            _send(message)

    transaction.on_commit(send)


def render_message(template_prefix: str, to: str, context: dict[str, object]) -> EmailMessage:
    """An e-mail from `<prefix>_subject.txt` and `<prefix>_message.txt` templates."""
    prefix = getattr(settings, "ACCOUNT_EMAIL_SUBJECT_PREFIX", "")
    subject = prefix + " ".join(render_to_string(f"{template_prefix}_subject.txt", context).split())
    body = render_to_string(f"{template_prefix}_message.txt", context)
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
