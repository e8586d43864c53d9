"""One customer from lead to won deal to delivery project to renewal deal, with the promises made
during the sale carried and tracked at each step, and nothing created twice."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from domain.clock import OffsetClock
from domain.renewals import open_due_renewals_across_workspaces
from tests.automations_support import create_deal, drain_events, invite_member, relogin, stage_ids, tasks_of
from tests.conftest import Api, Db, User


async def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


async def _move(api: Api, user: User, deal_id: str, stage_id: str) -> dict[str, Any]:
    return await _ok(
        await api.post(f"/api/v1/deals/{deal_id}/move", json={"stage_id": stage_id}, headers=user.headers)
    )


async def _projects_of(api: Api, user: User, deal_id: str) -> list[dict[str, Any]]:
    page = await _ok(await api.get("/api/v1/projects", params={"deal_id": deal_id}, headers=user.headers))
    items: list[dict[str, Any]] = page["items"]
    return items


async def _renewals_of(api: Api, user: User, deal_id: str) -> list[dict[str, Any]]:
    deals = await _ok(await api.get("/api/v1/deals", params={"limit": 200}, headers=user.headers))
    return [d for d in deals["items"] if d["renewal_of_id"] == deal_id]


async def _timeline(api: Api, user: User, path: str) -> list[dict[str, Any]]:
    page = await _ok(await api.get(f"/api/v1/{path}/timeline", params={"limit": 200}, headers=user.headers))
    items: list[dict[str, Any]] = page["items"]
    return items


async def test_one_customer_from_lead_to_renewal(api: Api, user: User, db: Db, clock: OffsetClock) -> None:
    stages = await stage_ids(api, user)
    account_manager = await invite_member(api, user)
    pipeline = (await _ok(await api.get("/api/v1/pipelines", headers=user.headers)))["items"][0]
    await _ok(
        await api.patch(
            f"/api/v1/pipelines/{pipeline['id']}",
            json={"project_template": [{"title": "Kickoff call", "due_in_days": 7}]},
            headers=user.headers,
        )
    )
    today = clock.now().date()

    # The lead: a person at a company, and the deal.
    account = await _ok(
        await api.post(
            "/api/v1/accounts",
            json={"name": "Globex", "owner_id": account_manager.user_id},
            headers=user.headers,
        ),
        201,
    )
    lead = await _ok(
        await api.post(
            "/api/v1/contacts",
            json={"first_name": "Hank", "last_name": "Scorpio", "email": "hank@globex.example"},
            headers=user.headers,
        ),
        201,
    )
    deal = await create_deal(
        api,
        user,
        title="Globex platform",
        amount="12000",
        account_id=account["id"],
        contact_ids=[lead["id"]],
        contract_start_date=str(today),
        contract_end_date=str(today + timedelta(days=90)),
        renewal_amount="13000",
    )
    assert (
        deal["contract_end_date"] == str(today + timedelta(days=90)) and deal["renewal_amount"] == "13000.00"
    )

    # During the sale: a call where two things were promised, a note, and a promise later waived.
    call = await _ok(
        await api.post(
            "/api/v1/activities",
            json={
                "type": "call",
                "subject": "Security review",
                "deal_id": deal["id"],
                "contact_id": lead["id"],
            },
            headers=user.headers,
        ),
        201,
    )
    await _ok(
        await api.post(
            "/api/v1/activities",
            json={
                "type": "note",
                "subject": "Budget",
                "body": "Signs before quarter end",
                "deal_id": deal["id"],
            },
            headers=user.headers,
        ),
        201,
    )

    async def promise(title: str, due_in: int, **extra: Any) -> dict[str, Any]:
        body = {
            "title": title,
            "deal_id": deal["id"],
            "contact_id": lead["id"],
            "due_date": str(today + timedelta(days=due_in)),
            "evidence_activity_id": call["id"],
            **extra,
        }
        return await _ok(await api.post("/api/v1/commitments", json=body, headers=user.headers), 201)

    sso = await promise("SSO before go-live", 20)
    training = await promise("Two training sessions", 40)
    await promise("Free first month", 5, status="waived")
    assert sso["account_id"] == account["id"] and sso["owner_id"] == user.user_id
    # The promises are on the deal's, the account's and the contact's timelines.
    for path in (f"deals/{deal['id']}", f"accounts/{account['id']}", f"contacts/{lead['id']}"):
        made = [e for e in await _timeline(api, user, path) if e["type"] == "commitment_made"]
        assert {e["data"]["commitment"]["title"] for e in made} == {
            "SSO before go-live",
            "Two training sessions",
            "Free first month",
        }, path

    # Won: the project opens once, however often it is won again or the event delivered.
    await _move(api, user, deal["id"], stages["Closed Won"])
    await drain_events(db, clock.now(), user.workspace_id)
    await _move(api, user, deal["id"], stages["Negotiation"])
    await _move(api, user, deal["id"], stages["Closed Won"])
    await drain_events(db, clock.now(), user.workspace_id)
    [project] = await _projects_of(api, user, deal["id"])
    won = await _ok(await api.get(f"/api/v1/deals/{deal['id']}", headers=user.headers))
    assert won["project_id"] == project["id"]
    renamed = await api.patch(f"/api/v1/deals/{deal['id']}", json={"tags": ["won"]}, headers=user.headers)
    assert renamed.status_code == 200 and renamed.json()["project_id"] == project["id"]

    assert project["name"] == "Globex platform" and project["status"] == "planned"
    assert project["account_id"] == account["id"] and project["owner_id"] == user.user_id
    assert project["contact_ids"] == [lead["id"]]
    assert "Budget: Signs before quarter end" in project["summary"]
    assert project["contract_end_date"] == str(today + timedelta(days=90))
    assert project["renewal_amount"] == "13000.00"
    # Open promises first (by due date), with their evidence; then the pipeline's template.
    milestones = [(m["title"], m["due_date"], m["commitment_id"]) for m in project["milestones"]]
    assert milestones == [
        ("SSO before go-live", str(today + timedelta(days=20)), sso["id"]),
        ("Two training sessions", str(today + timedelta(days=40)), training["id"]),
        ("Kickoff call", str(today + timedelta(days=7)), None),
    ]
    assert project["milestones"][0]["evidence_activity_id"] == call["id"]

    # The project's timeline continues the deal's: its note, call and promises, then its own start.
    entries = await _timeline(api, user, f"projects/{project['id']}")
    types = [e["type"] for e in entries]
    assert "created" in types and "note" in types and "call" in types and "commitment_made" in types
    assert entries[0]["subject_type"] == "project"

    # Delivery keeps a promise: the commitment follows its milestone.
    sso_milestone = project["milestones"][0]["id"]
    done = await _ok(
        await api.post(
            f"/api/v1/projects/{project['id']}/milestones/{sso_milestone}/complete",
            headers={**user.headers, "If-Match": f'"{project["version"]}"'},
        )
    )
    assert done["milestones"][0]["status"] == "done" and done["milestones"][0]["commitment_status"] == "kept"
    kept = await _ok(await api.get(f"/api/v1/commitments/{sso['id']}", headers=user.headers))
    assert kept["status"] == "kept" and kept["resolved_at"] is not None

    # Renewal: nothing before the lead time; then one deal, however often the sweep runs.
    assert await open_due_renewals_across_workspaces(db.sessionmaker, now=clock.now()) == 0
    assert await _renewals_of(api, user, deal["id"]) == []
    later = clock.now() + timedelta(days=31)
    await open_due_renewals_across_workspaces(db.sessionmaker, now=later)
    await open_due_renewals_across_workspaces(db.sessionmaker, now=later + timedelta(days=1))
    [renewal] = await _renewals_of(api, user, deal["id"])
    assert renewal["title"] == "Renewal: Globex platform" and renewal["amount"] == "13000.00"
    assert renewal["owner_id"] == account_manager.user_id
    assert renewal["pipeline_id"] == pipeline["id"] and renewal["stage_id"] == stages["Prospect"]
    assert renewal["expected_close_date"] == str(today + timedelta(days=90))
    assert renewal["account_id"] == account["id"] and renewal["contact_ids"] == [lead["id"]]
    [task] = await tasks_of(api, user, renewal["id"])
    assert task["subject"] == "Prepare the renewal of Globex platform"
    assert task["owner_id"] == account_manager.user_id

    # The open promise still stands: Training shows up as due once its date nears.
    clock.advance(timedelta(days=36))
    fresh = await relogin(api, user)
    view = await _ok(await api.get("/api/v1/today", headers=fresh.headers))
    assert [c["id"] for c in view["commitments_due"]] == [training["id"]]


async def test_racing_renewal_sweeps_open_one_deal(api: Api, user: User, db: Db, clock: OffsetClock) -> None:
    stages = await stage_ids(api, user)
    ends = clock.now().date() + timedelta(days=30)
    deals = [
        await create_deal(api, user, title=f"Support {i}", amount="500", contract_end_date=str(ends))
        for i in range(3)
    ]
    for deal in deals:
        await _move(api, user, deal["id"], stages["Closed Won"])
    sweeps = [open_due_renewals_across_workspaces(db.sessionmaker, now=clock.now()) for _ in range(4)]
    opened = await asyncio.gather(*sweeps)
    assert sum(opened) == 3
    for deal in deals:
        [renewal] = await _renewals_of(api, user, deal["id"])
        assert renewal["owner_id"] == user.user_id  # no account: the deal's owner
        assert len(await tasks_of(api, user, renewal["id"])) == 1


async def test_on_won_none_and_renewals_switched_off(
    api: Api, user: User, db: Db, clock: OffsetClock
) -> None:
    pipeline = await _ok(
        await api.post(
            "/api/v1/pipelines",
            json={
                "name": "Self-serve",
                "on_won": "none",
                "renewal_lead_days": None,
                "stages": [{"name": "Trial"}, {"name": "Paid", "kind": "won", "probability": 100}],
            },
            headers=user.headers,
        ),
        201,
    )
    assert pipeline["renewal_lead_days"] is None and pipeline["on_won"] == "none"
    won_stage = pipeline["stages"][1]["id"]
    deal = await create_deal(
        api, user, title="Tiny", pipeline_id=pipeline["id"], contract_end_date=str(clock.now().date())
    )
    await _move(api, user, deal["id"], won_stage)
    await drain_events(db, clock.now(), user.workspace_id)
    assert await _projects_of(api, user, deal["id"]) == []
    await open_due_renewals_across_workspaces(db.sessionmaker, now=clock.now())
    assert await _renewals_of(api, user, deal["id"]) == []


async def test_renewals_open_in_the_chosen_pipeline(api: Api, user: User, db: Db, clock: OffsetClock) -> None:
    renewals = await _ok(
        await api.post(
            "/api/v1/pipelines",
            json={"name": "Renewals", "stages": [{"name": "Upcoming"}, {"name": "Renewed", "kind": "won"}]},
            headers=user.headers,
        ),
        201,
    )
    assert renewals["renewal_lead_days"] == 60 and renewals["project_template"] is None
    pipelines = (await _ok(await api.get("/api/v1/pipelines", headers=user.headers)))["items"]
    sales = next(p for p in pipelines if p["is_default"])
    await _ok(
        await api.patch(
            f"/api/v1/pipelines/{sales['id']}",
            json={"renewal_pipeline_id": renewals["id"], "renewal_lead_days": 10},
            headers=user.headers,
        )
    )
    stages = await stage_ids(api, user)
    deal = await create_deal(
        api,
        user,
        title="Annual",
        amount="900",
        contract_end_date=str(clock.now().date() + timedelta(days=20)),
    )
    await _move(api, user, deal["id"], stages["Closed Won"])
    await open_due_renewals_across_workspaces(db.sessionmaker, now=clock.now())
    assert await _renewals_of(api, user, deal["id"]) == []  # 20 days out, lead time 10
    await open_due_renewals_across_workspaces(db.sessionmaker, now=clock.now() + timedelta(days=10))
    [renewal] = await _renewals_of(api, user, deal["id"])
    assert renewal["pipeline_id"] == renewals["id"] and renewal["stage_id"] == renewals["stages"][0]["id"]
    assert renewal["amount"] == "900.00"


async def test_a_renewal_automation_and_the_sweep_open_one_deal(
    api: Api, user: User, db: Db, clock: OffsetClock
) -> None:
    from tests.automations_support import add_rule, runs_of, set_enabled, sweep

    await set_enabled(api, user, only=set())
    stages = await stage_ids(api, user)
    pipeline_id = (await api.get("/api/v1/pipelines", headers=user.headers)).json()["items"][0]["id"]
    rule = await add_rule(
        api,
        user,
        trigger={"type": "renewal_due", "duration": "P60D"},
        actions=[{"type": "create_renewal_deal", "pipeline_id": pipeline_id, "stage_id": stages["Prospect"]}],
    )
    deal = await create_deal(
        api,
        user,
        title="Both ways",
        amount="100",
        contract_end_date=str(clock.now().date() + timedelta(days=30)),
    )
    await _move(api, user, deal["id"], stages["Closed Won"])
    await open_due_renewals_across_workspaces(db.sessionmaker, now=clock.now())
    assert (await sweep(db, user, clock.now())).fired == 1
    [run] = await runs_of(api, user, rule["id"])
    assert run["actions"][0]["status"] == "skipped"
    assert len(await _renewals_of(api, user, deal["id"])) == 1


async def test_contract_fields_are_checked(
    api: Api, user: User, other_user: User, clock: OffsetClock
) -> None:
    today = clock.now().date()
    deal = await create_deal(api, user, title="Contract", currency="JPY")
    patched = await _ok(
        await api.patch(
            f"/api/v1/deals/{deal['id']}",
            json={"contract_start_date": str(today), "renewal_amount": "1500.6"},
            headers=user.headers,
        )
    )
    assert patched["renewal_amount"] == "1501" and patched["version"] == 2
    backwards = await api.patch(
        f"/api/v1/deals/{deal['id']}",
        json={"contract_end_date": str(today - timedelta(days=1))},
        headers=user.headers,
    )
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["loc"] == [
        "body",
        "contract_end_date",
    ]
    negative = await api.patch(
        f"/api/v1/deals/{deal['id']}", json={"renewal_amount": "-1"}, headers=user.headers
    )
    assert negative.status_code == 422
    assert (await _ok(await api.get(f"/api/v1/deals/{deal['id']}", headers=user.headers)))["version"] == 2

    theirs = (await _ok(await api.get("/api/v1/pipelines", headers=other_user.headers)))["items"][0]
    mine = (await _ok(await api.get("/api/v1/pipelines", headers=user.headers)))["items"][0]
    for body in ({"renewal_pipeline_id": theirs["id"]}, {"renewal_lead_days": 0}, {"project_template": [{}]}):
        refused = await api.patch(f"/api/v1/pipelines/{mine['id']}", json=body, headers=user.headers)
        assert refused.status_code == 422, body
