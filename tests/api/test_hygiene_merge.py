"""Merging contacts and accounts: the survivor keeps everything its sources held."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, text

from domain.hygiene.merge import ACCOUNT_REFERENCES, CONTACT_REFERENCES, SETTLED_BY_MERGE
from domain.models import Contact, DealContact, OutboxEvent
from tests.conftest import Api, Db, User


async def _post(api: Api, user: User, path: str, **fields: Any) -> dict[str, Any]:
    response = await api.post(path, json=fields, headers=user.headers)
    assert response.status_code in (200, 201), response.text
    body: dict[str, Any] = response.json()
    return body


async def _timeline(api: Api, user: User, kind: str, record_id: str) -> list[dict[str, Any]]:
    response = await api.get(f"/api/v1/{kind}/{record_id}/timeline?limit=200", headers=user.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_nothing_attached_to_a_source_is_lost(api: Api, user: User, db: Db) -> None:
    survivor = await _post(
        api,
        user,
        "/api/v1/contacts",
        first_name="Hank",
        phone="415 555 0100",
        tags=["lead"],
        custom_fields={"tier": "gold"},
    )
    b = await _post(
        api,
        user,
        "/api/v1/contacts",
        first_name="Henry",
        last_name="Scorpio",
        email="hank@globex.com",
        title="CEO",
        tags=["vip", "lead"],
        custom_fields={"tier": "silver", "shoe": 44},
    )
    c = await _post(
        api,
        user,
        "/api/v1/contacts",
        last_name="Scorpio",
        email="h.scorpio@globex.com",
        title="Chief Executive",
        source="conference",
    )
    earlier = await _post(api, user, "/api/v1/contacts", email="scorpio@gmail.com")
    await _post(api, user, f"/api/v1/contacts/{b['id']}/merge", source_ids=[earlier["id"]])
    await api.patch(f"/api/v1/contacts/{b['id']}", json={"title": "CEO, Globex"}, headers=user.headers)
    call = await _post(api, user, "/api/v1/activities", type="call", subject="Intro call", contact_id=b["id"])
    task = await _post(api, user, "/api/v1/activities", type="task", subject="Send deck", contact_id=c["id"])
    deal_b = await _post(api, user, "/api/v1/deals", title="Globex rollout", contact_ids=[b["id"]])
    deal_both = await _post(
        api, user, "/api/v1/deals", title="Globex upsell", contact_ids=[survivor["id"], c["id"]]
    )
    timeline_before = {e["id"] for who in (b, c) for e in await _timeline(api, user, "contacts", who["id"])}
    email_id = uuid.uuid4()
    async with db.sessionmaker() as session, session.begin():
        # A logged email naming both sources and someone else (written as inbound email does).
        other = uuid.uuid4()
        await session.execute(
            text(
                "INSERT INTO email_messages (id, workspace_id, message_id, to_addresses, cc_addresses, "
                "direction, activity_ids, contact_ids, deal_ids, received_at) VALUES (:id, :ws, '<m@x>', "
                "'{}', '{}', 'inbound', '{}', CAST(:contacts AS uuid[]), '{}', now())"
            ),
            {
                "id": email_id,
                "ws": uuid.UUID(user.workspace_id),
                "contacts": [uuid.UUID(b["id"]), other, uuid.UUID(c["id"])],
            },
        )

    stale = await api.post(
        f"/api/v1/contacts/{survivor['id']}/merge",
        json={"source_ids": [b["id"], c["id"]]},
        headers={**user.headers, "If-Match": '"99"'},
    )
    assert stale.status_code == 412
    assert (await api.get(f"/api/v1/contacts/{b['id']}", headers=user.headers)).status_code == 200

    response = await api.post(
        f"/api/v1/contacts/{survivor['id']}/merge",
        json={"source_ids": [b["id"], c["id"]], "fields": {"title": c["id"], "custom_fields.shoe": b["id"]}},
        headers={**user.headers, "If-Match": f'"{survivor["version"]}"'},
    )
    assert response.status_code == 200, response.text
    merged = response.json()
    assert response.headers["ETag"] == f'"{merged["version"]}"' and merged["version"] > survivor["version"]
    assert (merged["first_name"], merged["last_name"], merged["email"], merged["phone"]) == (
        "Hank",
        "Scorpio",
        "hank@globex.com",
        "+14155550100",
    )
    assert (merged["title"], merged["source"]) == ("Chief Executive", "conference")
    assert merged["tags"] == ["lead", "vip"]
    assert merged["custom_fields"] == {"tier": "gold", "shoe": 44}

    for source in (b, c, earlier):
        gone = await api.get(f"/api/v1/contacts/{source['id']}", headers=user.headers)
        assert gone.status_code == 404 and gone.json()["merged_into"] == survivor["id"]
    activities = (
        await api.get(f"/api/v1/activities?contact_id={survivor['id']}", headers=user.headers)
    ).json()
    assert {a["id"] for a in activities["items"]} == {call["id"], task["id"]}
    for deal in (deal_b, deal_both):
        fetched = (await api.get(f"/api/v1/deals/{deal['id']}", headers=user.headers)).json()
        assert fetched["contact_ids"] == [survivor["id"]]
    timeline = await _timeline(api, user, "contacts", survivor["id"])
    assert timeline_before <= {e["id"] for e in timeline}
    merge_event = next(e for e in timeline if e["type"] == "merged")
    assert merge_event["data"]["merged_ids"] == [b["id"], c["id"]]
    async with db.sessionmaker() as session:
        links = (
            await session.scalars(
                select(DealContact.contact_id).where(
                    DealContact.contact_id.in_([uuid.UUID(b["id"]), uuid.UUID(c["id"])])
                )
            )
        ).all()
        assert links == []
        event = (
            await session.scalars(
                select(OutboxEvent).where(
                    OutboxEvent.type == "contact.merged", OutboxEvent.subject_id == uuid.UUID(survivor["id"])
                )
            )
        ).one()
        assert (
            event.payload["merged_ids"] == [b["id"], c["id"]] and event.payload["email"] == "hank@globex.com"
        )
        chained = await session.get(Contact, uuid.UUID(earlier["id"]))
        assert chained is not None and chained.merged_into_id == uuid.UUID(survivor["id"])
        named = await session.scalar(
            text("SELECT contact_ids FROM email_messages WHERE id = :id"), {"id": email_id}
        )
        assert named == [uuid.UUID(survivor["id"]), other]
    listed = (await api.get("/api/v1/contacts?limit=200", headers=user.headers)).json()["items"]
    assert [item["id"] for item in listed] == [survivor["id"]]
    # A merge unions the emails: the twin's address is now one of the survivor's, so it is
    # still taken (issue 11: duplicate detection considers every email of a contact).
    again = await api.post("/api/v1/contacts", json={"email": "h.scorpio@globex.com"}, headers=user.headers)
    assert again.status_code == 409 and again.json()["duplicate_of"] == survivor["id"]
    assert "h.scorpio@globex.com" in {e["email"] for e in merged["emails"]}


async def test_merge_refuses_what_it_cannot_do(api: Api, user: User, other_user: User) -> None:
    a = await _post(api, user, "/api/v1/contacts", first_name="A")
    b = await _post(api, user, "/api/v1/contacts", first_name="B")
    theirs = await _post(api, other_user, "/api/v1/contacts", first_name="T")
    url = f"/api/v1/contacts/{a['id']}/merge"
    itself = await api.post(url, json={"source_ids": [a["id"]]}, headers=user.headers)
    assert itself.status_code == 422
    foreign = await api.post(url, json={"source_ids": [b["id"], theirs["id"]]}, headers=user.headers)
    assert foreign.status_code == 422 and foreign.json()["errors"][0]["loc"] == ["body", "source_ids", 1]
    bad_field = await api.post(
        url, json={"source_ids": [b["id"]], "fields": {"version": b["id"]}}, headers=user.headers
    )
    assert bad_field.status_code == 422
    outsider = await api.post(
        url, json={"source_ids": [b["id"]], "fields": {"title": theirs["id"]}}, headers=user.headers
    )
    assert outsider.status_code == 422
    assert (
        await api.post(
            f"/api/v1/contacts/{theirs['id']}/merge", json={"source_ids": [b["id"]]}, headers=user.headers
        )
    ).status_code == 404
    assert (await api.post(url, json={"source_ids": []}, headers=user.headers)).status_code == 422
    await _post(api, user, url, source_ids=[b["id"]])
    twice = await api.post(url, json={"source_ids": [b["id"]]}, headers=user.headers)
    assert twice.status_code == 422
    into_merged = await api.post(
        f"/api/v1/contacts/{b['id']}/merge", json={"source_ids": [a["id"]]}, headers=user.headers
    )
    assert into_merged.status_code == 404 and into_merged.json()["merged_into"] == a["id"]


async def test_merging_accounts_moves_their_contacts_and_deals(api: Api, user: User) -> None:
    survivor = await _post(api, user, "/api/v1/accounts", name="Globex")
    source = await _post(
        api,
        user,
        "/api/v1/accounts",
        name="Globex Corp",
        domain="globex.com",
        industry="Energy",
        tags=["enterprise"],
    )
    contact = await _post(api, user, "/api/v1/contacts", first_name="Hank", account_id=source["id"])
    deal = await _post(api, user, "/api/v1/deals", title="Rollout", account_id=source["id"])
    note = await _post(api, user, "/api/v1/activities", type="note", subject="Met", account_id=source["id"])
    merged = await _post(api, user, f"/api/v1/accounts/{survivor['id']}/merge", source_ids=[source["id"]])
    assert (merged["name"], merged["domain"], merged["industry"], merged["tags"]) == (
        "Globex",
        "globex.com",
        "Energy",
        ["enterprise"],
    )
    assert (await api.get(f"/api/v1/contacts/{contact['id']}", headers=user.headers)).json()[
        "account_id"
    ] == survivor["id"]
    assert (await api.get(f"/api/v1/deals/{deal['id']}", headers=user.headers)).json()[
        "account_id"
    ] == survivor["id"]
    assert (await api.get(f"/api/v1/activities/{note['id']}", headers=user.headers)).json()[
        "account_id"
    ] == survivor["id"]
    gone = await api.get(f"/api/v1/accounts/{source['id']}", headers=user.headers)
    assert gone.status_code == 404 and gone.json()["merged_into"] == survivor["id"]
    assert any(e["type"] == "merged" for e in await _timeline(api, user, "accounts", survivor["id"]))


async def test_every_table_pointing_at_contacts_or_accounts_is_declared(db: Db) -> None:
    """A new table with a foreign key to contacts or accounts must say how a merge moves its rows."""
    async with db.sessionmaker() as session:
        rows = (
            await session.execute(
                text("""
            SELECT c.confrelid::regclass::text AS target, c.conrelid::regclass::text AS tbl, a.attname AS col
            FROM pg_constraint c
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
            WHERE c.contype = 'f' AND c.confrelid IN ('contacts'::regclass, 'accounts'::regclass)
              AND a.attname <> 'workspace_id'
        """)
            )
        ).all()
    declared = {
        "contacts": {(r.table, r.column) for r in CONTACT_REFERENCES},
        "accounts": {(r.table, r.column) for r in ACCOUNT_REFERENCES},
    }
    missing = [
        (r.target, r.tbl, r.col)
        for r in rows
        if r.tbl not in SETTLED_BY_MERGE and (r.tbl, r.col) not in declared[r.target]
    ]
    assert missing == [], "declare these in domain.hygiene.merge (references_contacts/references_accounts)"
