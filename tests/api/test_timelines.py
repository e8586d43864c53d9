"""Timelines: a record's activities and system events merged newest first, paged, per workspace."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.models import TimelineEvent
from tests.api.test_activities import make_deal
from tests.conftest import Api, Db, User


async def _post(api: Api, user: User, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await api.post(path, json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def _timeline(api: Api, user: User, path: str, **params: Any) -> dict[str, Any]:
    response = await api.get(f"{path}/timeline", params=params, headers=user.headers)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


async def test_contact_timeline_merges_activities_and_events_newest_first(
    api: Api, user: User, clock: Any
) -> None:
    contact = await _post(api, user, "/api/v1/contacts", {"first_name": "Hank", "title": "CFO"})
    path = f"/api/v1/contacts/{contact['id']}"
    clock.advance(timedelta(minutes=1))
    call = await _post(
        api,
        user,
        "/api/v1/activities",
        {"type": "call", "subject": "Intro call", "contact_id": contact["id"]},
    )
    clock.advance(timedelta(minutes=1))
    await api.patch(path, json={"title": "CEO", "last_name": "Scorpio"}, headers=user.headers)
    clock.advance(timedelta(minutes=1))
    note = await _post(
        api,
        user,
        "/api/v1/activities",
        {"type": "note", "subject": "Likes hammocks", "contact_id": contact["id"]},
    )
    # Someone else's activity is not on this timeline.
    other = await _post(api, user, "/api/v1/contacts", {"first_name": "Homer"})
    await _post(api, user, "/api/v1/activities", {"type": "call", "subject": "x", "contact_id": other["id"]})

    items = (await _timeline(api, user, path))["items"]
    assert [(i["kind"], i["type"]) for i in items] == [
        ("activity", "note"),
        ("event", "field_changed"),
        ("activity", "call"),
        ("event", "created"),
    ]
    assert [i["at"] for i in items] == sorted((i["at"] for i in items), reverse=True)
    change = items[1]
    assert change["data"] == {"changes": {"title": ["CFO", "CEO"], "last_name": [None, "Scorpio"]}}
    assert change["actor"] == {"type": "user", "id": user.user_id, "name": "Test User"}
    assert items[0]["id"] == note["id"] and items[2]["id"] == call["id"]
    assert items[0]["data"] == note  # the activity as the API shows it
    assert items[0]["actor"] == {"type": "user", "id": user.user_id, "name": "Test User"}
    assert {i["subject_type"] for i in items} == {"contact"}
    assert {i["subject_id"] for i in items} == {contact["id"]}


async def test_timeline_pages_through_the_merged_stream(api: Api, user: User, clock: Any) -> None:
    contact = await _post(api, user, "/api/v1/contacts", {"first_name": "Paged"})
    path = f"/api/v1/contacts/{contact['id']}"
    for i in range(4):
        clock.advance(timedelta(seconds=10))
        await _post(
            api,
            user,
            "/api/v1/activities",
            {"type": "email", "subject": f"Email {i}", "contact_id": contact["id"]},
        )
        clock.advance(timedelta(seconds=10))
        await api.patch(path, json={"title": f"Title {i}"}, headers=user.headers)
    everything = (await _timeline(api, user, path, limit=50))["items"]
    assert len(everything) == 9  # created + 4 emails + 4 changes
    walked: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = await _timeline(api, user, path, limit=2, **({"cursor": cursor} if cursor else {}))
        walked += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert [i["id"] for i in walked] == [i["id"] for i in everything]
    assert walked[0]["kind"] == "event" and walked[0]["data"]["changes"]["title"] == ["Title 2", "Title 3"]
    assert walked[-1]["type"] == "created"
    bad = await api.get(f"{path}/timeline", params={"cursor": cursor or "forged"}, headers=user.headers)
    assert bad.status_code == 400


async def test_account_and_deal_timelines(api: Api, user: User, db: Db) -> None:
    account = await _post(api, user, "/api/v1/accounts", {"name": "Globex"})
    meeting = await _post(
        api, user, "/api/v1/activities", {"type": "meeting", "subject": "QBR", "account_id": account["id"]}
    )
    items = (await _timeline(api, user, f"/api/v1/accounts/{account['id']}"))["items"]
    assert [(i["kind"], i["type"]) for i in items] == [("activity", "meeting"), ("event", "created")]
    assert items[0]["data"]["id"] == meeting["id"]

    deal_id = await make_deal(db, user)
    async with db.sessionmaker() as session, session.begin():
        session.add(
            TimelineEvent(
                id=uuid.uuid4(),
                workspace_id=uuid.UUID(user.workspace_id),
                subject_type="deal",
                subject_id=uuid.UUID(deal_id),
                type="stage_changed",
                actor_type="user",
                actor_id=uuid.UUID(user.user_id),
                actor_name="Test User",
                data={"from_stage": "New", "to_stage": "Won"},
                at=datetime.now(UTC) - timedelta(days=1),
            )
        )
    task = await _post(
        api, user, "/api/v1/activities", {"type": "task", "subject": "Kickoff", "deal_id": deal_id}
    )
    deal_items = (await _timeline(api, user, f"/api/v1/deals/{deal_id}"))["items"]
    assert [(i["kind"], i["type"]) for i in deal_items] == [("activity", "task"), ("event", "stage_changed")]
    assert deal_items[0]["data"]["id"] == task["id"]
    assert deal_items[1]["data"] == {"from_stage": "New", "to_stage": "Won"}
    assert deal_items[1]["subject_type"] == "deal"


async def test_timelines_of_absent_or_foreign_records_are_404(
    api: Api, user: User, other_user: User, db: Db
) -> None:
    contact = await _post(api, user, "/api/v1/contacts", {"first_name": "Private"})
    account = await _post(api, user, "/api/v1/accounts", {"name": "Private"})
    deal_id = await make_deal(db, user)
    for path in (
        f"/api/v1/contacts/{contact['id']}",
        f"/api/v1/accounts/{account['id']}",
        f"/api/v1/deals/{deal_id}",
        f"/api/v1/contacts/{uuid.uuid4()}",
        f"/api/v1/deals/{uuid.uuid4()}",
    ):
        response = await api.get(f"{path}/timeline", headers=other_user.headers)
        assert response.status_code == 404, path
