"""Several emails and phones per contact: labels, one primary, duplicates and merges see them all."""

from __future__ import annotations

from typing import Any

from tests.api.imports_support import imported
from tests.conftest import Api, Db, User

CONTACTS = "/api/v1/contacts"


async def _contact(api: Api, user: User, **fields: Any) -> dict[str, Any]:
    response = await api.post(CONTACTS, json=fields, headers=user.headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_emails_and_phones_with_labels_and_one_primary(api: Api, user: User) -> None:
    contact = await _contact(
        api,
        user,
        first_name="Hank",
        emails=[
            {"email": "Hank@Globex.com", "label": "work"},
            {"email": "hank.home@example.org", "label": "home", "primary": True},
            {"email": "HANK@globex.com", "label": "again"},
        ],
        phones=[
            {"phone": "(415) 555-0100", "label": "mobile"},
            {"phone": "+44 20 7946 0000", "label": "london"},
        ],
    )
    # The flagged one is primary and is `email`; the same address twice is kept once.
    assert contact["email"] == "hank.home@example.org"
    assert contact["emails"] == [
        {"email": "hank.home@example.org", "label": "home", "primary": True},
        {"email": "hank@globex.com", "label": "work", "primary": False},
    ]
    # No primary flagged: the first is; numbers are normalised like `phone`.
    assert contact["phone"] == "+14155550100"
    assert contact["phones"] == [
        {"phone": "+14155550100", "label": "mobile", "primary": True},
        {"phone": "+442079460000", "label": "london", "primary": False},
    ]
    fetched = (await api.get(f"{CONTACTS}/{contact['id']}", headers=user.headers)).json()
    assert fetched["emails"] == contact["emails"] and fetched["phones"] == contact["phones"]


async def test_single_value_clients_keep_working(api: Api, user: User) -> None:
    contact = await _contact(api, user, first_name="Marge", email="marge@example.com")
    assert contact["emails"] == [{"email": "marge@example.com", "label": None, "primary": True}]
    assert contact["phones"] == []
    listed = (await api.get(CONTACTS, headers=user.headers)).json()["items"]
    assert listed[0]["emails"] == contact["emails"]


async def test_bad_lists_are_422_and_change_nothing(api: Api, user: User) -> None:
    bad = [
        {"emails": [{"email": "a@x.com", "primary": True}, {"email": "b@x.com", "primary": True}]},
        {"emails": [{"email": "not an email"}]},
        {"email": "a@x.com", "emails": [{"email": "b@x.com"}]},
        {"emails": [{"email": "a@x.com", "colour": "red"}]},
        {"phones": [{"phone": "  "}]},
    ]
    for body in bad:
        response = await api.post(CONTACTS, json={"first_name": "X", **body}, headers=user.headers)
        assert response.status_code == 422, (body, response.text)
    assert (await api.get(CONTACTS, headers=user.headers)).json()["items"] == []


async def test_patch_replaces_the_list_or_just_the_primary(api: Api, user: User) -> None:
    contact = await _contact(
        api,
        user,
        first_name="Lisa",
        emails=[{"email": "lisa@a.com", "label": "work"}, {"email": "lisa@b.com", "label": "home"}],
    )
    url = f"{CONTACTS}/{contact['id']}"
    # Setting `email` to one of the others promotes it with its label; the old primary goes.
    promoted = (await api.patch(url, json={"email": "lisa@b.com"}, headers=user.headers)).json()
    assert promoted["email"] == "lisa@b.com"
    assert promoted["emails"] == [{"email": "lisa@b.com", "label": "home", "primary": True}]
    replaced = await api.patch(
        url,
        json={"emails": [{"email": "lisa@c.com"}, {"email": "lisa@d.com", "label": "old", "primary": True}]},
        headers=user.headers,
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["email"] == "lisa@d.com"
    assert [e["email"] for e in replaced.json()["emails"]] == ["lisa@d.com", "lisa@c.com"]
    # Clearing `email` leaves the others, none primary.
    cleared = (await api.patch(url, json={"email": None}, headers=user.headers)).json()
    assert cleared["email"] is None
    assert cleared["emails"] == [{"email": "lisa@c.com", "label": None, "primary": False}]
    # The timeline's field change speaks of `emails`.
    timeline = (await api.get(f"{url}/timeline", headers=user.headers)).json()["items"]
    changed = [e for e in timeline if e["type"] == "field_changed"]
    assert any("emails" in e["data"]["changes"] for e in changed)


async def test_a_secondary_email_or_phone_makes_a_duplicate(api: Api, user: User) -> None:
    hank = await _contact(
        api,
        user,
        first_name="Hank",
        email="hank@globex.com",
        emails=[
            {"email": "hank@globex.com", "primary": True},
            {"email": "hank@cypress-creek.com", "label": "old job"},
        ],
        phones=[{"phone": "+14155550100"}, {"phone": "+14155550199", "label": "desk"}],
    )
    for body in (
        {"email": "HANK@cypress-creek.com"},
        {"emails": [{"email": "new@x.com"}, {"email": "hank@cypress-creek.com"}]},
        {"phone": "(415) 555-0199"},
    ):
        response = await api.post(CONTACTS, json={"first_name": "Someone", **body}, headers=user.headers)
        assert response.status_code == 409, (body, response.text)
        assert response.json()["duplicate_of"] == hank["id"]
    # A new contact whose primary is Hank's other address, merged on create: Hank gains its data.
    merged = await api.post(
        f"{CONTACTS}?on_duplicate=merge",
        json={
            "first_name": "H",
            "emails": [{"email": "hank@cypress-creek.com"}, {"email": "hs@globex.com", "label": "alias"}],
        },
        headers=user.headers,
    )
    assert merged.status_code == 200 and merged.json()["id"] == hank["id"]
    assert [e["email"] for e in merged.json()["emails"]] == [
        "hank@globex.com",
        "hank@cypress-creek.com",
        "hs@globex.com",
    ]
    # Still a 409 for the address it just gained.
    again = await api.post(CONTACTS, json={"email": "hs@globex.com"}, headers=user.headers)
    assert again.status_code == 409 and again.json()["duplicate_of"] == hank["id"]
    # Removed from the list, it is free again.
    await api.patch(
        f"{CONTACTS}/{hank['id']}", json={"emails": [{"email": "hank@globex.com"}]}, headers=user.headers
    )
    assert (
        await api.post(CONTACTS, json={"email": "hs@globex.com"}, headers=user.headers)
    ).status_code == 201


async def test_near_duplicates_are_flagged_through_other_emails(api: Api, user: User) -> None:
    hank = await _contact(
        api, user, first_name="Hank", emails=[{"email": "hank@globex.com"}, {"email": "hank@gmail.com"}]
    )
    # Created anyway (`allow`), the twin is flagged for a person to decide.
    response = await api.post(
        f"{CONTACTS}?on_duplicate=allow",
        json={"first_name": "Henry", "email": "hank@gmail.com"},
        headers=user.headers,
    )
    assert response.status_code == 201
    groups = (await api.get("/api/v1/duplicates", headers=user.headers)).json()["items"]
    assert [(g["record_ids"], g["reasons"][0]) for g in groups] == [
        ([hank["id"], response.json()["id"]], "same_email")
    ]


async def test_merge_unions_the_lists(api: Api, user: User) -> None:
    survivor = await _contact(
        api,
        user,
        first_name="Hank",
        emails=[{"email": "hank@globex.com", "label": "work"}],
        phones=[{"phone": "+14155550100"}],
    )
    source = await _contact(
        api,
        user,
        first_name="Hank",
        last_name="Scorpio",
        emails=[{"email": "hank@home.org", "label": "home"}, {"email": "h@globex.com", "label": "alias"}],
        phones=[{"phone": "+14155550111", "label": "mobile"}],
    )
    response = await api.post(
        f"{CONTACTS}/{survivor['id']}/merge", json={"source_ids": [source["id"]]}, headers=user.headers
    )
    assert response.status_code == 200, response.text
    merged = response.json()
    assert merged["emails"] == [
        {"email": "hank@globex.com", "label": "work", "primary": True},
        {"email": "hank@home.org", "label": "home", "primary": False},
        {"email": "h@globex.com", "label": "alias", "primary": False},
    ]
    assert [p["phone"] for p in merged["phones"]] == ["+14155550100", "+14155550111"]
    # The merged-away source's addresses now belong to the survivor for duplicate checks.
    dup = await api.post(CONTACTS, json={"email": "hank@home.org"}, headers=user.headers)
    assert dup.status_code == 409 and dup.json()["duplicate_of"] == survivor["id"]


async def test_merge_choosing_a_sources_email_keeps_the_survivors_as_another(api: Api, user: User) -> None:
    survivor = await _contact(api, user, first_name="A", emails=[{"email": "a@work.com", "label": "work"}])
    source = await _contact(api, user, first_name="A", emails=[{"email": "a@home.com", "label": "home"}])
    response = await api.post(
        f"{CONTACTS}/{survivor['id']}/merge",
        json={"source_ids": [source["id"]], "fields": {"email": source["id"]}},
        headers=user.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["emails"] == [
        {"email": "a@home.com", "label": "home", "primary": True},
        {"email": "a@work.com", "label": "work", "primary": False},
    ]


async def test_other_workspaces_addresses_are_no_duplicates(api: Api, user: User, other_user: User) -> None:
    await _contact(api, user, first_name="A", emails=[{"email": "a@one.com"}, {"email": "shared@x.com"}])
    response = await api.post(CONTACTS, json={"email": "shared@x.com"}, headers=other_user.headers)
    assert response.status_code == 201


async def test_an_import_row_matches_a_contacts_other_email(api: Api, user: User, db: Db) -> None:
    hank = await _contact(
        api, user, first_name="Hank", emails=[{"email": "hank@globex.com"}, {"email": "old@cypress.com"}]
    )
    result = await imported(api, user, db, b"email,title\nOLD@cypress.com,CEO\n")
    assert (result["created"], result["merged"]) == (0, 1)
    assert (await api.get(f"{CONTACTS}/{hank['id']}", headers=user.headers)).json()["title"] == "CEO"
