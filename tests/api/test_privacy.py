"""Data-subject requests: erase a contact everywhere (Art. 17), export everything held (Art. 15)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from sqlalchemy import text

from tests.api.forms_support import add_member, create_form, run_worker, submit_url
from tests.api.imports_support import run_due, upload
from tests.conftest import Api, AppHandle, Db, User

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


async def _scan(db: Db, needles: list[str]) -> list[str]:
    """Every text, JSON, text-array and binary column of every table that holds any needle."""
    hits: list[str] = []
    async with db.engine.connect() as connection:
        columns = (
            await connection.execute(
                text(
                    """
                    SELECT c.table_name, c.column_name, c.data_type, c.udt_name
                    FROM information_schema.columns c
                    JOIN information_schema.tables t
                      ON t.table_schema = c.table_schema AND t.table_name = c.table_name
                     AND t.table_type = 'BASE TABLE'
                    WHERE c.table_schema = 'public'
                      AND (c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb',
                                           'bytea', 'ARRAY', 'USER-DEFINED'))
                    """
                )
            )
        ).all()
        assert len(columns) > 50
        for table, column, data_type, _udt in columns:
            if data_type == "bytea":
                # Raw bytes, matched as text (bodies and uploads are mostly UTF-8).
                value = f"encode(\"{column}\", 'escape')"
            else:
                value = f'"{column}"::text'
            for needle in needles:
                count = await connection.scalar(
                    text(f'SELECT count(*) FROM "{table}" WHERE strpos(lower({value}), :n) > 0'),
                    {"n": needle.lower()},
                )
                if count:
                    hits.append(f"{table}.{column} holds {needle!r} ({count} rows)")
    return hits


async def test_erasure_leaves_no_trace_in_any_table(
    api: Api, user: User, db: Db, app_handle: AppHandle
) -> None:
    tag = uuid.uuid4().hex[:8]
    email = f"jane.roe.{tag}@roe-consulting.example"
    phone = "+14155550137"
    digits = "4155550137"
    headers = user.headers

    # A webhook subscription, so events about her become delivery logs.
    hook = await api.post(
        "/api/v1/webhooks", json={"url": "https://hooks.example.com/crm", "events": ["*"]}, headers=headers
    )
    assert hook.status_code == 201, hook.text

    # Created by an idempotent POST (the replay stores the answer, email and all).
    created = await api.post(
        "/api/v1/contacts",
        json={"first_name": "Jane", "last_name": "Roe", "email": email, "tags": ["vip"]},
        headers={**headers, "Idempotency-Key": f"jane-{tag}"},
    )
    assert created.status_code == 201, created.text
    contact_id = created.json()["id"]

    # A timeline field change (old and new phone).
    changed = await api.patch(
        f"/api/v1/contacts/{contact_id}",
        json={"phone": "+1 415 555 0199", "custom_fields": {"mobile": phone}},
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    changed = await api.patch(f"/api/v1/contacts/{contact_id}", json={"phone": phone}, headers=headers)
    assert changed.status_code == 200 and changed.json()["phone"] == phone

    # An activity mentioning her email and her phone as people type it.
    activity = await api.post(
        "/api/v1/activities",
        json={
            "type": "call",
            "subject": f"Call Jane Roe back at (415) 555-0137 / {email.upper()}",
            "body": f"She asked us to write to {email}; mobile 415.555.0137.",
            "contact_id": contact_id,
        },
        headers=headers,
    )
    assert activity.status_code == 201, activity.text
    # Another person's note, mentioning her in passing.
    other = await api.post(
        "/api/v1/contacts", json={"first_name": "Bob", "email": f"bob-{tag}@other.example"}, headers=headers
    )
    note = await api.post(
        "/api/v1/activities",
        json={
            "type": "note",
            "subject": "Referral",
            "body": f"Bob referred {email}",
            "contact_id": other.json()["id"],
        },
        headers=headers,
    )
    assert note.status_code == 201

    # A form post (urlencoded: the raw body holds the email as jane.roe...%40...).
    form = await create_form(api, user, name=f"Web {tag}")
    posted = await api.post(
        submit_url(form),
        data={"email": email, "name": "Jane Roe", "phone": phone, "message": f"Call me on {phone}"},
        headers={"Referer": f"https://roe-consulting.example/?utm_source=ads&contact={email}"},
    )
    assert posted.status_code == 202, posted.text
    # A logged email from her.
    secret = (await api.get("/api/v1/inbound/settings", headers=headers)).json()["secret"]
    inbound = await api.post(
        "/api/v1/inbound/email",
        json={
            "from": f"Jane Roe <{email}>",
            "to": "sales@ourco.example",
            "subject": "Re: pricing",
            "text": f"Best, Jane\n{phone}",
            "message_id": f"<{uuid.uuid4()}@roe-consulting.example>",
        },
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert inbound.status_code in (200, 201), inbound.text

    # Imports: one merges into her, a dry run previews her, a deals file fails a row naming her.
    await upload(api, user, f"email,phone,title\n{email.upper()},{phone},CEO\n".encode())
    await upload(api, user, f"email,first_name\n{email},Jane\n".encode(), dry_run=True)
    await upload(
        api,
        user,
        f"title,stage,contact_email\nRoe deal,No such stage,{email}\n".encode(),
        object="deals",
    )
    await run_due(db)
    # A file on her record.
    attached = await api.post(
        f"/api/v1/contacts/{contact_id}/files", files={"file": ("cv.png", PNG, "image/png")}, headers=headers
    )
    assert attached.status_code == 201
    stored = app_handle.settings.attachments_dir / user.workspace_id / attached.json()["id"]
    assert stored.exists()

    # The worker's part: form processing, automations, webhook fan-out.
    await run_worker(db, user.workspace_id)
    assert await _scan(db, [email]), "the setup should have spread her email around"
    before = {hit.split(" ")[0] for hit in await _scan(db, [email, phone, digits])}
    for place in (
        "contacts.email",
        "activities.body",
        "form_submissions.raw_body",
        "idempotency_records.body",
        "webhook_deliveries.payload",
        "timeline_events.data",
        "import_chunks.data",
        "import_errors.values",
        "imports.preview",
        "email_messages.from_address",
        "outbox_events.payload",
    ):
        assert place in before, f"setup did not reach {place}: {sorted(before)}"

    erased = await api.post(f"/api/v1/contacts/{contact_id}/erase", headers=headers)
    assert erased.status_code == 200, erased.text
    assert erased.json()["files_deleted"] == 1

    assert await _scan(db, [email, phone, digits, "415 555 0137", "(415) 555-0137"]) == []
    assert not stored.exists()

    # What stays: the record (emptied), links, the activity, an audit entry, a contact.erased event.
    contact = (await api.get(f"/api/v1/contacts/{contact_id}", headers=headers)).json()
    assert contact["email"] is None and contact["first_name"] is None and contact["tags"] == []
    assert contact["custom_fields"] == {} and contact["erased_at"] is not None
    kept = (await api.get(f"/api/v1/activities/{activity.json()['id']}", headers=headers)).json()
    assert kept["contact_id"] == contact_id
    assert kept["subject"] == "Call [erased] back at [erased] / [erased]"
    log = (await api.get("/api/v1/audit-log", params={"action": "contact.erased"}, headers=headers)).json()
    assert [(e["subject_id"], e["actor_id"]) for e in log["items"]] == [(contact_id, user.user_id)]
    async with db.engine.connect() as connection:
        payload = (
            await connection.execute(
                text("SELECT payload FROM outbox_events WHERE type = 'contact.erased' AND subject_id = :id"),
                {"id": contact_id},
            )
        ).scalar_one()
    assert set(payload) == {"id", "erased_at"}
    # The erased event reaches the webhook subscription like any other.
    await run_worker(db, user.workspace_id)
    deliveries = (await api.get(f"/api/v1/webhooks/{hook.json()['id']}/deliveries", headers=headers)).json()
    assert "contact.erased" in {d["event_type"] for d in deliveries["items"]}

    # Again: nothing more to do, same answer.
    again = await api.post(f"/api/v1/contacts/{contact_id}/erase", headers=headers)
    assert again.status_code == 200 and again.json()["erased_at"] == erased.json()["erased_at"]


async def test_only_admins_erase(api: Api, user: User, db: Db) -> None:
    member = await add_member(api, user)
    email = f"keep-{uuid.uuid4().hex[:8]}@example.com"
    created = await api.post("/api/v1/contacts", json={"email": email}, headers=member.headers)
    contact_id = created.json()["id"]
    refused = await api.post(f"/api/v1/contacts/{contact_id}/erase", headers=member.headers)
    assert refused.status_code == 403
    assert (await api.get(f"/api/v1/contacts/{contact_id}", headers=user.headers)).json()["email"] == email
    assert (await api.post(f"/api/v1/contacts/{uuid.uuid4()}/erase", headers=user.headers)).status_code == 404


async def test_erasure_is_confined_to_the_workspace(api: Api, user: User, other_user: User) -> None:
    email = f"twin-{uuid.uuid4().hex[:8]}@example.com"
    mine = await api.post("/api/v1/contacts", json={"email": email}, headers=user.headers)
    theirs = await api.post("/api/v1/contacts", json={"email": email}, headers=other_user.headers)
    assert (
        await api.post(f"/api/v1/contacts/{theirs.json()['id']}/erase", headers=user.headers)
    ).status_code == 404
    erased = await api.post(f"/api/v1/contacts/{mine.json()['id']}/erase", headers=user.headers)
    assert erased.status_code == 200
    # The same address in another workspace is that workspace's record, untouched.
    kept = await api.get(f"/api/v1/contacts/{theirs.json()['id']}", headers=other_user.headers)
    assert kept.json()["email"] == email


async def test_export_holds_everything_on_the_contact(api: Api, user: User, db: Db) -> None:
    email = f"ex-{uuid.uuid4().hex[:8]}@example.com"
    created = await api.post(
        "/api/v1/contacts",
        json={"first_name": "Exa", "last_name": "Port", "email": email},
        headers=user.headers,
    )
    contact_id = created.json()["id"]
    await api.patch(f"/api/v1/contacts/{contact_id}", json={"title": "CTO"}, headers=user.headers)
    activity = await api.post(
        "/api/v1/activities",
        json={"type": "note", "subject": "Met at the fair", "contact_id": contact_id},
        headers=user.headers,
    )
    deal = await api.post(
        "/api/v1/deals", json={"title": "Export deal", "contact_ids": [contact_id]}, headers=user.headers
    )
    form = await create_form(api, user, name="Export form")
    await api.post(submit_url(form), json={"email": email, "message": "hello there"})
    await run_worker(db, user.workspace_id)
    attached = await api.post(
        f"/api/v1/contacts/{contact_id}/files",
        files={"file": ("a.txt", b"abc", "text/plain")},
        headers=user.headers,
    )

    response = await api.get(f"/api/v1/contacts/{contact_id}/export", headers=user.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["contact"]["email"] == email and body["contact"]["title"] == "CTO"
    assert activity.json()["id"] in {a["id"] for a in body["activities"]}
    assert [d["id"] for d in body["deals"]] == [deal.json()["id"]]
    assert {"created", "field_changed"} <= {e["type"] for e in body["timeline"]}
    assert [s["fields"].get("message") for s in body["form_submissions"]] == ["hello there"]
    assert [f["id"] for f in body["files"]] == [attached.json()["id"]]
    assert body["files"][0]["sha256"]

    log = (
        await api.get("/api/v1/audit-log", params={"action": "contact.exported"}, headers=user.headers)
    ).json()
    assert [e["subject_id"] for e in log["items"]] == [contact_id]
    assert email not in str(log)


async def test_erase_honours_if_match_and_two_at_once_act_once(api: Api, user: User) -> None:
    email = f"race-{uuid.uuid4().hex[:8]}@example.com"
    created = await api.post("/api/v1/contacts", json={"email": email}, headers=user.headers)
    contact_id = created.json()["id"]
    await api.patch(f"/api/v1/contacts/{contact_id}", json={"title": "CFO"}, headers=user.headers)
    stale = await api.post(
        f"/api/v1/contacts/{contact_id}/erase", headers={**user.headers, "If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert (await api.get(f"/api/v1/contacts/{contact_id}", headers=user.headers)).json()["email"] == email

    first, second = await asyncio.gather(
        api.post(f"/api/v1/contacts/{contact_id}/erase", headers=user.headers),
        api.post(f"/api/v1/contacts/{contact_id}/erase", headers=user.headers),
    )
    assert first.status_code == second.status_code == 200
    assert first.json()["erased_at"] == second.json()["erased_at"]
    log = await api.get("/api/v1/audit-log", params={"action": "contact.erased"}, headers=user.headers)
    assert [e["subject_id"] for e in log.json()["items"]].count(contact_id) == 1


async def test_erasure_covers_every_email_and_phone_the_person_gave(api: Api, user: User, db: Db) -> None:
    tag = uuid.uuid4().hex[:8]
    work, home = f"sam.{tag}@work.example", f"sam.{tag}@home.example"
    created = await api.post(
        "/api/v1/contacts",
        json={
            "first_name": "Sam",
            "emails": [{"email": work, "primary": True}, {"email": home, "label": "home"}],
            "phones": [{"phone": "+1 646 555 0177", "primary": True}, {"phone": "+1 212 555 0142"}],
        },
        headers=user.headers,
    )
    assert created.status_code == 201, created.text
    contact_id = created.json()["id"]
    note = await api.post(
        "/api/v1/activities",
        json={"type": "note", "subject": f"Prefers {home} or 212-555-0142", "contact_id": contact_id},
        headers=user.headers,
    )
    assert note.status_code == 201, note.text
    assert await _scan(db, [home, "+12125550142"]), "the setup should have stored the second address"

    erased = await api.post(f"/api/v1/contacts/{contact_id}/erase", headers=user.headers)
    assert erased.status_code == 200, erased.text
    assert await _scan(db, [work, home, "+16465550177", "+12125550142", "212-555-0142"]) == []
    contact = (await api.get(f"/api/v1/contacts/{contact_id}", headers=user.headers)).json()
    assert contact["emails"] == [] and contact["phones"] == []
