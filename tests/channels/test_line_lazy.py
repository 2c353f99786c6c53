"""line-bot-sdk is not imported when a process loads its URLs (issue 9: the first request was slow)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

CHECK = """
import sys
import django
django.setup()
from django.urls import get_resolver, reverse
get_resolver().url_patterns  # what the first request does
reverse("line:webhook", kwargs={"platform_slug": "kamakura"})
print("linebot" in " ".join(sys.modules))
"""


def test_loading_the_urls_does_not_import_the_line_sdk(tmp_path: Path) -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tsunagari.settings", "DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", CHECK], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "False", done.stdout + done.stderr
