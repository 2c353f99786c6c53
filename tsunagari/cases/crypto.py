"""Field encryption for case records: AES-256-GCM with a key list, and a keyed hash for exact lookup.

Keys never come from SECRET_KEY. Production sets them in the environment:

- ``TSUNAGARI_FIELD_KEYS``: comma-separated ``<key id>:<urlsafe base64 of 32 random bytes>``. The
  first key encrypts; every key listed decrypts (a value names the key that sealed it). To rotate:
  put a new key first, keep the old ones after it, run ``manage reencrypt_cases``, then drop them.
- ``TSUNAGARI_LOOKUP_KEY``: urlsafe base64 of 32 random bytes, the HMAC-SHA256 key of the lookup
  hash of name + birth date (exact match only, never the plain values).

Without them (the demo, a fresh checkout) a random key file is created once in DATA_DIR with mode
0600, like a secret; PRODUCTION refuses to start without the environment variables.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "gcm1"
KEY_FILE_NAME = "case-keys.json"


class DecryptionError(Exception):
    """A stored value that no configured key opens (wrong key list, or tampered with)."""


@dataclass(frozen=True)
class Keyring:
    keys: tuple[tuple[str, bytes], ...]  # (key id, key); the first encrypts
    lookup_key: bytes

    @property
    def current_id(self) -> str:
        return self.keys[0][0]

    def key(self, key_id: str) -> bytes:
        for kid, key in self.keys:
            if kid == key_id:
                return key
        raise DecryptionError(f"no key with id {key_id!r} is configured")


def new_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def _decode_key(text: str, what: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode())
    except ValueError as error:
        raise ImproperlyConfigured(f"{what}: not base64") from error
    if len(key) != 32:
        raise ImproperlyConfigured(f"{what}: a key must be 32 bytes (256 bits)")
    return key


def parse_keyring(field_keys: str, lookup_key: str) -> Keyring:
    keys: list[tuple[str, bytes]] = []
    for item in field_keys.split(","):
        if not item.strip():
            continue
        kid, sep, value = item.strip().partition(":")
        if not sep or not kid or not kid.isalnum():
            raise ImproperlyConfigured("TSUNAGARI_FIELD_KEYS: each entry is <alphanumeric key id>:<base64 key>")
        if any(kid == known for known, _ in keys):
            raise ImproperlyConfigured(f"TSUNAGARI_FIELD_KEYS: key id {kid!r} appears twice")
        keys.append((kid, _decode_key(value, f"TSUNAGARI_FIELD_KEYS {kid}")))
    if not keys:
        raise ImproperlyConfigured("TSUNAGARI_FIELD_KEYS lists no key")
    return Keyring(keys=tuple(keys), lookup_key=_decode_key(lookup_key, "TSUNAGARI_LOOKUP_KEY"))


def _key_file(data_dir: Path) -> dict[str, str]:
    """The demo's key file in DATA_DIR, created once with mode 0600 (never in the repository)."""
    path = data_dir / KEY_FILE_NAME
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        content = json.dumps({"field_keys": f"k1:{new_key()}", "lookup_key": new_key()})
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first: read theirs
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(content)
    loaded: dict[str, str] = json.loads(path.read_text())
    return loaded


_cache: dict[tuple[str, str], Keyring] = {}


def keyring() -> Keyring:
    field_keys = getattr(settings, "CASES_FIELD_KEYS", "")
    lookup_key = getattr(settings, "CASES_LOOKUP_KEY", "")
    if not field_keys or not lookup_key:
        if getattr(settings, "PRODUCTION", False):
            raise ImproperlyConfigured("PRODUCTION is set: TSUNAGARI_FIELD_KEYS and TSUNAGARI_LOOKUP_KEY must be set.")
        stored = _key_file(Path(settings.DATA_DIR))
        field_keys = field_keys or stored["field_keys"]
        lookup_key = lookup_key or stored["lookup_key"]
    cache_key = (field_keys, lookup_key)
    if cache_key not in _cache:
        _cache.clear()
        _cache[cache_key] = parse_keyring(field_keys, lookup_key)
    return _cache[cache_key]


def encrypt(plaintext: str, *, context: str) -> str:
    """Seal `plaintext`; `context` (the column) is bound as associated data so values cannot be swapped."""
    ring = keyring()
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(ring.key(ring.current_id)).encrypt(nonce, plaintext.encode(), context.encode())
    return f"{PREFIX}:{ring.current_id}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def key_id_of(token: str) -> str:
    prefix, kid, _ = token.split(":", 2)
    if prefix != PREFIX:
        raise DecryptionError("not an encrypted value")
    return kid


def decrypt(token: str, *, context: str) -> str:
    try:
        kid = key_id_of(token)
        raw = base64.urlsafe_b64decode(token.split(":", 2)[2].encode())
        return AESGCM(keyring().key(kid)).decrypt(raw[:12], raw[12:], context.encode()).decode()
    except DecryptionError:
        raise
    except Exception as error:  # InvalidTag, bad base64, short value
        raise DecryptionError("the value does not open with its key (tampered with, or the wrong key)") from error


def normalise_name(name: str) -> str:
    """One spelling of a name for the lookup hash: NFKC (full-width → half-width etc.), no spaces."""
    return "".join(unicodedata.normalize("NFKC", name).split())


def lookup_hash(name: str, birth_date: date | None) -> str:
    """HMAC-SHA256 of the normalised name and birth date: equal inputs match exactly, nothing else leaks."""
    message = f"{normalise_name(name)}|{birth_date.isoformat() if birth_date else ''}".encode()
    return hmac.new(keyring().lookup_key, message, hashlib.sha256).hexdigest()


def encrypt_bytes(data: bytes, *, context: str) -> bytes:
    """Seal a file's bytes: `gcm1:<key id>:` then nonce‖ciphertext‖tag, bound to `context`."""
    ring = keyring()
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(ring.key(ring.current_id)).encrypt(nonce, data, context.encode())
    return f"{PREFIX}:{ring.current_id}:".encode() + nonce + sealed


def decrypt_bytes(blob: bytes, *, context: str) -> bytes:
    try:
        prefix, kid, raw = blob.split(b":", 2)
        if prefix.decode() != PREFIX:
            raise DecryptionError("not an encrypted file")
        return AESGCM(keyring().key(kid.decode())).decrypt(raw[:12], raw[12:], context.encode())
    except DecryptionError:
        raise
    except Exception as error:
        raise DecryptionError("the file does not open with its key (tampered with, or the wrong key)") from error
