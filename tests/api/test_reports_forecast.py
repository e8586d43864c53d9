"""The forecast and its monthly snapshots against hand-computed figures.

"Now" is 15 May 2026, 12:00 UTC. Stage probabilities: Lead 10, Qualified 30, Proposal 60,
Negotiation 80, Renewal due 50. Open deals (Ann's unless said; USD unless said):
  O1 Lead 1000 expected 05-20            -> May: weighted 100
  O2 Negotiation 2000 expected 05-31 Bea -> May: weighted 1600, commit
  O3 Proposal 500 expected 04-10 (past)  -> May (past due rolls into the current month): 300
  O4 Qualified 3000 expected 06-15       -> June: 900
  O5 Negotiation 1500 expected 07-01 Bea -> July: 1200, commit
  O6 Proposal 800 expected 08-01         -> August, beyond a three-month window
  O7 Lead 400 without an expected date   -> never forecast
  O8 Negotiation 1000 EUR expected 06-20 -> June, in other_currencies
  O9 Proposal without an amount, 06-01   -> adds nothing
  O10 Renewals' Renewal due 600, 05-10   -> May: 300
Closed: W1 won 05-03 1200; W2 won 04-30 23:30 UTC 700 (1 May in Paris); W3 won 03-10 300;
  W4 lost 05-05 999; W5 won 05-02 500 EUR.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from domain.clock import OffsetClock
from domain.models.reports import ForecastSnapshot
from domain.reports import take_forecast_snapshots_across_workspaces
from tests.api.test_reports_world import World, at, get_csv, get_report, make_world, set_now
from tests.conftest import Api, Db

NOW = at("2026-05-15T12:00")


async def _build(world: World) -> None:
    deal, bea = world.deal, world.bea
    created = "2026-04-01T00:00"
    await deal("O1", created, [("Lead", created)], amount="1000", expected="2026-05-20")
    await deal("O2", created, [("Negotiation", created)], amount="2000", expected="2026-05-31", owner=bea)
    await deal("O3", created, [("Proposal", created)], amount="500", expected="2026-04-10")
    await deal("O4", created, [("Qualified", created)], amount="3000", expected="2026-06-15")
    await deal("O5", created, [("Negotiation", created)], amount="1500", expected="2026-07-01", owner=bea)
    await deal("O6", created, [("Proposal", created)], amount="800", expected="2026-08-01")
    await deal("O7", created, [("Lead", created)], amount="400")
    await deal(
        "O8", created, [("Negotiation", created)], amount="1000", currency="EUR", expected="2026-06-20"
    )
    await deal("O9", created, [("Proposal", created)], amount=None, expected="2026-06-01")
    await deal("O10", created, [("Renewal due", created)], amount="600", expected="2026-05-10")
    await deal("W1", created, [("Lead", created), ("Won", "2026-05-03T00:00")], amount="1200")
    await deal("W2", created, [("Lead", created), ("Won", "2026-04-30T23:30")], amount="700")
    await deal(
        "W3", "2026-03-01T00:00", [("Lead", "2026-03-01T00:00"), ("Won", "2026-03-10T00:00")], amount="300"
    )
    await deal("W4", created, [("Lead", created), ("Lost", "2026-05-05T00:00")], amount="999")
    await deal("W5", created, [("Lead", created), ("Won", "2026-05-02T00:00")], amount="500", currency="EUR")


def _month(
    month: str,
    figures: tuple[str, str, str] | None,
    closed_won: str,
    at_start: str | None = None,
    others: dict[str, str] | None = None,
) -> dict[str, object]:
    weighted, best_case, commit = figures or (None, None, None)
    return {
        "month": month,
        "weighted": weighted,
        "best_case": best_case,
        "commit": commit,
        "closed_won": closed_won,
        "forecast_at_start": at_start,
        "other_currencies": others or {},
    }


async def test_forecast_of_the_next_three_months(api: Api, db: Db, clock: OffsetClock) -> None:
    world = await make_world(api, db)
    await _build(world)
    set_now(clock, NOW)
    report = await get_report(api, world.admin, "forecast")
    # (weighted, best case, commit at 70)
    assert report["months"] == [
        # O1 100 + O2 1600 + O3 300 + O10 300; 1000 + 2000 + 500 + 600; O2. Won: W1.
        _month("2026-05", ("2300.00", "4100.00", "2000.00"), "1200.00"),
        _month("2026-06", ("900.00", "3000.00", "0.00"), "0.00", others={"EUR": "1000.00"}),
        _month("2026-07", ("1200.00", "1500.00", "1500.00"), "0.00"),
    ]
    assert (report["currency"], report["commit_probability"]) == ("USD", 70)


async def test_forecast_commit_threshold_and_filters(api: Api, db: Db, clock: OffsetClock) -> None:
    world = await make_world(api, db)
    await _build(world)
    set_now(clock, NOW)
    at_60 = await get_report(api, world.admin, "forecast", commit_probability=60)
    assert [m["commit"] for m in at_60["months"]] == ["2500.00", "0.00", "1500.00"]
    sales = await get_report(api, world.admin, "forecast", months=1, pipeline_id=world.pipelines["Sales"])
    assert sales["months"] == [_month("2026-05", ("2000.00", "3500.00", "2000.00"), "1200.00")]  # no O10
    bea = await get_report(api, world.admin, "forecast", owner_id=world.bea)
    assert bea["months"] == [
        _month("2026-05", ("1600.00", "2000.00", "2000.00"), "0.00"),
        _month("2026-06", ("0.00", "0.00", "0.00"), "0.00"),
        _month("2026-07", ("1200.00", "1500.00", "1500.00"), "0.00"),
    ]


async def _snapshots(db: Db, world: World) -> dict[uuid.UUID | None, tuple[str, str, str, str]]:
    async with db.sessionmaker() as session:
        rows = (
            await session.scalars(
                select(ForecastSnapshot).where(ForecastSnapshot.workspace_id == world.workspace_id)
            )
        ).all()
    return {
        r.pipeline_id: (f"{r.month:%Y-%m}", str(r.weighted), str(r.best_case), str(r.commit)) for r in rows
    }


async def test_snapshots_are_taken_once_as_each_local_month_begins(api: Api, db: Db) -> None:
    utc = await make_world(api, db, name="UTC Co")
    await _build(utc)
    paris = await make_world(api, db, timezone="Europe/Paris", name="Paris Co")
    await _build(paris)
    assert await take_forecast_snapshots_across_workspaces(db.sessionmaker, NOW) > 0
    assert await take_forecast_snapshots_across_workspaces(db.sessionmaker, NOW) == 0  # a rerun adds nothing
    sales, renewals = utc.pipelines["Sales"], utc.pipelines["Renewals"]
    taken = await _snapshots(db, utc)
    assert taken.pop(None) == ("2026-05", "2300.000", "4100.000", "2000.000")
    assert taken.pop(sales) == ("2026-05", "2000.000", "3500.000", "2000.000")
    assert taken.pop(renewals) == ("2026-05", "300.000", "600.000", "0.000")
    # What is left is the pipeline sign-up created, with nothing in it: zeros, not "no snapshot".
    assert list(taken.values()) == [("2026-05", "0.000", "0.000", "0.000")]

    # 31 May 22:30 UTC is 1 June 00:30 in Paris: Paris's June begins, UTC's May goes on.
    june_in_paris = at("2026-05-31T22:30")
    assert await take_forecast_snapshots_across_workspaces(db.sessionmaker, june_in_paris) > 0
    assert await take_forecast_snapshots_across_workspaces(db.sessionmaker, june_in_paris) == 0
    assert {month for month, *_ in (await _snapshots(db, utc)).values()} == {"2026-05"}
    paris_june = {k: v for k, v in (await _snapshots(db, paris)).items() if v[0] == "2026-06"}
    # June's current month holds everything expected by 30 June: May's 2300 + O4 900.
    assert paris_june[None] == ("2026-06", "3200.000", "7100.000", "2000.000")
    assert len(paris_june) == 4


async def test_past_months_show_closed_won_beside_the_forecast_at_their_start(
    api: Api, db: Db, clock: OffsetClock
) -> None:
    world = await make_world(api, db)
    await _build(world)
    await take_forecast_snapshots_across_workspaces(db.sessionmaker, NOW)
    async with db.sessionmaker() as session, session.begin():
        session.add(
            ForecastSnapshot(
                workspace_id=world.workspace_id,
                month=at("2026-03-01T00:00").date(),
                currency="USD",
                weighted="4321.5",
                best_case="9000",
                commit="100",
                taken_at=at("2026-03-01T00:05"),
            )
        )
    set_now(clock, NOW)
    report = await get_report(api, world.admin, "forecast", from_="2026-03", months=4)
    assert report["months"] == [
        _month("2026-03", None, "300.00", "4321.50"),  # W3
        _month("2026-04", None, "700.00"),  # W2; no snapshot of April
        _month("2026-05", ("2300.00", "4100.00", "2000.00"), "1200.00", "2300.00"),
        _month("2026-06", ("900.00", "3000.00", "0.00"), "0.00", None, {"EUR": "1000.00"}),
    ]
    sales = await get_report(api, world.admin, "forecast", months=1, pipeline_id=world.pipelines["Sales"])
    assert sales["months"][0]["forecast_at_start"] == "2000.00"
    # Snapshots are per workspace and pipeline, not per owner.
    bea = await get_report(api, world.admin, "forecast", months=1, owner_id=world.bea)
    assert bea["months"][0]["forecast_at_start"] is None

    lines = await get_csv(api, world.admin, "forecast", from_="2026-03", months=4)
    assert lines == [
        "month,weighted,best_case,commit,closed_won,forecast_at_start,currency,other_currencies",
        "2026-03,,,,300.00,4321.50,USD,",
        "2026-04,,,,700.00,,USD,",
        "2026-05,2300.00,4100.00,2000.00,1200.00,2300.00,USD,",
        "2026-06,900.00,3000.00,0.00,0.00,,USD,EUR=1000.00",
        "",
    ]


async def test_closed_won_months_follow_the_workspace_time_zone(api: Api, db: Db, clock: OffsetClock) -> None:
    world = await make_world(api, db, timezone="Europe/Paris")
    await _build(world)
    set_now(clock, NOW)
    report = await get_report(api, world.admin, "forecast", from_="2026-04", months=2)
    # W2, won 30 April 23:30 UTC, is won on 1 May in Paris.
    assert [m["closed_won"] for m in report["months"]] == ["0.00", "1900.00"]
