"""Contacts on deals carry roles; `contact_ids` stays in step; next actions name the champion."""

from __future__ import annotations

from tests.conftest import Api, User


async def _contact(api: Api, user: User, first: str, last: str) -> str:
    response = await api.post(
        "/api/v1/contacts", json={"first_name": first, "last_name": last}, headers=user.headers
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_roles_are_set_on_create_and_patch_and_contact_ids_follow(api: Api, user: User) -> None:
    jane = await _contact(api, user, "Jane", "Doe")
    joe = await _contact(api, user, "Joe", "Roe")
    kim = await _contact(api, user, "Kim", "Poe")
    created = await api.post(
        "/api/v1/deals",
        json={
            "title": "Roles",
            "contacts": [
                {"contact_id": jane, "role": "champion"},
                {"contact_id": joe, "role": "decision_maker"},
            ],
        },
        headers=user.headers,
    )
    assert created.status_code == 201, created.text
    deal = created.json()
    assert deal["contact_ids"] == [jane, joe]
    assert deal["contacts"] == [
        {"contact_id": jane, "role": "champion"},
        {"contact_id": joe, "role": "decision_maker"},
    ]
    # contact_ids alone: who stays keeps their role, a newcomer has none.
    patched = await api.patch(
        f"/api/v1/deals/{deal['id']}", json={"contact_ids": [joe, kim]}, headers=user.headers
    )
    assert patched.json()["contacts"] == [
        {"contact_id": joe, "role": "decision_maker"},
        {"contact_id": kim, "role": None},
    ]
    # A role-only change is a change: new version, recorded on the timeline.
    version = patched.json()["version"]
    roles = await api.patch(
        f"/api/v1/deals/{deal['id']}",
        json={
            "contacts": [
                {"contact_id": joe, "role": "decision_maker"},
                {"contact_id": kim, "role": "influencer"},
            ]
        },
        headers=user.headers,
    )
    assert roles.status_code == 200, roles.text
    assert roles.json()["version"] == version + 1 and roles.json()["contact_ids"] == [joe, kim]
    fetched = (await api.get(f"/api/v1/deals/{deal['id']}", headers=user.headers)).json()
    assert fetched["contacts"][1] == {"contact_id": kim, "role": "influencer"}
    timeline = (await api.get(f"/api/v1/deals/{deal['id']}/timeline", headers=user.headers)).json()["items"]
    assert any("contacts" in e["data"].get("changes", {}) for e in timeline)


async def test_bad_roles_and_mismatched_lists_are_refused(api: Api, user: User, other_user: User) -> None:
    jane = await _contact(api, user, "Jane", "Doe")
    theirs = await _contact(api, other_user, "Their", "Contact")
    for body, loc in (
        ({"contacts": [{"contact_id": jane, "role": "boss"}]}, None),
        ({"contacts": [{"contact_id": theirs, "role": "champion"}]}, ["body", "contacts", 0, "contact_id"]),
        ({"contacts": [{"contact_id": jane}], "contact_ids": [theirs]}, ["body", "contact_ids"]),
        ({"contacts": [{"contact_id": jane}, {"contact_id": jane}]}, ["body", "contacts"]),
    ):
        response = await api.post("/api/v1/deals", json={"title": "X", **body}, headers=user.headers)
        assert response.status_code == 422, (body, response.text)
        if loc is not None:
            assert response.json()["errors"][0]["loc"] == loc
    assert (await api.get("/api/v1/deals", headers=user.headers)).json()["items"] == []


async def test_next_actions_name_the_champion_set_through_the_api(api: Api, user: User) -> None:
    jane = await _contact(api, user, "Jane", "Doe")
    deal = await api.post(
        "/api/v1/deals",
        json={"title": "Champion deal", "contacts": [{"contact_id": jane, "role": "champion"}]},
        headers=user.headers,
    )
    actions = await api.get(f"/api/v1/deals/{deal.json()['id']}/next-actions", headers=user.headers)
    assert actions.status_code == 200, actions.text
    champion = next(a for a in actions.json()["items"] if a["action"] == "contact_champion")
    assert champion["text"] == "Reach out to Jane Doe"
    assert champion["reasons"][0]["text"] == "no activity with champion Jane Doe yet"
