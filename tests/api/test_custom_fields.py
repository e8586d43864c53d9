"""Custom fields: admin-defined, typed values on contacts, accounts and deals, on every way in."""

from __future__ import annotations

import asyncio
import csv
import io
from typing import Any

from sqlalchemy import select

from domain.models import OutboxEvent
from tests.api.forms_support import create_form, run_worker, submission, submit_url
from tests.api.imports_support import error_rows, imported
from tests.api.test_pipelines import member_of
from tests.conftest import Api, Db, User

FIELDS = "/api/v1/custom-fields"


async def define(api: Api, user: User, expect: int = 201, **body: Any) -> dict[str, Any]:
    response = await api.post(FIELDS, json=body, headers=user.headers)
    assert response.status_code == expect, response.text
    result: dict[str, Any] = response.json()
    return result


async def deal(api: Api, user: User, expect: int = 201, **body: Any) -> dict[str, Any]:
    response = await api.post("/api/v1/deals", json={"title": "Deal", **body}, headers=user.headers)
    assert response.status_code == expect, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_admins_define_fields_and_members_only_read_them(api: Api, user: User) -> None:
    member = await member_of(api, user)
    field = await define(
        api, user, object="deals", key="plan", label="Plan", type="select", options=["Basic", "Pro"]
    )
    assert (field["key"], field["options"], field["required"], field["position"]) == (
        "plan",
        ["Basic", "Pro"],
        False,
        0,
    )
    second = await define(api, user, object="deals", key="seats", label="Seats", type="number")
    assert second["position"] == 1

    listed = await api.get(FIELDS, params={"object": "deals"}, headers=member.headers)
    assert [f["key"] for f in listed.json()["items"]] == ["plan", "seats"]
    assert (await api.get(f"{FIELDS}/{field['id']}", headers=member.headers)).status_code == 200

    refused = await api.post(
        FIELDS, json={"object": "deals", "key": "x", "label": "X", "type": "text"}, headers=member.headers
    )
    assert refused.status_code == 403
    assert (
        await api.patch(f"{FIELDS}/{field['id']}", json={"label": "Y"}, headers=member.headers)
    ).status_code == 403
    gone = await api.delete(f"{FIELDS}/{field['id']}", params={"confirm": "true"}, headers=member.headers)
    assert gone.status_code == 403
    assert len((await api.get(FIELDS, headers=user.headers)).json()["items"]) == 2


async def test_definitions_are_checked(api: Api, user: User) -> None:
    await define(api, user, object="contacts", key="tier", label="Tier", type="text")
    clash = await define(api, user, expect=409, object="contacts", key="tier", label="Tier 2", type="text")
    assert "tier" in clash["detail"]
    # The same key on another object is another field.
    await define(api, user, object="accounts", key="tier", label="Tier", type="text")
    for body in (
        {"key": "Bad Key", "type": "text"},
        {"key": "plan", "type": "select"},  # a select needs options
        {"key": "plan", "type": "select", "options": ["A", "a"]},
        {"key": "size", "type": "number", "options": ["1"]},
        {"key": "size", "type": "colour"},
    ):
        await define(api, user, expect=422, object="contacts", label="Label", **body)
    await define(api, user, expect=422, object="users", key="x", label="X", type="text")


async def test_values_are_validated_and_normalised_by_type(api: Api, user: User) -> None:
    specs: list[tuple[str, str, dict[str, Any]]] = [
        ("seats", "number", {}),
        ("budget", "money", {}),
        ("starts", "date", {}),
        ("signed", "bool", {}),
        ("plan", "select", {"options": ["Basic", "Pro"]}),
        ("modules", "multi_select", {"options": ["CRM", "Billing", "Support"]}),
        ("site", "url", {}),
        ("buyer_email", "email", {}),
        ("buyer_phone", "phone", {}),
        ("note", "text", {}),
    ]
    for key, type_, extra in specs:
        await define(api, user, object="deals", key=key, label=key.title(), type=type_, **extra)
    created = await deal(
        api,
        user,
        custom_fields={
            "seats": "1,200",
            "budget": 1500.555,
            "starts": "2026-12-01",
            "signed": "yes",
            "plan": "pro",
            "modules": ["billing", "CRM", "billing"],
            "site": "acme.example.com/pricing",
            "buyer_email": "Wile.E@Acme.Example",
            "buyer_phone": "(415) 555-0100",
            "note": "  keep it short  ",
            "legacy": {"free": "form"},  # no field defines it: kept as sent
        },
    )
    assert created["custom_fields"] == {
        "seats": "1200",
        "budget": "1500.56",
        "starts": "2026-12-01",
        "signed": True,
        "plan": "Pro",
        "modules": ["Billing", "CRM"],
        "site": "https://acme.example.com/pricing",
        "buyer_email": "wile.e@acme.example",
        "buyer_phone": "+14155550100",
        "note": "keep it short",
        "legacy": {"free": "form"},
    }
    bad = await deal(
        api,
        user,
        expect=422,
        custom_fields={
            "seats": "many",
            "starts": "2026-13-01",
            "signed": "perhaps",
            "plan": "Gold",
            "modules": ["Nope"],
            "site": "not a url",
            "buyer_email": "nobody",
            "buyer_phone": "12",
        },
    )
    bad_keys = {tuple(e["loc"]) for e in bad["errors"]}
    assert bad_keys == {
        ("body", "custom_fields", key)
        for key in ("seats", "starts", "signed", "plan", "modules", "site", "buyer_email", "buyer_phone")
    }
    # Nothing was written by the refused request.
    listed = await api.get("/api/v1/deals", headers=user.headers)
    assert [d["id"] for d in listed.json()["items"]] == [created["id"]]

    patched = await api.patch(
        f"/api/v1/deals/{created['id']}",
        json={"custom_fields": {"seats": 12.50, "note": None}},
        headers=user.headers,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["custom_fields"]["seats"] == "12.5"
    assert "note" not in patched.json()["custom_fields"]
    assert patched.json()["custom_fields"]["plan"] == "Pro"  # merge-patch: the others stay
    refused = await api.patch(
        f"/api/v1/deals/{created['id']}", json={"custom_fields": {"plan": "Gold"}}, headers=user.headers
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"] == ["body", "custom_fields", "plan"]


async def test_contacts_and_accounts_values_are_checked_too(api: Api, user: User) -> None:
    await define(api, user, object="contacts", key="birthday", label="Birthday", type="date")
    await define(api, user, object="accounts", key="employees", label="Employees", type="number")
    contact = await api.post(
        "/api/v1/contacts",
        json={"first_name": "Ada", "custom_fields": {"birthday": "1815-12-10", "hobby": "maths"}},
        headers=user.headers,
    )
    assert contact.status_code == 201, contact.text
    assert contact.json()["custom_fields"] == {"birthday": "1815-12-10", "hobby": "maths"}
    wrong = await api.post(
        "/api/v1/contacts",
        json={"first_name": "Bob", "custom_fields": {"birthday": "soon"}},
        headers=user.headers,
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["loc"] == [
        "body",
        "custom_fields",
        "birthday",
    ]
    # A PATCH merges key by key (the hobby stays) and checks what it sets.
    patched = await api.patch(
        f"/api/v1/contacts/{contact.json()['id']}",
        json={"custom_fields": {"birthday": "1815-12-11"}},
        headers=user.headers,
    )
    assert patched.json()["custom_fields"] == {"birthday": "1815-12-11", "hobby": "maths"}
    account = await api.post(
        "/api/v1/accounts", json={"name": "Acme", "custom_fields": {"employees": "abc"}}, headers=user.headers
    )
    assert account.status_code == 422
    assert account.json()["errors"][0]["loc"] == ["body", "custom_fields", "employees"]


async def test_required_fields_give_the_same_422_as_built_in_ones(api: Api, user: User) -> None:
    await define(api, user, object="deals", key="region", label="Region", type="text", required=True)
    missing = await deal(api, user, expect=422)
    assert missing["detail"] == "Required by this workspace: custom_fields.region"
    assert missing["errors"] == [
        {
            "loc": ["body", "custom_fields", "region"],
            "msg": "This workspace requires Region",
            "type": "missing",
        }
    ]
    created = await deal(api, user, custom_fields={"region": "EU"})
    cleared = await api.patch(
        f"/api/v1/deals/{created['id']}", json={"custom_fields": {"region": None}}, headers=user.headers
    )
    assert cleared.status_code == 422
    assert cleared.json()["errors"][0]["loc"] == ["body", "custom_fields", "region"]
    # Other changes go through; a field made required later does not block untouched records.
    renamed = await api.patch(
        f"/api/v1/deals/{created['id']}", json={"title": "Renamed"}, headers=user.headers
    )
    assert renamed.status_code == 200


async def test_renaming_keeps_values_and_deleting_needs_confirmation(api: Api, user: User, db: Db) -> None:
    field = await define(api, user, object="deals", key="plan", label="Plan", type="text")
    created = await deal(api, user, custom_fields={"plan": "Pro", "other": 1})
    renamed = await api.patch(
        f"{FIELDS}/{field['id']}",
        json={"label": "Subscription plan"},
        headers={**user.headers, "If-Match": '"1"'},
    )
    assert renamed.status_code == 200 and renamed.json()["label"] == "Subscription plan"
    assert renamed.json()["key"] == "plan" and renamed.headers["ETag"] == '"2"'
    immutable = await api.patch(f"{FIELDS}/{field['id']}", json={"key": "tier"}, headers=user.headers)
    assert immutable.status_code == 422
    stale = await api.patch(
        f"{FIELDS}/{field['id']}", json={"label": "Plan"}, headers={**user.headers, "If-Match": '"1"'}
    )
    assert stale.status_code == 412
    kept = (await api.get(f"/api/v1/deals/{created['id']}", headers=user.headers)).json()
    assert kept["custom_fields"]["plan"] == "Pro"

    unconfirmed = await api.delete(f"{FIELDS}/{field['id']}", headers=user.headers)
    assert unconfirmed.status_code == 409
    assert unconfirmed.json()["records_with_values"] == 1 and "confirm=true" in unconfirmed.json()["detail"]
    assert (await api.get(f"{FIELDS}/{field['id']}", headers=user.headers)).status_code == 200

    deleted = await api.delete(f"{FIELDS}/{field['id']}", params={"confirm": "true"}, headers=user.headers)
    assert deleted.status_code == 204
    assert (await api.get(f"{FIELDS}/{field['id']}", headers=user.headers)).status_code == 404
    after = (await api.get(f"/api/v1/deals/{created['id']}", headers=user.headers)).json()
    assert after["custom_fields"] == {"other": 1}
    async with db.sessionmaker() as session:
        events = (
            await session.scalars(select(OutboxEvent).where(OutboxEvent.type == "custom_field.deleted"))
        ).all()
    assert len(events) == 1
    assert events[0].payload["key"] == "plan" and events[0].payload["values_removed"] == 1
    assert events[0].actor is not None and events[0].actor["id"] == user.user_id


async def _ids(api: Api, user: User, path: str, **params: str) -> list[str]:
    response = await api.get(path, params=params, headers=user.headers)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def test_lists_filter_and_sort_by_typed_custom_fields(api: Api, user: User) -> None:
    await define(api, user, object="deals", key="seats", label="Seats", type="number")
    await define(api, user, object="deals", key="starts", label="Starts", type="date")
    await define(api, user, object="deals", key="plan", label="Plan", type="select", options=["Basic", "Pro"])
    await define(
        api, user, object="deals", key="modules", label="Modules", type="multi_select", options=["A", "B"]
    )
    # 9 < 10 < 100 numerically, though "100" < "9" as text.
    d9 = await deal(
        api, user, custom_fields={"seats": 9, "starts": "2026-03-01", "plan": "Pro", "modules": ["A"]}
    )
    d100 = await deal(api, user, custom_fields={"seats": 100, "starts": "2026-01-15", "plan": "Basic"})
    d10 = await deal(api, user, custom_fields={"seats": "10", "starts": "2026-02-01", "modules": ["A", "B"]})
    none = await deal(api, user)

    assert await _ids(api, user, "/api/v1/deals", sort="cf.seats") == [
        d9["id"],
        d10["id"],
        d100["id"],
        none["id"],
    ]
    assert await _ids(api, user, "/api/v1/deals", sort="-cf.seats") == [
        d100["id"],
        d10["id"],
        d9["id"],
        none["id"],
    ]
    assert await _ids(api, user, "/api/v1/deals", sort="cf.starts") == [
        d100["id"],
        d10["id"],
        d9["id"],
        none["id"],
    ]
    assert await _ids(api, user, "/api/v1/deals", **{"cf.seats.gte": "10"}, sort="cf.seats") == [
        d10["id"],
        d100["id"],
    ]
    assert await _ids(api, user, "/api/v1/deals", **{"cf.seats": "10.0"}) == [d10["id"]]
    assert await _ids(api, user, "/api/v1/deals", **{"cf.starts.lt": "2026-02-15"}, sort="cf.starts") == [
        d100["id"],
        d10["id"],
    ]
    assert await _ids(api, user, "/api/v1/deals", **{"cf.plan": "pro"}) == [d9["id"]]
    assert set(await _ids(api, user, "/api/v1/deals", **{"cf.modules": "a"})) == {d9["id"], d10["id"]}

    # Keyset pages under a custom sort: every deal once, in order, NULLs last.
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params = {"sort": "cf.seats", "limit": "1", **({"cursor": cursor} if cursor else {})}
        page = (await api.get("/api/v1/deals", params=params, headers=user.headers)).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [d9["id"], d10["id"], d100["id"], none["id"]]
    other_sort = await api.get(
        "/api/v1/deals", params={"sort": "cf.starts", "cursor": cursor or "x"}, headers=user.headers
    )
    assert other_sort.status_code == 400

    for params, status in (
        ({"cf.nope": "1"}, 422),
        ({"cf.seats": "many"}, 422),
        ({"cf.plan.gt": "Basic"}, 422),
        ({"cf.seats.between": "1"}, 422),
        ({"sort": "cf.modules"}, 400),
        ({"sort": "cf.nope"}, 400),
    ):
        response = await api.get("/api/v1/deals", params=params, headers=user.headers)
        assert response.status_code == status, (params, response.text)


async def test_contact_lists_filter_by_custom_fields(api: Api, user: User) -> None:
    await define(api, user, object="contacts", key="vip", label="VIP", type="bool")
    await define(api, user, object="contacts", key="score", label="Score", type="money")
    a = await api.post(
        "/api/v1/contacts",
        json={"first_name": "A", "custom_fields": {"vip": True, "score": "5"}},
        headers=user.headers,
    )
    b = await api.post(
        "/api/v1/contacts",
        json={"first_name": "B", "custom_fields": {"vip": "no", "score": "50"}},
        headers=user.headers,
    )
    assert await _ids(api, user, "/api/v1/contacts", **{"cf.vip": "true"}) == [a.json()["id"]]
    assert await _ids(api, user, "/api/v1/contacts", sort="-cf.score") == [b.json()["id"], a.json()["id"]]


async def test_export_has_a_column_per_field_and_imports_validate(api: Api, user: User, db: Db) -> None:
    await define(
        api, user, object="contacts", key="tier", label="Tier", type="select", options=["Gold", "Silver"]
    )
    await define(api, user, object="contacts", key="since", label="Customer since", type="date")
    await api.post(
        "/api/v1/contacts",
        json={
            "first_name": "Ada",
            "email": "ada@example.com",
            "custom_fields": {"tier": "gold", "since": "2020-01-31", "misc": "x"},
        },
        headers=user.headers,
    )
    export = await api.get("/api/v1/exports/contacts", headers=user.headers)
    assert export.status_code == 200
    [row] = list(csv.DictReader(io.StringIO(export.text)))
    assert (row["custom_fields.tier"], row["custom_fields.since"], row["custom_fields"]) == (
        "Gold",
        "2020-01-31",
        '{"misc":"x"}',
    )
    filtered = await api.get("/api/v1/exports/contacts", params={"cf.tier": "Silver"}, headers=user.headers)
    assert len(list(csv.DictReader(io.StringIO(filtered.text)))) == 0
    refused = await api.get("/api/v1/exports/contacts", params={"cf.tier": "Bronze"}, headers=user.headers)
    assert refused.status_code == 422

    done = await imported(
        api,
        user,
        db,
        b"email,Level,custom_fields.since\n"
        b"bob@example.com,silver,2021-05-01\n"
        b"carl@example.com,Bronze,2021-05-01\n"
        b"dora@example.com,Gold,someday\n",
        mapping={"Level": "custom_fields.tier"},
    )
    assert (done["created"], done["failed"]) == (1, 2)
    errors = await error_rows(api, user, done["id"])
    assert [e["row"] for e in errors] == ["2", "3"]
    assert "custom_fields.tier" in errors[0]["reason"] and "custom_fields.since" in errors[1]["reason"]
    bob = (
        await api.get("/api/v1/contacts", params={"email": "bob@example.com"}, headers=user.headers)
    ).json()
    assert bob["items"][0]["custom_fields"] == {"tier": "Silver", "since": "2021-05-01"}


async def test_imports_enforce_required_custom_fields(api: Api, user: User, db: Db) -> None:
    await define(api, user, object="contacts", key="region", label="Region", type="text", required=True)
    done = await imported(api, user, db, b"email,custom_fields.region\na@example.com,EU\nb@example.com,\n")
    assert (done["created"], done["failed"]) == (1, 1)
    [error] = await error_rows(api, user, done["id"])
    assert error["reason"] == "Required by this workspace: custom_fields.region"


async def test_web_forms_keep_the_lead_and_drop_a_value_that_does_not_fit(
    api: Api, user: User, db: Db
) -> None:
    await define(api, user, object="contacts", key="budget", label="Budget", type="money")
    await define(api, user, object="contacts", key="seats", label="Seats", type="number")
    form = await create_form(
        api, user, field_mapping={"budget": "custom_fields.budget", "seats": "custom_fields.seats"}
    )
    posted = await api.post(
        submit_url(form), json={"email": "lead@example.com", "budget": "1,500", "seats": "lots"}
    )
    assert posted.status_code == 202, posted.text
    await run_worker(db, user.workspace_id)
    done = await submission(db, posted.json()["submission_id"])
    assert done.status == "processed", done.reason
    contact = (await api.get(f"/api/v1/contacts/{done.contact_id}", headers=user.headers)).json()
    assert contact["custom_fields"] == {"budget": "1500.00"}
    note = (await api.get(f"/api/v1/activities/{done.activity_id}", headers=user.headers)).json()
    assert "custom_fields.seats: Seats expects a number" in note["body"]


async def test_racing_admins_and_retries_define_a_field_once(api: Api, user: User) -> None:
    body = {"object": "deals", "key": "region", "label": "Region", "type": "text"}
    first, second = await asyncio.gather(
        api.post(FIELDS, json=body, headers=user.headers), api.post(FIELDS, json=body, headers=user.headers)
    )
    assert sorted([first.status_code, second.status_code]) == [201, 409]
    retry_headers = {**user.headers, "Idempotency-Key": "define-tier"}
    tier = {"object": "deals", "key": "tier", "label": "Tier", "type": "text"}
    made = await api.post(FIELDS, json=tier, headers=retry_headers)
    again = await api.post(FIELDS, json=tier, headers=retry_headers)
    assert (made.status_code, again.status_code) == (201, 201)
    assert again.headers.get("Idempotent-Replayed") == "true" and again.json()["id"] == made.json()["id"]
    listed = (await api.get(FIELDS, headers=user.headers)).json()["items"]
    assert sorted(f["key"] for f in listed) == ["region", "tier"]
