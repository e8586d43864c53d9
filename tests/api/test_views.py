"""Saved views: own and shared, who may change them, filters checked against the list."""

from __future__ import annotations

from typing import Any

from tests.automations_support import invite_member
from tests.conftest import Api, User

VIEWS = "/api/v1/views"


async def _member(api: Api, admin: User) -> User:
    """A second person in the admin's workspace, with the member role."""
    return await invite_member(api, admin)


async def _view(api: Api, user: User, **body: Any) -> dict[str, Any]:
    response = await api.post(
        VIEWS, json={"object": "contacts", "name": "Mine", **body}, headers=user.headers
    )
    assert response.status_code == 201, response.text
    view: dict[str, Any] = response.json()
    return view


async def _names(api: Api, user: User, **params: Any) -> set[str]:
    response = await api.get(VIEWS, params=params, headers=user.headers)
    assert response.status_code == 200, response.text
    return {v["name"] for v in response.json()["items"]}


async def test_save_and_read_back_a_view(api: Api, user: User) -> None:
    view = await _view(
        api,
        user,
        name="My hot leads",
        filters={"owner_id": user.user_id, "tag": "hot", "updated_after": "2026-11-01T00:00:00Z", "q": None},
        sort="-updated_at",
        columns=["first_name", "email", "custom_fields.linkedin_url"],
    )
    assert view["object"] == "contacts" and view["owner_id"] == user.user_id and view["shared"] is False
    # Stored as the list reads them; a null filter is no filter.
    assert view["filters"] == {
        "owner_id": user.user_id,
        "tag": "hot",
        "updated_after": "2026-11-01T00:00:00Z",
    }
    got = await api.get(f"{VIEWS}/{view['id']}", headers=user.headers)
    assert got.status_code == 200 and got.json() == view and got.headers["ETag"] == '"1"'
    # The saved filters work as the list's query.
    listed = await api.get(
        "/api/v1/contacts", params={**view["filters"], "sort": view["sort"]}, headers=user.headers
    )
    assert listed.status_code == 200


async def test_filters_sort_and_columns_are_checked_against_the_list(api: Api, user: User) -> None:
    bad = [
        ({"filters": {"colour": "red"}}, ["body", "filters", "colour"]),
        ({"filters": {"owner_id": "not-a-uuid"}}, ["body", "filters", "owner_id"]),
        ({"filters": {"tag": "x" * 101}}, ["body", "filters", "tag"]),
        ({"filters": {"stage_id": "7f8c0f6e-0000-4000-8000-000000000000"}}, ["body", "filters", "stage_id"]),
        ({"sort": "-colour"}, ["body", "sort"]),
        ({"columns": ["first_name", "salary"]}, ["body", "columns", 1]),
        ({"object": "planets"}, ["body", "object"]),
    ]
    for body, loc in bad:
        response = await api.post(
            VIEWS, json={"object": "contacts", "name": "X", **body}, headers=user.headers
        )
        assert response.status_code == 422, (body, response.text)
        assert response.json()["errors"][0]["loc"] == loc, body
    # What one list takes another may not: stage_id and status belong to deals.
    deal_view = await _view(
        api,
        user,
        object="deals",
        filters={"status": "open", "stage_id": None},
        sort="amount",
        columns=["title"],
    )
    assert deal_view["filters"] == {"status": "open"}
    response = await api.post(
        VIEWS, json={"object": "deals", "name": "X", "filters": {"status": "maybe"}}, headers=user.headers
    )
    assert response.status_code == 422
    assert await _names(api, user) == {"Mine"}


async def test_private_views_are_the_owners_shared_ones_everyones(api: Api, user: User) -> None:
    member = await _member(api, user)
    private = await _view(api, user, name="Admin private")
    shared = await _view(api, user, name="Team pipeline", object="deals", shared=True)
    own = await _view(api, member, name="Member private")
    assert await _names(api, user) == {"Admin private", "Team pipeline"}
    assert await _names(api, member) == {"Team pipeline", "Member private"}
    assert await _names(api, member, object="deals") == {"Team pipeline"}
    # Someone else's private view does not exist, for an admin too.
    for who, view in ((member, private), (user, own)):
        for method in ("GET", "PATCH", "DELETE"):
            response = await api.request(
                method, f"{VIEWS}/{view['id']}", json={} if method == "PATCH" else None, headers=who.headers
            )
            assert response.status_code == 404, (method, response.text)
    # A shared view: others read it; a member may not change or delete it, an admin may.
    assert (await api.get(f"{VIEWS}/{shared['id']}", headers=member.headers)).status_code == 200
    assert (
        await api.patch(f"{VIEWS}/{shared['id']}", json={"name": "Mine now"}, headers=member.headers)
    ).status_code == 403
    assert (await api.delete(f"{VIEWS}/{shared['id']}", headers=member.headers)).status_code == 403
    members_shared = await _view(api, member, name="Member shared", shared=True)
    renamed = await api.patch(
        f"{VIEWS}/{members_shared['id']}", json={"name": "Tidied"}, headers=user.headers
    )
    assert renamed.status_code == 200 and renamed.json()["owner_id"] == member.user_id
    # Unsharing hides it from everyone else again.
    unshared = await api.patch(f"{VIEWS}/{shared['id']}", json={"shared": False}, headers=user.headers)
    assert unshared.status_code == 200
    assert await _names(api, member) == {"Member private", "Tidied"}
    assert (await api.delete(f"{VIEWS}/{own['id']}", headers=member.headers)).status_code == 204
    assert (await api.get(f"{VIEWS}/{own['id']}", headers=member.headers)).status_code == 404


async def test_patch_checks_and_if_match(api: Api, user: User) -> None:
    view = await _view(api, user, filters={"tag": "hot"})
    changed = await api.patch(
        f"{VIEWS}/{view['id']}",
        json={"filters": {"tag": "cold"}, "columns": ["email"]},
        headers={**user.headers, "If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["filters"] == {"tag": "cold"} and changed.json()["version"] == 2
    stale = await api.patch(
        f"{VIEWS}/{view['id']}", json={"name": "Late"}, headers={**user.headers, "If-Match": '"1"'}
    )
    assert stale.status_code == 412
    for body in ({"filters": {"stage_id": None}}, {"sort": "rank"}, {"name": None}, {"object": "deals"}):
        response = await api.patch(f"{VIEWS}/{view['id']}", json=body, headers=user.headers)
        assert response.status_code == 422, (body, response.text)
    after = (await api.get(f"{VIEWS}/{view['id']}", headers=user.headers)).json()
    assert after["name"] == "Mine" and after["filters"] == {"tag": "cold"} and after["version"] == 2
    stale_delete = await api.delete(f"{VIEWS}/{view['id']}", headers={**user.headers, "If-Match": '"1"'})
    assert stale_delete.status_code == 412


async def test_another_workspaces_views_are_404(api: Api, user: User, other_user: User) -> None:
    shared = await _view(api, user, shared=True)
    assert await _names(api, other_user) == set()
    for method in ("GET", "PATCH", "DELETE"):
        response = await api.request(
            method,
            f"{VIEWS}/{shared['id']}",
            json={} if method == "PATCH" else None,
            headers=other_user.headers,
        )
        assert response.status_code == 404
    assert (await api.get(f"{VIEWS}/{shared['id']}", headers=user.headers)).json()["name"] == "Mine"


async def test_a_view_keeps_custom_field_filters_and_sort(api: Api, user: User) -> None:
    field = await api.post(
        "/api/v1/custom-fields",
        json={"object": "deals", "key": "seats", "label": "Seats", "type": "number"},
        headers=user.headers,
    )
    assert field.status_code == 201, field.text
    view = await api.post(
        VIEWS,
        json={"object": "deals", "name": "Big seats", "filters": {"cf.seats.gte": "50"}, "sort": "-cf.seats"},
        headers=user.headers,
    )
    assert view.status_code == 201, view.text
    assert view.json()["filters"] == {"cf.seats.gte": "50"} and view.json()["sort"] == "-cf.seats"
    listed = await api.get(
        "/api/v1/deals", params={**view.json()["filters"], "sort": view.json()["sort"]}, headers=user.headers
    )
    assert listed.status_code == 200, listed.text
    no_custom = await api.post(
        VIEWS,
        json={"object": "activities", "name": "Nope", "filters": {"cf.seats": "1"}},
        headers=user.headers,
    )
    assert no_custom.status_code == 422


async def test_a_search_filter_is_kept_beside_a_list_that_reads_custom_fields(api: Api, user: User) -> None:
    # The contacts list takes the request (for `cf.*` filters): a view's filters must still be read.
    view = await _view(api, user, name="Globex", filters={"q": "globex"}, sort="last_name", shared=True)
    assert view["filters"] == {"q": "globex"} and view["sort"] == "last_name" and view["shared"] is True
    refused = await api.post(
        VIEWS, json={"object": "contacts", "name": "X", "filters": {"request": "x"}}, headers=user.headers
    )
    assert refused.status_code == 422, refused.text
