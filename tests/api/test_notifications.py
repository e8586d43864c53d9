"""Reminders become notifications when due (once per task and time); the member's list, unread
count, marking read."""

from __future__ import annotations

from datetime import timedelta

from domain.clock import OffsetClock
from tests.automations_support import invite_member, set_enabled, sweep
from tests.conftest import Api, Db, User


async def _task(api: Api, user: User, subject: str, **times: str) -> dict:
    response = await api.post(
        "/api/v1/activities", json={"type": "task", "subject": subject, **times}, headers=user.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def _list(api: Api, user: User, **params: str) -> dict:
    response = await api.get("/api/v1/notifications", params=params, headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_task_reminds_its_owner_at_remind_at_and_when_due(
    api: Api, user: User, db: Db, clock: OffsetClock
) -> None:
    await set_enabled(api, user, only=set())
    member = await invite_member(api, user)
    due = clock.now() + timedelta(hours=3)
    task = await _task(
        api,
        user,
        "Call Hank",
        due_at=due.isoformat(),
        remind_at=(due - timedelta(hours=1)).isoformat(),
        owner_id=member.user_id,
    )
    assert (await sweep(db, user, clock.now())).reminders == 0
    assert (await sweep(db, user, due - timedelta(minutes=50))).reminders == 1
    assert (await sweep(db, user, due - timedelta(minutes=40))).reminders == 0
    assert (await sweep(db, user, due + timedelta(seconds=1))).reminders == 1

    page = await _list(api, member)
    assert [(n["type"], n["title"]) for n in page["items"]] == [
        ("task_due", "Due now: Call Hank"),
        ("reminder", "Reminder: Call Hank"),
    ]
    assert page["unread_count"] == 2
    assert {n["subject_id"] for n in page["items"]} == {task["id"]}
    assert all(n["subject_type"] == "activity" and n["read_at"] is None for n in page["items"])
    assert (await _list(api, user))["items"] == []  # the assignee's, nobody else's

    # A new due time reminds again; a completed task does not.
    later = due + timedelta(days=1)
    await api.patch(
        f"/api/v1/activities/{task['id']}",
        json={"due_at": later.isoformat(), "remind_at": None},
        headers=user.headers,
    )
    assert (await sweep(db, user, later + timedelta(seconds=1))).reminders == 1
    done = await _task(api, user, "Done already", due_at=(clock.now() + timedelta(minutes=1)).isoformat())
    await api.post(f"/api/v1/activities/{done['id']}/complete", headers=user.headers)
    assert (await sweep(db, user, clock.now() + timedelta(minutes=2))).reminders == 0


async def test_list_unread_read_and_read_all(api: Api, user: User, db: Db, clock: OffsetClock) -> None:
    await set_enabled(api, user, only=set())
    now = clock.now()
    for n in range(3):
        await _task(api, user, f"Task {n}", due_at=(now + timedelta(minutes=n + 1)).isoformat())
    for n in range(3):  # one sweep per due time, so each notification has its own time
        await sweep(db, user, now + timedelta(minutes=n + 1, seconds=1))
    page = await _list(api, user, limit="2")
    assert len(page["items"]) == 2 and page["next_cursor"] and page["unread_count"] == 3
    assert [n["title"] for n in page["items"]] == ["Due now: Task 2", "Due now: Task 1"]
    rest = await _list(api, user, limit="2", cursor=page["next_cursor"])
    assert [n["title"] for n in rest["items"]] == ["Due now: Task 0"] and rest["next_cursor"] is None

    first = page["items"][0]["id"]
    read = await api.post(f"/api/v1/notifications/{first}/read", headers=user.headers)
    assert read.status_code == 200 and read.json()["read_at"] is not None
    again = await api.post(f"/api/v1/notifications/{first}/read", headers=user.headers)
    assert again.json()["read_at"] == read.json()["read_at"]  # the first time it was read stays
    unread = await _list(api, user, unread="true")
    assert first not in {n["id"] for n in unread["items"]} and unread["unread_count"] == 2
    assert [n["id"] for n in (await _list(api, user, unread="false"))["items"]] == [first]

    everything = await api.post("/api/v1/notifications/read-all", headers=user.headers)
    assert everything.status_code == 200 and everything.json() == {"marked": 2, "unread_count": 0}
    assert (await _list(api, user))["unread_count"] == 0


async def test_someone_elses_notification_is_404(
    api: Api, user: User, other_user: User, db: Db, clock: OffsetClock
) -> None:
    await _task(api, user, "Mine", due_at=(clock.now() + timedelta(minutes=1)).isoformat())
    await sweep(db, user, clock.now() + timedelta(minutes=2))
    mine = (await _list(api, user))["items"][0]["id"]
    colleague = await invite_member(api, user)
    for who in (other_user, colleague):
        response = await api.post(f"/api/v1/notifications/{mine}/read", headers=who.headers)
        assert response.status_code == 404, response.text
        assert (await _list(api, who))["items"] == []
    assert (await _list(api, user))["items"][0]["read_at"] is None
