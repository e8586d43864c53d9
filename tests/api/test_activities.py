"""Activities: create with links, merge-patch, complete (once), If-Match, delete, a task list's filters."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from domain.models import Deal, OutboxEvent, Pipeline, Stage
from tests.conftest import Api, Db, User

ACTIVITIES = "/api/v1/activities"


async def make_deal(db: Db, owner: User, title: str = "Big deal") -> str:
    """A deal written straight to the database: these tests need one to link to, not the deal API."""
    workspace_id = uuid.UUID(owner.workspace_id)
    now = datetime.now(UTC)
    pipeline = Pipeline(
        id=uuid.uuid4(),
        workspace_id=workspace_id,
        name=f"P {uuid.uuid4().hex[:6]}",
        created_at=now,
        updated_at=now,
    )
    stage = Stage(
        id=uuid.uuid4(),
        workspace_id=workspace_id,
        pipeline_id=pipeline.id,
        name="New",
        position=0,
        created_at=now,
        updated_at=now,
    )
    deal = Deal(
        id=uuid.uuid4(),
        workspace_id=workspace_id,
        title=title,
        currency="USD",
        pipeline_id=pipeline.id,
        stage_id=stage.id,
        rank="a0",
        stage_entered_at=now,
        created_at=now,
        updated_at=now,
    )
    async with db.sessionmaker() as session, session.begin():
        session.add(pipeline)
        await session.flush()
        session.add(stage)
        await session.flush()
        session.add(deal)
    return str(deal.id)


async def _activity(api: Api, user: User, **fields: Any) -> dict[str, Any]:
    response = await api.post(
        ACTIVITIES, json={"type": "task", "subject": "Follow up", **fields}, headers=user.headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def _ids(api: Api, user: User, **params: str) -> list[str]:
    response = await api.get(ACTIVITIES, params=params, headers=user.headers)
    assert response.status_code == 200, response.text
    return [a["id"] for a in response.json()["items"]]


def _at(days: float) -> str:
    return (datetime(2030, 1, 1, 9, tzinfo=UTC) + timedelta(days=days)).isoformat().replace("+00:00", "Z")


async def test_create_linked_to_a_contact_account_and_deal(api: Api, user: User, db: Db) -> None:
    account = (await api.post("/api/v1/accounts", json={"name": "Globex"}, headers=user.headers)).json()
    contact = (await api.post("/api/v1/contacts", json={"first_name": "Hank"}, headers=user.headers)).json()
    deal_id = await make_deal(db, user)
    response = await api.post(
        ACTIVITIES,
        json={
            "type": "call",
            "subject": " Discovery call ",
            "body": "Talked budgets",
            "due_at": _at(1),
            "contact_id": contact["id"],
            "account_id": account["id"],
            "deal_id": deal_id,
        },
        headers=user.headers,
    )
    assert response.status_code == 201, response.text
    activity = response.json()
    assert activity["subject"] == "Discovery call"
    assert (activity["contact_id"], activity["account_id"], activity["deal_id"]) == (
        contact["id"],
        account["id"],
        deal_id,
    )
    assert activity["owner_id"] == user.user_id and activity["created_by_type"] == "user"
    assert activity["completed_at"] is None and activity["due_at"] == _at(1)
    assert response.headers["ETag"] == '"1"'
    fetched = await api.get(f"{ACTIVITIES}/{activity['id']}", headers=user.headers)
    assert fetched.json() == activity
    async with db.sessionmaker() as session:
        event = (
            await session.scalars(
                select(OutboxEvent).where(
                    OutboxEvent.type == "activity.created",
                    OutboxEvent.subject_id == uuid.UUID(activity["id"]),
                )
            )
        ).one()
    assert event.payload["subject"] == "Discovery call" and event.payload["deal_id"] == deal_id


async def test_links_outside_the_workspace_are_422_naming_the_field(
    api: Api, user: User, other_user: User, db: Db
) -> None:
    foreign_contact = (
        await api.post("/api/v1/contacts", json={"first_name": "X"}, headers=other_user.headers)
    ).json()
    foreign_deal = await make_deal(db, other_user)
    for field, value in (
        ("contact_id", foreign_contact["id"]),
        ("deal_id", foreign_deal),
        ("account_id", str(uuid.uuid4())),
        ("owner_id", other_user.user_id),
    ):
        response = await api.post(
            ACTIVITIES, json={"type": "note", "subject": "x", field: value}, headers=user.headers
        )
        assert response.status_code == 422, field
        assert response.json()["errors"][0]["loc"][-1] == field
    assert await _ids(api, user) == []


async def test_invalid_shapes_are_422(api: Api, user: User) -> None:
    for body in (
        {"type": "fax", "subject": "x"},
        {"type": "task"},
        {"type": "task", "subject": ""},
        {"type": "task", "subject": "x", "due_at": "2030-01-01T09:00:00"},
    ):
        assert (await api.post(ACTIVITIES, json=body, headers=user.headers)).status_code == 422, body


async def test_complete_sets_the_time_once(api: Api, user: User, clock: Any) -> None:
    task = await _activity(api, user, due_at=_at(0))
    path = f"{ACTIVITIES}/{task['id']}/complete"
    done = await api.post(path, headers={**user.headers, "If-Match": '"1"'})
    assert done.status_code == 200, done.text
    completed_at = done.json()["completed_at"]
    assert completed_at is not None and done.headers["ETag"] == '"2"'
    clock.advance(timedelta(hours=2))
    again = await api.post(path, headers=user.headers)
    assert again.status_code == 200
    assert again.json()["completed_at"] == completed_at and again.json()["version"] == 2
    assert (await api.post(path, headers={**user.headers, "If-Match": '"1"'})).status_code == 412
    reopened = await api.patch(
        f"{ACTIVITIES}/{task['id']}", json={"completed_at": None}, headers=user.headers
    )
    assert reopened.json()["completed_at"] is None
    assert (await api.post(f"{ACTIVITIES}/{uuid.uuid4()}/complete", headers=user.headers)).status_code == 404


async def test_patch_if_match_and_delete(api: Api, user: User, other_user: User) -> None:
    task = await _activity(api, user, body="Call about renewal")
    path = f"{ACTIVITIES}/{task['id']}"
    changed = await api.patch(path, json={"subject": "Call Hank", "type": "call"}, headers=user.headers)
    assert changed.status_code == 200
    body = changed.json()
    assert (body["subject"], body["type"], body["body"], body["version"]) == (
        "Call Hank",
        "call",
        "Call about renewal",
        2,
    )
    assert (await api.patch(path, json={"subject": None}, headers=user.headers)).status_code == 422
    stale = await api.patch(path, json={"subject": "Nope"}, headers={**user.headers, "If-Match": '"1"'})
    assert stale.status_code == 412
    assert (await api.get(path, headers=user.headers)).json()["subject"] == "Call Hank"
    assert (await api.get(path, headers=other_user.headers)).status_code == 404
    assert (await api.delete(path, headers=other_user.headers)).status_code == 404
    assert (await api.delete(path, headers={**user.headers, "If-Match": '"2"'})).status_code == 204
    assert (await api.get(path, headers=user.headers)).status_code == 404


async def test_a_task_list_by_its_filters(api: Api, user: User, db: Db) -> None:
    contact = (await api.post("/api/v1/contacts", json={"first_name": "Hank"}, headers=user.headers)).json()
    deal_id = await make_deal(db, user)
    overdue = await _activity(api, user, subject="Overdue", due_at=_at(-2), contact_id=contact["id"])
    soon = await _activity(api, user, subject="Soon", due_at=_at(1), deal_id=deal_id)
    later = await _activity(api, user, subject="Later", due_at=_at(10))
    undated = await _activity(api, user, subject="Someday")
    call = await _activity(api, user, type="call", subject="Logged call", due_at=_at(0))
    done = await _activity(api, user, subject="Done", due_at=_at(-1))
    await api.post(f"{ACTIVITIES}/{done['id']}/complete", headers=user.headers)

    assert await _ids(api, user, type="task", completed="false", sort="due_at") == [
        overdue["id"],
        soon["id"],
        later["id"],
        undated["id"],  # no due date sorts last
    ]
    assert await _ids(api, user, type="task", completed="false", due_before=_at(0)) == [overdue["id"]]
    assert await _ids(api, user, completed="true") == [done["id"]]
    assert await _ids(api, user, due_after=_at(0), sort="-due_at") == [later["id"], soon["id"]]
    assert await _ids(api, user, contact_id=contact["id"]) == [overdue["id"]]
    assert await _ids(api, user, deal_id=deal_id) == [soon["id"]]
    assert await _ids(api, user, type="call") == [call["id"]]
    assert len(await _ids(api, user, owner_id=user.user_id)) == 6
    assert await _ids(api, user, updated_after=call["updated_at"]) == [done["id"]]
    assert (await api.get(ACTIVITIES, params={"type": "fax"}, headers=user.headers)).status_code == 422
    # Paged in due order, the walk sees each once.
    first = (await api.get(ACTIVITIES, params={"sort": "due_at", "limit": 4}, headers=user.headers)).json()
    rest = (
        await api.get(
            ACTIVITIES,
            params={"sort": "due_at", "limit": 4, "cursor": first["next_cursor"]},
            headers=user.headers,
        )
    ).json()
    walked = [a["id"] for a in first["items"] + rest["items"]]
    assert len(walked) == len(set(walked)) == 6 and rest["next_cursor"] is None
    assert walked[-1] == undated["id"]
