"""Inbound email: a parse service posts a message; it becomes email activities of known contacts."""

from __future__ import annotations

import uuid
from typing import Any

from tests.api.forms_support import add_member
from tests.conftest import Api, User


async def _secret(api: Api, user: User) -> str:
    response = await api.get("/api/v1/inbound/settings", headers=user.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["url"] == "http://testserver/api/v1/inbound/email"
    assert body["url_with_token"].endswith(f"?token={body['secret']}")
    return str(body["secret"])


async def _contact(api: Api, user: User, email: str, **fields: Any) -> str:
    response = await api.post("/api/v1/contacts", json={"email": email, **fields}, headers=user.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _message(**fields: Any) -> dict[str, Any]:
    return {
        "from": "Pat Prospect <pat@prospect.example>",
        "to": "sales@ourco.example",
        "cc": None,
        "subject": "Re: pricing",
        "text": "Sounds good, send the contract.",
        "html": None,
        "message_id": f"<{uuid.uuid4()}@mail.prospect.example>",
        "date": "Mon, 23 Nov 2026 10:00:00 +0000",
        "in_reply_to": None,
        **fields,
    }


async def test_message_becomes_an_email_activity_once(api: Api, user: User) -> None:
    secret = await _secret(api, user)
    pat = await _contact(api, user, "pat@prospect.example", first_name="Pat")
    deal = await api.post(
        "/api/v1/deals", json={"title": "Prospect deal", "contact_ids": [pat]}, headers=user.headers
    )
    message = _message()
    first = await api.post(
        "/api/v1/inbound/email", json=message, headers={"Authorization": f"Bearer {secret}"}
    )
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "logged" and first.json()["contact_ids"] == [pat]
    assert first.json()["deal_ids"] == [deal.json()["id"]]
    again = await api.post(f"/api/v1/inbound/email?token={secret}", json=message)
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert again.json()["activity_ids"] == first.json()["activity_ids"]
    activities = (await api.get(f"/api/v1/activities?contact_id={pat}", headers=user.headers)).json()["items"]
    assert len(activities) == 1
    [email] = activities
    assert (
        email["type"] == "email"
        and email["subject"] == "Re: pricing"
        and email["deal_id"] == deal.json()["id"]
    )
    assert email["body"] == "Sounds good, send the contract." and email["completed_at"].startswith(
        "2026-11-23T10:00"
    )
    timeline = await api.get(f"/api/v1/deals/{deal.json()['id']}/timeline", headers=user.headers)
    assert any(i["kind"] == "activity" and i["type"] == "email" for i in timeline.json()["items"])


async def test_every_known_contact_and_their_open_deals(api: Api, user: User) -> None:
    secret = await _secret(api, user)
    rep = await add_member(api, user)
    ann = await _contact(api, user, "ann@client.example")
    bob = await _contact(api, user, "bob@client.example")
    d1 = (
        await api.post("/api/v1/deals", json={"title": "One", "contact_ids": [ann]}, headers=user.headers)
    ).json()
    d2 = (
        await api.post(
            "/api/v1/deals", json={"title": "Two", "contact_ids": [ann, bob]}, headers=user.headers
        )
    ).json()
    message = _message(
        **{
            "from": rep.email,
            "to": ["Ann <ann@client.example>", "stranger@nowhere.example"],
            "cc": "bob@client.example",
            "subject": "Proposal",
            "text": None,
            "html": "<p>Hello <b>both</b></p><style>p{}</style>",
        }
    )
    logged = await api.post(
        "/api/v1/inbound/email", json=message, headers={"Authorization": f"Bearer {secret}"}
    )
    assert logged.status_code == 201, logged.text
    assert set(logged.json()["contact_ids"]) == {ann, bob}
    assert set(logged.json()["deal_ids"]) == {d1["id"], d2["id"]}
    for contact in (ann, bob):
        items = (await api.get(f"/api/v1/activities?contact_id={contact}", headers=user.headers)).json()[
            "items"
        ]
        assert len(items) == 1 and items[0]["body"] == "Hello  both"
        assert items[0]["owner_id"] == rep.user_id and items[0]["created_by_type"] == "user"
    for deal in (d1, d2):
        items = (await api.get(f"/api/v1/activities?deal_id={deal['id']}", headers=user.headers)).json()[
            "items"
        ]
        assert len(items) == 1


async def test_unknown_addresses_and_bad_secrets(api: Api, user: User, other_user: User) -> None:
    secret = await _secret(api, user)
    nobody = await api.post(
        "/api/v1/inbound/email",
        json=_message(**{"from": "x@unknown.example"}),
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert nobody.status_code == 200 and nobody.json()["status"] == "no_known_contacts"
    for headers in ({}, {"Authorization": "Bearer rin_wrong"}, {"Authorization": f"Bearer {user.token}"}):
        refused = await api.post("/api/v1/inbound/email", json=_message(), headers=headers)
        assert refused.status_code == 401, headers
    # Another workspace's secret logs into that workspace only.
    await _contact(api, user, "only-here@acme.example")
    theirs = await _secret(api, other_user)
    elsewhere = await api.post(
        "/api/v1/inbound/email",
        json=_message(**{"from": "only-here@acme.example"}),
        headers={"Authorization": f"Bearer {theirs}"},
    )
    assert elsewhere.json()["status"] == "no_known_contacts"


async def test_rotating_the_secret(api: Api, user: User) -> None:
    old = await _secret(api, user)
    rotated = await api.post("/api/v1/inbound/settings/rotate", headers=user.headers)
    assert rotated.status_code == 200 and rotated.json()["secret"] != old
    assert (
        await api.post("/api/v1/inbound/email", json=_message(), headers={"Authorization": f"Bearer {old}"})
    ).status_code == 401
    member = await add_member(api, user)
    assert (await api.get("/api/v1/inbound/settings", headers=member.headers)).status_code == 403
