"""deal_closings and stage_visits follow the records through every kind of change.

They are written by triggers (migration 0010), so these tests change the records directly, as any
code path might (API, import, merge, worker), once as the app's RLS-bound role, and read back.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, insert, select, update

from domain.db import workspace_transaction
from domain.models import Activity, Contact, Deal, DealContact, StageChange
from domain.models.reports import DealClosing, StageVisit
from tests.api.test_reports_world import World, at, make_world
from tests.conftest import Api, Db


async def _first_contact(world: World, deal_id: uuid.UUID) -> datetime | None:
    async with world.db.sessionmaker() as session:
        return await session.scalar(
            select(DealClosing.first_contact_at).where(DealClosing.deal_id == deal_id)
        )


async def _visits(
    world: World, deal_id: uuid.UUID
) -> list[tuple[str, datetime, datetime | None, uuid.UUID | None]]:
    names = {stage.id: name for name, stage in world.stages.items()}
    async with world.db.sessionmaker() as session:
        rows = await session.execute(
            select(StageVisit.stage_id, StageVisit.entered_at, StageVisit.left_at, StageVisit.owner_id)
            .where(StageVisit.deal_id == deal_id)
            .order_by(StageVisit.entered_at)
        )
        return [(names[r.stage_id], r.entered_at, r.left_at, r.owner_id) for r in rows]


async def test_a_closing_follows_the_deal_and_its_first_contact(api: Api, db: Db) -> None:
    world = await make_world(api, db)
    deal_id = await world.deal(
        "T1", "2026-03-10T00:00", [("Lead", "2026-03-10T00:00"), ("Won", "2026-03-20T00:00")]
    )
    assert await _first_contact(world, deal_id) == at("2026-03-10T00:00")  # no contact: the deal's creation

    # A contact created before the deal becomes its first contact.
    early = await world.contact("2026-03-01T00:00")
    async with db.sessionmaker() as session, session.begin():
        session.add(
            DealContact(workspace_id=world.workspace_id, deal_id=deal_id, contact_id=early, position=1)
        )
    assert await _first_contact(world, deal_id) == at("2026-03-01T00:00")

    # Another contact put first (lower position) takes over, even though it is later.
    later = await world.contact("2026-03-05T00:00")
    async with db.sessionmaker() as session, session.begin():
        session.add(
            DealContact(workspace_id=world.workspace_id, deal_id=deal_id, contact_id=later, position=0)
        )
    assert await _first_contact(world, deal_id) == at("2026-03-05T00:00")

    # That contact's activity logged today but dated earlier moves the first contact back...
    await world.activity("call", "2026-02-20T00:00", owner=world.ann, contact=later)
    assert await _first_contact(world, deal_id) == at("2026-02-20T00:00")
    # ...moving the activity to the other contact, or deleting it, undoes that.
    async with db.sessionmaker() as session, session.begin():
        await session.execute(update(Activity).where(Activity.contact_id == later).values(contact_id=early))
    assert await _first_contact(world, deal_id) == at("2026-03-05T00:00")
    async with db.sessionmaker() as session, session.begin():
        await session.execute(delete(Activity).where(Activity.contact_id == early))
    # A corrected creation date of the contact counts too.
    async with db.sessionmaker() as session, session.begin():
        await session.execute(
            update(Contact).where(Contact.id == later).values(created_at=at("2026-03-04T00:00"))
        )
    assert await _first_contact(world, deal_id) == at("2026-03-04T00:00")
    # Unlinking the first contact falls back to the next one.
    async with db.sessionmaker() as session, session.begin():
        await session.execute(delete(DealContact).where(DealContact.contact_id == later))
    assert await _first_contact(world, deal_id) == at("2026-03-01T00:00")

    # Reopened: no longer a closing. Lost later: a closing again, with its new date and status.
    async with db.sessionmaker() as session, session.begin():
        await session.execute(update(Deal).where(Deal.id == deal_id).values(status="open", closed_at=None))
    assert await _first_contact(world, deal_id) is None
    async with db.sessionmaker() as session, session.begin():
        await session.execute(
            update(Deal).where(Deal.id == deal_id).values(status="lost", closed_at=at("2026-04-02T00:00"))
        )
    async with db.sessionmaker() as session:
        closing = await session.get(DealClosing, (world.workspace_id, deal_id))
    assert closing is not None
    assert (closing.status, closing.closed_at, closing.first_contact_at) == (
        "lost",
        at("2026-04-02T00:00"),
        at("2026-03-01T00:00"),
    )
    # Deleting the deal deletes its closing.
    async with db.sessionmaker() as session, session.begin():
        await session.execute(delete(Deal).where(Deal.id == deal_id))
    assert await _first_contact(world, deal_id) is None


async def test_many_activities_in_one_statement_are_seen_once(api: Api, db: Db) -> None:
    world = await make_world(api, db)
    contact = await world.contact("2026-03-01T00:00")
    deal_id = await world.deal(
        "T2",
        "2026-03-02T00:00",
        [("Lead", "2026-03-02T00:00"), ("Won", "2026-03-30T00:00")],
        contacts=[contact],
    )
    rows = [
        {
            "id": uuid.uuid4(),
            "workspace_id": world.workspace_id,
            "type": "email",
            "subject": "imported",
            "contact_id": contact,
            "created_by_type": "user",
            "version": 1,
            "created_at": at(day),
            "updated_at": at(day),
        }
        for day in ("2026-02-10T00:00", "2026-01-15T00:00", "2026-02-01T00:00")
    ]
    async with db.sessionmaker() as session, session.begin():
        await session.execute(insert(Activity), rows)
    assert await _first_contact(world, deal_id) == at("2026-01-15T00:00")


async def test_visits_follow_the_stage_history_under_row_level_security(api: Api, db: Db) -> None:
    world = await make_world(api, db)
    deal_id = await world.deal("T3", "2026-04-01T00:00", [("Lead", "2026-04-01T00:00")])
    ann, bea = world.ann, world.bea
    assert await _visits(world, deal_id) == [("Lead", at("2026-04-01T00:00"), None, ann)]

    # A move as the app would make it: as rapport_app, inside the workspace.
    async with workspace_transaction(db.sessionmaker, world.workspace_id) as session:
        session.add(
            StageChange(
                workspace_id=world.workspace_id,
                deal_id=deal_id,
                pipeline_id=world.pipelines["Sales"],
                from_stage_id=world.stage("Lead").id,
                to_stage_id=world.stage("Proposal").id,
                actor_type="user",
                actor_id=ann,
                at=at("2026-04-05T00:00"),
            )
        )
    assert await _visits(world, deal_id) == [
        ("Lead", at("2026-04-01T00:00"), at("2026-04-05T00:00"), ann),
        ("Proposal", at("2026-04-05T00:00"), None, ann),
    ]
    # A history entry recorded late (an import) slots in by time.
    async with db.sessionmaker() as session, session.begin():
        session.add(
            StageChange(
                workspace_id=world.workspace_id,
                deal_id=deal_id,
                pipeline_id=world.pipelines["Sales"],
                from_stage_id=world.stage("Lead").id,
                to_stage_id=world.stage("Qualified").id,
                actor_type="user",
                actor_id=ann,
                at=at("2026-04-03T00:00"),
            )
        )
    assert [v[:3] for v in await _visits(world, deal_id)] == [
        ("Lead", at("2026-04-01T00:00"), at("2026-04-03T00:00")),
        ("Qualified", at("2026-04-03T00:00"), at("2026-04-05T00:00")),
        ("Proposal", at("2026-04-05T00:00"), None),
    ]
    # The deal changes hands: its visits follow (the funnel's owner filter reads them).
    async with workspace_transaction(db.sessionmaker, world.workspace_id) as session:
        await session.execute(update(Deal).where(Deal.id == deal_id).values(owner_id=bea))
    assert {v[3] for v in await _visits(world, deal_id)} == {bea}
    # A history entry removed: the visits are rebuilt without it.
    async with db.sessionmaker() as session, session.begin():
        await session.execute(delete(StageChange).where(StageChange.at == at("2026-04-03T00:00")))
    assert [v[:3] for v in await _visits(world, deal_id)] == [
        ("Lead", at("2026-04-01T00:00"), at("2026-04-05T00:00")),
        ("Proposal", at("2026-04-05T00:00"), None),
    ]
    async with db.sessionmaker() as session, session.begin():
        await session.execute(delete(Deal).where(Deal.id == deal_id))
    assert await _visits(world, deal_id) == []
