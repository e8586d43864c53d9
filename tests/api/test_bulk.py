"""Bulk actions: per-record results, If-Match, idempotent retries, and worker jobs that resume."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from domain import bulk
from domain.clock import OffsetClock
from domain.db import enter_workspace
from domain.models import TimelineEvent
from tests.automations_support import stage_ids
from tests.conftest import Api, Db, User


async def _contact(api: Api, user: User, **fields: Any) -> dict[str, Any]:
    body = {"first_name": "Bulk", "email": f"b-{uuid.uuid4().hex[:10]}@bulk.example", **fields}
    response = await api.post("/api/v1/contacts", json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def _get(api: Api, user: User, path: str) -> dict[str, Any]:
    response = await api.get(f"/api/v1/{path}", headers=user.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _bulk(
    api: Api, user: User, object: str, body: dict[str, Any], status: int = 200, **headers: str
) -> Any:
    response = await api.post(f"/api/v1/{object}/bulk", json=body, headers={**user.headers, **headers})
    assert response.status_code == status, response.text
    return response.json()


async def _member(api: Api, admin: User) -> dict[str, str]:
    email = f"m-{uuid.uuid4().hex[:8]}@bulk.example"
    invited = await api.post(
        "/api/v1/invitations", json={"email": email, "role": "member"}, headers=admin.headers
    )
    assert invited.status_code == 201, invited.text
    token = invited.json()["accept_url"].rsplit("/", 1)[-1]
    joined = await api.post(
        f"/api/v1/invitations/{token}/accept", json={"name": "Mia", "password": "correct-horse-9"}
    )
    assert joined.status_code in (200, 201), joined.text
    return {"id": joined.json()["user"]["id"], "token": joined.json()["access_token"]}


async def _field_changes(db: Db, workspace_id: str, record_id: str) -> int:
    async with db.sessionmaker() as session:
        await enter_workspace(session, uuid.UUID(workspace_id))
        count = await session.scalar(
            select(func.count())
            .select_from(TimelineEvent)
            .where(TimelineEvent.subject_id == uuid.UUID(record_id), TimelineEvent.type == "field_changed")
        )
        return int(count or 0)


async def test_owner_change_reports_each_record(api: Api, user: User, other_user: User, db: Db) -> None:
    member = await _member(api, user)
    first, second = await _contact(api, user), await _contact(api, user)
    already = await _contact(api, user, owner_id=member["id"])
    theirs = await _contact(api, other_user)
    stale = await _contact(api, user)
    touched = await api.patch(f"/api/v1/contacts/{stale['id']}", json={"title": "CEO"}, headers=user.headers)
    assert touched.json()["version"] == 2
    ids = [first["id"], second["id"], already["id"], theirs["id"], stale["id"]]

    done = await _bulk(
        api,
        user,
        "contacts",
        {"ids": ids, "action": "assign_owner", "owner_id": member["id"], "if_match": {stale["id"]: 1}},
    )
    assert done["status"] == "done"
    assert (done["total"], done["done"], done["succeeded"], done["skipped"], done["failed"]) == (
        5,
        5,
        2,
        1,
        2,
    )
    results = {r["id"]: r for r in done["results"]}
    assert [r["id"] for r in done["results"]] == ids
    assert results[first["id"]]["status"] == results[second["id"]]["status"] == "ok"
    assert results[already["id"]]["status"] == "skipped"
    assert results[theirs["id"]]["status"] == "failed" and results[theirs["id"]]["error"]["status"] == 404
    assert results[stale["id"]]["error"]["status"] == 412
    assert results[stale["id"]]["error"]["current_version"] == 2

    for contact in (first, second):
        now = await _get(api, user, f"contacts/{contact['id']}")
        assert now["owner_id"] == member["id"] and now["version"] == 2
        timeline = await _get(api, user, f"contacts/{contact['id']}/timeline")
        change = next(e for e in timeline["items"] if e["type"] == "field_changed")
        assert change["data"]["changes"]["owner_id"] == [user.user_id, member["id"]]
    assert (await _get(api, user, f"contacts/{stale['id']}"))["owner_id"] == user.user_id
    assert (await _get(api, other_user, f"contacts/{theirs['id']}"))["version"] == 1
    # The operation can be read back, and only in its own workspace.
    again = await _get(api, user, f"bulk-operations/{done['id']}")
    assert again == done
    assert (
        await api.get(f"/api/v1/bulk-operations/{done['id']}", headers=other_user.headers)
    ).status_code == 404


async def test_tags_updates_and_deletes_go_through_the_single_edit_rules(api: Api, user: User) -> None:
    tag = f"t{uuid.uuid4().hex[:6]}"
    a, b = await _contact(api, user, tags=["keep"]), await _contact(api, user, tags=["keep", tag])
    added = await _bulk(api, user, "contacts", {"ids": [a["id"], b["id"]], "action": "add_tag", "tag": tag})
    assert [r["status"] for r in added["results"]] == ["ok", "skipped"]
    assert (await _get(api, user, f"contacts/{a['id']}"))["tags"] == ["keep", tag]

    by_filter = await _bulk(
        api, user, "contacts", {"filter": {"tag": tag}, "action": "remove_tag", "tag": "keep"}
    )
    assert sorted(r["id"] for r in by_filter["results"]) == sorted([a["id"], b["id"]])
    assert (await _get(api, user, f"contacts/{b['id']}"))["tags"] == [tag]

    bad = await _bulk(
        api, user, "contacts", {"ids": [a["id"]], "action": "update", "changes": {"email": "nope"}}
    )
    assert bad["results"][0]["status"] == "failed" and bad["results"][0]["error"]["status"] == 422
    titled = await _bulk(
        api, user, "contacts", {"ids": [a["id"]], "action": "update", "changes": {"title": "VP"}}
    )
    assert titled["results"][0]["status"] == "ok"
    assert (await _get(api, user, f"contacts/{a['id']}"))["title"] == "VP"

    gone = await _bulk(api, user, "contacts", {"filter": {"tag": tag}, "action": "delete"})
    assert gone["succeeded"] == 2
    trash = [i["id"] for i in (await _get(api, user, "trash?object=contacts"))["items"]]
    assert {a["id"], b["id"]} <= set(trash)
    assert (await api.get(f"/api/v1/contacts/{a['id']}", headers=user.headers)).status_code == 404


async def test_move_stage_applies_each_stage_rule(api: Api, user: User) -> None:
    stages = await stage_ids(api, user)
    ready = await api.post(
        "/api/v1/deals",
        json={"title": "Ready", "amount": "100", "expected_close_date": "2030-01-01"},
        headers=user.headers,
    )
    bare = await api.post("/api/v1/deals", json={"title": "Bare"}, headers=user.headers)
    ids = [ready.json()["id"], bare.json()["id"]]
    moved = await _bulk(
        api, user, "deals", {"ids": ids, "action": "move_stage", "stage_id": stages["Proposal Sent"]}
    )
    ok, failed = moved["results"]
    assert ok["status"] == "ok"
    assert failed["status"] == "failed" and failed["error"]["status"] == 422
    assert {e["loc"][-1] for e in failed["error"]["errors"]} == {"amount", "expected_close_date"}
    assert (await _get(api, user, f"deals/{ids[0]}"))["stage_id"] == stages["Proposal Sent"]
    assert (await _get(api, user, f"deals/{ids[1]}"))["stage_id"] == stages["Prospect"]
    lost = await _bulk(
        api, user, "deals", {"ids": ids[:1], "action": "move_stage", "stage_id": stages["Closed Lost"]}
    )
    assert lost["results"][0]["error"]["status"] == 422  # a lost stage needs lost_reason
    history = await _get(api, user, f"deals/{ids[0]}/timeline")
    assert any(e["type"] == "stage_changed" for e in history["items"])


async def test_bad_requests_change_nothing(api: Api, user: User) -> None:
    contact = await _contact(api, user)
    for body in (
        {"ids": [contact["id"]], "filter": {"tag": "x"}, "action": "delete"},
        {"action": "delete"},
        {"ids": [contact["id"]], "action": "move_stage", "stage_id": str(uuid.uuid4())},
        {"ids": [contact["id"]], "action": "assign_owner", "owner_id": str(uuid.uuid4())},
        {"ids": [contact["id"]], "action": "assign_owner"},
        {"ids": [contact["id"]], "action": "explode"},
        {"ids": [contact["id"]], "action": "update", "changes": {"nickname": "x"}},
    ):
        response = await api.post("/api/v1/contacts/bulk", json=body, headers=user.headers)
        assert response.status_code == 422, (body, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    assert (await _get(api, user, f"contacts/{contact['id']}"))["version"] == 1


async def test_a_retried_request_acts_once(api: Api, user: User) -> None:
    contact = await _contact(api, user)
    body = {"ids": [contact["id"]], "action": "add_tag", "tag": "retried"}
    key = {"Idempotency-Key": uuid.uuid4().hex}
    first = await _bulk(api, user, "contacts", body, **key)
    replay = await api.post("/api/v1/contacts/bulk", json=body, headers={**user.headers, **key})
    assert replay.status_code == 200 and replay.json() == first
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert (await _get(api, user, f"contacts/{contact['id']}"))["version"] == 2


async def test_large_sets_run_in_a_job_that_resumes_without_applying_twice(
    api: Api, user: User, db: Db, clock: OffsetClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "INLINE_LIMIT", 3)
    contacts = [await _contact(api, user) for _ in range(7)]
    ids = [c["id"] for c in contacts]
    stale = ids[5]
    await api.patch(f"/api/v1/contacts/{stale}", json={"title": "Moved on"}, headers=user.headers)
    queued = await _bulk(
        api,
        user,
        "contacts",
        {"ids": ids, "action": "add_tag", "tag": "big", "if_match": {stale: 1}},
        status=202,
    )
    assert (queued["status"], queued["total"], queued["done"]) == ("queued", 7, 0)
    assert {r["status"] for r in queued["results"]} == {"pending"}
    ws, op = uuid.UUID(user.workspace_id), uuid.UUID(queued["id"])
    assert (ws, op) in await bulk.unfinished_across_workspaces(db.sessionmaker, clock.now())

    # One batch, then the worker dies.
    finished = await bulk.run_operation(db.sessionmaker, ws, op, clock, max_batches=1, batch_size=2)
    assert not finished
    partway = await _get(api, user, f"bulk-operations/{op}")
    assert (partway["status"], partway["done"]) == ("running", 2)

    # Two jobs pick it up again at once (a re-enqueue racing a late original): each record once.
    results = await asyncio.gather(
        *(bulk.run_operation(db.sessionmaker, ws, op, clock, batch_size=2) for _ in range(2))
    )
    assert all(results)
    assert await bulk.run_operation(db.sessionmaker, ws, op, clock) is True
    done = await _get(api, user, f"bulk-operations/{op}?limit=4")
    assert (done["status"], done["done"], done["succeeded"], done["failed"]) == ("done", 7, 6, 1)
    assert len(done["results"]) == 4 and done["next_cursor"]
    rest = await _get(api, user, f"bulk-operations/{op}?limit=4&cursor={done['next_cursor']}")
    assert [r["id"] for r in done["results"] + rest["results"]] == ids and rest["next_cursor"] is None
    assert next(r for r in rest["results"] if r["id"] == stale)["error"]["status"] == 412
    for record_id in ids:
        contact = await _get(api, user, f"contacts/{record_id}")
        if record_id == stale:
            assert contact["tags"] == [] and contact["version"] == 2
        else:
            assert contact["tags"] == ["big"] and contact["version"] == 2
            assert await _field_changes(db, user.workspace_id, record_id) == 1
    assert (ws, op) not in await bulk.unfinished_across_workspaces(db.sessionmaker, clock.now())


async def test_more_than_200_records_answer_202(api: Api, user: User) -> None:
    tag = f"many{uuid.uuid4().hex[:4]}"
    for _ in range(201):
        await _contact(api, user, tags=[tag])
    queued = await _bulk(
        api, user, "contacts", {"filter": {"tag": tag}, "action": "remove_tag", "tag": tag}, 202
    )
    assert queued["total"] == 201 and queued["status"] == "queued" and len(queued["results"]) == 50


async def test_a_member_may_bulk_edit_records(api: Api, user: User) -> None:
    member = await _member(api, user)
    contact = await _contact(api, user)
    response = await api.post(
        "/api/v1/contacts/bulk",
        json={"ids": [contact["id"]], "action": "assign_owner", "owner_id": member["id"]},
        headers={"Authorization": f"Bearer {member['token']}"},
    )
    assert response.status_code == 200 and response.json()["succeeded"] == 1
