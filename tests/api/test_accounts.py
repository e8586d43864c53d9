"""Accounts: domains from websites, merge-patch, If-Match, delete, lists, filters and q."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from domain.models import Account, OutboxEvent, TimelineEvent
from tests.conftest import Api, Db, User

ACCOUNTS = "/api/v1/accounts"


async def _account(api: Api, user: User, **fields: Any) -> dict[str, Any]:
    response = await api.post(ACCOUNTS, json=fields, headers=user.headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def _ids(api: Api, user: User, query: str = "", **params: str) -> list[str]:
    response = await api.get(f"{ACCOUNTS}?{query}", params=params or None, headers=user.headers)
    assert response.status_code == 200, response.text
    return [a["id"] for a in response.json()["items"]]


async def test_domain_comes_from_the_website_unless_given(api: Api, user: User) -> None:
    response = await api.post(
        ACCOUNTS,
        json={"name": " Globex ", "website": "https://www.Globex.com/about", "phone": "(415) 555-0199"},
        headers=user.headers,
    )
    assert response.status_code == 201, response.text
    globex = response.json()
    assert (globex["name"], globex["domain"], globex["phone"]) == ("Globex", "globex.com", "+14155550199")
    assert globex["owner_id"] == user.user_id and globex["version"] == 1
    assert response.headers["ETag"] == '"1"'
    given = await _account(api, user, name="Initech", website="initech.io", domain="INITECH.com")
    assert given["domain"] == "initech.com"
    pasted = await _account(api, user, name="Acme", domain="http://www.ACME.org/")
    assert pasted["domain"] == "acme.org"
    fetched = await api.get(f"{ACCOUNTS}/{globex['id']}", headers=user.headers)
    assert fetched.json() == globex


async def test_an_account_needs_a_name(api: Api, user: User) -> None:
    for body in ({"domain": "x.com"}, {"name": "   "}, {"name": "X", "domain": "nodot"}):
        assert (await api.post(ACCOUNTS, json=body, headers=user.headers)).status_code == 422, body
    account = await _account(api, user, name="Named")
    cleared = await api.patch(f"{ACCOUNTS}/{account['id']}", json={"name": None}, headers=user.headers)
    assert cleared.status_code == 422
    assert await _ids(api, user) == [account["id"]]


async def test_patch_is_a_merge_patch_and_the_domain_follows_the_website(api: Api, user: User) -> None:
    account = await _account(api, user, name="Globex", website="globex.com", industry="Energy", tags=["a"])
    path = f"{ACCOUNTS}/{account['id']}"
    moved = (await api.patch(path, json={"website": "https://globex-corp.com"}, headers=user.headers)).json()
    assert moved["domain"] == "globex-corp.com"  # it was derived, so it follows
    assert (moved["industry"], moved["tags"], moved["version"]) == ("Energy", ["a"], 2)
    hand_set = (await api.patch(path, json={"domain": "globex.net"}, headers=user.headers)).json()
    again = (await api.patch(path, json={"website": "globex.org"}, headers=user.headers)).json()
    assert again["domain"] == hand_set["domain"] == "globex.net"  # set by hand, so it stays
    cleared = (await api.patch(path, json={"industry": None}, headers=user.headers)).json()
    assert cleared["industry"] is None and cleared["name"] == "Globex"


async def test_stale_if_match_is_412_and_changes_nothing(api: Api, user: User) -> None:
    account = await _account(api, user, name="Globex")
    path = f"{ACCOUNTS}/{account['id']}"
    assert (await api.patch(path, json={"industry": "Energy"}, headers=user.headers)).status_code == 200
    stale = await api.patch(path, json={"industry": "Retail"}, headers={**user.headers, "If-Match": '"1"'})
    assert stale.status_code == 412
    assert (await api.get(path, headers=user.headers)).json()["industry"] == "Energy"
    assert (await api.delete(path, headers={**user.headers, "If-Match": '"1"'})).status_code == 412
    assert (await api.delete(path, headers={**user.headers, "If-Match": '"2"'})).status_code == 204
    assert (await api.get(path, headers=user.headers)).status_code == 404


async def test_deleting_an_account_keeps_its_contacts_unlinked(api: Api, user: User, db: Db) -> None:
    account = await _account(api, user, name="Globex", domain="globex.com")
    response = await api.post("/api/v1/contacts", json={"email": "hank@globex.com"}, headers=user.headers)
    contact = response.json()
    assert contact["account_id"] == account["id"]
    assert (await api.delete(f"{ACCOUNTS}/{account['id']}", headers=user.headers)).status_code == 204
    kept = await api.get(f"/api/v1/contacts/{contact['id']}", headers=user.headers)
    assert kept.status_code == 200 and kept.json()["account_id"] is None
    async with db.sessionmaker() as session:
        types = (
            await session.scalars(
                select(OutboxEvent.type)
                .where(OutboxEvent.subject_id == uuid.UUID(account["id"]))
                .order_by(OutboxEvent.created_at)
            )
        ).all()
    assert types == ["account.created", "account.deleted"]


async def test_changes_are_recorded_with_old_and_new_values(api: Api, user: User, db: Db) -> None:
    account = await _account(api, user, name="Globex", industry="Energy")
    await api.patch(f"{ACCOUNTS}/{account['id']}", json={"industry": "Utilities"}, headers=user.headers)
    async with db.sessionmaker() as session:
        events = (
            await session.scalars(
                select(TimelineEvent)
                .where(TimelineEvent.subject_id == uuid.UUID(account["id"]))
                .order_by(TimelineEvent.at)
            )
        ).all()
        updated = (
            await session.scalars(
                select(OutboxEvent).where(
                    OutboxEvent.type == "account.updated", OutboxEvent.subject_id == uuid.UUID(account["id"])
                )
            )
        ).one()
    assert [e.type for e in events] == ["created", "field_changed"]
    assert events[1].data == {"changes": {"industry": ["Energy", "Utilities"]}}
    assert events[1].actor_type == "user" and events[1].actor_id == uuid.UUID(user.user_id)
    assert updated.payload["industry"] == "Utilities" and updated.payload["version"] == 2


async def test_another_workspace_sees_nothing(api: Api, user: User, other_user: User) -> None:
    account = await _account(api, user, name="Private")
    path = f"{ACCOUNTS}/{account['id']}"
    assert (await api.get(path, headers=other_user.headers)).status_code == 404
    assert (await api.patch(path, json={"name": "Mine"}, headers=other_user.headers)).status_code == 404
    assert (await api.delete(path, headers=other_user.headers)).status_code == 404
    assert await _ids(api, other_user) == []
    assert await _ids(api, other_user, q="priv") == []


async def test_a_merged_away_account_answers_404_naming_the_survivor(api: Api, user: User, db: Db) -> None:
    survivor = await _account(api, user, name="Survivor")
    loser = await _account(api, user, name="Loser")
    async with db.sessionmaker() as session, session.begin():
        await session.execute(
            update(Account)
            .where(Account.id == uuid.UUID(loser["id"]))
            .values(merged_into_id=uuid.UUID(survivor["id"]))
        )
    response = await api.get(f"{ACCOUNTS}/{loser['id']}", headers=user.headers)
    assert response.status_code == 404 and response.json()["merged_into"] == survivor["id"]
    assert await _ids(api, user) == [survivor["id"]]
    linked = await api.post(
        "/api/v1/contacts", json={"first_name": "X", "account_id": loser["id"]}, headers=user.headers
    )
    assert linked.status_code == 422


async def test_q_matches_any_part_of_name_or_domain(api: Api, user: User) -> None:
    globex = await _account(api, user, name="Globex Corporation", domain="globex.com")
    nuclear = await _account(api, user, name="Springfield Nuclear", website="https://snpp.gov")
    assert await _ids(api, user, q="CORP") == [globex["id"]]
    assert await _ids(api, user, q="snpp") == [nuclear["id"]]  # domain only
    assert await _ids(api, user, q="field nuc") == [nuclear["id"]]
    assert await _ids(api, user, q="ex") == [globex["id"]]  # shorter than a trigram
    assert set(await _ids(api, user, q="o")) == {globex["id"], nuclear["id"]}
    assert await _ids(api, user, q="%") == []


async def test_filters_and_sorting_by_name(api: Api, user: User, clock: Any) -> None:
    zeta = await _account(api, user, name="Zeta", industry="Retail", tags=["key"], domain="zeta.com")
    alpha = await _account(api, user, name="Alpha", industry="Energy")
    clock.advance(timedelta(hours=1))
    mid = await _account(api, user, name="Mid", industry="retail")
    assert await _ids(api, user, sort="name") == [alpha["id"], mid["id"], zeta["id"]]
    assert await _ids(api, user, industry="RETAIL") == [mid["id"], zeta["id"]]
    assert await _ids(api, user, tag="key") == [zeta["id"]]
    assert await _ids(api, user, domain="Zeta.com") == [zeta["id"]]
    assert await _ids(api, user, owner_id=user.user_id) == [mid["id"], alpha["id"], zeta["id"]]
    assert await _ids(api, user, updated_after=alpha["updated_at"]) == [mid["id"]]
    first = (await api.get(f"{ACCOUNTS}?limit=2&sort=-name", headers=user.headers)).json()
    rest = (
        await api.get(f"{ACCOUNTS}?limit=2&sort=-name&cursor={first['next_cursor']}", headers=user.headers)
    ).json()
    walked = [a["id"] for a in first["items"] + rest["items"]]
    assert sorted(walked) == sorted([alpha["id"], mid["id"], zeta["id"]]) and rest["next_cursor"] is None
