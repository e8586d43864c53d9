"""Automations as settings: the seed set, CRUD, who may change them, and validation (422 naming
the field)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.automations_support import add_rule, invite_member, stage_ids
from tests.conftest import Api, User

TASK = {"type": "create_task", "subject": "Call {deal.title}", "due_in": "P1D", "assignee": "owner"}


async def test_a_new_workspace_starts_with_the_seed_set(api: Api, user: User) -> None:
    response = await api.get("/api/v1/automations", headers=user.headers)
    assert response.status_code == 200
    seeds = response.json()["items"]
    stages = await stage_ids(api, user)
    assert [(a["name"], a["enabled"], a["trigger"]) for a in seeds] == [
        ("Follow up on deals that have not moved in 7 days", True, {"type": "deal_idle", "duration": "P7D"}),
        (
            "Follow up after a proposal is sent",
            True,
            {"type": "deal_stage_entered", "stage_id": stages["Proposal Sent"]},
        ),
        ("Tell the owner when a deal is rotting", True, {"type": "deal_rotting"}),
        ("Close deals idle for 90 days as lost", True, {"type": "deal_idle", "duration": "P90D"}),
    ]
    assert seeds[0]["actions"] == [
        {"type": "create_task", "subject": "Follow up on {deal.title}", "due_in": "P1D", "assignee": "owner"}
    ]
    assert seeds[3]["actions"] == [{"type": "close_as_lost", "reason": "stale"}]
    # Editable like any other rule.
    edited = await api.patch(
        f"/api/v1/automations/{seeds[0]['id']}",
        json={"trigger": {"type": "deal_idle", "duration": "P10D"}},
        headers=user.headers,
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["trigger"]["duration"] == "P10D" and edited.json()["version"] == 2


async def test_create_read_change_delete(api: Api, user: User) -> None:
    stages = await stage_ids(api, user)
    rule = {
        "name": "Big deals get a call",
        "trigger": {"type": "deal_stage_entered", "stage_id": stages["Qualified"]},
        "conditions": [
            {"field": "amount", "op": "gte", "value": "10000"},
            {"field": "tags", "op": "contains", "value": "vip"},
        ],
        "actions": [TASK, {"type": "notify_owner", "message": "{deal.title} is qualified"}],
    }
    created = await api.post("/api/v1/automations", json=rule, headers=user.headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["etag"] == '"1"'
    assert {k: body[k] for k in ("name", "enabled", "trigger", "conditions")} == {
        "name": "Big deals get a call",
        "enabled": True,
        "trigger": rule["trigger"],
        "conditions": rule["conditions"],
    }
    assert body["actions"][1] == {"type": "notify_owner", "message": "{deal.title} is qualified"}
    url = f"/api/v1/automations/{body['id']}"
    assert (await api.get(url, headers=user.headers)).json() == body

    stale = await api.patch(url, json={"enabled": False}, headers={**user.headers, "If-Match": '"7"'})
    assert stale.status_code == 412
    patched = await api.patch(url, json={"enabled": False, "conditions": None}, headers=user.headers)
    assert patched.status_code == 200, patched.text
    assert patched.json()["enabled"] is False and patched.json()["conditions"] == []
    assert patched.json()["actions"] == body["actions"]  # left out: unchanged

    assert (await api.delete(url, headers=user.headers)).status_code == 204
    assert (await api.get(url, headers=user.headers)).status_code == 404


async def test_members_read_but_only_admins_change(api: Api, user: User) -> None:
    member = await invite_member(api, user)
    rules = await api.get("/api/v1/automations", headers=member.headers)
    assert rules.status_code == 200 and len(rules.json()["items"]) == 4
    one = rules.json()["items"][0]["id"]
    assert (await api.get(f"/api/v1/automations/{one}", headers=member.headers)).status_code == 200
    assert (await api.get(f"/api/v1/automations/{one}/runs", headers=member.headers)).status_code == 200
    body = {"name": "x", "trigger": {"type": "deal_created"}, "actions": [TASK]}
    assert (await api.post("/api/v1/automations", json=body, headers=member.headers)).status_code == 403
    assert (
        await api.patch(f"/api/v1/automations/{one}", json={"enabled": False}, headers=member.headers)
    ).status_code == 403
    assert (await api.delete(f"/api/v1/automations/{one}", headers=member.headers)).status_code == 403


def _locs(response: Any) -> list[list[Any]]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return [e["loc"] for e in response.json()["errors"]]


@pytest.mark.parametrize(
    ("patch", "where"),
    [
        ({"trigger": {"type": "deal_exploded"}}, ["body", "trigger"]),
        ({"actions": [{"type": "launch_rocket"}]}, ["body", "actions", 0]),
        (
            {"trigger": {"type": "deal_idle", "duration": "seven days"}},
            ["body", "trigger", "deal_idle", "duration"],
        ),
        ({"trigger": {"type": "deal_idle", "duration": "P1M"}}, ["body", "trigger", "deal_idle", "duration"]),
        (
            {"trigger": {"type": "deal_idle", "duration": "PT0S"}},
            ["body", "trigger", "deal_idle", "duration"],
        ),
        ({"actions": [{**TASK, "due_in": "tomorrow"}]}, ["body", "actions", 0, "create_task", "due_in"]),
        (
            {"actions": [{**TASK, "subject": "Call {deal.nickname}"}]},
            ["body", "actions", 0, "create_task", "subject"],
        ),
        ({"conditions": [{"field": "title", "op": "gt", "value": "a"}]}, ["body", "conditions", 0]),
        ({"conditions": [{"field": "amount", "op": "in", "value": "5"}]}, ["body", "conditions", 0]),
        ({"conditions": [{"field": "mood", "op": "eq", "value": "a"}]}, ["body", "conditions", 0, "field"]),
        ({"actions": []}, ["body", "actions"]),
        (
            {"trigger": {"type": "deal_created", "surprise": 1}},
            ["body", "trigger", "deal_created", "surprise"],
        ),
    ],
)
async def test_malformed_rules_are_422_naming_the_field(
    api: Api, user: User, patch: dict[str, Any], where: list[Any]
) -> None:
    body = {"name": "Bad", "trigger": {"type": "deal_created"}, "actions": [TASK], **patch}
    locs = _locs(await api.post("/api/v1/automations", json=body, headers=user.headers))
    assert any(loc[: len(where)] == where for loc in locs), locs


async def test_ids_of_another_workspace_are_422_naming_the_field(
    api: Api, user: User, other_user: User
) -> None:
    theirs = await stage_ids(api, other_user)
    ours = await stage_ids(api, user)
    stray = {
        "name": "Stray",
        "trigger": {"type": "deal_stage_entered", "stage_id": theirs["Qualified"]},
        "actions": [TASK],
    }
    assert _locs(await api.post("/api/v1/automations", json=stray, headers=user.headers)) == [
        ["body", "trigger", "stage_id"]
    ]
    round_robin = {
        "name": "RR",
        "trigger": {"type": "deal_created"},
        "actions": [
            {
                "type": "assign_owner",
                "strategy": "round_robin",
                "member_ids": [user.user_id, other_user.user_id],
            }
        ],
    }
    assert _locs(await api.post("/api/v1/automations", json=round_robin, headers=user.headers)) == [
        ["body", "actions", 0, "member_ids", 1]
    ]
    assignee = {
        "name": "A",
        "trigger": {"type": "deal_created"},
        "actions": [{**TASK, "assignee": other_user.user_id}],
    }
    assert _locs(await api.post("/api/v1/automations", json=assignee, headers=user.headers)) == [
        ["body", "actions", 0, "assignee"]
    ]
    condition = {
        "name": "C",
        "trigger": {"type": "deal_created"},
        "actions": [TASK],
        "conditions": [{"field": "stage_id", "op": "in", "value": [ours["Qualified"], theirs["Qualified"]]}],
    }
    assert _locs(await api.post("/api/v1/automations", json=condition, headers=user.headers)) == [
        ["body", "conditions", 0, "value", 1]
    ]
    pipelines = (await api.get("/api/v1/pipelines", headers=user.headers)).json()["items"]
    renewal = {
        "name": "R",
        "trigger": {"type": "renewal_due", "duration": "P60D"},
        "actions": [
            {"type": "create_renewal_deal", "pipeline_id": pipelines[0]["id"], "stage_id": theirs["Prospect"]}
        ],
    }
    assert _locs(await api.post("/api/v1/automations", json=renewal, headers=user.headers)) == [
        ["body", "actions", 0, "stage_id"]
    ]
    # And through PATCH too.
    rule = await add_rule(api, user, trigger={"type": "deal_created"}, actions=[TASK])
    patched = await api.patch(
        f"/api/v1/automations/{rule['id']}", json={"trigger": stray["trigger"]}, headers=user.headers
    )
    assert _locs(patched) == [["body", "trigger", "stage_id"]]


async def test_another_workspaces_automation_is_404(api: Api, user: User, other_user: User) -> None:
    theirs = (await api.get("/api/v1/automations", headers=other_user.headers)).json()["items"][0]["id"]
    for method in ("GET", "PATCH", "DELETE"):
        response = await api.request(
            method,
            f"/api/v1/automations/{theirs}",
            json={} if method == "PATCH" else None,
            headers=user.headers,
        )
        assert response.status_code == 404, (method, response.text)
    assert (await api.get(f"/api/v1/automations/{theirs}/runs", headers=user.headers)).status_code == 404
    mine = (await api.get("/api/v1/automations", headers=user.headers)).json()["items"]
    assert theirs not in {a["id"] for a in mine}
