"""Idempotency-Key: a retried POST answers what the first did and does nothing twice."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select

from domain.models import Invitation
from tests.conftest import Api, AppHandle, Db, User


async def _invitations(db: Db, email: str) -> int:
    async with db.sessionmaker() as session:
        return int(
            await session.scalar(
                select(func.count()).select_from(Invitation).where(Invitation.email == email)
            )
            or 0
        )


async def test_same_key_same_body_replays_the_first_answer(api: Api, user: User, db: Db) -> None:
    headers = {**user.headers, "Idempotency-Key": "invite-1"}
    first = await api.post("/api/v1/invitations", json={"email": "a@example.com"}, headers=headers)
    second = await api.post("/api/v1/invitations", json={"email": "a@example.com"}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert await _invitations(db, "a@example.com") == 1


async def test_same_key_with_another_body_is_a_conflict(api: Api, user: User, db: Db) -> None:
    headers = {**user.headers, "Idempotency-Key": "invite-2"}
    assert (
        await api.post("/api/v1/invitations", json={"email": "b@example.com"}, headers=headers)
    ).status_code == 201
    other = await api.post("/api/v1/invitations", json={"email": "c@example.com"}, headers=headers)
    assert other.status_code == 409
    assert await _invitations(db, "c@example.com") == 0


async def test_body_is_compared_parsed_not_byte_for_byte(api: Api, user: User, db: Db) -> None:
    headers = {**user.headers, "Idempotency-Key": "invite-3", "Content-Type": "application/json"}
    first = await api.post(
        "/api/v1/invitations", content=b'{"email":"d@example.com","role":"member"}', headers=headers
    )
    again = await api.post(
        "/api/v1/invitations", content=b'{ "role": "member",  "email": "d@example.com" }', headers=headers
    )
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]


async def test_concurrent_duplicates_wait_and_replay(api: Api, user: User, db: Db) -> None:
    headers = {**user.headers, "Idempotency-Key": "invite-race"}
    responses = await asyncio.gather(
        *(
            api.post("/api/v1/invitations", json={"email": "race@example.com"}, headers=headers)
            for _ in range(5)
        )
    )
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert await _invitations(db, "race@example.com") == 1


async def test_keys_are_scoped_to_the_workspace(api: Api, user: User, other_user: User, db: Db) -> None:
    for who in (user, other_user):
        response = await api.post(
            "/api/v1/invitations",
            json={"email": "scoped@example.com"},
            headers={**who.headers, "Idempotency-Key": "shared-key"},
        )
        assert response.status_code == 201
    assert await _invitations(db, "scoped@example.com") == 2


async def test_a_key_expires_after_a_day(
    api: Api, user: User, app_handle: AppHandle, db: Db, clock: object
) -> None:
    headers = {**user.headers, "Idempotency-Key": "old-key"}
    assert (
        await api.post("/api/v1/invitations", json={"email": "e@example.com"}, headers=headers)
    ).status_code == 201
    app_handle.clock.advance(timedelta(hours=25))
    # The same key a day later is a new request, not a replay.
    later = await api.post("/api/v1/invitations", json={"email": "e@example.com"}, headers=headers)
    assert later.status_code == 201
    assert later.headers.get("Idempotent-Replayed") is None
    assert await _invitations(db, "e@example.com") == 2


async def test_a_failed_request_is_not_stored(api: Api, user: User, db: Db) -> None:
    headers = {**user.headers, "Idempotency-Key": "fails-first"}
    bad = await api.post("/api/v1/invitations", json={"email": "not-an-email"}, headers=headers)
    assert bad.status_code == 422
    fixed = await api.post("/api/v1/invitations", json={"email": "not-an-email"}, headers=headers)
    assert fixed.status_code == 422  # re-executed, not replayed
    assert fixed.headers.get("Idempotent-Replayed") is None
