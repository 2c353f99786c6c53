"""Published reference figures from a CSV or Excel file: all or nothing, checked as the entry form checks them.

Every figure here is made up for the test (not any survey's published figures).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tsunagari.audit.models import AuditEvent
from tsunagari.surveys.models import ReferenceFigure
from tsunagari.tenancy.scoping import platform_scope

pytestmark = pytest.mark.django_db

HEADER = "item,year,population,source_title,publisher,url,table,n,no_answer,code,percent,ci_low,ci_high\n"
SOURCE = "2024,テスト用の架空の母集団,テスト用の架空の調査,テスト,https://example.jp/test,表1（架空）,1000,"


def rows(item: str, percents: dict[str, str], source: str = SOURCE, no_answer: str = "") -> str:
    return "".join(f"{item},{source}{no_answer},{code},{p},,\n" for code, p in percents.items())


DIRECT = {"1": "40.0", "2": "30.0", "3": "15.0", "4": "10.0", "5": "5.0"}
CONSULT = {"1": "88.0", "2": "10.0"}


def upload(client: Client, text: str, name: str = "公表値.csv", encoding: str = "utf-8") -> Any:
    return client.post(
        "/kamakura/workspace/surveys/references/import/",
        {"file": SimpleUploadedFile(name, text.encode(encoding))},
    )


def saved(platform: Any) -> list[ReferenceFigure]:
    with platform_scope(platform, with_national=False):
        return list(ReferenceFigure.objects.filter(platform=platform).order_by("item"))


def test_a_file_of_two_distributions_is_saved_with_its_sources(client: Client, kamakura: Any, alice: Any) -> None:
    client.force_login(alice)
    text = HEADER + rows("loneliness_direct", DIRECT) + rows("someone_to_consult", CONSULT, no_answer="2.0")
    response = upload(client, text, encoding="cp932")
    assert response.status_code == 302
    direct, consult = saved(kamakura)
    assert direct.item == "loneliness_direct" and direct.year == 2024 and direct.n == 1000
    assert direct.figures == {code: {"percent": float(p), "ci95": None} for code, p in DIRECT.items()}
    assert consult.no_answer == 2.0 and consult.answering("1") == pytest.approx(88 / 98)
    with platform_scope(kamakura, with_national=False):
        assert AuditEvent.objects.filter(action="survey.reference_added").count() == 2
    page = client.get("/kamakura/workspace/surveys/references/").content.decode()
    assert "テスト用の架空の調査" in page


def test_any_wrong_row_saves_nothing_and_each_is_named(client: Client, kamakura: Any, alice: Any) -> None:
    client.force_login(alice)
    bad_sum = {**DIRECT, "5": "15.0"}
    text = (
        HEADER
        + rows("loneliness_direct", DIRECT)  # rows 2–6: fine
        + "lonely_typo,"
        + SOURCE
        + ",1,50,,\n"  # row 7: no such item
        + rows("someone_to_consult", {"1": "88.0", "3": "12.0"})  # rows 8–9: no option 3, option 2 missing
        + rows("loneliness_direct", bad_sum, source=SOURCE.replace("2024", "2023"))  # rows 10–14: 110%
        + "loneliness_direct,1985,架空,架空,テスト,https://example.jp/x,,,,1,100,90,\n"  # row 15 (and options missing)
    )
    response = upload(client, text)
    assert response.status_code == 400
    page = response.content.decode()
    assert "7 行目、列「item」：「lonely_typo」は標準設問ではありません" in page
    assert "9 行目、列「code」：「3」は someone_to_consult の選択肢ではありません" in page
    assert "8 行目、列「code」：この出典には someone_to_consult の選択肢 2" in page
    assert "10 行目、列「percent」：割合の合計が100%ではなく110.0%です" in page
    assert "15 行目、列「code」：この出典には loneliness_direct の選択肢 2" in page
    assert not saved(kamakura)


def test_the_entry_forms_checks_apply_to_each_row(client: Client, kamakura: Any, alice: Any) -> None:
    client.force_login(alice)
    half = "".join(
        f"loneliness_direct,1985,架空,架空,テスト,ftp://example.jp/x,,,,{code},{p},{'30' if code == '2' else ''},\n"
        for code, p in DIRECT.items()
    )
    response = upload(client, HEADER + half)
    assert response.status_code == 400
    page = response.content.decode()
    assert "2 行目、列「year」：" in page and "1990" in page
    assert "2 行目、列「url」：" in page
    assert "3 行目、列「ci_low」：" in page
    assert not saved(kamakura)
    differing = rows("loneliness_direct", DIRECT).replace("テスト,https", "別の発行者,https", 1)
    response = upload(client, HEADER + differing)
    assert response.status_code == 400
    page = response.content.decode()
    assert "2 行目、列「publisher」" not in page  # the first row sets the source
    assert "3 行目、列「publisher」：同じ出典・設問の 2 行目と異なります（「別の発行者」）" in page
    assert not saved(kamakura)


def test_a_file_without_the_columns_is_refused(client: Client, kamakura: Any, alice: Any) -> None:
    client.force_login(alice)
    response = upload(client, "項目,割合\nloneliness_direct,40\n")
    assert response.status_code == 400
    assert "1行目に列名" in response.content.decode()
    assert not saved(kamakura)


def test_a_published_ucla3_band_distribution_is_compared_with_the_surveys_bands(
    client: Client, kamakura: Any, alice: Any
) -> None:
    """The derived measure (UCLA-3 score bands) takes reference figures too, by score range."""
    from tests.surveys.rows import answer, make_survey

    with platform_scope(kamakura, with_national=False):
        survey = make_survey(kamakura, alice, "ucla3", population=50000)
        # Scores: 3 (×30), 5 (×40), 8 (×20), 11 (×10).
        for items, count in (
            (("1", "1", "1"), 30),
            (("2", "2", "1"), 40),
            (("3", "3", "2"), 20),
            (("4", "4", "3"), 10),
        ):
            for _i in range(count):
                answer(survey, dict(zip(("ucla_companionship", "ucla_left_out", "ucla_isolated"), items, strict=True)))
    client.force_login(alice)
    bands = {"10-12": "5.0", "7-9": "25.0", "4-6": "45.0", "3": "25.0"}
    assert upload(client, HEADER + rows("ucla3_band", bands)).status_code == 302
    response = client.get(f"/kamakura/workspace/surveys/{survey.pk}/report/")
    (compared,) = [c for c in response.context["compared"] if "UCLA" in str(c)]
    lines = {line[0]: line for line in compared["text"]}
    assert lines["3点（決してない）"][1] == "30.0%" and lines["3点（決してない）"][3] == "25.0%"
    assert lines["10～12点（常にある）"][1] == "10.0%" and lines["10～12点（常にある）"][3] == "5.0%"
    assert "ucla3_band" in client.get("/kamakura/workspace/surveys/references/new/").content.decode()
