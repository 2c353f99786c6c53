"""The installation's own secret key, made once in the data directory when none is configured.

Django signs sessions, password-reset and registration links with SECRET_KEY; a key written in
the source is public, so an installation without SECRET_KEY gets a random one of its own instead.
The file is created atomically (written under a temporary name, then linked into place, which
fails if another process got there first), so two processes starting together use the same key.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

FILE_NAME = "secret_key"


def installation_secret_key(data_dir: Path) -> str:
    """The key in `data_dir`/secret_key, created (mode 0600) if it is not there yet."""
    path = data_dir / FILE_NAME
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        temporary = data_dir / f".{FILE_NAME}.{os.getpid()}.{secrets.token_hex(8)}"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "w") as file:
                file.write(secrets.token_urlsafe(50) + "\n")
                file.flush()
                os.fsync(file.fileno())
            with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
                os.link(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
    key = path.read_text().strip()
    if len(key) < 50:
        raise ValueError(f"{path} holds no usable key; remove it and start again to make a new one.")
    return key
