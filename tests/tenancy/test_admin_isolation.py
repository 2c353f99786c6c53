"""The admin's permission matrix with object-level probes: every admin URL of every registered model.

Alice coordinates Kamakura. Every admin page she can reach (changelist, raw-id popup, change, delete,
history, one historical version and its "Revert", every action, autocomplete) is requested with the
ids of Tottori's rows, by GET and by POST with the data a browser would send (taken from the
superuser's own form for that row). Each must answer as for a missing row (404, 403, or the admin's
"does not exist" redirect to its index), show nothing of the row, and write nothing: the whole
database is compared before and after each request. Shared reference data (areas, taxonomies, data
sets) is not a platform's, but a coordinator may not change it either.

Controls prove the probes can see a leak: the same requests on Alice's own rows succeed, and the
superuser's POSTs of the same data do write. `test_every_registered_model_is_probed` fails when a
model is registered in the admin without a row to probe here.
"""

from __future__ import annotations

import datetime
from html.parser import HTMLParser
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import models
from django.test import Client, RequestFactory

from tests.dbstate import database_state
from tests.factories import make_service
from tsunagari.accounts import actions as account_actions
from tsunagari.accounts.models import Role
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db

# Rows no platform owns; coordinators may read some (areas for autocomplete), never change any.
SHARED = {
    "auth.group",
    "tenancy.prefecture",
    "tenancy.municipality",
    "directory.taxonomy",
    "directory.taxonomyterm",
    "directory.sourcedataset",
}
PROBES = [
    "changelist",
    "popup",
    "change-get",
    "change-post",
    "delete-get",
    "delete-post",
    "history",
    "version-get",
    "version-post",
    "actions",
    "autocomplete",
]


def registered() -> list[str]:
    return sorted(model._meta.label_lower for model in admin.site._registry)


def support_program(platform: Any, service: Any, name: str) -> models.Model:
    """A platform's own programme (制度), handled at `service`."""
    from tsunagari.directory.models import ServiceProgram, SupportProgram

    program = SupportProgram.objects.create(platform=platform, name=name, scope="municipality")
    ServiceProgram.objects.create(platform=platform, program=program, service=service)
    return program


def make_tottori_rows(tottori: Any, charlie: Any) -> dict[str, models.Model]:
    """One row per registered model, each Tottori's (or Charlie's, Tottori's coordinator)."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth.models import Group

    from tsunagari.audit.log import record
    from tsunagari.audit.models import AuditEvent
    from tsunagari.channels.models import LineChannel
    from tsunagari.directory.models import CrisisLine, ImportRun, Location, SourceDataset, Taxonomy, TaxonomyTerm
    from tsunagari.finder.models import FinderSettings, NeedDailyCount
    from tsunagari.tenancy.models import Municipality, Prefecture

    EmailAddress = apps.get_model("account", "EmailAddress")
    Authenticator = apps.get_model("mfa", "Authenticator")
    service = make_service(tottori, "鳥取の下書き窓口", publication="draft", organization_name="鳥取の法人")
    with scopes_disabled():
        record("workspace.invited", actor=charlie, platform=tottori, object_repr="鳥取の記録")
        rows: dict[str, models.Model] = {
            "directory.service": service,
            "directory.organization": service.organization,
            "directory.location": Location.objects.get(organization=service.organization),
            "directory.crisisline": CrisisLine.objects.create(
                platform=tottori, label="鳥取の相談電話", number="0857-00-0000", kinds=["suicide"]
            ),
            "directory.importrun": ImportRun.objects.create(platform=tottori, path="tottori.csv", format="csv"),
            "directory.supportprogram": support_program(tottori, service, "鳥取の独自の給付金"),
            "finder.findersettings": FinderSettings.objects.create(platform=tottori, store_text=False),
            "finder.needdailycount": NeedDailyCount.objects.create(
                platform=tottori, date=datetime.date(2026, 5, 1), need_code="hikikomori", count=3
            ),
            "tsunagari_channels.linechannel": LineChannel.objects.create(
                platform=tottori, enabled=False, channel_secret="tottori-secret", access_token="tottori-token"
            ),
            "accounts.invitation": account_actions.invite(
                platform=tottori, email="tottori-invitee@example.jp", role=Role.OBSERVER, invited_by=charlie
            ),
            "audit.auditevent": AuditEvent.objects.get(object_repr="鳥取の記録"),
            "accounts.user": charlie,
            "account.emailaddress": EmailAddress.objects.create(user=charlie, email=charlie.email, primary=True),
            "mfa.authenticator": Authenticator.objects.filter(user=charlie, type="totp").get(),
            "axes.accessattempt": AccessAttempt.objects.create(
                username=charlie.email, ip_address="192.0.2.31", user_agent="probe", failures_since_start=1
            ),
            "axes.accesslog": AccessLog.objects.create(username=charlie.email, ip_address="192.0.2.31", user_agent="x"),
            "axes.accessfailurelog": AccessFailureLog.objects.create(
                username=charlie.email, ip_address="192.0.2.31", user_agent="x"
            ),
            "tenancy.platform": tottori,
            # Shared reference data.
            "auth.group": Group.objects.create(name="鳥取の係"),
            "tenancy.prefecture": Prefecture.objects.get(code="31"),
            "tenancy.municipality": Municipality.objects.get(code="312011"),
            "directory.taxonomy": Taxonomy.objects.get(id="tsunagari-needs"),
            "directory.taxonomyterm": TaxonomyTerm.objects.filter(taxonomy_id="tsunagari-needs").first(),
            "directory.sourcedataset": SourceDataset.objects.create(slug="tottori-data", name="鳥取のデータ"),
        }
    return rows


class FormData(HTMLParser):
    """What a browser submits from the admin's form: inputs, checked boxes, selected options, text."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def _add(self, name: str | None, value: str | None) -> None:
        if name and name != "csrfmiddlewaretoken":
            self.data.setdefault(name, []).append(value or "")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "input" and a.get("type") not in {"submit", "button", "file", "image", "reset"}:
            if a.get("type") in {"checkbox", "radio"} and "checked" not in a:
                return
            self._add(a.get("name"), a.get("value"))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self._add(self._select, a.get("value"))
        elif tag == "textarea":
            self._textarea = a.get("name")
            self._add(self._textarea, "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea][-1] += data.lstrip("\n") if not self.data[self._textarea][-1] else data


def form_data(client: Client, url: str) -> dict[str, list[str]]:
    response = client.get(url)
    parser = FormData()
    if response.status_code == 200:
        parser.feed(response.content.decode())
    for field in ("name", "label", "path", "email", "username"):
        if field in parser.data:
            parser.data[field] = ["乗っ取られた"] if field != "email" else ["taken@example.jp"]
    parser.data["_save"] = ["保存"]
    return parser.data


def history_id(obj: models.Model) -> int | None:
    if not hasattr(type(obj), "history"):
        return None
    with scopes_disabled():
        # The historical model's own pk is history_id: filter on the row's id field.
        record = type(obj).history.filter(**{type(obj)._meta.pk.attname: obj.pk}).order_by("-history_date").first()
    return record.history_id if record else None


def probe(client: Client, root_client: Client, label: str, obj: models.Model, kind: str) -> Any:
    """Send the probe `kind` for `obj` as `client`; the superuser's pages supply valid POST data."""
    app_label, model_name = label.split(".")
    base = f"/admin/{app_label}/{model_name}/"
    pk = obj.pk
    version = history_id(obj)
    if kind == "changelist":
        return client.get(base)
    if kind == "popup":
        return client.get(base, {"_popup": "1", "_to_field": "id"})
    if kind == "change-get":
        return client.get(f"{base}{pk}/change/", {"_popup": "1"})
    if kind == "change-post":
        return client.post(f"{base}{pk}/change/", form_data(root_client, f"{base}{pk}/change/"))
    if kind == "delete-get":
        return client.get(f"{base}{pk}/delete/")
    if kind == "delete-post":
        return client.post(f"{base}{pk}/delete/", {"post": "yes"})
    if kind == "history":
        return client.get(f"{base}{pk}/history/")
    if kind in {"version-get", "version-post"}:
        # Models without history answer this URL with the admin's redirect to the change page.
        url = f"{base}{pk}/history/{version or 1}/"
        if kind == "version-get":
            return client.get(url, follow=True)
        return client.post(url, form_data(root_client, url), follow=True)
    if kind == "actions":
        model_admin = admin.site._registry[obj._meta.model]
        request = RequestFactory().get(base)
        request.user = root_client.session_user  # type: ignore[attr-defined]
        responses = [
            client.post(base, {"action": name, ACTION_CHECKBOX_NAME: [str(pk)], "post": "yes", "index": "0"})
            for name in model_admin.get_actions(request)
        ]
        return responses or [client.get(base)]
    if kind == "autocomplete":
        responses = []
        for source in admin.site._registry:
            for field in source._meta.fields:
                if field.is_relation and field.related_model is obj._meta.model:
                    params = {
                        "app_label": source._meta.app_label,
                        "model_name": source._meta.model_name,
                        "field_name": field.name,
                        "term": str(obj)[:2],
                    }
                    responses.append(client.get("/admin/autocomplete/", params))
        return responses or [client.get(base)]
    raise AssertionError(kind)


def marks_of(obj: models.Model) -> list[str]:
    """What would show that the page revealed the row."""
    marks = [str(obj.pk)] if len(str(obj.pk)) >= 8 else []  # UUIDs; small integers are everywhere
    text = str(obj)
    if len(text) >= 4:
        marks.append(text)
    if getattr(obj, "username", ""):
        marks.append(obj.username)
    return marks


def looks_missing(response: Any) -> bool:
    if response.status_code in {403, 404}:
        return True
    # The admin's answer for a row that does not exist: back to its index with a message.
    if getattr(response, "redirect_chain", None):
        return response.redirect_chain[-1][0] == "/admin/"
    return response.status_code == 302 and response["Location"] == "/admin/"


@pytest.fixture
def tottori_rows(tottori: Any, charlie: Any) -> dict[str, models.Model]:
    return make_tottori_rows(tottori, charlie)


@pytest.fixture
def root_client(root: Any) -> Client:
    client = Client()
    client.force_login(root)
    client.session_user = root  # type: ignore[attr-defined]
    return client


def test_every_registered_model_is_probed(tottori_rows: dict[str, models.Model]) -> None:
    assert set(registered()) == set(tottori_rows)


@pytest.mark.parametrize("kind", PROBES)
@pytest.mark.parametrize("label", registered())
def test_a_coordinator_cannot_reach_another_platforms_rows_through_the_admin(
    client: Client,
    root_client: Client,
    alice: Any,
    tottori_rows: dict[str, models.Model],
    label: str,
    kind: str,
) -> None:
    obj = tottori_rows[label]
    client.force_login(alice)
    before = database_state()
    answer = probe(client, root_client, label, obj, kind)
    responses = answer if isinstance(answer, list) else [answer]
    assert database_state() == before, f"{kind} on {label} wrote to the database"
    for response in responses:
        body = response.content.decode(errors="replace")
        if label in SHARED:
            # Not a platform's row: coordinators may read some, never change them.
            if kind in {"change-post", "delete-post", "version-post", "delete-get"}:
                assert response.status_code in {403, 404} or looks_missing(response), f"{kind} {label}"
            continue
        if kind in {"changelist", "popup", "actions", "autocomplete"}:
            assert response.status_code in {200, 302, 403}, f"{kind} {label}: {response.status_code}"
        else:
            assert looks_missing(response), f"{kind} {label}: {response.status_code}"
        for mark in marks_of(obj):
            assert mark not in body, f"{kind} on {label} showed {mark!r}"


OWN_PROBES = ["changelist", "change-get", "history", "version-get"]
PLATFORM_ADMINS = [
    "directory.service",
    "directory.organization",
    "directory.location",
    "directory.crisisline",
    "directory.supportprogram",
]


@pytest.fixture
def kamakura_rows(kamakura: Any) -> dict[str, models.Model]:
    from tsunagari.directory.models import CrisisLine, Location

    service = make_service(kamakura, "鎌倉の下書き窓口", publication="draft", organization_name="鎌倉の法人")
    with scopes_disabled():
        return {
            "directory.service": service,
            "directory.organization": service.organization,
            "directory.location": Location.objects.get(organization=service.organization),
            "directory.crisisline": CrisisLine.objects.create(platform=kamakura, label="鎌倉の相談電話", number="0467"),
            "directory.supportprogram": support_program(kamakura, service, "鎌倉の独自の給付金"),
        }


@pytest.mark.parametrize("kind", OWN_PROBES)
@pytest.mark.parametrize("label", PLATFORM_ADMINS)
def test_the_same_probes_show_the_coordinators_own_rows(
    client: Client, root_client: Client, alice: Any, kamakura_rows: dict[str, models.Model], label: str, kind: str
) -> None:
    """Control: the probes above would see a leak, because they see Alice's own rows."""
    obj = kamakura_rows[label]
    client.force_login(alice)
    response = probe(client, root_client, label, obj, kind)
    assert response.status_code == 200
    assert str(obj) in response.content.decode()


@pytest.mark.parametrize("kind", ["change-post", "version-post"])
@pytest.mark.parametrize("label", PLATFORM_ADMINS)
def test_the_posted_data_would_write_for_someone_allowed(
    root_client: Client, tottori_rows: dict[str, models.Model], label: str, kind: str
) -> None:
    """Control: the POST data of the probes is a valid edit; the superuser's saves it."""
    obj = tottori_rows[label]
    response = probe(root_client, root_client, label, obj, kind)
    saved = response.redirect_chain[0][1] if getattr(response, "redirect_chain", None) else response.status_code
    assert saved == 302, response.content.decode()
    with scopes_disabled():
        obj.refresh_from_db()
    assert str(obj) == "乗っ取られた" or getattr(obj, "name", getattr(obj, "label", "")) == "乗っ取られた"


def test_a_revert_cannot_pull_in_another_platforms_organisation(
    client: Client, alice: Any, kamakura_rows: dict[str, models.Model], tottori_rows: dict[str, models.Model]
) -> None:
    """Raw-id fields and inlines of Alice's own listing refuse Tottori's organisation and location."""
    from tsunagari.directory.models import Channel, Service

    service = kamakura_rows["directory.service"]
    client.force_login(alice)
    url = f"/admin/directory/service/{service.pk}/change/"
    data = form_data(client, url)
    data["name"] = ["鎌倉の下書き窓口"]
    data["organization"] = [str(tottori_rows["directory.organization"].pk)]
    with scopes_disabled():
        their_channel = Channel.objects.get(service=tottori_rows["directory.service"])
    for key in list(data):
        if key.endswith("-location") and data[key] and data[key][0]:
            data[key] = [str(tottori_rows["directory.location"].pk)]
        if key.startswith("channels-0-id"):
            data[key] = [str(their_channel.pk)]
    before = database_state()
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, with its errors
    assert database_state() == before
    with scopes_disabled():
        assert Service.objects.get(pk=service.pk).organization_id == kamakura_rows["directory.organization"].pk


def test_a_programme_cannot_be_linked_to_another_platforms_window(
    client: Client, alice: Any, kamakura_rows: dict[str, models.Model], tottori_rows: dict[str, models.Model]
) -> None:
    """The inline of Alice's own programme refuses Tottori's window (and keeps Alice's own link)."""
    from tsunagari.directory.models import ServiceProgram

    program = kamakura_rows["directory.supportprogram"]
    client.force_login(alice)
    url = f"/admin/directory/supportprogram/{program.pk}/change/"
    data = form_data(client, url)
    changed = [key for key in data if key.startswith("links-") and key.endswith("-service")]
    assert changed, [key for key in data if "-" in key]
    for key in changed:
        data[key] = [str(tottori_rows["directory.service"].pk)]
    before = database_state()
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, with its errors
    assert database_state() == before
    with scopes_disabled():
        assert set(ServiceProgram.objects.filter(program=program).values_list("service_id", flat=True)) == {
            kamakura_rows["directory.service"].pk
        }
    # Control: the same form with Alice's own window saves.
    data = form_data(client, url)
    data["name"] = ["鎌倉の独自の給付金（改）"]
    assert client.post(url, data).status_code == 302


def test_the_history_of_a_deleted_row_stays_with_its_platform(
    client: Client, alice: Any, kamakura_rows: dict[str, models.Model], tottori_rows: dict[str, models.Model]
) -> None:
    ours, theirs = kamakura_rows["directory.crisisline"], tottori_rows["directory.crisisline"]
    ours_pk, theirs_pk = ours.pk, theirs.pk
    with scopes_disabled():
        ours.delete()
        theirs.delete()
        version = type(theirs).history.filter(id=theirs_pk).latest("history_date").history_id
    client.force_login(alice)
    assert client.get(f"/admin/directory/crisisline/{ours_pk}/history/").status_code == 200
    assert client.get(f"/admin/directory/crisisline/{theirs_pk}/history/").status_code == 404
    assert client.get(f"/admin/directory/crisisline/{theirs_pk}/history/{version}/").status_code == 404
    assert client.get("/admin/directory/crisisline/not-an-id/history/").status_code == 404


@pytest.mark.parametrize("label", registered())
def test_a_coordinators_admin_lists_do_not_name_other_platforms(
    client: Client, alice: Any, tottori: Any, tottori_rows: dict[str, models.Model], label: str
) -> None:
    # The "By platform" filters offered every platform's name (seen on the demo as 京都市's coordinator).
    app_label, model_name = label.split(".")
    client.force_login(alice)
    response = client.get(f"/admin/{app_label}/{model_name}/")
    assert tottori.name not in response.content.decode(), label
