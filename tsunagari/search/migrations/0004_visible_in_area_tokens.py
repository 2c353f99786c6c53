"""Add the combined visibility-and-area tokens (facets.visible_in) to the documents already indexed.

They are derived from tokens each document already has (its `v_<platform>` and its area tokens),
so this needs none of the directory and leaves the index exactly as a reindex would.
"""

from django.db import migrations

AREA_PREFIXES = ("am_", "ap_", "ai_")
BATCH = 1000


def is_area(token):
    return token == "a_all" or token.startswith(AREA_PREFIXES)


def rewrite_facets(apps, change):
    """Apply change(document) -> new facets or None to every document, in batches."""
    document_model = apps.get_model("search", "ServiceDocument")
    documents = document_model._base_manager.only("id", "platform_id", "facets").order_by("id")
    changed = []
    for document in documents.iterator(chunk_size=BATCH):
        facets = change(document)
        if facets is not None:
            document.facets = facets
            changed.append(document)
        if len(changed) >= BATCH:
            document_model._base_manager.bulk_update(changed, ["facets"])
            changed = []
    if changed:
        document_model._base_manager.bulk_update(changed, ["facets"])


def with_tokens(document):
    tokens = document.facets.split()
    visible = f"v_{document.platform_id}"
    if visible not in tokens:
        return None
    new = [f"{visible}_{token}" for token in tokens if is_area(token)]
    new = [token for token in new if token not in tokens]
    return " ".join(tokens + new) if new else None


def without_tokens(document):
    prefix = f"v_{document.platform_id}_"
    tokens = document.facets.split()
    kept = [token for token in tokens if not token.startswith(prefix)]
    return " ".join(kept) if len(kept) != len(tokens) else None


def add_tokens(apps, schema_editor):
    rewrite_facets(apps, with_tokens)


def remove_tokens(apps, schema_editor):
    rewrite_facets(apps, without_tokens)


class Migration(migrations.Migration):
    dependencies = [("search", "0003_servicedocument_sort_index")]

    operations = [migrations.RunPython(add_tokens, remove_tokens, elidable=True)]
