"""Published reference figures beside the survey's own: entry, validation in Japanese, audit, the three report forms.

Every published figure here is TEST DATA made up by the tests (reference_fields), not any survey's.
"""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.test import Client
from pypdf import PdfReader

from tests.conftest import make_user, with_totp
from tests.surveys.rows import answer, make_survey, reference_fields
from tsunagari.accounts.models import Membership, Role
from tsunagari.audit.models import AuditEvent
from tsunagari.surveys import actions
from tsunagari.surveys.models import ReferenceFigure, Survey
from tsunagari.tenancy.scoping import platform_scope, scopes_disabled

pytestmark = pytest.mark.django_db

NEW = "/kamakura/workspace/surveys/references/new/"


@pytest.fixture
def survey(kamakura: Any, alice: Any) -> Survey:
    """100 answers to the direct question: 1×40, 2×30, 3×15, 4×10, 5×5 (a small cell for observers)."""
    with platform_scope(kamakura, with_national=False):
        survey = make_survey(kamakura, alice, "direct", population=50000)
        for code, count in (("1", 40), ("2", 30), ("3", 15), ("4", 10), ("5", 5)):
            for _i in range(count):
                answer(survey, {"loneliness_direct": code})
    return survey


def form_data(**changes: str) -> dict[str, str]:
    data = {
        "item": "loneliness_direct",
        "year": "2024",
        "population": "テスト用の架空の母集団",
        "source_title": "テスト用の架空の調査",
        "publisher": "テスト発行者",
        "url": "https://example.jp/test",
        "table": "表1（架空）",
        "n": "2000",
        "no_answer": "",
        # Made-up test figures: 25.0 + 35.0 + 20.0 + 12.0 + 8.0 = 100.
        "percent_1": "25.0",
        "percent_2": "35.0",
        "percent_3": "20.0",
        "percent_4": "12.0",
        "percent_5": "8.0",
        "low_2": "32.0",
        "high_2": "38.0",
    }
    return {**data, **changes}


def test_a_coordinator_enters_figures_with_their_source_and_the_entry_is_audited(
    client: Client, kamakura: Any, alice: Any
) -> None:
    client.force_login(alice)
    assert (
        'href="/kamakura/workspace/surveys/references/"' in client.get("/kamakura/workspace/surveys/").content.decode()
    )
    page = client.get(NEW + "?item=loneliness_direct").content.decode()
    assert "しばしばある・常にある" in page and 'name="percent_5"' in page
    assert client.post(NEW, form_data()).status_code == 302
    with platform_scope(kamakura, with_national=False):
        saved = ReferenceFigure.objects.get()
        event = AuditEvent.objects.get(action="survey.reference_added")
    assert saved.entered_by == alice and saved.url == "https://example.jp/test"
    assert saved.figures["2"] == {"percent": 35.0, "ci95": [32.0, 38.0]}
    assert saved.figures["1"] == {"percent": 25.0, "ci95": None}
    assert event.changes["figures"]["5"]["percent"] == 8.0 and event.changes["url"] == "https://example.jp/test"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"percent_5": "18.0"}, "__all__", "割合の合計が100%ではなく110.0%です"),
        ({"url": ""}, "url", "このフィールドは必須です"),
        ({"url": "ftp://example.jp/x"}, "url", "https://"),
        ({"year": "2099"}, "year", "1990年から今年"),
        ({"year": "1950"}, "year", "1990年から今年"),
        ({"low_2": "36.0"}, "low_2", "信頼区間は、その数値を含む範囲"),
        ({"high_2": ""}, "low_2", "下限と上限の両方を入力"),
        ({"percent_3": ""}, "percent_3", "このフィールドは必須です"),
    ],
)
def test_bad_figures_are_refused_in_japanese_and_nothing_is_saved(
    client: Client, kamakura: Any, alice: Any, changes: dict[str, str], field: str, message: str
) -> None:
    client.force_login(alice)
    response = client.post(NEW, form_data(**changes))
    assert response.status_code == 400
    errors = " ".join(str(e) for e in response.context["form"].errors.get(field, []))
    assert message in errors, response.context["form"].errors
    assert 'value="テスト用の架空の調査"' in response.content.decode()  # nothing typed is lost
    with platform_scope(kamakura, with_national=False):
        assert not ReferenceFigure.objects.exists()


def test_a_published_no_answer_share_counts_towards_100_and_is_taken_out(client: Client, alice: Any) -> None:
    client.force_login(alice)
    data = form_data(percent_1="24.0", percent_2="34.0", no_answer="2.0", low_2="", high_2="")
    assert client.post(NEW, data).status_code == 302
    with scopes_disabled():
        saved = ReferenceFigure.objects.get()
    assert saved.answering("2") == pytest.approx(34.0 / 98.0)


def test_the_report_sets_the_estimate_and_interval_beside_the_published_figure(
    client: Client, survey: Survey, alice: Any
) -> None:
    with platform_scope(survey.platform, with_national=False):
        # Made-up: 1 is 20% (outside 40%'s interval), 2 is 31% (inside 30%'s interval).
        figures = {"1": 20.0, "2": 31.0, "3": 24.0, "4": 15.0, "5": 10.0}
        fields = reference_fields(figures={c: {"percent": p, "ci95": None} for c, p in figures.items()})
        actions.add_reference(survey.platform, "loneliness_direct", fields, actor=alice)
    client.force_login(alice)
    base = f"/kamakura/workspace/surveys/{survey.pk}/"
    response = client.get(base + "report/")
    compared = response.context["compared"]
    assert len(compared) == 1
    lines = {line[0]: line for line in compared[0]["text"]}
    never = lines["決してない"]
    assert never[1] == "40.0%" and never[3] == "20.0%" and "外にあります" in never[5]
    assert "内にあります" in lines["ほとんどない"][5]
    page = response.content.decode()
    assert "公表値との比較" in page and "標準誤差がないため差の検定は行っていません" in page
    assert "テスト用の架空の調査（公表値ではありません）" in page and "https://example.jp/test-reference" in page
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(base + "report.xlsx").content))["公表値との比較"]
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "40.0%" in cells and "20.0%" in cells and any("example.jp/test-reference" in c for c in cells)
    pdf = client.get(base + "report.pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    for expected in (
        "公表値との比較",
        "40.0%",
        "20.0%",
        "テスト用の架空の調査（公表値ではありません）",
        "https://example.jp",
    ):
        assert expected in text, text[:3000]


def test_without_a_reference_the_report_says_so_and_links_the_coordinator_to_the_entry(
    client: Client, survey: Survey, alice: Any, oscar: Any
) -> None:
    base = f"/kamakura/workspace/surveys/{survey.pk}/report/"
    client.force_login(alice)
    page = client.get(base).content.decode()
    assert "比較用の公表値が登録されていない" in page
    assert f'href="{NEW}?item=loneliness_direct"' in page
    client.force_login(oscar)
    page = client.get(base).content.decode()
    assert "比較用の公表値が登録されていない" in page and NEW not in page
    assert "事務局が登録できます" in page


def test_a_withheld_local_share_is_not_compared(client: Client, survey: Survey, alice: Any, oscar: Any) -> None:
    """An observer's threshold (10) withholds the 5: the comparison shows — beside the published figure."""
    with platform_scope(survey.platform, with_national=False):
        actions.add_reference(survey.platform, "loneliness_direct", reference_fields(), actor=alice)
    client.force_login(oscar)
    compared = client.get(f"/kamakura/workspace/surveys/{survey.pk}/report/").context["compared"]
    often = next(line for line in compared[0]["text"] if line[0] == "しばしばある・常にある")
    assert often[1] == "—" and often[2] == "—" and "非表示" in often[5]


def test_national_figures_reach_every_platform_but_only_their_owner_withdraws_them(
    client: Client, survey: Survey, national: Any, alice: Any, charlie: Any, tottori: Any
) -> None:
    nora = with_totp(make_user("nora"))
    Membership.objects.create(user=nora, platform=national, role=Role.COORDINATOR)
    client.force_login(nora)
    national_new = f"/{national.slug}/workspace/surveys/references/new/"
    assert client.post(national_new, form_data(source_title="全国用のテスト値")).status_code == 302
    with platform_scope(tottori, with_national=False):
        theirs = actions.add_reference(
            tottori, "loneliness_direct", reference_fields(source_title="鳥取のテスト値"), actor=charlie
        )
    with scopes_disabled():
        national_ref = ReferenceFigure.objects.get(platform=national)
    client.force_login(alice)
    report = client.get(f"/kamakura/workspace/surveys/{survey.pk}/report/").content.decode()
    assert "全国用のテスト値" in report and "鳥取のテスト値" not in report
    listing = client.get("/kamakura/workspace/surveys/references/").content.decode()
    assert "全国用のテスト値" in listing and "全国プラットフォーム" in listing
    for other in (national_ref, theirs):  # neither is Kamakura's to withdraw: the same 404 as a missing id
        assert client.post(f"/kamakura/workspace/surveys/references/{other.pk}/withdraw/").status_code == 404
    with scopes_disabled():
        assert not ReferenceFigure.objects.filter(withdrawn_at__isnull=False).exists()
    with platform_scope(survey.platform, with_national=False):
        own = actions.add_reference(
            survey.platform, "loneliness_direct", reference_fields(source_title="鎌倉のテスト値"), actor=alice
        )
    assert client.post(f"/kamakura/workspace/surveys/references/{own.pk}/withdraw/").status_code == 302
    report = client.get(f"/kamakura/workspace/surveys/{survey.pk}/report/").content.decode()
    assert "鎌倉のテスト値" not in report and "全国用のテスト値" in report
    with platform_scope(survey.platform, with_national=False):
        assert AuditEvent.objects.filter(action="survey.reference_withdrawn", object_id=str(own.pk)).exists()
