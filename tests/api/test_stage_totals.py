"""The board's running totals always equal what the deals themselves add up to."""

from __future__ import annotations

import asyncio
import random

from sqlalchemy import text

from tests.conftest import Api, Db, User

TRUTH = """
    SELECT stage_id, currency, count(*) AS n, sum(coalesce(amount, 0)) AS amount
    FROM deals WHERE workspace_id = :ws AND status = 'open' GROUP BY stage_id, currency
"""
KEPT = """
    SELECT stage_id, currency, open_count AS n, open_amount AS amount
    FROM stage_totals WHERE workspace_id = :ws AND open_count <> 0
"""


async def _assert_totals_true(db: Db, workspace_id: str) -> None:
    async with db.sessionmaker() as session:
        truth = {
            (r.stage_id, r.currency): (r.n, r.amount)
            for r in await session.execute(text(TRUTH), {"ws": workspace_id})
        }
        kept = {
            (r.stage_id, r.currency): (r.n, r.amount)
            for r in await session.execute(text(KEPT), {"ws": workspace_id})
        }
    assert kept == truth


async def test_totals_follow_every_kind_of_change(api: Api, user: User, db: Db) -> None:
    headers = user.headers
    pipeline = (await api.get("/api/v1/pipelines", headers=headers)).json()["items"][0]
    stages = {s["name"]: s["id"] for s in pipeline["stages"]}
    deals = []
    for i, (stage, currency) in enumerate(
        [
            ("Prospect", "USD"),
            ("Prospect", "EUR"),
            ("Qualified", "USD"),
            ("Negotiation", "USD"),
            ("Qualified", "JPY"),
        ]
    ):
        created = await api.post(
            "/api/v1/deals",
            json={"title": f"D{i}", "amount": str(1000 + i), "currency": currency, "stage_id": stages[stage]},
            headers=headers,
        )
        assert created.status_code == 201, created.text
        deals.append(created.json()["id"])
    await _assert_totals_true(db, user.workspace_id)

    await api.post(f"/api/v1/deals/{deals[0]}/move", json={"stage_id": stages["Qualified"]}, headers=headers)
    await api.patch(f"/api/v1/deals/{deals[2]}", json={"amount": "5000.50"}, headers=headers)
    await api.patch(f"/api/v1/deals/{deals[3]}", json={"amount": None}, headers=headers)
    await api.post(f"/api/v1/deals/{deals[1]}/move", json={"stage_id": stages["Closed Won"]}, headers=headers)
    await api.post(
        f"/api/v1/deals/{deals[4]}/move",
        json={"stage_id": stages["Closed Lost"], "lost_reason": "budget"},
        headers=headers,
    )
    await _assert_totals_true(db, user.workspace_id)

    # Reopening counts the deal again; deleting one and a whole stage's worth takes them out.
    await api.post(f"/api/v1/deals/{deals[1]}/move", json={"stage_id": stages["Prospect"]}, headers=headers)
    assert (await api.delete(f"/api/v1/deals/{deals[2]}", headers=headers)).status_code == 204
    removed = await api.delete(
        f"/api/v1/stages/{stages['Qualified']}", params={"move_deals_to": stages["Prospect"]}, headers=headers
    )
    assert removed.status_code == 204, removed.text
    await _assert_totals_true(db, user.workspace_id)


async def test_totals_hold_under_concurrent_moves(api: Api, user: User, db: Db) -> None:
    headers = user.headers
    pipeline = (await api.get("/api/v1/pipelines", headers=headers)).json()["items"][0]
    open_stages = [s["id"] for s in pipeline["stages"] if s["kind"] == "open" and not s["required_fields"]]
    deals = []
    for i in range(12):
        created = await api.post(
            "/api/v1/deals",
            json={"title": f"C{i}", "amount": "100", "stage_id": open_stages[i % len(open_stages)]},
            headers=headers,
        )
        deals.append(created.json()["id"])
    rng = random.Random(5)
    moves = [
        api.post(
            f"/api/v1/deals/{rng.choice(deals)}/move",
            json={"stage_id": rng.choice(open_stages)},
            headers=headers,
        )
        for _ in range(40)
    ]
    results = await asyncio.gather(*moves)
    assert {r.status_code for r in results} <= {200, 409}
    await _assert_totals_true(db, user.workspace_id)
