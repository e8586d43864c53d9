"""Sign-up, log-in, tokens, cookies with CSRF, throttling, password reset."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from domain.models import OutboundEmail
from tests.conftest import Api, AppHandle, Db, User


async def test_signup_then_me(api: Api, user: User) -> None:
    response = await api.get("/api/v1/me", headers=user.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["email"] == user.email
    assert body["workspace"]["id"] == user.workspace_id
    assert body["role"] == "admin"


async def test_no_or_bad_credentials_are_401_problems(api: Api) -> None:
    response = await api.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 401
    response = await api.get("/api/v1/me", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


async def test_login_returns_workspaces_and_chooses_one(api: Api, user: User) -> None:
    # The same person signs up a second workspace with the same password.
    second = await api.signup(email=user.email, workspace="Second Co")
    response = await api.post(
        "/api/v1/auth/login", json={"email": user.email.upper(), "password": user.password}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert {w["id"] for w in body["workspaces"]} == {user.workspace_id, second.workspace_id}
    assert body["workspace"]["id"] == user.workspace_id  # the first by default
    chosen = await api.post(
        "/api/v1/auth/login",
        json={"email": user.email, "password": user.password, "workspace_id": second.workspace_id},
    )
    assert chosen.json()["workspace"]["id"] == second.workspace_id
    me = await api.get("/api/v1/me", headers={"Authorization": f"Bearer {chosen.json()['access_token']}"})
    assert me.json()["workspace"]["id"] == second.workspace_id


async def test_wrong_password_is_401(api: Api, user: User) -> None:
    response = await api.post("/api/v1/auth/login", json={"email": user.email, "password": "wrong-password"})
    assert response.status_code == 401


async def test_logout_revokes_the_token(api: Api, user: User) -> None:
    assert (await api.post("/api/v1/auth/logout", headers=user.headers)).status_code == 204
    assert (await api.get("/api/v1/me", headers=user.headers)).status_code == 401


async def test_tokens_expire(api: Api, user: User, clock: object, app_handle: AppHandle) -> None:
    app_handle.clock.advance(timedelta(seconds=app_handle.settings.access_token_ttl_seconds + 1))
    assert (await api.get("/api/v1/me", headers=user.headers)).status_code == 401


async def test_session_cookie_needs_csrf_header_for_changes(api: Api, user: User) -> None:
    response = await api.post("/api/v1/auth/login", json={"email": user.email, "password": user.password})
    assert "rapport_session" in response.cookies
    csrf = response.cookies["rapport_csrf"]
    # The cookie alone authenticates reads...
    assert (await api.get("/api/v1/me")).status_code == 200
    # ...but a change without the double-submit header is refused and changes nothing.
    refused = await api.patch("/api/v1/workspace", json={"name": "Renamed"})
    assert refused.status_code == 403
    assert (await api.get("/api/v1/workspace")).json()["name"] == "Acme"
    accepted = await api.patch("/api/v1/workspace", json={"name": "Renamed"}, headers={"X-CSRF-Token": csrf})
    assert accepted.status_code == 200
    assert accepted.json()["name"] == "Renamed"


async def test_failed_logins_are_throttled(
    api: Api, user: User, clock: object, app_handle: AppHandle
) -> None:
    for _ in range(10):
        response = await api.post(
            "/api/v1/auth/login", json={"email": user.email, "password": "bad-password"}
        )
        assert response.status_code == 401
    throttled = await api.post("/api/v1/auth/login", json={"email": user.email, "password": user.password})
    assert throttled.status_code == 429
    assert 0 < int(throttled.headers["Retry-After"]) <= 15 * 60 + 1
    app_handle.clock.advance(timedelta(minutes=16))
    assert (
        await api.post("/api/v1/auth/login", json={"email": user.email, "password": user.password})
    ).status_code == 200


async def test_password_reset_flow(api: Api, user: User, db: Db) -> None:
    # Unknown addresses get the same answer: no account enumeration.
    assert (
        await api.post("/api/v1/auth/password-reset", json={"email": "nobody@example.com"})
    ).status_code == 202
    assert (await api.post("/api/v1/auth/password-reset", json={"email": user.email})).status_code == 202
    async with db.sessionmaker() as session:
        mail = (
            (await session.execute(select(OutboundEmail).where(OutboundEmail.to_address == user.email)))
            .scalars()
            .all()
        )
    assert len(mail) == 1
    token = mail[0].body.split("token=")[1].split()[0]
    confirm = await api.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "password": "a-new-password"}
    )
    assert confirm.status_code == 204
    # Single use, and the old sessions are gone.
    again = await api.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "password": "other-password"}
    )
    assert again.status_code == 422
    assert (await api.get("/api/v1/me", headers=user.headers)).status_code == 401
    login = await api.post("/api/v1/auth/login", json={"email": user.email, "password": "a-new-password"})
    assert login.status_code == 200


async def test_signup_validation(api: Api) -> None:
    bad_email = await api.post(
        "/api/v1/auth/signup",
        json={"email": "not-an-email", "password": "long-enough-pw", "name": "X", "workspace_name": "W"},
    )
    assert bad_email.status_code == 422
    short_pw = await api.post(
        "/api/v1/auth/signup",
        json={"email": "a@example.com", "password": "short", "name": "X", "workspace_name": "W"},
    )
    assert short_pw.status_code == 422
    malformed = await api.post(
        "/api/v1/auth/signup", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert malformed.status_code == 400
