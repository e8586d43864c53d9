"""Each trigger fires once per subject and cause, with a controllable clock; the seeds fire."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select, text

from domain import outbox
from domain.automations.triggers import fire_for_event
from domain.clock import OffsetClock
from domain.db import workspace_transaction
from domain.models import OutboxEvent
from tests.automations_support import (
    add_rule,
    automation_named,
    create_deal,
    drain_events,
    invite_member,
    relogin,
    runs_of,
    set_enabled,
    stage_ids,
    sweep,
    tasks_of,
)
from tests.conftest import Api, Db, User

SEVEN_DAYS = "Follow up on deals that have not moved in 7 days"
PROPOSAL = "Follow up after a proposal is sent"
ROTTING = "Tell the owner when a deal is rotting"
STALE = "Close deals idle for 90 days as lost"


async def _deal(api: Api, user: User, deal_id: str) -> dict:
    return (await api.get(f"/api/v1/deals/{deal_id}", headers=user.headers)).json()


async def _notifications(api: Api, user: User) -> list[dict]:
    return (await api.get("/api/v1/notifications", headers=user.headers)).json()["items"]


async def test_deal_created_fires_once_when_its_conditions_hold(
    api: Api, user: User, db: Db, clock: OffsetClock
) -> None:
    await set_enabled(api, user, only=set())
    rule = await add_rule(
        api,
        user,
        trigger={"type": "deal_created"},
        conditions=[
            {"field": "amount", "op": "gte", "value": "10000"},
            {"field": "title", "op": "contains", "value": "ONE"},
        ],
        actions=[{"type": "add_tag", "tag": "big"}, {"type": "notify_owner"}],
    )
    big = await create_deal(api, user, title="Big one", amount="25000")
    small = await create_deal(api, user, title="Small one", amount="500")
    await drain_events(db, clock.now(), user.workspace_id)

    assert (await _deal(api, user, big["id"]))["tags"] == ["big"]
    assert (await _deal(api, user, small["id"]))["tags"] == []
    [run] = await runs_of(api, user, rule["id"])
    assert run["subject_type"] == "deal" and run["subject_id"] == big["id"]
    assert run["cause_key"].startswith("event:") and run["reason"] == "the deal was created"
    assert run["outcome"] == "succeeded"
    assert [(a["type"], a["status"]) for a in run["actions"]] == [
        ("add_tag", "done"),
        ("notify_owner", "done"),
    ]
    [notice] = await _notifications(api, user)
    assert notice["type"] == "automation" and notice["title"] == rule["name"]
    assert notice["body"] == "Big one: the deal was created" and notice["subject_id"] == big["id"]
    timeline = (await api.get(f"/api/v1/deals/{big['id']}/timeline", headers=user.headers)).json()["items"]
    tagged = next(e for e in timeline if e["type"] == "field_changed")
    assert tagged["actor"] == {"type": "automation", "id": rule["id"], "name": rule["name"]}

    # The job run again (arq is at-least-once): the event is done, and even a handler run that
    # ignored that finds the run's key taken and does nothing.
    async with db.sessionmaker() as session:
        event = (
            await session.execute(
                select(OutboxEvent).where(
                    OutboxEvent.subject_id == uuid.UUID(big["id"]), OutboxEvent.type == "deal.created"
                )
            )
        ).scalar_one()
    assert not await outbox.process_event(
        db.sessionmaker, workspace_id=event.workspace_id, event_id=event.id, now=clock.now()
    )
    async with workspace_transaction(db.sessionmaker, event.workspace_id) as session:
        again = await session.get(OutboxEvent, event.id)
        assert again is not None and await fire_for_event(session, again, clock.now()) == 0
    assert len(await runs_of(api, user, rule["id"])) == 1
    assert len(await _notifications(api, user)) == 1


async def test_seed_follow_up_when_a_deal_enters_proposal_sent(
    api: Api, user: User, db: Db, clock: OffsetClock
) -> None:
    await set_enabled(api, user, only={PROPOSAL})
    stages = await stage_ids(api, user)
    deal = await create_deal(
        api,
        user,
        title="Initech",
        amount="9000",
        expected_close_date="2030-01-01",
        stage_id=stages["Qualified"],
    )

    async def move(stage: str) -> None:
        moved = await api.post(
            f"/api/v1/deals/{deal['id']}/move", json={"stage_id": stages[stage]}, headers=user.headers
        )
        assert moved.status_code == 200, moved.text

    await move("Proposal Sent")
    await drain_events(db, clock.now(), user.workspace_id)
    [task] = await tasks_of(api, user, deal["id"])
    assert task["subject"] == "Follow up on the proposal for Initech"
    assert task["created_by_type"] == "automation" and task["owner_id"] == user.user_id
    assert task["due_at"] is not None
    await drain_events(db, clock.now(), user.workspace_id)
    assert len(await tasks_of(api, user, deal["id"])) == 1

    # Leaving and entering again is another stage entry: it fires again.
    await move("Negotiation")
    await move("Proposal Sent")
    await drain_events(db, clock.now(), user.workspace_id)
    assert len(await tasks_of(api, user, deal["id"])) == 2
    runs = await runs_of(api, user, (await automation_named(api, user, PROPOSAL))["id"])
    assert len({r["cause_key"] for r in runs}) == 2 and all(
        r["cause_key"].startswith("stage_entry:") for r in runs
    )


async def test_seed_idle_follow_up_fires_once_per_idle_spell(
    api: Api, user: User, db: Db, clock: OffsetClock
) -> None:
    await set_enabled(api, user, only={SEVEN_DAYS})
    deal = await create_deal(api, user, title="Globex")
    start = clock.now()
    assert (await sweep(db, user, start + timedelta(days=6))).fired == 0
    assert (await sweep(db, user, start + timedelta(days=7, seconds=1))).fired == 1
    assert (await sweep(db, user, start + timedelta(days=7, seconds=2))).fired == 0
    [task] = await tasks_of(api, user, deal["id"])
    assert task["subject"] == "Follow up on Globex" and task["created_by_type"] == "automation"
    # The automation's own task does not end the spell, so nothing more fires in it.
    assert (await sweep(db, user, start + timedelta(days=9))).fired == 0

    clock.advance(timedelta(days=9))
    user = await relogin(api, user)
    call = await api.post(
        "/api/v1/activities",
        json={"type": "call", "subject": "Caught up", "deal_id": deal["id"]},
        headers=user.headers,
    )
    assert call.status_code == 201
    assert (await sweep(db, user, start + timedelta(days=15))).fired == 0
    assert (await sweep(db, user, start + timedelta(days=16, seconds=1))).fired == 1
    assert len(await tasks_of(api, user, deal["id"])) == 2
    runs = await runs_of(api, user, (await automation_named(api, user, SEVEN_DAYS))["id"])
    assert runs[0]["reason"].startswith("no stage change or activity by a person for 7 days")
    assert all(r["cause_key"].startswith("idle:") for r in runs)


async def test_durations_down_to_seconds(api: Api, user: User, db: Db, clock: OffsetClock) -> None:
    await set_enabled(api, user, only=set())
    await add_rule(
        api,
        user,
        trigger={"type": "deal_idle", "duration": "PT30S"},
        actions=[{"type": "add_tag", "tag": "quiet"}],
    )
    deal = await create_deal(api, user, title="Quick")
    now = clock.now()
    await sweep(db, user, now + timedelta(seconds=29))
    assert (await _deal(api, user, deal["id"]))["tags"] == []
    await sweep(db, user, now + timedelta(seconds=31))
    assert (await _deal(api, user, deal["id"]))["tags"] == ["quiet"]


async def test_close_date_passed_fires_once_per_date(
    api: Api, user: User, db: Db, clock: OffsetClock
) -> None:
    await set_enabled(api, user, only=set())
    rule = await add_rule(
        api, user, trigger={"type": "deal_close_date_passed"}, actions=[{"type": "notify_owner"}]
    )
    today = clock.now().date()
    deal = await create_deal(api, user, title="Late", expected_close_date=str(today + timedelta(days=1)))
    assert (await sweep(db, user, clock.now())).fired == 0
    later = clock.now() + timedelta(days=2)
    assert (await sweep(db, user, later)).fired == 1
    assert (await sweep(db, user, later)).fired == 0
    moved = await api.patch(
        f"/api/v1/deals/{deal['id']}", json={"expected_close_date": str(today)}, headers=user.headers
    )
    assert moved.status_code == 200
    assert (await sweep(db, user, later)).fired == 1  # a new date is a new cause
    keys = sorted(r["cause_key"] for r in await runs_of(api, user, rule["id"]))
    assert keys == [f"close_date:{today}", f"close_date:{today + timedelta(days=1)}"]


async def test_task_overdue_fires_once_per_due_time(api: Api, user: User, db: Db, clock: OffsetClock) -> None:
    await set_enabled(api, user, only=set())
    rule = await add_rule(
        api,
        user,
        trigger={"type": "task_overdue"},
        actions=[{"type": "notify_owner", "message": "Overdue: {task.subject}"}],
    )
    due = clock.now() + timedelta(hours=1)
    task = (
        await api.post(
            "/api/v1/activities",
            json={"type": "task", "subject": "Send quote", "due_at": due.isoformat()},
            headers=user.headers,
        )
    ).json()
    assert (await sweep(db, user, clock.now())).fired == 0
    assert (await sweep(db, user, due + timedelta(minutes=1))).fired == 1
    assert (await sweep(db, user, due + timedelta(minutes=2))).fired == 0
    later = due + timedelta(hours=1)
    assert (
        await api.patch(
            f"/api/v1/activities/{task['id']}", json={"due_at": later.isoformat()}, headers=user.headers
        )
    ).status_code == 200
    assert (await sweep(db, user, later + timedelta(minutes=1))).fired == 1
    runs = await runs_of(api, user, rule["id"])
    assert {r["subject_type"] for r in runs} == {"activity"} and len(runs) == 2
    bodies = [n["body"] for n in await _notifications(api, user) if n["type"] == "automation"]
    assert bodies == ["Overdue: Send quote"] * 2


async def test_contact_from_form_is_routed_round_robin(
    api: Api, user: User, db: Db, clock: OffsetClock
) -> None:
    ann, bea = await invite_member(api, user), await invite_member(api, user)
    rule = await add_rule(
        api,
        user,
        trigger={"type": "contact_created_from_form"},
        actions=[
            {"type": "assign_owner", "strategy": "round_robin", "member_ids": [ann.user_id, bea.user_id]},
            {"type": "add_tag", "tag": "inbound"},
        ],
    )
    owners = []
    for n in range(3):
        contact = (
            await api.post(
                "/api/v1/contacts",
                json={"first_name": f"Lead {n}", "email": f"lead{n}-{uuid.uuid4().hex[:6]}@x.example"},
                headers=user.headers,
            )
        ).json()
        # What the forms concern emits for a contact a form created.
        async with workspace_transaction(db.sessionmaker, uuid.UUID(user.workspace_id)) as session:
            await outbox.emit(
                session,
                workspace_id=uuid.UUID(user.workspace_id),
                type="contact.created_from_form",
                payload={**contact, "form_name": "Website"},
                now=clock.now(),
                subject_type="contact",
                subject_id=uuid.UUID(contact["id"]),
            )
        await drain_events(db, clock.now(), user.workspace_id)
        after = (await api.get(f"/api/v1/contacts/{contact['id']}", headers=user.headers)).json()
        assert after["tags"] == ["inbound"]
        owners.append(after["owner_id"])
    assert owners == [ann.user_id, bea.user_id, ann.user_id]
    runs = await runs_of(api, user, rule["id"])
    assert {r["reason"] for r in runs} == {"the contact was created from the form 'Website'"}


async def test_renewal_due_creates_the_renewal_deal_once(
    api: Api, user: User, db: Db, clock: OffsetClock
) -> None:
    await set_enabled(api, user, only=set())
    stages = await stage_ids(api, user)
    pipeline_id = (await api.get("/api/v1/pipelines", headers=user.headers)).json()["items"][0]["id"]
    rule = await add_rule(
        api,
        user,
        trigger={"type": "renewal_due", "duration": "P60D"},
        actions=[{"type": "create_renewal_deal", "pipeline_id": pipeline_id, "stage_id": stages["Prospect"]}],
    )
    deal = await create_deal(api, user, title="Support plan", amount="1200")
    ends = clock.now().date() + timedelta(days=90)
    async with db.sessionmaker() as session, session.begin():
        await session.execute(
            text("UPDATE deals SET contract_end_date = :d WHERE id = :id"),
            {"d": ends, "id": uuid.UUID(deal["id"])},
        )
    assert (await sweep(db, user, clock.now())).fired == 0
    soon = clock.now() + timedelta(days=31)
    assert (await sweep(db, user, soon)).fired == 1
    assert (await sweep(db, user, soon)).fired == 0
    [run] = await runs_of(api, user, rule["id"])
    assert run["cause_key"] == f"renewal:{ends}"
    renewal = await _deal(api, user, run["actions"][0]["data"]["deal_id"])
    assert renewal["title"] == "Renewal: Support plan" and renewal["amount"] == "1200.00"
    assert renewal["expected_close_date"] == str(ends) and renewal["stage_id"] == stages["Prospect"]


async def test_seed_rotting_notifies_the_owner(api: Api, user: User, db: Db, clock: OffsetClock) -> None:
    await set_enabled(api, user, only={ROTTING})
    deal = await create_deal(api, user, title="Stark fleet")  # Prospect: rotting_days 14
    now = clock.now()
    assert (await sweep(db, user, now + timedelta(days=13))).fired == 0
    assert (await sweep(db, user, now + timedelta(days=15))).fired == 1
    assert (await sweep(db, user, now + timedelta(days=16))).fired == 0
    [notice] = await _notifications(api, user)
    assert notice["body"] == "Stark fleet has sat in Prospect longer than its 14-day limit"
    assert notice["subject_type"] == "deal" and notice["subject_id"] == deal["id"]


async def test_seed_closes_deals_idle_for_90_days_as_lost(
    api: Api, user: User, db: Db, clock: OffsetClock
) -> None:
    await set_enabled(api, user, only={STALE})
    stages = await stage_ids(api, user)
    deal = await create_deal(api, user, title="Forgotten")
    assert (await sweep(db, user, clock.now() + timedelta(days=89))).fired == 0
    assert (await sweep(db, user, clock.now() + timedelta(days=91))).fired == 1
    closed = await _deal(api, user, deal["id"])
    assert (closed["status"], closed["lost_reason"], closed["stage_id"]) == (
        "lost",
        "Stale",  # the rule's "stale", in the workspace pick-list's spelling
        stages["Closed Lost"],
    )
    timeline = (await api.get(f"/api/v1/deals/{deal['id']}/timeline", headers=user.headers)).json()["items"]
    moved = next(e for e in timeline if e["type"] == "stage_changed")
    assert moved["actor"]["type"] == "automation" and moved["data"]["to_stage"] == "Closed Lost"
    assert (await sweep(db, user, clock.now() + timedelta(days=200))).fired == 0  # closed: no longer idle


async def test_send_webhook_asks_the_webhooks_concern(
    api: Api, user: User, db: Db, clock: OffsetClock
) -> None:
    await set_enabled(api, user, only=set())
    subscription = str(uuid.uuid4())
    await add_rule(
        api,
        user,
        trigger={"type": "deal_created"},
        actions=[{"type": "send_webhook", "subscription_id": subscription}],
    )
    deal = await create_deal(api, user, title="Hooked", amount="10")
    await drain_events(db, clock.now(), user.workspace_id)
    async with db.sessionmaker() as session:
        event = (
            await session.execute(
                select(OutboxEvent).where(
                    OutboxEvent.type == "automation.webhook_requested",
                    OutboxEvent.workspace_id == uuid.UUID(user.workspace_id),
                )
            )
        ).scalar_one()
    assert event.payload["subscription_id"] == subscription
    assert event.payload["data"]["id"] == deal["id"] and event.payload["data"]["title"] == "Hooked"
    assert event.actor is not None and event.actor["type"] == "automation"


async def test_a_refused_action_is_recorded_and_the_others_still_run(
    api: Api, user: User, db: Db, clock: OffsetClock
) -> None:
    await set_enabled(api, user, only=set())
    pipeline = (
        await api.post(
            "/api/v1/pipelines",
            json={
                "name": "No losing",
                "stages": [
                    {"name": "Open", "probability": 10},
                    {"name": "Won", "kind": "won", "probability": 100},
                ],
            },
            headers=user.headers,
        )
    ).json()
    rule = await add_rule(
        api,
        user,
        trigger={"type": "deal_created"},
        actions=[{"type": "close_as_lost"}, {"type": "add_tag", "tag": "tried"}],
    )
    deal = await create_deal(api, user, title="Unlosable", pipeline_id=pipeline["id"])
    await drain_events(db, clock.now(), user.workspace_id)
    [run] = await runs_of(api, user, rule["id"])
    assert run["outcome"] == "partial"
    assert [(a["status"], a["detail"]) for a in run["actions"]] == [
        ("failed", "The deal's pipeline has no lost stage"),
        ("done", "Tagged the deal 'tried'"),
    ]
    assert (await _deal(api, user, deal["id"]))["tags"] == ["tried"]


async def test_disabled_rules_do_not_fire(api: Api, user: User, db: Db, clock: OffsetClock) -> None:
    await set_enabled(api, user, only=set())
    deal = await create_deal(api, user, title="Sleepy")
    result = await sweep(db, user, clock.now() + timedelta(days=100))
    assert result.fired == 0 and await tasks_of(api, user, deal["id"]) == []
    assert (await _deal(api, user, deal["id"]))["status"] == "open"
