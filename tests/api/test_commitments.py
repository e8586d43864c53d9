"""Commitments: the record, its checks, its list, and where it shows (timelines, Today, next actions)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from domain.clock import OffsetClock
from tests.automations_support import create_deal, invite_member, stage_ids
from tests.conftest import Api, User


async def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


async def _commitment(api: Api, user: User, **body: Any) -> dict[str, Any]:
    return await _ok(
        await api.post(
            "/api/v1/commitments", json={"title": "Send the SOC 2 report", **body}, headers=user.headers
        ),
        201,
    )


def _locs(response: Any) -> list[list[Any]]:
    assert response.status_code == 422, response.text
    return [e["loc"] for e in response.json()["errors"]]


async def test_create_read_patch_delete(api: Api, user: User, clock: OffsetClock) -> None:
    deal = await create_deal(api, user, title="Initech")
    due = clock.now().date() + timedelta(days=3)
    created = await _commitment(api, user, deal_id=deal["id"], due_date=str(due))
    assert created["status"] == "open" and created["owner_id"] == user.user_id and created["version"] == 1
    assert created["due_date"] == str(due) and created["resolved_at"] is None

    got = await api.get(f"/api/v1/commitments/{created['id']}", headers=user.headers)
    assert got.status_code == 200 and got.headers["etag"] == '"1"'

    stale = await api.patch(
        f"/api/v1/commitments/{created['id']}",
        json={"status": "kept"},
        headers={**user.headers, "If-Match": '"7"'},
    )
    assert stale.status_code == 412
    assert (await _ok(await api.get(f"/api/v1/commitments/{created['id']}", headers=user.headers)))[
        "status"
    ] == "open"

    broken = await _ok(
        await api.patch(
            f"/api/v1/commitments/{created['id']}",
            json={"status": "broken", "due_date": None},
            headers={**user.headers, "If-Match": '"1"'},
        )
    )
    assert broken["status"] == "broken" and broken["due_date"] is None and broken["version"] == 2
    assert broken["resolved_at"] is not None
    reopened = await _ok(
        await api.patch(f"/api/v1/commitments/{created['id']}", json={"status": "open"}, headers=user.headers)
    )
    assert reopened["resolved_at"] is None

    changed = [
        e
        for e in (await _ok(await api.get(f"/api/v1/deals/{deal['id']}/timeline", headers=user.headers)))[
            "items"
        ]
        if e["type"] == "commitment_changed"
    ]
    assert [e["data"]["changes"]["status"] for e in changed] == [["broken", "open"], ["open", "broken"]]

    assert (await api.delete(f"/api/v1/commitments/{created['id']}", headers=user.headers)).status_code == 204
    assert (await api.get(f"/api/v1/commitments/{created['id']}", headers=user.headers)).status_code == 404


async def test_bad_input_is_422_and_changes_nothing(api: Api, user: User, other_user: User) -> None:
    theirs_deal = await create_deal(api, other_user, title="Theirs")
    theirs_activity = await _ok(
        await api.post(
            "/api/v1/activities", json={"type": "call", "subject": "x"}, headers=other_user.headers
        ),
        201,
    )
    mine = await create_deal(api, user, title="Mine")
    before = (await _ok(await api.get("/api/v1/commitments", headers=user.headers)))["items"]

    async def post(body: dict[str, Any]) -> Any:
        return await api.post("/api/v1/commitments", json=body, headers=user.headers)

    assert _locs(await post({"title": "x", "deal_id": theirs_deal["id"]})) == [["body", "deal_id"]]
    assert _locs(
        await post({"title": "x", "deal_id": mine["id"], "evidence_activity_id": theirs_activity["id"]})
    ) == [["body", "evidence_activity_id"]]
    assert _locs(await post({"title": "x", "contact_id": mine["id"]})) == [["body", "contact_id"]]
    assert _locs(await post({"title": "x", "deal_id": mine["id"], "owner_id": other_user.user_id})) == [
        ["body", "owner_id"]
    ]
    assert _locs(await post({"title": "Promised to nobody"})) == [["body", "deal_id"]]
    assert _locs(await post({"title": "x", "deal_id": mine["id"], "status": "maybe"}))[0][:2] == [
        "body",
        "status",
    ]
    assert _locs(await post({"title": "x", "deal_id": mine["id"], "due_date": "tomorrow"}))[0][:2] == [
        "body",
        "due_date",
    ]
    assert _locs(await post({"title": "x", "deal_id": mine["id"], "sneaky": 1}))[0][:2] == ["body", "sneaky"]
    assert _locs(await post({"title": "   ", "deal_id": mine["id"]})) == [["body", "title"]]
    after = (await _ok(await api.get("/api/v1/commitments", headers=user.headers)))["items"]
    assert after == before

    made = await _commitment(api, user, deal_id=mine["id"])
    unlinked = await api.patch(
        f"/api/v1/commitments/{made['id']}", json={"deal_id": None, "account_id": None}, headers=user.headers
    )
    assert _locs(unlinked) == [["body", "deal_id"]]
    assert _locs(
        await api.patch(f"/api/v1/commitments/{made['id']}", json={"status": None}, headers=user.headers)
    ) == [["body", "status"]]


async def test_list_filters_and_pages(api: Api, user: User, clock: OffsetClock) -> None:
    teammate = await invite_member(api, user)
    today = clock.now().date()
    a = await create_deal(api, user, title="A")
    b = await create_deal(api, user, title="B")
    account = await _ok(
        await api.post("/api/v1/accounts", json={"name": "Umbrella"}, headers=user.headers), 201
    )
    contact = await _ok(
        await api.post(
            "/api/v1/contacts",
            json={"first_name": "Alice", "email": "alice@umbrella.example"},
            headers=user.headers,
        ),
        201,
    )
    early = await _commitment(
        api, user, title="Early", deal_id=a["id"], due_date=str(today + timedelta(days=1))
    )
    late = await _commitment(
        api, user, title="Late", deal_id=a["id"], due_date=str(today + timedelta(days=30))
    )
    kept = await _commitment(
        api, user, title="Kept", deal_id=b["id"], status="kept", owner_id=teammate.user_id
    )
    direct = await _commitment(api, user, title="Direct", account_id=account["id"], contact_id=contact["id"])

    async def ids(**params: Any) -> list[str]:
        page = await _ok(
            await api.get(
                "/api/v1/commitments", params={"sort": "created_at", **params}, headers=user.headers
            )
        )
        return [c["id"] for c in page["items"]]

    assert await ids(deal_id=a["id"]) == [early["id"], late["id"]]
    assert await ids(status="kept") == [kept["id"]]
    assert await ids(owner_id=teammate.user_id) == [kept["id"]]
    assert await ids(account_id=account["id"]) == [direct["id"]]
    assert await ids(contact_id=contact["id"]) == [direct["id"]]
    assert await ids(due_before=str(today + timedelta(days=2))) == [early["id"]]

    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 1, "sort": "due_date"}
        if cursor:
            params["cursor"] = cursor
        page = await _ok(await api.get("/api/v1/commitments", params=params, headers=user.headers))
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen[:2] == [early["id"], late["id"]] and sorted(seen) == sorted(
        [early["id"], late["id"], kept["id"], direct["id"]]
    )
    assert (
        await api.get("/api/v1/commitments", params={"cursor": "forged"}, headers=user.headers)
    ).status_code == 400
    assert (
        await api.get("/api/v1/commitments", params={"sort": "title"}, headers=user.headers)
    ).status_code == 400


async def test_overdue_promises_put_the_deal_at_risk(
    api: Api, user: User, other_user: User, clock: OffsetClock
) -> None:
    today = clock.now().date()
    deal = await create_deal(api, user, title="Promised much", amount="5000")
    late = await _commitment(
        api, user, title="Custom report", deal_id=deal["id"], due_date=str(today - timedelta(days=2))
    )
    soon = await _commitment(
        api, user, title="Pilot plan", deal_id=deal["id"], due_date=str(today + timedelta(days=6))
    )
    await _commitment(api, user, title="Far off", deal_id=deal["id"], due_date=str(today + timedelta(days=8)))
    await _commitment(
        api,
        user,
        title="Long done",
        deal_id=deal["id"],
        due_date=str(today - timedelta(days=9)),
        status="kept",
    )
    teammate = await invite_member(api, user)
    await _commitment(
        api, user, title="Theirs", deal_id=deal["id"], due_date=str(today), owner_id=teammate.user_id
    )

    view = await _ok(await api.get("/api/v1/today", headers=user.headers))
    assert [c["id"] for c in view["commitments_due"]] == [late["id"], soon["id"]]
    [entry] = [e for e in view["at_risk"] if e["deal"]["id"] == deal["id"]]
    [reason] = [r for r in entry["reasons"] if r["code"] == "commitment_overdue"]
    assert reason["text"] == "promised 'Custom report' by " + str(today - timedelta(days=2)) + ", 2 days ago"
    assert reason["data"]["commitment_ids"] == [late["id"]] and reason["data"]["days_overdue"] == 2

    actions = await _ok(await api.get(f"/api/v1/deals/{deal['id']}/next-actions", headers=user.headers))
    assert "keep_commitment" in [a["action"] for a in actions["items"]]

    # Kept, the risk is gone.
    await _ok(
        await api.patch(f"/api/v1/commitments/{late['id']}", json={"status": "kept"}, headers=user.headers)
    )
    view = await _ok(await api.get("/api/v1/today", headers=user.headers))
    codes = {r["code"] for e in view["at_risk"] if e["deal"]["id"] == deal["id"] for r in e["reasons"]}
    assert "commitment_overdue" not in codes
    other = await _ok(await api.get("/api/v1/today", headers=other_user.headers))
    assert other["commitments_due"] == []


async def test_a_won_deal_with_an_overdue_promise_is_at_risk(
    api: Api, user: User, clock: OffsetClock
) -> None:
    stages = await stage_ids(api, user)
    today = clock.now().date()
    won = await create_deal(api, user, title="Delivered late", amount="800")
    await _commitment(api, user, title="Go-live", deal_id=won["id"], due_date=str(today - timedelta(days=1)))
    moved = await api.post(
        f"/api/v1/deals/{won['id']}/move", json={"stage_id": stages["Closed Won"]}, headers=user.headers
    )
    assert moved.status_code == 200, moved.text
    view = await _ok(await api.get("/api/v1/today", headers=user.headers))
    [entry] = [e for e in view["at_risk"] if e["deal"]["id"] == won["id"]]
    assert [r["code"] for r in entry["reasons"]] == ["commitment_overdue"]
    assert won["id"] not in {e["deal"]["id"] for e in view["follow_ups"]}


async def test_a_leaving_member_hands_over_open_promises(api: Api, user: User) -> None:
    teammate = await invite_member(api, user)
    deal = await create_deal(api, user, title="Handover")
    open_one = await _commitment(api, user, title="Open", deal_id=deal["id"], owner_id=teammate.user_id)
    kept = await _commitment(
        api, user, title="Kept", deal_id=deal["id"], owner_id=teammate.user_id, status="kept"
    )
    removed = await api.delete(f"/api/v1/members/{teammate.user_id}", headers=user.headers)
    assert removed.status_code == 204, removed.text
    now_open = await _ok(await api.get(f"/api/v1/commitments/{open_one['id']}", headers=user.headers))
    still_kept = await _ok(await api.get(f"/api/v1/commitments/{kept['id']}", headers=user.headers))
    assert now_open["owner_id"] == user.user_id and now_open["version"] == 2
    assert still_kept["owner_id"] == teammate.user_id


async def test_a_retried_create_makes_one_commitment(api: Api, user: User) -> None:
    deal = await create_deal(api, user, title="Retried")
    body = {"title": "Reference call", "deal_id": deal["id"]}
    headers = {**user.headers, "Idempotency-Key": "promise-1"}
    first = await api.post("/api/v1/commitments", json=body, headers=headers)
    again = await api.post("/api/v1/commitments", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers.get("idempotent-replayed") == "true" and again.json()["id"] == first.json()["id"]
    listed = await _ok(
        await api.get("/api/v1/commitments", params={"deal_id": deal["id"]}, headers=user.headers)
    )
    assert len(listed["items"]) == 1
    other = await api.post("/api/v1/commitments", json={**body, "title": "Else"}, headers=headers)
    assert other.status_code == 409
