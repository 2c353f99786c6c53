"""Without the HSDS 3.0 data set (get-datasets), export and HSDS import refuse clearly and write nothing."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import FIXTURES
from tsunagari.directory.importers.common import ImportFailed
from tsunagari.directory.importers.run import run_import
from tsunagari.directory.models import Service

pytestmark = pytest.mark.django_db


def test_export_says_how_to_get_the_official_table_definitions(national: Any, settings: Any, tmp_path: Path) -> None:
    settings.DATASETS_DIR = tmp_path / "datasets"
    with pytest.raises(CommandError, match=r"HSDS 3\.0 の公式の表定義.*get-datasets hsds-3\.0"):
        call_command("export_hsds", str(tmp_path / "out"), stdout=StringIO())
    assert not (tmp_path / "out").exists()


def test_an_hsds_import_says_how_to_get_them(kamakura: Any, settings: Any, tmp_path: Path, unscoped: None) -> None:
    settings.DATASETS_DIR = tmp_path / "datasets"
    with pytest.raises(ImportFailed, match=r"get-datasets hsds-3\.0"):
        run_import(FIXTURES / "hsds" / "other-producer", platform_slug="kamakura")
    assert not Service.objects.exists()
