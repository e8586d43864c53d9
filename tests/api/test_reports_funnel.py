"""The funnel report against hand-computed figures.

Sales stages by position: Lead 0, Qualified 1, Proposal 2, Negotiation 3, Won 4, Lost 5.
Deals created in April 2026 (the cohort); "now" is 1 May 00:00 UTC:
  F1 (Ann) Lead 04-01 -> Qualified 04-03 -> Proposal 04-08 -> Negotiation 04-10 -> Won 04-20
         Lead 2 d, Qualified 5 d, Proposal 2 d, Negotiation 10 d
  F2 (Ann) Lead 04-02 -> Proposal 04-06 (skips Qualified) -> Lost 04-16: Lead 4 d, Proposal 10 d
  F3 (Ann) created into Qualified 04-05 -> Proposal 04-07 -> back to Qualified 04-09 -> Proposal
         04-12, still there: Qualified 2 + 3 = 5 d, Proposal 2 + 19 = 21 d
  F4 (Bea) Lead 04-10, still there: 21 d
  F5 (Bea) Lead 04-12 -> Negotiation 04-14 (skips two) -> Won 04-24: Lead 2 d, Negotiation 10 d
  F6 (Bea) Lead 04-15 -> Renewals' "Renewal due" 04-17 (another pipeline ends the stay): Lead 2 d
Outside the cohort: F7 created 25 March (moved in April); F8 created in April in Renewals only.
"""

from __future__ import annotations

from domain.clock import OffsetClock
from tests.api.test_reports_world import World, at, get_csv, get_report, make_world, set_now
from tests.conftest import Api, Db, User

APRIL = {"from_": "2026-04-01", "to": "2026-04-30"}


async def _build(world: World) -> None:
    bea = world.bea
    await world.deal("F1", "2026-04-01T00:00", [
        ("Lead", "2026-04-01T00:00"), ("Qualified", "2026-04-03T00:00"), ("Proposal", "2026-04-08T00:00"),
        ("Negotiation", "2026-04-10T00:00"), ("Won", "2026-04-20T00:00"),
    ])  # fmt: skip
    await world.deal("F2", "2026-04-02T00:00", [
        ("Lead", "2026-04-02T00:00"), ("Proposal", "2026-04-06T00:00"), ("Lost", "2026-04-16T00:00"),
    ])  # fmt: skip
    await world.deal("F3", "2026-04-05T00:00", [
        ("Qualified", "2026-04-05T00:00"), ("Proposal", "2026-04-07T00:00"),
        ("Qualified", "2026-04-09T00:00"), ("Proposal", "2026-04-12T00:00"),
    ])  # fmt: skip
    await world.deal("F4", "2026-04-10T00:00", [("Lead", "2026-04-10T00:00")], owner=bea)
    await world.deal("F5", "2026-04-12T00:00", [
        ("Lead", "2026-04-12T00:00"), ("Negotiation", "2026-04-14T00:00"), ("Won", "2026-04-24T00:00"),
    ], owner=bea)  # fmt: skip
    await world.deal("F6", "2026-04-15T00:00", [
        ("Lead", "2026-04-15T00:00"), ("Renewal due", "2026-04-17T00:00"),
    ], owner=bea)  # fmt: skip
    await world.deal(
        "F7", "2026-03-25T00:00", [("Lead", "2026-03-25T00:00"), ("Qualified", "2026-04-02T00:00")]
    )
    await world.deal("F8", "2026-04-20T00:00", [("Renewal due", "2026-04-20T00:00")])


def _stage(
    name: str,
    entered: int,
    reached: int,
    converted: int | None,
    rate: float | None,
    median: float | None,
    p90: float | None,
) -> tuple[object, ...]:
    return (name, entered, reached, converted, rate, median, p90)


def _rows(report: dict[str, object]) -> list[tuple[object, ...]]:
    keys = ("name", "entered", "reached", "converted_to_next", "conversion_rate")
    return [
        (*(s[k] for k in keys), s["median_days_in_stage"], s["p90_days_in_stage"]) for s in report["stages"]
    ]


async def test_funnel_of_april(api: Api, db: Db, clock: OffsetClock) -> None:
    world = await make_world(api, db)
    await _build(world)
    set_now(clock, at("2026-05-01T00:00"))
    report = await get_report(api, world.admin, "funnel", pipeline_id=world.pipelines["Sales"], **APRIL)
    # Paths (stages entered; furthest open/won position): F1 {L,Q,P,N,W} 4, F2 {L,P,Lost} 2,
    # F3 {Q,P} 2, F4 {L} 0, F5 {L,N,W} 4, F6 {L} 0.
    # reached(S) = entered S, or furthest > position(S):
    #   Lead: all six; Qualified: F1 F3 + F2 F5 = 4; Proposal: F1 F2 F3 + F5 = 4;
    #   Negotiation: F1 F5 = 2; Won: F1 F5 = 2; Lost: F2 = 1.
    # converted_to_next = reached(S) and reached(next): Lead->Qualified 4 (4/6), Qualified->Proposal 4,
    #   Proposal->Negotiation 2 (2/4), Negotiation->Won 2.
    # Days (per deal, visits added up): Lead [2, 2, 2, 4, 21]: median 2, p90 4 + 0.6 x 17 = 14.2;
    #   Qualified [5, 5]; Proposal [2, 10, 21]: median 10, p90 10 + 0.8 x 11 = 18.8; Negotiation [10, 10].
    assert _rows(report) == [
        _stage("Lead", 5, 6, 4, 0.6667, 2.0, 14.2),
        _stage("Qualified", 2, 4, 4, 1.0, 5.0, 5.0),
        _stage("Proposal", 3, 4, 2, 0.5, 10.0, 18.8),
        _stage("Negotiation", 2, 2, 2, 1.0, 10.0, 10.0),
        _stage("Won", 2, 2, None, None, None, None),
        _stage("Lost", 1, 1, None, None, None, None),
    ]
    assert report["pipeline_id"] == str(world.pipelines["Sales"])
    assert [s["kind"] for s in report["stages"]] == ["open"] * 4 + ["won", "lost"]
    assert report["stages"][0]["stage_id"] == str(world.stage("Lead").id)


async def test_funnel_for_one_owner(api: Api, db: Db, clock: OffsetClock) -> None:
    world = await make_world(api, db)
    await _build(world)
    set_now(clock, at("2026-05-01T00:00"))
    report = await get_report(
        api, world.admin, "funnel", pipeline_id=world.pipelines["Sales"], owner_id=world.ann, **APRIL
    )
    # Ann's F1, F2, F3. Lead: entered F1 F2, reached also F3 (got further) = 3.
    # Lead days [2, 4]: median 3, p90 2 + 0.9 x 2 = 3.8.
    assert _rows(report) == [
        _stage("Lead", 2, 3, 3, 1.0, 3.0, 3.8),
        _stage("Qualified", 2, 3, 3, 1.0, 5.0, 5.0),
        _stage("Proposal", 3, 3, 1, 0.3333, 10.0, 18.8),
        _stage("Negotiation", 1, 1, 1, 1.0, 10.0, 10.0),
        _stage("Won", 1, 1, None, None, None, None),
        _stage("Lost", 1, 1, None, None, None, None),
    ]


async def test_funnel_of_the_other_pipeline_and_another_month(api: Api, db: Db, clock: OffsetClock) -> None:
    world = await make_world(api, db)
    await _build(world)
    set_now(clock, at("2026-05-01T00:00"))
    renewals = await get_report(api, world.admin, "funnel", pipeline_id=world.pipelines["Renewals"], **APRIL)
    # F6 entered "Renewal due" 04-17 and is there 14 days; F8 since 04-20, 11 days. Nobody renewed.
    # p90 of [11, 14]: 11 + 0.9 x 3 = 13.7.
    assert _rows(renewals) == [
        _stage("Renewal due", 2, 2, 0, 0.0, 12.5, 13.7),
        _stage("Renewed", 0, 0, None, None, None, None),
        _stage("Churned", 0, 0, None, None, None, None),
    ]
    march = await get_report(
        api, world.admin, "funnel", pipeline_id=world.pipelines["Sales"], from_="2026-03-01", to="2026-03-31"
    )
    # F7 alone: Lead 25 Mar -> Qualified 2 Apr (8 d), in Qualified since (29 d to 1 May).
    assert _rows(march)[:2] == [
        _stage("Lead", 1, 1, 1, 1.0, 8.0, 8.0),
        _stage("Qualified", 1, 1, 0, 0.0, 29.0, 29.0),
    ]


async def test_funnel_as_csv(api: Api, db: Db, clock: OffsetClock) -> None:
    world = await make_world(api, db)
    await _build(world)
    set_now(clock, at("2026-05-01T00:00"))
    lines = await get_csv(api, world.admin, "funnel", pipeline_id=world.pipelines["Sales"], **APRIL)
    assert lines[0] == (
        "stage_id,name,kind,position,entered,reached,converted_to_next,conversion_rate,"
        "median_days_in_stage,p90_days_in_stage"
    )
    assert lines[1] == f"{world.stage('Lead').id},Lead,open,0,5,6,4,0.6667,2.0,14.2"
    assert lines[5] == f"{world.stage('Won').id},Won,won,4,2,2,,,,"
    assert len(lines) == 1 + 6 + 1


async def test_a_pipeline_with_more_stages_than_a_word_holds(api: Api, user: User) -> None:
    # The report keeps each deal's path as bits, 63 stages to a word: stage 64 and up use a second.
    pipeline = await api.post(
        "/api/v1/pipelines",
        json={"name": "Long road", "stages": [{"name": f"Step {n:02}"} for n in range(50)]},
        headers=user.headers,
    )
    assert pipeline.status_code == 201, pipeline.text
    pipeline_id = pipeline.json()["id"]
    for n in range(50, 70):
        added = await api.post(
            f"/api/v1/pipelines/{pipeline_id}/stages", json={"name": f"Step {n:02}"}, headers=user.headers
        )
        assert added.status_code == 201, added.text
    stages = {
        s["name"]: s["id"]
        for s in (await api.get(f"/api/v1/pipelines/{pipeline_id}", headers=user.headers)).json()["stages"]
    }
    deal = await api.post(
        "/api/v1/deals",
        json={"title": "Far", "pipeline_id": pipeline_id, "stage_id": stages["Step 62"]},
        headers=user.headers,
    )
    assert deal.status_code == 201, deal.text
    for name in ("Step 64", "Step 68"):
        moved = await api.post(
            f"/api/v1/deals/{deal.json()['id']}/move", json={"stage_id": stages[name]}, headers=user.headers
        )
        assert moved.status_code == 200, moved.text
    report = await api.get(
        "/api/v1/reports/funnel", params={"pipeline_id": pipeline_id}, headers=user.headers
    )
    assert report.status_code == 200, report.text
    by_name = {s["name"]: s for s in report.json()["stages"]}
    assert [n for n, s in by_name.items() if s["entered"]] == ["Step 62", "Step 64", "Step 68"]
    assert by_name["Step 10"]["reached"] == 1 and by_name["Step 68"]["reached"] == 1
    assert by_name["Step 69"]["reached"] == 0
