"""What every report shares: credentials, members, empty workspaces, 422s, CSV, workspace walls."""

from __future__ import annotations

import uuid

import pytest

from domain.clock import OffsetClock
from tests.api.test_reports_world import REPORTS, World, at, get_report, make_world, set_now
from tests.conftest import Api, Db


def _params(report: str, world: World) -> dict[str, str]:
    return {"pipeline_id": str(world.pipelines["Sales"])} if report == "funnel" else {}


async def test_reports_need_credentials(api: Api) -> None:
    for report in REPORTS:
        response = await api.get(f"/api/v1/reports/{report}")
        assert response.status_code == 401, report
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_every_member_reads_every_report_as_json_and_csv(api: Api, db: Db) -> None:
    world = await make_world(api, db)
    for report in REPORTS:
        for fmt in ("json", "csv"):
            response = await api.get(
                f"/api/v1/reports/{report}",
                params={"format": fmt, **_params(report, world)},
                headers=world.member.headers,
            )
            assert response.status_code == 200, (report, fmt, response.text)
            expected = "application/json" if fmt == "json" else "text/csv; charset=utf-8"
            assert response.headers["content-type"] == expected


async def test_an_empty_workspace_reports_zeros(api: Api, db: Db, clock: OffsetClock) -> None:
    world = await make_world(api, db)
    set_now(clock, at("2026-03-20T12:00"))
    summary = await get_report(api, world.admin, "summary")
    assert summary == {
        "won_count": 0,
        "won_amount": "0.00",
        "lost_count": 0,
        "win_rate": None,
        "new_deals": 0,
        "new_contacts": 0,
        "avg_deal_size": None,
        "avg_days_to_close": None,
        "median_days_to_close": None,
        "currency": "USD",
        "other_currencies": {},
        "period": {"from": "2026-03-01", "to": "2026-03-31", "timezone": "UTC"},
    }
    funnel = await get_report(api, world.admin, "funnel", pipeline_id=world.pipelines["Renewals"])
    assert [(s["name"], s["entered"], s["reached"], s["converted_to_next"]) for s in funnel["stages"]] == [
        ("Renewal due", 0, 0, 0),
        ("Renewed", 0, 0, None),
        ("Churned", 0, 0, None),
    ]
    assert (await get_report(api, world.admin, "sources"))["sources"] == []
    assert (await get_report(api, world.admin, "activity"))["rows"] == []
    forecast = await get_report(api, world.admin, "forecast", months=1)
    assert forecast["months"] == [
        {
            "month": "2026-03",
            "weighted": "0.00",
            "best_case": "0.00",
            "commit": "0.00",
            "closed_won": "0.00",
            "forecast_at_start": None,
            "other_currencies": {},
        }
    ]


async def test_period_and_filter_checks_are_422_naming_the_parameter(api: Api, db: Db) -> None:
    world = await make_world(api, db)
    cases = [
        ("summary", {"from": "2026-03-02", "to": "2026-03-01"}, "from"),
        ("sources", {"from": "2026-03-02", "to": "2026-03-01"}, "from"),
        ("activity", {"from": "2026-03-02", "to": "2026-03-01"}, "from"),
        ("won-over-time", {"from": "2026-03-02", "to": "2026-03-01"}, "from"),
        ("summary", {"from": "not-a-date"}, "from"),
        ("summary", {"owner_id": "nobody"}, "owner_id"),
        ("funnel", {}, "pipeline_id"),
        (
            "funnel",
            {"pipeline_id": str(world.pipelines["Sales"]), "from": "2026-03-02", "to": "2026-03-01"},
            "from",
        ),
        ("activity", {"group": "day"}, "group"),
        ("won-over-time", {"interval": "year"}, "interval"),
        ("won-over-time", {"interval": "week", "from": "1990-01-01", "to": "2026-01-01"}, "interval"),
        ("forecast", {"months": "0"}, "months"),
        ("forecast", {"months": "25"}, "months"),
        ("forecast", {"from": "2026-13"}, "from"),
        ("forecast", {"from": "2026-3"}, "from"),
        ("forecast", {"from": "9998-06", "months": "24"}, "from"),
        ("forecast", {"commit_probability": "101"}, "commit_probability"),
        ("summary", {"format": "xml"}, "format"),
    ]
    for report, params, name in cases:
        response = await api.get(f"/api/v1/reports/{report}", params=params, headers=world.admin.headers)
        assert response.status_code == 422, (report, params, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert ["query", name] in [e["loc"] for e in response.json()["errors"]], (report, params)


async def test_another_workspace_sees_nothing_and_its_ids_match_nothing(api: Api, db: Db) -> None:
    ours = await make_world(api, db, name="Ours")
    theirs = await make_world(api, db, name="Theirs")
    contact = await theirs.contact("2026-03-05T00:00", source="web")
    await theirs.deal(
        "Their win", "2026-03-02T00:00", [("Lead", "2026-03-02T00:00"), ("Won", "2026-03-09T00:00")],
        amount="999", source="web", contacts=[contact],
    )  # fmt: skip
    await theirs.activity("call", "2026-03-05T00:00", owner=theirs.ann)
    march = {"from_": "2026-03-01", "to": "2026-03-31"}
    for params in ({}, {"pipeline_id": theirs.pipelines["Sales"]}, {"owner_id": theirs.ann}):
        summary = await get_report(api, ours.admin, "summary", **march, **params)
        assert (summary["won_count"], summary["new_deals"], summary["new_contacts"]) == (0, 0, 0)
        assert (await get_report(api, ours.admin, "sources", **march, **params))["sources"] == []
        assert (await get_report(api, ours.admin, "activity", **march, **params))["rows"] == []
        won = await get_report(api, ours.admin, "won-over-time", interval="month", **march, **params)
        assert won["points"] == [
            {"period_start": "2026-03-01", "won_count": 0, "won_amount": "0.00", "other_currencies": {}}
        ]
    # Their pipeline is not ours to follow: no stages, the same as an id that never existed.
    funnel = await get_report(api, ours.admin, "funnel", pipeline_id=theirs.pipelines["Sales"], **march)
    assert funnel["stages"] == []
    missing = await get_report(api, ours.admin, "funnel", pipeline_id=uuid.uuid4(), **march)
    assert missing["stages"] == []
    # And they still see their own.
    assert (await get_report(api, theirs.admin, "summary", **march))["won_count"] == 1


@pytest.mark.parametrize("report", REPORTS)
async def test_each_report_declares_csv_in_the_contract(report: str, api: Api) -> None:
    schema = (await api.get("/openapi.json")).json()
    ok = schema["paths"][f"/api/v1/reports/{report}"]["get"]["responses"]["200"]["content"]
    assert set(ok) == {"application/json", "text/csv"}
