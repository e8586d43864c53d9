"""Deals: defaults and validation on create, merge-patch, delete, the list, and moving on the board."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from domain.models import Account, Contact, OutboxEvent, StageChange, TimelineEvent
from tests.conftest import Api, Db, User


async def stages_by_name(api: Api, user: User) -> dict[str, dict[str, Any]]:
    pipelines = (await api.get("/api/v1/pipelines", headers=user.headers)).json()["items"]
    default = next(p for p in pipelines if p["is_default"])
    return {s["name"]: s for s in default["stages"]}


async def new_deal(api: Api, user: User, **fields: Any) -> dict[str, Any]:
    response = await api.post("/api/v1/deals", json={"title": "Acme renewal", **fields}, headers=user.headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def move(api: Api, user: User, deal: dict[str, Any], stage_id: str, **body: Any) -> Any:
    headers = dict(user.headers)
    if "if_match" in body:
        headers["If-Match"] = body.pop("if_match")
    return await api.post(
        f"/api/v1/deals/{deal['id']}/move", json={"stage_id": stage_id, **body}, headers=headers
    )


async def insert_account(db: Db, user: User, name: str = "Initech") -> str:
    async with db.sessionmaker() as session, session.begin():
        account = Account(id=uuid.uuid4(), workspace_id=uuid.UUID(user.workspace_id), name=name)
        session.add(account)
    return str(account.id)


async def insert_contact(db: Db, user: User, *, source: str | None = None, first_name: str = "Peter") -> str:
    async with db.sessionmaker() as session, session.begin():
        contact = Contact(
            id=uuid.uuid4(),
            workspace_id=uuid.UUID(user.workspace_id),
            first_name=first_name,
            last_name="Gibbons",
            source=source,
        )
        session.add(contact)
    return str(contact.id)


async def events(db: Db, deal_id: str, type_: str | None = None) -> list[OutboxEvent]:
    async with db.sessionmaker() as session:
        query = (
            select(OutboxEvent)
            .where(OutboxEvent.subject_id == uuid.UUID(deal_id))
            .order_by(OutboxEvent.created_at)
        )
        if type_:
            query = query.where(OutboxEvent.type == type_)
        return list((await session.execute(query)).scalars())


async def history(db: Db, deal_id: str) -> list[StageChange]:
    async with db.sessionmaker() as session:
        rows = await session.execute(
            select(StageChange).where(StageChange.deal_id == uuid.UUID(deal_id)).order_by(StageChange.at)
        )
        return list(rows.scalars())


async def timeline(db: Db, deal_id: str) -> list[TimelineEvent]:
    async with db.sessionmaker() as session:
        rows = await session.execute(
            select(TimelineEvent)
            .where(TimelineEvent.subject_id == uuid.UUID(deal_id))
            .order_by(TimelineEvent.at)
        )
        return list(rows.scalars())


# -- Create ------------------------------------------------------------------------------------


async def test_create_fills_in_sensible_defaults(api: Api, user: User, db: Db) -> None:
    stages = await stages_by_name(api, user)
    response = await api.post(
        "/api/v1/deals", json={"title": "  Acme renewal ", "amount": "1500"}, headers=user.headers
    )
    assert response.status_code == 201, response.text
    deal = response.json()
    assert response.headers["ETag"] == f'"{deal["version"]}"'
    assert deal["title"] == "Acme renewal"
    assert deal["stage_id"] == stages["Prospect"]["id"]
    assert deal["pipeline_id"] == stages["Prospect"]["pipeline_id"]
    assert (deal["status"], deal["currency"], deal["amount"]) == ("open", "USD", "1500.00")
    assert deal["owner_id"] == user.user_id
    assert deal["contact_ids"] == [] and deal["tags"] == [] and deal["custom_fields"] == {}
    assert deal["closed_at"] is None and deal["rank"]
    assert (await api.get(f"/api/v1/deals/{deal['id']}", headers=user.headers)).json() == deal
    # Created into its stage: one history row from nowhere, a timeline entry and an event.
    rows = await history(db, deal["id"])
    assert [(r.from_stage_id, str(r.to_stage_id)) for r in rows] == [(None, stages["Prospect"]["id"])]
    assert [e.type for e in await timeline(db, deal["id"])] == ["created"]
    created = await events(db, deal["id"])
    assert [e.type for e in created] == ["deal.created"]
    assert created[0].payload["title"] == "Acme renewal" and created[0].payload["contact_ids"] == []
    assert created[0].payload["amount"] == "1500.00"


async def test_new_cards_go_to_the_end_of_their_column(api: Api, user: User) -> None:
    first = await new_deal(api, user, title="First")
    second = await new_deal(api, user, title="Second")
    third = await new_deal(api, user, title="Third")
    assert first["rank"] < second["rank"] < third["rank"]


async def test_amounts_round_half_even_to_the_currency(api: Api, user: User) -> None:
    cases = [
        ("10.005", "USD", "10.00"),
        ("10.015", "USD", "10.02"),
        (99.999, "USD", "100.00"),
        ("1500.5", "JPY", "1500"),
        ("1501.5", "JPY", "1502"),
        ("1.0005", "KWD", "1.000"),
        (7, "eur", "7.00"),
    ]
    for amount, currency, expected in cases:
        deal = await new_deal(api, user, amount=amount, currency=currency)
        assert (deal["amount"], deal["currency"]) == (expected, currency.upper()), (amount, currency)


async def test_bad_amounts_and_currencies_are_422(api: Api, user: User) -> None:
    for body in (
        {"amount": "lots"},
        {"amount": "-5"},
        {"amount": -0.01},
        {"amount": "NaN"},
        {"amount": True},
        {"currency": "XYZ"},
        {"title": ""},
        {"unknown": 1},
    ):
        response = await api.post("/api/v1/deals", json={"title": "T", **body}, headers=user.headers)
        assert response.status_code == 422, (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    malformed = await api.post(
        "/api/v1/deals", content=b'{"title": ', headers={**user.headers, "Content-Type": "application/json"}
    )
    assert malformed.status_code == 400


async def test_ids_in_the_body_must_exist_in_the_workspace(
    api: Api, user: User, other_user: User, db: Db
) -> None:
    theirs = await insert_account(db, other_user)
    their_contact = await insert_contact(db, other_user)
    their_stage = (await stages_by_name(api, other_user))["Prospect"]["id"]
    for field, value in (
        ("account_id", theirs),
        ("account_id", str(uuid.uuid4())),
        ("owner_id", other_user.user_id),
        ("stage_id", their_stage),
        ("pipeline_id", str(uuid.uuid4())),
    ):
        response = await api.post("/api/v1/deals", json={"title": "T", field: value}, headers=user.headers)
        assert response.status_code == 422, (field, response.text)
        assert response.json()["errors"][0]["loc"] == ["body", field]
    contacts = await api.post(
        "/api/v1/deals", json={"title": "T", "contact_ids": [their_contact]}, headers=user.headers
    )
    assert contacts.status_code == 422
    assert contacts.json()["errors"][0]["loc"] == ["body", "contact_ids", 0]
    assert (await api.get("/api/v1/deals", headers=user.headers)).json()["items"] == []


async def test_stage_and_pipeline_must_agree(api: Api, user: User) -> None:
    stages = await stages_by_name(api, user)
    other = (
        await api.post(
            "/api/v1/pipelines",
            json={
                "name": "Partners",
                "stages": [{"name": "Closed", "kind": "won"}, {"name": "Intro"}, {"name": "Pilot"}],
            },
            headers=user.headers,
        )
    ).json()
    mismatch = await api.post(
        "/api/v1/deals",
        json={"title": "T", "stage_id": stages["Qualified"]["id"], "pipeline_id": other["id"]},
        headers=user.headers,
    )
    assert mismatch.status_code == 422
    assert mismatch.json()["errors"][0]["loc"] == ["body", "pipeline_id"]
    # Only the pipeline: its first *open* stage; only the stage: its pipeline.
    assert (await new_deal(api, user, pipeline_id=other["id"]))["stage_id"] == other["stages"][1]["id"]
    assert (await new_deal(api, user, stage_id=stages["Qualified"]["id"]))["pipeline_id"] == stages[
        "Qualified"
    ]["pipeline_id"]


async def test_creating_into_a_stage_checks_what_it_requires(api: Api, user: User, db: Db) -> None:
    stages = await stages_by_name(api, user)
    response = await api.post(
        "/api/v1/deals", json={"title": "T", "stage_id": stages["Proposal Sent"]["id"]}, headers=user.headers
    )
    assert response.status_code == 422
    assert {tuple(e["loc"]) for e in response.json()["errors"]} == {
        ("body", "amount"),
        ("body", "expected_close_date"),
    }
    ok = await new_deal(
        api, user, stage_id=stages["Proposal Sent"]["id"], amount="10", expected_close_date="2027-01-31"
    )
    assert ok["expected_close_date"] == "2027-01-31"
    lost = await api.post(
        "/api/v1/deals", json={"title": "T", "stage_id": stages["Closed Lost"]["id"]}, headers=user.headers
    )
    assert lost.status_code == 422 and lost.json()["errors"][0]["loc"] == ["body", "lost_reason"]
    won = await new_deal(api, user, stage_id=stages["Closed Won"]["id"])
    assert won["status"] == "won" and won["closed_at"] is not None
    assert [e.type for e in await events(db, won["id"])] == ["deal.created", "deal.won"]


async def test_source_defaults_to_the_first_contacts(api: Api, user: User, db: Db) -> None:
    first = await insert_contact(db, user, source="webinar")
    second = await insert_contact(db, user, source="referral", first_name="Samir")
    deal = await new_deal(api, user, contact_ids=[first, second, first])
    assert deal["contact_ids"] == [first, second]
    assert deal["source"] == "webinar"
    assert (await new_deal(api, user, contact_ids=[first], source="event"))["source"] == "event"


# -- Change and delete -------------------------------------------------------------------------


async def test_patch_is_a_merge_patch(api: Api, user: User, db: Db) -> None:
    account = await insert_account(db, user)
    deal = await new_deal(
        api,
        user,
        amount="100",
        expected_close_date="2027-03-01",
        account_id=account,
        source="ads",
        tags=["hot"],
        custom_fields={"seats": 5, "plan": "pro"},
    )
    response = await api.patch(
        f"/api/v1/deals/{deal['id']}",
        json={"amount": 250.5, "expected_close_date": None, "custom_fields": {"plan": None, "region": "EU"}},
        headers={**user.headers, "If-Match": f'"{deal["version"]}"'},
    )
    assert response.status_code == 200, response.text
    patched = response.json()
    assert patched["amount"] == "250.50" and patched["expected_close_date"] is None
    assert patched["custom_fields"] == {"seats": 5, "region": "EU"}
    # Left out means unchanged.
    assert (patched["account_id"], patched["source"], patched["tags"], patched["title"]) == (
        account,
        "ads",
        ["hot"],
        "Acme renewal",
    )
    assert patched["version"] == deal["version"] + 1
    assert response.headers["ETag"] == f'"{patched["version"]}"' != f'"{deal["version"]}"'
    change = [e for e in await timeline(db, deal["id"]) if e.type == "field_changed"]
    assert change[0].data["changes"]["amount"] == ["100.00", "250.50"]
    assert change[0].data["changes"]["expected_close_date"] == ["2027-03-01", None]
    assert set(change[0].data["changes"]) == {"amount", "expected_close_date", "custom_fields"}
    assert len(await events(db, deal["id"], "deal.updated")) == 1
    # Nothing new: no new version, no event.
    same = await api.patch(f"/api/v1/deals/{deal['id']}", json={"amount": "250.50"}, headers=user.headers)
    assert same.json()["version"] == patched["version"]
    assert len(await events(db, deal["id"], "deal.updated")) == 1


async def test_stale_if_match_changes_nothing(api: Api, user: User) -> None:
    deal = await new_deal(api, user, amount="100")
    await api.patch(f"/api/v1/deals/{deal['id']}", json={"title": "Renamed"}, headers=user.headers)
    stale = await api.patch(
        f"/api/v1/deals/{deal['id']}",
        json={"amount": "1"},
        headers={**user.headers, "If-Match": f'"{deal["version"]}"'},
    )
    assert stale.status_code == 412
    current = (await api.get(f"/api/v1/deals/{deal['id']}", headers=user.headers)).json()
    assert (current["title"], current["amount"]) == ("Renamed", "100.00")
    # Anything-goes and unquoted tags work too.
    assert (
        await api.patch(
            f"/api/v1/deals/{deal['id']}", json={"amount": "2"}, headers={**user.headers, "If-Match": "*"}
        )
    ).status_code == 200
    assert (
        await api.patch(
            f"/api/v1/deals/{deal['id']}",
            json={"amount": "3"},
            headers={**user.headers, "If-Match": str(current["version"] + 1)},
        )
    ).status_code == 200


async def test_patch_cannot_change_the_stage_or_strip_what_it_requires(api: Api, user: User) -> None:
    stages = await stages_by_name(api, user)
    deal = await new_deal(
        api, user, amount="5", expected_close_date="2027-01-01", stage_id=stages["Proposal Sent"]["id"]
    )
    moved = await api.patch(
        f"/api/v1/deals/{deal['id']}", json={"stage_id": stages["Negotiation"]["id"]}, headers=user.headers
    )
    assert moved.status_code == 422 and "move" in moved.text
    cleared = await api.patch(f"/api/v1/deals/{deal['id']}", json={"amount": None}, headers=user.headers)
    assert cleared.status_code == 422 and cleared.json()["errors"][0]["loc"] == ["body", "amount"]
    assert (await api.get(f"/api/v1/deals/{deal['id']}", headers=user.headers)).json()["amount"] == "5.00"


async def test_delete_honours_if_match_and_announces(api: Api, user: User, db: Db) -> None:
    deal = await new_deal(api, user)
    stale = await api.delete(f"/api/v1/deals/{deal['id']}", headers={**user.headers, "If-Match": '"99"'})
    assert stale.status_code == 412
    gone = await api.delete(f"/api/v1/deals/{deal['id']}", headers={**user.headers, "If-Match": '"1"'})
    assert gone.status_code == 204
    assert (await api.get(f"/api/v1/deals/{deal['id']}", headers=user.headers)).status_code == 404
    deleted = await events(db, deal["id"], "deal.deleted")
    assert len(deleted) == 1 and deleted[0].payload["id"] == deal["id"]


async def test_other_workspaces_deals_are_not_found(api: Api, user: User, other_user: User) -> None:
    theirs = await new_deal(api, other_user)
    stage = (await stages_by_name(api, user))["Qualified"]["id"]
    assert (await api.get(f"/api/v1/deals/{theirs['id']}", headers=user.headers)).status_code == 404
    assert (
        await api.patch(f"/api/v1/deals/{theirs['id']}", json={"title": "x"}, headers=user.headers)
    ).status_code == 404
    assert (await move(api, user, theirs, stage, if_match='"99"')).status_code == 404
    assert (await api.delete(f"/api/v1/deals/{theirs['id']}", headers=user.headers)).status_code == 404


# -- The list ----------------------------------------------------------------------------------


async def test_list_filters(api: Api, user: User, db: Db) -> None:
    account = await insert_account(db, user)
    contact = await insert_contact(db, user)
    stages = await stages_by_name(api, user)
    a = await new_deal(api, user, title="Big 100% Deal", account_id=account)
    b = await new_deal(api, user, title="Small_deal", contact_ids=[contact])
    c = await new_deal(api, user, title="Hooli expansion", stage_id=stages["Closed Won"]["id"])

    async def titles(query: str) -> list[str]:
        response = await api.get(f"/api/v1/deals?{query}", headers=user.headers)
        assert response.status_code == 200, response.text
        return sorted(d["title"] for d in response.json()["items"])

    assert await titles("status=won") == [c["title"]]
    assert await titles(f"account_id={account}") == [a["title"]]
    assert await titles(f"contact_id={contact}") == [b["title"]]
    assert await titles(f"stage_id={stages['Prospect']['id']}") == sorted([a["title"], b["title"]])
    assert await titles(f"owner_id={user.user_id}") == sorted([a["title"], b["title"], c["title"]])
    assert await titles("q=HOOLI") == [c["title"]]
    assert await titles("q=oli") == [c["title"]]  # shorter than a trigram still matches
    assert await titles("q=100%25") == [a["title"]]  # a literal %, not a wildcard
    assert await titles("q=l_d") == [b["title"]]  # a literal _
    assert await titles("q=expansion%20h") == []
    later = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    assert await titles(f"updated_after={later}") == []
    assert (await api.get("/api/v1/deals?status=maybe", headers=user.headers)).status_code == 422


async def test_list_pages_by_cursor_under_any_sort(api: Api, user: User) -> None:
    for i in range(7):
        await new_deal(
            api,
            user,
            title=f"Deal {i}",
            amount=str(i % 3 * 100) if i != 4 else None,
            expected_close_date=f"2027-0{1 + i % 2}-01" if i != 5 else None,
        )
    for sort in (
        "-created_at",
        "amount",
        "-amount",
        "expected_close_date",
        "-expected_close_date",
        "title",
        "rank",
    ):
        seen: list[str] = []
        cursor = None
        for _ in range(10):
            url = f"/api/v1/deals?limit=3&sort={sort}" + (f"&cursor={cursor}" if cursor else "")
            page = (await api.get(url, headers=user.headers)).json()
            seen += [d["id"] for d in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert len(seen) == 7 == len(set(seen)), sort
    titles = [
        d["title"]
        for d in (await api.get("/api/v1/deals?sort=-amount", headers=user.headers)).json()["items"]
    ]
    assert titles[-1] == "Deal 4"  # no amount sorts last either way
    bad = await api.get("/api/v1/deals?cursor=not-a-cursor", headers=user.headers)
    assert bad.status_code == 400
    other_sort = (await api.get("/api/v1/deals?limit=1&sort=title", headers=user.headers)).json()[
        "next_cursor"
    ]
    assert (
        await api.get(f"/api/v1/deals?sort=amount&cursor={other_sort}", headers=user.headers)
    ).status_code == 400
    assert (await api.get("/api/v1/deals?sort=owner", headers=user.headers)).status_code == 400


async def test_idempotency_key_replays_the_first_answer(api: Api, user: User) -> None:
    headers = {**user.headers, "Idempotency-Key": "create-deal-1"}
    first = await api.post("/api/v1/deals", json={"title": "Once", "amount": "10"}, headers=headers)
    again = await api.post("/api/v1/deals", json={"amount": "10", "title": "Once"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["ETag"] == first.headers["ETag"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    other = await api.post("/api/v1/deals", json={"title": "Twice"}, headers=headers)
    assert other.status_code == 409
    listed = (await api.get("/api/v1/deals", headers=user.headers)).json()["items"]
    assert [d["title"] for d in listed] == ["Once"]


# -- Moving ------------------------------------------------------------------------------------


async def test_move_across_stages_records_the_change(api: Api, user: User, db: Db) -> None:
    stages = await stages_by_name(api, user)
    deal = await new_deal(api, user)
    response = await move(api, user, deal, stages["Qualified"]["id"], if_match=f'"{deal["version"]}"')
    assert response.status_code == 200, response.text
    moved = response.json()
    assert moved["stage_id"] == stages["Qualified"]["id"] and moved["status"] == "open"
    assert response.headers["ETag"] == f'"{moved["version"]}"' and moved["version"] == deal["version"] + 1
    assert moved["stage_entered_at"] >= deal["stage_entered_at"]
    rows = await history(db, deal["id"])
    assert [str(r.to_stage_id) for r in rows] == [stages["Prospect"]["id"], stages["Qualified"]["id"]]
    assert str(rows[-1].from_stage_id) == stages["Prospect"]["id"]
    entry = next(e for e in await timeline(db, deal["id"]) if e.type == "stage_changed")
    assert entry.data == {
        "from_stage_id": stages["Prospect"]["id"],
        "to_stage_id": stages["Qualified"]["id"],
        "from_stage": "Prospect",
        "to_stage": "Qualified",
    }
    changed = await events(db, deal["id"], "deal.stage_changed")
    assert len(changed) == 1 and changed[0].payload["stage_id"] == stages["Qualified"]["id"]


async def test_moving_into_a_stage_needs_its_required_fields(api: Api, user: User, db: Db) -> None:
    stages = await stages_by_name(api, user)
    deal = await new_deal(api, user)
    refused = await move(api, user, deal, stages["Proposal Sent"]["id"])
    assert refused.status_code == 422
    assert {tuple(e["loc"]) for e in refused.json()["errors"]} == {
        ("body", "amount"),
        ("body", "expected_close_date"),
    }
    unchanged = (await api.get(f"/api/v1/deals/{deal['id']}", headers=user.headers)).json()
    assert unchanged == deal
    assert len(await history(db, deal["id"])) == 1
    await api.patch(
        f"/api/v1/deals/{deal['id']}",
        json={"amount": "900", "expected_close_date": "2027-02-01"},
        headers=user.headers,
    )
    assert (await move(api, user, deal, stages["Proposal Sent"]["id"])).status_code == 200


async def test_lost_needs_a_reason_and_reopening_clears_the_close(api: Api, user: User, db: Db) -> None:
    stages = await stages_by_name(api, user)
    deal = await new_deal(api, user)
    no_reason = await move(api, user, deal, stages["Closed Lost"]["id"])
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["loc"] == ["body", "lost_reason"]
    lost = await move(api, user, deal, stages["Closed Lost"]["id"], lost_reason="Went with a competitor")
    assert lost.status_code == 200, lost.text
    assert lost.json()["status"] == "lost" and lost.json()["lost_reason"] == "Went with a competitor"
    assert lost.json()["closed_at"] is not None
    assert len(await events(db, deal["id"], "deal.lost")) == 1
    reopened = (await move(api, user, deal, stages["Negotiation"]["id"])).json()
    assert (reopened["status"], reopened["closed_at"]) == ("open", None)
    # The reason already on the deal is enough the next time.
    again = await move(api, user, deal, stages["Closed Lost"]["id"])
    assert again.status_code == 200 and again.json()["status"] == "lost"
    won = (await move(api, user, deal, stages["Closed Won"]["id"])).json()
    assert won["status"] == "won" and won["closed_at"] is not None
    assert len(await events(db, deal["id"], "deal.won")) == 1


async def test_checks_run_404_then_412_then_422(api: Api, user: User) -> None:
    stages = await stages_by_name(api, user)
    deal = await new_deal(api, user)
    missing = await api.post(
        f"/api/v1/deals/{uuid.uuid4()}/move",
        json={"stage_id": stages["Proposal Sent"]["id"]},
        headers={**user.headers, "If-Match": '"99"'},
    )
    assert missing.status_code == 404
    stale = await move(api, user, deal, stages["Proposal Sent"]["id"], if_match='"99"')
    assert stale.status_code == 412
    invalid = await move(api, user, deal, stages["Proposal Sent"]["id"], if_match=f'"{deal["version"]}"')
    assert invalid.status_code == 422
    unknown_stage = await move(api, user, deal, str(uuid.uuid4()))
    assert unknown_stage.status_code == 422 and unknown_stage.json()["errors"][0]["loc"] == [
        "body",
        "stage_id",
    ]
    elsewhere = await new_deal(api, user, title="In another column", stage_id=stages["Negotiation"]["id"])
    bad_after = await move(api, user, deal, stages["Qualified"]["id"], after_id=elsewhere["id"])
    assert bad_after.status_code == 422 and bad_after.json()["errors"][0]["loc"] == ["body", "after_id"]


async def test_moving_to_another_pipeline_names_it(api: Api, user: User) -> None:
    other = (
        await api.post(
            "/api/v1/pipelines",
            json={"name": "Partners", "stages": [{"name": "Intro"}]},
            headers=user.headers,
        )
    ).json()
    target = other["stages"][0]["id"]
    deal = await new_deal(api, user)
    without = await move(api, user, deal, target)
    assert without.status_code == 422 and without.json()["errors"][0]["loc"] == ["body", "pipeline_id"]
    wrong = await move(api, user, deal, target, pipeline_id=deal["pipeline_id"])
    assert wrong.status_code == 422
    moved = await move(api, user, deal, target, pipeline_id=other["id"])
    assert moved.status_code == 200, moved.text
    assert (moved.json()["pipeline_id"], moved.json()["stage_id"]) == (other["id"], target)


async def test_racing_moves_with_one_if_match_apply_once(api: Api, user: User, db: Db) -> None:
    stages = await stages_by_name(api, user)
    deal = await new_deal(api, user)
    results = await asyncio.gather(
        move(api, user, deal, stages["Qualified"]["id"], if_match=f'"{deal["version"]}"'),
        move(api, user, deal, stages["Negotiation"]["id"], if_match=f'"{deal["version"]}"'),
    )
    assert sorted(r.status_code for r in results) == [200, 412]
    winner = next(r for r in results if r.status_code == 200).json()
    rows = await history(db, deal["id"])
    assert len(rows) == 2  # created into Prospect, then exactly one move
    assert str(rows[-1].to_stage_id) == winner["stage_id"]
    assert len(await events(db, deal["id"], "deal.stage_changed")) == 1
    async with db.sessionmaker() as session:
        entries = await session.scalar(
            select(func.count())
            .select_from(TimelineEvent)
            .where(TimelineEvent.subject_id == uuid.UUID(deal["id"]), TimelineEvent.type == "stage_changed")
        )
    assert entries == 1
