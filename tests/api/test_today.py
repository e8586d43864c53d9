"""The Today view: the member's tasks and deals, ranked, each deal with its reasons in words and data."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from domain.clock import OffsetClock
from tests.automations_support import create_deal, invite_member, stage_ids
from tests.conftest import Api, User


async def _at(clock: OffsetClock, days_ago: float) -> None:
    clock.offset = timedelta(days=-days_ago)


async def _today(api: Api, user: User) -> dict[str, Any]:
    response = await api.get("/api/v1/today", headers=user.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _reasons(entry: dict[str, Any]) -> dict[str, str]:
    return {r["code"]: r["text"] for r in entry["reasons"]}


async def test_today_lists_tasks_by_urgency_and_value(
    api: Api, user: User, other_user: User, clock: OffsetClock
) -> None:
    day_start = datetime.combine(clock.now().date(), time(), tzinfo=UTC)
    big = await create_deal(api, user, title="Big", amount="90000")

    async def task(subject: str, due: datetime, **extra: Any) -> str:
        response = await api.post(
            "/api/v1/activities",
            headers=user.headers,
            json={"type": "task", "subject": subject, "due_at": due.isoformat(), **extra},
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    long_late = await task("Long late", day_start - timedelta(days=10))
    late_big = await task("Late on a big deal", day_start - timedelta(days=2), deal_id=big["id"])
    late_small = await task("Late, small", day_start - timedelta(days=3))
    today_small = await task("Today, small", day_start + timedelta(minutes=1))
    today_big = await task("Today, big", day_start + timedelta(minutes=2), deal_id=big["id"])
    await task("Tomorrow", day_start + timedelta(days=1, hours=1))
    done = await task("Done", day_start - timedelta(days=1))
    await api.post(f"/api/v1/activities/{done}/complete", headers=user.headers)
    await api.post(
        "/api/v1/activities",
        headers=other_user.headers,
        json={"type": "task", "subject": "Not mine", "due_at": day_start.isoformat()},
    )

    view = await _today(api, user)
    assert view["date"] == str(clock.now().date()) and view["timezone"] == "UTC"
    # Most overdue tier first (over a week), then the bigger deal, then the longer wait.
    assert [t["id"] for t in view["overdue_tasks"]] == [long_late, late_big, late_small]
    assert [t["id"] for t in view["due_today"]] == [today_big, today_small]
    assert view["commitments_due"] == []


async def test_deals_at_risk_and_follow_ups_say_why(api: Api, user: User, clock: OffsetClock) -> None:
    stages = await stage_ids(api, user)
    teammate = await invite_member(api, user)
    try:
        # Five deals that spent five days in Prospect: the workspace's own norm for the stage.
        await _at(clock, 30)
        movers = [
            await create_deal(api, user, title=f"Mover {i}", owner_id=teammate.user_id) for i in range(5)
        ]
        await _at(clock, 25)
        for deal in movers:
            moved = await api.post(
                f"/api/v1/deals/{deal['id']}/move",
                json={"stage_id": stages["Qualified"]},
                headers=user.headers,
            )
            assert moved.status_code == 200, moved.text
        await _at(clock, 20)
        stale = await create_deal(api, user, title="Stale big", amount="50000", stage_id=stages["Qualified"])
        await _at(clock, 12)
        idle = await create_deal(api, user, title="Twelve idle", amount="3000")
        await _at(clock, 0)
    finally:
        clock.offset = timedelta(0)
    today = clock.now().date()
    late = await create_deal(
        api, user, title="Late close", amount="1000", expected_close_date=str(today - timedelta(days=3))
    )
    lowered = await create_deal(api, user, title="Shrinking", amount="20000")
    assert (
        await api.patch(f"/api/v1/deals/{lowered['id']}", json={"amount": "12000"}, headers=user.headers)
    ).status_code == 200
    fresh_small = await create_deal(api, user, title="Fresh small", amount="100")
    fresh_big = await create_deal(api, user, title="Fresh big", amount="7000")
    planned = await create_deal(api, user, title="Planned", amount="999999")
    await api.post(
        "/api/v1/activities",
        headers=user.headers,
        json={
            "type": "meeting",
            "subject": "Demo",
            "deal_id": planned["id"],
            "due_at": (clock.now() + timedelta(days=1)).isoformat(),
        },
    )

    view = await _today(api, user)
    at_risk = {e["deal"]["title"]: e for e in view["at_risk"]}
    assert set(at_risk) == {"Stale big", "Twelve idle", "Late close", "Shrinking"}
    assert _reasons(at_risk["Twelve idle"]) == {
        "idle": "no activity for 12 days; deals in this stage usually move within 5",
        "no_next_step": "no next step scheduled",
    }
    idle_data = next(r["data"] for r in at_risk["Twelve idle"]["reasons"] if r["code"] == "idle")
    assert (
        idle_data["idle_days"] == 12
        and idle_data["norm_days"] == 5.0
        and idle_data["norm_source"] == "history"
    )
    assert _reasons(at_risk["Stale big"])["idle"] == (
        "no activity for 20 days; deals in this stage should move within 14 days (its rotting limit)"
    )
    assert _reasons(at_risk["Late close"])["close_date_passed"] == "expected close date passed 3 days ago"
    shrink = next(r for r in at_risk["Shrinking"]["reasons"] if r["code"] == "amount_decreased")
    assert shrink["text"] == "amount lowered from 20,000 to 12,000"
    assert shrink["data"]["from"] == "20000.00" and shrink["data"]["to"] == "12000.00"
    # Ranked by how much is wrong, then by value.
    assert [e["deal"]["title"] for e in view["at_risk"]] == [
        "Late close",
        "Stale big",
        "Shrinking",
        "Twelve idle",
    ]
    assert (
        at_risk["Stale big"]["deal"]["id"] == stale["id"]
        and at_risk["Twelve idle"]["deal"]["id"] == idle["id"]
    )
    assert late["id"] in {e["deal"]["id"] for e in view["at_risk"]}

    # Follow-ups: open deals with no next step and nothing else wrong, most valuable first.
    assert [(e["deal"]["id"], _reasons(e)) for e in view["follow_ups"]] == [
        (fresh_big["id"], {"no_next_step": "no next step scheduled"}),
        (fresh_small["id"], {"no_next_step": "no next step scheduled"}),
    ]
    assert planned["id"] not in str(view)
    assert "Mover" not in str(view)  # the teammate's deals are on the teammate's Today


async def test_today_uses_the_workspace_time_zone(api: Api, user: User) -> None:
    changed = await api.patch(
        "/api/v1/workspace", json={"timezone": "Pacific/Kiritimati"}, headers=user.headers
    )
    assert changed.status_code == 200, changed.text
    view = await _today(api, user)
    assert view["timezone"] == "Pacific/Kiritimati"
    assert view["date"] == str((datetime.now(UTC) + timedelta(hours=14)).date())
