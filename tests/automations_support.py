"""Helpers the automation, notification and Today tests share: run the outbox and the sweep the
way the worker does (in process, at the test clock's time), and read what automations made."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select

from domain import outbox
from domain.automations.sweep import SweepResult, sweep_workspace
from domain.handlers import register_all
from domain.models import OutboxEvent
from tests.conftest import Api, Db, User

register_all()


async def drain_events(db: Db, now: datetime, workspace_id: str | None = None) -> int:
    """Process pending outbox events (and the ones their handlers emit) as the worker would."""
    handled = 0
    while True:
        async with db.sessionmaker() as session:
            query = select(OutboxEvent.workspace_id, OutboxEvent.id).where(OutboxEvent.processed_at.is_(None))
            if workspace_id is not None:
                query = query.where(OutboxEvent.workspace_id == uuid.UUID(workspace_id))
            pending = (await session.execute(query.order_by(OutboxEvent.created_at))).all()
        if not pending:
            return handled
        for ws, event_id in pending:
            handled += await outbox.process_event(
                db.sessionmaker, workspace_id=ws, event_id=event_id, now=now
            )


async def sweep(db: Db, user: User, now: datetime) -> SweepResult:
    return await sweep_workspace(db.sessionmaker, workspace_id=uuid.UUID(user.workspace_id), now=now)


async def stage_ids(api: Api, user: User) -> dict[str, str]:
    """The default pipeline's stages by name."""
    pipelines = (await api.get("/api/v1/pipelines", headers=user.headers)).json()["items"]
    return {s["name"]: s["id"] for s in pipelines[0]["stages"]}


async def create_deal(api: Api, user: User, **body: Any) -> dict[str, Any]:
    response = await api.post("/api/v1/deals", json={"title": "Deal", **body}, headers=user.headers)
    assert response.status_code == 201, response.text
    deal: dict[str, Any] = response.json()
    return deal


async def tasks_of(api: Api, user: User, deal_id: str) -> list[dict[str, Any]]:
    response = await api.get(
        "/api/v1/activities", params={"deal_id": deal_id, "type": "task"}, headers=user.headers
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def automation_named(api: Api, user: User, name: str) -> dict[str, Any]:
    items = (await api.get("/api/v1/automations", headers=user.headers)).json()["items"]
    return next(a for a in items if a["name"] == name)


async def set_enabled(api: Api, user: User, *, only: set[str] | None) -> None:
    """Switch the workspace's rules off, except those named in `only`."""
    for automation in (await api.get("/api/v1/automations", headers=user.headers)).json()["items"]:
        wanted = only is not None and automation["name"] in only
        if automation["enabled"] != wanted:
            response = await api.patch(
                f"/api/v1/automations/{automation['id']}", json={"enabled": wanted}, headers=user.headers
            )
            assert response.status_code == 200, response.text


async def add_rule(api: Api, user: User, **rule: Any) -> dict[str, Any]:
    response = await api.post(
        "/api/v1/automations", json={"name": f"Rule {uuid.uuid4().hex[:6]}", **rule}, headers=user.headers
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def runs_of(api: Api, user: User, automation_id: str) -> list[dict[str, Any]]:
    response = await api.get(f"/api/v1/automations/{automation_id}/runs", headers=user.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def invite_member(api: Api, admin: User, role: str = "member") -> User:
    email = f"m-{uuid.uuid4().hex[:8]}@example.com"
    invitation = await api.post(
        "/api/v1/invitations", json={"email": email, "role": role}, headers=admin.headers
    )
    assert invitation.status_code == 201, invitation.text
    token = invitation.json()["accept_url"].rsplit("/", 1)[1]
    accepted = await api.post(
        f"/api/v1/invitations/{token}/accept", json={"name": "Teammate", "password": "long-password-1"}
    )
    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    api.client.cookies.clear()
    return User(
        email=email,
        password="long-password-1",
        token=body["access_token"],
        user_id=body["user"]["id"],
        workspace_id=body["workspace"]["id"],
    )


async def relogin(api: Api, user: User) -> User:
    """A fresh token, for a test that moved the clock past the old one's expiry."""
    response = await api.post("/api/v1/auth/login", json={"email": user.email, "password": user.password})
    assert response.status_code == 200, response.text
    api.client.cookies.clear()
    return User(
        email=user.email,
        password=user.password,
        token=response.json()["access_token"],
        user_id=user.user_id,
        workspace_id=user.workspace_id,
    )
