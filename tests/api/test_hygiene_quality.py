"""GET /api/v1/hygiene: the data-quality picture, counted and listed."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import update

from domain.models import Deal
from tests.conftest import Api, Db, User


async def _post(api: Api, user: User, path: str, **fields: Any) -> dict[str, Any]:
    response = await api.post(path, json=fields, headers=user.headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_the_picture(api: Api, user: User, other_user: User, db: Db) -> None:
    nobody = await _post(api, user, "/api/v1/contacts", first_name="Orphan", email="orphan@example.org")
    await api.patch(f"/api/v1/contacts/{nobody['id']}", json={"owner_id": None}, headers=user.headers)
    silent = await _post(api, user, "/api/v1/contacts", first_name="Silent")
    phoneless = await _post(api, user, "/api/v1/contacts", first_name="Mail", email="mail@example.org")
    await _post(
        api, user, "/api/v1/contacts", first_name="Full", email="full@example.org", phone="415 555 0100"
    )
    await _post(
        api, user, "/api/v1/contacts", first_name="Twin", email="twin@example.org", phone="415 555 0101"
    )
    await api.post(
        "/api/v1/contacts?on_duplicate=allow",
        json={"first_name": "Twin", "email": "twin@example.org"},
        headers=user.headers,
    )
    stale = await _post(api, user, "/api/v1/deals", title="Stale deal")
    touched = await _post(api, user, "/api/v1/deals", title="Touched deal")
    late = await _post(api, user, "/api/v1/deals", title="Late deal", expected_close_date="2020-01-01")
    await _post(api, other_user, "/api/v1/deals", title="Not mine", expected_close_date="2020-01-01")
    async with db.sessionmaker() as session, session.begin():
        # In Prospect (rotting after 14 days) for 15 days.
        ids = [uuid.UUID(d["id"]) for d in (stale, touched, late)]
        await session.execute(
            update(Deal)
            .where(Deal.id.in_(ids))
            .values(stage_entered_at=Deal.stage_entered_at - timedelta(days=15))
        )
    await _post(api, user, "/api/v1/activities", type="call", subject="Checked in", deal_id=touched["id"])

    response = await api.get("/api/v1/hygiene", headers=user.headers)
    assert response.status_code == 200, response.text
    picture = response.json()
    assert picture["duplicates"]["count"] == 1
    assert picture["duplicates"]["items"][0]["reasons"][0] == "same_email"
    rotting = picture["rotting_deals"]
    assert rotting["count"] == 2  # Prospect rots after 14 days; the touched deal does not
    assert {d["id"] for d in rotting["items"]} == {stale["id"], late["id"]}
    assert rotting["items"][0]["stage"] == "Prospect" and rotting["items"][0]["since"]
    overdue = picture["overdue_deals"]
    assert overdue["count"] == 1 and overdue["items"][0]["id"] == late["id"]
    assert overdue["items"][0]["since"] == "2020-01-01"
    assert [c["id"] for c in picture["contacts_without_owner"]["items"]] == [nobody["id"]]
    assert {c["id"] for c in picture["contacts_without_phone"]["items"]} >= {
        nobody["id"],
        silent["id"],
        phoneless["id"],
    }
    assert picture["contacts_without_email"]["count"] == 1
    assert [c["id"] for c in picture["contacts_unreachable"]["items"]] == [silent["id"]]
    small = (await api.get("/api/v1/hygiene?limit=1", headers=user.headers)).json()
    assert (
        small["contacts_without_phone"]["count"] == 4 and len(small["contacts_without_phone"]["items"]) == 1
    )
    theirs = (await api.get("/api/v1/hygiene", headers=other_user.headers)).json()
    assert theirs["overdue_deals"]["count"] == 1 and theirs["duplicates"]["count"] == 0
