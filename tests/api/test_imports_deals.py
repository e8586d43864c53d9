"""Deal and account imports: pipelines and stages by name, history kept, accounts and contacts linked."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from domain.models import StageChange
from tests.api.imports_support import error_rows, fixture, imported
from tests.conftest import Api, Db, User


async def _deals(api: Api, user: User) -> dict[str, dict[str, Any]]:
    items = (await api.get("/api/v1/deals?limit=200", headers=user.headers)).json()["items"]
    return {d["title"]: d for d in items}


async def _stages(api: Api, user: User) -> dict[str, str]:
    pipeline = (await api.get("/api/v1/pipelines", headers=user.headers)).json()["items"][0]
    return {s["id"]: s["name"] for s in pipeline["stages"]}


async def test_pipedrive_deals_keep_their_history(api: Api, user: User, db: Db) -> None:
    body = await imported(api, user, db, fixture("pipedrive_deals.csv"), object="deals")
    assert (body["total"], body["created"], body["merged"], body["failed"]) == (7, 3, 1, 3)
    reasons = {e["row"]: e["reason"] for e in await error_rows(api, user, body["id"])}
    assert reasons == {
        "4": "Pipeline 'Sales pipeline' has no stage named 'Brainstorm'",
        "5": "Stage 'Proposal Sent' requires amount, expected_close_date",
        "7": "A deal needs a title",
    }
    deals, stages = await _deals(api, user), await _stages(api, user)
    assert set(deals) == {"Globex rollout", "Initech licences", "Vandelay import"}
    globex = deals["Globex rollout"]
    assert (globex["amount"], globex["currency"], stages[globex["stage_id"]]) == (
        "12500.00",
        "USD",
        "Qualified",
    )
    assert (
        globex["created_at"].startswith("2024-01-10T09:15:00")
        and globex["expected_close_date"] == "2031-06-30"
    )
    assert globex["tags"] == ["hot", "vip"] and len(globex["contact_ids"]) == 2  # the repeat added Smithers
    initech = deals["Initech licences"]
    assert (initech["amount"], initech["currency"], initech["status"]) == ("4800.50", "EUR", "won")
    assert stages[initech["stage_id"]] == "Closed Won" and initech["closed_at"].startswith(
        "2024-03-15T14:30:00"
    )
    lost = deals["Vandelay import"]
    assert (lost["status"], lost["lost_reason"]) == ("lost", "Went with a competitor")
    assert lost["closed_at"].startswith("2024-02-01T10:00:00")
    # Won in Negotiation (Pipedrive's way): entered Negotiation when created, closed when won.
    async with db.sessionmaker() as session:
        moves = (
            await session.execute(
                select(StageChange.from_stage_id, StageChange.to_stage_id, StageChange.at)
                .where(StageChange.deal_id == uuid.UUID(initech["id"]))
                .order_by(StageChange.at)
            )
        ).all()
    assert [(stages.get(str(a)) if a else None, stages[str(b)]) for a, b, _ in moves] == [
        (None, "Negotiation"),
        ("Negotiation", "Closed Won"),
    ]
    assert moves[0].at.isoformat().startswith("2024-01-05T08:00:00")
    accounts = {
        a["name"]: a for a in (await api.get("/api/v1/accounts", headers=user.headers)).json()["items"]
    }
    assert (
        initech["account_id"] == accounts["initech.com"]["id"]
        and accounts["initech.com"]["domain"] == "initech.com"
    )
    contacts = (await api.get("/api/v1/contacts?limit=200", headers=user.headers)).json()["items"]
    assert {c["email"] for c in contacts} == {
        "hank@globex.com",
        "smithers@globex.com",
        "bill@initech.com",
        "peter@initech.com",
        "art@vandelay.com",
    }
    board = (await api.get(f"/api/v1/pipelines/{globex['pipeline_id']}/board", headers=user.headers)).json()
    assert any(card["title"] == "Globex rollout" for col in board["columns"] for card in col["deals"])


async def test_deals_link_existing_accounts_and_contacts(api: Api, user: User, db: Db) -> None:
    account = (
        await api.post(
            "/api/v1/accounts", json={"name": "Umbrella", "domain": "umbrella.com"}, headers=user.headers
        )
    ).json()
    contact = (
        await api.post("/api/v1/contacts", json={"email": "alice@umbrella.com"}, headers=user.headers)
    ).json()
    content = (
        b"title,amount,account,contact_email,owner_email,status\n"
        b"Umbrella renewal,100,UMBRELLA,ALICE@umbrella.com," + user.email.encode() + b",open\n"
        b"Umbrella upsell,200,umbrella.com,,,\n"
    )
    body = await imported(api, user, db, content, object="deals")
    assert body["created"] == 2
    deals = await _deals(api, user)
    assert deals["Umbrella renewal"]["account_id"] == deals["Umbrella upsell"]["account_id"] == account["id"]
    assert deals["Umbrella renewal"]["contact_ids"] == [contact["id"]]
    assert deals["Umbrella renewal"]["owner_id"] == user.user_id
    again = await imported(api, user, db, content, object="deals", on_duplicate="skip")
    assert (again["created"], again["skipped"]) == (0, 2)


async def test_accounts_import_dedupes_by_domain_and_name(api: Api, user: User, db: Db) -> None:
    existing = (
        await api.post(
            "/api/v1/accounts",
            json={"name": "Globex Corporation", "domain": "globex.com"},
            headers=user.headers,
        )
    ).json()
    content = (
        b"Company name,Company Domain Name,Industry,Phone Number,Website\n"
        b"Globex,globex.com,Energy,415-555-0100,\n"
        b"Initech,,Software,,https://www.initech.com/about\n"
        b"INITECH,,,(212) 555-0199,\n"
        b"Bad Domain Inc,not a domain,,,\n"
        b",nameless.com,,,\n"
    )
    body = await imported(api, user, db, content, object="accounts")
    assert (body["total"], body["created"], body["merged"], body["failed"]) == (5, 1, 2, 2)
    assert {e["row"] for e in await error_rows(api, user, body["id"])} == {"4", "5"}
    accounts = {
        a["name"]: a for a in (await api.get("/api/v1/accounts", headers=user.headers)).json()["items"]
    }
    assert set(accounts) == {"Globex Corporation", "Initech"}
    globex = accounts["Globex Corporation"]
    assert globex["id"] == existing["id"] and (globex["industry"], globex["phone"]) == (
        "Energy",
        "+14155550100",
    )
    initech = accounts["Initech"]
    assert (initech["domain"], initech["phone"]) == ("initech.com", "+12125550199")
