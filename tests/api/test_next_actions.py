"""A deal's suggested next actions: deterministic rules, each with its reasons."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import text

from domain.clock import OffsetClock
from tests.automations_support import create_deal, stage_ids
from tests.conftest import Api, Db, User


async def _actions(api: Api, user: User, deal_id: str) -> dict[str, dict[str, Any]]:
    response = await api.get(f"/api/v1/deals/{deal_id}/next-actions", headers=user.headers)
    assert response.status_code == 200, response.text
    return {item["action"]: item for item in response.json()["items"]}


async def _log(api: Api, user: User, kind: str, **links: Any) -> None:
    response = await api.post(
        "/api/v1/activities", json={"type": kind, "subject": kind.title(), **links}, headers=user.headers
    )
    assert response.status_code == 201, response.text


async def test_a_fresh_deal_needs_a_next_step_and_a_passed_date_an_update(
    api: Api, user: User, clock: OffsetClock
) -> None:
    deal = await create_deal(
        api, user, title="Fresh", expected_close_date=str(clock.now().date() - timedelta(days=2))
    )
    items = await _actions(api, user, deal["id"])
    assert list(items) == ["update_close_date", "schedule_next_step"]
    assert items["update_close_date"]["reasons"] == [
        {
            "code": "close_date_passed",
            "text": "expected close date passed 2 days ago",
            "data": {"expected_close_date": str(clock.now().date() - timedelta(days=2)), "days_ago": 2},
        }
    ]
    assert items["schedule_next_step"]["text"] == "Schedule the next step"

    await api.patch(f"/api/v1/deals/{deal['id']}", json={"expected_close_date": None}, headers=user.headers)
    await _log(api, user, "task", deal_id=deal["id"], due_at=(clock.now() + timedelta(days=1)).isoformat())
    assert await _actions(api, user, deal["id"]) == {}


async def test_qualified_deals_without_a_meeting_should_book_one(api: Api, user: User) -> None:
    stages = await stage_ids(api, user)
    deal = await create_deal(api, user, title="Qualified", stage_id=stages["Qualified"])
    assert await _actions(api, user, deal["id"]) == await _actions(api, user, deal["id"])  # deterministic
    meeting = (await _actions(api, user, deal["id"]))["book_meeting"]
    assert meeting["reasons"][0]["code"] == "no_meeting"
    await _log(api, user, "meeting", deal_id=deal["id"])
    assert "book_meeting" not in await _actions(api, user, deal["id"])
    prospect = await create_deal(api, user, title="Too early")
    assert "book_meeting" not in await _actions(api, user, prospect["id"])


async def test_a_proposal_without_follow_up(api: Api, user: User, clock: OffsetClock) -> None:
    stages = await stage_ids(api, user)
    clock.advance(timedelta(days=-7))
    deal = await create_deal(
        api,
        user,
        title="Proposal",
        amount="100",
        expected_close_date="2031-01-01",
        stage_id=stages["Qualified"],
    )
    await _log(api, user, "meeting", deal_id=deal["id"])  # before the proposal went out
    clock.advance(timedelta(days=2))
    sent = await api.post(
        f"/api/v1/deals/{deal['id']}/move", json={"stage_id": stages["Proposal Sent"]}, headers=user.headers
    )
    assert sent.status_code == 200, sent.text
    clock.advance(timedelta(days=5))
    follow = (await _actions(api, user, deal["id"]))["follow_up_proposal"]
    assert follow["text"] == "Follow up on the proposal"
    assert follow["reasons"][0]["text"] == "proposal sent 5 days ago without a follow-up"
    assert follow["reasons"][0]["data"]["days"] == 5
    await _log(api, user, "email", deal_id=deal["id"])
    assert "follow_up_proposal" not in await _actions(api, user, deal["id"])


async def test_a_silent_champion(api: Api, user: User, db: Db, clock: OffsetClock) -> None:
    contact = (
        await api.post(
            "/api/v1/contacts",
            json={
                "first_name": "Jane",
                "last_name": "Doe",
                "email": f"jane-{uuid.uuid4().hex[:6]}@x.example",
            },
            headers=user.headers,
        )
    ).json()
    deal = await create_deal(api, user, title="Championed", contact_ids=[contact["id"]])
    async with db.sessionmaker() as session, session.begin():
        await session.execute(
            text("UPDATE deal_contacts SET role = 'champion' WHERE deal_id = :d"),
            {"d": uuid.UUID(deal["id"])},
        )
    never = (await _actions(api, user, deal["id"]))["contact_champion"]
    assert never["text"] == "Reach out to Jane Doe"
    assert never["reasons"][0]["text"] == "no activity with champion Jane Doe yet"

    clock.advance(timedelta(days=-20))
    await _log(api, user, "call", contact_id=contact["id"])
    clock.advance(timedelta(days=20))
    silent = (await _actions(api, user, deal["id"]))["contact_champion"]
    assert silent["reasons"][0]["text"] == "champion Jane Doe has been silent for 20 days"
    assert silent["reasons"][0]["data"]["contact_id"] == contact["id"]
    await _log(api, user, "email", contact_id=contact["id"])
    assert "contact_champion" not in await _actions(api, user, deal["id"])


async def test_idle_and_lowered_deals(api: Api, user: User, clock: OffsetClock) -> None:
    clock.advance(timedelta(days=-20))
    deal = await create_deal(api, user, title="Quiet", amount="20000")
    clock.advance(timedelta(days=20))
    await api.patch(f"/api/v1/deals/{deal['id']}", json={"amount": "12000"}, headers=user.headers)
    items = await _actions(api, user, deal["id"])
    assert items["re_engage"]["reasons"][0]["code"] == "idle"
    assert items["review_amount"]["reasons"][0]["text"] == "amount lowered from 20,000 to 12,000"


async def test_closed_deals_have_none_and_other_workspaces_deals_are_404(
    api: Api, user: User, other_user: User
) -> None:
    stages = await stage_ids(api, user)
    won = await create_deal(api, user, title="Won", stage_id=stages["Closed Won"])
    assert await _actions(api, user, won["id"]) == {}
    response = await api.get(f"/api/v1/deals/{won['id']}/next-actions", headers=other_user.headers)
    assert response.status_code == 404
