"""Undo for deletes: the trash, restoring with links exactly, and the nightly purge."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import text

from domain.clock import OffsetClock
from domain.files.storage import storage_from_settings
from domain.trash import purge_trash_across_workspaces
from tests.automations_support import add_rule, drain_events, runs_of, set_enabled, stage_ids, sweep
from tests.conftest import Api, AppHandle, Db, User


async def _post(api: Api, user: User, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await api.post(f"/api/v1/{path}", json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def _get(api: Api, user: User, path: str) -> dict[str, Any]:
    response = await api.get(f"/api/v1/{path}", headers=user.headers)
    assert response.status_code == 200, (path, response.text)
    body: dict[str, Any] = response.json()
    return body


async def _delete(api: Api, user: User, path: str) -> None:
    response = await api.delete(f"/api/v1/{path}", headers=user.headers)
    assert response.status_code == 204, response.text


async def _restore(api: Api, user: User, path: str, **headers: str) -> dict[str, Any]:
    response = await api.post(f"/api/v1/{path}/restore", headers={**user.headers, **headers})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert response.headers["ETag"] == f'"{body["version"]}"'
    return body


def _email() -> str:
    return f"p-{uuid.uuid4().hex[:8]}@corp.example"


async def _ids(api: Api, user: User, path: str, **params: str) -> list[str]:
    response = await api.get(f"/api/v1/{path}", params={"limit": "200", **params}, headers=user.headers)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def test_a_deleted_contact_comes_back_with_its_deals_and_activities(api: Api, user: User) -> None:
    account = await _post(api, user, "accounts", {"name": "Initech"})
    first = await _post(
        api, user, "contacts", {"first_name": "Peter", "last_name": "Gibbons", "email": _email()}
    )
    contact = await _post(
        api,
        user,
        "contacts",
        {
            "first_name": "Milton",
            "last_name": "Waddams",
            "email": _email(),
            "account_id": account["id"],
            "tags": ["x"],
        },
    )
    deal = await _post(
        api, user, "deals", {"title": "Stapler", "amount": "10", "contact_ids": [first["id"], contact["id"]]}
    )
    activity = await _post(
        api,
        user,
        "activities",
        {"type": "call", "subject": "Asked about stapler", "contact_id": contact["id"]},
    )
    before = {
        path: await _get(api, user, path) for path in (f"contacts/{contact['id']}", f"deals/{deal['id']}")
    }

    await _delete(api, user, f"contacts/{contact['id']}")
    assert (await api.get(f"/api/v1/contacts/{contact['id']}", headers=user.headers)).status_code == 404
    assert contact["id"] not in await _ids(api, user, "contacts")
    assert contact["id"] not in await _ids(api, user, "contacts", q="waddams")
    assert (await _get(api, user, f"deals/{deal['id']}"))["contact_ids"] == [first["id"]]
    assert (await _get(api, user, f"activities/{activity['id']}"))["contact_id"] is None
    listed = (await _get(api, user, "trash"))["items"]
    assert [(i["object"], i["id"], i["title"]) for i in listed] == [
        ("contacts", contact["id"], "Milton Waddams")
    ]
    assert listed[0]["deleted_by"]["id"] == user.user_id
    assert listed[0]["deleted_by"]["type"] == "user"

    restored = await _restore(api, user, f"contacts/{contact['id']}")
    assert restored == before[f"contacts/{contact['id']}"]
    for path, body in before.items():
        assert await _get(api, user, path) == body, path
    # The deal's contacts are back in their order, the activity points at the contact again.
    assert (await _get(api, user, f"deals/{deal['id']}"))["contact_ids"] == [first["id"], contact["id"]]
    assert (await _get(api, user, f"activities/{activity['id']}"))["contact_id"] == contact["id"]
    assert contact["id"] in await _ids(api, user, "contacts", q="waddams")
    assert (await _get(api, user, "trash"))["items"] == []
    timeline = await _get(api, user, f"contacts/{contact['id']}/timeline")
    assert [e["type"] for e in timeline["items"] if e["kind"] == "event"][:2] == ["restored", "deleted"]
    # Restored once: a second restore finds nothing in the trash.
    again = await api.post(f"/api/v1/contacts/{contact['id']}/restore", headers=user.headers)
    assert again.status_code == 404


async def test_a_deleted_account_relinks_only_what_is_still_unlinked(api: Api, user: User) -> None:
    account = await _post(api, user, "accounts", {"name": "Vandelay Industries"})
    other = await _post(api, user, "accounts", {"name": "Kramerica"})
    stays = await _post(
        api, user, "contacts", {"first_name": "Art", "email": _email(), "account_id": account["id"]}
    )
    moved = await _post(
        api, user, "contacts", {"first_name": "Kel", "email": _email(), "account_id": account["id"]}
    )
    deal = await _post(api, user, "deals", {"title": "Latex", "account_id": account["id"]})
    note = await _post(
        api, user, "activities", {"type": "note", "subject": "Import", "account_id": account["id"]}
    )
    paths = [
        f"accounts/{account['id']}",
        f"contacts/{stays['id']}",
        f"deals/{deal['id']}",
        f"activities/{note['id']}",
    ]
    before = {path: await _get(api, user, path) for path in paths}

    await _delete(api, user, f"accounts/{account['id']}")
    assert (await _get(api, user, f"contacts/{stays['id']}"))["account_id"] is None
    assert (await _get(api, user, f"deals/{deal['id']}"))["account_id"] is None
    assert account["id"] not in await _ids(api, user, "accounts", q="vandelay")
    # Someone files a contact elsewhere while the account is in the trash: that choice stands.
    refiled = await api.patch(
        f"/api/v1/contacts/{moved['id']}", json={"account_id": other["id"]}, headers=user.headers
    )
    assert refiled.status_code == 200

    await _restore(api, user, f"accounts/{account['id']}")
    for path, body in before.items():
        assert await _get(api, user, path) == body, path
    assert (await _get(api, user, f"contacts/{moved['id']}"))["account_id"] == other["id"]


async def test_links_between_two_trashed_records_return_whichever_comes_back_first(
    api: Api, user: User
) -> None:
    account = await _post(api, user, "accounts", {"name": "Globex"})
    contact = await _post(
        api, user, "contacts", {"first_name": "Hank", "email": _email(), "account_id": account["id"]}
    )
    deal = await _post(api, user, "deals", {"title": "Doomsday", "contact_ids": [contact["id"]]})
    task = await _post(
        api, user, "activities", {"type": "task", "subject": "Call", "account_id": account["id"]}
    )
    before = {
        path: await _get(api, user, path)
        for path in (f"contacts/{contact['id']}", f"deals/{deal['id']}", f"activities/{task['id']}")
    }
    # Deal first, then its contact; account first, then its task.
    await _delete(api, user, f"deals/{deal['id']}")
    await _delete(api, user, f"contacts/{contact['id']}")
    await _delete(api, user, f"accounts/{account['id']}")
    await _delete(api, user, f"activities/{task['id']}")
    objects = [(i["object"], i["id"]) for i in (await _get(api, user, "trash"))["items"]]
    assert objects == [
        ("activities", task["id"]),
        ("accounts", account["id"]),
        ("contacts", contact["id"]),
        ("deals", deal["id"]),
    ]
    only_deals = (await api.get("/api/v1/trash", params={"object": "deals"}, headers=user.headers)).json()
    assert [i["id"] for i in only_deals["items"]] == [deal["id"]]

    # Restored in the other order: each link waits in the trash for its other end.
    await _restore(api, user, f"deals/{deal['id']}")
    assert (await _get(api, user, f"deals/{deal['id']}"))["contact_ids"] == []
    await _restore(api, user, f"activities/{task['id']}")
    await _restore(api, user, f"contacts/{contact['id']}")
    await _restore(api, user, f"accounts/{account['id']}")
    for path, body in before.items():
        assert await _get(api, user, path) == body, path


async def test_trashed_deals_leave_the_board_search_and_reports(api: Api, user: User) -> None:
    stages = await stage_ids(api, user)
    pipeline_id = (await _get(api, user, "pipelines"))["items"][0]["id"]
    board_path = f"pipelines/{pipeline_id}/board"
    summary_path = "reports/summary"
    board_before = await _get(api, user, board_path)
    summary_before = await _get(api, user, summary_path)
    deal = await _post(api, user, "deals", {"title": "Zebra enterprise", "amount": "1200.00"})
    won = await _post(api, user, "deals", {"title": "Zebra renewal", "amount": "800.00"})
    moved = await api.post(
        f"/api/v1/deals/{won['id']}/move", json={"stage_id": stages["Closed Won"]}, headers=user.headers
    )
    assert moved.status_code == 200, moved.text
    board_with = await _get(api, user, board_path)
    summary_with = await _get(api, user, summary_path)
    won_timeline = await _get(api, user, f"deals/{won['id']}/timeline")
    assert summary_with["won_count"] == summary_before["won_count"] + 1

    await _delete(api, user, f"deals/{deal['id']}")
    await _delete(api, user, f"deals/{won['id']}")
    assert await _get(api, user, board_path) == board_before
    assert await _get(api, user, summary_path) == summary_before
    assert await _ids(api, user, "deals", q="zebra") == []

    await _restore(api, user, f"deals/{deal['id']}")
    await _restore(api, user, f"deals/{won['id']}")
    assert await _get(api, user, board_path) == board_with
    assert await _get(api, user, summary_path) == summary_with
    assert sorted(await _ids(api, user, "deals", q="zebra")) == sorted([deal["id"], won["id"]])
    # Its stage history is back: the timeline shows the move again (plus delete and restore).
    events = [
        e for e in (await _get(api, user, f"deals/{won['id']}/timeline"))["items"] if e["kind"] == "event"
    ]
    assert [e for e in events if e["type"] not in ("deleted", "restored")] == [
        e for e in won_timeline["items"] if e["kind"] == "event"
    ]


async def test_a_deal_whose_stage_was_removed_cannot_come_back(api: Api, user: User) -> None:
    pipeline = await _post(
        api,
        user,
        "pipelines",
        {"name": f"Short {uuid.uuid4().hex[:4]}", "stages": [{"name": "A"}, {"name": "B"}]},
    )
    stage_b = pipeline["stages"][1]["id"]
    deal = await _post(
        api, user, "deals", {"title": "Orphan", "pipeline_id": pipeline["id"], "stage_id": stage_b}
    )
    await _delete(api, user, f"deals/{deal['id']}")
    removed = await api.delete(f"/api/v1/stages/{stage_b}", headers=user.headers)
    assert removed.status_code == 204, removed.text
    refused = await api.post(f"/api/v1/deals/{deal['id']}/restore", headers=user.headers)
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert deal["id"] in [i["id"] for i in (await _get(api, user, "trash"))["items"]]


async def test_trashed_deals_are_out_of_automations(api: Api, user: User, db: Db, clock: OffsetClock) -> None:
    await set_enabled(api, user, only=set())
    rule = await add_rule(
        api,
        user,
        trigger={"type": "deal_idle", "duration": "PT30S"},
        actions=[{"type": "add_tag", "tag": "quiet"}],
    )
    kept = await _post(api, user, "deals", {"title": "Kept"})
    gone = await _post(api, user, "deals", {"title": "Gone"})
    await _delete(api, user, f"deals/{gone['id']}")
    await drain_events(db, clock.now(), user.workspace_id)
    assert (await sweep(db, user, clock.now() + timedelta(minutes=5))).fired == 1
    assert [r["subject_id"] for r in await runs_of(api, user, rule["id"])] == [kept["id"]]


async def test_restoring_is_idempotent_with_a_key(api: Api, user: User) -> None:
    activity = await _post(api, user, "activities", {"type": "task", "subject": "Once"})
    await _delete(api, user, f"activities/{activity['id']}")
    key = {"Idempotency-Key": uuid.uuid4().hex}
    first = await _restore(api, user, f"activities/{activity['id']}", **key)
    replay = await api.post(f"/api/v1/activities/{activity['id']}/restore", headers={**user.headers, **key})
    assert replay.status_code == 200 and replay.json() == first
    assert replay.headers.get("Idempotent-Replayed") == "true"
    assert first == await _get(api, user, f"activities/{activity['id']}")


async def test_another_workspace_cannot_see_or_restore_the_trash(
    api: Api, user: User, other_user: User
) -> None:
    contact = await _post(api, user, "contacts", {"first_name": "Private", "email": _email()})
    await _delete(api, user, f"contacts/{contact['id']}")
    theirs = await api.get("/api/v1/trash", headers=other_user.headers)
    assert theirs.status_code == 200 and contact["id"] not in theirs.text
    stolen = await api.post(f"/api/v1/contacts/{contact['id']}/restore", headers=other_user.headers)
    assert stolen.status_code == 404
    # Restoring it as another kind of record is not a way around it either.
    wrong_kind = await api.post(f"/api/v1/accounts/{contact['id']}/restore", headers=user.headers)
    assert wrong_kind.status_code == 404
    await _restore(api, user, f"contacts/{contact['id']}")


async def test_a_member_restores_what_they_deleted(api: Api, user: User) -> None:
    invited = await api.post(
        "/api/v1/invitations", json={"email": _email(), "role": "member"}, headers=user.headers
    )
    assert invited.status_code == 201, invited.text
    token = invited.json()["accept_url"].rsplit("/", 1)[-1]
    joined = await api.post(
        f"/api/v1/invitations/{token}/accept", json={"name": "Mem", "password": "correct-horse-9"}
    )
    assert joined.status_code in (200, 201), joined.text
    member = {"Authorization": f"Bearer {joined.json()['access_token']}"}
    deal = await _post(api, user, "deals", {"title": "Member's"})
    assert (await api.delete(f"/api/v1/deals/{deal['id']}", headers=member)).status_code == 204
    assert (await api.post(f"/api/v1/deals/{deal['id']}/restore", headers=member)).status_code == 200


async def test_the_nightly_purge_forgets_after_30_days_once(
    api: Api, user: User, db: Db, clock: OffsetClock
) -> None:
    old = await _post(api, user, "contacts", {"first_name": "Old", "email": _email()})
    await _delete(api, user, f"contacts/{old['id']}")
    clock.offset += timedelta(days=2)
    recent = await _post(api, user, "contacts", {"first_name": "Recent", "email": _email()})
    await _delete(api, user, f"contacts/{recent['id']}")
    item = next(i for i in (await _get(api, user, "trash"))["items"] if i["id"] == old["id"])
    assert item["purge_at"] > item["deleted_at"]

    day_31 = clock.now() + timedelta(days=29)
    assert await purge_trash_across_workspaces(db.sessionmaker, day_31) >= 1
    assert await purge_trash_across_workspaces(db.sessionmaker, day_31) == 0
    left = [i["id"] for i in (await _get(api, user, "trash"))["items"]]
    assert old["id"] not in left and recent["id"] in left
    gone = await api.post(f"/api/v1/contacts/{old['id']}/restore", headers=user.headers)
    assert gone.status_code == 404
    await _restore(api, user, f"contacts/{recent['id']}")


async def test_files_wait_in_the_trash_with_their_record_and_go_with_the_purge(
    api: Api, user: User, db: Db, clock: OffsetClock, app_handle: AppHandle
) -> None:
    contact = await _post(api, user, "contacts", {"first_name": "Filed", "email": _email()})
    path = f"/api/v1/contacts/{contact['id']}/files"
    uploaded = await api.post(
        path, files={"file": ("notes.txt", b"kept notes", "text/plain")}, headers=user.headers
    )
    assert uploaded.status_code == 201, uploaded.text
    file_url = f"/api/v1/files/{uploaded.json()['id']}"
    storage = storage_from_settings(app_handle.settings)
    root = app_handle.settings.attachments_dir
    stored = [p for p in root.rglob("*") if p.is_file() and p.read_bytes() == b"kept notes"]
    assert len(stored) == 1

    await _delete(api, user, f"contacts/{contact['id']}")
    await _restore(api, user, f"contacts/{contact['id']}")
    assert (await api.get(f"{file_url}/content", headers=user.headers)).content == b"kept notes"

    await _delete(api, user, f"contacts/{contact['id']}")
    assert (
        await purge_trash_across_workspaces(db.sessionmaker, clock.now() + timedelta(days=31), storage) >= 1
    )
    assert (await api.get(file_url, headers=user.headers)).status_code == 404
    assert not stored[0].exists()


async def test_a_restored_contact_keeps_every_address_and_is_found_by_them_again(
    api: Api, user: User, db: Db
) -> None:
    second = _email()
    contact = await _post(
        api,
        user,
        "contacts",
        {"first_name": "Multi", "emails": [{"email": _email(), "primary": True}, {"email": second}]},
    )
    before = (await api.get(f"/api/v1/contacts/{contact['id']}", headers=user.headers)).json()
    await _delete(api, user, f"contacts/{contact['id']}")
    free = await api.post(
        "/api/v1/contacts", json={"first_name": "Taker", "email": second}, headers=user.headers
    )
    assert free.status_code == 201, "a trashed contact's address does not block a new contact"
    await _delete(api, user, f"contacts/{free.json()['id']}")
    await _restore(api, user, f"contacts/{contact['id']}")
    after = (await api.get(f"/api/v1/contacts/{contact['id']}", headers=user.headers)).json()
    assert after["emails"] == before["emails"]
    again = await api.post(
        "/api/v1/contacts", json={"first_name": "Dup", "email": second}, headers=user.headers
    )
    assert again.status_code == 409 and again.json()["duplicate_of"] == contact["id"]
    async with db.engine.connect() as connection:
        rows = await connection.scalar(
            text("SELECT count(*) FROM contact_emails WHERE contact_id = :id"), {"id": contact["id"]}
        )
    assert rows == 1
