"""The summary report against hand-computed figures (data: `build_sales_history`)."""

from __future__ import annotations

from domain.clock import OffsetClock
from tests.api.test_reports_world import at, build_sales_history, get_csv, get_report, make_world, set_now
from tests.conftest import Api, Db

MARCH = {"from_": "2026-03-01", "to": "2026-03-31"}


async def test_summary_of_march_in_utc(api: Api, db: Db) -> None:
    world = await make_world(api, db)
    await build_sales_history(world)
    summary = await get_report(api, world.admin, "summary", **MARCH)
    assert summary == {
        # Won in March: D1 1000, D2 3000, D3 500, D6 700 (31 March 23:30 UTC), D9 250, D4 2000 EUR.
        "won_count": 6,
        "won_amount": "5450.00",  # 1000 + 3000 + 500 + 700 + 250 (EUR apart)
        "lost_count": 1,  # D5; D7 was lost on 28 February (23:30 UTC)
        "win_rate": 0.8571,  # 6 / 7
        "new_deals": 7,  # D2, D3, D4, D6, D8, D9, D10
        "new_contacts": 3,  # C3, C4, C7; C5 was merged into C4
        "avg_deal_size": "1090.00",  # 5450 / 5 won in USD
        # Days from first contact: D1 30 (C2, its first contact, not C1), D2 60 (C1's earlier
        # call), D3 10.5, D4 12, D6 15.5, D9 4 (no contacts: from creation).
        "avg_days_to_close": 22.0,  # 132 / 6
        "median_days_to_close": 13.75,  # (12 + 15.5) / 2
        "currency": "USD",
        "other_currencies": {"EUR": "2000.00"},
        "period": {"from": "2026-03-01", "to": "2026-03-31", "timezone": "UTC"},
    }


async def test_summary_of_march_in_paris_moves_the_boundary_deals(api: Api, db: Db) -> None:
    world = await make_world(api, db, timezone="Europe/Paris")
    await build_sales_history(world)
    summary = await get_report(api, world.admin, "summary", **MARCH)
    # March in Paris is [28 Feb 23:00 UTC, 31 Mar 22:00 UTC): D6 (won 31 Mar 23:30 UTC) is April's,
    # D7 (lost 28 Feb 23:30 UTC) is March's.
    assert summary == {
        "won_count": 5,  # D1, D2, D3, D9, D4 (EUR)
        "won_amount": "4750.00",  # 1000 + 3000 + 500 + 250
        "lost_count": 2,  # D5, D7
        "win_rate": 0.7143,  # 5 / 7
        "new_deals": 7,
        "new_contacts": 3,
        "avg_deal_size": "1187.50",  # 4750 / 4
        "avg_days_to_close": 23.3,  # (30 + 60 + 10.5 + 12 + 4) / 5
        "median_days_to_close": 12.0,  # 4, 10.5, [12], 30, 60
        "currency": "USD",
        "other_currencies": {"EUR": "2000.00"},
        "period": {"from": "2026-03-01", "to": "2026-03-31", "timezone": "Europe/Paris"},
    }


async def test_summary_filters_by_owner_and_pipeline(api: Api, db: Db) -> None:
    world = await make_world(api, db)
    await build_sales_history(world)
    bea = await get_report(api, world.admin, "summary", owner_id=world.bea, **MARCH)
    # Bea's: D2 won (3000, 60 days), D5 lost, D2 created in March, contact C4.
    assert {k: v for k, v in bea.items() if k != "period"} == {
        "won_count": 1,
        "won_amount": "3000.00",
        "lost_count": 1,
        "win_rate": 0.5,
        "new_deals": 1,
        "new_contacts": 1,
        "avg_deal_size": "3000.00",
        "avg_days_to_close": 60.0,
        "median_days_to_close": 60.0,
        "currency": "USD",
        "other_currencies": {},
    }
    renewals = await get_report(api, world.admin, "summary", pipeline_id=world.pipelines["Renewals"], **MARCH)
    # D9 alone; contacts have no pipeline, so new_contacts stays the workspace's 3.
    assert {k: v for k, v in renewals.items() if k != "period"} == {
        "won_count": 1,
        "won_amount": "250.00",
        "lost_count": 0,
        "win_rate": 1.0,
        "new_deals": 1,
        "new_contacts": 3,
        "avg_deal_size": "250.00",
        "avg_days_to_close": 4.0,
        "median_days_to_close": 4.0,
        "currency": "USD",
        "other_currencies": {},
    }


async def test_summary_defaults_to_the_current_month(api: Api, db: Db, clock: OffsetClock) -> None:
    world = await make_world(api, db)
    await build_sales_history(world)
    set_now(clock, at("2026-03-20T12:00"))
    assert await get_report(api, world.admin, "summary") == await get_report(
        api, world.admin, "summary", **MARCH
    )


async def test_summary_as_csv(api: Api, db: Db) -> None:
    world = await make_world(api, db)
    await build_sales_history(world)
    lines = await get_csv(api, world.admin, "summary", **MARCH)
    assert lines == [
        "from,to,currency,won_count,won_amount,lost_count,win_rate,new_deals,new_contacts,"
        "avg_deal_size,avg_days_to_close,median_days_to_close,other_currencies",
        "2026-03-01,2026-03-31,USD,6,5450.00,1,0.8571,7,3,1090.00,22.0,13.75,EUR=2000.00",
        "",
    ]
