"""Members, roles, invitations and API keys."""

from __future__ import annotations

from sqlalchemy import select

from domain.models import OutboundEmail
from tests.conftest import Api, Db, User


async def _invite_and_join(api: Api, admin: User, email: str, role: str = "member") -> User:
    invitation = await api.post(
        "/api/v1/invitations", json={"email": email, "role": role}, headers=admin.headers
    )
    assert invitation.status_code == 201, invitation.text
    token = invitation.json()["accept_url"].rsplit("/", 1)[1]
    accepted = await api.post(
        f"/api/v1/invitations/{token}/accept", json={"name": "New Member", "password": "long-password-1"}
    )
    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    api.client.cookies.clear()
    return User(
        email=email,
        password="long-password-1",
        token=body["access_token"],
        user_id=body["user"]["id"],
        workspace_id=body["workspace"]["id"],
    )


async def test_invitation_is_emailed_and_joins_the_workspace(api: Api, user: User, db: Db) -> None:
    member = await _invite_and_join(api, user, "newbie@example.com")
    assert member.workspace_id == user.workspace_id
    async with db.sessionmaker() as session:
        mails = (
            (
                await session.execute(
                    select(OutboundEmail).where(OutboundEmail.to_address == "newbie@example.com")
                )
            )
            .scalars()
            .all()
        )
    assert len(mails) == 1 and "/invitations/" in mails[0].body
    listed = await api.get("/api/v1/members", headers=user.headers)
    assert {m["email"] for m in listed.json()["items"]} == {user.email, "newbie@example.com"}
    me = await api.get("/api/v1/me", headers=member.headers)
    assert me.json()["role"] == "member"


async def test_invitation_is_single_use(api: Api, user: User) -> None:
    invitation = await api.post(
        "/api/v1/invitations", json={"email": "once@example.com"}, headers=user.headers
    )
    token = invitation.json()["accept_url"].rsplit("/", 1)[1]
    body = {"password": "long-password-1"}
    assert (await api.post(f"/api/v1/invitations/{token}/accept", json=body)).status_code == 200
    assert (await api.post(f"/api/v1/invitations/{token}/accept", json=body)).status_code == 404


async def test_members_cannot_use_admin_routes(api: Api, user: User) -> None:
    member = await _invite_and_join(api, user, "plain@example.com")
    for method, path, body in (
        ("POST", "/api/v1/api-keys", {"name": "k"}),
        ("GET", "/api/v1/api-keys", None),
        ("POST", "/api/v1/invitations", {"email": "x@example.com"}),
        ("PATCH", f"/api/v1/members/{user.user_id}", {"role": "member"}),
        ("DELETE", f"/api/v1/members/{user.user_id}", None),
        ("PATCH", "/api/v1/workspace", {"name": "Hijacked"}),
        ("GET", "/api/v1/invitations", None),
    ):
        response = await api.request(method, path, json=body, headers=member.headers)
        assert response.status_code == 403, (method, path, response.text)
    assert (await api.get("/api/v1/workspace", headers=user.headers)).json()["name"] == "Acme"


async def test_pending_invitations_are_listed_and_a_revoked_link_stops_working(api: Api, user: User) -> None:
    sent = await api.post(
        "/api/v1/invitations", json={"email": "Later@Example.com", "role": "admin"}, headers=user.headers
    )
    token = sent.json()["accept_url"].rsplit("/", 1)[1]
    await _invite_and_join(api, user, "joined@example.com")
    pending = await api.get("/api/v1/invitations", headers=user.headers)
    assert pending.status_code == 200
    assert [(i["email"], i["role"], i["invited_by"]) for i in pending.json()["items"]] == [
        ("later@example.com", "admin", user.user_id)
    ]
    invitation_id = pending.json()["items"][0]["id"]

    assert (await api.delete(f"/api/v1/invitations/{invitation_id}", headers=user.headers)).status_code == 204

    assert (await api.get("/api/v1/invitations", headers=user.headers)).json()["items"] == []
    accepted = await api.post(f"/api/v1/invitations/{token}/accept", json={"password": "long-password-1"})
    assert accepted.status_code == 404
    again = await api.delete(f"/api/v1/invitations/{invitation_id}", headers=user.headers)
    assert again.status_code == 404


async def test_an_accepted_invitation_cannot_be_revoked(api: Api, user: User) -> None:
    sent = await api.post("/api/v1/invitations", json={"email": "quick@example.com"}, headers=user.headers)
    token = sent.json()["accept_url"].rsplit("/", 1)[1]
    body = {"password": "long-password-1"}
    assert (await api.post(f"/api/v1/invitations/{token}/accept", json=body)).status_code == 200
    api.client.cookies.clear()
    revoked = await api.delete(f"/api/v1/invitations/{sent.json()['id']}", headers=user.headers)
    assert revoked.status_code == 404
    listed = await api.get("/api/v1/members", headers=user.headers)
    assert "quick@example.com" in {m["email"] for m in listed.json()["items"]}


async def test_role_change_and_last_admin_guard(api: Api, user: User) -> None:
    member = await _invite_and_join(api, user, "promoted@example.com")
    promoted = await api.patch(
        f"/api/v1/members/{member.user_id}", json={"role": "admin"}, headers=user.headers
    )
    assert promoted.status_code == 200 and promoted.json()["role"] == "admin"
    # Demoting oneself is fine while another admin remains...
    assert (
        await api.patch(f"/api/v1/members/{user.user_id}", json={"role": "member"}, headers=user.headers)
    ).status_code == 200
    # ...but the last admin stays an admin.
    last = await api.patch(
        f"/api/v1/members/{member.user_id}", json={"role": "member"}, headers=member.headers
    )
    assert last.status_code == 409


async def test_removing_a_member_revokes_access(api: Api, user: User) -> None:
    member = await _invite_and_join(api, user, "leaver@example.com")
    assert (await api.delete(f"/api/v1/members/{member.user_id}", headers=user.headers)).status_code == 204
    assert (await api.get("/api/v1/me", headers=member.headers)).status_code == 401
    listed = await api.get("/api/v1/members", headers=user.headers)
    assert member.user_id not in {m["id"] for m in listed.json()["items"]}


async def test_api_key_is_shown_once_and_works_until_revoked(api: Api, user: User) -> None:
    created = await api.post("/api/v1/api-keys", json={"name": "Zapier"}, headers=user.headers)
    assert created.status_code == 201
    key = created.json()["key"]
    key_id = created.json()["id"]
    listed = await api.get("/api/v1/api-keys", headers=user.headers)
    assert [k["id"] for k in listed.json()["items"]] == [key_id]
    assert "key" not in listed.json()["items"][0]
    as_key = {"Authorization": f"Bearer {key}"}
    me = await api.get("/api/v1/me", headers=as_key)
    assert me.status_code == 200 and me.json()["auth"] == "api_key"
    assert (await api.delete(f"/api/v1/api-keys/{key_id}", headers=user.headers)).status_code == 204
    assert (await api.get("/api/v1/me", headers=as_key)).status_code == 401
    assert (await api.get(f"/api/v1/api-keys/{key_id}", headers=user.headers)).status_code == 404


async def test_workspace_settings(api: Api, user: User) -> None:
    workspace = await api.get("/api/v1/workspace", headers=user.headers)
    assert workspace.json()["currency"] == "USD"
    assert workspace.json()["timezone"] == "UTC"
    assert workspace.json()["default_region"] == "US"
    etag = workspace.headers["ETag"]
    changed = await api.patch(
        "/api/v1/workspace",
        json={"currency": "eur", "timezone": "Europe/Paris", "default_region": "fr"},
        headers={**user.headers, "If-Match": etag},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["currency"] == "EUR" and changed.json()["default_region"] == "FR"
    stale = await api.patch(
        "/api/v1/workspace", json={"name": "Stale"}, headers={**user.headers, "If-Match": etag}
    )
    assert stale.status_code == 412
    bad = await api.patch("/api/v1/workspace", json={"timezone": "Mars/Olympus"}, headers=user.headers)
    assert bad.status_code == 422
    assert (await api.get("/api/v1/workspace", headers=user.headers)).json()["name"] == "Acme"
