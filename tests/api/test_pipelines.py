"""Pipelines and stages: the default pipeline, admin-only settings, reordering, deleting with deals."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api, User


async def member_of(api: Api, admin: User) -> User:
    """A second person who joins the admin's workspace as a plain member."""
    invited = await api.post(
        "/api/v1/invitations",
        json={"email": f"member-{admin.user_id[:8]}@example.com", "role": "member"},
        headers=admin.headers,
    )
    assert invited.status_code == 201, invited.text
    token = invited.json()["accept_url"].rsplit("/", 1)[1]
    accepted = await api.post(
        f"/api/v1/invitations/{token}/accept",
        json={"name": "Mia Member", "password": "correct-horse-battery"},
    )
    assert accepted.status_code == 200, accepted.text
    api.client.cookies.clear()
    body = accepted.json()
    return User(
        email=body["user"]["email"],
        password="correct-horse-battery",
        token=body["access_token"],
        user_id=body["user"]["id"],
        workspace_id=body["workspace"]["id"],
    )


async def default_pipeline(api: Api, user: User) -> dict[str, Any]:
    response = await api.get("/api/v1/pipelines", headers=user.headers)
    assert response.status_code == 200, response.text
    return next(p for p in response.json()["items"] if p["is_default"])


async def test_a_new_workspace_has_the_sales_pipeline(api: Api, user: User) -> None:
    pipelines = (await api.get("/api/v1/pipelines", headers=user.headers)).json()["items"]
    assert [p["name"] for p in pipelines] == ["Sales pipeline"]
    pipeline = pipelines[0]
    assert pipeline["is_default"] is True and pipeline["on_won"] == "project"
    stages = [(s["name"], s["probability"], s["kind"], s["position"]) for s in pipeline["stages"]]
    assert stages == [
        ("Prospect", 10, "open", 0),
        ("Qualified", 25, "open", 1),
        ("Proposal Sent", 50, "open", 2),
        ("Negotiation", 75, "open", 3),
        ("Closed Won", 100, "won", 4),
        ("Closed Lost", 0, "lost", 5),
    ]
    proposal = pipeline["stages"][2]
    assert proposal["required_fields"] == ["amount", "expected_close_date"]
    assert proposal["rotting_days"] == 10
    got = await api.get(f"/api/v1/pipelines/{pipeline['id']}", headers=user.headers)
    assert got.status_code == 200 and got.headers["ETag"] == '"1"'


async def test_create_with_inline_stages_update_and_delete(api: Api, user: User) -> None:
    created = await api.post(
        "/api/v1/pipelines",
        json={
            "name": "Renewals",
            "on_won": "none",
            "stages": [
                {"name": "Due", "probability": 40, "rotting_days": 30},
                {"name": "Renewed", "probability": 100, "kind": "won"},
                {"name": "Churned", "kind": "lost"},
            ],
        },
        headers=user.headers,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert [s["name"] for s in body["stages"]] == ["Due", "Renewed", "Churned"]
    assert [s["position"] for s in body["stages"]] == [0, 1, 2]
    assert body["is_default"] is False and body["on_won"] == "none" and body["position"] == 1

    renamed = await api.patch(
        f"/api/v1/pipelines/{body['id']}",
        json={"name": "Renewals 2027", "is_default": True},
        headers={**user.headers, "If-Match": created.headers["ETag"]},
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "Renewals 2027" and renamed.json()["is_default"] is True
    # Only one default at a time.
    assert [
        p["name"]
        for p in (await api.get("/api/v1/pipelines", headers=user.headers)).json()["items"]
        if p["is_default"]
    ] == ["Renewals 2027"]
    stale = await api.patch(
        f"/api/v1/pipelines/{body['id']}",
        json={"name": "Stale"},
        headers={**user.headers, "If-Match": created.headers["ETag"]},
    )
    assert stale.status_code == 412

    assert (await api.delete(f"/api/v1/pipelines/{body['id']}", headers=user.headers)).status_code == 204
    assert (await api.get(f"/api/v1/pipelines/{body['id']}", headers=user.headers)).status_code == 404
    # The default passed back to the remaining pipeline.
    assert (await default_pipeline(api, user))["name"] == "Sales pipeline"


async def test_bad_stage_settings_are_422(api: Api, user: User) -> None:
    pipeline = await default_pipeline(api, user)
    for bad in (
        {"name": "X", "probability": 101},
        {"name": "X", "kind": "maybe"},
        {"name": "X", "required_fields": ["title"]},
        {"name": ""},
    ):
        response = await api.post(
            f"/api/v1/pipelines/{pipeline['id']}/stages", json=bad, headers=user.headers
        )
        assert response.status_code == 422, (bad, response.text)
    duplicate = await api.post(
        f"/api/v1/pipelines/{pipeline['id']}/stages", json={"name": "prospect"}, headers=user.headers
    )
    assert duplicate.status_code == 409


async def test_members_read_but_cannot_change_settings(api: Api, user: User) -> None:
    member = await member_of(api, user)
    pipeline = await default_pipeline(api, member)
    stage = pipeline["stages"][0]
    assert (await api.get(f"/api/v1/stages/{stage['id']}", headers=member.headers)).status_code == 200
    assert (
        await api.get(f"/api/v1/pipelines/{pipeline['id']}/board", headers=member.headers)
    ).status_code == 200
    refused = [
        await api.post("/api/v1/pipelines", json={"name": "Mine"}, headers=member.headers),
        await api.patch(f"/api/v1/pipelines/{pipeline['id']}", json={"name": "Mine"}, headers=member.headers),
        await api.delete(f"/api/v1/pipelines/{pipeline['id']}", headers=member.headers),
        await api.post(
            f"/api/v1/pipelines/{pipeline['id']}/stages", json={"name": "New"}, headers=member.headers
        ),
        await api.patch(f"/api/v1/stages/{stage['id']}", json={"name": "Lead"}, headers=member.headers),
        await api.delete(f"/api/v1/stages/{stage['id']}", headers=member.headers),
    ]
    assert [r.status_code for r in refused] == [403] * 6
    assert (await default_pipeline(api, user)) == pipeline


async def test_rename_and_reorder_keep_positions_contiguous(api: Api, user: User) -> None:
    pipeline = await default_pipeline(api, user)
    negotiation = pipeline["stages"][3]
    moved = await api.patch(
        f"/api/v1/stages/{negotiation['id']}",
        json={"position": 1, "name": "Negotiating"},
        headers=user.headers,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["position"] == 1 and moved.json()["name"] == "Negotiating"
    assert moved.headers["ETag"] != '"1"'
    stages = (await api.get(f"/api/v1/pipelines/{pipeline['id']}/stages", headers=user.headers)).json()[
        "items"
    ]
    assert [(s["name"], s["position"]) for s in stages] == [
        ("Prospect", 0),
        ("Negotiating", 1),
        ("Qualified", 2),
        ("Proposal Sent", 3),
        ("Closed Won", 4),
        ("Closed Lost", 5),
    ]
    # A new stage inserted at a position pushes the others down; past the end it goes last.
    inserted = await api.post(
        f"/api/v1/pipelines/{pipeline['id']}/stages",
        json={"name": "Demo", "position": 2, "probability": 30},
        headers=user.headers,
    )
    assert inserted.status_code == 201 and inserted.json()["position"] == 2
    last = await api.patch(
        f"/api/v1/stages/{inserted.json()['id']}", json={"position": 99}, headers=user.headers
    )
    assert last.json()["position"] == 6
    stages = (await api.get(f"/api/v1/pipelines/{pipeline['id']}/stages", headers=user.headers)).json()[
        "items"
    ]
    assert [s["position"] for s in stages] == list(range(7))
    assert stages[-1]["name"] == "Demo"
    # Deleting one closes the gap.
    assert (
        await api.delete(f"/api/v1/stages/{inserted.json()['id']}", headers=user.headers)
    ).status_code == 204
    stages = (await api.get(f"/api/v1/pipelines/{pipeline['id']}/stages", headers=user.headers)).json()[
        "items"
    ]
    assert [s["position"] for s in stages] == list(range(6))


async def test_deleting_a_stage_with_deals_needs_a_target(api: Api, user: User) -> None:
    pipeline = await default_pipeline(api, user)
    prospect, qualified = pipeline["stages"][0], pipeline["stages"][1]
    made = [
        (
            await api.post(
                "/api/v1/deals", json={"title": f"Deal {i}", "stage_id": prospect["id"]}, headers=user.headers
            )
        ).json()
        for i in range(3)
    ]
    already = (
        await api.post(
            "/api/v1/deals",
            json={"title": "Already qualified", "stage_id": qualified["id"]},
            headers=user.headers,
        )
    ).json()

    # A stage holding deals keeps its kind: its deals' status follows it.
    rekind = await api.patch(f"/api/v1/stages/{prospect['id']}", json={"kind": "won"}, headers=user.headers)
    assert rekind.status_code == 409
    refused = await api.delete(f"/api/v1/stages/{prospect['id']}", headers=user.headers)
    assert refused.status_code == 409
    assert "move_deals_to" in refused.json()["detail"]
    other = (
        await api.post(
            "/api/v1/pipelines", json={"name": "Other", "stages": [{"name": "Only"}]}, headers=user.headers
        )
    ).json()
    elsewhere = await api.delete(
        f"/api/v1/stages/{prospect['id']}?move_deals_to={other['stages'][0]['id']}", headers=user.headers
    )
    assert elsewhere.status_code == 422

    moved = await api.delete(
        f"/api/v1/stages/{prospect['id']}?move_deals_to={qualified['id']}", headers=user.headers
    )
    assert moved.status_code == 204, moved.text
    listed = (
        await api.get(f"/api/v1/deals?stage_id={qualified['id']}&sort=rank", headers=user.headers)
    ).json()
    # Appended below the column's existing card, in their old order.
    assert [d["title"] for d in listed["items"]] == ["Already qualified", "Deal 0", "Deal 1", "Deal 2"]
    assert all(d["pipeline_id"] == pipeline["id"] for d in listed["items"])
    for deal in made:
        timeline = await api.get(f"/api/v1/deals/{deal['id']}/timeline", headers=user.headers)
        if timeline.status_code == 200:  # the timelines route is another concern's
            changes = [e for e in timeline.json()["items"] if e["type"] == "stage_changed"]
            assert changes[0]["data"]["from_stage"] == "Prospect"
            assert changes[0]["data"]["to_stage"] == "Qualified"
    assert already["stage_id"] == qualified["id"]


async def test_a_pipeline_with_deals_or_the_last_one_cannot_be_deleted(api: Api, user: User) -> None:
    pipeline = await default_pipeline(api, user)
    assert (await api.delete(f"/api/v1/pipelines/{pipeline['id']}", headers=user.headers)).status_code == 409
    spare = (
        await api.post(
            "/api/v1/pipelines", json={"name": "Spare", "stages": [{"name": "One"}]}, headers=user.headers
        )
    ).json()
    deal = (
        await api.post(
            "/api/v1/deals", json={"title": "Held", "pipeline_id": spare["id"]}, headers=user.headers
        )
    ).json()
    assert deal["stage_id"] == spare["stages"][0]["id"]
    holding = await api.delete(f"/api/v1/pipelines/{spare['id']}", headers=user.headers)
    assert holding.status_code == 409 and "deal" in holding.json()["detail"]
    assert (await api.delete(f"/api/v1/deals/{deal['id']}", headers=user.headers)).status_code == 204
    assert (await api.delete(f"/api/v1/pipelines/{spare['id']}", headers=user.headers)).status_code == 204


async def test_other_workspaces_pipelines_are_not_found(api: Api, user: User, other_user: User) -> None:
    theirs = await default_pipeline(api, other_user)
    assert (await api.get(f"/api/v1/pipelines/{theirs['id']}", headers=user.headers)).status_code == 404
    stage_id = theirs["stages"][0]["id"]
    assert (await api.get(f"/api/v1/stages/{stage_id}", headers=user.headers)).status_code == 404
    assert (
        await api.patch(f"/api/v1/stages/{stage_id}", json={"name": "X"}, headers=user.headers)
    ).status_code == 404
    assert (await api.get(f"/api/v1/pipelines/{theirs['id']}/board", headers=user.headers)).status_code == 404
