"""Two-factor authentication helpers on top of allauth.mfa: set-up for demo and test accounts."""

from __future__ import annotations

import base64
import hashlib
import time

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt, encrypt
from django.db import transaction

from .models import User


def demo_secret(label: str) -> str:
    """A TOTP secret that stays the same each time the demo is seeded, so a phone keeps working."""
    return base64.b32encode(hashlib.sha256(f"tsunagari-demo-totp:{label}".encode()).digest()[:20]).decode()


def set_up_totp(user: User, secret: str) -> list[str]:
    """Give `user` a TOTP authenticator with `secret` and recovery codes; return the unused codes.

    Only for seed_demo and tests: real people set up their app on the activation page.
    """
    with transaction.atomic():
        authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        if authenticator is None:
            TOTP.activate(user, secret)
        else:
            authenticator.data = {**authenticator.data, "secret": encrypt(secret)}
            authenticator.save(update_fields=["data"])
        return RecoveryCodes.activate(user).get_unused_codes()


def current_code(user: User) -> str | None:
    """The TOTP code `user`'s authenticator shows now (demo and tests only)."""
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        return None
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(decrypt(authenticator.data["secret"]), counter))
