"""The board: columns in rank order, totals over whole columns, recent closes, paging, fixed query count."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from domain import ranks
from domain.clock import OffsetClock
from tests.api.test_deals import events, history, move, new_deal, stages_by_name, timeline
from tests.api.test_pipelines import member_of
from tests.conftest import Api, Db, User


async def board(api: Api, user: User, pipeline_id: str, query: str = "") -> dict[str, Any]:
    response = await api.get(f"/api/v1/pipelines/{pipeline_id}/board?{query}", headers=user.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def column(body: dict[str, Any], stage_name: str) -> dict[str, Any]:
    return next(c for c in body["columns"] if c["stage"]["name"] == stage_name)


def titles(col: dict[str, Any]) -> list[str]:
    return [d["title"] for d in col["deals"]]


@contextmanager
def counting_statements(db: Db) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)


async def test_cards_follow_the_order_they_were_dropped_in(api: Api, user: User, db: Db) -> None:
    stages = await stages_by_name(api, user)
    pipeline_id = stages["Prospect"]["pipeline_id"]
    a, b, c = [await new_deal(api, user, title=t) for t in ("A", "B", "C")]
    assert titles(column(await board(api, user, pipeline_id), "Prospect")) == ["A", "B", "C"]

    top = await move(api, user, c, stages["Prospect"]["id"], after_id=None, if_match=f'"{c["version"]}"')
    assert top.status_code == 200, top.text
    assert titles(column(await board(api, user, pipeline_id), "Prospect")) == ["C", "A", "B"]
    below_b = await move(api, user, a, stages["Prospect"]["id"], after_id=b["id"])
    assert below_b.status_code == 200
    assert titles(column(await board(api, user, pipeline_id), "Prospect")) == ["C", "B", "A"]
    # Within a column only the rank changes: no stage history, no stage event.
    assert len(await history(db, a["id"])) == 1
    assert below_b.json()["stage_entered_at"] == a["stage_entered_at"]
    assert below_b.json()["version"] == a["version"] + 1
    # Into another column, between two of its cards; the neighbours keep their keys and versions.
    x, y = [await new_deal(api, user, title=t, stage_id=stages["Qualified"]["id"]) for t in ("X", "Y")]
    between = await move(api, user, c, stages["Qualified"]["id"], after_id=x["id"])
    assert between.status_code == 200
    qualified = column(await board(api, user, pipeline_id), "Qualified")
    assert titles(qualified) == ["X", "C", "Y"]
    assert [(d["rank"], d["version"]) for d in qualified["deals"] if d["title"] != "C"] == [
        (x["rank"], x["version"]),
        (y["rank"], y["version"]),
    ]
    assert titles(column(await board(api, user, pipeline_id), "Prospect")) == ["B", "A"]


async def test_totals_cover_the_whole_column_not_just_the_cards(api: Api, user: User) -> None:
    stages = await stages_by_name(api, user)
    qualified = stages["Qualified"]["id"]
    for amount in (100, 200, 300, 400, 500, 600, "700.01"):
        await new_deal(api, user, title=f"USD {amount}", amount=amount, stage_id=qualified)
    await new_deal(api, user, title="No amount yet", stage_id=qualified)
    await new_deal(api, user, title="Euro one", amount="1000", currency="EUR", stage_id=qualified)
    await new_deal(api, user, title="Euro two", amount="200.50", currency="EUR", stage_id=qualified)
    await new_deal(api, user, title="Yen", amount="5000", currency="JPY", stage_id=qualified)
    body = await board(api, user, stages["Qualified"]["pipeline_id"], "limit=2")
    assert body["currency"] == "USD"
    col = column(body, "Qualified")
    assert len(col["deals"]) == 2 and col["next_cursor"]
    assert col["count"] == 11
    assert col["total_amount"] == "2800.01"
    assert col["weighted_amount"] == "700.00"  # 25% of 2800.01 = 700.0025
    assert col["other_currencies"] == {"EUR": "1200.50", "JPY": "5000"}
    empty = column(body, "Negotiation")
    assert (
        empty["count"],
        empty["total_amount"],
        empty["weighted_amount"],
        empty["other_currencies"],
        empty["deals"],
        empty["next_cursor"],
    ) == (0, "0.00", "0.00", {}, [], None)


async def test_a_columns_next_cursor_continues_in_the_deals_list(api: Api, user: User) -> None:
    stages = await stages_by_name(api, user)
    negotiation = stages["Negotiation"]["id"]
    made = [await new_deal(api, user, title=f"N{i}", stage_id=negotiation) for i in range(7)]
    # Shuffle the column a little so rank order is not creation order.
    await move(api, user, made[5], negotiation, after_id=None)
    await move(api, user, made[0], negotiation, after_id=made[3]["id"])
    full = (
        await api.get(f"/api/v1/deals?stage_id={negotiation}&sort=rank&limit=200", headers=user.headers)
    ).json()["items"]
    col = column(await board(api, user, stages["Negotiation"]["pipeline_id"], "limit=2"), "Negotiation")
    seen = [d["id"] for d in col["deals"]]
    cursor = col["next_cursor"]
    while cursor:
        page = await api.get(
            f"/api/v1/deals?stage_id={negotiation}&sort=rank&limit=2&cursor={cursor}", headers=user.headers
        )
        assert page.status_code == 200, page.text
        seen += [d["id"] for d in page.json()["items"]]
        cursor = page.json()["next_cursor"]
    assert seen == [d["id"] for d in full]
    assert len(seen) == 7
    assert [d["title"] for d in full][:2] == ["N5", "N1"]


async def relogin(api: Api, user: User) -> User:
    response = await api.post(
        "/api/v1/auth/login",
        json={"email": user.email, "password": user.password, "workspace_id": user.workspace_id},
    )
    assert response.status_code == 200, response.text
    api.client.cookies.clear()
    return dataclasses.replace(user, token=response.json()["access_token"])


async def test_won_and_lost_columns_show_the_last_30_days(api: Api, user: User, clock: OffsetClock) -> None:
    stages = await stages_by_name(api, user)
    pipeline_id = stages["Prospect"]["pipeline_id"]
    old_win = await new_deal(api, user, title="Old win", amount="100")
    await move(api, user, old_win, stages["Closed Won"]["id"])
    await new_deal(api, user, title="Old loss", stage_id=stages["Closed Lost"]["id"], lost_reason="Budget")
    still_open = await new_deal(api, user, title="Slow burner", amount="50")
    won = column(await board(api, user, pipeline_id), "Closed Won")
    assert (won["count"], won["total_amount"], titles(won)) == (1, "100.00", ["Old win"])

    clock.advance(timedelta(days=31))
    user = await relogin(api, user)
    fresh = await new_deal(api, user, title="New win", amount="40")
    await move(api, user, fresh, stages["Closed Won"]["id"])
    body = await board(api, user, pipeline_id)
    won = column(body, "Closed Won")
    assert (won["count"], won["total_amount"], won["weighted_amount"], titles(won)) == (
        1,
        "40.00",
        "40.00",
        ["New win"],
    )
    assert column(body, "Closed Lost")["count"] == 0
    # Open deals stay however old they are.
    prospect = column(body, "Prospect")
    assert titles(prospect) == ["Slow burner"] and prospect["count"] == 1
    assert still_open["id"] == prospect["deals"][0]["id"]


async def test_owner_and_q_filter_counts_and_cards(api: Api, user: User) -> None:
    member = await member_of(api, user)
    stages = await stages_by_name(api, user)
    pipeline_id = stages["Prospect"]["pipeline_id"]
    await new_deal(api, user, title="Globex upsell", amount="10")
    await new_deal(api, user, title="Initech pilot", amount="20", owner_id=member.user_id)
    await new_deal(api, member, title="Globex renewal", amount="30")
    mine = column(await board(api, user, pipeline_id, f"owner_id={member.user_id}"), "Prospect")
    assert (mine["count"], mine["total_amount"], sorted(titles(mine))) == (
        2,
        "50.00",
        ["Globex renewal", "Initech pilot"],
    )
    globex = column(await board(api, user, pipeline_id, "q=GLOBEX"), "Prospect")
    assert (globex["count"], globex["total_amount"]) == (2, "40.00")
    both = column(await board(api, user, pipeline_id, f"q=globex&owner_id={user.user_id}"), "Prospect")
    assert titles(both) == ["Globex upsell"]


async def test_the_board_costs_the_same_queries_for_3_or_8_stages(api: Api, user: User, db: Db) -> None:
    async def pipeline_with(n: int) -> str:
        body = {"name": f"{n} stages", "stages": [{"name": f"S{i}", "probability": 10 * i} for i in range(n)]}
        created = (await api.post("/api/v1/pipelines", json=body, headers=user.headers)).json()
        for stage in created["stages"]:
            for i in range(3):
                await new_deal(api, user, title=f"{stage['name']}-{i}", amount="1", stage_id=stage["id"])
        return str(created["id"])

    small, large = await pipeline_with(3), await pipeline_with(8)
    counts = []
    for pipeline_id in (small, large):
        with counting_statements(db) as statements:
            body = await board(api, user, pipeline_id, "limit=2")
        assert all(len(c["deals"]) == 2 and c["count"] == 3 for c in body["columns"])
        counts.append(len(statements))
    assert counts[0] == counts[1]


async def test_a_worn_out_gap_is_respread(api: Api, user: User, monkeypatch: pytest.MonkeyPatch) -> None:
    # Keys may not grow past the limit: the column gets fresh short keys, in the same order.
    monkeypatch.setattr(ranks, "MAX_RANK_LENGTH", 3)
    stages = await stages_by_name(api, user)
    prospect = stages["Prospect"]["id"]
    anchor = await new_deal(api, user, title="Anchor")
    await new_deal(api, user, title="Last")
    expected = ["Anchor", "Last"]
    for i in range(12):
        card = await new_deal(api, user, title=f"Dropped {i}")
        moved = await move(api, user, card, prospect, after_id=anchor["id"])
        assert moved.status_code == 200, moved.text
        expected.insert(1, f"Dropped {i}")
    col = column(await board(api, user, stages["Prospect"]["pipeline_id"], "limit=200"), "Prospect")
    assert titles(col) == expected
    assert max(len(d["rank"]) for d in col["deals"]) <= 3


async def test_the_demo_workspace_has_a_populated_board(api: Api, user: User, db: Db) -> None:
    from domain.clock import get_clock
    from domain.demo_data import populate_demo_workspace

    async with db.sessionmaker() as session, session.begin():
        await populate_demo_workspace(
            session,
            workspace_id=uuid.UUID(user.workspace_id),
            user_id=uuid.UUID(user.user_id),
            now=get_clock().now(),
        )
    stages = await stages_by_name(api, user)
    body = await board(api, user, stages["Prospect"]["pipeline_id"])
    counts = {c["stage"]["name"]: c["count"] for c in body["columns"]}
    assert all(counts[name] >= 2 for name in ("Prospect", "Qualified", "Proposal Sent", "Negotiation"))
    assert counts["Closed Won"] >= 1 and counts["Closed Lost"] >= 1
    listed = (await api.get("/api/v1/deals?limit=200", headers=user.headers)).json()["items"]
    assert len(listed) == 15 and all(d["contact_ids"] for d in listed)


async def test_a_move_is_four_statements_with_its_history_and_event(api: Api, user: User, db: Db) -> None:
    # Authentication, the locked deal with both stages, the placement, one write: a move's cost
    # is round trips, so their number is what keeps moves fast.
    stages = await stages_by_name(api, user)
    contact = await api.post("/api/v1/contacts", json={"first_name": "Ada"}, headers=user.headers)
    assert contact.status_code == 201, contact.text
    deal = await new_deal(api, user, contact_ids=[contact.json()["id"]])
    anchor = await new_deal(api, user, title="Anchor", stage_id=stages["Qualified"]["id"])
    with counting_statements(db) as statements:
        moved = await move(api, user, deal, stages["Qualified"]["id"], after_id=anchor["id"])
    assert moved.status_code == 200, moved.text
    assert len(statements) == 4, statements
    rows = await history(db, deal["id"])
    assert [(r.from_stage_id and str(r.from_stage_id), str(r.to_stage_id)) for r in rows[1:]] == [
        (stages["Prospect"]["id"], stages["Qualified"]["id"])
    ]
    entry = next(e for e in await timeline(db, deal["id"]) if e.type == "stage_changed")
    assert (entry.data["from_stage"], entry.data["to_stage"], entry.actor_name) == (
        "Prospect",
        "Qualified",
        "Test User",
    )
    (event,) = await events(db, deal["id"], "deal.stage_changed")
    body = moved.json()
    assert event.payload["version"] == body["version"] == deal["version"] + 1
    assert event.payload["contact_ids"] == [contact.json()["id"]]
    assert event.payload["rank"] == body["rank"] > anchor["rank"]
    assert event.actor == {"type": "user", "id": user.user_id, "name": "Test User"}


async def test_racing_moves_without_if_match_apply_in_turn(api: Api, user: User, db: Db) -> None:
    # The second mover waits for the first and moves the deal from where the first left it.
    stages = await stages_by_name(api, user)
    deal = await new_deal(api, user)
    targets = [stages["Qualified"]["id"], stages["Negotiation"]["id"]]
    results = await asyncio.gather(*(move(api, user, deal, target) for target in targets))
    assert [r.status_code for r in results] == [200, 200], [r.text for r in results]
    first, second = sorted((r.json() for r in results), key=lambda body: body["version"])
    assert (first["version"], second["version"]) == (deal["version"] + 1, deal["version"] + 2)
    chain = {(str(r.from_stage_id), str(r.to_stage_id)) for r in (await history(db, deal["id"]))[1:]}
    assert chain == {(deal["stage_id"], first["stage_id"]), (first["stage_id"], second["stage_id"])}
    current = (await api.get(f"/api/v1/deals/{deal['id']}", headers=user.headers)).json()
    assert (current["stage_id"], current["version"]) == (second["stage_id"], second["version"])
