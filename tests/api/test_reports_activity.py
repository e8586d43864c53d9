"""Activity per owner per period against hand-computed figures.

April 2026 starts on a Wednesday: its weeks are those of Mon 30 Mar (clipped), 6, 13, 20, 27 Apr.
Ann:  call 04-01 10:00; call and email 04-07 (plus an automation's email, not counted);
      meeting 04-14 on deal M1 and a note 04-14; tasks completed 04-08 and 04-30 23:30 UTC (1 May in
      Paris), one task still open; a call on 03-31 22:30 UTC (1 April 00:30 in Paris).
Bea:  two emails 04-15; a task an automation created, completed by her 04-16.
Nobody: a note 04-20.
Moves: M1 (Sales) created by Ann 04-02 (a creation, not a move), moved by Ann 04-07 and 04-14;
      M2 (Renewals) moved by Bea 04-15; M3 (Sales) moved by an API key and by an automation.
"""

from __future__ import annotations

import uuid

from tests.api.test_reports_world import World, get_csv, get_report, make_world
from tests.conftest import Api, Db

APRIL = {"from_": "2026-04-01", "to": "2026-04-30"}


async def _build(world: World) -> None:
    ann, bea = world.ann, world.bea
    m1 = await world.deal("M1", "2026-04-02T00:00", [
        ("Lead", "2026-04-02T00:00"), ("Qualified", "2026-04-07T09:00"), ("Proposal", "2026-04-14T09:00"),
    ])  # fmt: skip
    await world.deal("M2", "2026-04-01T00:00", [
        ("Renewal due", "2026-04-01T00:00"), ("Renewed", "2026-04-15T09:00", bea, "user"),
    ])  # fmt: skip
    await world.deal("M3", "2026-04-03T00:00", [
        ("Lead", "2026-04-03T00:00"), ("Qualified", "2026-04-16T09:00", uuid.uuid4(), "api_key"),
        ("Proposal", "2026-04-17T09:00", None, "automation"),
    ])  # fmt: skip
    activity = world.activity
    await activity("call", "2026-04-01T10:00", owner=ann)
    await activity("call", "2026-04-07T10:00", owner=ann)
    await activity("email", "2026-04-07T11:00", owner=ann)
    await activity("email", "2026-04-07T12:00", owner=ann, by="automation")
    await activity("meeting", "2026-04-14T10:00", owner=ann, deal=m1)
    await activity("note", "2026-04-14T11:00", owner=ann)
    await activity("task", "2026-04-02T00:00", owner=ann, completed="2026-04-08T09:00")
    await activity("task", "2026-04-08T00:00", owner=ann)
    await activity("task", "2026-04-20T00:00", owner=ann, completed="2026-04-30T23:30")
    await activity("call", "2026-03-31T22:30", owner=ann)
    await activity("email", "2026-04-15T09:00", owner=bea)
    await activity("email", "2026-04-15T10:00", owner=bea)
    await activity("task", "2026-04-10T00:00", owner=bea, completed="2026-04-16T09:00", by="automation")
    await activity("note", "2026-04-20T00:00", owner=None)


def _row(
    start: str, owner: uuid.UUID | None, name: str | None, counts: tuple[int, int, int, int, int, int]
) -> dict[str, object]:
    calls, emails, meetings, notes, tasks, moved = counts
    return {
        "period_start": start,
        "owner_id": str(owner) if owner else None,
        "owner_name": name,
        "calls": calls,
        "emails": emails,
        "meetings": meetings,
        "notes": notes,
        "tasks_completed": tasks,
        "deals_moved": moved,
    }


async def test_activity_per_owner_per_week(api: Api, db: Db) -> None:
    world = await make_world(api, db)
    await _build(world)
    ann, bea = world.ann, world.bea
    report = await get_report(api, world.admin, "activity", group="week", **APRIL)
    # counts: calls, emails, meetings, notes, tasks completed, deals moved
    assert report["rows"] == [
        _row("2026-03-30", ann, "Ann", (1, 0, 0, 0, 0, 0)),
        _row("2026-04-06", ann, "Ann", (1, 1, 0, 0, 1, 1)),
        _row("2026-04-13", ann, "Ann", (0, 0, 1, 1, 0, 1)),
        _row("2026-04-13", bea, "Bea", (0, 2, 0, 0, 1, 1)),
        _row("2026-04-20", None, None, (0, 0, 0, 1, 0, 0)),
        _row("2026-04-27", ann, "Ann", (0, 0, 0, 0, 1, 0)),
    ]
    assert report["group"] == "week"
    assert report["period"] == {"from": "2026-04-01", "to": "2026-04-30", "timezone": "UTC"}


async def test_activity_per_month_in_two_time_zones(api: Api, db: Db) -> None:
    utc = await make_world(api, db, name="UTC Co")
    await _build(utc)
    paris = await make_world(api, db, timezone="Europe/Paris", name="Paris Co")
    await _build(paris)
    assert (await get_report(api, utc.admin, "activity", group="month", **APRIL))["rows"] == [
        _row("2026-04-01", utc.ann, "Ann", (2, 1, 1, 1, 2, 2)),
        _row("2026-04-01", utc.bea, "Bea", (0, 2, 0, 0, 1, 1)),
        _row("2026-04-01", None, None, (0, 0, 0, 1, 0, 0)),
    ]
    # In Paris, the 31 March 22:30 UTC call is April's and the 30 April 23:30 UTC task is May's.
    assert (await get_report(api, paris.admin, "activity", group="month", **APRIL))["rows"] == [
        _row("2026-04-01", paris.ann, "Ann", (3, 1, 1, 1, 1, 2)),
        _row("2026-04-01", paris.bea, "Bea", (0, 2, 0, 0, 1, 1)),
        _row("2026-04-01", None, None, (0, 0, 0, 1, 0, 0)),
    ]


async def test_activity_filters(api: Api, db: Db) -> None:
    world = await make_world(api, db)
    await _build(world)
    sales = await get_report(
        api, world.admin, "activity", group="month", pipeline_id=world.pipelines["Sales"], **APRIL
    )
    # In Sales: Ann's meeting on M1 and her two moves of M1; Bea's move was in Renewals.
    assert sales["rows"] == [_row("2026-04-01", world.ann, "Ann", (0, 0, 1, 0, 0, 2))]
    bea = await get_report(api, world.admin, "activity", group="month", owner_id=world.bea, **APRIL)
    assert bea["rows"] == [_row("2026-04-01", world.bea, "Bea", (0, 2, 0, 0, 1, 1))]


async def test_activity_as_csv(api: Api, db: Db) -> None:
    world = await make_world(api, db)
    await _build(world)
    lines = await get_csv(api, world.admin, "activity", group="month", **APRIL)
    assert lines == [
        "period_start,owner_id,owner_name,calls,emails,meetings,notes,tasks_completed,deals_moved",
        f"2026-04-01,{world.ann},Ann,2,1,1,1,2,2",
        f"2026-04-01,{world.bea},Bea,0,2,0,0,1,1",
        "2026-04-01,,,0,0,0,1,0,0",
        "",
    ]
