from tests.accounts.personas import _fresh_cache, kamakura_council, olga, oscar, root, sam  # noqa: F401
from tests.reporting.rows import reporting_rows  # noqa: F401
