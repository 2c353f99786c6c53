"""Run one import: detect the format, parse, write."""

from __future__ import annotations

import dataclasses
import functools
import importlib
from collections.abc import Callable
from pathlib import Path

from django.db import transaction

from tsunagari.tenancy.models import Platform, national_platform

from .common import ImportFailed
from .detect import FORMATS, detect_format
from .records import ParseResult
from .writer import ImportOutcome, write_records

__all__ = ["FORMATS", "ImportFailed", "parser_for", "resolve_platform", "run_import"]

# Format → module with `parse(path) -> ParseResult`, imported on use.
PARSER_MODULES = {
    "kurashi-navi": "kurashi_navi",
    "csv": "flat_csv",
    "hsds": "hsds",
    "cpsvj": "cpsvj",
}
# Data sets published whole: a service missing from the new file has closed.
SNAPSHOT_FORMATS = frozenset({"kurashi-navi", "hsds"})


def parser_for(fmt: str, **options: str) -> Callable[[Path], ParseResult]:
    """The format's parse function, given the options that format takes (CPSV-J: publisher)."""
    if fmt not in PARSER_MODULES:
        raise ImportFailed(f"形式「{fmt}」は使えません。使えるのは {'、'.join(FORMATS)} です。")
    try:
        module = importlib.import_module(f"{__package__}.{PARSER_MODULES[fmt]}")
    except ModuleNotFoundError as exc:
        raise ImportFailed(f"形式「{fmt}」の取り込みはまだ用意されていません。") from exc
    parse: Callable[[Path], ParseResult] = functools.partial(module.parse, **options) if options else module.parse
    return parse


def resolve_platform(slug: str | None) -> tuple[Platform, bool]:
    """The platform to import into, and whether it was chosen by default (the national one)."""
    if not slug:
        return national_platform(), True
    platform = Platform.objects.filter(slug=slug).first()
    if platform is None:
        slugs = list(Platform.objects.order_by("slug").values_list("slug", flat=True))
        listed = "、".join(slugs) if slugs else "（まだありません）"
        raise ImportFailed(f"プラットフォーム「{slug}」はありません。指定できるのは {listed} です。")
    return platform, False


def run_import(
    path: Path | str,
    *,
    fmt: str | None = None,
    platform_slug: str | None = None,
    skip_invalid: bool = False,
    actor: str = "",
    source_slug: str | None = None,
    dry_run: bool = False,
    publisher: str = "",
) -> ImportOutcome:
    """Import one file or folder; ImportFailed when it cannot start, else what happened.

    Everything is written in one transaction: a failed import leaves the database as it was
    (except for the ImportRun row that records the failure). ``publisher`` (CPSV-J) names who
    published the file, for its national programmes; by default the platform's own name.
    """
    path = Path(path)
    if not path.exists():
        raise ImportFailed(f"「{path}」が見つかりません。パスを確かめてください。")
    fmt = fmt or detect_format(path)
    platform, by_default = resolve_platform(platform_slug)  # before parsing: a typo fails at once
    options = {"publisher": publisher or platform.name} if fmt == "cpsvj" else {}
    result = parser_for(fmt, **options)(path)
    if source_slug:
        # A copy: parsers hand out a shared SourceInfo.
        result.source = dataclasses.replace(result.source, slug=source_slug)
    with transaction.atomic():
        outcome = write_records(
            result,
            platform,
            skip_invalid=skip_invalid,
            actor=actor,
            fmt=fmt,
            path=str(path),
            withdraw_missing=fmt in SNAPSHOT_FORMATS,
            dry_run=dry_run,
        )
        if dry_run:
            transaction.set_rollback(True)
    if by_default and fmt != "kurashi-navi":
        outcome.messages.insert(
            0, f"--platform を指定しなかったので、取り込み先は{platform.name}（{platform.slug}）です。"
        )
    return outcome
