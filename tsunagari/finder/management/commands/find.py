"""`python -m tsunagari find "TEXT" [--platform SLUG] --json`, or `--batch FILE.jsonl`: the finder for evaluation.

Prints one JSON object a line: {"text", "crisis", "crisis_kind", "needs": [{"code", "score"}…],
"results": [{"id", "name", "needs", "why"}…]}. Nothing is counted or kept: evaluation runs must not
show up in a platform's picture of local needs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tsunagari.finder.ranking import find
from tsunagari.tenancy.models import Platform, national_platform


class Command(BaseCommand):
    help = "Understand a resident's text and rank the windows for it (JSON lines)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("text", nargs="?", help="the resident's words")
        parser.add_argument("--platform", help="platform slug (default: the national one)")
        parser.add_argument("--json", action="store_true", help="one JSON object a line (the default)")
        parser.add_argument("--batch", type=Path, help='a JSONL file of {"text": …} objects')
        parser.add_argument("--limit", type=int, default=5)

    def handle(self, *args: Any, **options: Any) -> None:
        if bool(options["text"]) == bool(options["batch"]):
            raise CommandError("Give either TEXT or --batch FILE.jsonl.")
        platform = self._platform(options["platform"])
        if options["text"]:
            texts = [options["text"]]
        else:
            try:
                lines = options["batch"].read_text(encoding="utf-8").splitlines()
            except OSError as exc:
                raise CommandError(str(exc)) from exc
            texts = []
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    texts.append(str(json.loads(line)["text"]))
                except (ValueError, KeyError, TypeError) as exc:
                    raise CommandError(f"line {number}: not a JSON object with a text") from exc
        for text in texts:
            result = find(text, platform=platform, limit=options["limit"]).to_dict()
            result["text"] = text
            self.stdout.write(json.dumps(result, ensure_ascii=False))

    def _platform(self, slug: str | None) -> Platform:
        if not slug:
            return national_platform()
        found = Platform.objects.filter(slug=slug).first()
        if found is None:
            raise CommandError(f"No platform {slug!r}.")
        return found
