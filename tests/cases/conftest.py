from typing import Any

import pytest

from tests.accounts.personas import _fresh_cache, kamakura_council, olga, oscar, root, sam  # noqa: F401
from tests.cases.rows import case_rows  # noqa: F401
from tests.councils.rows import council_rows  # noqa: F401
from tsunagari.cases import crypto
from tsunagari.membership.models import MemberOrganisation
from tsunagari.tenancy.scoping import scopes_disabled


@pytest.fixture(autouse=True)
def case_keys(settings: Any) -> dict[str, str]:
    """Fresh random keys per test, as production sets them in the environment."""
    keys = {"field": f"k1:{crypto.new_key()}", "lookup": crypto.new_key()}
    settings.CASES_FIELD_KEYS = keys["field"]
    settings.CASES_LOOKUP_KEY = keys["lookup"]
    return keys


@pytest.fixture
def rows(case_rows: dict[str, Any], kamakura: Any, kamakura_council: Any) -> dict[str, Any]:  # noqa: F811
    """The case rows, with the three organisations approved as members of the platform (a file may override)."""
    with scopes_disabled():
        for organisation in (kamakura_council, case_rows["centre"], case_rows["other"]):
            MemberOrganisation.objects.create(
                platform=kamakura,
                organization=organisation,
                status=MemberOrganisation.Status.APPROVED,
                name=organisation.name,
                kind=MemberOrganisation.Kind.NPO,
                contact_name="担当",
                contact_email="member@example.jp",
            )
    return {**case_rows, "council": kamakura_council}
