"""Model fields whose values are stored encrypted (see crypto.py): text and dates."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import models

from . import crypto


class EncryptedTextField(models.TextField):
    """Text stored as AES-GCM ciphertext bound to its column; never filtered or ordered by in SQL."""

    def contribute_to_class(self, cls: Any, name: str, *args: Any, **kwargs: Any) -> None:
        super().contribute_to_class(cls, name, *args, **kwargs)
        self.context = f"{cls._meta.label_lower}.{name}"

    def to_text(self, value: Any) -> str:
        return str(value)

    def from_text(self, text: str) -> Any:
        return text

    def get_prep_value(self, value: Any) -> Any:
        if value is None or value == "":
            return value
        return crypto.encrypt(self.to_text(value), context=self.context)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        if value == "":
            return self.from_text("")
        return self.from_text(crypto.decrypt(value, context=self.context))

    def to_python(self, value: Any) -> Any:
        return value


class EncryptedDateField(EncryptedTextField):
    """A date stored encrypted (as its ISO text)."""

    _pyi_private_set_type: date | str | None  # type: ignore[assignment]
    _pyi_private_get_type: date | None  # type: ignore[assignment]

    def to_text(self, value: Any) -> str:
        return value.isoformat() if isinstance(value, date) else str(value)

    def from_text(self, text: str) -> Any:
        return date.fromisoformat(text) if text else None

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and value:
            return date.fromisoformat(value)
        return value
