"""Webhooks delivered to a real HTTP receiver on 127.0.0.1: signed, retried with backoff,
given up after a day, switched off after a run of failures, refused for private targets unless
allowed, redelivered on request, and carried all the way through the worker.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import pytest_asyncio
from arq.connections import ArqRedis, RedisSettings, create_pool
from arq.worker import Worker
from sqlalchemy import select

from domain import outbox
from domain.clock import SystemClock
from domain.db import workspace_transaction
from domain.models import WebhookDelivery, WebhookSubscription
from domain.webhooks import delivery
from domain.webhooks.delivery import DeliveryPolicy
from tests.api.forms_support import create_form, run_worker, submit_url
from tests.conftest import Api, AppHandle, Db, Servers, User
from tests.workers.webhook_receiver import Receiver, verify_signature
from workers.jobs.webhooks import deliver_webhook, dispatch_deliveries_once
from workers.pump import dispatch_once
from workers.settings import handle_event

NO_JITTER = DeliveryPolicy(jitter=0.0)


@pytest.fixture
def private_targets(app_handle: AppHandle) -> Iterator[None]:
    app_handle.settings.webhook_allow_private_targets = True
    yield
    app_handle.settings.webhook_allow_private_targets = False


async def _subscribe(api: Api, user: User, url: str, events: list[str]) -> dict[str, Any]:
    response = await api.post("/api/v1/webhooks", json={"url": url, "events": events}, headers=user.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _deliveries(db: Db, subscription_id: str) -> list[WebhookDelivery]:
    async with db.sessionmaker() as session:
        return list(
            (
                await session.execute(
                    select(WebhookDelivery)
                    .where(WebhookDelivery.subscription_id == uuid.UUID(subscription_id))
                    .order_by(WebhookDelivery.created_at)
                )
            ).scalars()
        )


async def _attempt_all(
    db: Db, user: User, now: datetime, policy: DeliveryPolicy = NO_JITTER, allow_private: bool = True
) -> list[str | None]:
    """What the pump and the jobs do for everything due at `now`."""
    due = await delivery.claim_due_across_workspaces(db.sessionmaker, now=now, policy=policy)
    return [
        await delivery.attempt_delivery(
            db.sessionmaker,
            workspace_id=workspace_id,
            delivery_id=delivery_id,
            now=now,
            allow_private=allow_private,
            policy=policy,
        )
        for workspace_id, delivery_id, _ in due
        if str(workspace_id) == user.workspace_id
    ]


async def test_events_are_delivered_signed_with_their_id(
    api: Api, user: User, db: Db, private_targets: None
) -> None:
    async with Receiver() as receiver:
        hook = await _subscribe(api, user, receiver.url, ["contact.created", "form.submitted"])
        await _subscribe(api, user, receiver.url + "/deals-only", ["deal.won"])
        contact = await api.post(
            "/api/v1/contacts", json={"first_name": "Hook", "email": "hook@example.com"}, headers=user.headers
        )
        form = await create_form(api, user)
        await api.post(submit_url(form), json={"email": "lead@webhook.example"})
        await run_worker(db, user.workspace_id)
        assert await _attempt_all(db, user, datetime.now(UTC)) == ["succeeded"] * 3
    # The form's lead is a contact.created too; the deals-only subscription heard nothing.
    assert sorted(r.json["type"] for r in receiver.received) == [
        "contact.created",
        "contact.created",
        "form.submitted",
    ]
    created = [r for r in receiver.received if r.json["type"] == "contact.created"]
    first = next(r for r in created if r.json["data"]["email"] == "hook@example.com")
    assert first.path == "/hooks/rapport"
    assert (
        first.json["data"]["id"] == contact.json()["id"] and first.json["workspace_id"] == user.workspace_id
    )
    assert set(first.json) == {"id", "type", "created_at", "workspace_id", "data"}
    for got in receiver.received:
        assert got.headers["rapport-event-id"] == got.json["id"]
        assert got.headers["content-type"] == "application/json"
        assert verify_signature(hook["secret"], got)
    submitted = next(r for r in receiver.received if r.json["type"] == "form.submitted")
    assert submitted.json["data"]["status"] == "processed" and submitted.json["data"]["contact_id"]
    [logged] = [d for d in await _deliveries(db, hook["id"]) if d.event_id == uuid.UUID(first.json["id"])]
    assert (
        logged.status == "succeeded" and logged.response_status == 200 and logged.log[0]["status_code"] == 200
    )
    # Running the fan-out again for the same events adds no second delivery.
    assert len(await _deliveries(db, hook["id"])) == 3


async def test_a_failing_receiver_is_retried_with_exponential_backoff(
    api: Api, user: User, db: Db, private_targets: None
) -> None:
    async with Receiver(statuses=[500, 503, 200]) as receiver:
        hook = await _subscribe(api, user, receiver.url, ["account.created"])
        await api.post("/api/v1/accounts", json={"name": "Retry Corp"}, headers=user.headers)
        await run_worker(db, user.workspace_id)
        start = datetime.now(UTC)
        assert await _attempt_all(db, user, start) == ["retrying"]
        [first] = await _deliveries(db, hook["id"])
        assert first.next_attempt_at == start + timedelta(seconds=10)
        assert await _attempt_all(db, user, start + timedelta(seconds=9)) == []  # not due yet
        assert await _attempt_all(db, user, start + timedelta(seconds=10)) == ["retrying"]
        [second] = await _deliveries(db, hook["id"])
        assert second.next_attempt_at == start + timedelta(seconds=30)  # then 20 s: doubling
        assert await _attempt_all(db, user, start + timedelta(seconds=30)) == ["succeeded"]
    assert len(receiver.received) == 3
    assert len({r.headers["rapport-event-id"] for r in receiver.received}) == 1
    [done] = await _deliveries(db, hook["id"])
    assert done.attempts == 3 and [e["status_code"] for e in done.log] == [500, 503, 200]
    log = await api.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=user.headers)
    assert log.json()["items"][0]["status"] == "succeeded" and len(log.json()["items"][0]["log"]) == 3
    subscription = (await api.get(f"/api/v1/webhooks/{hook['id']}", headers=user.headers)).json()
    assert subscription["consecutive_failures"] == 0 and subscription["active"]


async def test_retries_stop_after_a_day(api: Api, user: User, db: Db, private_targets: None) -> None:
    policy = DeliveryPolicy(jitter=0.0, first_delay=timedelta(hours=6), max_delay=timedelta(hours=12))
    async with Receiver(statuses=[500] * 10) as receiver:
        hook = await _subscribe(api, user, receiver.url, ["account.created"])
        await api.post("/api/v1/accounts", json={"name": "Gone Corp"}, headers=user.headers)
        await run_worker(db, user.workspace_id)
        now = datetime.now(UTC)
        statuses = []
        for _ in range(6):
            statuses += await _attempt_all(db, user, now, policy)
            [row] = await _deliveries(db, hook["id"])
            if row.next_attempt_at is None:
                break
            now = row.next_attempt_at
    assert statuses == [
        "retrying",
        "retrying",
        "retrying",
        "failed",
    ]  # at 0, 6 h, 18 h and 24 h: then the day is up
    assert len(receiver.received) == 4


async def test_a_run_of_failures_switches_the_subscription_off(
    api: Api, user: User, db: Db, private_targets: None
) -> None:
    policy = DeliveryPolicy(jitter=0.0, disable_after_failures=3, disable_after_failing_for=timedelta(0))
    async with Receiver(statuses=[500] * 10) as receiver:
        hook = await _subscribe(api, user, receiver.url, ["account.created"])
        for name in ("One", "Two", "Three", "Four"):
            await api.post("/api/v1/accounts", json={"name": name}, headers=user.headers)
        await run_worker(db, user.workspace_id)
        statuses = await _attempt_all(db, user, datetime.now(UTC), policy)
    assert len(statuses) == 4 and len(receiver.received) == 3  # the fourth found it switched off
    subscription = (await api.get(f"/api/v1/webhooks/{hook['id']}", headers=user.headers)).json()
    assert subscription["active"] is False and "3 failed attempts" in subscription["disabled_reason"]
    later = datetime.now(UTC) + timedelta(hours=1)
    assert await _attempt_all(db, user, later, policy) == []  # nothing is sent while it is off
    redeliver = await api.post(
        f"/api/v1/webhooks/{hook['id']}/deliveries/{(await _deliveries(db, hook['id']))[0].id}/redeliver",
        headers=user.headers,
    )
    assert redeliver.status_code == 409
    on = await api.patch(f"/api/v1/webhooks/{hook['id']}", json={"active": True}, headers=user.headers)
    assert on.json()["active"] and on.json()["consecutive_failures"] == 0 and on.json()["disabled_at"] is None


async def test_private_targets_are_refused_unless_allowed(
    api: Api, user: User, db: Db, private_targets: None
) -> None:
    async with Receiver() as receiver:
        targets = [
            receiver.url,
            "http://10.20.30.40:8080/x",
            "http://169.254.169.254/latest/meta-data",
            f"http://localhost:{receiver.port}/x",
        ]
        hooks = [await _subscribe(api, user, url, ["account.created"]) for url in targets]
        await api.post("/api/v1/accounts", json={"name": "SSRF Corp"}, headers=user.headers)
        await run_worker(db, user.workspace_id)
        statuses = await _attempt_all(db, user, datetime.now(UTC), allow_private=False)
    assert statuses == ["failed"] * 4 and receiver.received == []
    for hook in hooks:
        [row] = await _deliveries(db, hook["id"])
        assert "non-public address" in (row.error or "") and row.next_attempt_at is None


async def test_redeliver_sends_the_same_event_again(
    api: Api, user: User, db: Db, private_targets: None
) -> None:
    async with Receiver() as receiver:
        hook = await _subscribe(api, user, receiver.url, ["*"])
        fired = await api.post(f"/api/v1/webhooks/{hook['id']}/test", headers=user.headers)
        assert await _attempt_all(db, user, datetime.now(UTC)) == ["succeeded"]
        again = await api.post(
            f"/api/v1/webhooks/{hook['id']}/deliveries/{fired.json()['id']}/redeliver", headers=user.headers
        )
        assert again.status_code == 202 and again.json()["status"] == "pending"
        assert await _attempt_all(db, user, datetime.now(UTC)) == ["succeeded"]
    assert [r.json["type"] for r in receiver.received] == ["webhook.test", "webhook.test"]
    assert (
        receiver.received[0].headers["rapport-event-id"] == receiver.received[1].headers["rapport-event-id"]
    )
    assert verify_signature(hook["secret"], receiver.received[1])


async def test_automation_requests_reach_their_subscription(
    api: Api, user: User, db: Db, private_targets: None
) -> None:
    async with Receiver() as receiver:
        hook = await _subscribe(api, user, receiver.url, ["deal.won"])
        workspace_id = uuid.UUID(user.workspace_id)
        async with workspace_transaction(db.sessionmaker, workspace_id) as session:
            await outbox.emit(
                session,
                workspace_id=workspace_id,
                type="automation.webhook_requested",
                payload={"subscription_id": hook["id"], "data": {"deal": {"title": "Big"}}},
                now=SystemClock().now(),
            )
        await run_worker(db, user.workspace_id)
        assert await _attempt_all(db, user, datetime.now(UTC)) == ["succeeded"]
    [got] = receiver.received
    assert got.json["type"] == "automation.webhook" and got.json["data"] == {"deal": {"title": "Big"}}
    assert verify_signature(hook["secret"], got)


@pytest_asyncio.fixture(loop_scope="session")
async def arq_redis(servers: Servers) -> Any:
    pool = await create_pool(RedisSettings.from_dsn(servers.redis_url))
    yield pool
    await pool.aclose()


async def test_through_the_worker(
    api: Api,
    user: User,
    db: Db,
    servers: Servers,
    arq_redis: ArqRedis,
    app_handle: AppHandle,
    private_targets: None,
) -> None:
    queue = f"test:webhooks:{uuid.uuid4().hex}"

    async def run_worker() -> None:
        worker = Worker(
            functions=[handle_event, deliver_webhook],
            redis_settings=RedisSettings.from_dsn(servers.redis_url),
            queue_name=queue,
            burst=True,
            poll_delay=0.05,
            handle_signals=False,
            ctx={"sessionmaker": db.sessionmaker, "settings": app_handle.settings},
        )
        try:
            await worker.async_run()
        finally:
            await worker.close()

    async with Receiver() as receiver:
        hook = await _subscribe(api, user, receiver.url, ["deal.created"])
        deal = await api.post("/api/v1/deals", json={"title": "Through the worker"}, headers=user.headers)
        assert deal.status_code == 201
        assert await dispatch_once(db.sessionmaker, arq_redis, SystemClock(), queue_name=queue) >= 1
        await run_worker()
        assert (
            await dispatch_deliveries_once(db.sessionmaker, arq_redis, SystemClock(), queue_name=queue) >= 1
        )
        await run_worker()
    [got] = [r for r in receiver.received if r.json["type"] == "deal.created"]
    assert got.json["data"]["id"] == deal.json()["id"] and verify_signature(hook["secret"], got)
    async with db.sessionmaker() as session:
        subscription = await session.get(WebhookSubscription, uuid.UUID(hook["id"]))
        assert subscription is not None and subscription.consecutive_failures == 0
