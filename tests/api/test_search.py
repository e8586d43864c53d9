"""Search everywhere: ranked across objects, forgiving typos, scoped to the workspace."""

from __future__ import annotations

from typing import Any

from tests.automations_support import create_deal
from tests.conftest import Api, User

SEARCH = "/api/v1/search"


async def _post(api: Api, user: User, path: str, **body: Any) -> dict[str, Any]:
    response = await api.post(f"/api/v1/{path}", json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    out: dict[str, Any] = response.json()
    return out


async def _search(api: Api, user: User, q: str, **params: Any) -> list[dict[str, Any]]:
    response = await api.get(SEARCH, params={"q": q, **params}, headers=user.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def _world(api: Api, user: User) -> dict[str, dict[str, Any]]:
    globex = await _post(
        api, user, "accounts", name="Globex Corporation", domain="globex.com", industry="Energy"
    )
    hank = await _post(
        api, user, "contacts", first_name="Hank", last_name="Scorpio", email="hank@globex.com", title="CEO"
    )
    await _post(api, user, "contacts", first_name="Homer", last_name="Simpson", email="homer@snpp.com")
    deal = await create_deal(api, user, title="Globex hammock order", amount="1500")
    call = await _post(
        api, user, "activities", type="call", subject="Call Scorpio about hammocks", deal_id=deal["id"]
    )
    return {"globex": globex, "hank": hank, "deal": deal, "call": call}


async def test_finds_every_kind_of_record_with_titles_and_subtitles(api: Api, user: User) -> None:
    world = await _world(api, user)
    items = await _search(api, user, "scorpio")
    found = {(i["object"], i["id"]) for i in items}
    assert ("contacts", world["hank"]["id"]) in found
    assert ("activities", world["call"]["id"]) in found
    contact = next(i for i in items if i["object"] == "contacts")
    assert contact["title"] == "Hank Scorpio"
    assert contact["subtitle"] == "CEO · Globex Corporation · hank@globex.com"
    assert 0 < contact["score"] <= 1
    deal = next(i for i in await _search(api, user, "hammock order") if i["object"] == "deals")
    assert deal["title"] == "Globex hammock order" and "1500.00 USD" in deal["subtitle"]
    account = next(i for i in await _search(api, user, "globex.com") if i["object"] == "accounts")
    assert account["subtitle"] == "globex.com · Energy"
    # An activity points at what it belongs to, where a link can go; records themselves do not.
    activity = next(i for i in await _search(api, user, "hammocks") if i["object"] == "activities")
    assert activity["about"] == {"object": "deals", "id": world["deal"]["id"]}
    assert contact["about"] is None


async def test_ranked_best_first_exact_name_before_mentions(api: Api, user: User) -> None:
    world = await _world(api, user)
    items = await _search(api, user, "globex")
    # The account is named exactly that; the deal and Hank only mention it.
    assert items[0]["object"] == "accounts" and items[0]["id"] == world["globex"]["id"]
    scores = [i["score"] for i in items]
    assert scores == sorted(scores, reverse=True)
    assert {i["object"] for i in items} >= {"accounts", "deals", "contacts"}


async def test_typos_are_forgiven(api: Api, user: User) -> None:
    world = await _world(api, user)
    # A swapped pair, a missing letter and a wrong one.
    for typo in ("scorpoi", "scorio", "scarpio"):
        items = await _search(api, user, typo)
        assert items and items[0]["id"] in {world["hank"]["id"], world["call"]["id"]}, typo
        assert world["hank"]["id"] in {i["id"] for i in items}, typo
    assert (await _search(api, user, "globx"))[0]["id"] == world["globex"]["id"]
    # Something unlike anything stored finds nothing rather than noise.
    assert await _search(api, user, "zyxwvut") == []


async def test_substrings_and_case_match(api: Api, user: User) -> None:
    world = await _world(api, user)
    assert world["hank"]["id"] in {i["id"] for i in await _search(api, user, "CORPI")}
    assert world["hank"]["id"] in {i["id"] for i in await _search(api, user, "Ha")}


async def test_objects_and_limit(api: Api, user: User) -> None:
    await _world(api, user)
    items = await _search(api, user, "globex", objects="deals,accounts")
    assert {i["object"] for i in items} == {"deals", "accounts"}
    assert len(await _search(api, user, "globex", limit=1)) == 1
    for params in ({"objects": "contacts,planets"}, {"limit": 51}, {"limit": 0}):
        response = await api.get(SEARCH, params={"q": "globex", **params}, headers=user.headers)
        assert response.status_code == 422, (params, response.text)
    for q in ("", "   "):
        response = await api.get(SEARCH, params={"q": q}, headers=user.headers)
        assert response.status_code == 422


async def test_merged_contacts_are_not_found(api: Api, user: User) -> None:
    world = await _world(api, user)
    twin = await _post(
        api, user, "contacts", first_name="Hank", last_name="Scorpio", email="h.scorpio@globex.com"
    )
    response = await api.post(
        f"/api/v1/contacts/{world['hank']['id']}/merge",
        json={"source_ids": [twin["id"]]},
        headers=user.headers,
    )
    assert response.status_code == 200, response.text
    ids = {i["id"] for i in await _search(api, user, "scorpio", objects="contacts")}
    assert ids == {world["hank"]["id"]}


async def test_another_workspace_sees_nothing(api: Api, user: User, other_user: User) -> None:
    await _world(api, user)
    assert await _search(api, other_user, "scorpio") == []
    assert await _search(api, other_user, "globex") == []
    mine = await _post(api, other_user, "contacts", first_name="Hank", last_name="Scorpion")
    assert [i["id"] for i in await _search(api, other_user, "scorpio")] == [mine["id"]]


async def test_needs_authentication(api: Api) -> None:
    assert (await api.get(SEARCH, params={"q": "x"})).status_code == 401
