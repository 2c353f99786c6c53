from typing import Any

import pytest

from tests.accounts.personas import _fresh_cache, kamakura_council, olga, oscar, root, sam  # noqa: F401
from tests.cases.rows import case_rows  # noqa: F401
from tests.councils.rows import council_rows  # noqa: F401
from tsunagari.cases import crypto


@pytest.fixture(autouse=True)
def case_keys(settings: Any) -> dict[str, str]:
    """Fresh random keys per test, as production sets them in the environment."""
    keys = {"field": f"k1:{crypto.new_key()}", "lookup": crypto.new_key()}
    settings.CASES_FIELD_KEYS = keys["field"]
    settings.CASES_LOOKUP_KEY = keys["lookup"]
    return keys
