from typing import Any

import pytest

from tests.accounts.personas import _fresh_cache, kamakura_council, olga, oscar, root, sam  # noqa: F401
from tests.councils.rows import council_rows  # noqa: F401
from tests.reporting.rows import reporting_rows  # noqa: F401
from tsunagari.cases import crypto


@pytest.fixture
def case_keys(settings: Any) -> None:
    """Field keys for the tests that write referrals and concerns (encrypted like real ones)."""
    settings.CASES_FIELD_KEYS = f"k1:{crypto.new_key()}"
    settings.CASES_LOOKUP_KEY = crypto.new_key()
