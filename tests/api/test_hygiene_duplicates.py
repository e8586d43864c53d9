"""Near duplicates: flagged on entry and after imports, listed as groups with reasons, dismissed."""

from __future__ import annotations

from typing import Any

from domain.hygiene.similarity import Person, compare_accounts, compare_people, fold
from tests.api.imports_support import imported
from tests.conftest import Api, Db, User

DUPLICATES = "/api/v1/duplicates"


async def _post(api: Api, user: User, path: str, **fields: Any) -> dict[str, Any]:
    response = await api.post(path, json=fields, headers=user.headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def _groups(api: Api, user: User, query: str = "") -> list[dict[str, Any]]:
    response = await api.get(f"{DUPLICATES}?limit=50{query}", headers=user.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _person(first: str, last: str, email: str | None = None, account: Any = None) -> Person:
    import uuid

    from domain.hygiene.normalise import company_domain

    return Person(
        id=uuid.uuid4(),
        first=fold(first),
        last=fold(last),
        email=email,
        phone=None,
        account_id=account,
        domain=company_domain(email),
    )


def test_scores_and_reasons() -> None:
    acme = "acct"
    close = compare_people(
        _person("Jonathan", "Smith", account=acme), _person("Jonathon", "Smith", account=acme)
    )
    assert close is not None and close[0] >= 85 and close[1] == ["similar_name", "same_account"]
    jon = compare_people(_person("Jon", "Smith", account=acme), _person("John", "Smith", account=acme))
    assert jon is not None and jon[1] == ["nickname", "same_account"]
    assert compare_people(_person("Smith", "John", "a@acme.com"), _person("John", "Smith", "b@acme.com")) == (
        100,
        ["swapped_names", "same_email_domain"],
    )
    bob = compare_people(_person("Bob", "Dylan", "bob@acme.com"), _person("Robert", "Dylan", "rd@acme.com"))
    assert bob is not None and bob[1] == ["nickname", "same_email_domain"]
    # The same name at two companies (or two free mailboxes) is two people.
    assert (
        compare_people(_person("John", "Smith", "j@gmail.com"), _person("John", "Smith", "s@gmail.com"))
        is None
    )
    assert compare_people(_person("John", "Smith", "j@a.com"), _person("John", "Smith", "j@b.com")) is None
    assert compare_people(_person("Ann", "Lee", account=acme), _person("Bob", "Stone", account=acme)) is None
    assert compare_accounts("ACME, Inc.", None, "Acme", None) == (100, ["same_name"])
    assert compare_accounts("Initech GmbH", None, "Initek", None) is None
    assert compare_accounts("Globex", "globex.com", "Globex Energy", "globex.com") == (100, ["same_domain"])


async def test_near_duplicates_are_created_but_flagged(api: Api, user: User) -> None:
    acme = await _post(api, user, "/api/v1/accounts", name="Acme", domain="acme.com")
    first = await _post(
        api, user, "/api/v1/contacts", first_name="Jonathan", last_name="Smith", email="jsmith@acme.com"
    )
    swapped = await _post(
        api,
        user,
        "/api/v1/contacts",
        first_name="Smith",
        last_name="Jonathan",
        email="jonathan.smith@acme.com",
    )
    nick = await _post(
        api, user, "/api/v1/contacts", first_name="Bob", last_name="Jones", account_id=acme["id"]
    )
    robert = await _post(
        api, user, "/api/v1/contacts", first_name="Robert", last_name="Jones", account_id=acme["id"]
    )
    await _post(api, user, "/api/v1/contacts", first_name="Ann", last_name="Lee", account_id=acme["id"])
    groups = await _groups(api, user)
    assert {(g["record_ids"][0], g["record_ids"][1]) for g in groups} == {
        (first["id"], swapped["id"]),
        (nick["id"], robert["id"]),
    }
    by_first = {g["record_ids"][0]: g for g in groups}
    assert "swapped_names" in by_first[first["id"]]["reasons"]
    assert by_first[nick["id"]]["reasons"] == ["nickname", "same_account"]
    assert all(g["object"] == "contacts" for g in groups)
    # Fixing the name settles the doubt.
    patched = await api.patch(
        f"/api/v1/contacts/{swapped['id']}",
        json={"first_name": "Jane", "last_name": "Doe"},
        headers=user.headers,
    )
    assert patched.status_code == 200
    assert [g["record_ids"][0] for g in await _groups(api, user)] == [nick["id"]]


async def test_exact_duplicates_allowed_through_are_listed_first(api: Api, user: User) -> None:
    original = await _post(api, user, "/api/v1/contacts", first_name="Hank", email="hank@globex.com")
    conflict = await api.post("/api/v1/contacts", json={"email": "HANK@globex.com"}, headers=user.headers)
    assert conflict.status_code == 409 and conflict.json()["duplicate_of"] == original["id"]
    twin = await api.post(
        "/api/v1/contacts?on_duplicate=allow",
        json={"first_name": "H", "email": "hank@globex.com"},
        headers=user.headers,
    )
    assert twin.status_code == 201
    [group] = await _groups(api, user)
    assert group["score"] == 100 and group["reasons"][0] == "same_email"
    assert group["record_ids"] == [original["id"], twin.json()["id"]]


async def test_accounts_with_one_domain_or_name(api: Api, user: User) -> None:
    a = await _post(api, user, "/api/v1/accounts", name="Initech", domain="initech.com")
    b = await _post(api, user, "/api/v1/accounts", name="Initech Software", website="https://initech.com")
    c = await _post(api, user, "/api/v1/accounts", name="INITECH, LLC")
    await _post(api, user, "/api/v1/accounts", name="Umbrella")
    [group] = await _groups(api, user, "&object=accounts")
    assert set(group["record_ids"]) == {a["id"], b["id"], c["id"]}
    assert set(group["reasons"]) == {"same_domain", "same_name"}
    assert await _groups(api, user, "&object=contacts") == []


async def test_dismissed_pairs_stay_dismissed(api: Api, user: User, other_user: User) -> None:
    a = await _post(api, user, "/api/v1/accounts", name="Springfield Nuclear")
    b = await _post(api, user, "/api/v1/accounts", name="Springfield Nuclear, Inc.")
    c = await _post(api, user, "/api/v1/accounts", name="springfield nuclear")
    flagged = {record for group in await _groups(api, user) for record in group["record_ids"]}
    assert flagged == {a["id"], b["id"], c["id"]}
    denied = await api.post(
        f"{DUPLICATES}/dismiss",
        json={"object": "accounts", "record_ids": [a["id"], c["id"]]},
        headers=other_user.headers,
    )
    assert denied.status_code == 204  # nothing of theirs: a no-op, not a leak
    response = await api.post(
        f"{DUPLICATES}/dismiss",
        json={"object": "accounts", "record_ids": [a["id"], c["id"]]},
        headers=user.headers,
    )
    assert response.status_code == 204
    groups = [set(g["record_ids"]) for g in await _groups(api, user)]
    assert groups and not any({a["id"], c["id"]} <= group for group in groups)
    # Editing the record flags it again, but the dismissed pair stays dismissed.
    await api.patch(f"/api/v1/accounts/{c['id']}", json={"name": "Springfield Nuclear"}, headers=user.headers)
    assert all(set(g["record_ids"]) != {a["id"], c["id"]} for g in await _groups(api, user))
    bad = await api.post(
        f"{DUPLICATES}/dismiss", json={"object": "accounts", "record_ids": [a["id"]]}, headers=user.headers
    )
    assert bad.status_code == 422
    assert await _groups(api, other_user) == []


async def test_groups_page_with_cursors(api: Api, user: User) -> None:
    for index in range(5):
        await _post(
            api, user, "/api/v1/contacts", first_name=f"Twin{index}", email=f"twin{index}@example.org"
        )
        await api.post(
            "/api/v1/contacts?on_duplicate=allow",
            json={"email": f"twin{index}@example.org"},
            headers=user.headers,
        )
    first = (await api.get(f"{DUPLICATES}?limit=2", headers=user.headers)).json()
    seen = [g["record_ids"][0] for g in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = (await api.get(f"{DUPLICATES}?limit=2&cursor={cursor}", headers=user.headers)).json()
        seen += [g["record_ids"][0] for g in page["items"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == 5
    assert (await api.get(f"{DUPLICATES}?cursor=forged", headers=user.headers)).status_code == 400


async def test_an_import_is_scanned_for_near_duplicates(api: Api, user: User, db: Db) -> None:
    await _post(
        api, user, "/api/v1/contacts", first_name="Margaret", last_name="Simpson", email="marge@simpsons.org"
    )
    content = (
        b"first_name,last_name,email,company\n"
        b"Marge,Simpson,msimpson@simpsons.org,\n"
        b"Homer,Simpson,homer@simpsons.org,\n"
        b"Simpson,Homer,h.simpson@simpsons.org,\n"
        b"Lisa,Simpson,lisa@gmail.com,\n"
        b"Lisa,Simpson,lisa.simpson@gmail.com,\n"
    )
    await imported(api, user, db, content)
    groups = await _groups(api, user)
    names = {frozenset(g["record_ids"]): g["reasons"] for g in groups}
    assert len(groups) == 2, groups
    assert any("nickname" in reasons for reasons in names.values())
    assert any("swapped_names" in reasons for reasons in names.values())


async def test_a_records_own_groups(api: Api, user: User) -> None:
    hank = await _post(api, user, "/api/v1/contacts", first_name="Hank", email="hank@initrode.com")
    twin = await api.post(
        "/api/v1/contacts?on_duplicate=allow", json={"email": "hank@initrode.com"}, headers=user.headers
    )
    other = await _post(api, user, "/api/v1/contacts", first_name="Ivy", email="ivy@hooli.com")
    await api.post(
        "/api/v1/contacts?on_duplicate=allow", json={"email": "ivy@hooli.com"}, headers=user.headers
    )
    # From either end of the pair: the group around the oldest record holds both.
    for record in (hank["id"], twin.json()["id"]):
        [group] = await _groups(api, user, f"&record_id={record}")
        assert group["record_ids"] == [hank["id"], twin.json()["id"]]
    [ivys] = await _groups(api, user, f"&record_id={other['id']}")
    assert other["id"] in ivys["record_ids"] and hank["id"] not in ivys["record_ids"]
    lonely = await _post(api, user, "/api/v1/contacts", first_name="Zed", email="zed@zed.example")
    assert await _groups(api, user, f"&record_id={lonely['id']}") == []
