"""Contacts: normalising, duplicates (and racing creates), linking, merge-patch, If-Match, lists, q."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from domain.models import Contact, OutboxEvent
from tests.conftest import Api, Db, User

CONTACTS = "/api/v1/contacts"


async def _contact(api: Api, user: User, **fields: Any) -> dict[str, Any]:
    response = await api.post(CONTACTS, json=fields, headers=user.headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def _account(api: Api, user: User, **fields: Any) -> dict[str, Any]:
    response = await api.post("/api/v1/accounts", json=fields, headers=user.headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def _all(api: Api, user: User, query: str = "") -> list[dict[str, Any]]:
    response = await api.get(f"{CONTACTS}?limit=200{query}", headers=user.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _field_errors(response: Any) -> list[str]:
    return [str(e["loc"][-1]) for e in response.json().get("errors", [])]


async def test_email_and_phone_are_stored_normalised(api: Api, user: User) -> None:
    response = await api.post(
        CONTACTS,
        json={"first_name": " Hank ", "email": "Hank.Scorpio@Globex.COM", "phone": "(415) 555-0100"},
        headers=user.headers,
    )
    assert response.status_code == 201, response.text
    contact = response.json()
    assert contact["first_name"] == "Hank"
    assert contact["email"] == "hank.scorpio@globex.com"
    assert contact["phone"] == "+14155550100"
    assert contact["owner_id"] == user.user_id
    assert contact["version"] == 1 and contact["attribution"] is None
    assert response.headers["ETag"] == '"1"'
    # A number that does not parse is kept as typed, trimmed.
    odd = await _contact(api, user, last_name="Desk", phone="  ask at reception  ")
    assert odd["phone"] == "ask at reception"
    fetched = await api.get(f"{CONTACTS}/{contact['id']}", headers=user.headers)
    assert fetched.json() == contact and fetched.headers["ETag"] == '"1"'


async def test_invalid_email_or_no_identity_is_422(api: Api, user: User) -> None:
    bad = await api.post(CONTACTS, json={"email": "not an email"}, headers=user.headers)
    assert bad.status_code == 422
    assert "email" in _field_errors(bad)
    nothing = await api.post(CONTACTS, json={"title": "CEO", "tags": ["x"]}, headers=user.headers)
    assert nothing.status_code == 422
    blank = await api.post(CONTACTS, json={"first_name": "   ", "email": ""}, headers=user.headers)
    assert blank.status_code == 422
    assert await _all(api, user) == []


async def test_duplicate_email_or_phone_is_409_naming_the_original(api: Api, user: User) -> None:
    original = await _contact(api, user, first_name="Hank", email="hank@globex.com", phone="415-555-0100")
    same_email = await api.post(CONTACTS, json={"email": "HANK@globex.com"}, headers=user.headers)
    assert same_email.status_code == 409
    assert same_email.headers["content-type"].startswith("application/problem+json")
    assert same_email.json()["duplicate_of"] == original["id"]
    same_phone = await api.post(
        CONTACTS, json={"first_name": "H", "phone": "+1 (415) 555 0100"}, headers=user.headers
    )
    assert same_phone.status_code == 409
    assert same_phone.json()["duplicate_of"] == original["id"]
    assert len(await _all(api, user)) == 1


async def test_on_duplicate_allow_creates_a_second_contact(api: Api, user: User) -> None:
    first = await _contact(api, user, email="twin@example.org")
    response = await api.post(
        f"{CONTACTS}?on_duplicate=allow", json={"email": "twin@example.org"}, headers=user.headers
    )
    assert response.status_code == 201
    assert response.json()["id"] != first["id"]
    assert len(await _all(api, user)) == 2


async def test_on_duplicate_merge_fills_only_the_empty_fields(api: Api, user: User, db: Db) -> None:
    existing = await _contact(api, user, first_name="Hank", email="hank@globex.com", tags=["lead"])
    response = await api.post(
        f"{CONTACTS}?on_duplicate=merge",
        json={
            "first_name": "Henry",
            "last_name": "Scorpio",
            "email": "Hank@Globex.com",
            "title": "CEO",
            "tags": ["vip"],
            "custom_fields": {"tier": "gold"},
        },
        headers=user.headers,
    )
    assert response.status_code == 200, response.text
    merged = response.json()
    assert merged["id"] == existing["id"]
    assert merged["first_name"] == "Hank"  # what it had is kept
    assert (merged["last_name"], merged["title"]) == ("Scorpio", "CEO")
    assert merged["tags"] == ["lead", "vip"] and merged["custom_fields"] == {"tier": "gold"}
    assert merged["version"] == 2 and response.headers["ETag"] == '"2"'
    assert len(await _all(api, user)) == 1
    async with db.sessionmaker() as session:
        types = (
            await session.scalars(
                select(OutboxEvent.type)
                .where(OutboxEvent.subject_id == uuid.UUID(existing["id"]))
                .order_by(OutboxEvent.created_at)
            )
        ).all()
    assert types == ["contact.created", "contact.updated"]
    fresh = await api.post(
        f"{CONTACTS}?on_duplicate=merge", json={"email": "new@globex.com"}, headers=user.headers
    )
    assert fresh.status_code == 201  # nothing to merge into: an ordinary create


async def test_two_racing_creates_of_one_email_make_one_contact(api: Api, user: User) -> None:
    async def create(email: str) -> int:
        response = await api.post(CONTACTS, json={"email": email}, headers=user.headers)
        return int(response.status_code)

    for attempt in range(3):
        email = f"race-{attempt}@example.com"
        statuses = await asyncio.gather(create(email), create(email.upper()))
        assert sorted(statuses) == [201, 409]
        assert len(await _all(api, user, f"&email={email}")) == 1


async def test_email_domain_links_the_contact_to_its_account(api: Api, user: User) -> None:
    globex = await _account(api, user, name="Globex", website="https://www.Globex.com/about")
    assert globex["domain"] == "globex.com"
    hank = await _contact(api, user, email="hank@GLOBEX.com")
    assert hank["account_id"] == globex["id"]
    # A free-mail address says nothing about the employer; an explicit account wins.
    gmail_account = await _account(api, user, name="Google", domain="gmail.com")
    free = await _contact(api, user, email="someone@gmail.com")
    assert free["account_id"] is None and gmail_account["id"]
    other = await _account(api, user, name="Other")
    chosen = await _contact(api, user, email="homer@globex.com", account_id=other["id"])
    assert chosen["account_id"] == other["id"]


async def test_ids_from_another_workspace_are_422_naming_the_field(
    api: Api, user: User, other_user: User
) -> None:
    foreign = await _account(api, other_user, name="Not yours")
    response = await api.post(
        CONTACTS, json={"first_name": "X", "account_id": foreign["id"]}, headers=user.headers
    )
    assert response.status_code == 422
    assert "account_id" in _field_errors(response)
    response = await api.post(
        CONTACTS, json={"first_name": "X", "owner_id": other_user.user_id}, headers=user.headers
    )
    assert response.status_code == 422
    assert "owner_id" in _field_errors(response)
    missing = await api.post(
        CONTACTS, json={"first_name": "X", "account_id": str(uuid.uuid4())}, headers=user.headers
    )
    assert missing.status_code == 422
    assert await _all(api, user) == []


async def test_another_workspace_sees_nothing(api: Api, user: User, other_user: User) -> None:
    contact = await _contact(api, user, first_name="Private")
    path = f"{CONTACTS}/{contact['id']}"
    assert (await api.get(path, headers=other_user.headers)).status_code == 404
    assert (await api.patch(path, json={"title": "x"}, headers=other_user.headers)).status_code == 404
    assert (await api.delete(path, headers=other_user.headers)).status_code == 404
    assert await _all(api, other_user) == []
    assert (await api.get(path, headers=user.headers)).json()["title"] is None


async def test_patch_is_a_merge_patch(api: Api, user: User) -> None:
    contact = await _contact(
        api, user, first_name="Hank", last_name="Scorpio", phone="415 555 0100", tags=["a"]
    )
    path = f"{CONTACTS}/{contact['id']}"
    response = await api.patch(path, json={"title": "CEO"}, headers=user.headers)
    assert response.status_code == 200
    body = response.json()
    assert (body["first_name"], body["last_name"], body["phone"], body["title"]) == (
        "Hank",
        "Scorpio",
        "+14155550100",
        "CEO",
    )
    assert body["version"] == 2 and response.headers["ETag"] == '"2"'
    cleared = (await api.patch(path, json={"phone": None, "tags": None}, headers=user.headers)).json()
    assert cleared["phone"] is None and cleared["tags"] == [] and cleared["title"] == "CEO"
    # Saying the same thing again changes nothing, not even the version.
    same = (await api.patch(path, json={"title": "CEO"}, headers=user.headers)).json()
    assert same["version"] == cleared["version"]
    # A patch may not leave a contact without any way to know who it is.
    emptied = await api.patch(path, json={"first_name": None, "last_name": None}, headers=user.headers)
    assert emptied.status_code == 422
    typo = await api.patch(path, json={"titel": "x"}, headers=user.headers)
    assert typo.status_code == 422


async def test_stale_if_match_is_412_and_changes_nothing(api: Api, user: User) -> None:
    contact = await _contact(api, user, first_name="Hank")
    path = f"{CONTACTS}/{contact['id']}"
    ok = await api.patch(path, json={"title": "CEO"}, headers={**user.headers, "If-Match": '"1"'})
    assert ok.status_code == 200 and ok.headers["ETag"] == '"2"'
    stale = await api.patch(path, json={"title": "Intern"}, headers={**user.headers, "If-Match": '"1"'})
    assert stale.status_code == 412
    assert (await api.get(path, headers=user.headers)).json()["title"] == "CEO"
    assert (await api.delete(path, headers={**user.headers, "If-Match": "1"})).status_code == 412
    assert (await api.get(path, headers=user.headers)).status_code == 200
    anything = await api.patch(path, json={"title": "Boss"}, headers={**user.headers, "If-Match": "*"})
    assert anything.status_code == 200


async def test_delete_removes_the_contact_and_announces_it(api: Api, user: User, db: Db) -> None:
    contact = await _contact(api, user, first_name="Gone", email="gone@example.com")
    path = f"{CONTACTS}/{contact['id']}"
    assert (await api.delete(path, headers={**user.headers, "If-Match": '"1"'})).status_code == 204
    assert (await api.get(path, headers=user.headers)).status_code == 404
    assert (await api.delete(path, headers=user.headers)).status_code == 404
    async with db.sessionmaker() as session:
        event = (
            await session.scalars(
                select(OutboxEvent).where(
                    OutboxEvent.type == "contact.deleted", OutboxEvent.subject_id == uuid.UUID(contact["id"])
                )
            )
        ).one()
    assert event.payload["email"] == "gone@example.com"
    # Once gone, the email is free again.
    again = await api.post(CONTACTS, json={"email": "gone@example.com"}, headers=user.headers)
    assert again.status_code == 201


async def test_a_merged_away_contact_answers_404_naming_the_survivor(api: Api, user: User, db: Db) -> None:
    survivor = await _contact(api, user, first_name="Survivor")
    loser = await _contact(api, user, first_name="Loser")
    async with db.sessionmaker() as session, session.begin():
        await session.execute(
            update(Contact)
            .where(Contact.id == uuid.UUID(loser["id"]))
            .values(merged_into_id=uuid.UUID(survivor["id"]))
        )
    response = await api.get(f"{CONTACTS}/{loser['id']}", headers=user.headers)
    assert response.status_code == 404
    assert response.json()["merged_into"] == survivor["id"]
    assert [c["id"] for c in await _all(api, user)] == [survivor["id"]]


async def test_cursor_pagination_walks_every_contact_once(api: Api, user: User) -> None:
    created = [
        await _contact(api, user, first_name=f"P{i:03d}", last_name=f"L{119 - i:03d}") for i in range(120)
    ]
    for sort in ("-created_at", "last_name"):
        seen: list[str] = []
        cursor: str | None = None
        pages = 0
        while True:
            query = f"{CONTACTS}?limit=50&sort={sort}" + (f"&cursor={cursor}" if cursor else "")
            response = await api.get(query, headers=user.headers)
            assert response.status_code == 200, response.text
            page = response.json()
            seen += [c["id"] for c in page["items"]]
            pages += 1
            if pages == 1:
                # A contact created mid-walk lands before the cursor: no gap, no repeat.
                extra = await _contact(api, user, first_name="Late", last_name="A")
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert pages == 3
        assert len(seen) == len(set(seen)) == 120
        assert set(seen) == {c["id"] for c in created}
        if sort == "last_name":
            names = [
                (await api.get(f"{CONTACTS}/{i}", headers=user.headers)).json()["last_name"] for i in seen[:3]
            ]
            assert names == ["L000", "L001", "L002"]
        await api.delete(f"{CONTACTS}/{extra['id']}", headers=user.headers)
    newest = (await api.get(f"{CONTACTS}?limit=1", headers=user.headers)).json()["items"][0]
    assert newest["id"] == created[-1]["id"]


async def test_bad_cursors_limits_and_sorts_are_refused(api: Api, user: User) -> None:
    for i in range(3):
        await _contact(api, user, first_name=f"C{i}")
    page = (await api.get(f"{CONTACTS}?limit=1", headers=user.headers)).json()
    cursor = page["next_cursor"]
    tampered = cursor[:-3] + ("AAA" if not cursor.endswith("AAA") else "BBB")
    assert (await api.get(f"{CONTACTS}?cursor={tampered}", headers=user.headers)).status_code == 400
    assert (await api.get(f"{CONTACTS}?cursor=garbage", headers=user.headers)).status_code == 400
    # A cursor carries its sort: it cannot continue another order.
    assert (await api.get(f"{CONTACTS}?cursor={cursor}&sort=email", headers=user.headers)).status_code == 400
    assert (await api.get(f"{CONTACTS}?limit=0", headers=user.headers)).status_code == 422
    assert (await api.get(f"{CONTACTS}?limit=201", headers=user.headers)).status_code == 422
    assert (await api.get(f"{CONTACTS}?sort=password", headers=user.headers)).status_code == 400


async def test_q_matches_any_part_of_names_emails_titles_and_company(api: Api, user: User) -> None:
    globex = await _account(api, user, name="Globex Corporation")
    nuclear = await _account(api, user, name="Springfield Nuclear Plant")
    hank = await _contact(
        api,
        user,
        first_name="Hank",
        last_name="Scorpio",
        email="hank@globex.com",
        title="Chief Executive",
        account_id=globex["id"],
    )
    homer = await _contact(
        api, user, first_name="Homer", last_name="Simpson", title="Safety Inspector", account_id=nuclear["id"]
    )
    odd = await _contact(api, user, first_name="Percy", email="50%_off@deals.example")

    async def found(q: str) -> set[str]:
        response = await api.get(CONTACTS, params={"q": q}, headers=user.headers)
        assert response.status_code == 200, response.text
        return {c["id"] for c in response.json()["items"]}

    assert await found("scorp") == {hank["id"]}
    assert await found("SCORPIO") == {hank["id"]}
    assert await found("inspect") == {homer["id"]}  # title
    assert await found("k@glob") == {hank["id"]}  # email
    assert await found("nuclear") == {homer["id"]}  # company only
    assert await found("springfield n") == {homer["id"]}
    # Shorter than a trigram takes another path to the same answers.
    assert await found("PS") == {homer["id"]}
    assert await found("nt") == {homer["id"]}  # "Plant"
    # LIKE wildcards in q match themselves, not anything.
    assert await found("%") == {odd["id"]}
    assert await found("0%_o") == {odd["id"]}
    assert await found("_") == {odd["id"]}
    assert await found("zzz") == set()
    both = await api.get(CONTACTS, params={"q": "s", "account_id": globex["id"]}, headers=user.headers)
    assert [c["id"] for c in both.json()["items"]] == [hank["id"]]


async def test_q_does_not_reach_another_workspace(api: Api, user: User, other_user: User) -> None:
    await _contact(api, other_user, first_name="Hank", last_name="Scorpio")
    response = await api.get(CONTACTS, params={"q": "scorpio"}, headers=user.headers)
    assert response.json()["items"] == []


async def test_filters(api: Api, user: User, clock: Any) -> None:
    member = await api.signup(workspace="Second")  # someone who is not a member here
    account = await _account(api, user, name="Initech")
    old = await _contact(api, user, first_name="Old", tags=["vip", "x"], account_id=account["id"])
    clock.advance(timedelta(hours=1))
    new = await _contact(api, user, first_name="New", email="New@Example.com")

    async def ids(query: str) -> list[str]:
        response = await api.get(f"{CONTACTS}?{query}", headers=user.headers)
        assert response.status_code == 200, response.text
        return [c["id"] for c in response.json()["items"]]

    assert await ids("tag=vip") == [old["id"]]
    assert await ids(f"account_id={account['id']}") == [old["id"]]
    assert await ids("email=NEW@example.com") == [new["id"]]
    assert await ids(f"owner_id={user.user_id}") == [new["id"], old["id"]]
    assert await ids(f"owner_id={member.user_id}") == []
    boundary = (await api.get(f"{CONTACTS}/{old['id']}", headers=user.headers)).json()["created_at"]
    assert await ids(f"created_after={boundary.replace('+00:00', 'Z')}") == [new["id"]]
    clock.advance(timedelta(hours=1))
    await api.patch(f"{CONTACTS}/{old['id']}", json={"title": "Boss"}, headers=user.headers)
    assert await ids(f"updated_after={new['updated_at'].replace('+00:00', 'Z')}") == [old["id"]]


async def test_idempotency_key_replays_the_first_create(api: Api, user: User) -> None:
    headers = {**user.headers, "Idempotency-Key": "new-contact-1"}
    first = await api.post(CONTACTS, json={"email": "once@example.com"}, headers=headers)
    again = await api.post(CONTACTS, json={"email": "once@example.com"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.headers["ETag"] == '"1"'
    assert len(await _all(api, user)) == 1
