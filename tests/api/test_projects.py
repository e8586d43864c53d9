"""Projects by hand: CRUD, milestones under the project's ETag, and a promise made after the win."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from domain.clock import OffsetClock
from tests.automations_support import create_deal, drain_events, stage_ids
from tests.conftest import Api, Db, User


async def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def _if(user: User, version: int) -> dict[str, str]:
    return {**user.headers, "If-Match": f'"{version}"'}


async def test_project_crud_and_milestones(api: Api, user: User, clock: OffsetClock) -> None:
    today = clock.now().date()
    project = await _ok(
        await api.post(
            "/api/v1/projects",
            json={
                "name": "Onboarding",
                "milestones": [{"title": "Kickoff", "due_date": str(today)}],
                "renewal_amount": "99.999",
                "currency": "EUR",
            },
            headers=user.headers,
        ),
        201,
    )
    assert project["status"] == "planned" and project["owner_id"] == user.user_id
    assert project["renewal_amount"] == "100.00" and project["currency"] == "EUR"
    [kickoff] = project["milestones"]
    assert kickoff["status"] == "open" and kickoff["commitment_id"] is None

    added = await _ok(
        await api.post(
            f"/api/v1/projects/{project['id']}/milestones",
            json={"title": "Go-live", "due_date": str(today + timedelta(days=30))},
            headers=_if(user, project["version"]),
        ),
        201,
    )
    assert [m["title"] for m in added["milestones"]] == ["Kickoff", "Go-live"]
    assert added["version"] == project["version"] + 1
    # The project's ETag covers its milestones: an old one cannot complete a milestone.
    stale = await api.post(
        f"/api/v1/projects/{project['id']}/milestones/{kickoff['id']}/complete",
        headers=_if(user, project["version"]),
    )
    assert stale.status_code == 412
    done = await _ok(
        await api.post(
            f"/api/v1/projects/{project['id']}/milestones/{kickoff['id']}/complete",
            headers=_if(user, added["version"]),
        )
    )
    assert done["milestones"][0]["status"] == "done" and done["milestones"][0]["completed_at"] is not None
    again = await _ok(
        await api.post(
            f"/api/v1/projects/{project['id']}/milestones/{kickoff['id']}/complete", headers=user.headers
        )
    )
    assert again["milestones"][0]["completed_at"] == done["milestones"][0]["completed_at"]
    assert again["version"] == done["version"]

    active = await _ok(
        await api.patch(
            f"/api/v1/projects/{project['id']}", json={"status": "active"}, headers=_if(user, done["version"])
        )
    )
    assert active["status"] == "active"
    bad = await api.patch(
        f"/api/v1/projects/{project['id']}",
        json={"contract_start_date": str(today), "contract_end_date": str(today - timedelta(days=1))},
        headers=user.headers,
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["body", "contract_end_date"]
    assert (
        await api.patch(f"/api/v1/projects/{project['id']}", json={"status": "paused"}, headers=user.headers)
    ).status_code == 422
    go_live = added["milestones"][1]["id"]
    removed = await _ok(
        await api.delete(f"/api/v1/projects/{project['id']}/milestones/{go_live}", headers=user.headers)
    )
    assert [m["title"] for m in removed["milestones"]] == ["Kickoff"]
    assert (
        await api.get(f"/api/v1/projects/{project['id']}/milestones/{go_live}/complete", headers=user.headers)
    ).status_code in (404, 405)

    timeline = (await _ok(await api.get(f"/api/v1/projects/{project['id']}/timeline", headers=user.headers)))[
        "items"
    ]
    assert [e["type"] for e in timeline] == [
        "milestone_removed",
        "field_changed",
        "milestone_completed",
        "milestone_added",
        "created",
    ]
    assert (await api.delete(f"/api/v1/projects/{project['id']}", headers=user.headers)).status_code == 204
    assert (await api.get(f"/api/v1/projects/{project['id']}", headers=user.headers)).status_code == 404


async def test_a_deal_has_one_project(
    api: Api, user: User, other_user: User, db: Db, clock: OffsetClock
) -> None:
    stages = await stage_ids(api, user)
    deal = await create_deal(api, user, title="Once only")
    first = await _ok(
        await api.post(
            "/api/v1/projects", json={"name": "By hand", "deal_id": deal["id"]}, headers=user.headers
        ),
        201,
    )
    second = await api.post(
        "/api/v1/projects", json={"name": "Again", "deal_id": deal["id"]}, headers=user.headers
    )
    assert second.status_code == 409 and second.json()["project_id"] == first["id"]
    # Winning it later finds the project made by hand.
    await _ok(
        await api.post(
            f"/api/v1/deals/{deal['id']}/move", json={"stage_id": stages["Closed Won"]}, headers=user.headers
        )
    )
    await drain_events(db, clock.now(), user.workspace_id)
    listed = await _ok(
        await api.get("/api/v1/projects", params={"deal_id": deal["id"]}, headers=user.headers)
    )
    assert [p["id"] for p in listed["items"]] == [first["id"]]

    theirs = await create_deal(api, other_user, title="Theirs")
    for body in (
        {"name": "x", "deal_id": theirs["id"]},
        {"name": "x", "owner_id": other_user.user_id},
        {"name": ""},
    ):
        assert (await api.post("/api/v1/projects", json=body, headers=user.headers)).status_code == 422, body


async def test_a_promise_made_after_the_win_becomes_a_milestone(
    api: Api, user: User, db: Db, clock: OffsetClock
) -> None:
    stages = await stage_ids(api, user)
    deal = await create_deal(api, user, title="Expansion", stage_id=stages["Closed Won"])
    await drain_events(db, clock.now(), user.workspace_id)
    [project] = (
        await _ok(await api.get("/api/v1/projects", params={"deal_id": deal["id"]}, headers=user.headers))
    )["items"]
    assert project["milestones"] == []
    due = str(clock.now().date() + timedelta(days=10))
    promise = await _ok(
        await api.post(
            "/api/v1/commitments",
            json={"title": "Data migration", "deal_id": deal["id"], "due_date": due},
            headers=user.headers,
        ),
        201,
    )
    project = await _ok(await api.get(f"/api/v1/projects/{project['id']}", headers=user.headers))
    [milestone] = project["milestones"]
    assert milestone["commitment_id"] == promise["id"] and milestone["due_date"] == due
    # Keeping the promise completes its milestone; reopening it reopens the milestone.
    await _ok(
        await api.patch(f"/api/v1/commitments/{promise['id']}", json={"status": "kept"}, headers=user.headers)
    )
    project = await _ok(await api.get(f"/api/v1/projects/{project['id']}", headers=user.headers))
    assert project["milestones"][0]["status"] == "done"
    await _ok(
        await api.patch(f"/api/v1/commitments/{promise['id']}", json={"status": "open"}, headers=user.headers)
    )
    project = await _ok(await api.get(f"/api/v1/projects/{project['id']}", headers=user.headers))
    assert project["milestones"][0]["status"] == "open"


async def test_keeping_a_promise_from_both_sides_at_once(
    api: Api, user: User, db: Db, clock: OffsetClock
) -> None:
    import asyncio

    stages = await stage_ids(api, user)
    deal = await create_deal(api, user, title="Race")
    promises = [
        await _ok(
            await api.post(
                "/api/v1/commitments", json={"title": f"P{i}", "deal_id": deal["id"]}, headers=user.headers
            ),
            201,
        )
        for i in range(4)
    ]
    await _ok(
        await api.post(
            f"/api/v1/deals/{deal['id']}/move", json={"stage_id": stages["Closed Won"]}, headers=user.headers
        )
    )
    await drain_events(db, clock.now(), user.workspace_id)
    [project] = (
        await _ok(await api.get("/api/v1/projects", params={"deal_id": deal["id"]}, headers=user.headers))
    )["items"]
    calls = []
    for promise, milestone in zip(promises, project["milestones"], strict=True):
        calls.append(
            api.patch(f"/api/v1/commitments/{promise['id']}", json={"status": "kept"}, headers=user.headers)
        )
        calls.append(
            api.post(
                f"/api/v1/projects/{project['id']}/milestones/{milestone['id']}/complete",
                headers=user.headers,
            )
        )
    answers = await asyncio.gather(*calls)
    assert [a.status_code for a in answers] == [200] * 8
    final = await _ok(await api.get(f"/api/v1/projects/{project['id']}", headers=user.headers))
    assert {m["status"] for m in final["milestones"]} == {"done"}
    assert {m["commitment_status"] for m in final["milestones"]} == {"kept"}
