"""CSV exports: streamed, filtered like their lists, and read back by imports without loss."""

from __future__ import annotations

import csv
import io
from typing import Any

from tests.api.imports_support import all_contacts, imported
from tests.conftest import Api, Db, User

CONTACT_FIELDS = ("first_name", "last_name", "email", "phone", "title", "source", "tags", "custom_fields")


async def _post(api: Api, user: User, path: str, **fields: Any) -> dict[str, Any]:
    response = await api.post(path, json=fields, headers=user.headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def _export(api: Api, user: User, kind: str, query: str = "") -> tuple[bytes, list[dict[str, str]]]:
    response = await api.get(f"/api/v1/exports/{kind}{query}", headers=user.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith(f'attachment; filename="{kind}-')
    return response.content, list(csv.DictReader(io.StringIO(response.content.decode())))


def _shape(contact: dict[str, Any], companies: dict[str | None, str | None]) -> tuple[Any, ...]:
    return (*(str(contact[f]) for f in CONTACT_FIELDS), companies.get(contact["account_id"]))


async def _companies(api: Api, user: User) -> dict[str | None, str | None]:
    accounts = (await api.get("/api/v1/accounts?limit=200", headers=user.headers)).json()["items"]
    return {a["id"]: a["name"] for a in accounts}


async def test_contacts_round_trip_into_a_fresh_workspace(
    api: Api, user: User, other_user: User, db: Db
) -> None:
    globex = await _post(api, user, "/api/v1/accounts", name="Globex, Inc.")
    await _post(
        api,
        user,
        "/api/v1/contacts",
        first_name="Hank",
        last_name="Scorpio",
        email="hank@globex.com",
        phone="415 555 0100",
        title="CEO",
        account_id=globex["id"],
        source="conference",
        tags=["vip", "a, b", "villain"],
        custom_fields={"tier": "gold", "score": 9, "nested": {"x": [1]}},
    )
    await _post(
        api,
        user,
        "/api/v1/contacts",
        first_name="Zoë",
        last_name="Saldaña",
        phone="+44 20 7946 0018",
        tags=["semi;colon"],
        custom_fields={"notes": 'line one\nline two, "quoted"'},
    )
    await _post(
        api, user, "/api/v1/contacts", first_name='=HYPERLINK("http://evil")', email="only@example.org"
    )
    for index in range(25):
        await _post(
            api,
            user,
            "/api/v1/contacts",
            first_name=f"Bulk{index:02d}",
            email=f"bulk{index}@example.org",
            tags=["bulk"],
        )
    content, rows = await _export(api, user, "contacts")
    assert len(rows) == 28 and rows[0]["first_name"] == "Hank" and rows[0]["company"] == "Globex, Inc."
    assert rows[0]["owner_email"] == user.email
    # Spreadsheets would run these as formulas: they go out quoted and come back as they were.
    assert rows[0]["phone"] == "'+14155550100" and rows[2]["first_name"] == '\'=HYPERLINK("http://evil")'
    body = await imported(api, other_user, db, content, filename="contacts.csv")
    assert (body["created"], body["failed"]) == (28, 0)
    mine, theirs = await _companies(api, user), await _companies(api, other_user)
    before = sorted(_shape(c, mine) for c in await all_contacts(api, user))
    after = sorted(_shape(c, theirs) for c in await all_contacts(api, other_user))
    assert before == after


async def test_exports_honour_the_list_filters(api: Api, user: User, other_user: User) -> None:
    acme = await _post(api, user, "/api/v1/accounts", name="Acme")
    await _post(
        api,
        user,
        "/api/v1/contacts",
        first_name="Wile",
        last_name="Coyote",
        account_id=acme["id"],
        tags=["customer"],
    )
    await _post(api, user, "/api/v1/contacts", first_name="Road", last_name="Runner", tags=["prospect"])
    await _post(api, other_user, "/api/v1/contacts", first_name="Elmer", last_name="Fudd", tags=["customer"])
    assert [r["last_name"] for r in (await _export(api, user, "contacts", "?tag=customer"))[1]] == ["Coyote"]
    assert [
        r["last_name"] for r in (await _export(api, user, "contacts", f"?account_id={acme['id']}"))[1]
    ] == ["Coyote"]
    assert [r["last_name"] for r in (await _export(api, user, "contacts", "?q=runn"))[1]] == ["Runner"]
    assert [r["name"] for r in (await _export(api, user, "accounts", "?q=acm"))[1]] == ["Acme"]
    assert (await api.get("/api/v1/exports/contacts?owner_id=nope", headers=user.headers)).status_code == 422
    assert (await api.get("/api/v1/exports/contacts")).status_code == 401
    header, empty = await _export(api, user, "deals", "?status=won")
    assert empty == [] and header.decode().startswith("title,amount,currency,pipeline,stage,status")


async def test_accounts_and_deals_round_trip(api: Api, user: User, other_user: User, db: Db) -> None:
    globex = await _post(
        api,
        user,
        "/api/v1/accounts",
        name="Globex",
        domain="globex.com",
        industry="Energy",
        phone="415 555 0100",
        tags=["enterprise"],
        custom_fields={"employees": 1200},
    )
    hank = await _post(api, user, "/api/v1/contacts", first_name="Hank", email="hank@globex.com")
    await _post(
        api,
        user,
        "/api/v1/deals",
        title="Globex rollout",
        amount="12500.50",
        account_id=globex["id"],
        contact_ids=[hank["id"]],
        expected_close_date="2031-06-30",
        source="referral",
        tags=["hot"],
        custom_fields={"region": "West"},
    )
    accounts_csv, _ = await _export(api, user, "accounts")
    contacts_csv, _ = await _export(api, user, "contacts")
    deals_csv, deal_rows = await _export(api, user, "deals")
    assert deal_rows[0]["contact_email"] == "hank@globex.com" and deal_rows[0]["stage"] == "Prospect"
    for content, kind in ((accounts_csv, "accounts"), (contacts_csv, "contacts"), (deals_csv, "deals")):
        body = await imported(api, other_user, db, content, object=kind)
        assert body["failed"] == 0, body
    keep = ("name", "domain", "industry", "phone", "tags", "custom_fields")
    mine = (await api.get("/api/v1/accounts", headers=user.headers)).json()["items"]
    theirs = (await api.get("/api/v1/accounts", headers=other_user.headers)).json()["items"]
    assert [{k: a[k] for k in keep} for a in mine] == [{k: a[k] for k in keep} for a in theirs]
    keep = (
        "title",
        "amount",
        "currency",
        "status",
        "expected_close_date",
        "source",
        "tags",
        "custom_fields",
        "created_at",
    )
    [original] = (await api.get("/api/v1/deals", headers=user.headers)).json()["items"]
    [copy] = (await api.get("/api/v1/deals", headers=other_user.headers)).json()["items"]
    assert {k: copy[k] for k in keep} == {k: original[k] for k in keep}
    account = (await api.get(f"/api/v1/accounts/{copy['account_id']}", headers=other_user.headers)).json()
    contact = (await api.get(f"/api/v1/contacts/{copy['contact_ids'][0]}", headers=other_user.headers)).json()
    assert (account["name"], contact["email"]) == ("Globex", "hank@globex.com")
