"""Add the combined visibility-and-area tokens (facets.visible_in) to the documents already indexed.

They are derived from tokens each document already has (its `v_<platform>` and its area tokens),
so this needs none of the directory and leaves the index exactly as a reindex would.
"""

from django.db import migrations

AREA_PREFIXES = ("am_", "ap_", "ai_")
BATCH = 1000


def is_area(token):
    return token == "a_all" or token.startswith(AREA_PREFIXES)


def add_tokens(apps, schema_editor):
    document_model = apps.get_model("search", "ServiceDocument")
    documents = document_model._base_manager.only("id", "platform_id", "facets").order_by("id")
    changed = []
    for document in documents.iterator(chunk_size=BATCH):
        tokens = document.facets.split()
        visible = f"v_{document.platform_id}"
        if visible not in tokens:
            continue
        new = [f"{visible}_{token}" for token in tokens if is_area(token)]
        new = [token for token in new if token not in tokens]
        if new:
            document.facets = " ".join(tokens + new)
            changed.append(document)
        if len(changed) >= BATCH:
            document_model._base_manager.bulk_update(changed, ["facets"])
            changed = []
    if changed:
        document_model._base_manager.bulk_update(changed, ["facets"])


def remove_tokens(apps, schema_editor):
    document_model = apps.get_model("search", "ServiceDocument")
    documents = document_model._base_manager.only("id", "platform_id", "facets").order_by("id")
    changed = []
    for document in documents.iterator(chunk_size=BATCH):
        prefix = f"v_{document.platform_id}_"
        tokens = document.facets.split()
        kept = [token for token in tokens if not token.startswith(prefix)]
        if len(kept) != len(tokens):
            document.facets = " ".join(kept)
            changed.append(document)
        if len(changed) >= BATCH:
            document_model._base_manager.bulk_update(changed, ["facets"])
            changed = []
    if changed:
        document_model._base_manager.bulk_update(changed, ["facets"])


class Migration(migrations.Migration):
    dependencies = [("search", "0003_servicedocument_sort_index")]

    operations = [migrations.RunPython(add_tokens, remove_tokens, elidable=True)]
