"""Helpers the form, webhook and inbound-email tests share: forms, members, and running the outbox."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

import domain.webhooks.fanout  # noqa: F401 - registers the webhook fan-out
from domain import outbox
from domain.clock import SystemClock
from domain.forms.processing import process_next_across_workspaces
from domain.models import FormSubmission, OutboxEvent
from tests.conftest import Api, Db, User

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


async def create_form(api: Api, user: User, **fields: Any) -> dict[str, Any]:
    response = await api.post("/api/v1/forms", json={"name": "Contact us", **fields}, headers=user.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def submit_url(form: dict[str, Any]) -> str:
    return f"/api/v1/forms/{form['key']}/submissions"


async def add_member(api: Api, admin: User, *, role: str = "member") -> User:
    email = f"m-{uuid.uuid4().hex[:8]}@example.com"
    invited = await api.post(
        "/api/v1/invitations", json={"email": email, "role": role}, headers=admin.headers
    )
    assert invited.status_code == 201, invited.text
    token = invited.json()["accept_url"].rsplit("/", 1)[-1]
    accepted = await api.post(
        f"/api/v1/invitations/{token}/accept", json={"name": "Member", "password": "correct-horse-battery"}
    )
    assert accepted.status_code == 200, accepted.text
    login = await api.post(
        "/api/v1/auth/login",
        json={"email": email, "password": "correct-horse-battery", "workspace_id": admin.workspace_id},
    )
    assert login.status_code == 200, login.text
    api.client.cookies.clear()
    body = login.json()
    return User(
        email=email,
        password="correct-horse-battery",
        token=body["access_token"],
        user_id=body["user"]["id"],
        workspace_id=admin.workspace_id,
    )


async def run_worker(db: Db, workspace_id: str, *, rounds: int = 10) -> int:
    """Do in this process what the worker does: process pending submissions, then the outbox."""
    processed = 0
    for _ in range(rounds):
        while await process_next_across_workspaces(db.sessionmaker, now=SystemClock().now()) is not None:
            processed += 1
        async with db.sessionmaker() as session:
            ids = list(
                (
                    await session.execute(
                        select(OutboxEvent.id)
                        .where(
                            OutboxEvent.workspace_id == uuid.UUID(workspace_id),
                            OutboxEvent.processed_at.is_(None),
                        )
                        .order_by(OutboxEvent.created_at)
                    )
                ).scalars()
            )
        if not ids:
            return processed
        for event_id in ids:
            if await outbox.process_event(
                db.sessionmaker,
                workspace_id=uuid.UUID(workspace_id),
                event_id=event_id,
                now=SystemClock().now(),
            ):
                processed += 1
    return processed


async def submission(db: Db, submission_id: str) -> FormSubmission:
    async with db.sessionmaker() as session:
        found = await session.get(FormSubmission, uuid.UUID(submission_id))
        assert found is not None
        return found
