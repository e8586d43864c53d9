"""activities.pipeline_id follows the activity's deal, whatever changes (migration 0055), and the
activity report's pipeline filter reads it."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import text

from tests.api.test_deals import move, new_deal, stages_by_name
from tests.conftest import Api, Db, User


async def pipeline_of(db: Db, activity_id: str) -> str | None:
    async with db.sessionmaker() as session:
        value = await session.scalar(
            text("SELECT pipeline_id FROM activities WHERE id = :id"), {"id": uuid.UUID(activity_id)}
        )
    return str(value) if value else None


async def logged_calls(api: Api, user: User, pipeline_id: str) -> int:
    response = await api.get(
        "/api/v1/reports/activity",
        params={"group": "month", "pipeline_id": pipeline_id},
        headers=user.headers,
    )
    assert response.status_code == 200, response.text
    return sum(row["calls"] for row in response.json()["rows"])


async def new_call(api: Api, user: User, **fields: Any) -> dict[str, Any]:
    response = await api.post(
        "/api/v1/activities", json={"type": "call", "subject": "Call", **fields}, headers=user.headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_an_activity_carries_its_deals_pipeline(api: Api, user: User, db: Db) -> None:
    stages = await stages_by_name(api, user)
    sales = stages["Prospect"]["pipeline_id"]
    partners = (
        await api.post(
            "/api/v1/pipelines",
            json={"name": "Partners", "stages": [{"name": "Intro"}]},
            headers=user.headers,
        )
    ).json()
    deal = await new_deal(api, user)
    other = await new_deal(api, user, title="Other")
    call = await new_call(api, user, deal_id=deal["id"])
    loose = await new_call(api, user)
    assert await pipeline_of(db, call["id"]) == sales
    assert await pipeline_of(db, loose["id"]) is None
    assert (await logged_calls(api, user, sales), await logged_calls(api, user, partners["id"])) == (1, 0)

    # The deal changes pipeline: its activities follow; a move within a pipeline changes nothing.
    moved = await move(api, user, deal, partners["stages"][0]["id"], pipeline_id=partners["id"])
    assert moved.status_code == 200, moved.text
    assert await pipeline_of(db, call["id"]) == partners["id"]
    assert (await logged_calls(api, user, sales), await logged_calls(api, user, partners["id"])) == (0, 1)

    # The activity changes deal, loses it, gets one again.
    for deal_id, expected in ((other["id"], sales), (None, None), (deal["id"], partners["id"])):
        patched = await api.patch(
            f"/api/v1/activities/{call['id']}", json={"deal_id": deal_id}, headers=user.headers
        )
        assert patched.status_code == 200, patched.text
        assert await pipeline_of(db, call["id"]) == expected

    # The deal is deleted: the activity stays, without a deal or a pipeline.
    assert (await api.delete(f"/api/v1/deals/{deal['id']}", headers=user.headers)).status_code == 204
    assert (await api.get(f"/api/v1/activities/{call['id']}", headers=user.headers)).json()["deal_id"] is None
    assert await pipeline_of(db, call["id"]) is None
    assert await logged_calls(api, user, partners["id"]) == 0


async def test_the_pipeline_cannot_be_set_apart_from_the_deal(api: Api, user: User, db: Db) -> None:
    deal = await new_deal(api, user)
    call = await new_call(api, user, deal_id=deal["id"])
    async with db.sessionmaker() as session, session.begin():
        await session.execute(
            text("UPDATE activities SET pipeline_id = :other WHERE id = :id"),
            {"other": uuid.uuid4(), "id": uuid.UUID(call["id"])},
        )
    assert await pipeline_of(db, call["id"]) == deal["pipeline_id"]
