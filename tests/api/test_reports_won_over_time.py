"""Won over time against hand-computed figures (data: `build_sales_history`)."""

from __future__ import annotations

from tests.api.test_reports_world import build_sales_history, get_csv, get_report, make_world
from tests.conftest import Api, Db


def _point(start: str, count: int, amount: str, others: dict[str, str] | None = None) -> dict[str, object]:
    return {"period_start": start, "won_count": count, "won_amount": amount, "other_currencies": others or {}}


async def test_weekly_points_fill_empty_weeks_with_zeros(api: Api, db: Db) -> None:
    world = await make_world(api, db)
    await build_sales_history(world)
    report = await get_report(
        api, world.admin, "won-over-time", interval="week", from_="2026-03-01", to="2026-03-31"
    )
    # Weeks start on Monday: 1 March 2026 is a Sunday, so the first week is 23 Feb's (clipped
    # to 1 March). Won: D9 Thu 5th; D1 Thu 12th, D4 Sun 15th (EUR); D3 Fri 20th, D2 Sat 21st;
    # D6 Tue 31st 23:30 UTC.
    assert report["points"] == [
        _point("2026-02-23", 0, "0.00"),
        _point("2026-03-02", 1, "250.00"),
        _point("2026-03-09", 2, "1000.00", {"EUR": "2000.00"}),
        _point("2026-03-16", 2, "3500.00"),
        _point("2026-03-23", 0, "0.00"),
        _point("2026-03-30", 1, "700.00"),
    ]
    assert (report["interval"], report["currency"]) == ("week", "USD")


async def test_monthly_points_in_two_time_zones(api: Api, db: Db) -> None:
    utc = await make_world(api, db, name="UTC Co")
    await build_sales_history(utc)
    paris = await make_world(api, db, timezone="Europe/Paris", name="Paris Co")
    await build_sales_history(paris)
    window = {"interval": "month", "from_": "2026-01-01", "to": "2026-04-30"}
    assert (await get_report(api, utc.admin, "won-over-time", **window))["points"] == [
        _point("2026-01-01", 0, "0.00"),
        _point("2026-02-01", 0, "0.00"),
        _point("2026-03-01", 6, "5450.00", {"EUR": "2000.00"}),
        _point("2026-04-01", 1, "10000.00"),  # D10
    ]
    # In Paris D6 (31 Mar 23:30 UTC) is won on 1 April.
    assert (await get_report(api, paris.admin, "won-over-time", **window))["points"] == [
        _point("2026-01-01", 0, "0.00"),
        _point("2026-02-01", 0, "0.00"),
        _point("2026-03-01", 5, "4750.00", {"EUR": "2000.00"}),
        _point("2026-04-01", 2, "10700.00"),
    ]


async def test_won_over_time_filters(api: Api, db: Db) -> None:
    world = await make_world(api, db)
    await build_sales_history(world)
    march = {"from_": "2026-03-01", "to": "2026-03-31"}
    renewals = await get_report(
        api, world.admin, "won-over-time", interval="month", pipeline_id=world.pipelines["Renewals"], **march
    )
    assert renewals["points"] == [_point("2026-03-01", 1, "250.00")]
    bea = await get_report(api, world.admin, "won-over-time", interval="week", owner_id=world.bea, **march)
    assert [p["won_count"] for p in bea["points"]] == [0, 0, 0, 1, 0, 0]
    assert bea["points"][3] == _point("2026-03-16", 1, "3000.00")


async def test_won_over_time_as_csv(api: Api, db: Db) -> None:
    world = await make_world(api, db)
    await build_sales_history(world)
    lines = await get_csv(
        api, world.admin, "won-over-time", interval="week", from_="2026-03-01", to="2026-03-31"
    )
    assert lines[0] == "period_start,won_count,won_amount,currency,other_currencies"
    assert lines[1] == "2026-02-23,0,0.00,USD,"
    assert lines[3] == "2026-03-09,2,1000.00,USD,EUR=2000.00"
    assert len(lines) == 1 + 6 + 1  # header, six weeks, the final line break
