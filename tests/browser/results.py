"""The coordinator's week results file (COORDINATOR_WEEK_OUT), written by more than one test."""

from __future__ import annotations

import json
import os
from typing import Any


def record(key: str, value: Any) -> None:
    """Set `key` in the file named by COORDINATOR_WEEK_OUT, keeping what other tests wrote there."""
    out = os.environ.get("COORDINATOR_WEEK_OUT")
    if not out:
        return
    results: dict[str, Any] = {}
    if os.path.exists(out):
        with open(out, encoding="utf-8") as f:
            results = json.load(f)
    results[key] = value
    with open(out, "w", encoding="utf-8") as f:
        json.dump(results, f, ensure_ascii=False, indent=1)
