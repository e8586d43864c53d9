"""The sources report against hand-computed figures (data: `build_sales_history`)."""

from __future__ import annotations

from tests.api.test_reports_world import build_sales_history, get_csv, get_report, make_world
from tests.conftest import Api, Db

MARCH = {"from_": "2026-03-01", "to": "2026-03-31"}


def _row(
    source: str,
    leads: int,
    deals: int,
    won: int,
    lost: int,
    amount: str,
    rate: float | None,
    days: float | None,
    others: dict[str, str] | None = None,
) -> dict[str, object]:
    return {
        "source": source,
        "leads": leads,
        "deals": deals,
        "won_count": won,
        "lost_count": lost,
        "won_amount": amount,
        "win_rate": rate,
        "avg_days_to_close": days,
        "other_currencies": others or {},
    }


async def test_sources_of_march_in_utc(api: Api, db: Db) -> None:
    world = await make_world(api, db)
    await build_sales_history(world)
    report = await get_report(api, world.admin, "sources", **MARCH)
    # Leads (contacts created in March): C3 unknown, C4 web, C7 "=1+1" (C5 merged away).
    # Deals created in March: web D2 D3 D6 D8 D9 D10, partner D4.
    # Closed in March: web won D2 3000 (60 d), D3 500 (10.5 d), D6 700 (15.5 d), D9 250 (4 d),
    # lost D5; referral won D1 1000 (30 d); partner won D4 2000 EUR (12 d).
    assert report["sources"] == [
        _row("web", 1, 6, 4, 1, "4450.00", 0.8, 22.5),  # 90 / 4 days
        _row("referral", 0, 0, 1, 0, "1000.00", 1.0, 30.0),
        _row("partner", 0, 1, 1, 0, "0.00", 1.0, 12.0, {"EUR": "2000.00"}),
        _row("=1+1", 1, 0, 0, 0, "0.00", None, None),  # ties on everything but the name
        _row("unknown", 1, 0, 0, 0, "0.00", None, None),
    ]
    assert report["currency"] == "USD"


async def test_sources_of_march_in_paris(api: Api, db: Db) -> None:
    world = await make_world(api, db, timezone="Europe/Paris")
    await build_sales_history(world)
    report = await get_report(api, world.admin, "sources", **MARCH)
    # D6 (web, won) moves to April; D7 (referral, lost 28 Feb 23:30 UTC) joins March.
    assert report["sources"] == [
        _row("web", 1, 6, 3, 1, "3750.00", 0.75, 24.83),  # (60 + 10.5 + 4) / 3 = 24.833
        _row("referral", 0, 0, 1, 1, "1000.00", 0.5, 30.0),
        _row("partner", 0, 1, 1, 0, "0.00", 1.0, 12.0, {"EUR": "2000.00"}),
        _row("=1+1", 1, 0, 0, 0, "0.00", None, None),
        _row("unknown", 1, 0, 0, 0, "0.00", None, None),
    ]


async def test_sources_filtered_by_owner_and_pipeline(api: Api, db: Db) -> None:
    world = await make_world(api, db)
    await build_sales_history(world)
    bea = await get_report(api, world.admin, "sources", owner_id=world.bea, **MARCH)
    # Bea's: lead C4 (web), deal D2 created in March, D2 won, D5 lost.
    assert bea["sources"] == [_row("web", 1, 1, 1, 1, "3000.00", 0.5, 60.0)]
    renewals = await get_report(api, world.admin, "sources", pipeline_id=world.pipelines["Renewals"], **MARCH)
    # D9 alone among deals; leads are contacts, which no pipeline filters.
    assert renewals["sources"] == [
        _row("web", 1, 1, 1, 0, "250.00", 1.0, 4.0),
        _row("=1+1", 1, 0, 0, 0, "0.00", None, None),
        _row("unknown", 1, 0, 0, 0, "0.00", None, None),
    ]


async def test_sources_as_csv_defuse_formulas(api: Api, db: Db) -> None:
    world = await make_world(api, db)
    await build_sales_history(world)
    lines = await get_csv(api, world.admin, "sources", **MARCH)
    assert lines == [
        "source,leads,deals,won_count,lost_count,won_amount,currency,win_rate,avg_days_to_close,other_currencies",
        "web,1,6,4,1,4450.00,USD,0.8,22.5,",
        "referral,0,0,1,0,1000.00,USD,1.0,30.0,",
        "partner,0,1,1,0,0.00,USD,1.0,12.0,EUR=2000.00",
        "'=1+1,1,0,0,0,0.00,USD,,,",
        "unknown,1,0,0,0,0.00,USD,,,",
        "",
    ]
