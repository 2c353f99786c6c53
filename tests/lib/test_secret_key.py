"""Without SECRET_KEY each installation signs with a random key of its own, kept in DATA_DIR."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tsunagari.lib.secret_key import installation_secret_key

SHOW_KEY = "import django; from django.conf import settings; django.setup(); print(settings.SECRET_KEY)"


def run_settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "PRODUCTION", "DATA_DIR"}}
    environment.update({"DJANGO_SETTINGS_MODULE": "tsunagari.settings", "DATA_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, "-c", SHOW_KEY], env=environment, capture_output=True, text=True, cwd=settings.BASE_DIR
    )


def test_a_key_is_made_once_private_and_kept(tmp_path: Path) -> None:
    key = installation_secret_key(tmp_path / "data")
    assert len(key) >= 50
    path = tmp_path / "data" / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert installation_secret_key(tmp_path / "data") == key
    assert installation_secret_key(tmp_path / "other") != key
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["secret_key"]  # no temporary files left


def test_processes_starting_together_agree_on_one_key(tmp_path: Path) -> None:
    code = "import sys; from pathlib import Path; from tsunagari.lib.secret_key import installation_secret_key as k; "
    code += "print(k(Path(sys.argv[1])))"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True, cwd=settings.BASE_DIR
        )
        for _ in range(8)
    ]
    keys = {process.communicate()[0].strip() for process in processes}
    assert len(keys) == 1
    assert keys == {(tmp_path / "secret_key").read_text().strip()}


def test_the_settings_use_the_installations_key_without_secret_key(tmp_path: Path) -> None:
    first = run_settings(tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == (tmp_path / "secret_key").read_text().strip()
    assert run_settings(tmp_path).stdout == first.stdout
    assert "django-insecure" not in first.stdout


def test_a_configured_key_wins(tmp_path: Path) -> None:
    result = run_settings(tmp_path, SECRET_KEY="x" * 60)
    assert result.stdout.strip() == "x" * 60
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize("key", ["", "django-insecure-tsunagari-development-only"])
def test_production_refuses_a_missing_or_public_key(tmp_path: Path, key: str) -> None:
    result = run_settings(tmp_path, PRODUCTION="true", SECRET_KEY=key)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    assert not (tmp_path / "secret_key").exists()
