"""The prefecture and national views: observers see only the platforms they oversee, counts only, small ones withheld."""

from __future__ import annotations

import datetime
import json
from typing import Any

import jsonschema
import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import make_user
from tests.reporting.activity import at, year_of_activity, year_of_joint_support
from tests.reporting.rows import YEAR
from tsunagari.accounts.models import Membership, Role
from tsunagari.audit.models import AuditEvent
from tsunagari.programs.models import Event
from tsunagari.reporting.oversight import open_data_schema
from tsunagari.tenancy.models import Municipality, Platform
from tsunagari.tenancy.scoping import scope, scopes_disabled

pytestmark = pytest.mark.django_db
AFTER_THE_YEAR = datetime.datetime(YEAR + 1, 5, 1, 3, tzinfo=datetime.UTC)


def observer(name: str, *platforms: Any) -> Any:
    user = make_user(name)
    for platform in platforms:
        Membership.objects.create(user=user, platform=platform, role=Role.OBSERVER)
    return user


@pytest.fixture
def both(kamakura: Any, tottori: Any) -> tuple[Any, Any]:
    with scope(platform=[kamakura.pk, tottori.pk]):
        year_of_activity(kamakura, YEAR)
        year_of_activity(tottori, YEAR, with_public_events=False)
    return kamakura, tottori


@pytest.fixture
def people(both: tuple[Any, Any], alice: Any, root: Any) -> dict[str, Any]:
    kamakura, tottori = both
    return {
        "kanagawa": observer("kanagawa-observer", kamakura),
        "tottori": observer("tottori-observer", tottori),
        "national": observer("national-observer", kamakura, tottori),
        "coordinator": alice,
        "superuser": root,
    }


OVERSIGHT = {
    "overview": "/reporting/",
    "kanagawa": "/reporting/prefectures/14/",
    "tottori": "/reporting/prefectures/31/",
    "csv": "/reporting/open-data.csv",
    "json": "/reporting/open-data.json",
}
# persona → the pages it may open (200); every other page is 404.
ALLOWED = {
    "kanagawa": {"overview", "kanagawa", "csv", "json"},
    "tottori": {"overview", "tottori", "csv", "json"},
    "national": set(OVERSIGHT),
    "superuser": set(OVERSIGHT),
    "coordinator": set(),  # a coordinator who observes nothing: nothing to see here
}


@pytest.mark.parametrize("persona", [*ALLOWED, "anonymous"])
@pytest.mark.parametrize("page", list(OVERSIGHT))
def test_oversight_permission_matrix(client: Client, people: dict[str, Any], persona: str, page: str) -> None:
    if persona != "anonymous":
        client.force_login(people[persona])
    response = client.get(OVERSIGHT[page], {"year": YEAR})
    if persona == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == (200 if page in ALLOWED[persona] else 404), f"{persona} {page}"


def test_the_schema_is_public(client: Client) -> None:
    assert client.get("/reporting/open-data.schema.json").status_code == 200


def test_an_observer_sees_only_the_platforms_they_oversee(client: Client, people: dict[str, Any], both: Any) -> None:
    kamakura, tottori = both
    client.force_login(people["kanagawa"])
    for url in ("/reporting/", "/reporting/prefectures/14/", "/reporting/open-data.json", "/reporting/open-data.csv"):
        body = client.get(url, {"year": YEAR}).content.decode()
        assert kamakura.name in body
        assert tottori.name not in body and "鳥取" not in body, url


def test_figures_leave_as_counts_with_small_ones_withheld(client: Client, people: dict[str, Any]) -> None:
    client.force_login(people["national"])
    records = json.loads(client.get("/reporting/open-data.json", {"year": YEAR}).content)["records"]
    by_key = {(r["local_government_code"], r["figure"]): r for r in records}
    assert by_key["142042", "meetings_held"]["value"] is None  # 6 meetings: withheld
    assert by_key["142042", "meetings_held"]["withheld"] is True
    assert by_key["142042", "training_completed"]["value"] == 15
    assert by_key["31", "public_events_held"]["value"] == 0  # zero says nothing about anyone
    body = client.get("/reporting/prefectures/14/", {"year": YEAR}).content.decode()
    assert "&lt;10" in body


def test_open_data_follows_its_schema_and_states_its_licence(client: Client, people: dict[str, Any]) -> None:
    client.force_login(people["national"])
    document = json.loads(client.get("/reporting/open-data.json", {"year": YEAR}).content)
    jsonschema.validate(document, open_data_schema())
    assert document["licence"] == "CC BY 4.0"
    csv_text = client.get("/reporting/open-data.csv", {"year": YEAR}).content.decode("utf-8-sig")
    assert csv_text.startswith("# CC BY 4.0")
    assert "local_government_code" in csv_text.splitlines()[1]


def test_open_data_downloads_are_audited(client: Client, people: dict[str, Any]) -> None:
    client.force_login(people["national"])
    client.get("/reporting/open-data.csv", {"year": YEAR})
    client.get("/reporting/open-data.json", {"year": YEAR})
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="reporting.open_data_downloaded", actor=people["national"]).count() == 2


def test_a_withheld_count_is_never_said_to_reach_its_target(
    client: Client, people: dict[str, Any], both: tuple[Any, Any]
) -> None:
    from tsunagari.reporting.models import Item, Kpi, Plan
    from tsunagari.reporting.oversight import picture

    with scopes_disabled():
        for platform_id in (both[0].pk, both[1].pk):
            plan = Plan.objects.create(platform_id=platform_id, fiscal_year=YEAR)
            # 6 meetings each (withheld): reached or not, it would tell that there were at least 5.
            Kpi.objects.create(
                platform_id=platform_id, plan=plan, item=Item.PLATFORM, name="会議", target=5, counter="meetings_held"
            )
            # 15 completed the training (shown): reached.
            Kpi.objects.create(
                platform_id=platform_id,
                plan=plan,
                item=Item.TRAINING,
                name="養成",
                target=10,
                counter="training_completed",
            )
        pic = picture(Platform.objects.filter(pk__in=[both[0].pk, both[1].pk]), YEAR, today=AFTER_THE_YEAR.date())
    side_by_side = {k["counter"]: k for k in pic.kpis}
    assert (side_by_side["meetings_held"]["reached"], side_by_side["meetings_held"]["unknown"]) == (0, 2)
    assert (side_by_side["training_completed"]["reached"], side_by_side["training_completed"]["unknown"]) == (2, 0)
    client.force_login(people["national"])
    body = client.get("/reporting/", {"year": YEAR}).content.decode()
    assert "0 （不明 2：件数は非公表）" in body


def test_gaps_are_flagged_after_september(client: Client, people: dict[str, Any]) -> None:
    client.force_login(people["national"])
    with time_machine.travel(AFTER_THE_YEAR):
        body = client.get("/reporting/prefectures/31/", {"year": YEAR}).content.decode()
    # No case workshop and no referral counted (joint support): one required item with nothing done.
    assert body.count('class="gap"') == 1
    # The national view counts the platforms with a gap per prefecture: 鎌倉 and 鳥取 both lack joint support.
    with time_machine.travel(AFTER_THE_YEAR):
        body = client.get("/reporting/", {"year": YEAR}).content.decode()
    assert body.count('<strong class="gap">1</strong>') == 2
    # An activity carried out under it by the end of September closes 鎌倉's gap, there and in its
    # prefecture's count of platforms active in the item.
    from tsunagari.reporting.models import Activity, Item, Plan
    from tsunagari.reporting.oversight import picture

    kamakura = Platform.objects.get(slug="kamakura")
    with scopes_disabled():
        plan = Plan.objects.create(platform=kamakura, fiscal_year=YEAR)
        Activity.objects.create(
            platform=kamakura, plan=plan, item=Item.PILOT, title="事例検討", carried_out_on=datetime.date(YEAR, 9, 1)
        )
        pic = picture(Platform.objects.filter(slug__in=["kamakura", "tottori-pref"]), YEAR, today=AFTER_THE_YEAR.date())
    pilot = list(Item).index(Item.PILOT)
    by_code = {p["code"]: p for p in pic.prefectures}
    assert (by_code["14"]["gaps"], by_code["14"]["active"][pilot]) == (0, 1)
    assert (by_code["31"]["gaps"], by_code["31"]["active"][pilot]) == (1, 0)
    with time_machine.travel(datetime.datetime(YEAR, 9, 1, 3, tzinfo=datetime.UTC)):
        body = client.get("/reporting/prefectures/31/", {"year": YEAR}).content.decode()
    assert 'class="gap"' not in body


def platforms_with_activity(count: int) -> list[Any]:
    taken = Platform.objects.filter(municipality__isnull=False).values("municipality_id")
    codes = Municipality.objects.exclude(code__in=taken).order_by("code").values_list("code", flat=True)[:count]
    platforms = [
        Platform.objects.create(
            slug=f"m{code}", name=f"{code}のプラットフォーム", kind="municipality", municipality_id=code
        )
        for code in codes
    ]
    with scopes_disabled():
        for platform in platforms:
            year_of_activity(platform, YEAR)
    return platforms


def test_the_national_view_costs_the_same_queries_for_few_or_many_platforms(client: Client, root: Any) -> None:
    counts = []
    for more in (3, 9):
        platforms_with_activity(more)
        client.force_login(root)
        client.get("/reporting/", {"year": YEAR})  # the session and caches settle first
        with CaptureQueriesContext(connection) as queries:
            for url in ("/reporting/", "/reporting/prefectures/01/", "/reporting/open-data.json"):
                assert client.get(url, {"year": YEAR}).status_code == 200
        counts.append(len(queries))
    assert Platform.objects.count() >= 12
    assert counts[0] == counts[1]


# --- secondary suppression: no withheld count comes back by subtraction ------------------------------


def recoverable(pic: Any) -> list[str]:
    """Each published sum beside which exactly one count is withheld (the sum minus the others gives it)."""
    found = []
    for key in pic.keys:
        hidden_prefectures = 0
        for prefecture in pic.prefectures:
            members = [r for r in pic.platforms if r.prefecture_code == prefecture["code"]]
            hidden = sum(r.figures[key] is None for r in members)
            if prefecture["figures"][key] is not None and hidden == 1:
                found.append(f"{key} in {prefecture['name']}")
            # A withheld prefecture figure whose platforms are all shown can be added up from them.
            hidden_prefectures += prefecture["figures"][key] is None and hidden > 0
        if pic.totals[key] is not None and hidden_prefectures == 1:
            found.append(f"{key} nationally")
    return found


def test_no_withheld_count_can_be_recovered_from_a_published_sum(areas: None, tottori: Any) -> None:
    from tsunagari.reporting.models import Item, Kpi, Plan
    from tsunagari.reporting.oversight import picture

    kanagawa = [
        Platform.objects.create(slug=slug, name=slug, kind="municipality", municipality_id=code)
        for slug, code in (("kamakura", "142042"), ("fujisawa", "142051"), ("chigasaki", "142077"))
    ]
    everyone = [*kanagawa, tottori]
    with scope(platform=[p.pk for p in everyone]):
        # 6, 12 and 18 meetings in 神奈川県 (36, shown), 12 in 鳥取県: 36 − 12 − 18 would give 鎌倉市's 6.
        for platform, n in zip(everyone, (6, 12, 18, 12), strict=True):
            Event.objects.bulk_create(
                Event(
                    platform=platform,
                    kind=Event.Kind.MEETING,
                    title=f"会議 {i}",
                    starts_at=at(datetime.date(YEAR, 5, 1) + datetime.timedelta(days=i)),
                    ends_at=at(datetime.date(YEAR, 5, 1) + datetime.timedelta(days=i), 16),
                )
                for i in range(n)
            )
        plan = Plan.objects.create(platform=kanagawa[0], fiscal_year=YEAR)
        Kpi.objects.create(
            platform=kanagawa[0], plan=plan, item=Item.PLATFORM, name="会議", target=10, counter="meetings_held"
        )
    with scopes_disabled():
        pic = picture(Platform.objects.filter(pk__in=[p.pk for p in everyone]), YEAR, today=AFTER_THE_YEAR.date())
    rows = {r.slug: r for r in pic.platforms}
    assert rows["kamakura"].figures["meetings_held"] is None  # 6: withheld
    assert rows["fujisawa"].figures["meetings_held"] is None  # 12: withheld beside it
    assert rows["chigasaki"].figures["meetings_held"] == 18
    assert recoverable(pic) == []
    # A percentage of a withheld count gives it back from the target (6 of 10 → 60%).
    (kpi,) = rows["kamakura"].kpis
    assert kpi["shown"] is None and kpi["percent"] is None
    (side_by_side,) = [k for k in pic.kpis if k["counter"] == "meetings_held"]
    assert side_by_side["percent"] is None


@pytest.mark.parametrize(
    ("values", "total", "after"),
    [
        ([None, 12, 30, 0], 47, [None, None, 30, 0]),  # the smallest count above zero goes with it
        ([None, 0, 0], 5, [None, None, 0]),  # only zeros beside it: one of them
        ([None, None, 30], 40, [None, None, 30]),  # two withheld: their sum only
        ([None, 12], None, [None, 12]),  # the sum is withheld itself: nothing to subtract from
        ([12, 30], 42, [12, 30]),
    ],
)
def test_a_count_withheld_alone_beside_a_sum_takes_another_with_it(
    values: list[int | None], total: int | None, after: list[int | None]
) -> None:
    from tsunagari.reporting.report import withhold_beside

    withhold_beside(values, total)
    assert values == after


# --- one query per figure, whatever the number of periods --------------------------------------------


# Figures the synthetic years of tests/reporting/activity.py leave at 0.
NOT_IN_THE_SYNTHETIC_YEAR = {"case_workshops_held"}


def test_each_figure_counts_every_period_in_one_query(both: Any, case_keys: None) -> None:
    from tsunagari.membership.models import Agreement
    from tsunagari.reporting.counters import COUNTERS, first_half, fiscal_year

    kamakura = both[0]
    with scope(platform=[kamakura.pk]):
        year_of_joint_support(kamakura, YEAR)
        # In force two years before only; from the year on; with no dates; signed but not in force.
        for starts, ends, status in (
            (datetime.date(YEAR - 2, 4, 1), datetime.date(YEAR - 1, 3, 31), Agreement.Status.IN_FORCE),
            (datetime.date(YEAR, 6, 1), None, Agreement.Status.IN_FORCE),  # signed the day before
            (None, None, Agreement.Status.IN_FORCE),
            (None, None, Agreement.Status.NEGOTIATING),
        ):
            signed = starts - datetime.timedelta(days=1) if starts and starts.year == YEAR else None
            Agreement.objects.create(
                platform=kamakura, title="協定", starts_on=starts, ends_on=ends, status=status, signed_on=signed
            )

    periods = [fiscal_year(YEAR - 2), fiscal_year(YEAR - 1), fiscal_year(YEAR), first_half(YEAR)]
    ids = Platform.objects.filter(pk__in=[p.pk for p in both]).values("pk")
    for counter in COUNTERS:
        assert counter.available, counter.key
        with CaptureQueriesContext(connection) as queries:
            together = counter.count_periods(ids, periods)
        assert len(queries) == 1, counter.key
        # The same counts as one period at a time (a platform missing counts 0).
        alone = [counter.count(ids, period) for period in periods]
        assert [{k: n for k, n in c.items() if n} for c in together] == [
            {k: n for k, n in c.items() if n} for c in alone
        ], counter.key
        assert any(any(c.values()) for c in together) or counter.key in NOT_IN_THE_SYNTHETIC_YEAR, counter.key
        if counter.key == "agreements_in_force":
            assert [c.get(kamakura.pk, 0) for c in together] == [2, 1, 2, 2]


# --- KPIs side by side, spending, trends across years ------------------------------------------------


def test_kpis_side_by_side_count_platforms_not_kpis(client: Client, people: dict[str, Any], both: Any) -> None:
    """A platform with two KPIs on one counter is one platform with this KPI, and one unknown."""
    from tsunagari.reporting.models import Item, Kpi, Plan
    from tsunagari.reporting.oversight import picture

    kamakura, tottori = both
    with scopes_disabled():
        # 6 meetings each (withheld); 鎌倉 set two KPIs on them.
        for platform, targets in ((kamakura, (5, 8)), (tottori, (10,))):
            plan = Plan.objects.create(platform=platform, fiscal_year=YEAR)
            for target in targets:
                Kpi.objects.create(
                    platform=platform,
                    plan=plan,
                    item=Item.PLATFORM,
                    name=f"会議 {target}回",
                    target=target,
                    counter="meetings_held",
                )
        pic = picture(Platform.objects.filter(pk__in=[kamakura.pk, tottori.pk]), YEAR, today=AFTER_THE_YEAR.date())
    (meetings,) = [k for k in pic.kpis if k["counter"] == "meetings_held"]
    assert (meetings["platforms"], meetings["unknown"], meetings["reached"]) == (2, 2, 0)
    assert meetings["target"] == 8 + 10  # each platform's highest target
    client.force_login(people["national"])
    body = client.get("/reporting/", {"year": YEAR}).content.decode()
    assert "0 （不明 2：件数は非公表）" in body


def test_two_kpis_of_one_withheld_platform_do_not_publish_its_count() -> None:
    """Counted per KPI, 鎌倉's two KPIs made two unknowns, so the sum was shown: 24 − 12 = 2 × its 6."""
    from tsunagari.reporting.oversight import PlatformRow, _kpis_side_by_side

    def row(pk: int, *kpis: tuple[int, int, int | None]) -> PlatformRow:
        found = [
            {
                "item": "platform",
                "name": "会議",
                "target": target,
                "counter": "meetings_held",
                "actual": n,
                "shown": shown,
            }
            for target, n, shown in kpis
        ]
        return PlatformRow(pk, f"p{pk}", f"p{pk}", "14", "神奈川県", "14", kpis=found)

    (meetings,) = _kpis_side_by_side([row(1, (5, 6, None), (8, 6, None)), row(2, (10, 12, 12))])
    assert (meetings["platforms"], meetings["unknown"], meetings["reached"]) == (2, 1, 1)
    assert meetings["actual"] is None and meetings["percent"] is None


def test_spending_against_budget_is_summed_per_platform_and_prefecture(
    client: Client, people: dict[str, Any], both: Any
) -> None:
    from tsunagari.reporting.models import BudgetLine, Plan

    kamakura, tottori = both
    with scopes_disabled():
        for platform, lines in (
            (kamakura, (("委託料", 1_000_000, 600_000), ("謝金", 200_000, 150_000))),
            (tottori, (("印刷製本費", 300_000, 300_000),)),
        ):
            plan = Plan.objects.create(platform=platform, fiscal_year=YEAR)
            for name, budget, spent in lines:
                BudgetLine.objects.create(platform=platform, plan=plan, name=name, budget=budget, spent=spent)
        last_year = Plan.objects.create(platform=kamakura, fiscal_year=YEAR - 1)  # another year: not summed
        BudgetLine.objects.create(platform=kamakura, plan=last_year, name="委託料", budget=9_000_000, spent=9_000_000)
    client.force_login(people["national"])
    body = client.get("/reporting/", {"year": YEAR}).content.decode()
    # Money is not a count of people: shown as it is, per prefecture.
    assert "<td>750000 / 1200000</td>" in body  # 神奈川県
    assert "<td>300000 / 300000</td>" in body  # 鳥取県
    body = client.get("/reporting/prefectures/14/", {"year": YEAR}).content.decode()
    assert "<td>750000 / 1200000</td>" in body
    # An observer of 鳥取 only sees nothing of 神奈川's spending.
    client.force_login(people["tottori"])
    body = client.get("/reporting/", {"year": YEAR}).content.decode()
    assert "750000" not in body and "<td>300000 / 300000</td>" in body


def test_trends_compare_each_year_up_to_the_same_day(client: Client, people: dict[str, Any], both: Any) -> None:
    from tsunagari.reporting.oversight import picture

    kamakura, tottori = both
    with scope(platform=[kamakura.pk]):
        year_of_activity(kamakura, YEAR - 1)
    ids = Platform.objects.filter(pk__in=[kamakura.pk, tottori.pk])

    def trend(today: datetime.date, key: str, platforms: Any = ids) -> tuple[list[int], list[int | None]]:
        with scopes_disabled():
            (years,) = picture(platforms, YEAR, today=today).trends
        (row,) = [r for r in years["rows"] if r["key"] == key]
        return years["years"], row["values"]

    # Portal pages seen: 40 a day on 30 days from April 1, every 12 days, for each platform and year.
    assert trend(AFTER_THE_YEAR.date(), "portal_visits") == ([YEAR - 2, YEAR - 1, YEAR], [0, 1200, 2400])
    # On September 1 each year is counted up to September 1: 13 of the 30 days.
    assert trend(datetime.date(YEAR, 9, 1), "portal_visits") == ([YEAR - 2, YEAR - 1, YEAR], [0, 520, 1040])
    # Small counts are withheld in trends too: 6 meetings a year in 鎌倉 alone.
    kamakura_only = Platform.objects.filter(pk=kamakura.pk)
    assert trend(AFTER_THE_YEAR.date(), "meetings_held", kamakura_only)[1] == [0, None, None]
    # Stocks (members at the end) are no trend of activity.
    with scopes_disabled():
        (years,) = picture(ids, YEAR, today=AFTER_THE_YEAR.date()).trends
    assert "members_total" not in {r["key"] for r in years["rows"]}
    client.force_login(people["national"])
    with time_machine.travel(AFTER_THE_YEAR):
        for url in ("/reporting/", "/reporting/prefectures/14/"):
            body = client.get(url, {"year": YEAR}).content.decode()
            assert f"{YEAR - 2}年度" in body and f"{YEAR}年度" in body, url
            assert "<td>0</td><td>1200</td>" in body, url  # portal pages seen: 鎌倉's two years
