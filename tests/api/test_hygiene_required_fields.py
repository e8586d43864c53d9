"""Required fields per workspace: set by admins, a 422 naming them on every way in."""

from __future__ import annotations

from tests.api.imports_support import error_rows, imported
from tests.conftest import Api, Db, User

SETTINGS = "/api/v1/settings/required-fields"


async def _invite_member(api: Api, admin: User) -> dict[str, str]:
    invitation = await api.post(
        "/api/v1/invitations", json={"email": "member@example.org", "role": "member"}, headers=admin.headers
    )
    assert invitation.status_code == 201, invitation.text
    token = invitation.json()["accept_url"].rsplit("/", 1)[-1]
    accepted = await api.post(
        f"/api/v1/invitations/{token}/accept", json={"name": "Member", "password": "correct-horse-battery"}
    )
    assert accepted.status_code in (200, 201), accepted.text
    login = await api.post(
        "/api/v1/auth/login",
        json={
            "email": "member@example.org",
            "password": "correct-horse-battery",
            "workspace_id": admin.workspace_id,
        },
    )
    api.client.cookies.clear()
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


async def test_admins_set_rules_members_read_them(api: Api, user: User) -> None:
    assert (await api.get(SETTINGS, headers=user.headers)).json() == {
        "contacts": [],
        "accounts": [],
        "deals": [],
    }
    response = await api.put(
        SETTINGS, json={"contacts": [["email", "phone"], ["last_name"]]}, headers=user.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["contacts"] == [["email", "phone"], ["last_name"]]
    member = await _invite_member(api, user)
    assert (await api.get(SETTINGS, headers=member)).json()["contacts"] == [["email", "phone"], ["last_name"]]
    assert (await api.put(SETTINGS, json={"contacts": []}, headers=member)).status_code == 403
    unknown = await api.put(SETTINGS, json={"accounts": [["name"]]}, headers=user.headers)
    assert unknown.status_code == 422
    empty = await api.put(SETTINGS, json={"deals": [[]]}, headers=user.headers)
    assert empty.status_code == 422
    # Kinds left out stay as they were.
    await api.put(SETTINGS, json={"deals": [["amount"]]}, headers=user.headers)
    assert (await api.get(SETTINGS, headers=user.headers)).json()["contacts"] == [
        ["email", "phone"],
        ["last_name"],
    ]


async def test_api_writes_without_them_get_422_naming_them(api: Api, user: User, other_user: User) -> None:
    await api.put(
        SETTINGS, json={"contacts": [["email", "phone"]], "accounts": [["domain"]]}, headers=user.headers
    )
    response = await api.post("/api/v1/contacts", json={"first_name": "Nameonly"}, headers=user.headers)
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["errors"]] == [["body", "email"], ["body", "phone"]]
    assert "email or phone" in response.json()["detail"]
    ok = await api.post(
        "/api/v1/contacts", json={"first_name": "Ok", "phone": "415 555 0100"}, headers=user.headers
    )
    assert ok.status_code == 201
    cleared = await api.patch(
        f"/api/v1/contacts/{ok.json()['id']}", json={"phone": None}, headers=user.headers
    )
    assert cleared.status_code == 422
    assert (
        await api.post("/api/v1/accounts", json={"name": "No domain"}, headers=user.headers)
    ).status_code == 422
    assert (
        await api.post(
            "/api/v1/accounts", json={"name": "Web", "website": "https://web.dev"}, headers=user.headers
        )
    ).status_code == 201
    # Another workspace's rules are its own.
    assert (
        await api.post("/api/v1/contacts", json={"first_name": "Free"}, headers=other_user.headers)
    ).status_code == 201


async def test_deals_without_them_get_422_on_create_and_patch(api: Api, user: User) -> None:
    await api.put(SETTINGS, json={"deals": [["amount"], ["account_id", "contact_ids"]]}, headers=user.headers)
    bare = await api.post("/api/v1/deals", json={"title": "Bare"}, headers=user.headers)
    assert bare.status_code == 422, bare.text
    assert [e["loc"] for e in bare.json()["errors"]] == [
        ["body", "amount"],
        ["body", "account_id"],
        ["body", "contact_ids"],
    ]
    assert (await api.get("/api/v1/deals", headers=user.headers)).json()["items"] == []
    contact = await api.post("/api/v1/contacts", json={"first_name": "Buyer"}, headers=user.headers)
    deal = await api.post(
        "/api/v1/deals",
        json={"title": "Complete", "amount": "1200", "contact_ids": [contact.json()["id"]]},
        headers=user.headers,
    )
    assert deal.status_code == 201, deal.text
    url = f"/api/v1/deals/{deal.json()['id']}"
    cleared = await api.patch(url, json={"amount": None}, headers=user.headers)
    assert cleared.status_code == 422 and "amount" in cleared.json()["detail"]
    assert (await api.get(url, headers=user.headers)).json()["amount"] == "1200.00"
    renamed = await api.patch(url, json={"title": "Renamed"}, headers=user.headers)
    assert renamed.status_code == 200, renamed.text


async def test_import_rows_without_them_fail_with_that_reason(api: Api, user: User, db: Db) -> None:
    await api.put(SETTINGS, json={"contacts": [["email", "phone"], ["account_id"]]}, headers=user.headers)
    content = b"name,email,phone,company\nAda Lovelace,ada@x.org,,Engines\nAlan Turing,,,Bletchley\nGrace,g@x.org,,\n"
    body = await imported(api, user, db, content)
    assert (body["created"], body["failed"]) == (1, 2)
    reasons = {e["row"]: e["reason"] for e in await error_rows(api, user, body["id"])}
    assert reasons == {
        "2": "Required by this workspace: email or phone",
        "3": "Required by this workspace: account_id",
    }
