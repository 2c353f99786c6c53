"""A platform's plan and report: figures counted from its records, small counts withheld outside it, three formats."""

from __future__ import annotations

import datetime
import io
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.notices.rows import pdf
from tests.reporting.activity import OUTCOMES, year_of_activity, year_of_joint_support
from tests.reporting.rows import YEAR
from tests.surveys.rows import answer, make_survey
from tsunagari.audit.models import AuditEvent
from tsunagari.lib.fiscal import fiscal_year_of
from tsunagari.reporting import counters, formats, middleware, report
from tsunagari.reporting.models import BudgetLine, Evidence, Item, Kpi, Milestone, Plan, UsageDailyCount
from tsunagari.tenancy.scoping import platform_scope, scopes_disabled

pytestmark = pytest.mark.django_db
AFTER_THE_YEAR = datetime.date(YEAR + 1, 5, 1)


@pytest.fixture
def active_kamakura(kamakura: Any, reporting_rows: dict[str, Any]) -> Any:
    with platform_scope(kamakura, with_national=False):
        year_of_activity(kamakura, YEAR)
        year_of_activity(kamakura, YEAR - 1)  # last year's must not count
    return kamakura


def figures(data: dict[str, Any]) -> dict[str, Any]:
    return {f["key"]: f for item in data["items"] for f in item["figures"]}


def build(
    platform: Any,
    *,
    suppress: bool = False,
    as_of: datetime.date = AFTER_THE_YEAR,
    roles: tuple[str, ...] = ("coordinator",),
) -> dict[str, Any]:
    with platform_scope(platform, with_national=False):
        return report.build(platform, YEAR, suppress=suppress, roles=roles, as_of=as_of)


def test_figures_are_counted_from_the_records_of_the_year(active_kamakura: Any) -> None:
    counted = figures(build(active_kamakura))
    assert counted["meetings_held"]["value"] == 6
    assert counted["meeting_attendance"]["value"] == 12
    assert counted["training_sessions_held"]["value"] == 2
    assert counted["training_completed"]["value"] == 15
    assert counted["public_events_held"]["value"] == 2
    assert counted["public_event_attendance"]["value"] == 30
    assert counted["members_joined"]["value"] == 12
    assert counted["members_total"]["value"] == 24  # last year's members are members still
    assert counted["knowhow_written"]["value"] == 1
    assert counted["needs_asked"]["value"] == 180
    assert counted["portal_visits"]["value"] == 1200
    assert counted["portal_searches"]["value"] == 360
    assert counted["chats_started"]["value"] == 60
    # Each figure points at its records.
    assert counted["training_completed"]["link"] == f"/kamakura/workspace/training/?year={YEAR}"
    assert counted["members_total"]["link"] == "/kamakura/workspace/members/"
    assert counted["members_total"]["breakdown"]


def test_figures_of_apps_not_installed_say_so(active_kamakura: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # As if the councils app did not offer its figure.
    monkeypatch.setitem(counters._resolved, "tsunagari.councils.figures:concerns_received", None)
    counted = figures(build(active_kamakura))
    assert counted["concerns"]["available"] is False
    assert counted["concerns"]["value"] is None
    assert formats.shown(None, {}, available=False) == "利用できません"


def test_a_kpi_is_counted_by_its_counter(active_kamakura: Any) -> None:
    kpi = build(active_kamakura)["kpis"][0]
    assert (kpi["target"], kpi["actual"], kpi["percent"]) == (50, 15, 30)


def test_small_counts_are_withheld_when_the_report_leaves_the_platform(active_kamakura: Any) -> None:
    inside = figures(build(active_kamakura))
    outside = figures(build(active_kamakura, suppress=True))
    assert inside["meetings_held"]["value"] == 6
    assert outside["meetings_held"]["value"] is None and outside["meetings_held"]["withheld"]
    assert outside["training_completed"]["value"] == 15  # 10 and more are shown
    # Counted by the cases app (none in this year): 0 is shown, not withheld.
    assert outside["referrals"]["available"] and outside["referrals"]["value"] == 0


def test_observers_read_the_report_with_small_counts_withheld(
    client: Client, active_kamakura: Any, oscar: Any, alice: Any
) -> None:
    client.force_login(oscar)
    body = client.get(f"/kamakura/workspace/reporting/{YEAR}/report/").content.decode()
    assert "&lt;10" in body
    client.force_login(alice)
    body = client.get(f"/kamakura/workspace/reporting/{YEAR}/report/").content.decode()
    assert "&lt;10" not in body


def test_regenerating_gives_the_same_numbers_in_every_format(active_kamakura: Any) -> None:
    first, second = build(active_kamakura), build(active_kamakura)
    assert first == second
    assert formats.pdf(first) == formats.pdf(second)

    def cells(data: dict[str, Any]) -> list[list[Any]]:
        book = load_workbook(io.BytesIO(formats.xlsx(data)))
        return [[cell.value for cell in row] for sheet in book.worksheets for row in sheet.iter_rows()]

    assert cells(first) == cells(second)
    figures_sheet = load_workbook(io.BytesIO(formats.xlsx(first))).worksheets[1]
    values = {row[1]: row[2] for row in figures_sheet.iter_rows(min_row=2, values_only=True)}
    assert values[str(figures(first)["training_completed"]["label"])] == 15


def test_the_pdf_embeds_a_japanese_font(active_kamakura: Any) -> None:
    body = formats.pdf(build(active_kamakura))
    assert body.startswith(b"%PDF")
    assert b"IPAexGothic" in body


def test_every_report_download_is_audited(client: Client, active_kamakura: Any, oscar: Any) -> None:
    client.force_login(oscar)
    base = f"/kamakura/workspace/reporting/{YEAR}/"
    for path, fmt in (("report/", "html"), ("report.pdf", "pdf"), ("report.xlsx", "xlsx")):
        response = client.get(base + path)
        assert response.status_code == 200
        with scopes_disabled():
            event = AuditEvent.objects.filter(action="reporting.report_downloaded").latest("pk")
        assert event.changes["format"] == fmt
        assert event.actor == oscar
    assert response["Content-Disposition"].startswith("attachment")


def test_evidence_files_stay_with_the_coordinators_and_every_download_is_audited(
    client: Client, kamakura: Any, reporting_rows: dict[str, Any], alice: Any, oscar: Any
) -> None:
    url = f"/kamakura/workspace/reporting/evidence/{reporting_rows['evidence'].pk}/"
    # An observer (prefecture or national staff) reads the plan but never takes the files away.
    client.force_login(oscar)
    assert client.get(url).status_code == 404
    assert url not in client.get(f"/kamakura/workspace/reporting/{YEAR}/").content.decode()
    with scopes_disabled():
        assert not AuditEvent.objects.filter(action="reporting.evidence_downloaded").exists()
    client.force_login(alice)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    with scopes_disabled():
        event = AuditEvent.objects.get(action="reporting.evidence_downloaded")
    assert (event.actor, event.platform, event.changes["file"]) == (alice, kamakura, "会議の議事録.pdf")


def test_survey_headlines_leave_the_platform_only_above_the_reports_own_threshold(kamakura: Any, alice: Any) -> None:
    # A survey that shows counts from 3 on inside the platform: 12 answers, 5 of them lonely.
    this_year = fiscal_year_of(timezone.localdate())
    with platform_scope(kamakura, with_national=False):
        survey = make_survey(kamakura, alice, "direct", min_cell=3)
        for i in range(12):
            answer(survey, {"loneliness_direct": "4" if i < 5 else "1"})

    def headline(*, suppress: bool) -> dict[str, str]:
        with platform_scope(kamakura, with_national=False):
            data = report.build(kamakura, this_year, suppress=suppress, roles=["coordinator"])
        return {label.split(": ", 1)[1]: value for label, value in data["survey_headline"]}

    lonely = "孤独感がある（しばしばある・常にある／時々ある／たまにある）"
    inside, outside = headline(suppress=False), headline(suppress=True)
    assert inside[lonely].startswith("41.7%")  # the survey's own threshold, 3
    assert outside[lonely] == "非公表（回答が10件未満）"  # 5 lonely: fewer than 10
    assert inside["回答者数"] == outside["回答者数"] == "12"


def test_a_required_item_with_nothing_by_september_is_a_gap(kamakura: Any, reporting_rows: dict[str, Any]) -> None:
    # Kamakura's plan has an activity under 設置・運営, not yet carried out, and no records at all.
    assert build(kamakura, as_of=datetime.date(YEAR, 9, 30))["gaps"] == []  # not yet mid-year
    assert build(kamakura, as_of=datetime.date(YEAR, 10, 1))["gaps"] == [Item.PLATFORM, Item.AWARENESS, Item.PILOT]
    with platform_scope(kamakura, with_national=False):
        year_of_activity(kamakura, YEAR)  # meetings in June, a forum in September; no case workshop
    assert build(kamakura, as_of=datetime.date(YEAR, 10, 1))["gaps"] == [Item.PILOT]


def test_evidence_is_checked_like_every_upload(
    client: Client, kamakura: Any, alice: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client.force_login(alice)
    bad = pdf(
        "チラシ.pdf", b"%PDF-1.4\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>\nendobj\n%%EOF"
    )
    response = client.post(f"/kamakura/workspace/reporting/{YEAR}/evidence/", {"kind": "flyer", "file": bad})
    assert response.status_code == 400
    with scopes_disabled():
        assert not Evidence.objects.exists()


def test_a_kpi_entered_by_hand_must_say_how_it_is_counted(client: Client, kamakura: Any, alice: Any) -> None:
    client.force_login(alice)
    data = {"item": "awareness", "name": "チラシ配布数", "target": "1000", "counter": ""}
    response = client.post(f"/kamakura/workspace/reporting/{YEAR}/kpis/new/", data)
    assert response.status_code == 400
    with scopes_disabled():
        assert not Kpi.objects.exists()
        assert not Plan.objects.exists()  # all or nothing
    response = client.post(f"/kamakura/workspace/reporting/{YEAR}/kpis/new/", {**data, "how_counted": "配布記録"})
    assert response.status_code == 302
    with scopes_disabled():
        assert Kpi.objects.get().plan.fiscal_year == YEAR


def test_a_year_out_of_range_is_404(client: Client, kamakura: Any, alice: Any) -> None:
    client.force_login(alice)
    assert client.get("/kamakura/workspace/reporting/1999/").status_code == 404


def test_portal_use_is_counted_per_day_and_nothing_else(client: Client, kamakura: Any) -> None:
    middleware.flush()  # what other tests' requests left in this process, written now…
    with scopes_disabled():
        UsageDailyCount.objects.all().delete()  # …and not counted here
    client.get("/kamakura/")
    client.get("/kamakura/")
    client.get("/kamakura/search/", {"q": "ひとり"})
    client.get("/kamakura/no-such-page/")
    client.get("/no-such-platform/")
    with scopes_disabled():
        assert not UsageDailyCount.objects.exists()  # held in the process until the next write
    middleware.flush()
    client.get("/kamakura/")
    middleware.flush()
    with scopes_disabled():
        counts = {row.kind: row.count for row in UsageDailyCount.objects.filter(platform=kamakura)}
    assert counts == {"visit": 3, "search": 1}
    assert {f.name for f in UsageDailyCount._meta.get_fields()} == {"id", "platform", "date", "kind", "count"}


# --- each figure links to its records; referrals and their outcomes; budget and milestones -------------


@pytest.fixture
def supporting_kamakura(active_kamakura: Any, case_keys: None) -> Any:
    """Kamakura's year with joint support too: 24 referrals (18 closed: OUTCOMES), 15 concerns, a survey."""
    with platform_scope(active_kamakura, with_national=False):
        year_of_joint_support(active_kamakura, YEAR)
    return active_kamakura


def pdf_text(body: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def figures_sheet(data: dict[str, Any]) -> dict[str, Any]:
    sheet = load_workbook(io.BytesIO(formats.xlsx(data))).worksheets[1]
    return {row[1]: row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}


def test_every_figure_links_to_its_records_and_the_link_opens_for_a_coordinator(
    client: Client, supporting_kamakura: Any, council_rows: dict[str, Any], alice: Any
) -> None:
    counted = figures(build(supporting_kamakura))
    assert {key for key, f in counted.items() if not f["link"]} == set()
    # Filtered to the fiscal year where the page can be.
    assert counted["referrals"]["link"] == f"/kamakura/workspace/figures/?from={YEAR}-04&to={YEAR + 1}-03"
    assert counted["referrals_closed"]["link"] == counted["referrals"]["link"]
    assert counted["concerns"]["link"] == f"/kamakura/workspace/concerns/?year={YEAR}"
    assert counted["surveys_run"]["link"] == f"/kamakura/workspace/surveys/?year={YEAR}"
    client.force_login(alice)  # with two-factor and the council's pledge, as the concern queue asks
    for key, f in counted.items():
        assert client.get(f["link"]).status_code == 200, key


def test_the_concern_and_survey_links_list_exactly_the_records_counted(
    client: Client, supporting_kamakura: Any, council_rows: dict[str, Any], alice: Any
) -> None:
    from tsunagari.councils.models import Concern
    from tsunagari.knowhow.models import Entry
    from tsunagari.membership.models import Agreement, MemberOrganisation
    from tsunagari.programs.models import Event
    from tsunagari.surveys.models import Survey

    with platform_scope(supporting_kamakura, with_national=False):
        # One of each outside the year (received / created the day before it began), and a draft survey.
        before = datetime.datetime(YEAR, 3, 31, 23, 59, tzinfo=datetime.timezone(datetime.timedelta(hours=9)))
        Concern.objects.filter(pk=Concern.objects.order_by("pk").first().pk).update(received_at=before)
        survey = Survey.objects.get()
        draft = Survey.objects.create(platform=supporting_kamakura, title="下書きの調査")
        Survey.objects.filter(pk=draft.pk).update(created_at=survey.created_at)  # in the year, but a draft
        old = Survey.objects.create(platform=supporting_kamakura, title="前年度の調査", status=survey.status)
        Survey.objects.filter(pk=old.pk).update(created_at=before)
        draft_meeting = Event.objects.filter(kind=Event.Kind.MEETING).first()
        draft_meeting.pk, draft_meeting.status = None, Event.Status.DRAFT  # a copy in the year, not held
        draft_meeting.starts_at = before + datetime.timedelta(days=60)
        draft_meeting.ends_at = draft_meeting.starts_at + datetime.timedelta(hours=2)
        draft_meeting.save()
        member = MemberOrganisation.objects.filter(status=MemberOrganisation.Status.APPROVED).first()
        MemberOrganisation.objects.filter(pk=member.pk).update(decided_at=before)  # joined the year before
        draft_entry = Entry.objects.create(platform=supporting_kamakura, title="下書き", body="…", published=False)
        Entry.objects.filter(pk=draft_entry.pk).update(created_at=survey.created_at)  # in the year, a draft
        for title, signed in [("見守り協定", datetime.date(YEAR, 9, 1)), ("前年度の協定", datetime.date(YEAR, 3, 31))]:
            Agreement.objects.create(platform=supporting_kamakura, title=title, signed_on=signed)
    counted = figures(build(supporting_kamakura))
    assert (counted["concerns"]["value"], counted["surveys_run"]["value"]) == (14, 1)
    client.force_login(alice)
    concerns = client.get(counted["concerns"]["link"]).content.decode()
    assert len(re.findall(r'href="/kamakura/workspace/concerns/\d+/"', concerns)) == 14
    surveys = client.get(counted["surveys_run"]["link"]).content.decode()
    assert survey.title in surveys
    assert "下書きの調査" not in surveys and "前年度の調査" not in surveys
    # The events figures: the year's published events of the kinds counted, and their attendance.
    for held, attendance in [
        ("meetings_held", "meeting_attendance"),
        ("public_events_held", "public_event_attendance"),
    ]:
        assert counted[held]["link"] == counted[attendance]["link"]
        page = client.get(counted[held]["link"]).content.decode()
        assert len(re.findall(r"<tr>\s*<td>", page)) == counted[held]["value"] > 0, held
        attended = sum(int(n) for n in re.findall(r"<td>(\d+)</td>\s*</tr>", page))  # the last column
        assert attended == counted[attendance]["value"] > 0, attendance
    # Members that joined, agreements signed, know-how written: the rows of that year only.
    rows = {
        "members_joined": r'href="/kamakura/workspace/members/[0-9a-f-]{36}/"',
        "agreements_signed": r'href="/kamakura/workspace/members/agreements/[0-9a-f-]{36}/edit/"',
        "knowhow_written": r'href="/kamakura/workspace/knowhow/\d+/"',
    }
    for key, pattern in rows.items():
        assert counted[key]["link"].endswith(f"?year={YEAR}"), key
        page = client.get(counted[key]["link"]).content.decode()
        assert len(set(re.findall(pattern, page))) == counted[key]["value"] > 0, key
    # Without the year: the triage queue and every survey, as before.
    assert "下書きの調査" in client.get("/kamakura/workspace/surveys/").content.decode()


def test_a_figure_links_to_its_records_only_for_those_who_may_open_them(
    client: Client, supporting_kamakura: Any, council_rows: dict[str, Any], alice: Any, oscar: Any
) -> None:
    counted = figures(build(supporting_kamakura, suppress=True, roles=("observer",)))
    client.force_login(oscar)
    hidden = {key for key, f in counted.items() if not f["link"]}
    assert hidden == {"concerns"}  # the coordinators' triage queue
    assert client.get("/kamakura/workspace/concerns/").status_code == 404
    for key, f in counted.items():
        if f["link"]:
            assert client.get(f["link"]).status_code == 200, key
    # Through the pages: the observer's report has no link to the queue, the coordinator's has.
    assert (
        'href="/kamakura/workspace/concerns/"'
        not in client.get(f"/kamakura/workspace/reporting/{YEAR}/report/").content.decode()
    )
    client.force_login(alice)
    assert (
        'href="/kamakura/workspace/concerns/"'
        in client.get(f"/kamakura/workspace/reporting/{YEAR}/report/").content.decode()
    )


def test_referrals_are_reported_with_their_outcomes_in_every_format(supporting_kamakura: Any) -> None:
    from tsunagari.cases.models import Outcome

    data = build(supporting_kamakura)
    counted = figures(data)
    assert (counted["referrals"]["value"], counted["referrals_closed"]["value"]) == (24, 18)
    assert (counted["concerns"]["value"], counted["surveys_run"]["value"]) == (15, 1)
    parts = {b["label"]: b["value"] for b in counted["referrals_closed"]["breakdown"]}
    expected = {str(Outcome(code).label): n for code, n in OUTCOMES.items()}
    assert parts == {**expected, "記録なし": 0}
    label = counted["referrals_closed"]["label"]
    sheet = figures_sheet(data)
    for outcome, n in expected.items():
        assert sheet[f"{label}：{outcome}"] == n
    text = pdf_text(formats.pdf(data))
    assert "・支援につながった" in text or "支援につながった" in text, text[:2000]
    assert str(Outcome.COULD_NOT_CONTACT.label) in text


def test_outcomes_below_the_small_cell_are_withheld_outside_the_platform(
    client: Client, supporting_kamakura: Any, oscar: Any
) -> None:
    from tsunagari.cases.models import Outcome

    data = build(supporting_kamakura, suppress=True, roles=("observer",))
    parts = {b["label"]: b["value"] for b in figures(data)["referrals_closed"]["breakdown"]}
    got_help = str(Outcome.GOT_HELP.label)
    assert parts[got_help] == 10  # 10 and more are shown
    assert all(parts[str(Outcome(code).label)] is None for code, n in OUTCOMES.items() if n < 10)
    assert parts["記録なし"] == 0
    label = figures(data)["referrals_closed"]["label"]
    sheet = figures_sheet(data)
    assert sheet[f"{label}：{got_help}"] == 10
    assert sheet[f"{label}：{Outcome.NO_CAPACITY.label}"] == "<10"
    lines = pdf_text(formats.pdf(data)).splitlines()
    for code in (Outcome.COULD_NOT_CONTACT, Outcome.DECLINED):
        (line,) = [line for line in lines if line.startswith(f"・{Outcome(code).label} ")]
        assert line.startswith(f"・{Outcome(code).label} <10"), line
    assert f"・{got_help} 10" in lines
    # The observer's downloads carry the same withheld cells.
    client.force_login(oscar)
    response = client.get(f"/kamakura/workspace/reporting/{YEAR}/report.xlsx")
    book = load_workbook(io.BytesIO(response.content)).worksheets[1]
    downloaded = {row[1]: row[2] for row in book.iter_rows(min_row=2, values_only=True)}
    assert downloaded[f"{label}：{Outcome.DECLINED.label}"] == "<10"
    body = client.get(f"/kamakura/workspace/reporting/{YEAR}/report/").content.decode()
    assert f"{Outcome.DECLINED.label}: &lt;10" in body


def test_an_outcome_withheld_alone_takes_another_with_it(supporting_kamakura: Any) -> None:
    """With every other outcome at 0 or 10 and more, one small outcome would be the figure minus the others."""
    from tsunagari.cases.models import Outcome, Referral

    with scopes_disabled():
        closed = Referral.objects.filter(platform=supporting_kamakura, outcome__in=["not_eligible", "no_longer_needed"])
        closed.update(outcome=Outcome.GOT_HELP)  # got help 12; could not contact, no capacity, declined: 2 each
        Referral.objects.filter(platform=supporting_kamakura, outcome__in=["no_capacity", "declined"]).update(
            outcome=Outcome.GOT_HELP
        )  # got help 16, could not contact 2: one small cell beside the figure, 18
    parts = {
        b["label"]: b["value"]
        for b in figures(build(supporting_kamakura, suppress=True))["referrals_closed"]["breakdown"]
    }
    assert parts[str(Outcome.COULD_NOT_CONTACT.label)] is None
    assert parts[str(Outcome.GOT_HELP.label)] is None  # 18 − 16 would give the 2 back


def test_spending_against_budget_in_every_format(
    client: Client, kamakura: Any, reporting_rows: dict[str, Any], alice: Any
) -> None:
    with platform_scope(kamakura, with_national=False):
        line = BudgetLine(name="講師謝金", item=Item.TRAINING, budget=200_000, spent=180_000)
        from tsunagari.reporting import actions

        actions.save_row(reporting_rows["plan"], line, actor=alice, kind="budget")
    data = build(kamakura)
    lines = {b["name"]: (b["budget"], b["spent"], b["percent"]) for b in data["budget"]}
    assert lines == {"広報チラシの印刷": (300_000, 120_000, 40), "講師謝金": (200_000, 180_000, 90)}
    assert data["budget_total"] == {"budget": 500_000, "spent": 300_000, "percent": 60}
    text = pdf_text(formats.pdf(data))
    assert "500,000" in text and "300,000" in text and "60%" in text
    book = load_workbook(io.BytesIO(formats.xlsx(data)))
    budget = [list(row) for row in book.worksheets[3].iter_rows(min_row=2, values_only=True)]
    assert budget == [["広報チラシの印刷", 300_000, 120_000], ["講師謝金", 200_000, 180_000]]
    # Money is not a count of people: an observer sees it as it is.
    assert build(kamakura, suppress=True, roles=("observer",))["budget_total"]["spent"] == 300_000
    client.force_login(alice)
    body = client.get(f"/kamakura/workspace/reporting/{YEAR}/report/").content.decode()
    assert "<td>500000</td><td>300000</td><td>60%</td>" in body


def test_milestones_are_late_once_due_and_not_reached(
    client: Client, kamakura: Any, reporting_rows: dict[str, Any], alice: Any
) -> None:
    # Kamakura's milestone is due on October 31.
    (before,) = build(kamakura, as_of=datetime.date(YEAR, 10, 31))["milestones"]
    (after,) = build(kamakura, as_of=datetime.date(YEAR, 11, 1))["milestones"]
    assert (before["late"], after["late"]) == (False, True)
    assert after["due_on"] == f"{YEAR}-10-31" and after["done_on"] == ""
    assert "遅れ" in pdf_text(formats.pdf(build(kamakura)))
    with scopes_disabled():
        Milestone.objects.filter(pk=reporting_rows["milestone"].pk).update(done_on=datetime.date(YEAR, 11, 5))
    (done,) = build(kamakura)["milestones"]
    assert (done["late"], done["done_on"]) == (False, f"{YEAR}-11-05")
    assert f"{YEAR}-11-05" in pdf_text(formats.pdf(build(kamakura)))
    client.force_login(alice)
    body = client.get(f"/kamakura/workspace/reporting/{YEAR}/report/").content.decode()
    assert "中間報告の提出" in body
