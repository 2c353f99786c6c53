"""Every case URL, derived from the URLconf: a URL added later is walked without editing this file.

`case_urls` fills each pattern's ids from the case rows; a pattern with an id it does not know
fails with a message saying which fixture to add (so a new URL cannot slip past the walks).
"""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import URLPattern

from tests.notices.rows import pdf
from tsunagari.cases import workspace_urls
from tsunagari.councils import workspace_urls as councils_urls

ROW_FOR_ID = {
    "person_id": "person",
    "referral_id": "referral",
    "meeting_id": "meeting",
    "document_id": "document",
    "task_id": "task",
    "consent_id": "consent",
    "person_request_id": "person_request",
    "attachment_id": "attachment",
}


# Pages of the cases app that show no person's data: the coordinators' monthly figures (counts only,
# small cells withheld; cases/figures.py). They are in the workspace permission matrix instead.
AGGREGATES_ONLY = frozenset({"figures"})


# Case pages without an id that list person data of the viewer's organisations: an outsider probe
# opens each and finds nothing of another organisation's person (tests/cases/test_request_deadlines.py).
PERSON_LISTS = frozenset({"cases", "case-requests", "case-meetings", "case-notifications"})


def case_patterns() -> list[URLPattern]:
    return [p for p in workspace_urls.urlpatterns if isinstance(p, URLPattern) and p.name not in AGGREGATES_ONLY]


# The supporter's form (councils): it shows nothing written before; what it stores is case-logged by
# councils.actions.report_concern (with the concern's id), and the thank-you page shows nothing.
CONCERN_FORM = frozenset({"concern-report", "concern-report-sent"})


def concern_patterns() -> list[URLPattern]:
    """The coordinators' concern pages (triage): what supporters wrote about someone."""
    return [
        p
        for p in councils_urls.urlpatterns
        if isinstance(p, URLPattern) and str(p.name).startswith("concern") and p.name not in CONCERN_FORM
    ]


def concern_urls(concern: Any, slug: str = "kamakura") -> list[tuple[str, str]]:
    """(url name, path) of every concern page, with `concern`'s id."""
    found = []
    for pattern in concern_patterns():
        route = str(pattern.pattern)
        for converter in pattern.pattern.converters:
            if converter != "concern_id":
                raise AssertionError(f"{pattern.name}: teach tests/cases/walk.py concern_urls about <{converter}>")
            route = route.replace(f"<int:{converter}>", str(concern.pk))
        found.append((str(pattern.name), f"/{slug}/workspace/{route}"))
    return found


def case_urls(rows: dict[str, Any], slug: str = "kamakura") -> list[tuple[str, str]]:
    """(url name, path) of every case URL, with the ids of `rows`."""
    found = []
    for pattern in case_patterns():
        route = str(pattern.pattern)
        for converter in pattern.pattern.converters:
            if converter not in ROW_FOR_ID:
                raise AssertionError(f"{pattern.name}: add a row for <{converter}> to tests/cases/walk.py ROW_FOR_ID")
            route = route.replace(f"<int:{converter}>", str(rows[ROW_FOR_ID[converter]].pk))
        found.append((str(pattern.name), f"/{slug}/workspace/{route}"))
    return found


def form_data(rows: dict[str, Any]) -> dict[str, Any]:
    """Fields that make each POST form valid (unknown fields are ignored by the others)."""
    return {
        "person": rows["person"].pk,
        "user": rows["rita"].pk,
        "agenda": "見守り",
        "decisions": "週1回訪問",
        "minutes": "確認した",
        "file": pdf("walk.pdf"),
        "title": "電話する",
        "owner": rows["meeting"].created_by_id,
        "due_on": "2027-01-15",
        "to": "cancelled",
    }


def request(client: Client, path: str, rows: dict[str, Any]) -> Any:
    """GET the page, or POST a valid form where the URL takes only POST."""
    response = client.get(path)
    if response.status_code == 405:
        response = client.post(path, form_data(rows))
    return response
