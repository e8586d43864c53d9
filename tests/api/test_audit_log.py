"""The admin audit log: each settings, membership, key, export and erasure change leaves one entry."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from domain import outbox
from domain.db import workspace_transaction
from domain.principal import Principal
from tests.api.forms_support import add_member, run_worker
from tests.conftest import Api, AppHandle, Db, User

LOG = "/api/v1/audit-log"


async def _entries(api: Api, user: User, **params: Any) -> list[dict[str, Any]]:
    response = await api.get(LOG, params=params, headers=user.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_admin_changes_are_logged_with_who_and_what(api: Api, user: User) -> None:
    h = user.headers
    assert (await api.patch("/api/v1/workspace", json={"currency": "EUR"}, headers=h)).status_code == 200
    pipeline = await api.post(
        "/api/v1/pipelines", json={"name": "Audit pipe", "stages": [{"name": "One"}]}, headers=h
    )
    stage_id = pipeline.json()["stages"][0]["id"]
    await api.patch(f"/api/v1/stages/{stage_id}", json={"required_fields": ["amount"]}, headers=h)
    invitee = f"invitee-{uuid.uuid4().hex[:6]}@example.com"
    invited = await api.post("/api/v1/invitations", json={"email": invitee, "role": "member"}, headers=h)
    assert invited.status_code == 201
    member = await add_member(api, user)
    await api.patch(f"/api/v1/members/{member.user_id}", json={"role": "admin"}, headers=h)
    key = await api.post("/api/v1/api-keys", json={"name": "Zapier"}, headers=h)
    await api.delete(f"/api/v1/api-keys/{key.json()['id']}", headers=h)
    await api.post(
        "/api/v1/automations",
        json={
            "name": "Tagger",
            "trigger": {"type": "deal_created"},
            "actions": [{"type": "add_tag", "tag": "x"}],
        },
        headers=h,
    )
    await api.post(
        "/api/v1/webhooks", json={"url": "https://hooks.example.com/a", "events": ["*"]}, headers=h
    )
    await api.post("/api/v1/forms", json={"name": "Audit form"}, headers=h)
    await api.put("/api/v1/settings/required-fields", json={"contacts": [["email", "phone"]]}, headers=h)
    export = await api.get("/api/v1/exports/contacts", params={"q": "x"}, headers=h)
    assert export.status_code == 200
    await api.delete(f"/api/v1/members/{member.user_id}", headers=h)

    entries = await _entries(api, user, limit=200)
    actions = [e["action"] for e in reversed(entries)]
    assert actions == [
        "workspace.updated",
        "pipeline.created",
        "stage.updated",
        "member.invited",
        "member.invited",  # add_member's own invitation
        "member.role_changed",
        "api_key.created",
        "api_key.revoked",
        "automation.created",
        "webhook.created",
        "form.created",
        "required_fields.updated",
        "export.contacts",
        "member.removed",
    ]
    assert {e["actor_id"] for e in entries} == {user.user_id}
    by_action = {e["action"]: e for e in entries}
    assert by_action["stage.updated"]["summary"] == "Stage 'One' changed: required_fields"
    assert by_action["member.role_changed"]["subject_id"] == member.user_id
    assert by_action["member.role_changed"]["summary"] == "Role changed to admin"
    assert by_action["export.contacts"]["summary"] == "Contacts exported as CSV (filtered by q)"
    # No personal data: the invitee's address is nowhere in the log.
    assert invitee not in str(entries) and member.email not in str(entries)


async def test_filters_and_pages(api: Api, user: User, clock: Any) -> None:
    h = user.headers
    member = await add_member(api, user)
    await api.patch(f"/api/v1/members/{member.user_id}", json={"role": "admin"}, headers=h)
    start = clock.now()
    await api.post("/api/v1/api-keys", json={"name": "Later"}, headers=member.headers)
    await api.patch(f"/api/v1/members/{member.user_id}", json={"role": "member"}, headers=h)

    role_changes = await _entries(api, user, action="member.role_changed")
    assert [e["summary"] for e in role_changes] == ["Role changed to member", "Role changed to admin"]
    members_area = await _entries(api, user, action="member.*")
    assert {e["action"] for e in members_area} == {"member.invited", "member.role_changed"}
    by_member = await _entries(api, user, actor_id=member.user_id)
    assert [e["action"] for e in by_member] == ["api_key.created"]
    since = await _entries(api, user, since=start.isoformat())
    assert [e["action"] for e in since] == ["member.role_changed", "api_key.created"]

    first = await api.get(LOG, params={"limit": 2}, headers=h)
    cursor = first.json()["next_cursor"]
    assert cursor
    second = await api.get(LOG, params={"limit": 2, "cursor": cursor}, headers=h)
    seen = [e["id"] for e in first.json()["items"] + second.json()["items"]]
    assert len(seen) == len(set(seen)) == 4
    assert (await api.get(LOG, params={"action": "bad action!"}, headers=h)).status_code == 422


async def test_members_cannot_read_it_and_workspaces_do_not_share_it(
    api: Api, user: User, other_user: User
) -> None:
    await api.post("/api/v1/api-keys", json={"name": "Mine"}, headers=user.headers)
    member = await add_member(api, user)
    assert (await api.get(LOG, headers=member.headers)).status_code == 403
    theirs = await _entries(api, other_user)
    assert all(e["action"] != "api_key.created" for e in theirs)


async def test_a_refused_change_leaves_no_entry(api: Api, user: User) -> None:
    h = user.headers
    first = await api.post("/api/v1/pipelines", json={"name": "Unique"}, headers=h)
    assert first.status_code == 201
    again = await api.post("/api/v1/pipelines", json={"name": "unique"}, headers=h)
    assert again.status_code == 409
    created = [e for e in await _entries(api, user, action="pipeline.created")]
    assert len(created) == 1


async def test_custom_field_deletions_are_logged_from_the_outbox(
    api: Api, user: User, db: Db, app_handle: AppHandle
) -> None:
    workspace_id = uuid.UUID(user.workspace_id)
    principal = Principal(
        workspace_id=workspace_id,
        user_id=uuid.UUID(user.user_id),
        role="admin",
        kind="user",
        name="Test User",
    )
    field_id = uuid.uuid4()
    now: datetime = app_handle.clock.now()
    async with workspace_transaction(db.sessionmaker, workspace_id) as session:
        await outbox.emit(
            session,
            workspace_id=workspace_id,
            type="custom_field.deleted",
            payload={"id": str(field_id), "object": "deals", "key": "region", "label": "Region"},
            now=now,
            subject_type="custom_field",
            subject_id=field_id,
            actor=principal,
        )
    await run_worker(db, user.workspace_id)
    entries = await _entries(api, user, action="custom_field.deleted")
    assert [(e["subject_id"], e["actor_id"], e["summary"]) for e in entries] == [
        (str(field_id), user.user_id, "Custom field region deleted from deals")
    ]
