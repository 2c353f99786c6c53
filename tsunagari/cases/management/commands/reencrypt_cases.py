"""Re-seal every encrypted case value, meeting document and person attachment with the current key; recompute the lookup hashes.

Run after putting a new key first in TSUNAGARI_FIELD_KEYS (or a new TSUNAGARI_LOOKUP_KEY); the old
keys may be removed once it reports nothing left under them. All-or-nothing per model. A document
is written to a new file under the current key, the row pointed at it, and the old file removed
once that is committed (a failure leaves the old file and the old row as they were).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction

from tsunagari.cases import crypto
from tsunagari.cases.fields import EncryptedTextField
from tsunagari.cases.models import MeetingDocument, PersonAttachment
from tsunagari.tenancy.scoping import scopes_disabled


class Command(BaseCommand):
    help = "Re-encrypt case records with the current key (key rotation) and recompute lookup hashes."

    def handle(self, *args: Any, **options: Any) -> None:
        current = crypto.keyring().current_id
        with scopes_disabled():
            for model in apps.get_app_config("cases").get_models():
                fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
                if not fields:
                    continue
                names = [f.attname for f in fields]
                extra = ["lookup"] if any(f.attname == "lookup" for f in model._meta.concrete_fields) else []
                count = 0
                with transaction.atomic():
                    for row in model._base_manager.select_for_update().iterator():
                        if hasattr(row, "lookup"):
                            row.lookup = crypto.lookup_hash(row.name, row.birth_date)  # type: ignore[attr-defined]
                        model._base_manager.filter(pk=row.pk).update(
                            **{name: getattr(row, name) for name in names + extra}
                        )
                        count += 1
                self.stdout.write(f"{model._meta.label}: {count} rows sealed with key {current}")
            for files in (MeetingDocument, PersonAttachment):
                count = self.reseal_files(files, current)
                self.stdout.write(f"{files._meta.label} files: {count} sealed with key {current}")

    @staticmethod
    def reseal_files(model: type[MeetingDocument] | type[PersonAttachment], current: str) -> int:
        count = 0
        for document in model.objects.order_by("pk").iterator():
            with document.blob.open("rb") as handle:
                sealed = handle.read()
            if sealed.split(b":", 2)[1].decode() == current:
                continue
            data = crypto.decrypt_bytes(sealed, context=document.context)
            old = str(document.blob.name)
            with transaction.atomic():
                document.blob.save("sealed.gcm", ContentFile(crypto.encrypt_bytes(data, context=document.context)))
                transaction.on_commit(partial(document.blob.storage.delete, old))
            count += 1
        return count
