"""Indexing and searching the know-how library with the Japanese analyser.

Like tsunagari.search (see docs/search.md): each published entry has one EntryDocument holding its
analysed words (`body`) and filter tokens (`facets`); one full-text lookup answers the words and
the filters together, on SQLite (FTS5, ranked by bm25) and PostgreSQL (GIN over a generated
tsvector, ranked by ts_rank_cd). The boolean expressions over tokens are tsunagari.search.facets'.

Who may read what is itself a token: `kv_<platform>` on every published entry of that platform,
`kv_shared` on published entries shared with every platform. Drafts have no document at all.

The SQL is assembled from fixed fragments of this module only (hence the S608 exemptions); every
value, the full-text query included, is passed as a parameter.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Q

from tsunagari.lib.japanese import analyze, analyze_query
from tsunagari.lib.paging import Paged
from tsunagari.search.facets import Expr, all_of, any_of, term
from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import scopes_disabled

from .models import Collaboration, Entry, EntryDocument, term_labels

SHARED = "kv_shared"
MAX_PER_PAGE = 50


def visible_in(platform_id: int) -> str:
    return f"kv_{platform_id}"


def need(code: str) -> str:
    return f"kn_{code}"


def target(code: str) -> str:
    return f"kt_{code}"


def collaboration(code: str) -> str:
    return f"kc_{code}"


def kind(code: str) -> str:
    return f"kk_{code}"


def _facets(entry: Entry) -> list[str]:
    tokens = [visible_in(entry.platform_id), kind(entry.kind)]
    if entry.is_shared:
        tokens.append(SHARED)
    tokens += [need(code) for code in entry.needs]
    tokens += [target(code) for code in entry.targets]
    tokens += [collaboration(code) for code in entry.collaborations]
    return tokens


def _body(entry: Entry) -> list[str]:
    needs, targets = term_labels("needs.tsv"), term_labels("targets.tsv")
    labels = [needs.get(c, "") for c in entry.needs] + [targets.get(c, "") for c in entry.targets]
    labels += [str(Collaboration(c).label) for c in entry.collaborations if c in Collaboration.values]
    # The title comes twice: a word in it says more than one in the text (bm25 weighs one column).
    texts = [entry.title, entry.title, entry.body, entry.cautions, *labels]
    return [token for text in texts if text for token in analyze(text)]


def index_entry(entry: Entry) -> None:
    """Write (or remove, for a draft) the entry's search document, in the caller's transaction."""
    with scopes_disabled(), transaction.atomic():
        EntryDocument.objects.filter(entry_id=entry.pk).delete()
        if entry.published:
            EntryDocument.objects.create(
                entry=entry, platform_id=entry.platform_id, body=" ".join(_body(entry)), facets=" ".join(_facets(entry))
            )


def reindex_all() -> int:
    """Rebuild every document (after changing the analyser or a label); returns how many were written."""
    written = 0
    # Every platform's entries: the index serves all of them.
    with scopes_disabled(), transaction.atomic():
        EntryDocument.objects.all().delete()
        for entry in Entry.objects.filter(published=True).iterator(chunk_size=500):
            index_entry(entry)
            written += 1
    return written


@dataclass(frozen=True)
class Results(Paged):
    entries: list[Entry]
    total: int
    page: int
    per_page: int
    relaxed: bool = False
    """No entry had every word, so entries with any of them are shown."""


def search_entries(
    *,
    platform: Platform,
    text: str = "",
    needs: Sequence[str] = (),
    targets: Sequence[str] = (),
    collaborations: Sequence[str] = (),
    kinds: Sequence[str] = (),
    shared_only: bool = False,
    page: int = 1,
    per_page: int = 20,
) -> Results:
    """The published entries `platform`'s people may read that match the words and every filter.

    That is the platform's own entries and every platform's shared ones. Within one filter the
    choices are alternatives; different filters must all hold. Ranked by relevance when there
    are words, newest first otherwise.
    """
    page = max(1, page)
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    visibility = term(SHARED) if shared_only else any_of(term(visible_in(platform.pk)), term(SHARED))
    filters = [visibility]
    for codes, token in ((needs, need), (targets, target), (collaborations, collaboration), (kinds, kind)):
        if codes:
            filters.append(any_of(*(term(token(code)) for code in codes)))
    facet_expr = all_of(*filters)
    tokens = tuple(analyze_query(text)) if text.strip() else ()
    offset = (page - 1) * per_page
    ids, total = _lookup(tokens, facet_expr, any_word=False, limit=per_page, offset=offset)
    relaxed = False
    if total == 0 and len(tokens) > 1:
        ids, total = _lookup(tokens, facet_expr, any_word=True, limit=per_page, offset=offset)
        relaxed = total > 0
    return Results(_fetch(platform, ids), total, page, per_page, relaxed)


def _fetch(platform: Platform, ids: list[int]) -> list[Entry]:
    if not ids:
        return []
    # Leaving the platform scope on purpose: shared entries of other platforms are meant to be read
    # here. The filter repeats what the index decided, so a stale document cannot leak a draft or
    # another platform's internal entry.
    with scopes_disabled():
        found = Entry.objects.filter(pk__in=ids, published=True).filter(
            Q(platform=platform) | Q(scope=Entry.Scope.SHARED)
        )
        by_id = {entry.pk: entry for entry in found.select_related("platform", "author")}
    return [by_id[pk] for pk in ids if pk in by_id]


def _lookup(
    tokens: Iterable[str], facet_expr: Expr, *, any_word: bool, limit: int, offset: int
) -> tuple[list[int], int]:
    tokens = tuple(tokens)
    if connection.vendor == "sqlite":
        match = f"facets : {facet_expr.fts5()}"
        if tokens:
            expr = any_of(*map(term, tokens)) if any_word else all_of(*map(term, tokens))
            match = f"body : {expr.fts5()} AND {match}"
        count_sql = "SELECT count(*) FROM knowhow_fts WHERE knowhow_fts MATCH %s"
        count_params: list[Any] = [match]
        order = "bm25(knowhow_fts, 1.0, 0.0), e.updated_at DESC" if tokens else "e.updated_at DESC, e.id DESC"
        page_sql = (
            "SELECT d.entry_id FROM knowhow_fts JOIN knowhow_entrydocument d ON d.id = knowhow_fts.rowid"  # noqa: S608
            f" JOIN knowhow_entry e ON e.id = d.entry_id WHERE knowhow_fts MATCH %s ORDER BY {order} LIMIT %s OFFSET %s"
        )
        page_params: list[Any] = [match, limit, offset]
    else:
        if tokens:
            if any_word:
                words = "(" + " || ".join(["plainto_tsquery('simple', %s)"] * len(tokens)) + ")"
                word_params: list[Any] = list(tokens)
            else:
                words, word_params = "plainto_tsquery('simple', %s)", [" ".join(tokens)]
            condition = f"d.tsv @@ ({words} && CAST(%s AS tsquery))"
            params = [*word_params, facet_expr.tsquery()]
            order = f"ts_rank_cd(d.tsv, {words}, 2) DESC, e.updated_at DESC"
            order_params = word_params
        else:
            condition, params = "d.tsv @@ CAST(%s AS tsquery)", [facet_expr.tsquery()]
            order, order_params = "e.updated_at DESC, e.id DESC", []
        count_sql = f"SELECT count(*) FROM knowhow_entrydocument d WHERE {condition}"  # noqa: S608
        count_params = params
        page_sql = (
            "SELECT d.entry_id FROM knowhow_entrydocument d JOIN knowhow_entry e ON e.id = d.entry_id"  # noqa: S608
            f" WHERE {condition} ORDER BY {order} LIMIT %s OFFSET %s"
        )
        page_params = [*params, *order_params, limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(count_sql, count_params)
        total = int(cursor.fetchone()[0])
        if total == 0 or offset >= total:
            return [], total
        cursor.execute(page_sql, page_params)
        return [int(row[0]) for row in cursor.fetchall()], total
