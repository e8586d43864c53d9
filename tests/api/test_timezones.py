"""A person's time zone: set on /me, and read by Today, reminders and (on request) reports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain.clock import OffsetClock
from tests.automations_support import set_enabled, sweep
from tests.conftest import Api, Db, User

ME = "/api/v1/me"
FAR_EAST = "Pacific/Kiritimati"  # UTC+14: its day starts 14 hours before UTC's


async def _me(api: Api, user: User, **changes: Any) -> dict[str, Any]:
    response = (
        await api.patch(ME, json=changes, headers=user.headers)
        if changes
        else await api.get(ME, headers=user.headers)
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _day_start(now: datetime, zone: str) -> datetime:
    local = now.astimezone(ZoneInfo(zone))
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


async def test_me_reads_and_sets_the_time_zone(api: Api, user: User) -> None:
    me = await _me(api, user)
    assert me["user"]["timezone"] is None and me["timezone"] == "UTC"
    me = await _me(api, user, timezone="Europe/Paris")
    assert me["user"]["timezone"] == "Europe/Paris" and me["timezone"] == "Europe/Paris"
    for bad in ("Mars/Olympus_Mons", "", "../../etc/passwd", "localtime", "europe/paris"):
        response = await api.patch(ME, json={"timezone": bad}, headers=user.headers)
        assert response.status_code == 422, (bad, response.text)
    assert (await _me(api, user))["timezone"] == "Europe/Paris"
    # Cleared, the workspace's zone applies again.
    await api.patch("/api/v1/workspace", json={"timezone": "Asia/Tokyo"}, headers=user.headers)
    me = await _me(api, user, timezone=None)
    assert me["user"]["timezone"] is None and me["timezone"] == "Asia/Tokyo"
    renamed = await _me(api, user, name="Hank S.")
    assert renamed["user"]["name"] == "Hank S."
    assert (await api.patch(ME, json={"name": None}, headers=user.headers)).status_code == 422


async def test_an_api_key_cannot_change_a_persons_settings(api: Api, user: User) -> None:
    key = (await api.post("/api/v1/api-keys", json={"name": "Zapier"}, headers=user.headers)).json()["key"]
    response = await api.patch(
        ME, json={"timezone": "Europe/Paris"}, headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 403
    assert (await _me(api, user))["user"]["timezone"] is None


async def test_today_is_the_users_day_not_the_workspaces(api: Api, user: User, clock: OffsetClock) -> None:
    now = clock.now()
    starts = {zone: _day_start(now, zone) for zone in ("UTC", FAR_EAST)}
    # Due a minute before the later of the two days began: yesterday there, today in the other.
    later_zone = max(starts, key=lambda z: starts[z])
    earlier_zone = FAR_EAST if later_zone == "UTC" else "UTC"
    due = starts[later_zone] - timedelta(minutes=1)
    task = await api.post(
        "/api/v1/activities",
        json={"type": "task", "subject": "Edge", "due_at": due.isoformat()},
        headers=user.headers,
    )
    assert task.status_code == 201

    async def where_is_it() -> tuple[str, str]:
        view = (await api.get("/api/v1/today", headers=user.headers)).json()
        lists = [
            name for name in ("overdue_tasks", "due_today") if any(t["subject"] == "Edge" for t in view[name])
        ]
        return view["timezone"], lists[0]

    expected = {later_zone: "overdue_tasks", earlier_zone: "due_today"}
    assert await where_is_it() == ("UTC", expected["UTC"])
    await _me(api, user, timezone=FAR_EAST)
    assert await where_is_it() == (FAR_EAST, expected[FAR_EAST])
    assert expected["UTC"] != expected[FAR_EAST]
    # Another member of the workspace still sees the workspace's day: the zone is personal.
    await _me(api, user, timezone=None)
    assert (await where_is_it())[0] == "UTC"


async def test_reminders_speak_the_owners_time(api: Api, user: User, db: Db, clock: OffsetClock) -> None:
    await set_enabled(api, user, only=set())
    await _me(api, user, timezone="America/New_York")
    due = datetime(2030, 1, 15, 17, 30, tzinfo=UTC)
    await api.post(
        "/api/v1/activities",
        json={
            "type": "task",
            "subject": "Call Hank",
            "due_at": due.isoformat(),
            "remind_at": (due - timedelta(hours=1)).isoformat(),
        },
        headers=user.headers,
    )
    assert (await sweep(db, user, due - timedelta(minutes=30))).reminders == 1
    items = (await api.get("/api/v1/notifications", headers=user.headers)).json()["items"]
    assert [(n["title"], n["body"]) for n in items] == [
        ("Reminder: Call Hank", "Due 2030-01-15 12:30 America/New_York")
    ]


async def test_reports_read_periods_in_a_zone_on_request(api: Api, user: User) -> None:
    await _me(api, user, timezone=FAR_EAST)
    params = {"from": "2030-01-01", "to": "2030-01-31"}
    default = (await api.get("/api/v1/reports/summary", params=params, headers=user.headers)).json()
    assert default["period"]["timezone"] == "UTC"  # the workspace's: the same figures for everyone
    mine = (
        await api.get("/api/v1/reports/summary", params={**params, "timezone": "user"}, headers=user.headers)
    ).json()
    assert mine["period"]["timezone"] == FAR_EAST
    named = await api.get(
        "/api/v1/reports/sources", params={"timezone": "Europe/Paris"}, headers=user.headers
    )
    assert named.status_code == 200 and named.json()["period"]["timezone"] == "Europe/Paris"
    bad = await api.get("/api/v1/reports/summary", params={"timezone": "Nowhere/Land"}, headers=user.headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["query", "timezone"]
