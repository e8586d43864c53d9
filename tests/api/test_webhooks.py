"""Webhook subscriptions as admin settings: shape, secrets, event names, the SSRF check at the door."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.forms_support import add_member
from tests.conftest import Api, AppHandle, User


@pytest.fixture
def private_targets(app_handle: AppHandle) -> Iterator[None]:
    app_handle.settings.webhook_allow_private_targets = True
    yield
    app_handle.settings.webhook_allow_private_targets = False


async def test_create_read_change_delete(api: Api, user: User) -> None:
    created = await api.post(
        "/api/v1/webhooks",
        json={"url": "https://hooks.example.com/rapport", "events": ["deal.stage_changed", "contact.*"]},
        headers=user.headers,
    )
    assert created.status_code == 201, created.text
    hook = created.json()
    assert hook["active"] is True and hook["secret"].startswith("whsec_") and len(hook["secret"]) > 30
    assert hook["events"] == ["deal.stage_changed", "contact.*"]
    path = f"/api/v1/webhooks/{hook['id']}"
    assert (await api.get(path, headers=user.headers)).json()["secret"] == hook["secret"]
    changed = await api.patch(
        path,
        json={"events": ["*"], "active": False, "secret": "my-own-secret-value"},
        headers={**user.headers, "If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["active"] is False and changed.json()["secret"] == "my-own-secret-value"
    rotated = await api.patch(path, json={"secret": None}, headers=user.headers)
    assert rotated.json()["secret"].startswith("whsec_")
    listed = await api.get("/api/v1/webhooks", headers=user.headers)
    assert hook["id"] in [h["id"] for h in listed.json()["items"]]
    assert (await api.delete(path, headers=user.headers)).status_code == 204
    assert (await api.get(path, headers=user.headers)).status_code == 404


async def test_given_secret_and_inactive_start(api: Api, user: User) -> None:
    created = await api.post(
        "/api/v1/webhooks",
        json={
            "url": "http://hooks.example.com/x",
            "events": ["deal.won"],
            "secret": "s3cret-s3cret-s3cret",
            "active": False,
        },
        headers=user.headers,
    )
    assert created.status_code == 201
    assert created.json()["secret"] == "s3cret-s3cret-s3cret" and created.json()["active"] is False


async def test_unknown_events_and_bad_urls_are_422(api: Api, user: User) -> None:
    for body in (
        {"url": "https://hooks.example.com/", "events": ["deal.exploded"]},
        {"url": "https://hooks.example.com/", "events": []},
        {"url": "ftp://hooks.example.com/", "events": ["deal.won"]},
        {"url": "not a url", "events": ["deal.won"]},
        {"url": "http://127.0.0.1:9000/hook", "events": ["deal.won"]},
        {"url": "http://10.1.2.3/hook", "events": ["deal.won"]},
        {"url": "http://169.254.169.254/latest/meta-data", "events": ["deal.won"]},
        {"url": "http://[::1]/hook", "events": ["deal.won"]},
        {"url": "http://localhost:8000/hook", "events": ["deal.won"]},
        {"url": "http://192.168.1.20/hook", "events": ["deal.won"]},
    ):
        response = await api.post("/api/v1/webhooks", json=body, headers=user.headers)
        assert response.status_code == 422, (body, response.text)


async def test_private_targets_when_the_operator_allows_them(
    api: Api, user: User, private_targets: None
) -> None:
    response = await api.post(
        "/api/v1/webhooks", json={"url": "http://127.0.0.1:9000/hook", "events": ["*"]}, headers=user.headers
    )
    assert response.status_code == 201


async def test_test_fire_and_delivery_log(api: Api, user: User) -> None:
    hook = (
        await api.post(
            "/api/v1/webhooks",
            json={"url": "https://hooks.example.com/", "events": ["deal.won"]},
            headers=user.headers,
        )
    ).json()
    fired = await api.post(f"/api/v1/webhooks/{hook['id']}/test", headers=user.headers)
    assert fired.status_code == 202, fired.text
    delivery = fired.json()
    assert delivery["event_type"] == "webhook.test" and delivery["status"] == "pending"
    assert delivery["payload"]["type"] == "webhook.test" and delivery["payload"]["id"] == delivery["event_id"]
    log = await api.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=user.headers)
    assert [d["id"] for d in log.json()["items"]] == [delivery["id"]]
    again = await api.post(
        f"/api/v1/webhooks/{hook['id']}/deliveries/{delivery['id']}/redeliver", headers=user.headers
    )
    assert again.status_code == 202 and again.json()["event_id"] == delivery["event_id"]


async def test_webhooks_are_admin_settings_of_one_workspace(api: Api, user: User, other_user: User) -> None:
    member = await add_member(api, user)
    assert (await api.get("/api/v1/webhooks", headers=member.headers)).status_code == 403
    hook = (
        await api.post(
            "/api/v1/webhooks",
            json={"url": "https://hooks.example.com/", "events": ["*"]},
            headers=user.headers,
        )
    ).json()
    for method, path in (
        ("GET", ""),
        ("PATCH", ""),
        ("GET", "/deliveries"),
        ("POST", "/test"),
        ("DELETE", ""),
    ):
        response = await api.request(
            method,
            f"/api/v1/webhooks/{hook['id']}{path}",
            json={} if method == "PATCH" else None,
            headers=other_user.headers,
        )
        assert response.status_code == 404, (method, path, response.text)
